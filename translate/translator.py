"""Sentences in, translations out: the shared machinery above every backend.

In order: letterless segments are copied, identical sentences collapse to one,
the translation memory answers what it can, sentences over the model's input
limit are split at clause boundaries, the rest is sorted by length and cut into
token-budget batches for the backend, and everything is put back in order.
Each sentence's result keeps where it came from and what looks wrong with it
(:class:`~translate.records.Translation`). The model is loaded only when some
sentence misses the memory.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from translate.backends import Backend, BackendSettings, load_backend, resolve_settings
from translate.backends.base import (
    DecodingOptions,
    Hypothesis,
    ResolvedDecoding,
    Tokens,
    as_hypothesis,
    read_generation_defaults,
    resolve_decoding,
)
from translate.errors import Interrupted
from translate.memory import TranslationMemory, namespace_key
from translate.models import ResolvedModel, resolve_model
from translate.records import FLAGS, Translation
from translate.text import clean_paragraph, has_ngram_loop

logger = logging.getLogger(__name__)

# Names the preprocessing that shapes the text fed to the model (normalisation,
# invisible-character removal, whitespace cleaning). It is part of the memory
# namespace and of the resume check: bump it whenever the text fed to the model
# changes, so that no stale translation is served or mixed in.
PREPROCESS_VERSION = "2"

ProgressCallback = Callable[[int], None]

_URL_OR_EMAIL = re.compile(
    r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?:/\S*)?",
    re.IGNORECASE,
)
# Clause boundaries to split an over-long sentence at, best first.
_SPLIT_POINTS = (
    re.compile(r"(?<=[;:])\s+"),
    re.compile(r"(?<=,)\s+"),
    re.compile(r"\s+(?=[-–—]\s)"),
    re.compile(r"\s+"),
)


def is_copy_through(text: str) -> bool:
    """Segments the model must not see: no letters at all, or a lone URL/e-mail.

    opus-mt invents text for numbers, lone punctuation and URLs.
    """
    stripped = text.strip()
    return not any(ch.isalpha() for ch in stripped) or bool(_URL_OR_EMAIL.fullmatch(stripped))


def split_long(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Split ``text`` into pieces that each ``fits``, at clause boundaries first.

    Every character except the whitespace at the cuts is kept, in order.
    """
    if fits(text):
        return [text]
    for pattern in _SPLIT_POINTS:
        cuts = [m for m in pattern.finditer(text) if m.start() > 0 and m.end() < len(text)]
        if cuts:
            middle = len(text) / 2
            cut = min(cuts, key=lambda m: abs(m.start() - middle))
            return split_long(text[: cut.start()], fits) + split_long(text[cut.end() :], fits)
    # No whitespace at all (a run of glued syllables): cut in the middle.
    if len(text) <= 1:
        return [text]
    half = len(text) // 2
    return split_long(text[:half], fits) + split_long(text[half:], fits)


def make_batches(
    lengths: Sequence[int],
    max_tokens: int,
    max_size: int,
    cap: Callable[[int], int] | None = None,
) -> list[list[int]]:
    """Indices grouped into batches by token budget, shortest sentences first.

    A batch costs ``len(batch) * longest sentence`` tokens (padding included)
    and holds at most ``max_size`` sentences; a sentence over the budget gets a
    batch of its own. With ``cap`` (source tokens → the decoder's length cap),
    every sentence of a batch has the same cap: the backends cap a batch by its
    longest source, so a sentence's translation then never depends on the
    sentences batched with it (a resumed run, a memory hit or a Ray worker
    forms other batches and still gets the same bytes).
    """
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:
        width = lengths[index]  # sorted, so the newest is the longest
        if current and (
            (len(current) + 1) * width > max_tokens
            or len(current) >= max_size
            or (cap is not None and cap(width) != cap(lengths[current[0]]))
        ):
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches


# Warnings that can repeat once per sentence: logged once, then counted.
WARNINGS = {
    "split_long": "sentences over the model's input limit were translated in pieces",
    "ngram_loop": "translations repeat an n-gram in a loop",
}
_FIRST_DOCUMENTS = 5


