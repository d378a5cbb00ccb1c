"""Plain text: ``txt/<output_path>.txt``, each translated article, mirroring the input's layout.

CR and CRLF become LF. Each article is published as soon as its document is
added. A segment's target goes into the paragraph the segment sits in (its
first source sentence's), so an aligner's n:m links need nothing special.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from translate.errors import OutputError
from translate.fileio import AtomicFile
from translate.layout import CORPUS_STEM
from translate.records import AlignedSegment, DocumentInfo
from translate.writers.base import RunInfo, Writer


class TxtWriter(Writer):
    """``txt/<output_path>.txt``: each translated article, published as it is added."""

    name = "txt"

    def __init__(self, outdir: Path, run: RunInfo, *, stem: str = CORPUS_STEM) -> None:
        super().__init__(outdir, run, stem=stem)
        self._written: dict[Path, str] = {}
        self.published: list[AtomicFile] = []

    def add_pairs(self, document: DocumentInfo, pairs: Iterable[AlignedSegment]) -> None:
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


def _write_article(
    file: AtomicFile, document: DocumentInfo, pairs: Iterable[AlignedSegment]
) -> None:
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
