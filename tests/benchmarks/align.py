"""Sentence-alignment quality and speed of translate.align, without a model and with a fake MT.

    python tests/benchmarks/align.py [--pred-dir DIR] [--json] [--sizes 5000 10000 20000]
    python tests/benchmarks/align.py --calibrate

Reads ``../shared/data/alignment/docs`` (123 NTREX-128 documents perturbed with merges and
deletions), writes ``DIR/<id>.links`` (vecalign format) and scores them with the scorer in
``../shared/tools/align_score.py``: all documents, the tuning half (the first 60 by name, on
which the settings were chosen) and the held-out half. The fake MT is the true English of each
Vietnamese line (from ``../shared/data/parallel/ntrex128/test.tsv``) with one word in eight
replaced. Speed: sentence pairs (max of the two sides) aligned per second on the benchmark
and on synthetic documents of FLORES/IWSLT pairs drawn at random and perturbed the same way (CPU
seconds of this process, so that other load on the machine does not count).
Other sets: FLORES devtest documents (by URL) and IWSLT 20-line chunks perturbed the same way
(the calibration data, so a check on other styles, not a held-out figure).
``--calibrate`` measures the length and anchor figures in ``translate/align/lengths.py`` (per
set: FLORES, IWSLT, pooled — the figures used — and NTREX-128 for comparison).
Set ``VI2EN_SHARED`` to use another copy of ``../shared``.
"""

from __future__ import annotations

import argparse
import csv
import html
import importlib.util
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

from translate.align import AlignSettings, Link, align_sentences
from translate.align.anchors import CATEGORIES, category, english_anchors, hits, vietnamese_anchors

SHARED = Path(os.environ.get("VI2EN_SHARED", Path(__file__).resolve().parents[3] / "shared"))
DOCS = SHARED / "data" / "alignment" / "docs"
TUNING = 60


