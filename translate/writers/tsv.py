r"""TSV: ``corpus.tsv``, ``source<TAB>target`` per segment, escaped so each is one line.

Texts are escaped as :mod:`translate.writers.escape` says, so every segment is
one line whatever splits the lines; :func:`read_tsv` reverses it exactly, and
so does ``field.encode("latin-1", "backslashreplace").decode("unicode_escape")``.
The file keeps only the two texts: a segment that joins several sentences (an
n:m link of the aligner) is one line holding the joined texts.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from translate.records import AlignedSegment
from translate.writers.base import CorpusWriter, read_lines, segment_without_span, unrecorded_run
from translate.writers.escape import escape, unescape


class TsvWriter(CorpusWriter):
    """``corpus.tsv``: ``source<TAB>target`` per segment, escaped so each segment is one line."""

    name = "tsv"

    def suffixes(self) -> tuple[str, ...]:
        """``.tsv``."""
        return (".tsv",)

    def encode(self, segment: AlignedSegment) -> tuple[str]:
        """The segment's line."""
        return (f"{escape(segment.source)}\t{escape(segment.target)}\n",)


def write_tsv(pairs: Iterable[AlignedSegment], path: Path) -> None:
    """Write ``pairs`` to ``path`` as escaped ``source<TAB>target`` lines (see :func:`read_tsv`).

    Raises:
        OutputError: The file cannot be written; ``path`` keeps what it held.
    """
    TsvWriter(path.parent, unrecorded_run(), stem=path.name, suffixes=("",)).write_all(pairs)


def read_tsv(path: Path) -> list[AlignedSegment]:
    """Read a file written by the ``tsv`` writer back into segments.

    TSV holds only the texts: the file reads as document ``""`` with one
    paragraph per line, each holding one sentence (``paragraph`` is the
    line's index from 0, ``sentence`` is 0, the span is the whole source).

    Raises:
        ValueError: A line does not have exactly two fields or holds an unknown escape.
    """
    segments = []
    for number, line in read_lines(path):
        fields = line.split("\t")
        try:
            if len(fields) != 2:
                raise ValueError(f"{len(fields)} tab-separated fields instead of 2")
            source, target = unescape(fields[0]), unescape(fields[1])
        except ValueError as exc:
            raise ValueError(f"{path}:{number}: {exc}") from None
        segments.append(segment_without_span("", number - 1, 0, source, target))
    return segments
