"""The transformers backend: ``AutoModelForSeq2SeqLM.generate`` on sorted batches."""

from __future__ import annotations

import copy
import logging
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
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
from translate.errors import BackendError, ModelLoadError
from translate.families import family_for, read_model_config
from translate.models import ResolvedModel

logger = logging.getLogger(__name__)


def pick_torch_device(device: str) -> str:
    """``auto`` becomes ``cuda`` when a GPU is visible, else ``cpu``."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ModelLoadError("--device cuda was asked for, but torch sees no CUDA device")
    return device


class TransformersBackend(Backend):
    """Translate with a Hugging Face seq2seq model of a family in :mod:`translate.families`."""

    name: ClassVar[str] = "transformers"
    # --compute-type is CTranslate2's: transformers computes in float16 on GPU and
    # float32 on CPU whatever it says (as vi2en always has).
    compute_types: ClassVar[tuple[str, ...]] = ("auto",)

    @classmethod
    def resolve_settings(cls, settings: BackendSettings) -> ResolvedSettings:
        """``auto`` is the GPU when torch sees one; float16 on GPU, float32 on CPU.

        Raises:
            ModelLoadError: ``cuda`` was asked for, but torch sees no GPU.
        """
        device = pick_torch_device(settings.device)
        return ResolvedSettings(cls.name, device, "float16" if device == "cuda" else "float32")

    def __init__(self, model: ResolvedModel, settings: BackendSettings) -> None:
        import torch
        from transformers import AutoModelForSeq2SeqLM
        from transformers.utils import logging as transformers_logging

        # Its weight-loading progress bar would land in the middle of ours.
        transformers_logging.disable_progress_bar()
        model_dir = model.path
        self.family = family_for(model_dir, name=model.name)
        self.tokenizer = load_tokenizer(model_dir, self.family, name=model.name)
        self.device = self.resolve_settings(settings).device
        self.workers = 1
        if self.device == "cpu":
            # Like CTranslate2's inter_threads: batches in parallel, few threads each
            # (torch releases the GIL inside its operators).
            self.workers, per_worker = cpu_threading(settings.threads or usable_cores())
            torch.set_num_threads(per_worker)
        self.default_batch_size = 16 if self.device == "cpu" else 64
        self.default_batch_tokens = 4096 if self.device == "cpu" else 16384
        try:
            loaded = AutoModelForSeq2SeqLM.from_pretrained(str(model_dir))
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"cannot load model weights from {model_dir}: {exc}") from exc
        dtype = torch.float16 if self.device == "cuda" else torch.float32
        self.model: Any = loaded.to(self.device, dtype=dtype).eval()
        # Lengths are counted in new tokens, as CTranslate2 counts them (the defaults
        # were read from the files): a max_length left in the model's config would
        # compete with max_new_tokens and make transformers warn on every batch.
        self.model.generation_config.max_length = None
        self.model.generation_config.min_length = None
        # The family's target-language token, forced as the first output token.
        if self.family.target_forcing == "forced_bos":
            self.model.generation_config.forced_bos_token_id = self.tokenizer.target_id
        elif self.family.target_forcing == "decoder_start":
            self.model.generation_config.decoder_start_token_id = self.tokenizer.target_id
        self.pad_id = int(self.model.config.pad_token_id)
        self.max_input_tokens = self.family.input_limit(read_model_config(model_dir))
        self.generation_defaults = self.family.decoding_defaults(
            read_generation_defaults(model_dir)
        )
        self.description = (
            f"transformers {self.device} {str(dtype).removeprefix('torch.')} "
            f"{self.workers}x{torch.get_num_threads()} threads"
        )

    def tokenize(self, texts: Sequence[str]) -> list[Tokens]:
        return self.tokenizer.tokenize(texts)

    def translate_batch(
        self, batch: Sequence[Tokens], decoding: ResolvedDecoding
    ) -> list[Hypothesis]:
        import torch

        ids = [self.tokenizer.token_ids(tokens) for tokens in batch]
        width = max(len(i) for i in ids)
        input_ids = torch.full((len(ids), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(ids), width), dtype=torch.long)
        for row, sentence in enumerate(ids):
            input_ids[row, : len(sentence)] = torch.tensor(sentence)
            mask[row, : len(sentence)] = 1
        config = self._generation_config(decoding, width)
        # Each step's scores, for the hypothesis' log-probability (its score).
        config.output_scores = True
        config.return_dict_in_generate = True
        try:
            with torch.inference_mode():
                output = self.model.generate(
                    input_ids=input_ids.to(self.device),
                    attention_mask=mask.to(self.device),
                    generation_config=config,
                )
                steps = self._token_log_probs(output, decoding.beams).tolist()
        except (RuntimeError, ValueError) as exc:
            raise BackendError(f"transformers generation failed: {exc}") from exc
        ends = set(_ids(config.eos_token_id))
        # A forced target token (NLLB, M2M100) is the first new token.
        first = 1 if self.family.target_forcing == "forced_bos" else 0
        hypotheses = []
        # Each row starts with the decoder-start token, then the new tokens (a forced
        # target token first, which the tokenizer strips as the family says).
        for ids, log_probs in zip((row.tolist() for row in output.sequences), steps, strict=True):
            generated = _generated(ids[1:], ends)
            capped = generated >= config.max_new_tokens
            # At the cap, forced_eos_token_id (Marian, mBART) forces the end marker.
            last = generated - 1 if capped and config.forced_eos_token_id is not None else generated
            hypotheses.append(
                Hypothesis(
                    self.tokenizer.decode_ids(ids[1:]),
                    hit_max_length=capped,
                    score=_mean(log_probs[first:last]),
                )
            )
        return hypotheses

    def _token_log_probs(self, output: Any, beams: int) -> Any:
        """Each new token's log-probability: a (rows, steps) tensor.

        Greedy search records the processed logits of each step, normalised
        here; beam search records log-probabilities already and the beam each
        row came from.
        """
        if beams > 1:
            return self.model.compute_transition_scores(
                output.sequences, output.scores, output.beam_indices, normalize_logits=False
            )
        return self.model.compute_transition_scores(
            output.sequences, output.scores, normalize_logits=True
        )

    def translate_batches(
        self, batches: Iterable[Sequence[Tokens]], decoding: ResolvedDecoding
    ) -> Iterator[Sequence[Hypothesis | str]]:
        if self.workers == 1:
            yield from super().translate_batches(batches, decoding)
            return
        with ThreadPoolExecutor(self.workers, thread_name_prefix="vi2en-generate") as pool:
            # Submit ahead to keep every worker busy; yield in order.
            pending: deque[Future[list[Hypothesis]]] = deque()
            for batch in batches:
                pending.append(pool.submit(self.translate_batch, batch, decoding))
                if len(pending) > 2 * self.workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()

    def _generation_config(self, decoding: ResolvedDecoding, width: int) -> Any:
        config = copy.deepcopy(self.model.generation_config)
        config.max_new_tokens = decoding.max_length_for(width)
        config.min_new_tokens = decoding.min_length or None
        config.num_beams = decoding.beams
        # Stop a beam search when num_beams hypotheses are finished, as CTranslate2
        # does: the two backends then give the same translations (and it is faster).
        config.early_stopping = True
        config.do_sample = False
        config.no_repeat_ngram_size = decoding.no_repeat_ngram_size or None
        return config


def _ids(value: int | Sequence[int] | None) -> list[int]:
    """A generation config's token id setting (one id, several, or none) as a list."""
    if value is None:
        return []
    return [value] if isinstance(value, int) else list(value)


def _mean(log_probs: Sequence[float]) -> float | None:
    """The length-normalised log-probability: the mean over the generated tokens.

    The caller leaves the forced tokens out (see :attr:`Hypothesis.score`), as the
    CTranslate2 backend does, so both backends' scores compare.
    """
    return sum(log_probs) / len(log_probs) if log_probs else None


def _generated(ids: Sequence[int], ends: set[int]) -> int:
    """New tokens up to and including the first end marker (all of them without one).

    A row that used every new token ran into the cap; Marian's config forces
    the end marker onto the last position, so that marker counts.
    """
    for position, token in enumerate(ids):
        if token in ends:
            return position + 1
    return len(ids)
