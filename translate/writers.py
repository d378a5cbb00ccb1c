r"""Write the aligned pairs as bilingual corpora: TSV, Moses, JSONL, TMX, and plain text.

Each format is one :class:`Writer` class in the :data:`WRITERS` table. A writer
streams: it keeps its temporary files open and writes each document's pairs as
they arrive, so the corpus is never held in memory. Nothing appears under a
final name until :meth:`Writer.commit` (or :func:`commit_writers` for several
writers at once) renames the finished files into place; :meth:`Writer.discard`
throws the temporary files away. A corpus file is therefore either complete or
absent, never a truncated file that looks complete.

No corpus file records a date or anything else that varies between runs, so a
run that was interrupted and resumed writes the same bytes as one that was not.
The run's settings are recorded in the TMX header and in the manifest.

Formats:
    tsv: ``corpus.tsv``, ``source<TAB>target`` per pair. Backslash, every
        control character (tab, LF, CR, the rest of C0, DEL, C1) and U+2028,
        U+2029 are written as Python string escapes (``\\``, ``\t``, ``\n``,
        ``\r``, ``\xNN``, ``\uNNNN``), so every pair is one line whatever
        splits the lines; :func:`read_tsv` reverses it exactly, and so does
        ``field.encode("latin-1", "backslashreplace").decode("unicode_escape")``.
    moses: ``corpus.vi``, ``corpus.en`` and ``corpus.ids`` (``doc_id<TAB>
        paragraph<TAB>sentence``), line-aligned; texts and ids are escaped as
        in TSV (:func:`read_moses` reverses it).
    jsonl: ``corpus.jsonl``, one JSON object per pair with the keys doc_id,
        paragraph, sentence, source, target, start, end. Text is written as
        is (``ensure_ascii=False``), except that U+0085, U+2028 and U+2029
        are escaped so that any line splitter sees one record per line.
    tmx: ``corpus.tmx``, TMX 1.4b with one ``<tu>`` per pair. A text or id
        holding a character XML 1.0 forbids (control characters other than
        tab, LF and CR, U+FFFE, U+FFFF) is written with those characters and
        its backslashes escaped (``\xNN``, ``\uNNNN``, ``\\``), and the
        ``<tu>`` names it in ``<prop type="x-escaped">`` (``doc-id``, ``vi``,
        ``en``); :func:`read_tmx` reverses it.
    txt: ``txt/<output_path>.txt``, each translated article, mirroring the
        input's layout, with CR and CRLF turned into LF; each file is published
        as soon as its document is added.
"""

from __future__ import annotations

import itertools
import json
import re
import xml.etree.ElementTree as ElementTree
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import ClassVar, NamedTuple

from translate.errors import OutputError, UnknownNameError
from translate.fileio import AtomicFile, atomic_write
from translate.records import DocumentInfo, Pair, TranslatedDocument


@dataclass(frozen=True, slots=True)
class RunInfo:
    """What the outputs record about the run that produced them.

    Attributes:
        tool_version: The vi2en version.
        model: The translation model's name or path.
        model_revision: The model's revision (commit hash), when known.
        source_lang: Source language code.
        target_lang: Target language code.
    """

    tool_version: str
    model: str
    model_revision: str | None
    source_lang: str = "vi"
    target_lang: str = "en"


# --- per-format encoding of one pair -------------------------------------------------

# Line-oriented formats (TSV, Moses) escape, never drop: a backslash, every
# control character (C0, DEL, C1: tab, LF and CR among them) and U+2028/U+2029
# are written as Python string escapes (\\ \t \n \r \xNN \uNNNN). No line
# splitter (str.splitlines() also breaks on \v \f \x1c-\x1e \x85 \u2028
# \u2029) and no CSV reader can then cut a record, and
# field.encode("latin-1", "backslashreplace").decode("unicode_escape")
# gives the text back exactly.
_SHORT_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_ESCAPED = re.compile("[\\\\\x00-\x1f\x7f-\x9f\u2028\u2029]")
_ESCAPE_SEQUENCE = re.compile(r"\\(?:x[0-9a-f]{2}|u[0-9a-f]{4}|.?)", re.DOTALL)
_SHORT_UNESCAPES = {v: k for k, v in _SHORT_ESCAPES.items()}


