"""False positives and recall of each QA check, on human translations and injected errors.

    python tests/benchmarks/qa.py [--flores DIR] [--ntrex DIR] [--extra NAME=VI,EN ...] [--seed 0] [--json]

The clean pairs are human translations (FLORES-200 devtest vi/en, NTREX-128
vi/en in ../shared/data; a set whose files are missing is skipped). A flag on
a clean pair is a false positive. Each pair is then damaged in four ways
(deterministic for a seed), and a flag of the check on the damaged pair counts
towards its recall:

- number: one digit number of the target altered (one digit changed) or
  deleted; only pairs whose target has a digit;
- copy: the target replaced by the source;
- cut: the target cut in half, at a word boundary (targets of 2+ words);
- repeat: a 3–5-word span of the target said 4 times in a row (targets of 5+ words).

Prints one table per set and one for all sets together, then the speed of all
checks together on one core (pairs/s).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from collections.abc import Callable
from pathlib import Path

from translate.qa import CHECKS, check_pair

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
if not SHARED.is_dir():
    SHARED = Path("/work/shared/data")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")

Pair = tuple[str, str]


def read_pairs(vi: Path, en: Path) -> list[Pair]:
    """Line-aligned pairs of two files, skipping pairs with an empty side."""
    sources = vi.read_text("utf-8").splitlines()
    targets = en.read_text("utf-8").splitlines()
    return [(s, t) for s, t in zip(sources, targets, strict=True) if s.strip() and t.strip()]


def change_number(target: str, rng: random.Random) -> str | None:
    """One digit number of ``target`` altered (a digit changed) or deleted."""
    matches = list(_NUMBER.finditer(target))
    if not matches:
        return None
    match = rng.choice(matches)
    if rng.random() < 0.5:
        before, after = target[: match.start()].rstrip(" "), target[match.end() :]
        return (
            f"{before} {after.lstrip(' ')}".strip()
            if before and after[:1] == " "
            else before + after
        )
    positions = [i for i, c in enumerate(match[0]) if c.isdigit()]
    at = rng.choice(positions)
    digits = [d for d in "0123456789" if d != match[0][at] and not (d == "0" and at == 0)]
    number = match[0][:at] + rng.choice(digits) + match[0][at + 1 :]
    return target[: match.start()] + number + target[match.end() :]


def cut_in_half(target: str, rng: random.Random) -> str | None:
    words = target.split()
    return " ".join(words[: len(words) // 2]) if len(words) >= 2 else None


def repeat_phrase(target: str, rng: random.Random) -> str | None:
    words = target.split()
    if len(words) < 5:
        return None
    size = rng.randint(3, 5)
    start = rng.randrange(len(words) - size + 1)
    span = words[start : start + size]
    return " ".join(words[: start + size] + span * 3 + words[start + size :])


def injections() -> dict[str, Callable[[str, str, random.Random], str | None]]:
    """Injection name → (source, target, rng) → damaged target (``None``: not applicable)."""
    return {
        "number": lambda s, t, rng: change_number(t, rng),
        "copy": lambda s, t, rng: s,
        "cut": lambda s, t, rng: cut_in_half(t, rng),
        "repeat": lambda s, t, rng: repeat_phrase(t, rng),
    }


def flagged_checks(source: str, target: str) -> set[str]:
    return {flag.check for flag in check_pair(source, target)}


def measure(pairs: list[Pair], seed: int) -> dict[str, dict[str, float | int]]:
    """Per check: false positives (%) and recall (%) per injection, with the counts."""
    rng = random.Random(seed)
    clean = [flagged_checks(s, t) for s, t in pairs]
    damaged: dict[str, list[set[str]]] = {}
    for name, inject in injections().items():
        results = []
        for source, target in pairs:
            bad = inject(source, target, rng)
            if bad is not None and bad != target:
                results.append(flagged_checks(source, bad))
        damaged[name] = results
    table: dict[str, dict[str, float | int]] = {}
    for check in [*CHECKS, "any"]:

        def hit(flags: set[str], check: str = check) -> bool:
            return bool(flags) if check == "any" else check in flags

        row: dict[str, float | int] = {
            "pairs": len(pairs),
            "fp": 100 * sum(map(hit, clean)) / len(pairs),
        }
        for name, results in damaged.items():
            row[name] = 100 * sum(map(hit, results)) / len(results) if results else float("nan")
            row[f"{name}_pairs"] = len(results)
        table[check] = row
    return table


def speed(pairs: list[Pair]) -> float:
    """Pairs per CPU second for all checks together (one core; CPU time, not wall time, so that
    other processes on the machine do not count), best of three passes."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for source, target in pairs:
            check_pair(source, target)
        best = min(best, time.process_time() - started)
    return len(pairs) / best


def print_table(name: str, table: dict[str, dict[str, float | int]]) -> None:
    any_row = table["any"]
    counts = ", ".join(f"{k} {any_row[f'{k}_pairs']}" for k in injections())
    print(f"\n{name}: {any_row['pairs']} clean pairs; injected: {counts}")
    print(f"{'check':<14}{'FP %':>7}" + "".join(f"{k + ' %':>10}" for k in injections()))
    for check, row in table.items():
        print(f"{check:<14}{row['fp']:>7.2f}" + "".join(f"{row[k]:>10.1f}" for k in injections()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flores", type=Path, default=SHARED / "mt" / "flores200")
    parser.add_argument("--ntrex", type=Path, default=SHARED / "parallel" / "ntrex128")
    parser.add_argument(
        "--extra",
        action="append",
        default=[],
        metavar="NAME=VI,EN",
        help="another set: two line-aligned files",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print the tables as JSON")
    args = parser.parse_args()
    files = {
        "flores": (args.flores / "devtest.vi", args.flores / "devtest.en"),
        "ntrex": (args.ntrex / "test.vi", args.ntrex / "test.en"),
    }
    for extra in args.extra:
        name, _, paths = extra.partition("=")
        vi, _, en = paths.partition(",")
        files[name] = (Path(vi), Path(en))
    sets = {}
    for name, (vi, en) in files.items():
        if vi.is_file() and en.is_file():
            sets[name] = read_pairs(vi, en)
        else:
            print(f"skipping {name}: {vi} or {en} is missing")
    if not sets:
        raise SystemExit("no data: pass --flores DIR or --ntrex DIR (see ../shared/data)")
    everything = [pair for pairs in sets.values() for pair in pairs]
    tables = {name: measure(pairs, args.seed) for name, pairs in sets.items()}
    if len(sets) > 1:
        tables["total"] = measure(everything, args.seed)
    rate = speed(everything)
    if args.json:
        print(json.dumps({"tables": tables, "pairs_per_second": round(rate)}, indent=2))
        return
    for name, table in tables.items():
        print_table(name, table)
    print(f"\nall checks together: {rate:,.0f} pairs/s on one core ({len(everything)} pairs)")


if __name__ == "__main__":
    main()
