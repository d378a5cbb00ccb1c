"""``vi2en align`` on the alignment benchmark: strict/lax F1 without a model and with ``--mt``.

    python tests/benchmarks/align_bench.py [--shared DIR] [--out DIR]

Runs the real command, ``vi2en align DOCS --presegmented -f links -o OUT``,
on ``shared/data/alignment/docs`` and scores ``OUT/links`` with
``shared/tools/align_score.py``: once without a model, once with ``--mt`` on
a stand-in for a good model (random test models cannot show what MT adds):
the lookup fake (:class:`translate.backends.fake.LookupBackend`) answers each
Vietnamese sentence of NTREX (and each pair of adjacent sentences, which the
benchmark merges into one line) with its reference English, every fifth word
changed. Prints one JSON object per run with the scores and the sentence
pairs aligned per second (the command's wall time, reading and writing
included).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from translate.backends import register_backend
from translate.backends.fake import LookupBackend
from translate.cli import main

DEFAULT_SHARED = Path(__file__).resolve().parents[3] / "shared"
TINY_MODEL = Path(__file__).resolve().parents[2] / "models" / "tiny-vi-en"


def _near(english: str) -> str:
    """The reference with every fifth word changed: close to the truth, not equal to it."""
    words = english.split()
    return " ".join("thing" if i % 5 == 4 else w for i, w in enumerate(words))


def lookup_table(ntrex_tsv: Path) -> dict[str, str]:
    """Each NTREX Vietnamese sentence, and each adjacent two, → their English, changed."""
    rows = [line.split("\t") for line in ntrex_tsv.read_text(encoding="utf-8").splitlines()[1:]]
    table: dict[str, str] = {}
    previous: tuple[str, str, str] | None = None
    for row in rows:
        doc, en, vi = row[0], row[2], row[3]  # doc_id, seg, en, vi
        table[" ".join(vi.split())] = _near(en)
        if previous is not None and previous[0] == doc:
            table[" ".join(f"{previous[1]} {vi}".split())] = _near(f"{previous[2]} {en}")
        previous = (doc, vi, en)
    return table


def run_align(docs: Path, out: Path, scorer: Path, extra: list[str]) -> dict[str, Any]:
    """Align ``docs`` into ``out`` with the real command, score it, time it."""
    started = time.perf_counter()
    args = ["align", str(docs), "--presegmented", "-f", "links", "-o", str(out), "-q", *extra]
    result = CliRunner().invoke(main, args)
    seconds = time.perf_counter() - started
    if result.exit_code != 0:
        raise RuntimeError(result.output)
    scored = subprocess.run(
        [sys.executable, str(scorer), str(docs), str(out / "links")],
        check=True,
        capture_output=True,
        text=True,
    )
    counts = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["counts"]
    return {
        **json.loads(scored.stdout),
        "links": sum(counts["links"].values()),
        "seconds": round(seconds, 2),
        "pairs_per_s": round(counts["pairs"] / seconds),
    }


def main_(argv: list[str] | None = None) -> None:
    """Run both configurations and print their results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    args = parser.parse_args(argv)
    docs = args.shared / "data" / "alignment" / "docs"
    scorer = args.shared / "tools" / "align_score.py"
    register_backend("lookup", "translate.backends.fake:LookupBackend")
    LookupBackend.table = lookup_table(args.shared / "data" / "parallel" / "ntrex128" / "test.tsv")
    mt = ["--mt", "--backend", "lookup", "--model", str(TINY_MODEL), "--no-cache"]
    with tempfile.TemporaryDirectory(prefix="vi2en-align-bench-") as tmp:
        for name, extra in (("no model", []), ("--mt (lookup fake)", mt)):
            row = run_align(docs, Path(tmp) / name.split()[0].strip("-"), scorer, extra)
            print(json.dumps({"run": name, **row}))


if __name__ == "__main__":
    main_()
