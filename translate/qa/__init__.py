"""Quality checks on sentence pairs: what looks wrong with a translation, and why.

Each check is a small named function of a source sentence and its target; the
:data:`CHECKS` table feeds ``--qa`` and the docs. :func:`check_pair` runs the
chosen checks and returns one :class:`~translate.records.Flag` per problem,
each with a short reason for a person (``number 10.000 → 1,000``). The checks
work on any pair (machine or human translation); ``signals`` are what the
translator knew while decoding (:data:`translate.records.FLAGS`), absent for
an existing corpus.

The checks live in :mod:`translate.qa.numbers` (Vietnamese and English number
conventions), :mod:`translate.qa.language` (``untranslated``, ``verbatim``) and
:mod:`translate.qa.shape` (``length_ratio`` and its calibration, ``loop``,
``truncated``); ``tests/benchmarks/qa.py`` measures them on human translations.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from translate.qa.base import CheckFunction, PairContext
from translate.qa.language import check_untranslated, check_verbatim
from translate.qa.numbers import check_numbers
from translate.qa.shape import check_length_ratio, check_loop, check_truncated
from translate.records import Flag

__all__ = [
    "CHECKS",
    "QA_VERSION",
    "Check",
    "CheckFunction",
    "PairContext",
    "check_names",
    "check_pair",
]

#: The checks' behaviour: bumped whenever a check flags other pairs for the same text, so that
#: a run's settings (``qa_version`` next to ``qa``) tell which checks flagged its pairs.
QA_VERSION = "3"


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


#: Check name → check, in the order flags are listed.
CHECKS: dict[str, Check] = {
    check.name: check
    for check in (
        Check(
            "numbers",
            "numbers missing, changed or extra (Vietnamese conventions read)",
            check_numbers,
        ),
        Check("untranslated", "the target is Vietnamese, or copies the source", check_untranslated),
        Check(
            "length_ratio", "target/source length outside the calibrated range", check_length_ratio
        ),
        Check("loop", "repeated n-grams, or far longer than the source", check_loop),
        Check("truncated", "cut at the length cap, split, or ending mid-sentence", check_truncated),
        Check("verbatim", "URLs, e-mails, Latin-script names and codes not copied", check_verbatim),
    )
}


#: The most flags one check gives one pair.
MAX_REASONS = 5


def check_pair(
    source: str,
    target: str,
    *,
    context: PairContext | None = None,
    checks: Collection[str] | None = None,
) -> tuple[Flag, ...]:
    """Run the ``checks`` (default: all) on one pair.

    Returns:
        One flag per reason found, in the order of :data:`CHECKS`; at most
        :data:`MAX_REASONS` per check (the last then says how many more there
        were), so that one pathological pair cannot flood the outputs.

    Raises:
        KeyError: A check name is not in :data:`CHECKS`.
    """
    context = context or PairContext()
    names = list(CHECKS) if checks is None else [n for n in CHECKS if n in checks]
    unknown = set(checks or ()) - set(CHECKS)
    if unknown:
        raise KeyError(f"unknown QA check(s): {', '.join(sorted(unknown))}")
    flags: list[Flag] = []
    for name in names:
        reasons = CHECKS[name].function(source, target, context)
        if len(reasons) > MAX_REASONS:
            more = len(reasons) - MAX_REASONS + 1
            reasons = [*reasons[: MAX_REASONS - 1], f"and {more} more"]
        flags.extend(Flag(name, reason) for reason in reasons)
    return tuple(flags)


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
