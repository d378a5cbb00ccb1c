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


#: How a segment's target was produced: by the model, from the translation
#: memory, copied from the source (numbers, URLs), or aligned from an existing
#: human translation.
ORIGINS = ("mt", "memory", "copy", "aligned")


@dataclass(frozen=True, slots=True)
class AlignedSegment:
    """One link of a document's alignment: consecutive source sentences and their target.

    Machine translation makes 1:1 segments (one source sentence, one
    translation); the aligner for existing translations also makes 1:2, 2:1,
    1:0 and 0:1 links. The source sentences of a link are identified as a
    range: the ``source_count`` sentences of the document that start at
    (``paragraph``, ``sentence``), in reading order.

    Attributes:
        doc_id: Document id.
        paragraph: Paragraph index of the first source sentence (0-based); for
            a link without source sentences, where it sits.
        sentence: Index of the first source sentence in its paragraph (0-based).
        source: The source sentences exactly as in the paragraph, joined by a
            space when there are several.
        target: The target text (several target sentences joined by a space).
        start: Start of the source span in the paragraph.
        end: End of the source span in the paragraph.
        source_count: How many source sentences the link holds (0 for a
            target-only link).
        target_ids: Sentence numbers of the target side (0-based, in document
            order) for aligned translations; empty for machine translation.
        origin: How the target was produced, one of :data:`ORIGINS`.
        score: A confidence where the producer gives one (the model's
            log-probability, the aligner's link score).
        flags: What looks wrong with the target (``loop``, ``split_long``,
            ``hit_max_length``, ...), in the order found.
    """

    doc_id: str
    paragraph: int
    sentence: int
    source: str
    target: str
    start: int
    end: int
    source_count: int = 1
    target_ids: tuple[int, ...] = ()
    origin: str = "mt"
    score: float | None = None
    flags: tuple[str, ...] = ()

    @property
    def one_to_one(self) -> bool:
        """Whether the link pairs one source sentence with one target (the MT case)."""
        return self.source_count == 1 and len(self.target_ids) <= 1


#: The name of 0.1 and 0.2, kept: a machine translation pair is a 1:1 segment.
Pair = AlignedSegment


@dataclass(frozen=True, slots=True)
class TranslatedDocument:
    """A document with every one of its sentences translated, in order."""

    document: Document
    pairs: tuple[AlignedSegment, ...]

    def translated_paragraphs(self) -> list[str]:
        """The English paragraphs: each paragraph's translations joined by spaces."""
        paragraphs: list[list[str]] = [[] for _ in self.document.paragraphs]
        for pair in self.pairs:
            paragraphs[pair.paragraph].append(pair.target)
        return [" ".join(p for p in parts if p) for parts in paragraphs]

    def translated_text(self) -> str:
        """The translated article, with the source's paragraph structure."""
        return self.document.paragraph_break.join(self.translated_paragraphs()) + "\n"
