"""JSONL: ``corpus.jsonl``, one JSON object per segment, with its ids and source span.

Every object has the keys doc_id, paragraph, sentence, source, target, start,
end, in that order. A segment with link fields (see
:func:`~translate.writers.base.has_links`: an aligner's 2:1, 1:2, 1:0, 0:1
links) adds ``source_count`` (an integer), ``target_ids`` (a list of
integers) and ``link`` (its kind, ``"2-1"``: source and target sentences)
after them (so does every segment of origin ``aligned``, 1:0 links
included); machine translation never does. Every object then ends
with ``score`` (the model's length-normalised log-probability, or the
aligner's link score, rounded to 4 decimals, or null) and ``flags`` (a list
of ``{"check", "reason"}``, empty when no QA check found anything). Text is written as is
(``ensure_ascii=False``), except that U+0085, U+2028 and U+2029 are escaped so
that any line splitter sees one record per line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from translate.records import AlignedSegment
from translate.writers.base import (
    CorpusWriter,
    has_links,
    output_score,
    read_lines,
    unrecorded_run,
)


class JsonlWriter(CorpusWriter):
    """``corpus.jsonl``: one JSON object per segment, with its ids and source span."""

    name = "jsonl"

    def suffixes(self) -> tuple[str, ...]:
        """``.jsonl``."""
        return (".jsonl",)

    def encode(self, segment: AlignedSegment) -> tuple[str]:
        """The segment's line."""
        record: dict[str, Any] = {
            "doc_id": segment.doc_id,
            "paragraph": segment.paragraph,
            "sentence": segment.sentence,
            "source": segment.source,
            "target": segment.target,
            "start": segment.start,
            "end": segment.end,
        }
        # An aligner's 1:0 link has no target ids, but it is a link all the same.
        if has_links(segment) or segment.origin == "aligned":
            record["source_count"] = segment.source_count
            record["target_ids"] = list(segment.target_ids)
            record["link"] = f"{segment.source_count}-{len(segment.target_ids)}"
        record["score"] = output_score(segment.score)
        record["flags"] = [flag.to_dict() for flag in segment.flags]
        line = json.dumps(record, ensure_ascii=False)
        # JSON may hold these three raw, but a tool splitting lines with
        # str.splitlines() would cut the record; escaped, they mean the same.
        return (
            line.replace("\x85", "\\u0085")
            .replace("\u2028", "\\u2028")
            .replace("\u2029", "\\u2029")
            + "\n",
        )


def write_jsonl(pairs: Iterable[AlignedSegment], path: Path) -> None:
    """Write ``pairs`` to ``path`` as one JSON object per line (see :func:`read_jsonl`).

    Raises:
        OutputError: The file cannot be written; ``path`` keeps what it held.
    """
    JsonlWriter(path.parent, unrecorded_run(), stem=path.name, suffixes=("",)).write_all(pairs)


def segment_from_record(record: dict[str, Any], *, link_origin: str = "mt") -> AlignedSegment:
    """The segment of one ``corpus.jsonl`` object, as this writer wrote it.

    An aligner's line has a ``link`` key (its kind, which the counts give); the
    line holds no origin: such a segment gets ``link_origin`` (the default
    origin, as the other formats read back; ``aligned`` for the review page).

    Raises:
        ValueError: A key :class:`AlignedSegment` does not have, or a ``link``
            that is not the kind the line's counts make.
        TypeError: A key is missing or a value has the wrong type.
    """
    fields = dict(record)
    link = fields.pop("link", None)
    if link is None:
        return AlignedSegment.from_dict(fields)
    fields.setdefault("origin", link_origin)
    segment = AlignedSegment.from_dict(fields)
    kind = f"{segment.source_count}-{len(segment.target_ids)}"
    if link != kind:
        raise ValueError(f"segment field 'link' is {link!r}, but its counts make {kind!r}")
    return segment


def read_jsonl(path: Path) -> list[AlignedSegment]:
    """Read a file written by the ``jsonl`` writer back into segments (JSON lists as tuples).

    Lines written before QA (no ``score``, no ``flags``) read with their defaults.

    Raises:
        ValueError: A line is not JSON, or has a key :class:`AlignedSegment` does not.
        TypeError: An object lacks a key or a value has the wrong type.
    """
    segments = []
    for _, line in read_lines(path):
        record = json.loads(line)
        if not isinstance(record, dict):
            raise TypeError(f"{path}: a line is not a JSON object")
        segments.append(segment_from_record(record))
    return segments
