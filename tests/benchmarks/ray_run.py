"""The same `vi2en translate` job locally and on Ray: wall time, start-up cost, overhead.

    python tests/benchmarks/ray_run.py [--documents 200] [--models tiny,opus]
        [--ray-inputs ship|shared] [--json]

For each model (``tiny``: models/tiny-vi-en; ``opus``: a random-weight model of
opus-mt-vi-en's exact architecture, built by models/modelgen.py, decoding capped
by ``--max-length``), the job is run in a fresh process:

* ``local``: no Ray (the local backend's workers, one per core);
* ``ray-1``: a one-node Ray cluster with every core (``ray.cluster_utils.Cluster``);
* ``ray-2``: two simulated nodes of half the cores each, on this machine.

Each Ray mode also runs a one-document job: its wall time is the fixed cost
(driver start, connection, actor start, model load). The corpus files and
articles of every Ray run are compared with the local run's (they must be
byte-identical). Every run uses ``--window-sentences`` (128): on Ray a window is
one actor call, so a job needs several windows per actor. Ray is kept on loopback, without usage statistics. On a machine
shared with other work, the load average is printed: read the figures with it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "models" / "tiny-vi-en"
SAMPLE = ROOT / "tests" / "data" / "sample" / "ntrex-article.vi.txt"
SAFE = {
    "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
    "RAY_USAGE_STATS_ENABLED": "0",
    "http_proxy": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "no_proxy": "127.0.0.1,localhost",
    "NO_PROXY": "127.0.0.1,localhost",
    "HF_HUB_OFFLINE": "1",
}


def make_corpus(folder: Path, documents: int) -> None:
    """``documents`` articles: the sample's paragraphs rotated, 3 to 9 paragraphs each."""
    paragraphs = [p for p in SAMPLE.read_text(encoding="utf-8").splitlines() if p.strip()]
    folder.mkdir(parents=True)
    for k in range(documents):
        rotated = paragraphs[k % len(paragraphs) :] + paragraphs[: k % len(paragraphs)]
        body = [f"Bài số {k}.", *rotated[: 3 + k % 7]]
        (folder / f"doc{k:04d}.txt").write_text("\n\n".join(body) + "\n", encoding="utf-8")


def outputs(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != "manifest.json" and ".vi2en" not in p.parts
    }


def run(corpus: Path, out: Path, model: Path, extra: list[str], env: dict[str, str]) -> float:
    command = [
        sys.executable, "-m", "translate", "translate", str(corpus), "-o", str(out),
        "--model", str(model), "-f", "tsv,jsonl,tmx,txt", "--no-cache", "-q", *extra,
    ]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True)
    return time.perf_counter() - started


def start_cluster(nodes: int, cores: int) -> tuple[Any, float]:
    from ray.cluster_utils import Cluster

    started = time.perf_counter()
    node = {"num_cpus": cores // nodes, "node_ip_address": "127.0.0.1"}
    node["object_store_memory"] = 200 * 1024**2
    cluster = Cluster(initialize_head=True, head_node_args={**node, "include_dashboard": False})
    for _ in range(nodes - 1):
        cluster.add_node(**node)
    cluster.wait_for_nodes()
    return cluster, time.perf_counter() - started


def bench_model(
    name: str, model: Path, work: Path, documents: int, extra: list[str], ray_inputs: str = "ship"
) -> list[dict]:
    env = {**os.environ, **SAFE, "PYTHONPATH": str(ROOT), "VI2EN_CACHE_DIR": str(work / "cache")}
    env.pop("RAY_ADDRESS", None)
    corpus, one = work / f"{name}-in", work / f"{name}-one"
    make_corpus(corpus, documents)
    make_corpus(one, 1)
    run(one, work / f"{name}-warm", model, extra, env)  # converts the model once
    rows = []
    local = run(corpus, work / f"{name}-local", model, extra, env)
    reference = outputs(work / f"{name}-local")
    manifest = json.loads((work / f"{name}-local" / "manifest.json").read_text(encoding="utf-8"))
    pairs = manifest["counts"]["pairs"]
    rows.append({"model": name, "mode": "local", "seconds": round(local, 2), "pairs": pairs})
    cores = os.cpu_count() or 2
    for nodes in (1, 2):
        cluster, startup = start_cluster(nodes, cores)
        try:
            ray_env = {**env, "RAY_ADDRESS": cluster.address}
            on_ray = [*extra, "--ray-inputs", ray_inputs]
            fixed = run(one, work / f"{name}-ray{nodes}-one", model, on_ray, ray_env)
            seconds = run(corpus, work / f"{name}-ray{nodes}", model, on_ray, ray_env)
        finally:
            cluster.shutdown()
        same = outputs(work / f"{name}-ray{nodes}") == reference
        rows.append(
            {
                "model": name,
                "mode": f"ray-{nodes}",
                "inputs": ray_inputs,
                "seconds": round(seconds, 2),
                "pairs": pairs,
                "cluster_start": round(startup, 2),
                "one_document": round(fixed, 2),
                "overhead": round(seconds / local - 1, 3),
                "identical": same,
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--models", default="tiny,opus")
    parser.add_argument("--max-length", type=int, default=24, help="the opus model's cap")
    parser.add_argument(
        "--window-sentences", type=int, default=128, help="for every run: Ray's unit of work"
    )
    parser.add_argument(
        "--ray-inputs", choices=("ship", "shared"), default="ship", help="for the Ray runs"
    )
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    for name, value in SAFE.items():
        os.environ[name] = value
    rows: list[dict] = []
    window = ["--window-sentences", str(options.window_sentences)]
    with tempfile.TemporaryDirectory(prefix="vi2en-ray-bench-") as folder:
        work = Path(folder)
        for name in options.models.split(","):
            if name == "tiny":
                rows += bench_model(
                    "tiny", TINY, work, options.documents, window, options.ray_inputs
                )
            elif name == "opus":
                from translate.bench import build_random_model

                model = build_random_model(work / "opus-model", TINY, "marian")
                extra = [*window, "--max-length", str(options.max_length)]
                rows += bench_model(
                    "opus", model, work, options.documents, extra, options.ray_inputs
                )
            else:
                raise SystemExit(f"unknown model {name!r}: tiny or opus")
    load = os.getloadavg()
    if options.json:
        print(json.dumps({"load_average": load, "cores": os.cpu_count(), "rows": rows}))
        return
    print(f"cores {os.cpu_count()}, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    for row in rows:
        print("  ".join(f"{k}={v}" for k, v in row.items()))


if __name__ == "__main__":
    main()
