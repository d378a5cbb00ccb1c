"""The backend interface: one abstract method, ``translate_batch``.

Everything above it (deduplication, memory, batching, long-sentence splitting)
is shared code in :mod:`translate.translator`.
"""

from __future__ import annotations

import json
import os
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

Tokens = list[str]


@dataclass(frozen=True, slots=True)
class DecodingOptions:
    """Decoding settings shared by every backend; ``None`` means the model's default.

    Attributes:
        beams: Beam size (1 = greedy).
        max_length: Absolute cap on target tokens.
        max_length_ratio: Cap relative to the source length (``ratio * source
            tokens + 10``), against runaway output; ``None`` disables it.
        min_length: Minimum number of target tokens.
        redecode_loops: Re-decode outputs caught in a repeated n-gram loop with
            ``no_repeat_ngram_size`` set.
    """

    beams: int | None = None
    max_length: int | None = None
    max_length_ratio: float | None = 3.0
    min_length: int | None = None
    redecode_loops: bool = False


@dataclass(frozen=True, slots=True)
class BackendSettings:
    """How to load a backend.

    Attributes:
        backend: ``auto`` (CTranslate2 when installed and able to run the model,
            else transformers), ``ctranslate2`` or ``transformers``.
        device: ``auto``, ``cpu`` or ``cuda``.
        compute_type: CTranslate2 compute type (``auto``, ``int8``, ...).
        threads: CPU cores to use; ``None`` = all this process may use.
    """

    backend: str = "auto"
    device: str = "auto"
    compute_type: str = "auto"
    threads: int | None = None


@dataclass(frozen=True, slots=True)
class ResolvedSettings:
    """What ``auto`` settings stand for on this machine, known without loading the model.

    Attributes:
        backend: The concrete backend (``ctranslate2``, ``transformers``, or an
            injected backend's name).
        device: ``cpu`` or ``cuda``.
        compute_type: The precision the backend computes in.
    """

    backend: str
    device: str
    compute_type: str


@dataclass(frozen=True, slots=True)
class ResolvedDecoding:
    """Decoding settings with every default filled in from the model."""

    beams: int
    max_length: int
    max_length_ratio: float | None
    min_length: int
    no_repeat_ngram_size: int = 0
    redecode_loops: bool = False

    def max_length_for(self, source_tokens: int) -> int:
        """The target-length cap for a source of ``source_tokens`` tokens."""
        cap = self.max_length
        if self.max_length_ratio is not None:
            cap = min(cap, int(self.max_length_ratio * source_tokens) + 10)
        return max(cap, self.min_length)

    def signature(self) -> dict[str, int | float | bool | None]:
        """These settings as plain JSON values, for caches, resume checks and manifests."""
        return {
            "beams": self.beams,
            "max_length": self.max_length,
            "max_length_ratio": self.max_length_ratio,
            "min_length": self.min_length,
            "no_repeat_ngram_size": self.no_repeat_ngram_size,
            "redecode_loops": self.redecode_loops,
        }


@dataclass(frozen=True, slots=True)
class Hypothesis:
    """A backend's translation of one sentence, with what the decoder knows about it.

    Attributes:
        text: The detokenised translation.
        hit_max_length: Decoding stopped at the length cap, not at the end marker:
            the translation is probably cut short.
        score: The model's length-normalised log-probability of ``text``, where
            the backend returns one: the mean of the log-probabilities of the
            tokens the decoder generated, up to and including the end marker
            where it generated one (not at the length cap), without the forced
            tokens: the decoder's start token, a forced first token (NLLB's and
            M2M100's target language) and an end marker forced at the length
            cap (``forced_eos_token_id``). Both model backends compute it so,
            from the same (float32) logits to 1e-3.
    """

    text: str
    hit_max_length: bool = False
    score: float | None = None


def as_hypothesis(output: Hypothesis | str) -> Hypothesis:
    """A backend's output as a :class:`Hypothesis` (backends written for 0.2 return strings)."""
    return output if isinstance(output, Hypothesis) else Hypothesis(output)


