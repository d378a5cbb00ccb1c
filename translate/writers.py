"""Write the aligned pairs as bilingual corpora: TSV, Moses, JSONL, TMX, and plain text.

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
    tsv: ``corpus.tsv``, ``source<TAB>target`` per pair. Backslash, tab, LF and
        CR are escaped as ``\\\\``, ``\\t``, ``\\n``, ``\\r``, so every pair is
        one line; :func:`read_tsv` reverses it exactly.
    moses: ``corpus.vi``, ``corpus.en`` and ``corpus.ids`` (``doc_id<TAB>
        paragraph<TAB>sentence``), line-aligned. Moses files hold one segment
        per line, so every line break inside a text (LF, CR, and the other
        characters ``str.splitlines`` splits on) is replaced by a space; the
        doc id is escaped as in TSV.
    jsonl: ``corpus.jsonl``, one JSON object per pair with the keys doc_id,
        paragraph, sentence, source, target, start, end. Text is written as
        is (``ensure_ascii=False``), except that U+0085, U+2028 and U+2029
        are escaped so that any line splitter sees one record per line.
    tmx: ``corpus.tmx``, TMX 1.4b with one ``<tu>`` per pair. Characters that
        XML 1.0 forbids (control characters other than tab, LF and CR,
        U+FFFE, U+FFFF, lone surrogates) are removed.
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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import ClassVar

from translate.errors import OutputError, UnknownNameError
from translate.fileio import AtomicFile, atomic_write
from translate.records import Pair, TranslatedDocument


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

_TSV_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
_TSV_ESCAPE_SEQUENCE = re.compile(r"\\(.?)", re.DOTALL)


def _tsv_escape(text: str) -> str:
    # Chained replace() is ten times faster than str.translate() on non-ASCII text.
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _tsv_unescape(field: str) -> str:
    def unescape(match: re.Match[str]) -> str:
        try:
            return _TSV_UNESCAPES[match.group(1)]
        except KeyError:
            raise ValueError(f"invalid escape {match.group(0)!r}") from None

    return _TSV_ESCAPE_SEQUENCE.sub(unescape, field)


def _tsv_line(pair: Pair) -> str:
    return f"{_tsv_escape(pair.source)}\t{_tsv_escape(pair.target)}\n"


# Every character str.splitlines() breaks on, so no tool splitting lines can
# shift one Moses file against the others.
_LINE_BREAK = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def _moses_lines(pair: Pair) -> tuple[str, str, str]:
    return (
        _LINE_BREAK.sub(" ", pair.source) + "\n",
        _LINE_BREAK.sub(" ", pair.target) + "\n",
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


def _xml_text(text: str) -> str:
    text = _XML_FORBIDDEN.sub("", text)
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
    return (
        "    <tu>\n"
        + _tmx_prop("x-doc-id", pair.doc_id, "      ")
        + _tmx_prop("x-paragraph", str(pair.paragraph), "      ")
        + _tmx_prop("x-sentence", str(pair.sentence), "      ")
        + f'      <tuv xml:lang="{_xml_attribute(run.source_lang)}">'
        f"<seg>{_xml_text(pair.source)}</seg></tuv>\n"
        f'      <tuv xml:lang="{_xml_attribute(run.target_lang)}">'
        f"<seg>{_xml_text(pair.target)}</seg></tuv>\n"
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

    @abstractmethod
    def add(self, document: TranslatedDocument) -> None:
        """Write one document's pairs. Called once per document, in corpus order.

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

    def add(self, document: TranslatedDocument) -> None:
        """Write the document's pairs, one line each."""
        self._out.write("".join(_tsv_line(pair) for pair in document.pairs))