def _tool(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, SHARED / "tools" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _format(link: Link) -> str:
    return f"{list(link.source)}:{list(link.target)}"


def _ntrex_english() -> dict[str, str]:
    """Vietnamese NTREX segment → its English."""
    with open(SHARED / "data/parallel/ntrex128/test.tsv", encoding="utf-8", newline="") as f:
        rows = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        return {row["vi"].strip(): row["en"].strip() for row in rows}


def fake_mt(
    vi: list[str],
    en: list[str],
    gold: list[tuple[tuple[int, ...], tuple[int, ...]]],
    english: dict[str, str],
    rng: random.Random,
) -> list[str]:
    """The true English of each Vietnamese line, one word in eight replaced."""
    joined = {s[0]: " ".join(en[t] for t in ts) for s, ts in gold if len(s) == 1 and ts}
    vocabulary = " ".join(en).split() or ["x"]
    out = []
    for k, line in enumerate(vi):
        words = (english.get(line) or joined.get(k, "")).split()
        out.append(" ".join(rng.choice(vocabulary) if rng.random() < 0.125 else w for w in words))
    return out


def run(pred_dir: Path, with_mt: bool) -> tuple[dict[str, dict[str, object]], int, float]:
    scorer = _tool("align_score")
    english = _ntrex_english() if with_mt else {}
    rng = random.Random(12)
    pairs = []
    sentences, seconds = 0, 0.0
    pred_dir.mkdir(parents=True, exist_ok=True)
    for gold_file in sorted(DOCS.glob("*.gold")):
        vi = _lines(gold_file.with_suffix(".vi"))
        en = _lines(gold_file.with_suffix(".en"))
        gold = scorer.read_links(gold_file)
        mt = fake_mt(vi, en, gold, english, rng) if with_mt else None
        start = time.process_time()
        links = align_sentences(vi, en, translations=mt)
        seconds += time.process_time() - start
        sentences += max(len(vi), len(en))
        (pred_dir / f"{gold_file.stem}.links").write_text(
            "".join(_format(link) + "\n" for link in links), encoding="utf-8"
        )
        pairs.append((gold, [(link.source, link.target) for link in links]))
    scores = {
        "all": scorer.score(pairs, False),
        "tuning": scorer.score(pairs[:TUNING], False),
        "held_out": scorer.score(pairs[TUNING:], False),
    }
    return scores, sentences, seconds


def _pool(sets: tuple[str, ...] = ("flores", "iwslt")) -> list[tuple[str, str]]:
    """Human translations: FLORES-200 devtest, IWSLT15 (detokenised), NTREX-128."""
    data = SHARED / "data" / "mt"
    pairs: list[tuple[str, str]] = []
    if "flores" in sets:
        vi, en = _lines(data / "flores200/devtest.vi"), _lines(data / "flores200/devtest.en")
        pairs += zip(vi, en, strict=True)
    if "iwslt" in sets:
        for split in ("tst2012", "tst2013"):
            vi = _lines(data / f"iwslt15/{split}.vi")
            en = _lines(data / f"iwslt15/{split}.en")
            pairs += [(_detok(v), _detok(e)) for v, e in zip(vi, en, strict=True)]
    if "ntrex" in sets:
        ntrex = SHARED / "data/parallel/ntrex128"
        pairs += zip(_lines(ntrex / "test.vi"), _lines(ntrex / "test.en"), strict=True)
    return [(v.strip(), e.strip()) for v, e in pairs if v.strip() and e.strip()]


_DETOKENIZER = None


def _detok(text: str) -> str:
    global _DETOKENIZER
    if _DETOKENIZER is None:
        from sacremoses import MosesDetokenizer

        _DETOKENIZER = MosesDetokenizer("en")
    return str(_DETOKENIZER.detokenize(html.unescape(text).split()))


def speed(sizes: list[int]) -> list[dict[str, object]]:
    perturb = _tool("build_alignment_bench").perturb
    pool = _pool()
    rows = []
    for size in sizes:
        rng = random.Random(size)
        pairs = [pool[rng.randrange(len(pool))] for _ in range(size)]
        vi, en, gold = perturb(pairs, rng, 0.08, 0.04)
        start = time.process_time()
        links = align_sentences(vi, en)
        seconds = time.process_time() - start
        scorer = _tool("align_score")
        f1 = scorer.score(
            [
                (
                    [(tuple(s), tuple(t)) for s, t in gold],
                    [(link.source, link.target) for link in links],
                )
            ],
            False,
        )["strict_f1"]
        rows.append(
            {
                "pairs": size,
                "vi": len(vi),
                "en": len(en),
                "cpu_seconds": round(seconds, 2),
                "pairs_per_second": round(size / seconds),
                "strict_f1": f1,
            }
        )
    return rows


def other_sets(seed: int = 1) -> dict[str, float]:
    """Strict F1 on documents built like the benchmark from FLORES (by URL) and IWSLT.

    Not unseen: the lengths and anchor rates were measured on these pairs; a check
    that nothing is peculiar to NTREX (document style, names), not a held-out figure.
    """
    perturb, scorer = _tool("build_alignment_bench").perturb, _tool("align_score")
    data = SHARED / "data" / "mt"
    meta = _lines(data / "flores200/metadata_devtest.tsv")[1:]
    flores: dict[str, list[tuple[str, str]]] = {}
    for url, pair in zip(meta, _pool(("flores",)), strict=True):
        flores.setdefault(url.split("\t")[0], []).append(pair)
    talks = _pool(("iwslt",))
    sets = {
        "flores_documents": list(flores.values()),
        "iwslt_20_lines": [talks[k : k + 20] for k in range(0, len(talks), 20)],
    }
    scores = {}
    for name, documents in sets.items():
        rng = random.Random(seed)
        pairs = []
        for document in documents:
            vi, en, gold = perturb(document, rng, 0.08, 0.04)
            links = align_sentences(vi, en)
            pairs.append(
                (
                    [(tuple(s), tuple(t)) for s, t in gold],
                    [(link.source, link.target) for link in links],
                )
            )
        scores[name] = scorer.score(pairs, False)["strict_f1"]
    return scores


def calibrate(pool: list[tuple[str, str]]) -> dict[str, object]:
    """Gale–Church ratio and variance, English length, anchor hit and chance rates."""
    lengths = [(len(v), len(e)) for v, e in pool]
    ratio = sum(e for _, e in lengths) / sum(v for v, _ in lengths)
    variance = statistics.pvariance([(e - ratio * v) / math.sqrt(v) for v, e in lengths])
    one = [math.log(e) for _, e in lengths]
    two = [math.log(lengths[k][1] + lengths[k + 1][1] + 1) for k in range(len(lengths) - 1)]
    vi_anchors = [vietnamese_anchors(v) for v, _ in pool]
    en_anchors = [english_anchors(e) for _, e in pool]
    rates: dict[str, object] = {}
    for side, mine, other in (("vi", vi_anchors, en_anchors), ("en", en_anchors, vi_anchors)):
        for cat in CATEGORIES:
            hit = total = chance = chance_total = 0
            for k, anchors in enumerate(mine):
                keys = frozenset(key for key in anchors.keys if category(key) == cat)
                total += len(keys)
                hit += hits(keys, other[k])
                for offset in (-2, -1, 1, 2):
                    if keys and 0 <= k + offset < len(other):
                        chance_total += len(keys)
                        chance += hits(keys, other[k + offset])
            rates[f"{side} {cat}"] = {
                "keys": total,
                "hit": round(hit / max(total, 1), 3),
                "chance": round(chance / max(chance_total, 1), 3),
            }
    return {
        "pairs": len(pool),
        "ratio": round(ratio, 4),
        "variance": round(variance, 3),
        "mean_ratio": round(statistics.mean(e / v for v, e in lengths), 4),
        "var_ratio": round(statistics.pvariance([e / v for v, e in lengths]), 4),
        "english_log_length": [round(statistics.mean(one), 3), round(statistics.pstdev(one), 3)],
        "english_log_length_two": [
            round(statistics.mean(two), 3),
            round(statistics.pstdev(two), 3),
        ],
        "anchors": rates,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--pred-dir", type=Path, help="where to write <id>.links (default: a temp dir)"
    )
    parser.add_argument("--sizes", type=int, nargs="*", default=[5000, 10000, 20000])
    parser.add_argument("--no-mt", action="store_true", help="skip the fake-MT run")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--calibrate", action="store_true", help="measure the calibration figures")
    args = parser.parse_args()
    if not DOCS.is_dir():
        sys.exit(f"{DOCS}: no alignment benchmark; set VI2EN_SHARED to a copy of ../shared")
    if args.calibrate:
        # The pooled FLORES + IWSLT figures are the ones used; NTREX only for comparison.
        sets = {"flores": ("flores",), "iwslt": ("iwslt",), "pooled": ("flores", "iwslt")}
        sets["ntrex"] = ("ntrex",)
        figures = {name: calibrate(_pool(parts)) for name, parts in sets.items()}
        print(json.dumps(figures, indent=None if args.json else 1))
        return
    settings = AlignSettings()
    result: dict[str, object] = {"settings": repr(settings)}
    with tempfile.TemporaryDirectory() as tmp:
        base = args.pred_dir or Path(tmp)
        scores, sentences, seconds = run(base, with_mt=False)
        result["no_model"] = scores
        result["benchmark_speed"] = {
            "pairs": sentences,
            "cpu_seconds": round(seconds, 2),
            "pairs_per_second": round(sentences / seconds),
        }
        if not args.no_mt:
            result["fake_mt"], _, _ = run(base.with_name(base.name + "-mt"), with_mt=True)
    result["other_sets"] = other_sets()
    result["synthetic"] = speed(args.sizes)
    if args.json:
        print(json.dumps(result))
        return
    print(f"predictions: {args.pred_dir or '(temporary)'}")
    for name in ("no_model", "fake_mt"):
        if name in result:
            table = result[name]
            assert isinstance(table, dict)
            for part, score in table.items():
                print(
                    f"{name:9} {part:9} strict F1 {score['strict_f1']:.4f}  lax F1 "
                    f"{score['lax_f1']:.4f}  ({score['gold_links']} gold links)"
                )
    print(f"other sets (FLORES documents, IWSLT 20-line chunks): {result['other_sets']}")
    print(f"benchmark speed: {result['benchmark_speed']}")
    for row in result["synthetic"]:  # type: ignore[attr-defined]
        print(f"synthetic: {row}")


if __name__ == "__main__":
    main()
