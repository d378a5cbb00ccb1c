r"""Moses: ``corpus.vi``, ``corpus.en`` and ``corpus.ids``, line-aligned, one segment per line.

The two text files are named after the run's languages (``RunInfo.source_lang``
and ``target_lang``). ``corpus.ids`` holds ``doc_id<TAB>paragraph<TAB>sentence``;
a segment with link fields (see :func:`~translate.writers.base.has_links`: an
aligner's 2:1, 1:2, 1:0, 0:1 links) adds two columns, ``source_count`` and its
target ids separated by spaces (empty when it has none), so that line reads
``doc_id<TAB>paragraph<TAB>sentence<TAB>2<TAB>4 5``. Texts and ids are escaped
as :mod:`translate.writers.escape` says; :func:`read_moses` reverses it all.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from translate.records import AlignedSegment
from translate.writers.base import (
    CorpusWriter,
    has_links,
    read_lines,
    segment_without_span,
    unrecorded_run,
)
from translate.writers.escape import escape, unescape


class MosesWriter(CorpusWriter):
    """``corpus.vi``, ``corpus.en`` and ``corpus.ids``: line-aligned, one segment per line."""

    name = "moses"

    def suffixes(self) -> tuple[str, ...]:
        """``.SOURCE_LANG``, ``.TARGET_LANG`` and ``.ids``."""
        return (f".{self.run.source_lang}", f".{self.run.target_lang}", ".ids")

    def encode(self, segment: AlignedSegment) -> tuple[str, str, str]:
        """The segment's line in each of the three files."""
        ids = f"{escape(segment.doc_id)}\t{segment.paragraph}\t{segment.sentence}"
        if has_links(segment):
            ids += f"\t{segment.source_count}\t{' '.join(map(str, segment.target_ids))}"
        return escape(segment.source) + "\n", escape(segment.target) + "\n", ids + "\n"


def write_moses(
    pairs: Iterable[AlignedSegment], stem: Path, source_lang: str = "vi", target_lang: str = "en"
) -> list[Path]:
    """Write ``pairs`` as line-aligned ``STEM.<source_lang>``, ``STEM.<target_lang>``, ``STEM.ids``.

    Returns:
        The three paths, in that order.

    Raises:
        OutputError: A file cannot be written; none of the three is published.
    """
    run = unrecorded_run(source_lang, target_lang)
    return MosesWriter(stem.parent, run, stem=stem.name).write_all(pairs)


def read_moses(
    stem: Path, source_lang: str = "vi", target_lang: str = "en"
) -> list[AlignedSegment]:
    """Read ``STEM.vi``, ``STEM.en`` and ``STEM.ids`` written by the ``moses`` writer.

    The files do not store the source span: it is the whole source text.

    Raises:
        ValueError: The files have different numbers of lines, or a line is malformed.
    """
    names = [
        stem.with_name(f"{stem.name}{suffix}")
        for suffix in (f".{source_lang}", f".{target_lang}", ".ids")
    ]
    columns = [[line for _, line in read_lines(path)] for path in names]
    if len({len(column) for column in columns}) != 1:
        counts = ", ".join(f"{path.name}: {len(c)}" for path, c in zip(names, columns, strict=True))
        raise ValueError(f"{stem}: the Moses files are not line-aligned ({counts})")
    segments = []
    for number, (source, target, ids) in enumerate(zip(*columns, strict=True), start=1):
        try:
            fields = ids.split("\t")
            if len(fields) not in (3, 5):
                raise ValueError(f"{len(fields)} tab-separated ids instead of 3 or 5")
            doc_id, paragraph, sentence, *links = fields
            count, targets = links or ("1", "")
            segment = segment_without_span(
                unescape(doc_id),
                int(paragraph),
                int(sentence),
                unescape(source),
                unescape(target),
                int(count),
                tuple(int(target_id) for target_id in targets.split()),
            )
        except ValueError as exc:
            raise ValueError(f"{stem}: line {number}: {exc}") from None
        segments.append(segment)
    return segments