def usable_cores() -> int:
    """Cores this process may run on (affinity-aware where the OS tells)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def cpu_threading(cores: int) -> tuple[int, int]:
    """(workers, threads per worker) for ``cores`` CPU cores.

    Measured on 2 cores with opus-mt-sized models, for both backends: one
    single-threaded worker per core beats one worker using every core
    (``vi2en bench``), because the small matrices of one decoding step
    parallelise poorly. Beyond four cores, pairs of threads per worker keep the
    number of batches in flight (and memory) down.
    """
    if cores <= 4:
        return cores, 1
    return cores // 2, 2


def read_generation_defaults(model_dir: Path) -> dict[str, int]:
    """``num_beams``, ``max_length`` and ``min_length`` from a model's config files.

    Read as JSON so that no framework is imported: ``generation_config.json``
    first, then ``config.json`` (older checkpoints keep them there).
    """
    defaults: dict[str, int] = {}
    for name in ("config.json", "generation_config.json"):
        path = model_dir / name
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            for key in ("num_beams", "max_length", "min_length"):
                if isinstance(data.get(key), int):
                    defaults[key] = data[key]
    return defaults


def resolve_decoding(decoding: DecodingOptions, defaults: dict[str, int]) -> ResolvedDecoding:
    """Fill unset options from ``defaults`` (a model's generation config)."""
    return ResolvedDecoding(
        beams=decoding.beams or defaults.get("num_beams", 4),
        max_length=decoding.max_length or defaults.get("max_length", 512),
        max_length_ratio=decoding.max_length_ratio,
        min_length=decoding.min_length or defaults.get("min_length", 0),
        redecode_loops=decoding.redecode_loops,
    )


class Backend(ABC):
    """A loaded model that turns batches of source tokens into translations.

    Attributes:
        name: The backend's name in :data:`translate.backends.BACKENDS`.
        compute_types: The ``--compute-type`` values it accepts (``auto`` first).
        max_input_tokens: The longest source (in tokens, end marker included)
            the model accepts; longer sentences are split before they get here.
        description: What was loaded, for the manifest (device, compute type).
        default_batch_size: Sentences per batch unless the user says otherwise.
        default_batch_tokens: Token budget per batch unless the user says otherwise.
    """

    name: ClassVar[str]
    compute_types: ClassVar[tuple[str, ...]] = ("auto",)
    max_input_tokens: int = 512
    description: str = ""
    default_batch_size: int = 32
    default_batch_tokens: int = 4096

    @classmethod
    def resolve_settings(cls, settings: BackendSettings) -> ResolvedSettings:
        """The device and precision ``settings`` stand for here, without loading a model.

        The default, for backends without devices or precisions of their own:
        ``auto`` is the CPU, and ``auto`` precision is float32.
        """
        device = "cpu" if settings.device == "auto" else settings.device
        compute_type = "float32" if settings.compute_type == "auto" else settings.compute_type
        return ResolvedSettings(cls.name, device, compute_type)

    def tokenize(self, texts: Sequence[str]) -> list[Tokens]:
        """Source tokens for each text, the end-of-sentence marker included.

        The default splits on whitespace; model backends use the model's tokenizer.
        """
        return [[*text.split(), "</s>"] for text in texts]

    @abstractmethod
    def translate_batch(
        self, batch: Sequence[Tokens], decoding: ResolvedDecoding
    ) -> Sequence[Hypothesis | str]:
        """Translate one batch of tokenised sentences.

        Args:
            batch: Source tokens of each sentence, as given by :meth:`tokenize`.
            decoding: Resolved decoding settings.

        Returns:
            One translation per input, in order: a :class:`Hypothesis`, or only
            its text (then nothing is known of the length cap or the score).
        """

    def resolve(self, decoding: DecodingOptions) -> ResolvedDecoding:
        """Fill the unset decoding options from the backend's defaults."""
        return resolve_decoding(decoding, self.generation_defaults)

    # The model's decoding defaults; model backends read them from the model's files.
    generation_defaults: dict[str, int] = {"num_beams": 4, "max_length": 512}  # noqa: RUF012

    def translate_batches(
        self, batches: Iterable[Sequence[Tokens]], decoding: ResolvedDecoding
    ) -> Iterator[Sequence[Hypothesis | str]]:
        """Translate several batches, yielding each batch's output in order.

        Backends with parallel workers override this to keep every worker busy.
        """
        for batch in batches:
            yield self.translate_batch(batch, decoding)
