"""The small frozen records that flow between the pipeline stages.

Every sentence carries its ids (document, paragraph, sentence), so that the
aligner pairs a source with its translation by construction and never by
matching text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, fields
from typing import Any


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

#: What the translator flags in a machine translation, in the order a
#: :class:`Translation` lists them: ``split_long`` (the sentence was over the
#: model's input limit and was translated in pieces), ``hit_max_length``
#: (decoding of some piece stopped at the length cap: probably cut short),
#: ``redecoded`` (the first decoding repeated an n-gram in a loop and it was
#: decoded again with ``no_repeat_ngram_size``), ``loop`` (the final target
#: still repeats an n-gram in a loop). Other producers may add flags of their own.
FLAGS = ("split_long", "hit_max_length", "redecoded", "loop")


@dataclass(frozen=True, slots=True)
class Flag:
    """One reason to distrust a segment: the check that raised it, and why.

    Attributes:
        check: The check's name (a QA check such as ``numbers``, or a
            translator flag of :data:`FLAGS`).
        reason: A short reason for a person (``number 10.000 → 1,000``);
            may be empty.
    """

    check: str
    reason: str = ""

    def to_dict(self) -> dict[str, str]:
        """``{"check": ..., "reason": ...}``."""
        return {"check": self.check, "reason": self.reason}

    @classmethod
    def from_value(cls, value: object) -> Flag:
        """The flag a JSON value holds: ``{"check", "reason"}``, or a bare check name (0.3 parts).

        Raises:
            TypeError: The value is neither.
        """
        if isinstance(value, Flag):
            return value
        if isinstance(value, str):
            return cls(value)
        if (
            isinstance(value, Mapping)
            and set(value) <= {"check", "reason"}
            and isinstance(value.get("check"), str)
            and isinstance(value.get("reason", ""), str)
        ):
            return cls(value["check"], value.get("reason", ""))
        raise TypeError(f"a flag is {{'check': ..., 'reason': ...}}, not {value!r:.60}")


@dataclass(frozen=True, slots=True)
class Translation:
    """The translator's result for one sentence: the text and how it came about.

    Attributes:
        text: The translation.
        origin: ``mt`` (the model), ``memory`` (the translation memory) or
            ``copy`` (a letterless segment or a lone URL, copied); see :data:`ORIGINS`.
        flags: What looks wrong with it, in the order of :data:`FLAGS`. A
            memory hit has none: the memory keeps only the text.
        score: The model's score (:attr:`Hypothesis.score
            <translate.backends.base.Hypothesis.score>`) where the backend gives
            one; for a sentence translated in pieces, the mean of the pieces'
            scores, or ``None`` if one of them has none. Always ``None`` for
            ``memory`` and ``copy``.
    """

    text: str
    origin: str = "mt"
    flags: tuple[str, ...] = ()
    score: float | None = None


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
        flags: What looks wrong with the target, each :class:`Flag` with its
            check and reason.
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
    flags: tuple[Flag, ...] = ()

    @property
    def one_to_one(self) -> bool:
        """Whether the link pairs one source sentence with one target (the MT case)."""
        return self.source_count == 1 and len(self.target_ids) <= 1

    def to_dict(self) -> dict[str, Any]:
        """The segment as plain JSON values: every field, in the order of the fields.

        The first seven keys are those of the ``jsonl`` corpus file, in its order.
        """
        data: dict[str, Any] = {}
        for name in _FIELD_CHECKS:
            value = getattr(self, name)
            data[name] = list(value) if isinstance(value, tuple) else value
        data["flags"] = [flag.to_dict() for flag in self.flags]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AlignedSegment:
        """The segment that :meth:`to_dict` gave ``data``, checked field by field.

        The fields after ``end`` may be missing (a part or a ``jsonl`` line of
        0.2): they take their defaults, those of a 1:1 machine translation.

        Raises:
            TypeError: A field without default is missing, or a field has the wrong type.
            ValueError: An unknown field, a negative position or count, or an
                origin not in :data:`ORIGINS`.
        """
        unknown = sorted(set(data) - set(_FIELD_CHECKS))
        if unknown:
            raise ValueError(f"unknown segment field(s): {', '.join(map(repr, unknown))}")
        values: dict[str, Any] = {}
        for item in fields(cls):
            if item.name not in data:
                if item.default is MISSING:
                    raise TypeError(f"segment field {item.name!r} is missing")
                continue
            value = data[item.name]
            if not _FIELD_CHECKS[item.name](value):
                raise TypeError(f"segment field {item.name!r} has the wrong type ({value!r:.40})")
            values[item.name] = tuple(value) if isinstance(value, list) else value
        if "flags" in values:
            values["flags"] = tuple(Flag.from_value(flag) for flag in values["flags"])
        if "score" in values and values["score"] is not None:
            values["score"] = float(values["score"])
        numbers = [values[n] for n in ("paragraph", "sentence", "start", "end")]
        if min(*numbers, values.get("source_count", 1), *values.get("target_ids", ())) < 0:
            raise ValueError("segment positions and counts cannot be negative")
        if values.get("origin", "mt") not in ORIGINS:
            raise ValueError(f"segment origin {values['origin']!r} is not one of {ORIGINS}")
        return cls(**values)


def _count(value: object) -> bool:
    # JSON's true and false load as bool, a subclass of int: never a count.
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value: object) -> bool:
    return isinstance(value, str)


# The type check of each field of AlignedSegment, in field order (to_dict's key order).
_FIELD_CHECKS: dict[str, Callable[[object], bool]] = {
    "doc_id": _text,
    "paragraph": _count,
    "sentence": _count,
    "source": _text,
    "target": _text,
    "start": _count,
    "end": _count,
    "source_count": _count,
    "target_ids": lambda v: isinstance(v, list | tuple) and all(_count(i) for i in v),
    "origin": _text,
    "score": lambda v: v is None or _count(v) or isinstance(v, float),
    "flags": lambda v: (
        isinstance(v, list | tuple) and all(isinstance(f, str | Mapping | Flag) for f in v)
    ),
}


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
