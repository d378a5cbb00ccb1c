"""Peak RSS of a job on ONE large .txt document, by stage, with the fake backend.

    python tests/benchmarks/document_memory.py 20 50 200

For each size (MB) a document of repeated news sentences is written, then a
fresh process runs `Job` (formats tsv,txt) on it with :class:`FakeBackend`, so
that only vi2en's own memory is measured; it prints the peak RSS (the kernel's
ru_maxrss) and its ratio to the document's size. ``--stages`` also prints the
Python heap (tracemalloc) before and after each step of the job, for one size.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import tracemalloc
from pathlib import Path

SENTENCES = " ".join(
    [
        "Hà Nội là thủ đô của Việt Nam.",
        "GS.TS Nguyễn Văn A cho biết TP.HCM có hơn 10.000 doanh nghiệp mới.",
        "Giá vàng hôm nay tăng 3,5% so với tuần trước.",
        "“Chúng tôi sẽ tiếp tục theo dõi”, ông nói.",
    ]
)


def make_document(path: Path, megabytes: int) -> None:
    line = (SENTENCES + "\n").encode("utf-8")
    path.write_bytes(line * (megabytes * 2**20 // len(line)))


def run_job(document: Path, outdir: Path, stages: bool) -> None:
    from translate.backends.fake import FakeBackend
    from translate.job import Job
    from translate.pipeline import Pipeline
    from translate.readers import read_documents
    from translate.translator import Translator

    if stages:
        tracemalloc.start()

        def mark(label: str) -> None:
            current, peak = tracemalloc.get_traced_memory()
            print(
                f"  {label:<18} heap {current / 2**20:6.0f} MB, peak since last {peak / 2**20:6.0f} MB"
            )
            tracemalloc.reset_peak()

        for name in ("_save_part", "_load_part", "_publish"):
            original = getattr(Job, name)

            def wrapped(self: Job, *args: object, _original=original, _name=name) -> object:
                mark(f"before {_name}")
                result = _original(self, *args)
                mark(f"after {_name}")
                return result

            setattr(Job, name, wrapped)
    pipeline = Pipeline(Translator(backend=FakeBackend(max_input_tokens=100_000)))
    Job(pipeline, outdir, ["tsv", "txt"], restart=True).run(read_documents([str(document)]))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = document.stat().st_size / 2**20
    print(f"| {size:.0f} | {rss:.0f} | {rss / size:.1f}× |", flush=True)


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        run_job(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4] == "1")
        return
    stages = "--stages" in sys.argv
    sizes = [int(a) for a in sys.argv[1:] if a.isdigit()] or [20, 50]
    print("| document MB | peak RSS MB | ratio |")
    print("| ---: | ---: | ---: |", flush=True)
    for megabytes in sizes:
        with tempfile.TemporaryDirectory() as work:
            document = Path(work) / "big.txt"
            make_document(document, megabytes)
            env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
            child = [sys.executable, __file__, "--child", str(document), str(Path(work) / "out")]
            subprocess.run([*child, "1" if stages else "0"], check=True, env=env)


if __name__ == "__main__":
    main()
