"""The dynamic programme: the cheapest monotone path of links through a band.

A node ``(i, j)`` means "the first ``i`` Vietnamese and ``j`` English sentences
are aligned". A link of kind ``a-b`` goes from ``(i, j)`` to ``(i + a, j + b)``
and costs ``-log prior(a-b) - evidence``, the evidence being the log-likelihood
ratio of its lengths, anchors and (with translations) MT similarity against
"unrelated" (zero for a sentence left unaligned). Only nodes within a width of
a centre line are kept: first the line that maps cumulative characters of one
side onto the other (or, on long documents, an alignment of blocks of
sentences), then the previous best path, widened around each place where that
path touched the band's edge, until it touches it nowhere. Cost is linear in
the number of sentences for a bounded width.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from translate.align.anchors import EMPTY, Anchors, english_anchors, vietnamese_anchors
from translate.align.lengths import anchor_evidence, length_evidence
from translate.align.similarity import NGrams, chrf, merge, ngrams

_INF = math.inf
#: Documents with at least this many sentences on each side take their band's
#: centre from an alignment of blocks of BLOCK sentences (vecalign's idea), so
#: that the band need not widen with the drift of long documents.
COARSE_FROM = 256
BLOCK = 4
#: Where the best path touches the band's edge, the band widens over this many
#: widths either side.
WIDEN_AROUND = 4


@dataclass(frozen=True, slots=True)
class Costs:
    """What the path search weighs (see :class:`translate.align.AlignSettings`)."""

    priors: tuple[tuple[int, int, float], ...]
    width: int
    anchor_weight: float
    mt_weight: float
    mt_offset: float
    paragraph_penalty: float


@dataclass(frozen=True, slots=True)
class RawLink:
    """A link as the search finds it: sentence ranges, its evidence, its kind."""

    source: range
    target: range
    evidence: float


class _Evidence:
    """Per-sentence features, and the evidence of any candidate link."""

    def __init__(
        self,
        source: Sequence[str],
        target: Sequence[str],
        translations: Sequence[str] | None,
        costs: Costs,
        block: int = 1,
    ) -> None:
        self.costs = costs
        self.block = block
        self.source_prefix = _prefix([len(s) for s in source])
        self.target_prefix = _prefix([len(t) for t in target])
        self.source_anchors = [vietnamese_anchors(s) for s in source]
        self.target_anchors = [english_anchors(t) for t in target]
        self.mt: list[NGrams] | None = None
        self.reference: list[NGrams] = []
        if translations is not None:
            self.mt = [ngrams(t) for t in translations]
            self.reference = [ngrams(t) for t in target]
        # Keyed by one int, not a tuple: millions of tuples would keep the
        # garbage collector busy, and long documents would get slower per sentence.
        self.cache: dict[int, float] = {}
        self.columns = len(target) + 1

    def of(self, i: int, a: int, j: int, b: int) -> float:
        """The evidence of linking source ``i:i+a`` with target ``j:j+b`` (both non-empty)."""
        key = ((i * self.columns + j) * 4 + a) * 4 + b
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        costs = self.costs
        source_length = self.source_prefix[i + a] - self.source_prefix[i] + a - 1
        target_length = self.target_prefix[j + b] - self.target_prefix[j] + b - 1
        evidence = length_evidence(source_length, target_length, b * self.block)
        source_anchors = (
            self.source_anchors[i] if a == 1 else _union(self.source_anchors[i : i + a])
        )
        target_anchors = (
            self.target_anchors[j] if b == 1 else _union(self.target_anchors[j : j + b])
        )
        if source_anchors.keys or target_anchors.keys:
            evidence += costs.anchor_weight * anchor_evidence(source_anchors, target_anchors)
        if self.mt is not None:
            similarity = chrf(merge(self.mt[i : i + a]), merge(self.reference[j : j + b]))
            evidence += costs.mt_weight * (similarity - costs.mt_offset)
        self.cache[key] = evidence
        return evidence


def _prefix(lengths: list[int]) -> list[int]:
    prefix = [0]
    for length in lengths:
        prefix.append(prefix[-1] + length)
    return prefix


def _union(parts: Sequence[Anchors]) -> Anchors:
    if len(parts) == 1:
        return parts[0]
    merged = EMPTY
    for part in parts:
        merged = merged | part
    return merged


def _boundaries(paragraphs: Sequence[int] | None, count: int) -> list[bool]:
    """``boundary[k]``: a paragraph starts at sentence ``k`` (ends included as True)."""
    if paragraphs is None:
        return [False] * (count + 1)
    return [True] + [paragraphs[k - 1] != paragraphs[k] for k in range(1, count)] + [True]


def align(
    source: Sequence[str],
    target: Sequence[str],
    translations: Sequence[str] | None,
    source_paragraphs: Sequence[int] | None,
    target_paragraphs: Sequence[int] | None,
    costs: Costs,
    *,
    block: int = 1,
) -> list[RawLink]:
    """The best path of links, widening the band until the path keeps off its edge.

    ``block``: sentences per item (:func:`_coarse_line` aligns blocks of them).
    """
    n, m = len(source), len(target)
    evidence = _Evidence(source, target, translations, costs, block)
    source_breaks = _boundaries(source_paragraphs, n)
    soft = source_paragraphs is not None and target_paragraphs is not None
    target_breaks = _boundaries(target_paragraphs if soft else None, m)
    if min(n, m) >= COARSE_FROM:
        centre = _coarse_line(source, target, costs, block, evidence)
    else:
        centre = _length_line(evidence.source_prefix, evidence.target_prefix)
    step = max(costs.width, 1)
    widths = [step] * (n + 1)
    while True:
        lo, hi = _band(centre, widths, n, m)
        path = _search(n, m, lo, hi, evidence, source_breaks, target_breaks, soft)
        touched = _touched_rows(path, lo, hi, m)
        if not touched or min(widths[i] for i in touched) >= m:
            break
        centre = _path_line(path, n)
        # Widen only around where the path met the edge: the rest of a long document
        # keeps its narrow band, so the cost stays linear.
        widths = _widened(widths, touched, step, n)
    return [
        RawLink(range(i, i2), range(j, j2), _link_evidence(evidence, i, i2, j, j2, n, m))
        for (i, j), (i2, j2) in itertools.pairwise(path)
    ]


def _link_evidence(evidence: _Evidence, i: int, i2: int, j: int, j2: int, n: int, m: int) -> float:
    """A link's evidence; for an unaligned sentence, that of its best 1-1 rival.

    The rivals of Vietnamese sentence ``i`` left out at English position ``j``
    are English sentences ``j - 1`` and ``j`` (and the other way round).
    """
    if i2 > i and j2 > j:
        return evidence.of(i, i2 - i, j, j2 - j)
    if i2 > i:
        rivals = [evidence.of(i, 1, k, 1) for k in (j - 1, j) if 0 <= k < m]
    else:
        rivals = [evidence.of(k, 1, j, 1) for k in (i - 1, i) if 0 <= k < n]
    return max(rivals, default=-_INF)


def _coarse_line(
    source: Sequence[str], target: Sequence[str], costs: Costs, block: int, evidence: _Evidence
) -> list[tuple[int, int]]:
    """The centre line from aligning blocks of :data:`BLOCK` sentences (recursively).

    Inside each block link, rows follow the link's characters proportionally.
    """
    n, m = len(source), len(target)
    coarse = align(_blocks(source), _blocks(target), None, None, None, costs, block=block * BLOCK)
    source_prefix, target_prefix = evidence.source_prefix, evidence.target_prefix
    path: list[tuple[int, int]] = [(0, 0)]
    for link in coarse:
        i0, i1 = min(link.source.start * BLOCK, n), min(link.source.stop * BLOCK, n)
        j0, j1 = min(link.target.start * BLOCK, m), min(link.target.stop * BLOCK, m)
        span_source = max(source_prefix[i1] - source_prefix[i0], 1)
        span_target = target_prefix[j1] - target_prefix[j0]
        for i in range(i0 + 1, i1 + 1):
            wanted = (
                target_prefix[j0]
                + (source_prefix[i] - source_prefix[i0]) / span_source * span_target
            )
            j = bisect.bisect_left(target_prefix, wanted, j0, j1)
            path.append((i, max(path[-1][1], min(j, j1))))
        path.append((i1, j1))
    return _path_line(path, n)


def _blocks(sentences: Sequence[str]) -> list[str]:
    return [" ".join(sentences[k : k + BLOCK]) for k in range(0, len(sentences), BLOCK)]


def _length_line(source_prefix: list[int], target_prefix: list[int]) -> list[tuple[int, int]]:
    """For each row, the English sentence at the same relative character offset."""
    n, m = len(source_prefix) - 1, len(target_prefix) - 1
    total_source, total_target = max(source_prefix[-1], 1), max(target_prefix[-1], 1)
    line, j = [], 0
    for i in range(n + 1):
        wanted = source_prefix[i] / total_source * total_target
        while j < m and target_prefix[j + 1] <= wanted:
            j += 1
        if j < m and wanted - target_prefix[j] > target_prefix[j + 1] - wanted:
            j += 1
        line.append((j, j))
    line[-1] = (line[-1][0], m)
    return line


def _path_line(path: list[tuple[int, int]], n: int) -> list[tuple[int, int]]:
    """For each row, the span of English positions the path takes through it."""
    first: list[int | None] = [None] * (n + 1)
    last: list[int | None] = [None] * (n + 1)
    for i, j in path:
        if first[i] is None:
            first[i] = j
        last[i] = j
    line: list[tuple[int, int]] = []
    after = path[-1][1]
    following: list[int] = [0] * (n + 1)
    for i in range(n, -1, -1):
        here = first[i]
        if here is not None:
            after = here
        following[i] = after
    before = 0
    for i in range(n + 1):
        low, high = first[i], last[i]
        if low is None or high is None:
            low, high = before, following[i]
        before = high
        line.append((low, high))
    return line


def _band(
    centre: list[tuple[int, int]], widths: list[int], n: int, m: int
) -> tuple[list[int], list[int]]:
    lo: list[int] = []
    hi: list[int] = []
    for i in range(n + 1):
        low = max(0, centre[i][0] - widths[i])
        high = min(m, centre[i][1] + widths[i])
        if i:
            low = min(low, hi[-1])  # keep every row reachable from the one before
        lo.append(low)
        hi.append(max(high, low))
    lo[0], hi[-1] = 0, m
    return lo, hi


def _widened(widths: list[int], touched: list[int], step: int, n: int) -> list[int]:
    """``widths`` with ``step`` more within :data:`WIDEN_AROUND` widths of each touched row."""
    wider = list(widths)
    for row in touched:
        reach = WIDEN_AROUND * widths[row]
        for i in range(max(0, row - reach), min(n, row + reach) + 1):
            wider[i] = max(wider[i], widths[row] + step)
    return wider


def _touched_rows(path: list[tuple[int, int]], lo: list[int], hi: list[int], m: int) -> list[int]:
    """The rows where the path runs along the band's edge."""
    return sorted({i for i, j in path if (j == lo[i] and j > 0) or (j == hi[i] and j < m)})