@dataclass
class WarningSummary:
    """How often one kind of warning occurred, and in which documents first.

    Attributes:
        message: What the warning says (see :data:`WARNINGS`).
        count: How many sentences it concerned.
        documents: The first documents (ids) it occurred in, at most five.
    """

    message: str
    count: int = 0
    documents: list[str] = field(default_factory=list)

    def add(self, documents: Sequence[str | None]) -> None:
        """Count one occurrence per item of ``documents`` (``None``: no document id)."""
        self.count += len(documents)
        for document in documents:
            if (
                document is not None
                and document not in self.documents
                and len(self.documents) < _FIRST_DOCUMENTS
            ):
                self.documents.append(document)


@dataclass
class TranslationStats:
    """What happened to the sentences a translator was given."""

    sentences: int = 0
    copied: int = 0
    duplicates: int = 0
    memory_hits: int = 0
    translated: int = 0
    split_long: int = 0
    loops_flagged: int = 0
    batches: int = 0
    target_words: int = 0
    warnings: dict[str, WarningSummary] = field(default_factory=dict)

    def warn(self, kind: str, documents: Sequence[str | None]) -> bool:
        """Count a warning of ``kind`` (a key of :data:`WARNINGS`); True the first time."""
        first = kind not in self.warnings
        self.warnings.setdefault(kind, WarningSummary(WARNINGS[kind])).add(documents)
        return first

    def as_dict(self) -> dict[str, Any]:
        """The counts and the warnings summary, for the manifest."""
        counts: dict[str, Any] = {
            name: value for name, value in self.__dict__.items() if name != "warnings"
        }
        counts["warnings"] = {
            kind: {"message": w.message, "count": w.count, "documents": w.documents}
            for kind, w in sorted(self.warnings.items())
        }
        return counts


