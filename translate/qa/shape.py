"""The ``length_ratio``, ``loop`` and ``truncated`` checks: the shape of a translation.

Length ratio calibration
------------------------
The ratio is the target's length over the source's, in characters (stripped).
A pair passes when ``low × len(source) − slack ≤ len(target) ≤ high ×
len(source) + slack``; the slack (in characters) is the floor that keeps short
sentences and headlines from being flagged for a word more or less.

Human translations (English references of Vietnamese text):

============================  =====  ======  =====  ======  ======
set                           pairs  p0.5    p50    p99.5   median source chars
============================  =====  ======  =====  ======  ======
FLORES-200 devtest vi→en      1012   0.661   0.957  1.452   130
NTREX-128 (en→vi, read back)  1997   0.553   0.911  1.452   128
Tatoeba vi-en (short)         2500   0.535   0.951  1.971   33
============================  =====  ======  =====  ======  ======

With a slack of 10 characters, FLORES' 0.5th and 99.5th percentiles of the
bounds are 0.734 and 1.321 (NTREX 0.674 and 1.277, Tatoeba 0.748 and 1.368).
The default row, tuned on FLORES only, is ``(0.70, 1.35, 10)``; NTREX and
Tatoeba are held out (their false-positive rates are in the README's QA
table, from ``tests/benchmarks/qa.py``). Rows per model family
(:mod:`translate.families` names) go in :data:`LENGTH_LIMITS`; no family has
machine output calibrated yet, so every family uses the default.
"""

from __future__ import annotations

from translate.qa.base import PairContext
from translate.text import find_ngram_loop

__all__ = ["LENGTH_LIMITS", "LengthLimits", "check_length_ratio", "check_loop", "check_truncated"]

#: (low, high, slack in characters) of the length check.
LengthLimits = tuple[float, float, int]

#: Model family name → length limits; ``default`` is the human calibration above.
LENGTH_LIMITS: dict[str, LengthLimits] = {"default": (0.70, 1.35, 10)}

# A loop is a 1..8-word sequence said 3 times in a row. translator.py's detector wants
# 4 times, of up to 4 words, before it re-decodes; a QA pass looks further, for phrases.
# Of the 7 062 human pairs of FLORES, NTREX, Tatoeba and IWSLT15 one has such a run
# ("blah , blah , blah , ...", 5 times).
_LOOP_MAX_N = 8
_LOOP_REPEATS = 3
# Far longer than any human translation: a hallucination, not a wordy one.
_RUNAWAY_FACTOR = 2.0
_FINAL = ".!?…。"
_CLOSING = "\"'”’»)]}*"
# English words a sentence does not end with: a target that does was cut.
_DANGLING = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "with",
        "and",
        "or",
        "but",
        "that",
        "which",
        "who",
        "whose",
        "whom",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "will",
        "would",
        "can",
        "could",
        "should",
        "may",
        "might",
        "must",
        "its",
        "their",
        "his",
        "her",
        "our",
        "your",
        "my",
        "this",
        "these",
        "those",
        "than",
        "into",
        "about",
        "after",
        "before",
        "over",
        "under",
        "between",
        "during",
        "while",
        "if",
        "because",
        "when",
        "where",
        "not",
        "no",
        "very",
        "more",
        "most",
    ]
)


def limits_for(family: str | None) -> LengthLimits:
    """The length limits of a model family (the human calibration if it has no row)."""
    return LENGTH_LIMITS.get(family or "default", LENGTH_LIMITS["default"])


def _bounds(source_length: int, family: str | None) -> tuple[float, float]:
    low, high, slack = limits_for(family)
    return low * source_length - slack, high * source_length + slack


