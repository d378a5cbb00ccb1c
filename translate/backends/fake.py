"""A deterministic stand-in for a model, so everything above the model tests in milliseconds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from translate.backends.base import (
    Backend,
    BackendSettings,
    Hypothesis,
    ResolvedDecoding,
    Tokens,
)
from translate.errors import BackendError
from translate.models import ResolvedModel


class FakeBackend(Backend):
    """ "Translates" by upper-casing each word and tagging the sentence ``EN:``.

    Each word and the tag count as one target token: an output over the
    decoding's length cap is cut there and marked ``hit_max_length``. Injected
    as an object (``Translator(backend=FakeBackend())``), or loaded by name
    once registered: ``register_backend("fake", "translate.backends.fake:FakeBackend")``.

    Attributes:
        calls: Every batch it was given, to let tests see what reached the model.
        fail_on: Source words that make a batch raise, to test error isolation.
    """

    name: ClassVar[str] = "fake"

    def __init__(
        self,
        model: ResolvedModel | None = None,
        settings: BackendSettings | None = None,
        *,
        max_input_tokens: int = 512,
        fail_on: Sequence[str] = (),
    ) -> None:
        # ``model`` and ``settings`` make it loadable from the backend table like the
        # real backends (``register_backend("fake", ...)``); it needs no weights.
        self.max_input_tokens = max_input_tokens
        self.calls: list[list[Tokens]] = []
        self.fail_on = set(fail_on)
        self.description = "fake"

    def translate_batch(
        self, batch: Sequence[Tokens], decoding: ResolvedDecoding
    ) -> list[Hypothesis]:
        self.calls.append([list(tokens) for tokens in batch])
        cap = decoding.max_length_for(max(len(tokens) for tokens in batch))
        outputs = []
        for tokens in batch:
            words = [t for t in tokens if t != "</s>"]
            if self.fail_on.intersection(words):
                raise BackendError(f"fake failure on {' '.join(words)!r}")
            target = ["EN:", *(w.upper() for w in words)]
            outputs.append(Hypothesis(" ".join(target[:cap]), hit_max_length=len(target) > cap))
        return outputs