class MosesWriter(Writer):
    """``corpus.vi``, ``corpus.en`` and ``corpus.ids``: line-aligned, one segment per line."""

    name = "moses"

    def __init__(self, outdir: Path, run: RunInfo, *, stem: str = "corpus") -> None:
        super().__init__(outdir, run, stem=stem)
        self._source = self._open(f".{run.source_lang}")
        self._target = self._open(f".{run.target_lang}")
        self._ids = self._open(".ids")

    def add(self, document: TranslatedDocument) -> None:
        """Write the document's pairs, one line in each of the three files."""
        lines = [_moses_lines(pair) for pair in document.pairs]
        self._source.write("".join(line[0] for line in lines))
        self._target.write("".join(line[1] for line in lines))
        self._ids.write("".join(line[2] for line in lines))


class JsonlWriter(Writer):
    """``corpus.jsonl``: one JSON object per pair, with its ids and source span."""

    name = "jsonl"

    def __init__(self, outdir: Path, run: RunInfo, *, stem: str = "corpus") -> None:
        super().__init__(outdir, run, stem=stem)
        self._out = self._open(".jsonl")

    def add(self, document: TranslatedDocument) -> None:
        """Write the document's pairs, one object per line."""
        self._out.write("".join(_jsonl_line(pair) for pair in document.pairs))


class TmxWriter(Writer):
    """``corpus.tmx``: TMX 1.4b, one ``<tu>`` per pair, model recorded in the header."""

    name = "tmx"

    def __init__(self, outdir: Path, run: RunInfo, *, stem: str = "corpus") -> None:
        super().__init__(outdir, run, stem=stem)
        self._out = self._open(".tmx")
        self._out.write(_tmx_head(run))

    def add(self, document: TranslatedDocument) -> None:
        """Write one ``<tu>`` per pair."""
        self._out.write("".join(_tmx_unit(pair, self.run) for pair in document.pairs))

    def _write_tail(self) -> None:
        self._out.write(_TMX_TAIL)


class TxtWriter(Writer):
    """``txt/<output_path>.txt``: each translated article, published as it is added."""

    name = "txt"

    def __init__(self, outdir: Path, run: RunInfo, *, stem: str = "corpus") -> None:
        super().__init__(outdir, run, stem=stem)
        self._written: dict[Path, str] = {}
        self.published: list[AtomicFile] = []

    def add(self, document: TranslatedDocument) -> None:
        """Write the translated article atomically under its mirrored path.

        Raises:
            OutputError: The article cannot be written, its output path leaves
                the output directory, or another document was already written
                to the same path.
        """
        doc = document.document
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
        # Plain text gets LF line ends, like every other output.
        text = document.translated_text().replace("\r\n", "\n").replace("\r", "\n")
        file = AtomicFile(path)
        try:
            file.write(text)
            file.publish()
        except BaseException:
            file.discard()
            raise
        self._written[path] = doc.doc_id
        self.published.append(file)

    def commit(self) -> list[Path]:
        """Return the articles written; each was already published by :meth:`add`."""
        return list(self._written)


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


def read_tmx(path: Path, source_lang: str = "vi", target_lang: str = "en") -> list[tuple[str, str]]:
    """Read the ``(source, target)`` segments of each ``<tu>`` in a TMX file.

    Args:
        path: A TMX file, such as one written by the ``tmx`` writer.
        source_lang: The ``xml:lang`` of the source ``<tuv>``.
        target_lang: The ``xml:lang`` of the target ``<tuv>``.

    Raises:
        ValueError: A ``<tu>`` lacks one of the two languages.
    """
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    pairs = []
    for _, element in ElementTree.iterparse(path):
        if element.tag != "tu":
            continue
        segments = {tuv.get(lang): tuv.findtext("seg", "") for tuv in element.iter("tuv")}
        if source_lang not in segments or target_lang not in segments:
            raise ValueError(f"{path}: a <tu> lacks a {source_lang!r} or {target_lang!r} <tuv>")
        pairs.append((segments[source_lang], segments[target_lang]))
        element.clear()  # keep memory flat on large files
    return pairs
