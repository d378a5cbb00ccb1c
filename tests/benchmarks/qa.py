"""False positives and recall of each QA check, on human translations and injected errors.

    python tests/benchmarks/qa.py [--flores DIR] [--ntrex DIR] [--extra NAME=VI,EN ...] [--seed 0]
                                  [--json] [--misses INJECTION]

The clean pairs are human translations (FLORES-200 devtest vi/en, NTREX-128
vi/en in ../shared/data; a set whose files are missing is skipped). A flag on
a clean pair is a false positive. Each pair is then damaged in each of the
ways below (deterministic for a seed; each injection draws from its own
stream, so adding one changes no other), and a flag of the injection's check
on the damaged pair counts towards its recall:

- numbers (pairs whose target has a digit number; the digits of HTML entities
  such as ``&#91;`` are no number): ``number`` a digit changed or the number
  deleted (half and half); ``digit`` one digit changed; ``x10``, ``x1000`` the
  number multiplied; ``decimal`` its decimal point moved one place left
  (``12.5`` → ``1.25``, ``25`` → ``2.5``); ``swap`` replaced by another number
  of the sentence; ``scale`` its scale word changed (``million`` →
  ``billion``); ``delete`` the number deleted, its unit left; ``del+unit``
  deleted with its currency sign and the word or ``%`` after it;
- untranslated: ``copy`` the target replaced by the source; ``nomarks`` by the
  source without its marks (``Ha Noi``); ``edited`` by the source with one word
  in 8 dropped or replaced by an English function word; ``partial`` the
  target's first half of words, then the source's second half;
- truncated: ``cut`` the target cut in half at a word; ``cut1/3``, ``cut2/3``
  cut at a third and two thirds (targets of 3+ words);
- loop: ``repeat`` a 3–5-word span of the target said 4 times in a row.

Prints one table per set and one for all sets together, then the speed of all
checks together on one core (pairs/s). ``--misses INJECTION`` prints, as TSV,
the damaged pairs its check missed and the clean pairs it flagged.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

from translate.qa import CHECKS, check_pair

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
if not SHARED.is_dir():
    SHARED = Path("/work/shared/data")
# A digit number, not one of an HTML entity (IWSLT writes "&#91;" for "[").
_NUMBER = re.compile(r"(?<!&#)(?<![\d.,])\d+(?:[.,]\d+)*")

Pair = tuple[str, str]


def read_pairs(vi: Path, en: Path) -> list[Pair]:
    """Line-aligned pairs of two files, skipping pairs with an empty side."""
    sources = vi.read_text("utf-8").splitlines()
    targets = en.read_text("utf-8").splitlines()
    return [(s, t) for s, t in zip(sources, targets, strict=True) if s.strip() and t.strip()]


_SCALE_SWAP = {
    "thousand": "million",
    "million": "billion",
    "billion": "million",
    "trillion": "billion",
}
_SCALED = re.compile(r"\d(?:[\d.,]*\d)? (thousand|million|billion|trillion)\b")
_UNIT_AFTER = re.compile(r" ?%| ?[^\W\d_]+")


def _numbers(target: str) -> list[re.Match[str]]:
    return list(_NUMBER.finditer(target))


def _replace(target: str, start: int, end: int, text: str) -> str:
    """``target`` with ``[start, end)`` replaced, and the spaces around a deletion merged."""
    before, after = target[:start], target[end:]
    if text:
        return before + text + after
    before = before.rstrip(" ")
    if before and after[:1] == " ":
        return f"{before} {after.lstrip(' ')}".strip()
    return (before + after).strip()


def change_digit(target: str, rng: random.Random) -> str | None:
    """One digit of one number changed (``1,250`` → ``1,850``)."""
    matches = _numbers(target)
    if not matches:
        return None
    match = rng.choice(matches)
    positions = [i for i, c in enumerate(match[0]) if c.isdigit()]
    at = rng.choice(positions)
    digits = [d for d in "0123456789" if d != match[0][at] and not (d == "0" and at == 0)]
    number = match[0][:at] + rng.choice(digits) + match[0][at + 1 :]
    return _replace(target, match.start(), match.end(), number)


def _english_value(text: str) -> float:
    return float(text.replace(",", ""))


def _format_like(value: float, original: str) -> str:
    """``value`` written as ``original`` is (thousands commas when it has them or is large)."""
    decimals = len(original.rsplit(".", 1)[1]) if "." in original else 0
    grouped = "," in original or value >= 10_000
    return f"{value:{',' if grouped else ''}.{decimals}f}"


def multiply(factor: int) -> Callable[[str, random.Random], str | None]:
    """One number multiplied by ``factor`` (``45`` → ``450``, ``3.5`` → ``3,500.0``)."""

    def inject(target: str, rng: random.Random) -> str | None:
        matches = [
            m for m in _numbers(target) if re.fullmatch(r"\d{1,3}(?:,\d{3})*(?:\.\d+)?|\d+", m[0])
        ]
        if not matches:
            return None
        match = rng.choice(matches)
        value = _english_value(match[0]) * factor
        return _replace(target, match.start(), match.end(), _format_like(value, match[0]))

    return inject


def move_decimal(target: str, rng: random.Random) -> str | None:
    """The decimal point of one number moved one place left (``12.5`` → ``1.25``, ``25`` → ``2.5``).

    A whole number gains a point before its last digit (``1,500`` → ``150.0``).
    """
    matches = [m for m in _numbers(target) if len(re.sub(r"\D", "", m[0])) >= 2]
    if not matches:
        return None
    match = rng.choice(matches)
    whole, _, fraction = match[0].replace(",", "").partition(".")
    digits = whole + fraction
    point = len(whole) - 1
    moved = (digits[:point] or "0") + "." + digits[point:]
    return _replace(target, match.start(), match.end(), moved)


def swap_numbers(target: str, rng: random.Random) -> str | None:
    """One number replaced by another number of the same sentence."""
    matches = _numbers(target)
    if len({m[0] for m in matches}) < 2:
        return None
    match = rng.choice(matches)
    other = rng.choice(sorted({m[0] for m in matches} - {match[0]}))
    return _replace(target, match.start(), match.end(), other)


def change_scale(target: str, rng: random.Random) -> str | None:
    """The scale word of one number changed (``2.5 million`` → ``2.5 billion``)."""
    matches = list(_SCALED.finditer(target))
    if not matches:
        return None
    match = rng.choice(matches)
    word = match[1]
    swapped = _SCALE_SWAP[word.lower()]
    return _replace(target, match.start(1), match.end(1), swapped)


def delete_number(target: str, rng: random.Random) -> str | None:
    """One number deleted; its unit or scale word stays (``5 million`` → ``million``)."""
    matches = _numbers(target)
    if not matches:
        return None
    match = rng.choice(matches)
    return _replace(target, match.start(), match.end(), "")


def delete_with_unit(target: str, rng: random.Random) -> str | None:
    """One number deleted with its currency sign and the word or ``%`` after it (``$5 million``)."""
    matches = _numbers(target)
    if not matches:
        return None
    match = rng.choice(matches)
    start = (
        match.start() - 1 if match.start() and target[match.start() - 1] in "$£€" else match.start()
    )
    unit = _UNIT_AFTER.match(target, match.end())
    return _replace(target, start, unit.end() if unit else match.end(), "")


def change_number(target: str, rng: random.Random) -> str | None:
    """One digit number of ``target`` altered (a digit changed) or deleted, half and half."""
    if not _numbers(target):
        return None
    if rng.random() < 0.5:
        return delete_number(target, rng)
    return change_digit(target, rng)


def strip_marks(text: str) -> str:
    """``text`` without its Vietnamese marks (``Hà Nội`` → ``Ha Noi``): a common MT failure."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def partly_translated(source: str, target: str, rng: random.Random) -> str | None:
    """The target's first half (words), then the rest of the sentence left in Vietnamese."""
    words, source_words = target.split(), source.split()
    if len(words) < 4 or len(source_words) < 4:
        return None
    return " ".join(words[: len(words) // 2] + source_words[len(source_words) // 2 :])


def lightly_edited_copy(source: str, rng: random.Random) -> str | None:
    """The source with a few of its words dropped or swapped with English words."""
    words = source.split()
    if len(words) < 4:
        return None
    for _ in range(max(1, len(words) // 8)):
        at = rng.randrange(len(words))
        if rng.random() < 0.5:
            del words[at]
        else:
            words[at] = rng.choice(["the", "of", "and", "is", "in", "to"])
    return " ".join(words)


def cut_at(fraction: float) -> Callable[[str, random.Random], str | None]:
    """The target cut at ``fraction`` of its words (targets of 3+ words)."""

    def inject(target: str, rng: random.Random) -> str | None:
        words = target.split()
        keep = round(len(words) * fraction)
        return " ".join(words[:keep]) if len(words) >= 3 and 0 < keep < len(words) else None

    return inject


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


def _on_target(
    damage: Callable[[str, random.Random], str | None],
) -> Callable[[str, str, random.Random], str | None]:
    return lambda source, target, rng: damage(target, rng)


#: Injection name → the check whose recall it measures.
KINDS: dict[str, str] = {
    "number": "numbers",
    "digit": "numbers",
    "x10": "numbers",
    "x1000": "numbers",
    "decimal": "numbers",
    "swap": "numbers",
    "scale": "numbers",
    "delete": "numbers",
    "del+unit": "numbers",
    "copy": "untranslated",
    "nomarks": "untranslated",
    "edited": "untranslated",
    "partial": "untranslated",
    "cut": "truncated",
    "cut1/3": "truncated",
    "cut2/3": "truncated",
    "repeat": "loop",
}


def injections() -> dict[str, Callable[[str, str, random.Random], str | None]]:
    """Injection name → (source, target, rng) → damaged target (``None``: not applicable).

    ``number`` is the first benchmark's mix (a digit changed or the number deleted); the
    other number variants are the ways a person damaging a corpus may change or drop one.
    """
    return {
        "number": _on_target(change_number),
        "digit": _on_target(change_digit),
        "x10": _on_target(multiply(10)),
        "x1000": _on_target(multiply(1000)),
        "decimal": _on_target(move_decimal),
        "swap": _on_target(swap_numbers),
        "scale": _on_target(change_scale),
        "delete": _on_target(delete_number),
        "del+unit": _on_target(delete_with_unit),
        "copy": lambda s, t, rng: s,
        "nomarks": lambda s, t, rng: strip_marks(s),
        "edited": lambda s, t, rng: lightly_edited_copy(s, rng),
        "partial": partly_translated,
        "cut": _on_target(cut_in_half),
        "cut1/3": _on_target(cut_at(1 / 3)),
        "cut2/3": _on_target(cut_at(2 / 3)),
        "repeat": _on_target(repeat_phrase),
    }


def flagged_checks(source: str, target: str) -> set[str]:
    return {flag.check for flag in check_pair(source, target)}


def measure(pairs: list[Pair], seed: int) -> dict[str, dict[str, float | int]]:
    """Per check: false positives (%) and recall (%) per injection, with the counts."""
    clean = [flagged_checks(s, t) for s, t in pairs]
    damaged: dict[str, list[set[str]]] = {}
    for name, inject in injections().items():
        rng = random.Random(
            f"{seed}:{name}"
        )  # each injection its own stream: adding one changes no other
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
    """False positives of every check, then each injection's recall by the check it is for."""
    any_row = table["any"]
    print(f"\n{name}: {any_row['pairs']} clean pairs")
    print("false positives %: " + ", ".join(f"{c} {table[c]['fp']:.2f}" for c in [*CHECKS, "any"]))
    print(f"{'injection':<10}{'check':<14}{'pairs':>6}{'recall %':>10}{'any %':>8}")
    for injection, check in KINDS.items():
        row = table[check]
        print(
            f"{injection:<10}{check:<14}{row[f'{injection}_pairs']:>6}"
            f"{row[injection]:>10.1f}{any_row[injection]:>8.1f}"
        )


def print_misses(pairs: list[Pair], injection: str, seed: int) -> None:
    """The damaged pairs the injection's check did not flag, and the clean pairs it did."""
    check = KINDS[injection]
    rng = random.Random(f"{seed}:{injection}")
    inject = injections()[injection]
    for source, target in pairs:
        bad = inject(source, target, rng)
        if bad is not None and bad != target and check not in flagged_checks(source, bad):
            print(f"MISS\t{source}\t{target}\t{bad}")
    for source, target in pairs:
        flags = [f.reason for f in check_pair(source, target) if f.check == check]
        if flags:
            print(f"FP\t{source}\t{target}\t{'; '.join(flags)}")


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
    parser.add_argument(
        "--misses",
        choices=list(KINDS),
        help="print the pairs this injection's check missed, and its false positives (TSV)",
    )
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
    if args.misses:
        for pairs in sets.values():
            print_misses(pairs, args.misses, args.seed)
        return
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
