r"""TMX: ``corpus.tmx``, TMX 1.4b with one ``<tu>`` per segment, the model in the header.

Each ``<tu>`` holds the props ``x-doc-id``, ``x-paragraph`` and ``x-sentence``,
then, for a segment with link fields (see
:func:`~translate.writers.base.has_links`: an aligner's 2:1, 1:2, 1:0, 0:1
links), ``x-source-count`` and ``x-target-ids`` (the ids separated by spaces,
empty when there are none), then ``x-vi2en-score`` where the segment has a
score (the model's length-normalised log-probability, 4 decimals), then one
``x-vi2en-flags`` per QA flag (``check: reason``, e.g. ``numbers: number
10.000 → 1,000``; a prop per flag, so that a reason may hold any text and a
translation tool lists each on its line), then the two ``<tuv>``.

A text or id holding a character XML 1.0 forbids (control characters other
than tab, LF and CR, U+FFFE, U+FFFF, lone surrogates) is written with those
characters and its backslashes escaped (``\xNN``, ``\uNNNN``, ``\\``), and
the ``<tu>`` names it in ``<prop type="x-escaped">`` (``doc-id``, ``vi``,
``en``); every other text is written as is. :func:`read_tmx` reverses it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import defusedxml.ElementTree as SafeElementTree
from defusedxml import DefusedXmlException

from translate.layout import CORPUS_STEM
from translate.records import AlignedSegment, Flag
from translate.writers.base import (
    CorpusWriter,
    RunInfo,
    has_links,
    output_score,
    segment_without_span,
)

_XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TMX_ESCAPED = re.compile("[\\\\\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TMX_UNESCAPE = re.compile(r"\\(?:x[0-9a-f]{2}|u[0-9a-f]{4}|\\)")
_TAIL = "  </body>\n</tmx>\n"


class UnsafeXmlError(ValueError):
    """A TMX file declares entities (billion laughs, external entities): it is not read."""


def iterparse_tmx(path: Path | str) -> Iterator[ElementTree.Element]:
    """The elements of a TMX file as they end, parsed without expanding any declared entity.

    A DOCTYPE naming the TMX DTD is fine (the DTD is not fetched); an entity
    declaration (``<!ENTITY``, the billion-laughs bomb, an external entity that
    would read a local file or a URL) stops the parse.

    Raises:
        UnsafeXmlError: The file declares an entity (the message names the file and the fix).
        xml.etree.ElementTree.ParseError: The file is not well-formed XML.
    """
    try:
        for _, element in SafeElementTree.iterparse(
            path, forbid_dtd=False, forbid_entities=True, forbid_external=True
        ):
            yield element
    except DefusedXmlException as exc:
        raise UnsafeXmlError(
            f"{path}: declares XML entities ({exc}), which vi2en does not expand; "
            "remove the <!ENTITY> declarations from its DOCTYPE"
        ) from exc


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code == 0x5C:
        return "\\\\"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _field(text: str) -> tuple[str, bool]:
    """The text to write in a TMX element, and whether it had to be escaped."""
    if _XML_FORBIDDEN.search(text) is None:
        return text, False
    return _TMX_ESCAPED.sub(_escape_char, text), True


def unescape_tmx(text: str) -> str:
    """A text the ``tmx`` writer escaped (named in ``x-escaped``), as it was."""
    return _TMX_UNESCAPE.sub(
        lambda m: "\\" if m.group(0) == "\\\\" else chr(int(m.group(0)[2:], 16)), text
    )


def _xml_text(text: str) -> str:
    # A character XML cannot hold is escaped, never dropped; data fields mark it (_field).
    text = _field(text)[0]
    # A literal CR would be read back as LF (XML end-of-line handling), so it
    # is written as a character reference.
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def _xml_attribute(text: str) -> str:
    # Parsers turn a literal tab or line break in an attribute into a space.
    return _xml_text(text).replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")


def _prop(kind: str, value: str, indent: str) -> str:
    return f'{indent}<prop type="{_xml_attribute(kind)}">{_xml_text(value)}</prop>\n'


def _quality_props(segment: AlignedSegment, indent: str) -> str:
    """The ``x-vi2en-score`` and ``x-vi2en-flags`` props of a segment (none without)."""
    score = output_score(segment.score)
    props = "" if score is None else _prop("x-vi2en-score", repr(score), indent)
    for flag in segment.flags:
        text = f"{flag.check}: {flag.reason}" if flag.reason else flag.check
        props += _prop("x-vi2en-flags", text, indent)
    return props


def flag_of_prop(text: str) -> Flag:
    """The flag of an ``x-vi2en-flags`` prop (``check: reason`` or ``check``)."""
    check, _, reason = text.partition(": ")
    return Flag(check.strip(), reason)


def _head(run: RunInfo) -> str:
    props = _prop("x-model", run.model, "    ")
    if run.model_revision is not None:
        props += _prop("x-model-revision", run.model_revision, "    ")
    # No creationdate: the file must not change between identical runs.
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n'
        '<tmx version="1.4">\n'
        '  <header creationtool="vi2en"'
        f' creationtoolversion="{_xml_attribute(run.tool_version)}"'
        ' segtype="sentence" o-tmf="vi2en" adminlang="en"'
        f' srclang="{_xml_attribute(run.source_lang)}" datatype="plaintext">\n'
        f"{props}"
        "  </header>\n"
        "  <body>\n"
    )


class TmxWriter(CorpusWriter):
    """``corpus.tmx``: TMX 1.4b, one ``<tu>`` per segment, model recorded in the header."""

    name = "tmx"

    def __init__(
        self,
        outdir: Path,
        run: RunInfo,
        *,
        stem: str = CORPUS_STEM,
        suffixes: Sequence[str] | None = None,
    ) -> None:
        super().__init__(outdir, run, stem=stem, suffixes=suffixes)
        self._outs[0].write(_head(run))

    def suffixes(self) -> tuple[str, ...]:
        """``.tmx``."""
        return (".tmx",)

    def encode(self, segment: AlignedSegment) -> tuple[str]:
        """The segment's ``<tu>``."""
        run = self.run
        doc_id, doc_id_escaped = _field(segment.doc_id)
        source, source_escaped = _field(segment.source)
        target, target_escaped = _field(segment.target)
        escaped = [
            name
            for name, flag in (
                ("doc-id", doc_id_escaped),
                (run.source_lang, source_escaped),
                (run.target_lang, target_escaped),
            )
            if flag
        ]
        links = ""
        if has_links(segment):
            links = _prop("x-source-count", str(segment.source_count), "      ") + _prop(
                "x-target-ids", " ".join(map(str, segment.target_ids)), "      "
            )
        return (
            "    <tu>\n"
            + _prop("x-doc-id", doc_id, "      ")
            + _prop("x-paragraph", str(segment.paragraph), "      ")
            + _prop("x-sentence", str(segment.sentence), "      ")
            + links
            + _quality_props(segment, "      ")
            + (_prop("x-escaped", " ".join(escaped), "      ") if escaped else "")
            + f'      <tuv xml:lang="{_xml_attribute(run.source_lang)}">'
            f"<seg>{_xml_text(source)}</seg></tuv>\n"
            f'      <tuv xml:lang="{_xml_attribute(run.target_lang)}">'
            f"<seg>{_xml_text(target)}</seg></tuv>\n"
            "    </tu>\n",
        )

    def _write_tail(self) -> None:
        self._outs[0].write(_TAIL)


