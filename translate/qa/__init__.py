"""Quality checks on sentence pairs: what looks wrong with a translation, and why.

Each check is a small named function of a source sentence and its target; the
:data:`CHECKS` table feeds ``--qa`` and the docs. :func:`check_pair` runs the
chosen checks and returns one :class:`~translate.records.Flag` per problem,
each with a short reason for a person (``number 10.000 → 1,000``). The checks
work on any pair (machine or human translation); ``signals`` are what the
translator knew while decoding (:data:`translate.records.FLAGS`), absent for
an existing corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from translate.records import Flag


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


@dataclass(frozen=True, slots=True)
class Check:
    """One named check of the :data:`CHECKS` table.

    Attributes:
        name: The name used in ``--qa``, flags and the manifest.
        description: One line for ``--help`` and the README.
        function: The check itself.
    """

    name: str
    description: str
    function: CheckFunction


def _truncated(source: str, target: str, context: PairContext) -> list[str]:
    reasons = []
    if "hit_max_length" in context.signals:
        reasons.append("the decoder stopped at the length cap")
    if "split_long" in context.signals:
        reasons.append("over the model's input limit: translated in pieces")
    return reasons


def _loop(source: str, target: str, context: PairContext) -> list[str]:
    if "loop" in context.signals:
        return ["the translation repeats itself in a loop"]
    return []


#: Check name → check, in the order flags are listed.
CHECKS: dict[str, Check] = {
    check.name: check
    for check in (
        Check("truncated", "decoding hit the length cap, or the sentence was split", _truncated),
        Check("loop", "repeated n-grams in the translation", _loop),
    )
}


def check_pair(
    source: str,
    target: str,
    *,
    context: PairContext | None = None,
    checks: Collection[str] | None = None,
) -> tuple[Flag, ...]:
    """Run the ``checks`` (default: all) on one pair.

    Returns:
        One flag per reason found, in the order of :data:`CHECKS`.

    Raises:
        KeyError: A check name is not in :data:`CHECKS`.
    """
    context = context or PairContext()
    names = list(CHECKS) if checks is None else [n for n in CHECKS if n in checks]
    unknown = set(checks or ()) - set(CHECKS)
    if unknown:
        raise KeyError(f"unknown QA check(s): {', '.join(sorted(unknown))}")
    return tuple(
        Flag(name, reason)
        for name in names
        for reason in CHECKS[name].function(source, target, context)
    )


def check_names(values: Sequence[str]) -> tuple[str, ...]:
    """Parse ``--qa`` values (comma lists; ``all``, ``none``) into check names, table order."""
    chosen: set[str] = set()
    for value in values:
        for item in value.split(","):
            name = item.strip().lower()
            if name == "all":
                chosen |= set(CHECKS)
            elif name == "none":
                chosen.clear()
            elif name:
                if name not in CHECKS:
                    raise KeyError(f"unknown QA check {name!r}; known: {', '.join(CHECKS)}")
                chosen.add(name)
    return tuple(n for n in CHECKS if n in chosen)
