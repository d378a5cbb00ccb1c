"""Align existing translations: document pairs in, n:m aligned segments out (``vi2en align``).

:class:`AlignPipeline` has the interface the :class:`~translate.job.Job` runs
(``translate_documents``, ``settings``, ``describe``, ``raise_if_stopped``,
``stats``), so an alignment run is resumable by document, isolates a bad pair
as its failure, shows the progress bar and writes the manifest exactly as
``vi2en translate`` does. For each :class:`~translate.readers.pairs.DocumentPair`
the Vietnamese side is segmented by :mod:`translate.segment`, the English side
by :func:`~translate.english.split_english` (or both are taken as given,
``presegmented``), :func:`~translate.align.align_sentences` links them, and each
link becomes an :class:`~translate.records.AlignedSegment` (origin
``aligned``, the link's score, its source count and target ids), checked by
:func:`~translate.pipeline.aligned_document`. With a translation pipeline
(``--mt``), every Vietnamese sentence is machine-translated first (memory and
batching included) and the aligner compares the translations with the English.

:class:`CorpusSelection` decides which segments the corpus files hold: links
below ``min_score`` and links with an empty side (1-0, 0-1) stay out of TSV,
Moses and TMX; JSONL also lists the unaligned sentences; the ``links`` files
hold every link. The manifest counts each kind.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from translate import align
from translate.english import english_splitter_version, split_english_spans
from translate.pipeline import (
    DocumentResult,
    Pipeline,
    _describe,
    _document_error,
    aligned_document,
)
from translate.qa import CHECKS, QA_VERSION, check_pair
from translate.readers.pairs import DocumentPair
from translate.records import AlignedSegment, Document, DocumentFailure, Sentence, Span
from translate.segment import SEGMENTER_VERSION, Segmenter
from translate.translator import ProgressCallback, TranslationStats

__all__ = ["AlignPipeline", "CorpusSelection", "link_segments"]

logger = logging.getLogger(__name__)

#: The formats that list the unaligned sentences (1-0, 0-1) beside the pairs (the review
#: page too: a person checking an alignment needs to see what was left unpaired).
LISTS_UNALIGNED = frozenset({"jsonl", "links", "review"})
#: The formats that hold every link, whatever its score.
HOLDS_EVERY_LINK = frozenset({"links"})


def _sentences_of(
    doc_id: str,
    paragraphs: Sequence[str],
    spans: Sequence[Sequence[Span]] | None,
    split: Callable[[str], list[Span]],
) -> list[Sentence]:
    """The sentences of one side: the given spans (presegmented), or ``split``'s."""
    sentences = []
    for number, paragraph in enumerate(paragraphs):
        found = spans[number] if spans is not None else split(paragraph)
        for index, span in enumerate(found):
            text = paragraph[span.start : span.end]
            sentences.append(Sentence(doc_id, number, index, text, span.start, span.end))
    return sentences


def link_segments(
    doc_id: str,
    source: Sequence[Sentence],
    target: Sequence[str],
    links: Iterable[align.Link],
) -> list[AlignedSegment]:
    """The aligned segments of ``links`` between ``source`` sentences and ``target`` texts.

    A link without source sentences (0-1) sits before the next source
    sentence (after the last one at the end), with an empty source and span.
    """
    segments = []
    cursor = 0  # source sentences taken so far
    for link in links:
        text = " ".join(target[j] for j in link.target)
        if link.source:
            held = [source[i] for i in link.source]
            first = held[0]
            segments.append(
                AlignedSegment(
                    doc_id,
                    first.paragraph,
                    first.index,
                    " ".join(s.text for s in held),
                    text,
                    first.start,
                    held[-1].end,
                    source_count=len(held),
                    target_ids=link.target,
                    origin="aligned",
                    score=link.score,
                )
            )
            cursor += len(held)
            continue
        if cursor < len(source):
            nxt = source[cursor]
            paragraph, sentence, offset = nxt.paragraph, nxt.index, nxt.start
        elif source:
            last = source[-1]
            paragraph, sentence, offset = last.paragraph, last.index + 1, last.end
        else:
            paragraph, sentence, offset = 0, 0, 0
        segments.append(
            AlignedSegment(
                doc_id,
                paragraph,
                sentence,
                "",
                text,
                offset,
                offset,
                source_count=0,
                target_ids=link.target,
                origin="aligned",
                score=link.score,
            )
        )
    return segments


