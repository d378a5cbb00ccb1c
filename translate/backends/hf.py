"""The transformers backend: ``AutoModelForSeq2SeqLM.generate`` on sorted batches."""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from translate.backends.base import (
    Backend,
    ResolvedDecoding,
    Tokens,
    read_generation_defaults,
)
from translate.backends.tokenizers import load_tokenizer
from translate.errors import BackendError, ModelLoadError

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
    """Translate with a Hugging Face seq2seq model (MarianMT first, any seq2seq model works)."""

    name: ClassVar[str] = "transformers"

    def __init__(
        self, model_dir: Path, *, device: str = "auto", threads: int | None = None
    ) -> None:
        import torch
        from transformers import AutoModelForSeq2SeqLM
        from transformers.utils import logging as transformers_logging

        # Its weight-loading progress bar would land in the middle of ours.
        transformers_logging.disable_progress_bar()
        if threads:
            torch.set_num_threads(threads)
        self.tokenizer = load_tokenizer(model_dir)
        self.device = pick_torch_device(device)
        try:
            model = AutoModelForSeq2SeqLM.from_pretrained(str(model_dir))
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"cannot load model weights from {model_dir}: {exc}") from exc
        dtype = torch.float16 if self.device == "cuda" else torch.float32
        self.model: Any = model.to(self.device, dtype=dtype).eval()
        # Lengths are counted in new tokens, as CTranslate2 counts them (the defaults
        # were read from the files): a max_length left in the model's config would
        # compete with max_new_tokens and make transformers warn on every batch.
        self.model.generation_config.max_length = None
        self.model.generation_config.min_length = None
        self.pad_id = int(self.model.config.pad_token_id)
        self.max_input_tokens = int(getattr(self.model.config, "max_position_embeddings", 512))
        self.generation_defaults = read_generation_defaults(model_dir)
        self.description = f"transformers {self.device} {str(dtype).removeprefix('torch.')}"

    def tokenize(self, texts: Sequence[str]) -> list[Tokens]:
        return self.tokenizer.tokenize(texts)

    def translate_batch(self, batch: Sequence[Tokens], decoding: ResolvedDecoding) -> list[str]:
        import torch

        ids = [self.tokenizer.token_ids(tokens) for tokens in batch]
        width = max(len(i) for i in ids)
        input_ids = torch.full((len(ids), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(ids), width), dtype=torch.long)
        for row, sentence in enumerate(ids):
            input_ids[row, : len(sentence)] = torch.tensor(sentence)
            mask[row, : len(sentence)] = 1
        try:
            with torch.inference_mode():
                output = self.model.generate(
                    input_ids=input_ids.to(self.device),
                    attention_mask=mask.to(self.device),
                    generation_config=self._generation_config(decoding, width),
                )
        except (RuntimeError, ValueError) as exc:
            raise BackendError(f"transformers generation failed: {exc}") from exc
        return [self.tokenizer.decode_ids(row.tolist()) for row in output]

    def _generation_config(self, decoding: ResolvedDecoding, width: int) -> Any:
        config = copy.deepcopy(self.model.generation_config)
        config.max_new_tokens = decoding.max_length_for(width)
        config.min_new_tokens = decoding.min_length or None
        config.num_beams = decoding.beams
        config.do_sample = False
        config.no_repeat_ngram_size = decoding.no_repeat_ngram_size or None
        return config