@dataclass
class Translator:
    """Translate lists of sentences with a model, a memory and length-sorted batches.

    Args:
        model: Hub id or local directory (default: ``$VI2EN_MODEL`` or opus-mt-vi-en),
            or an already resolved model.
        settings: Which backend and device to load.
        decoding: Decoding options.
        memory: Translation memory; ``None`` disables it.
        max_batch_tokens: Token budget of one batch (padding included);
            ``None`` = the backend's default.
        max_batch_size: Sentences in one batch at most; ``None`` = the backend's default.
        backend: An already loaded backend (tests use :class:`FakeBackend`).
        check_stop: Called before each batch; raises :class:`Interrupted` to stop
            (what was translated so far is kept in the memory).
    """

    model: str | ResolvedModel | None = None
    settings: BackendSettings = field(default_factory=BackendSettings)
    decoding: DecodingOptions = field(default_factory=DecodingOptions)
    memory: TranslationMemory | None = None
    max_batch_tokens: int | None = None
    max_batch_size: int | None = None
    backend: Backend | None = None
    check_stop: Callable[[], None] | None = None
    stats: TranslationStats = field(default_factory=TranslationStats)
    _resolved: ResolvedModel | None = field(default=None, init=False, repr=False)
    _namespace: str | None = field(default=None, init=False, repr=False)
    _decoding: ResolvedDecoding | None = field(default=None, init=False, repr=False)

    @property
    def resolved_model(self) -> ResolvedModel | None:
        """The model on disk (resolved on first use); ``None`` with an injected backend."""
        if self._resolved is None and self.backend is None:
            self._resolved = (
                self.model if isinstance(self.model, ResolvedModel) else resolve_model(self.model)
            )
        return self._resolved

    def configuration(self) -> dict[str, Any]:
        """What shapes the translations, as plain JSON values, resolved without loading the model.

        The model is named by its fingerprint, never by how its path was spelled.
        ``auto`` settings are resolved (backend, device, precision), so that the
        same words on another machine are not taken for the same setup. It is
        the one definition of the memory namespace:
        :meth:`translate.PipelineConfig.memory_namespace` is this, of the
        translator its config builds.
        """
        model = self.resolved_model
        common = {"decoding": self.decoding_signature(), "preprocess": PREPROCESS_VERSION}
        if model is None:
            assert self.backend is not None
            return {
                "model_fingerprint": None,
                "backend": self.backend.description,
                "device": None,
                "compute_type": None,
                **common,
            }
        resolved = resolve_settings(self.settings, model)
        return {
            "model_fingerprint": model.fingerprint,
            "backend": resolved.backend,
            "device": resolved.device,
            "compute_type": resolved.compute_type,
            **common,
        }

    def namespace(self) -> str:
        """The memory key of this configuration: model, backend, decoding and preprocessing."""
        if self._namespace is None:
            self._namespace = namespace_key(self.configuration())
        return self._namespace

    def loaded_backend(self) -> Backend:
        """The backend, loading the model on first call."""
        if self.backend is None:
            model = self.resolved_model
            assert model is not None
            logger.info("loading %s (%s backend)", model.name, self.settings.backend)
            self.backend = load_backend(model, self.settings)
        return self.backend

    def resolved_decoding(self) -> ResolvedDecoding:
        """Decoding options with the model's defaults filled in (loads the model)."""
        if self._decoding is None:
            self._decoding = self.loaded_backend().resolve(self.decoding)
        return self._decoding

    def decoding_signature(self) -> dict[str, int | float | bool | None]:
        """The decoding settings in effect, defaults filled in, without loading the model."""
        if self._decoding is not None:
            return self._decoding.signature()
        model = self.resolved_model
        if model is None:
            return self.loaded_backend().resolve(self.decoding).signature()
        return resolve_decoding(self.decoding, read_generation_defaults(model.path)).signature()

    def translate(
        self,
        sentences: Sequence[str],
        progress: ProgressCallback | None = None,
        documents: Sequence[str] | None = None,
    ) -> list[str]:
        """Translate ``sentences``; the result has one translation per input, in order.

        Args:
            sentences: Source sentences.
            progress: Called with a number of sentences each time some are done.
            documents: The document id of each sentence, for warnings.

        Returns:
            The translations, in input order (the texts of :meth:`translate_detailed`).
        """
        return [t.text for t in self.translate_detailed(sentences, progress, documents)]

    def translate_detailed(
        self,
        sentences: Sequence[str],
        progress: ProgressCallback | None = None,
        documents: Sequence[str] | None = None,
    ) -> list[Translation]:
        """Translate ``sentences``, keeping how each translation came about.

        Each result says where its text came from (``copy``, ``memory`` or
        ``mt``), what looks wrong with it (see :data:`~translate.records.FLAGS`)
        and the model's score. A sentence that occurs again (after cleaning)
        gets the result of its first occurrence. The memory keeps only texts: a
        memory hit has no flags and no score, even where the model's
        translation it stores had some.

        Args:
            sentences: Source sentences.
            progress: Called with a number of sentences each time some are done.
            documents: The document id of each sentence, for warnings.

        Returns:
            One :class:`~translate.records.Translation` per input, in input order.
        """
        self.stats.sentences += len(sentences)
        # Sentences keep the input's text; the model and the memory see it
        # cleaned, so that spacing variants of a sentence share one entry.
        keys = [clean_paragraph(s) for s in sentences]
        document_of: dict[str, str] = {}
        if documents is not None:
            for key, document in zip(keys, documents, strict=True):
                document_of.setdefault(key, document)
        done: dict[str, Translation] = {}
        pending: list[str] = []
        for key in dict.fromkeys(keys):
            if is_copy_through(key):
                done[key] = Translation(key, origin="copy")
                self.stats.copied += 1
            else:
                pending.append(key)
        self.stats.duplicates += len(keys) - len(done) - len(pending)
        if pending and self.memory is not None:
            hits = self.memory.lookup(self.namespace(), pending)
            self.stats.memory_hits += len(hits)
            done.update((key, Translation(text, origin="memory")) for key, text in hits.items())
            pending = [key for key in pending if key not in hits]
        reported = len(sentences) - len(pending)
        if progress and reported:
            progress(reported)
        if pending:
            translated = self._translate_with_model(pending, progress, document_of)
            done.update(translated)
            if self.memory is not None:
                self.memory.store(self.namespace(), ((k, t.text) for k, t in translated.items()))
        return [done[key] for key in keys]

    def _translate_with_model(
        self, sources: list[str], progress: ProgressCallback | None, document_of: dict[str, str]
    ) -> dict[str, Translation]:
        backend = self.loaded_backend()
        decoding = self.resolved_decoding()
        pieces_of: dict[str, list[str]] = {}
        split: set[str] = set()  # the sources over the input limit
        # Tokenised once: the tokens serve the length check and the batches alike.
        tokens_of: dict[str, Tokens] = {}
        for source, tokens in zip(sources, backend.tokenize(sources), strict=True):
            if len(tokens) <= backend.max_input_tokens:
                pieces_of[source] = [source]
                tokens_of[source] = tokens
                continue
            pieces = split_long(
                source, lambda text: len(backend.tokenize([text])[0]) <= backend.max_input_tokens
            )
            tokens_of.update(zip(pieces, backend.tokenize(pieces), strict=True))
            document = document_of.get(source)
            first = self.stats.warn("split_long", [document])
            # Once in full, then counted: the summary at the end names the documents.
            (logger.warning if first else logger.debug)(
                "%sa sentence of %d tokens exceeds the model's limit of %d; translating it in "
                "%d pieces%s",
                f"{document}: " if document else "",
                len(tokens),
                backend.max_input_tokens,
                len(pieces),
                " (more are counted in the summary at the end)" if first else "",
            )
            self.stats.split_long += 1
            split.add(source)
            pieces_of[source] = pieces
        units = list(dict.fromkeys(p for pieces in pieces_of.values() for p in pieces))
        outputs: dict[str, Hypothesis] = {}
        try:
            self._run_batches(backend, units, tokens_of, decoding, progress, outputs)
        except Interrupted:
            # Keep the finished part of the window, so that a resumed run need not redo it.
            finished = {
                s: " ".join(outputs[p].text for p in pieces)
                for s, pieces in pieces_of.items()
                if all(p in outputs for p in pieces)
            }
            if self.memory is not None and finished:
                self.memory.store(self.namespace(), finished.items())
            raise
        flagged = [u for u in units if has_ngram_loop(outputs[u].text)]
        redecoded: set[str] = set()
        if flagged:
            self.stats.loops_flagged += len(flagged)
            source_of = {p: s for s, pieces in pieces_of.items() for p in pieces}
            documents = [document_of.get(source_of[u]) for u in flagged]
            first = self.stats.warn("ngram_loop", documents)
            (logger.warning if first else logger.debug)(
                "%d %s an n-gram in a loop%s%s",
                len(flagged),
                "translation repeats" if len(flagged) == 1 else "translations repeat",
                f" (first in {documents[0]})" if documents[0] else "",
                " (more are counted in the summary at the end)" if first else "",
            )
            if self.decoding.redecode_loops:
                guarded = ResolvedDecoding(
                    decoding.beams,
                    decoding.max_length,
                    decoding.max_length_ratio,
                    decoding.min_length,
                    no_repeat_ngram_size=3,
                )
                self._run_batches(backend, flagged, tokens_of, guarded, None, outputs)
                redecoded.update(flagged)
        self.stats.translated += len(sources)
        return {
            source: _model_translation(
                [outputs[p] for p in pieces],
                split=source in split,
                redecoded=any(p in redecoded for p in pieces),
            )
            for source, pieces in pieces_of.items()
        }

    def _run_batches(
        self,
        backend: Backend,
        units: list[str],
        tokens_of: dict[str, Tokens],
        decoding: ResolvedDecoding,
        progress: ProgressCallback | None,
        outputs: dict[str, Hypothesis],
    ) -> None:
        """Translate ``units`` into ``outputs`` (filled batch by batch, so a stop keeps them)."""
        tokens = [tokens_of[unit] for unit in units]
        batches = make_batches(
            [len(t) for t in tokens],
            self.max_batch_tokens or backend.default_batch_tokens,
            self.max_batch_size or backend.default_batch_size,
            decoding.max_length_for,
        )

        def batch_tokens() -> Iterator[list[Tokens]]:
            for batch in batches:
                if self.check_stop is not None:
                    self.check_stop()
                yield [tokens[i] for i in batch]

        results: Any = backend.translate_batches(batch_tokens(), decoding)
        for batch, translations in zip(batches, results, strict=True):
            self.stats.batches += 1
            for index, output in zip(batch, translations, strict=True):
                hypothesis = as_hypothesis(output)
                outputs[units[index]] = hypothesis
                self.stats.target_words += len(hypothesis.text.split())
            if progress:
                progress(len(batch))


def _model_translation(
    hypotheses: Sequence[Hypothesis], *, split: bool, redecoded: bool
) -> Translation:
    """One sentence's result from the final hypotheses of its pieces (one if it was not split).

    ``loop`` is checked on the joined text, the one delivered: after a
    re-decoding it says whether the loop is still there.
    """
    text = " ".join(h.text for h in hypotheses)
    found = {
        "split_long": split,
        "hit_max_length": any(h.hit_max_length for h in hypotheses),
        "redecoded": redecoded,
        "loop": has_ngram_loop(text),
    }
    scores = [h.score for h in hypotheses]
    score = None if None in scores else sum(s for s in scores if s is not None) / len(scores)
    return Translation(text, "mt", tuple(flag for flag in FLAGS if found[flag]), score)
