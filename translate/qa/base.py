"""What every QA check is given: the pair's context, and the shape of a check function."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PairContext:
    """What a check may know about a pair beyond its two texts.

    Attributes:
        signals: The translator's flags for this pair (``split_long``,
            ``hit_max_length``, ``loop``, ``redecoded``); empty for a corpus.
        score: The model's length-normalised log-probability, if any.
        family: The model family's name (:mod:`translate.families`), for
            calibrated limits; ``None`` for human translations.
    """

    signals: tuple[str, ...] = ()
    score: float | None = None
    family: str | None = None


#: A check: (source, target, context) → the reasons it finds (empty: nothing wrong).
CheckFunction = Callable[[str, str, PairContext], list[str]]
