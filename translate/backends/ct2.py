"""The CTranslate2 backend: the transformers model converted once, then run by CTranslate2.

The conversion is cached under vi2en's cache directory, keyed by the model's
fingerprint (id + revision, or the directory's content) and the quantisation,
so a second run loads it directly and a changed model is converted again.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

from translate.backends.base import (
    Backend,
    BackendSettings,
    Hypothesis,
    ResolvedDecoding,
    ResolvedSettings,
    Tokens,
    cpu_threading,
    read_generation_defaults,
    usable_cores,
)
from translate.backends.tokenizers import load_tokenizer
from translate.errors import BackendError, ModelLoadError, UnsupportedModelError
from translate.families import family_for, read_model_config
from translate.models import ResolvedModel, cache_dir

logger = logging.getLogger(__name__)

COMPUTE_TYPES = ("auto", "int8", "int8_float16", "float16", "float32")

# Part of the conversion cache's key: raised when vi2en converts differently, so
# that conversions made before are not used again. 2: T5's output scaling as
# transformers 5 computes it (see _scale_outputs_as_transformers).
CONVERSION_REVISION = 2


def is_available() -> bool:
    """Whether the ``ctranslate2`` package is installed."""
    import importlib.util

    return importlib.util.find_spec("ctranslate2") is not None


def resolve_device(device: str) -> str:
    """``auto`` becomes ``cuda`` when CTranslate2 sees a GPU, else ``cpu``."""
    import ctranslate2

    has_cuda = ctranslate2.get_cuda_device_count() > 0
    if device == "auto":
        return "cuda" if has_cuda else "cpu"
    if device == "cuda" and not has_cuda:
        raise ModelLoadError("--device cuda was asked for, but CTranslate2 sees no CUDA device")
    return device


def resolve_compute_type(compute_type: str, device: str) -> str:
    """``auto`` becomes int8 on CPU and float16 on GPU (the fastest for opus-mt-sized models)."""
    if compute_type not in COMPUTE_TYPES:
        raise ModelLoadError(
            f"unknown compute type {compute_type!r}; choose one of: {', '.join(COMPUTE_TYPES)}"
        )
    if compute_type == "auto":
        return "float16" if device == "cuda" else "int8"
    return compute_type


def converted_model(model: ResolvedModel, quantization: str) -> Path:
    """The CTranslate2 conversion of ``model``, converting it on first use.

    Any number of processes may ask at once: one converts under a file lock on
    ``<key>.lock``, the others wait and use its result. A converter that died
    leaves only a temporary folder, removed by the next one to hold the lock.

    Raises:
        ModelLoadError: The model cannot be converted (unsupported architecture).
    """
    target = cache_dir() / "ctranslate2" / conversion_name(model, quantization)
    if (target / "model.bin").is_file():
        return target
    from filelock import FileLock, Timeout

    target.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(target.parent / f"{target.name}.lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        logger.info("waiting for another process converting %s to CTranslate2", model.name)
        lock.acquire()
    try:
        if not (target / "model.bin").is_file():
            _remove_leftovers(target)
            _convert(model, quantization, target)
    finally:
        lock.release()
    return target


def conversion_name(model: ResolvedModel, quantization: str) -> str:
    """The conversion's folder name in the cache: the model, vi2en's conversion, the quantisation."""
    return f"{model.fingerprint}-c{CONVERSION_REVISION}-{quantization}"


def _remove_leftovers(target: Path) -> None:
    """Remove what a killed converter left (only the lock holder converts, so none is live)."""
    for leftover in target.parent.glob(f".{target.name}-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    if target.exists():
        shutil.rmtree(target, ignore_errors=True)


def _convert(model: ResolvedModel, quantization: str, target: Path) -> None:
    from ctranslate2.converters import TransformersConverter
    from transformers.utils import logging as transformers_logging

    # Its weight-loading progress bar would land in the middle of ours.
    transformers_logging.disable_progress_bar()

    class Converter(TransformersConverter):
        def load_model(self, model_class: Any, path: str, **kwargs: Any) -> Any:
            return _scale_outputs_as_transformers(super().load_model(model_class, path, **kwargs))

        def load_tokenizer(self, tokenizer_class: Any, path: str, **kwargs: Any) -> Any:
            return _FullVocabulary(super().load_tokenizer(tokenizer_class, path, **kwargs))

    logger.info("converting %s to CTranslate2 (%s) in %s", model.name, quantization, target)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        Converter(str(model.path)).convert(
            str(work / "model"), quantization=quantization, force=True
        )
        if family_for(model.path, name=model.name).target_forcing == "decoder_start":
            _start_from_target_prefix(work / "model")
        # Rename into place so that an interrupted conversion is never taken for a finished one.
        os.replace(work / "model", target)
    except (ValueError, NotImplementedError, OSError, RuntimeError) as exc:
        raise ModelLoadError(f"cannot convert {model.name} to CTranslate2: {exc}") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _scale_outputs_as_transformers(model: Any) -> Any:
    """Make a T5's ``tie_word_embeddings`` say whether transformers scales its decoder output.

    CTranslate2's T5 converter multiplies the decoder output by ``d_model**-0.5``
    when ``config.tie_word_embeddings`` is true, as transformers 4 did. transformers
    5 always sets it true and keeps the saved value in ``scale_decoder_outputs``
    (false for T5 v1.1, envit5, MADLAD): unfixed, CTranslate2 divides every logit
    by ``sqrt(d_model)``. Greedy search picks the same tokens, but the
    log-probabilities (the scores) flatten and beam search picks other outputs.
    """
    scale = getattr(model.config, "scale_decoder_outputs", None)
    if scale is not None:
        model.config.tie_word_embeddings = bool(scale)
    return model


def _start_from_target_prefix(converted: Path) -> None:
    """Make the target prefix's token the decoder's start token, as ``decoder_start_token_id``.

    CTranslate2's mBART converter does so only when the config names no
    tokenizer class or ``MBartTokenizer``; otherwise it starts from ``</s>``, and
    the forced token becomes a generated one: another sequence than transformers
    decodes, and one more token under the length cap.
    """
    path = converted / "config.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    if config.get("decoder_start_token") is not None:
        config["decoder_start_token"] = None
        path.write_text(json.dumps(config, indent=2), encoding="utf-8")


class _FullVocabulary:
    """A tokenizer whose ``get_vocab`` holds every token it has an id for.

    CTranslate2's converter builds the model's vocabulary from ``get_vocab()``
    (and the ``additional_special_tokens`` of transformers 4). transformers 5's
    ``M2M100Tokenizer`` leaves its language tokens (``__en__``, ids after the
    SentencePiece pieces) out of both, so the converted vocabulary would lack
    them and shift every id after them. The ids up to the model's last token
    that are not ``<unk>`` are added back; the rest is as the tokenizer says.
    """

    def __init__(self, tokenizer: Any) -> None:
        self._tokenizer = tokenizer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tokenizer, name)

    def get_vocab(self) -> dict[str, int]:
        vocab: dict[str, int] = dict(self._tokenizer.get_vocab())
        unk = self._tokenizer.unk_token
        index = max(vocab.values(), default=-1) + 1
        while (token := self._token(index)) not in (unk, None):
            vocab.setdefault(token, index)
            index += 1
        return vocab

    def _token(self, index: int) -> str | None:
        try:
            token = self._tokenizer.convert_ids_to_tokens(index)
        except (IndexError, KeyError, OverflowError):
            return None
        return token if isinstance(token, str) else None


def supports(model: ResolvedModel) -> bool:
    """Whether CTranslate2 can convert this model's architecture, as its family says.

    Asked of the family table, not of the converter: importing the converter
    imports torch and takes seconds. A model without a family is not supported
    (loading it in any backend then says which families exist).
    """
    try:
        return family_for(model.path, name=model.name).ctranslate2
    except UnsupportedModelError:
        return False


class CTranslate2Backend(Backend):
    """Translate with CTranslate2 (int8 on CPU by default), several workers in parallel."""

    name: ClassVar[str] = "ctranslate2"
    compute_types: ClassVar[tuple[str, ...]] = COMPUTE_TYPES

    @classmethod
    def resolve_settings(cls, settings: BackendSettings) -> ResolvedSettings:
        """``auto`` is the GPU when CTranslate2 sees one; int8 on CPU, float16 on GPU.

        Raises:
            ModelLoadError: ``cuda`` was asked for without a GPU, or the compute
                type is unknown.
        """
        device = resolve_device(settings.device)
        return ResolvedSettings(
            cls.name, device, resolve_compute_type(settings.compute_type, device)
        )

    def __init__(self, model: ResolvedModel, settings: BackendSettings) -> None:
        import ctranslate2

        self.family = family_for(model.path, name=model.name)
        if not self.family.ctranslate2:
            raise ModelLoadError(
                f"cannot load model {model.name!r} with ctranslate2: CTranslate2 cannot convert "
                f"{self.family.name} models; use --backend transformers"
            )
        resolved = self.resolve_settings(settings)
        self.device, self.compute_type = resolved.device, resolved.compute_type
        # First: a tokenizer the family refuses is refused before a conversion.
        self.tokenizer = load_tokenizer(model.path, self.family, name=model.name)
        path = converted_model(model, self.compute_type)
        if self.device == "cuda":
            workers, per_worker = 1, 0
        else:
            workers, per_worker = cpu_threading(settings.threads or usable_cores())
        try:
            self.translator: Any = ctranslate2.Translator(
                str(path),
                device=self.device,
                compute_type=self.compute_type,
                inter_threads=workers,
                intra_threads=per_worker,
            )
        except (RuntimeError, ValueError) as exc:
            raise ModelLoadError(f"cannot load the CTranslate2 model {path}: {exc}") from exc
        self.workers = workers
        # Measured with `vi2en bench` on 2 cores: 16 sentences per batch and worker
        # beat 8 and 32 (beam 4 makes 64 hypotheses, enough to fill the matrices).
        self.default_batch_size = 64 if self.device == "cuda" else 16
        self.default_batch_tokens = 16384 if self.device == "cuda" else 4096
        self.max_input_tokens = self.family.input_limit(read_model_config(model.path))
        self.generation_defaults = self.family.decoding_defaults(
            read_generation_defaults(model.path)
        )
        self.description = f"ctranslate2 {self.device} {self.compute_type} {workers}x{per_worker or 'auto'} threads"

    def tokenize(self, texts: Sequence[str]) -> list[Tokens]:
        return self.tokenizer.tokenize(texts)

    def _submit(self, batch: Sequence[Tokens], decoding: ResolvedDecoding) -> tuple[Any, int]:
        cap = decoding.max_length_for(max(len(t) for t in batch))
        # The family's target-language token, forced as the first output token.
        forcing = {"target_prefix": [self.family.target_prefix] * len(batch)}
        pending = self.translator.translate_batch(
            list(batch),
            **(forcing if self.family.target_prefix else {}),
            beam_size=decoding.beams,
            max_decoding_length=cap,
            min_decoding_length=decoding.min_length,
            no_repeat_ngram_size=decoding.no_repeat_ngram_size,
            return_scores=True,
            asynchronous=True,
        )
        return pending, cap

    def _collect(self, submitted: tuple[Any, int]) -> list[Hypothesis]:
        pending, cap = submitted
        try:
            results = [r.result() for r in pending]
        except (RuntimeError, ValueError) as exc:
            raise BackendError(f"CTranslate2 translation failed: {exc}") from exc
        # The hypotheses exclude the end marker: one as long as the cap never reached it.
        return [
            Hypothesis(
                self.tokenizer.detokenize(r.hypotheses[0]),
                hit_max_length=len(r.hypotheses[0]) >= cap,
                score=self._score(r, cap),
            )
            for r in results
        ]

    def _score(self, result: Any, cap: int) -> float | None:
        """The mean log-probability of the generated tokens, without the forced ones.

        CTranslate2 divides the sum of the generated tokens' log-probabilities
        by the hypothesis' length, the end marker included: a target prefix kept
        in the hypothesis (NLLB's and M2M100's language token) counts in that
        length though its log-probability is not summed. A prefix that is the
        decoder's start token (mBART) is not in the hypothesis.
        """
        if not result.scores:
            return None
        tokens = result.hypotheses[0]
        forced = len(self.family.target_prefix) if self.family.target_forcing == "forced_bos" else 0
        length = len(tokens) + (len(tokens) < cap)  # the end marker, where it was reached
        if length <= forced:
            return None
        return float(result.scores[0]) * length / (length - forced)

    def translate_batch(
        self, batch: Sequence[Tokens], decoding: ResolvedDecoding
    ) -> list[Hypothesis]:
        return self._collect(self._submit(batch, decoding))

    def translate_batches(
        self, batches: Iterable[Sequence[Tokens]], decoding: ResolvedDecoding
    ) -> Iterator[list[Hypothesis]]:
        # Keep every worker busy: submit ahead, collect in order.
        window: list[tuple[Any, int]] = []
        for batch in batches:
            window.append(self._submit(batch, decoding))
            if len(window) > 2 * self.workers:
                yield self._collect(window.pop(0))
        for pending in window:
            yield self._collect(pending)
