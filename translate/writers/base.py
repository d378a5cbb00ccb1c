"""What every writer shares: the run record, the :class:`Writer` protocol, atomic publishing.

A writer streams: it keeps its temporary files open and writes each document's
segments as they arrive, so the corpus is never held in memory. Nothing
appears under a final name until :meth:`Writer.commit` renames the finished
files into place; :meth:`Writer.discard` throws the temporary files away.
"""

from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from translate.fileio import AtomicFile
from translate.layout import CORPUS_STEM
from translate.records import AlignedSegment, DocumentInfo, Flag, TranslatedDocument

#: Decimals of a score in the outputs: enough to rank pairs, and the same
#: whatever batch the sentence was decoded in (the last float digits are not).
SCORE_DECIMALS = 4


def output_score(score: float | None) -> float | None:
    """A segment's score as the outputs write it: rounded to :data:`SCORE_DECIMALS`."""
    return None if score is None else round(score, SCORE_DECIMALS)


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


def unrecorded_run(source_lang: str = "vi", target_lang: str = "en") -> RunInfo:
    """The run of a file written by a library convenience for a format that records no run."""
    return RunInfo(
        tool_version="",
        model="",
        model_revision=None,
        source_lang=source_lang,
        target_lang=target_lang,
    )


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

    def __init__(self, outdir: Path, run: RunInfo, *, stem: str = CORPUS_STEM) -> None:
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
        """Write one document's segments. Called once per document, in corpus order.

        Raises:
            OutputError: The write failed; call :meth:`discard`.
        """
        self.add_pairs(document.document.info(), document.pairs)

    @abstractmethod
    def add_pairs(self, document: DocumentInfo, pairs: Iterable[AlignedSegment]) -> None:
        """Write one document's segments as they come (in paragraph order), never holding them all.

        Called once per document, in corpus order.

        Raises:
            OutputError: The write failed; call :meth:`discard`.
        """

    def _write_tail(self) -> None:  # noqa: B027 - an optional hook, empty for most formats
        """Write whatever closes the format (e.g. the TMX end tags) before publishing."""

    def finish(self) -> None:
        """Complete the temporary files and flush them to disk, without publishing them.

        Called by :meth:`commit`; calling it first (as
        :func:`~translate.writers.commit_writers` does) is harmless.

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


class CorpusWriter(Writer):
    """A format whose files hold one line (or element) per segment, published on commit.

    Document boundaries do not show in these files: each segment carries its
    document id. A subclass names its files (:meth:`suffixes`) and encodes one
    segment as one piece of text per file (:meth:`encode`).

    Args:
        outdir: The output directory (created if missing).
        run: The run's settings, for formats that record them.
        stem: The corpus files' name without extension.
        suffixes: The files' names after ``stem``, instead of the format's
            own; the library conveniences pass ``("",)`` to write exactly
            ``OUTDIR/STEM``.

    Raises:
        OutputError: A temporary file cannot be created.
    """

    def __init__(
        self,
        outdir: Path,
        run: RunInfo,
        *,
        stem: str = CORPUS_STEM,
        suffixes: Sequence[str] | None = None,
    ) -> None:
        super().__init__(outdir, run, stem=stem)
        own = self.suffixes()
        names = own if suffixes is None else tuple(suffixes)
        if len(names) != len(own):
            raise ValueError(
                f"the {self.name} writer writes {len(own)} files; pass {len(own)} suffixes, "
                f"not {len(names)}"
            )
        self._outs = [self._open(suffix) for suffix in names]

    @abstractmethod
    def suffixes(self) -> tuple[str, ...]:
        """The format's files, as suffixes of the stem (``.tsv``), in commit order."""

    @abstractmethod
    def encode(self, segment: AlignedSegment) -> tuple[str, ...]:
        """The text one segment adds to each file, in the order of :meth:`suffixes`."""

    def add_pairs(self, document: DocumentInfo, pairs: Iterable[AlignedSegment]) -> None:
        """Write the document's segments: one piece of text in each file per segment."""
        self.write_segments(pairs)

    def write_segments(self, segments: Iterable[AlignedSegment]) -> None:
        """Write segments of any documents, in corpus order, never holding them all.

        Raises:
            OutputError: The write failed; call :meth:`discard`.
        """
        for chunk in _chunks(segments):
            encoded = [self.encode(segment) for segment in chunk]
            for index, out in enumerate(self._outs):
                out.write("".join(pieces[index] for pieces in encoded))

    def write_all(self, segments: Iterable[AlignedSegment]) -> list[Path]:
        """Write ``segments`` and publish the files (the library conveniences' one call).

        Returns:
            The files published, in the order of :meth:`suffixes`.

        Raises:
            OutputError: A file cannot be written; no temporary file is left behind.
        """
        try:
            self.write_segments(segments)
        except BaseException:
            self.discard()
            raise
        return self.commit()


def _chunks(
    segments: Iterable[AlignedSegment], size: int = 1024
) -> Iterator[tuple[AlignedSegment, ...]]:
    iterator = iter(segments)
    while chunk := tuple(itertools.islice(iterator, size)):
        yield chunk


def read_lines(path: Path) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` for each LF-terminated line of a UTF-8 file, the LF removed."""
    # newline="\n": only LF ends a line; a CR or U+2028 inside a text stays in it.
    with path.open(encoding="utf-8", newline="\n") as file:
        for number, line in enumerate(file, start=1):
            yield number, line.removesuffix("\n")


def has_links(segment: AlignedSegment) -> bool:
    """Whether a segment needs its link fields written (``source_count``, ``target_ids``).

    Machine translation makes segments of one source sentence and no target
    ids; the formats write those exactly as 0.1 did. Any other segment (from
    the aligner: 1:2, 2:1, 1:0, 0:1, or a 1:1 link naming its target sentence)
    also gets its source count and target ids, so that it reads back whole.
    """
    return segment.source_count != 1 or bool(segment.target_ids)


def segment_without_span(
    doc_id: str,
    paragraph: int,
    sentence: int,
    source: str,
    target: str,
    source_count: int = 1,
    target_ids: tuple[int, ...] = (),
    score: float | None = None,
    flags: tuple[Flag, ...] = (),
) -> AlignedSegment:
    """A segment read back from a format that does not store its source span.

    The span is then the source text's own, ``[0, len(source))``; the origin
    keeps its default (no format stores it).
    """
    return AlignedSegment(
        doc_id,
        paragraph,
        sentence,
        source,
        target,
        0,
        len(source),
        source_count=source_count,
        target_ids=target_ids,
        score=score,
        flags=flags,
    )
