"""A deterministic stand-in for a model, so everything above the model tests in milliseconds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from translate.backends.base import Backend, ResolvedDecoding, Tokens
from translate.errors import BackendError


class FakeBackend(Backend):
    """ "Translates" by upper-casing each word and tagging the sentence ``EN:``.

    Attributes:
        calls: Every batch it was given, to let tests see what reached the model.
        fail_on: Source words that make a batch raise, to test error isolation.
    """

    name: ClassVar[str] = "fake"

    def __init__(self, *, max_input_tokens: int = 512, fail_on: Sequence[str] = ()) -> None:
        self.max_input_tokens = max_input_tokens
        self.calls: list[list[Tokens]] = []
        self.fail_on = set(fail_on)
        self.description = "fake"

    def translate_batch(self, batch: Sequence[Tokens], decoding: ResolvedDecoding) -> list[str]:
        self.calls.append([list(tokens) for tokens in batch])
        outputs = []
        for tokens in batch:
            words = [t for t in tokens if t != "</s>"]
            if self.fail_on.intersection(words):
                raise BackendError(f"fake failure on {' '.join(words)!r}")
            outputs.append("EN: " + " ".join(w.upper() for w in words))
        return outputs