def write_tmx(pairs: Iterable[AlignedSegment], path: Path, run: RunInfo) -> None:
    """Write ``pairs`` to ``path`` as a TMX 1.4b file recording ``run``.

    Raises:
        OutputError: The file cannot be written; ``path`` keeps what it held.
    """
    TmxWriter(path.parent, run, stem=path.name, suffixes=("",)).write_all(pairs)


def read_tmx(path: Path, source_lang: str = "vi", target_lang: str = "en") -> list[AlignedSegment]:
    """Read each ``<tu>`` of a TMX file written by the ``tmx`` writer.

    Texts listed in a ``<prop type="x-escaped">`` are unescaped, so the ids and
    texts are the ones written, control characters included. The score and
    flags are read from their props (none without). The file does not store
    the source span: it is the whole source text.

    Args:
        path: A TMX file, such as one written by the ``tmx`` writer.
        source_lang: The ``xml:lang`` of the source ``<tuv>``.
        target_lang: The ``xml:lang`` of the target ``<tuv>``.

    Raises:
        ValueError: A ``<tu>`` lacks one of the two languages.
        UnsafeXmlError: The file declares XML entities (never expanded).
    """
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    segments = []
    for element in iterparse_tmx(path):
        if element.tag != "tu":
            continue
        props = {prop.get("type"): prop.text or "" for prop in element.findall("prop")}
        flags = tuple(
            flag_of_prop(prop.text or "")
            for prop in element.findall("prop")
            if prop.get("type") == "x-vi2en-flags"
        )
        score = props.get("x-vi2en-score")
        escaped = set(props.get("x-escaped", "").split())
        texts = {tuv.get(lang): tuv.findtext("seg", "") for tuv in element.iter("tuv")}
        if source_lang not in texts or target_lang not in texts:
            raise ValueError(f"{path}: a <tu> lacks a {source_lang!r} or {target_lang!r} <tuv>")
        fields = {"doc-id": props.get("x-doc-id", ""), **texts}
        for name in escaped:
            if name in fields:
                fields[name] = unescape_tmx(fields[name] or "")
        segments.append(
            segment_without_span(
                fields["doc-id"] or "",
                int(props.get("x-paragraph", "0")),
                int(props.get("x-sentence", "0")),
                fields[source_lang] or "",
                fields[target_lang] or "",
                int(props.get("x-source-count", "1")),
                tuple(int(target_id) for target_id in props.get("x-target-ids", "").split()),
                None if score is None else float(score),
                flags,
            )
        )
        element.clear()  # keep memory flat on large files
    return segments
