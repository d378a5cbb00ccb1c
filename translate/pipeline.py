"""The library's pipeline: segment → translate → align, over sentences, documents or streams.

Documents flow through in bounded windows: the sentences of a window (across
documents) are translated together, sorted by length, and each document comes
out aligned by its ids as soon as its window is done, in input order. Memory
stays flat on any corpus size.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from translate.backends import Backend
from translate.config import PipelineConfig
from translate.errors import BackendError, Vi2enError
from translate.memory import TranslationMemory
from translate.qa import CHECKS, PairContext, check_pair
from translate.records import (
    ORIGINS,
    AlignedSegment,
    Document,
    DocumentFailure,
    Flag,
    Pair,
    Sentence,
    TranslatedDocument,
    Translation,
)
from translate.segment import Segmenter, segment_paragraphs
from translate.translator import ProgressCallback, TranslationStats, Translator

logger = logging.getLogger(__name__)

DocumentResult = TranslatedDocument | DocumentFailure


def qa_flags(
    source: str,
    translation: Translation,
    *,
    checks: Collection[str] | None = None,
    family: str | None = None,
) -> tuple[Flag, ...]:
    """The QA flags of one machine translation: :func:`translate.qa.check_pair` with its context.

    The translator's flags (:data:`translate.records.FLAGS`) are the checks'
    signals, never flags themselves: ``hit_max_length`` and ``split_long``
    become ``truncated``, ``loop`` becomes ``loop``, and ``redecoded`` (the
    loop was fixed) is counted in the translator's stats only. A memory hit is
    checked like a model's output, without signals (the memory keeps only the
    text); a copy (a letterless segment or a lone URL, the source itself) is
    not checked: its target is its source by design.

    Args:
        source: The source sentence.
        translation: Its translation.
        checks: The checks to run (:data:`translate.qa.CHECKS` names); ``None``: all.
        family: The model family's name, for the checks' calibrated limits.
    """
    if translation.origin == "copy":
        return ()
    context = PairContext(signals=translation.flags, score=translation.score, family=family)
    return check_pair(source, translation.text, context=context, checks=checks)


def align(
    document: Document,
    sentences: Sequence[Sentence],
    translations: Sequence[Translation],
    *,
    checks: Collection[str] | None = None,
    family: str | None = None,
) -> TranslatedDocument:
    """Pair each sentence with its translation by position in the same list: 1:1 segments.

    ``translations[i]`` is the translation of ``sentences[i]``; ids come from
    the sentence, never from matching text. Each segment keeps its
    translation's origin and score, and the flags of the QA ``checks`` on it
    (see :func:`qa_flags`).

    Args:
        document: The document.
        sentences: Its sentences, in reading order.
        translations: Their translations, in the same order.
        checks: The QA checks to run; ``None``: all, ``()``: none.
        family: The model family's name (:func:`qa_flags`).

    Raises:
        ValueError: The two lists differ in length.
    """
    if len(sentences) != len(translations):
        raise ValueError(
            f"{document.doc_id}: {len(sentences)} sentences but {len(translations)} translations"
        )
    segments = [
        AlignedSegment(
            s.doc_id,
            s.paragraph,
            s.index,
            s.text,
            t.text,
            s.start,
            s.end,
            origin=t.origin,
            score=t.score,
            flags=qa_flags(s.text, t, checks=checks, family=family),
        )
        for s, t in zip(sentences, translations, strict=True)
    ]
    return aligned_document(document, sentences, segments)


def aligned_document(
    document: Document, sentences: Sequence[Sentence], segments: Iterable[AlignedSegment]
) -> TranslatedDocument:
    """A translated document from n:m segments, checked against its source sentences.

    The segments, in order, must hold every sentence of ``sentences`` (the
    document's, in reading order) exactly once and in order: each segment's
    source range (``source_count`` sentences from ``paragraph``/``sentence``)
    starts where the previous one ended, lies in one paragraph, and its
    ``source``, ``start`` and ``end`` are those of its sentences (joined by a
    space when there are several). A segment without source sentences (0:1)
    sits at a position between the previous range and the next one, with an
    empty source and span. The target sentence ids, taken in segment order,
    must be 0, 1, 2, ... (each target sentence once, in order); machine
    translation has none. A segment with neither source nor target is refused.

    Raises:
        ValueError: The segments do not cover the sentences so; the message
            names the document and the first segment at fault.
    """
    checked: list[AlignedSegment] = []
    sizes = Counter(s.paragraph for s in sentences)  # sentences per paragraph
    cursor = 0  # the next sentence a segment must start at
    next_target = 0
    for number, segment in enumerate(segments):
        problem = _segment_problem(document, sentences, sizes, cursor, next_target, segment)
        if problem:
            raise ValueError(
                f"{document.doc_id}: segment {number} (paragraph {segment.paragraph}, "
                f"sentence {segment.sentence}) {problem}"
            )
        cursor += segment.source_count
        next_target += len(segment.target_ids)
        checked.append(segment)
    if cursor != len(sentences):
        first = sentences[cursor]
        raise ValueError(
            f"{document.doc_id}: no segment holds sentence {first.index} of paragraph "
            f"{first.paragraph} or the {len(sentences) - cursor - 1} after it"
        )
    return TranslatedDocument(document, tuple(checked))


def _segment_problem(
    document: Document,
    sentences: Sequence[Sentence],
    sizes: Counter[int],
    cursor: int,
    next_target: int,
    segment: AlignedSegment,
) -> str | None:
    """What is wrong with ``segment`` as the one after ``cursor`` sentences, or None."""
    if segment.doc_id != document.doc_id:
        return f"belongs to document {segment.doc_id!r}"
    if segment.origin not in ORIGINS:
        return f"has origin {segment.origin!r}, not one of {', '.join(ORIGINS)}"
    ids = list(segment.target_ids)
    if ids != list(range(next_target, next_target + len(ids))):
        return f"has target sentences {ids} where target sentence {next_target} comes next"
    position = (segment.paragraph, segment.sentence)
    if segment.source_count < 0:
        return f"holds {segment.source_count} source sentences"
    if segment.source_count == 0:
        return _insertion_problem(document, sentences, sizes, cursor, segment)
    held = sentences[cursor : cursor + segment.source_count]
    if not held:
        return "starts after the last sentence"
    expected = (held[0].paragraph, held[0].index)
    if position != expected:
        # Before the sentence that comes next, it overlaps the segment before; after it, a gap.
        where = "overlaps the segment before it" if position < expected else "leaves a gap"
        return f"{where}: sentence {expected[1]} of paragraph {expected[0]} comes next"
    if len(held) < segment.source_count:
        return f"holds {segment.source_count} sentences but only {len(held)} are left"
    if held[-1].paragraph != held[0].paragraph:
        return "spans two paragraphs (a segment's span lies in one)"
    if (segment.source, segment.start, segment.end) != (
        " ".join(s.text for s in held),
        held[0].start,
        held[-1].end,
    ):
        return "has a source text or span that is not that of its sentences"
    return None


def _insertion_problem(
    document: Document,
    sentences: Sequence[Sentence],
    sizes: Counter[int],
    cursor: int,
    segment: AlignedSegment,
) -> str | None:
    """What is wrong with a segment without source sentences (0:1) at ``cursor``, or None."""
    if not segment.target_ids:
        return "has neither source nor target sentences"
    if segment.source or segment.start != segment.end:
        return "has no source sentences but a source text or span"
    position = (segment.paragraph, segment.sentence)
    previous = sentences[cursor - 1] if cursor else None
    following = sentences[cursor] if cursor < len(sentences) else None
    if (
        not 0 <= segment.paragraph < len(document.paragraphs)
        or not 0 <= segment.sentence <= sizes[segment.paragraph]
        or not 0 <= segment.start <= len(document.paragraphs[segment.paragraph])
        or (previous is not None and position <= (previous.paragraph, previous.index))
        or (following is not None and position > (following.paragraph, following.index))
    ):
        return "does not sit between the sentences before and after it"
    return None


def _release(
    window: list[tuple[Document | DocumentFailure, list[Sentence]]],
) -> Iterator[tuple[Document | DocumentFailure, list[Sentence]]]:
    """The window's entries in order, each dropped from the window as it is handed out.

    So that the sentences of a released document are freed once it is aligned,
    not kept until the whole window is done.
    """
    window.reverse()
    while window:
        yield window.pop()


def _document_error(exc: Exception) -> bool:
    """Whether ``exc`` may be one document's problem, to be its failure, not the run's.

    A failed batch (:class:`BackendError`) and an unexpected error in code that
    handles text are; the library's other errors (the model cannot load, a stop
    was requested) and a lack of memory concern the whole run.
    """
    if isinstance(exc, BackendError):
        return True
    return not isinstance(exc, Vi2enError | MemoryError)


def _describe(exc: Exception) -> str:
    if isinstance(exc, Vi2enError):
        return str(exc)
    return f"{type(exc).__name__}: {str(exc)[:200]} (please report this as a vi2en bug)"


@dataclass
class Pipeline:
    """Segment, translate and align Vietnamese text.

    Args:
        translator: The translator (model, backend, memory, batching).
        segmenter: The sentence segmenter.
        window_sentences: Sentences translated together before documents are
            released; bounds memory, and is the unit of length sorting.
        config: The config it was built from (:func:`build_pipeline`); ``None``
            for a pipeline assembled by hand.
        qa_checks: The QA checks run on every pair (:func:`qa_flags`);
            ``None``: all of :data:`translate.qa.CHECKS`.
    """

    translator: Translator = field(default_factory=Translator)
    segmenter: Segmenter = field(default_factory=Segmenter)
    window_sentences: int = 4096
    config: PipelineConfig | None = None
    qa_checks: tuple[str, ...] | None = None
    _settings: dict[str, Any] | None = field(default=None, init=False, repr=False)

    @property
    def stats(self) -> TranslationStats:
        """What happened to the sentences translated so far (counts, warnings)."""
        return self.translator.stats

    @property
    def check_stop(self) -> Callable[[], None] | None:
        """Called before each document and batch; raises :class:`Interrupted` to stop."""
        return self.translator.check_stop

    @check_stop.setter
    def check_stop(self, check: Callable[[], None] | None) -> None:
        self.translator.check_stop = check

    def raise_if_stopped(self) -> None:
        """Raise :class:`Interrupted` if a stop was requested (through :attr:`check_stop`)."""
        if self.translator.check_stop is not None:
            self.translator.check_stop()

    def settings(self) -> dict[str, Any]:
        """The record a run's manifest holds and a resumed run must match.

        :meth:`PipelineConfig.settings` of the config it was built from; a
        pipeline assembled by hand (tests with an injected backend) has only
        its translator's configuration and its QA checks.
        """
        if self._settings is None:
            self._settings = (
                {**self.translator.configuration(), "qa": list(self.checks)}
                if self.config is None
                else self.config.settings()
            )
        return self._settings

    def describe(self) -> dict[str, Any]:
        """The model and backend, for the manifest, without loading the model.

        Returns:
            ``name`` (as the user spelled it), ``revision`` and ``fingerprint``
            of the model (``None`` with an injected backend), and ``backend``,
            the loaded backend's description (``None`` while none is loaded).
        """
        model = self.translator.resolved_model
        name = model.name if model else None
        if self.config is not None:
            name = self.config.model_name
        backend = self.translator.backend
        return {
            "name": name,
            "revision": model.revision if model else None,
            "fingerprint": model.fingerprint if model else None,
            "backend": backend.description if backend else None,
        }

    @property
    def checks(self) -> tuple[str, ...]:
        """The QA checks this pipeline runs, in :data:`translate.qa.CHECKS` order."""
        if self.qa_checks is None:
            return tuple(CHECKS)
        return tuple(name for name in CHECKS if name in self.qa_checks)

    def _align(
        self, document: Document, sentences: Sequence[Sentence], translations: Sequence[Translation]
    ) -> TranslatedDocument:
        """:func:`align` with this pipeline's QA checks and its model's family."""
        backend = self.translator.backend
        family = getattr(getattr(backend, "family", None), "name", None)
        return align(document, sentences, translations, checks=self.qa_checks, family=family)

    def load(self) -> Backend:
        """Load the model now (it is otherwise loaded on the first sentence that needs it)."""
        return self.translator.loaded_backend()

    def translate_sentences(self, sentences: Sequence[str]) -> list[str]:
        """Translate sentences as they are (no segmentation); one output per input."""
        return self.translator.translate(sentences)

    def translate_document(self, document: Document) -> TranslatedDocument:
        """Segment, translate and align one document.

        Raises:
            BackendError: The model failed on this document.
        """
        sentences = segment_paragraphs(document.doc_id, document.paragraphs, self.segmenter)
        translations = self.translator.translate_detailed(
            [s.text for s in sentences], documents=[s.doc_id for s in sentences]
        )
        return self._align(document, sentences, translations)

    def translate_documents(
        self,
        documents: Iterable[Document | DocumentFailure],
        *,
        progress: ProgressCallback | None = None,
        window_started: Callable[[int, int], None] | None = None,
    ) -> Iterator[DocumentResult]:
        """Translate a stream of documents, yielding results in input order.

        Args:
            documents: Documents, and failures from reading, which pass through.
            progress: Called with numbers of sentences as they are done.
            window_started: Called with the numbers of documents and sentences
                of each window before it is translated (for a progress bar).

        Yields:
            A :class:`TranslatedDocument`, or a :class:`DocumentFailure` for a
            document the model failed on (the others still complete).
        """
        window: list[tuple[Document | DocumentFailure, list[Sentence]]] = []
        size = 0
        for item in documents:
            sentences: list[Sentence] = []
            if isinstance(item, Document):
                try:
                    sentences = segment_paragraphs(item.doc_id, item.paragraphs, self.segmenter)
                except Exception as exc:  # one document's text must not end the run
                    if not _document_error(exc):
                        raise
                    item = DocumentFailure(
                        item.doc_id,
                        item.source,
                        f"cannot be split into sentences: {_describe(exc)}",
                    )
            # Every document counts, so that a stream of empty ones is still released.
            size += max(1, len(sentences))
            window.append((item, sentences))
            del sentences  # the window owns them, and frees them as it releases documents
            if size >= self.window_sentences:
                yield from self._translate_window(window, progress, window_started)
                window, size = [], 0
        yield from self._translate_window(window, progress, window_started)

    def _translate_window(
        self,
        window: list[tuple[Document | DocumentFailure, list[Sentence]]],
        progress: ProgressCallback | None,
        window_started: Callable[[int, int], None] | None = None,
    ) -> Iterator[DocumentResult]:
        sentences = [s for item, ss in window if isinstance(item, Document) for s in ss]
        if window_started is not None and window:
            window_started(len(window), len(sentences))
        try:
            translations = iter(
                self.translator.translate_detailed(
                    [s.text for s in sentences], progress, [s.doc_id for s in sentences]
                )
            )
        except Exception as exc:
            if not _document_error(exc):
                raise
            # One bad batch must not sink the window: retry document by document.
            logger.warning("a batch failed (%s); retrying its documents one by one", _describe(exc))
            yield from self._translate_one_by_one(window, progress)
            return
        del sentences
        for item, sentences in _release(window):
            if isinstance(item, Document):
                result = self._align(item, sentences, [next(translations) for _ in sentences])
                del sentences  # a long document's sentences go before the next is aligned
                yield result
            else:
                yield item

    def _translate_one_by_one(
        self,
        window: list[tuple[Document | DocumentFailure, list[Sentence]]],
        progress: ProgressCallback | None,
    ) -> Iterator[DocumentResult]:
        for item, sentences in _release(window):
            if not isinstance(item, Document):
                yield item
                continue
            try:
                translations = self.translator.translate_detailed(
                    [s.text for s in sentences], progress, [s.doc_id for s in sentences]
                )
            except Exception as exc:
                if not _document_error(exc):
                    raise
                yield DocumentFailure(
                    item.doc_id, item.source, f"translation failed: {_describe(exc)}"
                )
                continue
            yield self._align(item, sentences, translations)

    def pairs(self, documents: Iterable[Document | DocumentFailure]) -> Iterator[Pair]:
        """The aligned pairs of a stream of documents (failures are logged and skipped)."""
        for result in self.translate_documents(documents):
            if isinstance(result, DocumentFailure):
                logger.warning("%s: %s", result.source, result.reason)
            else:
                yield from result.pairs


def build_pipeline(config: PipelineConfig) -> Pipeline:
    """The pipeline ``config`` describes: memory, translator, segmenter.

    Nothing is loaded: an unresolved config's model is found on first use,
    and the model is loaded on the first sentence the memory cannot answer.
    The CLI, ``vi2en bench`` and a distributed worker (given a pickled config)
    all build their pipelines here.

    Raises:
        ConfigMismatchError: The config was made by a vi2en with other rules
            (layout, segmenter or preprocessing version), or its model changed
            since it was resolved.
        CacheError: The translation memory cannot be opened.
    """
    config.check_versions()
    if config.is_resolved:
        config.find_model()  # a resolved config names its model by fingerprint: check it
    memory = TranslationMemory(Path(config.memory)) if config.memory is not None else None
    return Pipeline(
        config.build_translator(memory),
        Segmenter(config.abbreviations),
        window_sentences=config.window_sentences,
        config=config,
        qa_checks=config.qa,
    )
