"""The Ray runner: outputs byte-identical to a local run, lost nodes, a killed driver, failures.

One two-node ``ray.cluster_utils.Cluster`` on loopback serves every test (its start-up is
most of their cost); Ray is kept off the network: no usage statistics, proxies pointed at a
dead loopback port, nodes bound to 127.0.0.1, nothing started on another interface.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from translate.backends.fake import FakeBackend
from translate.cli import main
from translate.config import PipelineConfig
from translate.job import Job
from translate.pipeline import build_pipeline
from translate.readers import ReadOptions, read_documents, read_text
from translate.records import Document, DocumentFailure, TranslatedDocument

ROOT = Path(__file__).resolve().parents[1]
TINY_MODEL = ROOT / "models" / "tiny-vi-en"
SAMPLE = ROOT / "tests" / "data" / "sample" / "ntrex-article.vi.txt"
FORMATS = "tsv,jsonl,tmx,txt"

#: Set before Ray is imported: it reads them at import and when it starts its processes.
RAY_ENVIRONMENT = {
    "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
    "RAY_USAGE_STATS_ENABLED": "0",
    "http_proxy": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "no_proxy": "127.0.0.1,localhost",
    "NO_PROXY": "127.0.0.1,localhost",
}
NODE = {"num_cpus": 1, "object_store_memory": 200 * 1024**2, "node_ip_address": "127.0.0.1"}

needs_ray = pytest.mark.skipif(
    importlib.util.find_spec("ray") is None,
    reason="needs ray: pip install 'vi2en[ray]' (the test extra installs it)",
)


def test_ray_address_without_ray_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    monkeypatch.delitem(sys.modules, "translate.ray", raising=False)
    (tmp_path / "a.txt").write_text("Xin chào.\n", encoding="utf-8")
    args = ["translate", str(tmp_path / "a.txt"), "--backend", "fake", "--ray-address", "local"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "--ray-address needs Ray" in result.stderr
    assert "pip install 'vi2en[ray]'" in result.stderr


@pytest.fixture(scope="session")
def cluster() -> Iterator[Any]:
    """A head and one worker node (one core each) on 127.0.0.1, with Ray connected to it."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in RAY_ENVIRONMENT.items():
            patch.setenv(name, value)
        import ray
        from ray.cluster_utils import Cluster

        cluster = Cluster(initialize_head=True, head_node_args={**NODE, "include_dashboard": False})
        try:
            cluster.add_node(**NODE)
            ray.init(address=cluster.address, log_to_driver=False)
            yield cluster
        finally:
            ray.shutdown()
            cluster.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 documents: the sample article's paragraphs rotated, each rotation one document."""
    paragraphs = [p for p in SAMPLE.read_text(encoding="utf-8").splitlines() if p.strip()]
    folder = tmp_path_factory.mktemp("ray-corpus")
    for k in range(30):
        rotated = paragraphs[k % len(paragraphs) :] + paragraphs[: k % len(paragraphs)]
        text = "\n\n".join(rotated[: 3 + k % 7]) + "\n"
        (folder / f"doc{k:02d}.txt").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def local_run(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The local run every Ray run must equal."""
    out = tmp_path_factory.mktemp("local") / "out"
    result = CliRunner().invoke(main, _translate_args(corpus, out))
    assert result.exit_code == 0, result.output
    return out


def _translate_args(corpus: Path, out: Path, *extra: str) -> list[str]:
    # Windows of 64 sentences: the 30 documents make several, for the actors to share.
    return ["translate", str(corpus), "-o", str(out), "--model", str(TINY_MODEL), "-f", FORMATS,
            "-q", "--no-cache", "--window-sentences", "64", *extra]  # fmt: skip


def _outputs(out: Path) -> dict[str, bytes]:
    """Every output file but the manifest (its timing and engine fields differ) and the state."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != "manifest.json" and ".vi2en" not in p.parts
    }


def _documents(corpus: Path) -> list[Any]:
    return list(read_documents([str(corpus)], ReadOptions()))


def _config(**fields: Any) -> PipelineConfig:
    return PipelineConfig(**{"model": str(TINY_MODEL), "window_sentences": 64, **fields})