def _search(
    n: int,
    m: int,
    lo: list[int],
    hi: list[int],
    evidence: _Evidence,
    source_breaks: list[bool],
    target_breaks: list[bool],
    soft: bool,
) -> list[tuple[int, int]]:
    costs = evidence.costs
    kinds = [(a, b, -math.log(p)) for a, b, p in costs.priors if p > 0]
    penalty = costs.paragraph_penalty
    cost: list[list[float]] = []
    back: list[list[int]] = []
    for i in range(n + 1):
        row_lo = lo[i]
        row = [_INF] * (hi[i] - row_lo + 1)
        row_back = [-1] * len(row)
        for j in range(row_lo, hi[i] + 1):
            if i == 0 and j == 0:
                row[0] = 0.0
                continue
            best, best_kind = _INF, -1
            node_penalty = penalty if soft and source_breaks[i] != target_breaks[j] else 0.0
            for kind, (a, b, prior_cost) in enumerate(kinds):
                pi, pj = i - a, j - b
                if pi < 0 or pj < lo[pi] or pj > hi[pi]:
                    continue
                previous = cost[pi][pj - lo[pi]] if a else row[pj - row_lo]
                if previous == _INF:
                    continue
                if a > 1 and any(source_breaks[pi + 1 : i]):
                    continue  # a link never spans two source paragraphs
                step = previous + prior_cost + node_penalty
                if a and b:
                    step -= evidence.of(pi, a, pj, b)
                    if soft and b > 1 and any(target_breaks[pj + 1 : j]):
                        step += penalty
                if step < best:
                    best, best_kind = step, kind
            row[j - row_lo] = best
            row_back[j - row_lo] = best_kind
        cost.append(row)
        back.append(row_back)
    path = [(n, m)]
    i, j = n, m
    while i or j:
        a, b, _ = kinds[back[i][j - lo[i]]]
        i, j = i - a, j - b
        path.append((i, j))
    return path[::-1]
