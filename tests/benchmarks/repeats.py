"""Repeated text and re-runs: wall time of `vi2en translate` with deduplication and the memory.

    python tests/benchmarks/repeats.py [--sentences 300] [--repeat 0.3]

On a random-weight model with opus-mt-vi-en's architecture (CTranslate2 int8,
beam 4, exactly 32 target tokens per sentence, so every sentence costs the same):
  1. a corpus of distinct sentences, no memory;
  2. a corpus of as many sentences where a fraction repeats earlier ones, no memory;
  3. that corpus again with a fresh memory, then a second run on the same input.
Whole commands are timed, model loading included.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from translate.bench import build_random_model, sample_sentences

TINY = Path(__file__).resolve().parents[2] / "models" / "tiny-vi-en"


def write_corpus(folder: Path, sentences: list[str], per_document: int = 10) -> None:
    folder.mkdir(parents=True)
    for i in range(0, len(sentences), per_document):
        (folder / f"doc{i // per_document:04d}.txt").write_text(
            "\n".join(sentences[i : i + per_document]) + "\n", encoding="utf-8"
        )


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=300)
    parser.add_argument("--repeat", type=float, default=0.3)
    args = parser.parse_args()
    pool = sample_sentences()
    distinct = pool[: args.sentences]
    unique = pool[: round(args.sentences * (1 - args.repeat))]
    rng = random.Random(0)
    repeated = unique + [rng.choice(unique) for _ in range(args.sentences - len(unique))]
    rng.shuffle(repeated)
    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        model = build_random_model(root / "model", TINY)
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "VI2EN_CACHE_DIR": str(root / "cache")}
        write_corpus(root / "distinct", distinct)
        write_corpus(root / "repeated", repeated)

        def command(corpus: str, out: str, *extra: str) -> list[str]:
            return [
                sys.executable, "-m", "translate", "translate", str(root / corpus), "-o", str(root / out),
                "--model", str(model), "--backend", "ctranslate2", "--compute-type", "int8", "--beams", "4",
                "--min-length", "32", "--max-length", "32", "-q", *extra,
            ]  # fmt: skip

        timed(command("distinct", "warmup", "--no-cache"), env)  # converts the model once
        rows = [
            ("distinct sentences, no memory", timed(command("distinct", "o1", "--no-cache"), env)),
            (
                f"{args.repeat:.0%} repeats, no memory",
                timed(command("repeated", "o2", "--no-cache"), env),
            ),
            ("repeats, first run with memory", timed(command("repeated", "o3"), env)),
            ("same input again (memory hits)", timed(command("repeated", "o4"), env)),
        ]
    print(f"{args.sentences} sentences; {len(set(repeated))} distinct in the repeated corpus")
    print("| run | seconds | × first |")
    print("| --- | ---: | ---: |")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} | {rows[0][1] / seconds:.2f} |")


if __name__ == "__main__":
    main()
