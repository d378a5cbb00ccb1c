"""Links: ``links/<output_path>.links``, each document pair's alignment in the vecalign format.

One line per link, in order, every sentence of both sides in exactly one
link: ``[0]:[0]``, ``[1, 2]:[1]`` (two Vietnamese sentences, one English),
``[3]:[]`` (a Vietnamese sentence left unaligned), ``[]:[4]``. The numbers
are the sentences' positions in their document (0-based, across paragraphs),
which with ``--presegmented`` input without blank lines are the line numbers:
the format of ``shared/tools/align_score.py`` and of Vecalign's own output.
Each file is published as soon as its document is added, like the ``txt``
articles.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from translate.errors import OutputError
from translate.fileio import AtomicFile
from translate.layout import CORPUS_STEM, LINKS_DIR, LINKS_SUFFIX
from translate.records import AlignedSegment, DocumentInfo
from translate.writers.base import RunInfo, Writer


def link_line(source: Iterable[int], target: Iterable[int]) -> str:
    """One link in the vecalign format: ``[1, 2]:[1]``."""
    return f"{list(source)}:{list(target)}"


class LinksWriter(Writer):
    """``links/<output_path>.links``: each document's links, published as it is added."""

    name = "links"

    def __init__(self, outdir: Path, run: RunInfo, *, stem: str = CORPUS_STEM) -> None:
        super().__init__(outdir, run, stem=stem)
        self._written: dict[Path, str] = {}
        self.published: list[AtomicFile] = []

    def add_pairs(self, document: DocumentInfo, pairs: Iterable[AlignedSegment]) -> None:
        """Write the document's links atomically under its output path.

        Raises:
            OutputError: The file cannot be written, its output path leaves
                the output directory, or another document was already
                written to the same path.
        """
        relative = PurePosixPath(document.output_path)
        if not document.output_path or relative.is_absolute() or ".." in relative.parts:
            raise OutputError(
                f"cannot write the links of {document.doc_id!r}: its output path "
                f"{document.output_path!r} is not inside the output directory"
            )
        path = self.outdir / LINKS_DIR / relative.with_name(relative.name + LINKS_SUFFIX)
        if path in self._written:
            raise OutputError(
                f"documents {self._written[path]!r} and {document.doc_id!r} would both be "
                f"written to {path}; rename one of the inputs"
            )
        file = AtomicFile(path)
        try:
            source = 0
            for pair in pairs:
                ids = range(source, source + pair.source_count)
                source += pair.source_count
                file.write(link_line(ids, pair.target_ids) + "\n")
            file.publish()
        except BaseException:
            file.discard()
            raise
        self._written[path] = document.doc_id
        self.published.append(file)

    def commit(self) -> list[Path]:
        """Return the files written; each was already published by :meth:`add_pairs`."""
        return list(self._written)