@pytest.mark.slow
@needs_ray
def test_cli_on_the_cluster_equals_a_local_run(
    cluster: Any, corpus: Path, local_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAY_ADDRESS", cluster.address)
    out = tmp_path / "ray"
    result = CliRunner().invoke(main, _translate_args(corpus, out))
    assert result.exit_code == 0, result.output
    assert _outputs(out) == _outputs(local_run)
    names = set(_outputs(out))
    assert {"corpus.tsv", "corpus.jsonl", "corpus.tmx", "errors.jsonl"} <= names
    assert len([n for n in names if n.startswith("txt/")]) == 30
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["backend"].startswith("ray (")
    assert manifest["counts"] == {
        "documents": 30,
        "failed": 0,
        "pairs": manifest["counts"]["pairs"],
    }


@pytest.mark.slow
@needs_ray
def test_results_come_in_input_order_with_small_batches(cluster: Any, corpus: Path) -> None:
    from translate.ray import RayPipeline

    documents = _documents(corpus)
    expected = [
        r.translated_text() for r in build_pipeline(_config()).translate_documents(documents)
    ]
    pipeline = RayPipeline(_config())
    results = list(pipeline.translate_documents(documents))
    assert [r.document.doc_id for r in results] == [d.doc_id for d in documents]
    assert [r.translated_text() for r in results] == expected
    assert pipeline.stats.sentences == sum(len(r.pairs) for r in results)


@pytest.mark.slow
@needs_ray
def test_a_node_lost_mid_run_loses_and_duplicates_nothing(cluster: Any, corpus: Path) -> None:
    from translate.ray import RayPipeline

    documents = _documents(corpus)
    # One sentence per model call, small windows: the run lasts long enough to lose a node.
    slow = _config(max_batch_size=1, window_sentences=16)
    expected = [r.translated_text() for r in build_pipeline(slow).translate_documents(documents)]
    extra = cluster.add_node(**NODE)
    results: list[Any] = []
    removed_after: list[int] = []

    def remove_when_busy() -> None:
        # As soon as an actor holds the node's core: it is loading or translating a batch.
        _wait_until_busy(extra.node_id)
        removed_after.append(len(results))
        cluster.remove_node(extra, allow_graceful=False)

    remover = threading.Thread(target=remove_when_busy)
    remover.start()
    try:
        pipeline = RayPipeline(slow, workers=3)
        results.extend(pipeline.translate_documents(documents))
    finally:
        remover.join()
        # Until the cluster counts the node dead (its heartbeats missed, some seconds later), a
        # new driver on this machine may pick the dead node's raylet and fail to connect.
        cluster.wait_for_nodes(timeout=120)
    assert removed_after[0] < len(documents), "the node was removed after the run"
    assert [r.document.doc_id for r in results] == [d.doc_id for d in documents]
    assert [r.translated_text() for r in results] == expected


def _wait_until_busy(node_id: str, seconds: float = 60.0) -> None:
    """Return once an actor holds the node's core."""
    from ray._private.state import available_resources_per_node

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        free = available_resources_per_node().get(node_id)  # a busy core is left out
        if free is not None and free.get("CPU", 0.0) < 1.0:
            return
        time.sleep(0.05)
    raise AssertionError(f"no actor ran on node {node_id} in {seconds} s")


@pytest.mark.slow
@needs_ray
def test_a_document_failing_on_a_worker_is_its_failure_in_errors_jsonl(
    cluster: Any, tmp_path: Path
) -> None:
    from translate.ray import DocumentTranslator, RayPipeline

    class FailingTranslator(DocumentTranslator):
        """An actor whose model fails on every batch holding the word ``HỎNG``."""

        def __init__(self, config_json: str) -> None:
            super().__init__(config_json)
            self.pipeline.translator.backend = FakeBackend(fail_on=["HỎNG"])

    texts = ["Trời mưa to.", "Máy HỎNG rồi.", "Hôm nay trời đẹp."]
    documents = [read_text(text, f"d{i}") for i, text in enumerate(texts)]
    pipeline = RayPipeline(_config(), actor=FailingTranslator)
    summary = Job(pipeline, tmp_path / "out", ["tsv"]).run(documents)  # type: ignore[arg-type]
    assert [f.doc_id for f in summary.failures] == ["d1"]
    errors = [json.loads(line) for line in (tmp_path / "out" / "errors.jsonl").open()]
    assert [(e["doc_id"], e["reason"]) for e in errors] == [
        ("d1", "translation failed: fake failure on 'Máy HỎNG rồi.'")
    ]
    tsv = (tmp_path / "out" / "corpus.tsv").read_text(encoding="utf-8").splitlines()
    assert tsv == ["Trời mưa to.\tEN: TRỜI MƯA TO.", "Hôm nay trời đẹp.\tEN: HÔM NAY TRỜI ĐẸP."]


@pytest.mark.slow
@needs_ray
@pytest.mark.parametrize("inputs", ["ship", "shared"])
def test_a_killed_driver_resumes_from_its_parts_locally(
    cluster: Any, corpus: Path, local_run: Path, tmp_path: Path, inputs: str
) -> None:
    out = tmp_path / "ray"
    env = {**os.environ, **RAY_ENVIRONMENT, "RAY_ADDRESS": cluster.address, "PYTHONPATH": str(ROOT)}
    # One sentence per batch and small windows: slow enough, and parts saved window by
    # window from early on, to be killed mid-run.
    slow = ("--batch-size", "1", "--window-sentences", "16")
    on_ray = (*slow, "--ray-inputs", inputs)
    args = [sys.executable, "-m", "translate", *_translate_args(corpus, out, *on_ray)]
    driver = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    parts = out / ".vi2en" / "parts"
    try:
        deadline = time.monotonic() + 120
        while not (parts.is_dir() and len(list(parts.glob("*.jsonl"))) >= 2):
            assert driver.poll() is None, driver.stderr.read().decode() if driver.stderr else ""
            assert time.monotonic() < deadline, "the driver wrote no part in 120 s"
            time.sleep(0.01)
        driver.send_signal(signal.SIGKILL)
    finally:
        driver.wait()
        if driver.stderr:
            driver.stderr.close()
    assert not (out / "manifest.json").exists()
    done = len(list(parts.glob("*.jsonl")))
    assert 2 <= done < 30
    result = CliRunner().invoke(main, _translate_args(corpus, out, *slow))  # locally
    assert result.exit_code == 0, result.output
    reference = tmp_path / "local"
    result = CliRunner().invoke(main, _translate_args(corpus, reference, *slow))
    assert result.exit_code == 0, result.output
    assert _outputs(out) == _outputs(reference)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["run"]["resumed_documents"] >= done


@pytest.mark.slow
@needs_ray
def test_translate_dataset_gives_the_aligned_pairs(cluster: Any, corpus: Path) -> None:
    import ray.data

    from translate.ray import PAIR_COLUMNS, translate_dataset

    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.txt"))[:6]}
    ds = ray.data.from_items([{"id": name, "text": text} for name, text in texts.items()])
    rows = sorted(
        translate_dataset(ds, _config()).take_all(),
        key=lambda r: (r["doc_id"], r["paragraph"], r["sentence"]),
    )
    expected = []
    for result in build_pipeline(_config()).translate_documents(
        read_text(text, name) for name, text in texts.items()
    ):
        assert isinstance(result, TranslatedDocument)
        expected += [
            (
                p.doc_id,
                p.paragraph,
                p.sentence,
                p.source,
                p.target,
                "",
                None if p.score is None else round(p.score, 4),
                [f"{f.check}: {f.reason}" for f in p.flags],
            )
            for p in result.pairs
        ]
    assert any(row[-1] for row in expected)  # the tiny model's loops are flagged
    got = [tuple(list(r[c]) if c == "flags" else r[c] for c in PAIR_COLUMNS) for r in rows]
    assert got == sorted(expected)


@pytest.mark.slow
@needs_ray
def test_ray_address_local_starts_ray_here_and_equals_a_local_run(
    corpus: Path, local_run: Path, tmp_path: Path
) -> None:
    out = tmp_path / "ray"
    env = {**os.environ, **RAY_ENVIRONMENT, "PYTHONPATH": str(ROOT)}
    env.pop("RAY_ADDRESS", None)
    args = [
        sys.executable,
        "-m",
        "translate",
        *_translate_args(corpus, out),
        "--ray-address",
        "local",
    ]
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert _outputs(out) == _outputs(local_run)


@pytest.fixture(scope="module")
def mixed_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Text, HTML and a JSONL shard in nested folders, with a bad record and a bad file."""
    paragraphs = [p for p in SAMPLE.read_text(encoding="utf-8").splitlines() if p.strip()]
    folder = tmp_path_factory.mktemp("mixed")
    (folder / "a" / "b").mkdir(parents=True)
    for k in range(6):
        text = "\n".join(paragraphs[k : k + 3]) + "\n"
        (folder / ("a/b" if k % 2 else "a") / f"doc{k}.txt").write_text(text, encoding="utf-8")
    records = [{"id": f"r{k}", "text": "\n".join(paragraphs[k + 1 : k + 3])} for k in range(5)]
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    lines.insert(2, '{"id": "broken", "text": ')  # a malformed record, its own failure
    (folder / "shard.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "page.html").write_bytes((SAMPLE.parent / "ntrex-article.vi.html").read_bytes())
    (folder / "latin1.txt").write_bytes("Tr\xe1i \xf0\xe2y.\n".encode("latin-1"))  # not UTF-8
    (folder / "a" / "doc1.txt").write_text(paragraphs[0] + "\n", encoding="utf-8")
    return folder


@pytest.mark.slow
@needs_ray
def test_shared_inputs_are_read_by_the_workers_and_equal_a_local_run(
    cluster: Any, mixed_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import translate.readers.folders as folders

    local = tmp_path / "local"
    result = CliRunner().invoke(main, _translate_args(mixed_corpus, local))
    assert result.exit_code == 3, result.output  # the bad record and the bad file
    monkeypatch.setenv("RAY_ADDRESS", cluster.address)

    def no_reading(*args: Any) -> Any:
        raise AssertionError(f"the driver read an input: {args}")

    # Every file a reader opens goes through here; the workers are other processes.
    monkeypatch.setattr(folders, "_read_isolated", no_reading)
    out = tmp_path / "ray"
    result = CliRunner().invoke(main, _translate_args(mixed_corpus, out, "--ray-inputs", "shared"))
    assert result.exit_code == 3, result.output
    assert _outputs(out) == _outputs(local)
    errors = [json.loads(line) for line in (out / "errors.jsonl").open(encoding="utf-8")]
    assert sorted(e["doc_id"] for e in errors) == ["latin1.txt", "shard.jsonl:3"]
    # A second run resumes every document from the parts (content hashes from the workers).
    result = CliRunner().invoke(main, _translate_args(mixed_corpus, out, "--ray-inputs", "shared"))
    assert result.exit_code == 3, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["run"]["resumed_documents"] == manifest["counts"]["documents"] - 2
    assert _outputs(out) == _outputs(local)


@needs_ray
def test_a_document_changed_after_the_survey_is_its_failure(tmp_path: Path) -> None:
    from translate.ray import DocumentRef, _resolve
    from translate.readers import READERS, InputFile, ReadOptions
    from translate.readers import read_input as read

    path = tmp_path / "a.txt"
    path.write_text("Trời mưa.\n", encoding="utf-8")
    item = InputFile(str(path), "a.txt", "a", path)
    (document,) = read(item, READERS["txt"], ReadOptions())
    assert isinstance(document, Document)
    ref = DocumentRef(
        document.doc_id, (), document.source, "renamed", document.content_hash,
        file=item, reader="txt", sentences=1,
    )  # fmt: skip
    (same,) = _resolve([ref], ReadOptions())
    assert isinstance(same, Document)
    assert same.paragraphs == ("Trời mưa.",) and same.output_path == "renamed"
    path.write_text("Trời nắng.\n", encoding="utf-8")
    (changed,) = _resolve([ref], ReadOptions())
    assert isinstance(changed, DocumentFailure)
    assert changed.reason.startswith("changed or removed while the run was in progress")
    path.unlink()
    (gone,) = _resolve([ref], ReadOptions())
    assert isinstance(gone, DocumentFailure)
    assert gone.doc_id == "a.txt" and "run the same command again" in gone.reason


def test_ray_inputs_without_a_ray_address_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Xin chào.\n", encoding="utf-8")
    args = ["translate", str(tmp_path / "a.txt"), "--backend", "fake", "--ray-inputs", "shared"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "--ray-inputs is for a Ray run; pass --ray-address too" in result.stderr


@needs_ray
def test_a_file_a_worker_cannot_see_says_how_to_ship_the_inputs(tmp_path: Path) -> None:
    import pickle

    from translate.ray import _survey_rows
    from translate.readers import InputFile

    missing = tmp_path / "elsewhere.txt"  # on the driver's storage, not this node's
    item = InputFile("elsewhere.txt", "elsewhere.txt", "elsewhere", missing)
    rows = _survey_rows({"index": [0], "file": [pickle.dumps((item, "txt"))]}, _config().to_json())
    (failure,) = pickle.loads(rows["documents"][0])
    assert isinstance(failure, DocumentFailure) and failure.doc_id == "elsewhere.txt"
    assert "every node must see the inputs at the same path" in failure.reason
    assert "--ray-inputs ship" in failure.reason
