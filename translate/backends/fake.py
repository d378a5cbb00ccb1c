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


class LookupBackend(FakeBackend):
    """A fake that knows the answers: a table of source sentence → translation.

    For testing what uses translations (``vi2en align --mt``) with outputs close
    to the truth, e.g. a reference with a few words changed. A sentence found in
    :attr:`table` (its words joined by single spaces) gets the table's text;
    any other is translated like :class:`FakeBackend` does. The table is a
    class attribute so that a backend loaded by name
    (``register_backend("lookup", "translate.backends.fake:LookupBackend")``)
    sees what a test put there.
    """

    name: ClassVar[str] = "lookup"
    table: ClassVar[dict[str, str]] = {}

    def translate_batch(
        self, batch: Sequence[Tokens], decoding: ResolvedDecoding
    ) -> list[Hypothesis]:
        outputs = super().translate_batch(batch, decoding)
        for index, tokens in enumerate(batch):
            key = " ".join(t for t in tokens if t != "</s>")
            if key in self.table:
                outputs[index] = Hypothesis(self.table[key])
        return outputs