def check_length_ratio(source: str, target: str, context: PairContext) -> list[str]:
    """The ``length_ratio`` check: ``length ratio 3.4 (expected 0.8–2.2)``."""
    source_length, target_length = len(source.strip()), len(target.strip())
    if not source_length or not target_length:
        return []
    lowest, highest = _bounds(source_length, context.family)
    if lowest <= target_length <= highest:
        return []
    ratio = target_length / source_length
    low, high = max(lowest, 0) / source_length, highest / source_length
    return [f"length ratio {ratio:.2f} (expected {low:.2f}–{high:.2f})"]


def check_loop(source: str, target: str, context: PairContext) -> list[str]:
    """The ``loop`` check: the translator's signal, a repeated n-gram, or runaway length."""
    reasons = []
    found = find_ngram_loop(target, max_n=_LOOP_MAX_N, repeats=_LOOP_REPEATS)
    if found is not None:
        ngram, times = found
        reasons.append(f"{len(ngram.split())}-gram '{ngram}' repeated {times} times")
    elif "loop" in context.signals:  # one reason for one loop: the n-gram's, where it is seen
        reasons.append("the translation repeats itself in a loop")
    source_length = len(source.strip())
    if (
        source_length
        and len(target.strip()) > _RUNAWAY_FACTOR * _bounds(source_length, context.family)[1]
    ):
        ratio = len(target.strip()) / source_length
        reasons.append(f"target {ratio:.1f} times as long as the source")
    return reasons


def _ends_sentence(text: str) -> bool:
    text = text.rstrip().rstrip(_CLOSING)
    if not text.endswith(tuple(_FINAL)):
        return False
    last = text.rsplit(None, 1)[-1]
    return last not in _TITLES


# Abbreviations that end in a full stop but never end a sentence.
_TITLES = frozenset(
    [
        "Mr.",
        "Mrs.",
        "Ms.",
        "Dr.",
        "St.",
        "Prof.",
        "Gen.",
        "Sen.",
        "Rep.",
        "Gov.",
        "Lt.",
        "Col.",
        "Capt.",
        "Sgt.",
        "No.",
        "Mt.",
        "Jr.",
        "vs.",
    ]
)
# A headline has no final punctuation: without that cue, only a target far
# shorter than its source (below every human headline but a few) counts as cut.
_HEADLINE_CUT = 0.6


def check_truncated(source: str, target: str, context: PairContext) -> list[str]:
    """The ``truncated`` check: the translator's signals, or a target that stops mid-sentence.

    Without signals (an existing corpus), a target is cut when it is shorter
    than the length check's expectation for a complete sentence (below the
    middle of the calibrated range) and either ends without the final
    punctuation its source has, or ends on a word no English sentence ends with
    (``the``, ``of``, ``and``); a target ending on such a word without final
    punctuation is cut up to the length check's upper bound.
    """
    reasons = []
    if "hit_max_length" in context.signals:
        reasons.append("the decoder stopped at the length cap")
    if "split_long" in context.signals:
        reasons.append("over the model's input limit: translated in pieces")
    source_length, stripped = len(source.strip()), target.strip()
    if reasons or not source_length or not stripped:
        return reasons
    low, high, _ = limits_for(context.family)
    words = stripped.rstrip(_CLOSING).split()
    last = words[-1].lower().strip(",;:-–—") if words else ""
    # Ending on "of" or "the" without a full stop is the surest cue: then any target
    # within the length check's range may be cut (English runs longer than Vietnamese).
    dangling = last in _DANGLING and not _ends_sentence(stripped)
    longest = _bounds(source_length, context.family)[1] if dangling else 0.0
    if len(stripped) >= max(longest, (low + high) / 2 * source_length):
        return reasons
    if _ends_sentence(source) and not _ends_sentence(stripped):
        reasons.append("target ends mid-sentence: no final punctuation")
    elif last in _DANGLING:
        reasons.append(f"target ends mid-sentence: on '{words[-1]}'")
    elif not _ends_sentence(source) and len(stripped) < _HEADLINE_CUT * source_length:
        ratio = len(stripped) / source_length
        reasons.append(f"target {ratio:.2f} times as long as the source: cut short")
    return reasons
