"""A chrF-like similarity of a machine translation to an English candidate.

Character n-grams (1 to 6, spaces removed) counted once per sentence, so that a
merged side is the sum of its sentences' counts and no link re-reads its text;
the F-score weighs recall twice as much as precision (β = 2), as chrF does.
sacrebleu's ``sentence_chrf`` gives nearly the same number but re-counts both
texts on every call, and the aligner compares each sentence with a dozen
candidates.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

ORDER = 6
_BETA2 = 4.0

#: Character n-gram counts of one text, one Counter per order.
NGrams = tuple[Counter[str], ...]


def ngrams(text: str) -> NGrams:
    """The character n-gram counts (orders 1 to :data:`ORDER`) of ``text``."""
    chars = "".join(text.split())
    return tuple(
        Counter(chars[k : k + n] for k in range(len(chars) - n + 1)) for n in range(1, ORDER + 1)
    )


def merge(parts: Sequence[NGrams]) -> NGrams:
    """The counts of several texts together."""
    if len(parts) == 1:
        return parts[0]
    return tuple(sum((p[n] for p in parts), Counter()) for n in range(ORDER))


def chrf(hypothesis: NGrams, reference: NGrams) -> float:
    """chrF (β = 2, orders averaged) of ``hypothesis`` against ``reference``, in [0, 1]."""
    precision = recall = 0.0
    orders = 0
    for hyp, ref in zip(hypothesis, reference, strict=True):
        hyp_total, ref_total = hyp.total(), ref.total()
        if not hyp_total or not ref_total:
            continue
        small, large = (hyp, ref) if len(hyp) < len(ref) else (ref, hyp)
        common = sum(min(count, large[gram]) for gram, count in small.items() if gram in large)
        precision += common / hyp_total
        recall += common / ref_total
        orders += 1
    if not orders:
        return 0.0
    precision, recall = precision / orders, recall / orders
    if not precision + recall:
        return 0.0
    return (1 + _BETA2) * precision * recall / (_BETA2 * precision + recall)
