"""Peak RSS of `vi2en translate` on N generated documents, to show memory stays flat.

    python tests/benchmarks/memory.py 1000 10000

Each size runs in a fresh process on the tiny model (CTranslate2 int8, no
translation memory) with every output format, after one warm-up run that converts
the model; peak RSS comes from the kernel (wait4).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODEL = Path(__file__).resolve().parents[2] / "models" / "tiny-vi-en"
SENTENCES = [
    "Hà Nội là thủ đô của Việt Nam.",
    "GS.TS Nguyễn Văn A cho biết TP.HCM có hơn 10.000 doanh nghiệp mới.",
    "Giá vàng hôm nay tăng 3,5% so với tuần trước.",
    "“Chúng tôi sẽ tiếp tục theo dõi”, ông nói.",
    "Theo Bộ Y tế, số ca mắc mới trong ngày là 1.234.",
]


def make_corpus(folder: Path, documents: int) -> None:
    for i in range(documents):
        body = [f"Bài báo số {i} về kinh tế"] + [
            f"{s} Mã {i}-{j}." for j, s in enumerate(SENTENCES)
        ]
        path = folder / f"{i % 100:02d}" / f"doc{i:06d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(body) + "\n", encoding="utf-8")


def measure(documents: int, cache: Path) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory() as work:
        corpus = Path(work) / "in"
        make_corpus(corpus, documents)
        command = [
            sys.executable, "-m", "translate", "translate", str(corpus), "-o", str(Path(work) / "out"),
            "--model", str(MODEL), "--backend", "ctranslate2", "--no-cache", "-q", "--max-length", "16",
            "-f", "tsv,moses,jsonl,tmx,txt",
        ]  # fmt: skip
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "VI2EN_CACHE_DIR": str(cache)}
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"vi2en failed on {documents} documents")
        seconds = time.perf_counter() - started
        manifest = json.loads((Path(work) / "out" / "manifest.json").read_text(encoding="utf-8"))
        return usage.ru_maxrss / 1024, seconds, manifest["counts"]["pairs"]


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 10000]
    with tempfile.TemporaryDirectory() as cache:
        # Convert the model once, so that every measured run is a steady-state run.
        measure(1, Path(cache))
        print("| documents | sentence pairs | peak RSS MB | seconds |")
        print("| ---: | ---: | ---: | ---: |")
        for n in sizes:
            rss, seconds, pairs = measure(n, Path(cache))
            print(f"| {n} | {pairs} | {rss:.1f} | {seconds:.1f} |", flush=True)


if __name__ == "__main__":
    main()