@dataclass
class AlignPipeline:
    """Segment both sides of each document pair, align them, and make n:m segments.

    Args:
        abbreviations: Extra Vietnamese abbreviations for the segmenter.
        translation: A translation pipeline (``--mt``): each Vietnamese
            sentence is translated and the aligner compares the
            translations with the English; ``None`` aligns without a model.
        presegmented: The pairs' sentences are given (one per line); the
            recorded setting only, the spans come with each pair.
        min_score: Links scored below it stay out of the corpus files
            (:class:`CorpusSelection`); recorded in the settings.
        window_sentences: With ``translation``, the Vietnamese sentences
            translated together (across documents) before the documents are
            aligned.
        qa_checks: The QA checks (:data:`translate.qa.CHECKS` names) run on
            every link with both sides; its flags go on the segment.
    """

    abbreviations: tuple[str, ...] = ()
    translation: Pipeline | None = None
    presegmented: bool = False
    min_score: float | None = None
    window_sentences: int = 4096
    qa_checks: tuple[str, ...] = tuple(CHECKS)
    _stats: TranslationStats = field(default_factory=TranslationStats, init=False, repr=False)
    _check_stop: Callable[[], None] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.segmenter = Segmenter(self.abbreviations)

    @property
    def check_stop(self) -> Callable[[], None] | None:
        """Called before each document (and batch, with ``--mt``); raises to stop."""
        return self._check_stop

    @check_stop.setter
    def check_stop(self, check: Callable[[], None] | None) -> None:
        self._check_stop = check
        if self.translation is not None:
            # One stop flag for both: the translator checks it before each batch.
            self.translation.check_stop = check

    @property
    def checks(self) -> tuple[str, ...]:
        """The QA checks run on each link, in :data:`translate.qa.CHECKS` order."""
        return tuple(name for name in CHECKS if name in self.qa_checks)

    @property
    def stats(self) -> TranslationStats:
        """The translator's counts with ``--mt``; all zero without a model."""
        return self.translation.stats if self.translation is not None else self._stats

    def raise_if_stopped(self) -> None:
        """Raise :class:`~translate.errors.Interrupted` if a stop was requested."""
        if self.check_stop is not None:
            self.check_stop()

    def settings(self) -> dict[str, Any]:
        """The record a run's manifest holds and a resumed run must match."""
        return {
            "command": "align",
            "aligner": align.ALIGNER_VERSION,
            "english_splitter": english_splitter_version(),
            "segmenter": SEGMENTER_VERSION,
            "abbreviations": list(self.abbreviations),
            "presegmented": self.presegmented,
            "min_score": self.min_score,
            "mt": None if self.translation is None else self.translation.settings(),
            "qa": list(self.checks),
            "qa_version": QA_VERSION,
        }

    def describe(self) -> dict[str, Any]:
        """The translation model and backend (``--mt``), or ``None`` for each without one."""
        if self.translation is None:
            return {"name": None, "revision": None, "fingerprint": None, "backend": None}
        return self.translation.describe()

    def translate_documents(
        self,
        documents: Iterable[Document | DocumentFailure],
        *,
        progress: ProgressCallback | None = None,
        window_started: Callable[[int, int], None] | None = None,
    ) -> Iterator[DocumentResult]:
        """Align a stream of document pairs, yielding results in input order.

        Args:
            documents: Pairs, and failures from reading, which pass through.
            progress: Called with numbers of Vietnamese sentences as they are done.
            window_started: Called with the numbers of documents and sentences
                of each window before it is translated (``--mt``) or aligned.

        Yields:
            A :class:`~translate.records.TranslatedDocument` of n:m segments,
            or a :class:`~translate.records.DocumentFailure` for a pair that
            could not be segmented, translated or aligned.
        """
        window: list[DocumentFailure | _Sides] = []
        size = 0
        for item in documents:
            entry: DocumentFailure | _Sides
            if isinstance(item, DocumentPair):
                try:
                    entry = self._sides(item)
                except Exception as exc:  # one pair's text must not end the run
                    if not _document_error(exc):
                        raise
                    reason = f"cannot be split into sentences: {_describe(exc)}"
                    entry = DocumentFailure(item.doc_id, item.source, reason)
            elif isinstance(item, Document):
                reason = "not a document pair; vi2en align reads pairs"
                entry = DocumentFailure(item.doc_id, item.source, reason)
            else:
                entry = item
            size += max(1, len(entry.source) if isinstance(entry, _Sides) else 0)
            window.append(entry)
            if size >= self.window_sentences or self.translation is None:
                yield from self._align_window(window, progress, window_started)
                window, size = [], 0
        yield from self._align_window(window, progress, window_started)

    def _sides(self, pair: DocumentPair) -> _Sides:
        source = _sentences_of(
            pair.doc_id, pair.paragraphs, pair.source_spans, self.segmenter.split
        )
        target = _sentences_of(
            pair.doc_id, pair.target_paragraphs, pair.target_spans, split_english_spans
        )
        return _Sides(pair, source, target)

    def _align_window(
        self,
        window: list[DocumentFailure | _Sides],
        progress: ProgressCallback | None,
        window_started: Callable[[int, int], None] | None,
    ) -> Iterator[DocumentResult]:
        if not window:
            return
        ready = [entry for entry in window if isinstance(entry, _Sides)]
        sentences = [s for entry in ready for s in entry.source]
        if window_started is not None:
            window_started(len(window), len(sentences))
        translations: Iterator[str] | None = None
        if self.translation is not None and sentences:
            try:
                done = self.translation.translator.translate_detailed(
                    [s.text for s in sentences], progress, [s.doc_id for s in sentences]
                )
            except Exception as exc:
                if not _document_error(exc):
                    raise
                # One bad batch must not sink the window: retry pair by pair.
                logger.warning("a batch failed (%s); retrying its pairs one by one", _describe(exc))
                yield from self._one_by_one(window, progress)
                return
            translations = iter([t.text for t in done])
        del sentences
        for entry in window:
            if isinstance(entry, DocumentFailure):
                yield entry
                continue
            mt = None if translations is None else [next(translations) for _ in entry.source]
            yield self._aligned(entry, mt)
            if self.translation is None and progress is not None:
                progress(len(entry.source))

    def _one_by_one(
        self, window: list[DocumentFailure | _Sides], progress: ProgressCallback | None
    ) -> Iterator[DocumentResult]:
        """After a failed batch: each pair translated alone, a failing one its own failure."""
        assert self.translation is not None
        for entry in window:
            if isinstance(entry, DocumentFailure):
                yield entry
                continue
            pair = entry.pair
            texts = [s.text for s in entry.source]
            try:
                done = self.translation.translator.translate_detailed(
                    texts, progress, [pair.doc_id] * len(texts)
                )
            except Exception as exc:
                if not _document_error(exc):
                    raise
                yield DocumentFailure(
                    pair.doc_id, pair.source, f"translation failed: {_describe(exc)}"
                )
                continue
            yield self._aligned(entry, [t.text for t in done])

    def _aligned(self, sides: _Sides, translations: Sequence[str] | None) -> DocumentResult:
        pair = sides.pair
        target = [s.text for s in sides.target]
        try:
            links = align.align_sentences(
                [s.text for s in sides.source],
                target,
                translations=translations,
                source_paragraphs=[s.paragraph for s in sides.source],
                target_paragraphs=[s.paragraph for s in sides.target],
            )
            segments = [
                _checked(segment, self.checks)
                for segment in link_segments(pair.doc_id, sides.source, target, links)
            ]
            return aligned_document(pair, sides.source, segments)
        except Exception as exc:
            if not _document_error(exc):
                raise
            return DocumentFailure(pair.doc_id, pair.source, f"cannot be aligned: {_describe(exc)}")


