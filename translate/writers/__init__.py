"""Write the aligned segments as bilingual corpora: TSV, Moses, JSONL, TMX, and plain text.

Each format is one module (its encoding, its streaming :class:`Writer`, its
read-back) and one row of the :data:`WRITERS` table, which feeds ``--format``
and the error listing the known formats. A writer streams: it keeps its
temporary files open and writes each document's segments as they arrive, so
the corpus is never held in memory. Nothing appears under a final name until
:meth:`Writer.commit` (or :func:`commit_writers` for several writers at once)
renames the finished files into place; :meth:`Writer.discard` throws the
temporary files away. A corpus file is therefore either complete or absent,
never a truncated file that looks complete. The library conveniences
(:func:`write_tsv`, :func:`write_moses`, :func:`write_jsonl`,
:func:`write_tmx`) are the same writers writing one list of segments.

No corpus file records a date or anything else that varies between runs, so a
run that was interrupted and resumed writes the same bytes as one that was not.
The run's settings are recorded in the TMX header and in the manifest.

Formats (details in each module):
    tsv (:mod:`~translate.writers.tsv`): ``corpus.tsv``, escaped
        ``source<TAB>target`` lines.
    moses (:mod:`~translate.writers.moses`): ``corpus.vi``, ``corpus.en``
        (the run's languages) and ``corpus.ids``, line-aligned.
    jsonl (:mod:`~translate.writers.jsonl`): ``corpus.jsonl``, one object per
        segment with its ids and source span.
    tmx (:mod:`~translate.writers.tmx`): ``corpus.tmx``, TMX 1.4b.
    txt (:mod:`~translate.writers.txt`): ``txt/<output_path>.txt``, each
        translated article.
    review (:mod:`~translate.writers.review`): ``review.html``, a
        self-contained page with each document's pairs side by side and the
        flagged pairs marked, for a person to review.
    links (:mod:`~translate.writers.links`): ``links/<output_path>.links``,
        each document pair's alignment in the vecalign format (``vi2en align``).

Segments of machine translation (one source sentence, no target ids) are
written exactly as in 0.1. Any other segment (the aligner's n:m links, see
:func:`~translate.writers.base.has_links`) also records its source count and
target ids in JSONL, TMX and Moses; TSV and TXT hold only the texts. JSONL
and TMX also record each segment's score (rounded to 4 decimals) and QA flags
(``score`` and ``flags`` on every JSONL line; ``x-vi2en-score`` and
``x-vi2en-flags`` props in TMX); TSV and Moses stay two clean columns. No
corpus format records a segment's origin (the review page shows it); read back, a segment has the defaults for
what its format does not store (and, from the formats that do not store it,
the whole source text as its span).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from translate.errors import UnknownNameError
from translate.layout import CORPUS_STEM
from translate.writers.base import CorpusWriter, RunInfo, Writer
from translate.writers.jsonl import JsonlWriter, read_jsonl, write_jsonl
from translate.writers.links import LinksWriter
from translate.writers.manifest import write_manifest
from translate.writers.moses import MosesWriter, read_moses, write_moses
from translate.writers.review import ReviewWriter
from translate.writers.tmx import TmxWriter, read_tmx, write_tmx
from translate.writers.tsv import TsvWriter, read_tsv, write_tsv
from translate.writers.txt import TxtWriter

__all__ = [
    "WRITERS",
    "CorpusWriter",
    "JsonlWriter",
    "LinksWriter",
    "MosesWriter",
    "ReviewWriter",
    "RunInfo",
    "TmxWriter",
    "TsvWriter",
    "TxtWriter",
    "Writer",
    "commit_writers",
    "open_writers",
    "parse_formats",
    "read_jsonl",
    "read_moses",
    "read_tmx",
    "read_tsv",
    "write_jsonl",
    "write_manifest",
    "write_moses",
    "write_tmx",
    "write_tsv",
]

#: Format name → writer class, in the order formats are listed.
WRITERS: dict[str, type[Writer]] = {
    writer.name: writer
    for writer in (
        JsonlWriter,
        MosesWriter,
        TmxWriter,
        TsvWriter,
        TxtWriter,
        ReviewWriter,
        LinksWriter,
    )
}


def parse_formats(values: Sequence[str], choices: Sequence[str] | None = None) -> list[str]:
    """Parse ``--format`` values: each may be a comma-separated list, and the option repeats.

    Names are stripped and lowercased; repeats are dropped, keeping the first
    occurrence's position; empty items (``"tsv,"``) are ignored.

    Args:
        values: The option's values.
        choices: The formats a command offers (default: every one of :data:`WRITERS`).

    Raises:
        UnknownNameError: A name is not among ``choices``.
    """
    allowed = list(WRITERS) if choices is None else list(choices)
    formats: list[str] = []
    for value in values:
        for item in value.split(","):
            name = item.strip().lower()
            if not name:
                continue
            if name not in allowed:
                raise UnknownNameError("format", item.strip(), allowed)
            if name not in formats:
                formats.append(name)
    return formats


def open_writers(
    formats: Sequence[str], outdir: Path, run: RunInfo, *, stem: str = CORPUS_STEM
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
