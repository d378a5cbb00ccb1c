"""The small frozen records that flow between the pipeline stages.

Every sentence carries its ids (document, paragraph, sentence), so that the
aligner pairs a source with its translation by construction and never by
matching text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Document:
    """One input article, already decoded and normalised to NFC.

    Attributes:
        doc_id: Stable id: the path relative to the input folder, the file
            name, or the JSONL ``id`` field.
        paragraphs: The article's paragraphs, in order, none of them empty.
        source: Where the text came from (a path, ``path:LINE`` for JSONL, or
            ``-``), for error messages.
        output_path: Relative path (POSIX, no extension) under which the
            translated article is written, mirroring the input's layout.
        content_hash: SHA-256 of the document's text, to detect changed input.
        paragraph_break: How paragraphs are separated in the translated text.
    """

    doc_id: str
    paragraphs: tuple[str, ...]
    source: str
    output_path: str
    content_hash: str
    paragraph_break: str = "\n"

    def info(self) -> DocumentInfo:
        """What the writers need of the document besides its pairs."""
        return DocumentInfo(
            self.doc_id, self.output_path, self.paragraph_break, len(self.paragraphs)
        )


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """What a writer needs of a document besides its pairs (not its text).

    Attributes:
        doc_id: Document id.
        output_path: Relative path of the translated article (see :class:`Document`).
        paragraph_break: How paragraphs are separated in the translated text.
        paragraphs: Number of paragraphs.
    """

    doc_id: str
    output_path: str
    paragraph_break: str
    paragraphs: int


@dataclass(frozen=True, slots=True)
class DocumentFailure:
    """An input document that could not be read or translated.

    Attributes:
        doc_id: The id the document would have had.
        source: The file (or ``path:LINE``) it came from.
        reason: What went wrong and what to do about it.
    """

    doc_id: str
    source: str
    reason: str


@dataclass(frozen=True, slots=True)
class Span:
    """A sentence's character span ``[start, end)`` in its paragraph."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Sentence:
    """A source sentence with its position in the corpus."""

    doc_id: str
    paragraph: int
    index: int
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Pair:
    """A source sentence aligned with its translation.

    Attributes:
        doc_id: Document id.
        paragraph: Paragraph index in the document (0-based).
        sentence: Sentence index in the paragraph (0-based).
        source: The Vietnamese sentence, exactly as in the paragraph.
        target: Its English translation.
        start: Start of the source span in the paragraph.
        end: End of the source span in the paragraph.
    """

    doc_id: str
    paragraph: int
    sentence: int
    source: str
    target: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class TranslatedDocument:
    """A document with every one of its sentences translated, in order."""

    document: Document
    pairs: tuple[Pair, ...]

    def translated_paragraphs(self) -> list[str]:
        """The English paragraphs: each paragraph's translations joined by spaces."""
        paragraphs: list[list[str]] = [[] for _ in self.document.paragraphs]
        for pair in self.pairs:
            paragraphs[pair.paragraph].append(pair.target)
        return [" ".join(p for p in parts if p) for parts in paragraphs]

    def translated_text(self) -> str:
        """The translated article, with the source's paragraph structure."""
        return self.document.paragraph_break.join(self.translated_paragraphs()) + "\n"