def _checked(segment: AlignedSegment, checks: tuple[str, ...]) -> AlignedSegment:
    """``segment`` with the flags of the QA ``checks`` on its two sides (none for a 1-0 or 0-1)."""
    if not checks or not segment.source or not segment.target:
        return segment
    return replace(segment, flags=check_pair(segment.source, segment.target, checks=checks))


@dataclass(frozen=True)
class _Sides:
    """A pair with the sentences of both sides, ready to be aligned."""

    pair: DocumentPair
    source: list[Sentence]
    target: list[Sentence]


@dataclass
class CorpusSelection:
    """Which segments each output format holds, and the counts the manifest reports.

    A pair (both sides non-empty) scored at least ``min_score`` goes into
    every format; a link scored below it only into the ``links`` files; an
    unaligned sentence (a 1-0 or 0-1 link) into the JSONL, ``links`` and review files.

    Args:
        min_score: The lowest score a pair needs to be in the corpus files;
            ``None`` keeps every pair.
    """

    min_score: float | None = None
    _kinds: Counter[str] = field(default_factory=Counter, init=False)
    _low: int = field(default=0, init=False)

    def below_min_score(self, segment: AlignedSegment) -> bool:
        """Whether the link is scored below ``min_score`` (an unscored link never is)."""
        return (
            self.min_score is not None
            and segment.score is not None
            and segment.score < self.min_score
        )

    def keeps(self, format_name: str, segment: AlignedSegment) -> bool:
        """Whether the files of ``format_name`` hold ``segment``."""
        if format_name in HOLDS_EVERY_LINK:
            return True
        if segment.source_count == 0 or not segment.target_ids:
            return format_name in LISTS_UNALIGNED
        return not self.below_min_score(segment)

    def count(self, segments: Iterable[AlignedSegment]) -> None:
        """Count one document's links (called once per document of a publication)."""
        for segment in segments:
            self._kinds[f"{segment.source_count}-{len(segment.target_ids)}"] += 1
            unaligned = segment.source_count == 0 or not segment.target_ids
            self._low += not unaligned and self.below_min_score(segment)

    def counts(self) -> dict[str, Any]:
        """For the manifest: pairs in the corpus, links by kind, unaligned sentences, low scores."""
        unaligned_source = sum(
            n * int(k.split("-")[0]) for k, n in self._kinds.items() if k.endswith("-0")
        )
        unaligned_target = sum(
            n * int(k.split("-")[1]) for k, n in self._kinds.items() if k.startswith("0-")
        )
        links = sum(self._kinds.values())
        unaligned_links = sum(
            n for k, n in self._kinds.items() if k.startswith("0-") or k.endswith("-0")
        )
        return {
            "pairs": links - unaligned_links - self._low,
            "links": dict(sorted(self._kinds.items())),
            "unaligned_source_sentences": unaligned_source,
            "unaligned_target_sentences": unaligned_target,
            "below_min_score": self._low,
        }

    def reset(self) -> None:
        """Forget the counts (before a publication)."""
        self._kinds.clear()
        self._low = 0