def _escape_char(match: re.Match[str]) -> str:
    char = match.group(0)
    short = _SHORT_ESCAPES.get(char)
    if short is not None:
        return short
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _tsv_escape(text: str) -> str:
    if _ESCAPED.search(text) is None:  # the common case: nothing to escape
        return text
    return _ESCAPED.sub(_escape_char, text)


def _unescape_sequence(match: re.Match[str]) -> str:
    sequence = match.group(0)
    if sequence in _SHORT_UNESCAPES:
        return _SHORT_UNESCAPES[sequence]
    if len(sequence) in (4, 6) and sequence[1] in "xu":
        char = chr(int(sequence[2:], 16))
        if _ESCAPED.fullmatch(char):
            return char
    raise ValueError(f"invalid escape {sequence!r}")


def _tsv_unescape(field: str) -> str:
    if "\\" not in field:
        return field
    return _ESCAPE_SEQUENCE.sub(_unescape_sequence, field)


def _tsv_line(pair: Pair) -> str:
    return f"{_tsv_escape(pair.source)}\t{_tsv_escape(pair.target)}\n"


def _moses_lines(pair: Pair) -> tuple[str, str, str]:
    return (
        _tsv_escape(pair.source) + "\n",
        _tsv_escape(pair.target) + "\n",
        f"{_tsv_escape(pair.doc_id)}\t{pair.paragraph}\t{pair.sentence}\n",
    )


def _jsonl_line(pair: Pair) -> str:
    record = {
        "doc_id": pair.doc_id,
        "paragraph": pair.paragraph,
        "sentence": pair.sentence,
        "source": pair.source,
        "target": pair.target,
        "start": pair.start,
        "end": pair.end,
    }
    line = json.dumps(record, ensure_ascii=False)
    # JSON may hold these three raw, but a tool splitting lines with
    # str.splitlines() would cut the record; escaped, they mean the same.
    return (
        line.replace("\x85", "\\u0085").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        + "\n"
    )


_XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# In TMX a text that holds a character XML 1.0 cannot carry (most C0 controls,
# U+FFFE, U+FFFF, lone surrogates) is written with those characters and its
# backslashes as Python escapes (\xNN, \uNNNN, \\), and its <tu> lists it in a
# <prop type="x-escaped"> (doc-id, vi, en); every other text is written as is.
_TMX_ESCAPED = re.compile("[\\\\\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TMX_UNESCAPE = re.compile(r"\\(?:x[0-9a-f]{2}|u[0-9a-f]{4}|\\)")


def _tmx_escape_char(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code == 0x5C:
        return "\\\\"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _tmx_field(text: str) -> tuple[str, bool]:
    """The text to write in a TMX element, and whether it had to be escaped."""
    if _XML_FORBIDDEN.search(text) is None:
        return text, False
    return _TMX_ESCAPED.sub(_tmx_escape_char, text), True


def _tmx_unescape(text: str) -> str:
    return _TMX_UNESCAPE.sub(
        lambda m: "\\" if m.group(0) == "\\\\" else chr(int(m.group(0)[2:], 16)), text
    )


def _xml_text(text: str) -> str:
    # A character XML cannot hold is escaped, never dropped; data fields mark it (_tmx_field).
    text = _tmx_field(text)[0]
    # A literal CR would be read back as LF (XML end-of-line handling), so it
    # is written as a character reference.
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def _xml_attribute(text: str) -> str:
    # Parsers turn a literal tab or line break in an attribute into a space.
    return _xml_text(text).replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")


def _tmx_prop(kind: str, value: str, indent: str) -> str:
    return f'{indent}<prop type="{_xml_attribute(kind)}">{_xml_text(value)}</prop>\n'


def _tmx_head(run: RunInfo) -> str:
    props = _tmx_prop("x-model", run.model, "    ")
    if run.model_revision is not None:
        props += _tmx_prop("x-model-revision", run.model_revision, "    ")
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


_TMX_TAIL = "  </body>\n</tmx>\n"


def _tmx_unit(pair: Pair, run: RunInfo) -> str:
    doc_id, doc_id_escaped = _tmx_field(pair.doc_id)
    source, source_escaped = _tmx_field(pair.source)
    target, target_escaped = _tmx_field(pair.target)
    escaped = [
        name
        for name, flag in (
            ("doc-id", doc_id_escaped),
            (run.source_lang, source_escaped),
            (run.target_lang, target_escaped),
        )
        if flag
    ]
    return (
        "    <tu>\n"
        + _tmx_prop("x-doc-id", doc_id, "      ")
        + _tmx_prop("x-paragraph", str(pair.paragraph), "      ")
        + _tmx_prop("x-sentence", str(pair.sentence), "      ")
        + (_tmx_prop("x-escaped", " ".join(escaped), "      ") if escaped else "")
        + f'      <tuv xml:lang="{_xml_attribute(run.source_lang)}">'
        f"<seg>{_xml_text(source)}</seg></tuv>\n"
        f'      <tuv xml:lang="{_xml_attribute(run.target_lang)}">'
        f"<seg>{_xml_text(target)}</seg></tuv>\n"
        "    </tu>\n"
    )


# --- writers ---------------------------------------------------------------------------


def _publish(files: Sequence[AtomicFile]) -> list[Path]:
    """Finish every file, then rename them all; on any failure remove every temporary file."""
    try:
        for file in files:
            file.finish()
        return [file.publish() for file in files]
    except BaseException:
        for file in files:
            file.discard()
        raise


class Writer(ABC):
    """One output format. Feed it documents in corpus order, then commit or discard.

    Args:
        outdir: The output directory (created if missing).
        run: The run's settings, for formats that record them.
        stem: The corpus files' name without extension.

    Raises:
        OutputError: A temporary file cannot be created.
    """

    name: ClassVar[str]

    def __init__(self, outdir: Path, run: RunInfo, *, stem: str = "corpus") -> None:
        self.outdir = outdir
        self.run = run
        self.stem = stem
        self._files: list[AtomicFile] = []
        self._finished = False

    def _open(self, suffix: str) -> AtomicFile:
        try:
            file = AtomicFile(self.outdir / f"{self.stem}{suffix}")
        except BaseException:
            self.discard()
            raise
        self._files.append(file)
        return file

    def add(self, document: TranslatedDocument) -> None:
        """Write one document's pairs. Called once per document, in corpus order.

        Raises:
            OutputError: The write failed; call :meth:`discard`.
        """
        self.add_pairs(document.document.info(), document.pairs)

    @abstractmethod
    def add_pairs(self, document: DocumentInfo, pairs: Iterable[Pair]) -> None:
        """Write one document's pairs as they come (in paragraph order), never holding them all.

        Called once per document, in corpus order.

        Raises:
            OutputError: The write failed; call :meth:`discard`.
        """

    def _write_tail(self) -> None:  # noqa: B027 - an optional hook, empty for most formats
        """Write whatever closes the format (e.g. the TMX end tags) before publishing."""

    def finish(self) -> None:
        """Complete the temporary files and flush them to disk, without publishing them.

        Called by :meth:`commit`; calling it first (as :func:`commit_writers`
        does) is harmless.

        Raises:
            OutputError: The files cannot be completed; they are removed.
        """
        if self._finished:
            return
        try:
            self._write_tail()
            for file in self._files:
                file.finish()
        except BaseException:
            self.discard()
            raise
        self._finished = True

    def commit(self) -> list[Path]:
        """Publish the files under their final names and return those names.

        Raises:
            OutputError: The files cannot be completed or renamed; no
                temporary file is left behind.
        """
        self.finish()
        return _publish(self._files)

    @property
    def files(self) -> list[AtomicFile]:
        """The writer's files, for a caller that publishes them itself (see :meth:`finish`)."""
        return list(self._files)

    def discard(self) -> None:
        """Remove the temporary files; final names keep what they held before.

        Safe to call more than once, and after :meth:`commit`.
        """
        for file in self._files:
            file.discard()


class TsvWriter(Writer):
    """``corpus.tsv``: ``source<TAB>target`` per pair, escaped so each pair is one line."""

    name = "tsv"

    def __init__(self, outdir: Path, run: RunInfo, *, stem: str = "corpus") -> None:
        super().__init__(outdir, run, stem=stem)
        self._out = self._open(".tsv")

    def add_pairs(self, document: DocumentInfo, pairs: Iterable[Pair]) -> None:
        """Write the document's pairs, one line each."""
        for chunk in _chunks(pairs):
            self._out.write("".join(_tsv_line(pair) for pair in chunk))


class MosesWriter(Writer):
    """``corpus.vi``, ``corpus.en`` and ``corpus.ids``: line-aligned, one segment per line."""

    name = "moses"

    def __init__(self, outdir: Path, run: RunInfo, *, stem: str = "corpus") -> None:
        super().__init__(outdir, run, stem=stem)
        self._source = self._open(f".{run.source_lang}")
        self._target = self._open(f".{run.target_lang}")
        self._ids = self._open(".ids")

    def add_pairs(self, document: DocumentInfo, pairs: Iterable[Pair]) -> None:
        """Write the document's pairs, one line in each of the three files."""
        for chunk in _chunks(pairs):
            lines = [_moses_lines(pair) for pair in chunk]
            self._source.write("".join(line[0] for line in lines))
            self._target.write("".join(line[1] for line in lines))
            self._ids.write("".join(line[2] for line in lines))


class JsonlWriter(Writer):
    """``corpus.jsonl``: one JSON object per pair, with its ids and source span."""

    name = "jsonl"

    def __init__(self, outdir: Path, run: RunInfo, *, stem: str = "corpus") -> None:
        super().__init__(outdir, run, stem=stem)
        self._out = self._open(".jsonl")

    def add_pairs(self, document: DocumentInfo, pairs: Iterable[Pair]) -> None:
        """Write the document's pairs, one object per line."""
        for chunk in _chunks(pairs):
            self._out.write("".join(_jsonl_line(pair) for pair in chunk))


class TmxWriter(Writer):
    """``corpus.tmx``: TMX 1.4b, one ``<tu>`` per pair, model recorded in the header."""

    name = "tmx"

    def __init__(self, outdir: Path, run: RunInfo, *, stem: str = "corpus") -> None:
        super().__init__(outdir, run, stem=stem)
        self._out = self._open(".tmx")
        self._out.write(_tmx_head(run))

    def add_pairs(self, document: DocumentInfo, pairs: Iterable[Pair]) -> None:
        """Write one ``<tu>`` per pair."""
        for chunk in _chunks(pairs):
            self._out.write("".join(_tmx_unit(pair, self.run) for pair in chunk))

    def _write_tail(self) -> None:
        self._out.write(_TMX_TAIL)


class TxtWriter(Writer):
    """``txt/<output_path>.txt``: each translated article, published as it is added."""

    name = "txt"

    def __init__(self, outdir: Path, run: RunInfo, *, stem: str = "corpus") -> None:
        super().__init__(outdir, run, stem=stem)
        self._written: dict[Path, str] = {}
        self.published: list[AtomicFile] = []

    def add_pairs(self, document: DocumentInfo, pairs: Iterable[Pair]) -> None:
        """Write the translated article atomically under its mirrored path, paragraph by paragraph.

        Raises:
            OutputError: The article cannot be written, its output path leaves
                the output directory, or another document was already written
                to the same path.
        """
        doc = document
        relative = PurePosixPath(doc.output_path)
        if not doc.output_path or relative.is_absolute() or ".." in relative.parts:
            raise OutputError(
                f"cannot write the translation of {doc.doc_id!r}: its output path "
                f"{doc.output_path!r} is not inside the output directory"
            )
        path = self.outdir / "txt" / relative.with_name(relative.name + ".txt")
        if path in self._written:
            raise OutputError(
                f"documents {self._written[path]!r} and {doc.doc_id!r} would both be written "
                f"to {path}; rename one of the inputs"
            )
        file = AtomicFile(path)
        try:
            _write_article(file, doc, pairs)
            file.publish()
        except BaseException:
            file.discard()
            raise
        self._written[path] = doc.doc_id
        self.published.append(file)

    def commit(self) -> list[Path]:
        """Return the articles written; each was already published by :meth:`add`."""
        return list(self._written)


def _write_article(file: AtomicFile, document: DocumentInfo, pairs: Iterable[Pair]) -> None:
    """Write ``TranslatedDocument.translated_text`` with LF line ends, one paragraph at a time.

    The pairs come in paragraph order; a paragraph without pairs is empty.
    """
    carry = ""  # a CR that ends a chunk: the next chunk may start with its LF

    def emit(text: str) -> None:
        nonlocal carry
        text = carry + text
        carry = "\r" if text.endswith("\r") else ""
        if carry:
            text = text[:-1]
        # Plain text gets LF line ends, like every other output.
        file.write(text.replace("\r\n", "\n").replace("\r", "\n"))

    current = 0
    parts: list[str] = []
    for pair in pairs:
        while pair.paragraph > current:
            emit(" ".join(p for p in parts if p))
            parts = []
            current += 1
            emit(document.paragraph_break)
        parts.append(pair.target)
    while True:
        emit(" ".join(p for p in parts if p))
        parts = []
        current += 1
        if current >= document.paragraphs:
            break
        emit(document.paragraph_break)
    emit("\n")
    file.write(carry.replace("\r", "\n"))


def _chunks(pairs: Iterable[Pair], size: int = 1024) -> Iterator[tuple[Pair, ...]]:
    iterator = iter(pairs)
    while chunk := tuple(itertools.islice(iterator, size)):
        yield chunk


WRITERS: dict[str, type[Writer]] = {
    writer.name: writer for writer in (JsonlWriter, MosesWriter, TmxWriter, TsvWriter, TxtWriter)
}


def parse_formats(values: Sequence[str]) -> list[str]:
    """Parse ``--format`` values: each may be a comma-separated list, and the option repeats.

    Names are stripped and lowercased; repeats are dropped, keeping the first
    occurrence's position; empty items (``"tsv,"``) are ignored.

    Raises:
        UnknownNameError: A name is not in :data:`WRITERS`.
    """
    formats: list[str] = []
    for value in values:
        for item in value.split(","):
            name = item.strip().lower()
            if not name:
                continue
            if name not in WRITERS:
                raise UnknownNameError("format", item.strip(), list(WRITERS))
            if name not in formats:
                formats.append(name)
    return formats


def open_writers(
    formats: Sequence[str], outdir: Path, run: RunInfo, *, stem: str = "corpus"
) -> list[Writer]:
    """Open one writer per format (as accepted by :func:`parse_formats`).

    Raises:
        UnknownNameError: A format is not in :data:`WRITERS`.
        OutputError: A temporary file cannot be created; the writers already
            opened are discarded.
    """
    writers: list[Writer] = []
    try:
        for name in parse_formats(formats):
            writers.append(WRITERS[name](outdir, run, stem=stem))
    except BaseException:
        for writer in writers:
            writer.discard()
        raise
    return writers


def commit_writers(writers: Sequence[Writer]) -> list[Path]:
    """Commit several writers so that a failure publishes none of their corpus files.

    Every writer is finished (the step that can run out of space) before any is
    published.

    Raises:
        OutputError: A writer cannot finish or publish; every writer's
            temporary files are removed.
    """
    try:
        for writer in writers:
            writer.finish()
        return [path for writer in writers for path in writer.commit()]
    except BaseException:
        for writer in writers:
            writer.discard()
        raise


def write_manifest(path: Path, manifest: Mapping[str, object]) -> None:
    """Write the run's manifest atomically as JSON (indent 2, sorted keys)."""
    with atomic_write(path) as out:
        out.write(json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


# --- library conveniences ------------------------------------------------------------


def _write_lines(path: Path, lines: Iterable[str]) -> None:
    file = AtomicFile(path)
    try:
        for line in lines:
            file.write(line)
    except BaseException:
        file.discard()
        raise
    _publish([file])


def write_tsv(pairs: Iterable[Pair], path: Path) -> None:
    """Write ``pairs`` to ``path`` as escaped ``source<TAB>target`` lines (see :func:`read_tsv`)."""
    _write_lines(path, map(_tsv_line, pairs))


def write_jsonl(pairs: Iterable[Pair], path: Path) -> None:
    """Write ``pairs`` to ``path`` as one JSON object per line (see :func:`read_jsonl`)."""
    _write_lines(path, map(_jsonl_line, pairs))


def write_tmx(pairs: Iterable[Pair], path: Path, run: RunInfo) -> None:
    """Write ``pairs`` to ``path`` as a TMX 1.4b file recording ``run``."""
    units = (_tmx_unit(pair, run) for pair in pairs)
    _write_lines(path, itertools.chain([_tmx_head(run)], units, [_TMX_TAIL]))


def write_moses(pairs: Iterable[Pair], stem: Path) -> list[Path]:
    """Write ``pairs`` as line-aligned ``STEM.vi``, ``STEM.en`` and ``STEM.ids``.

    Returns:
        The three paths, in that order.
    """
    files: list[AtomicFile] = []
    try:
        for suffix in (".vi", ".en", ".ids"):
            files.append(AtomicFile(stem.with_name(stem.name + suffix)))
        for pair in pairs:
            for file, line in zip(files, _moses_lines(pair), strict=True):
                file.write(line)
    except BaseException:
        for file in files:
            file.discard()
        raise
    return _publish(files)


# --- readers ---------------------------------------------------------------------------


def _lines(path: Path) -> Iterable[tuple[int, str]]:
    # newline="\n": only LF ends a line; a CR or U+2028 inside a text stays in it.
    with path.open(encoding="utf-8", newline="\n") as file:
        for number, line in enumerate(file, start=1):
            yield number, line.removesuffix("\n")


def read_tsv(path: Path) -> list[tuple[str, str]]:
    """Read a file written by the ``tsv`` writer back into ``(source, target)`` pairs.

    Raises:
        ValueError: A line does not have exactly two fields or holds an unknown escape.
    """
    pairs = []
    for number, line in _lines(path):
        fields = line.split("\t")
        try:
            if len(fields) != 2:
                raise ValueError(f"{len(fields)} tab-separated fields instead of 2")
            pairs.append((_tsv_unescape(fields[0]), _tsv_unescape(fields[1])))
        except ValueError as exc:
            raise ValueError(f"{path}:{number}: {exc}") from None
    return pairs


def read_jsonl(path: Path) -> list[Pair]:
    """Read a file written by the ``jsonl`` writer back into pairs."""
    return [Pair(**json.loads(line)) for _, line in _lines(path)]


class Segment(NamedTuple):
    """One pair as the Moses and TMX files hold it: ids and texts, no span."""

    doc_id: str
    paragraph: int
    sentence: int
    source: str
    target: str


def read_moses(stem: Path, source_lang: str = "vi", target_lang: str = "en") -> list[Segment]:
    """Read ``STEM.vi``, ``STEM.en`` and ``STEM.ids`` written by the ``moses`` writer.

    Raises:
        ValueError: The files have different numbers of lines, or a line is malformed.
    """
    names = [
        stem.with_name(f"{stem.name}{suffix}")
        for suffix in (f".{source_lang}", f".{target_lang}", ".ids")
    ]
    columns = [[line for _, line in _lines(path)] for path in names]
    if len({len(column) for column in columns}) != 1:
        counts = ", ".join(f"{path.name}: {len(c)}" for path, c in zip(names, columns, strict=True))
        raise ValueError(f"{stem}: the Moses files are not line-aligned ({counts})")
    segments = []
    for number, (source, target, ids) in enumerate(zip(*columns, strict=True), start=1):
        try:
            doc_id, paragraph, sentence = ids.split("\t")
            segments.append(
                Segment(
                    _tsv_unescape(doc_id),
                    int(paragraph),
                    int(sentence),
                    _tsv_unescape(source),
                    _tsv_unescape(target),
                )
            )
        except ValueError as exc:
            raise ValueError(f"{stem}: line {number}: {exc}") from None
    return segments


def read_tmx(path: Path, source_lang: str = "vi", target_lang: str = "en") -> list[Segment]:
    """Read each ``<tu>`` of a TMX file written by the ``tmx`` writer.

    Texts listed in a ``<prop type="x-escaped">`` are unescaped, so the ids and
    texts are the ones written, control characters included.

    Args:
        path: A TMX file, such as one written by the ``tmx`` writer.
        source_lang: The ``xml:lang`` of the source ``<tuv>``.
        target_lang: The ``xml:lang`` of the target ``<tuv>``.

    Raises:
        ValueError: A ``<tu>`` lacks one of the two languages.
    """
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    segments = []
    for _, element in ElementTree.iterparse(path):
        if element.tag != "tu":
            continue
        props = {prop.get("type"): prop.text or "" for prop in element.findall("prop")}
        escaped = set(props.get("x-escaped", "").split())
        texts = {tuv.get(lang): tuv.findtext("seg", "") for tuv in element.iter("tuv")}
        if source_lang not in texts or target_lang not in texts:
            raise ValueError(f"{path}: a <tu> lacks a {source_lang!r} or {target_lang!r} <tuv>")
        fields = {"doc-id": props.get("x-doc-id", ""), **texts}
        for name in escaped:
            if name in fields:
                fields[name] = _tmx_unescape(fields[name] or "")
        segments.append(
            Segment(
                fields["doc-id"] or "",
                int(props.get("x-paragraph", "0")),
                int(props.get("x-sentence", "0")),
                fields[source_lang] or "",
                fields[target_lang] or "",
            )
        )
        element.clear()  # keep memory flat on large files
    return segments
