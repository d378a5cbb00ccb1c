"""Calibrated evidence for a link: sentence lengths (Gale–Church) and anchor hit rates.

Every figure here was measured on human vi→en translations that are not the
alignment benchmark: FLORES-200 devtest (1 012 pairs) and IWSLT15 tst2012 +
tst2013 (2 821 pairs, detokenised with sacremoses), pooled — 3 833 pairs. Run
``python tests/benchmarks/align.py --calibrate`` to measure them again.

Lengths are in characters. English length ``e`` given Vietnamese length ``v``
is normal with mean ``c·v`` and variance ``s²·v`` (Gale & Church 1993):

============  ======  ======  ==========  ==========
set           c       s²      mean e/v    var e/v
============  ======  ======  ==========  ==========
FLORES        0.952   2.38    0.968       0.021
IWSLT         0.941   2.71    0.960       0.043
pooled (used) 0.945   2.62    0.962       0.037
NTREX-128     0.914   2.45    0.921       0.025
============  ======  ======  ==========  ==========

(NTREX-128, which the benchmark is built from, only for comparison.) The
English length of one sentence, and of two adjacent ones joined, is log-normal
(pooled: log-mean 4.42, sd 0.66; two: 5.20, sd 0.50). A link's length evidence
is the log-likelihood ratio of its English length given the Vietnamese one
against that marginal — zero for a sentence left unaligned.

Anchor keys (:mod:`translate.align.anchors`) hit the aligned sentence at rate
``hit`` and a neighbour (one or two sentences away) at rate ``chance``
(pooled; numbers with spelled-out English ones):

=========  ============  ============
category   vi hit/chance en hit/chance
=========  ============  ============
num        0.850/0.031   0.947/0.019
date       0.963/0.019   0.839/0.016
name       0.857/0.078   0.433/0.036
punct      0.918/0.232   0.952/0.241
=========  ============  ============

(URLs and e-mails do not occur in these sets; they take the number rates.)
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from translate.align.anchors import CATEGORIES, Anchors, category

#: Gale–Church slope and variance per character (pooled FLORES + IWSLT).
RATIO = 0.945
VARIANCE = 2.62
#: Log-normal English length of one sentence and of two joined (log-mean, sd).
ENGLISH_LENGTH = ((4.42, 0.66), (5.20, 0.50))

#: (hit, chance) per anchor category, Vietnamese side then English side.
HIT_RATES: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "num": ((0.850, 0.031), (0.947, 0.019)),
    "date": ((0.963, 0.019), (0.839, 0.016)),
    "name": ((0.857, 0.078), (0.433, 0.036)),
    "link": ((0.850, 0.031), (0.947, 0.019)),
    "punct": ((0.918, 0.232), (0.952, 0.241)),
}

_LOG_2PI = math.log(2 * math.pi)


def _log_normal_pdf(x: float, mean: float, variance: float) -> float:
    return -0.5 * (_LOG_2PI + math.log(variance) + (x - mean) ** 2 / variance)


@functools.lru_cache(maxsize=65536)
def english_marginal(length: int, sentences: int) -> float:
    """Log-density of an English length (``sentences`` joined) with no source."""
    mean, sd = ENGLISH_LENGTH[min(sentences, len(ENGLISH_LENGTH)) - 1]
    if sentences > len(ENGLISH_LENGTH):
        mean += math.log(sentences / len(ENGLISH_LENGTH))
    x = math.log(max(length, 1))
    return _log_normal_pdf(x, mean, sd * sd) - x


def length_evidence(source: int, target: int, target_sentences: int) -> float:
    """Log-likelihood ratio of a link's lengths: aligned against unrelated.

    Args:
        source: Characters on the Vietnamese side (joined with spaces).
        target: Characters on the English side (joined with spaces).
        target_sentences: English sentences joined into ``target``.
    """
    v = max(source, 1)
    aligned = _log_normal_pdf(target, RATIO * v, VARIANCE * v)
    return aligned - english_marginal(target, target_sentences)


@dataclass(frozen=True, slots=True)
class _Weights:
    hit: float
    miss: float


def _weights(hit: float, chance: float) -> _Weights:
    return _Weights(math.log(hit / chance), math.log((1 - hit) / (1 - chance)))


_VI_WEIGHTS = {c: _weights(*HIT_RATES[c][0]) for c in CATEGORIES}
_EN_WEIGHTS = {c: _weights(*HIT_RATES[c][1]) for c in CATEGORIES}
_VI_PREFIX_WEIGHTS = {p: _VI_WEIGHTS[category(p + ":")] for p in "nmdwup"}
_EN_PREFIX_WEIGHTS = {p: _EN_WEIGHTS[category(p + ":")] for p in "nmdwup"}


def _side_evidence(mine: Anchors, other: Anchors, weights: dict[str, _Weights]) -> float:
    total = 0.0
    keys, words = other.keys, other.words
    for key in mine.keys:
        w = weights[key[0]]
        hit = key in keys or key in words or (key[0] == "w" and key[2:] in words)
        total += w.hit if hit else w.miss
    return total


def anchor_evidence(source: Anchors, target: Anchors) -> float:
    """Log-likelihood ratio of the anchors of a link: aligned against unrelated."""
    return _side_evidence(source, target, _VI_PREFIX_WEIGHTS) + _side_evidence(
        target, source, _EN_PREFIX_WEIGHTS
    )
