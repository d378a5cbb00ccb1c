"""Long jobs that survive: signals, kill -9 and resume, a folder of bad inputs, a full disk.

These run the real `vi2en` command in subprocesses on the tiny model, from module-scoped
fixtures too: the caches they write must be the tests' own, never the user's.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SESSION_CACHE, TINY_MODEL

SENTENCES = [
    "Hà Nội là thủ đô của Việt Nam.",
    "GS.TS Nguyễn Văn A cho biết TP.HCM có hơn 10.000 doanh nghiệp mới.",
    "Giá vàng hôm nay tăng 3,5% so với tuần trước.",
    "“Chúng tôi sẽ tiếp tục theo dõi”, ông nói.",
]


def write_corpus(folder: Path, documents: int) -> None:
    for i in range(documents):
        lines = [f"Bài số {i}"] + [f"{s} Đoạn {i}." for s in SENTENCES[: 1 + i % len(SENTENCES)]]
        path = folder / f"group{i % 3}" / f"doc{i:04d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def command(inputs: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "translate", "translate", str(inputs), "-o", str(out),
        "--model", str(TINY_MODEL), "--backend", "ctranslate2", "--no-cache",
        "-f", "tsv,jsonl,moses,tmx,txt", "--window-sentences", "8", "--max-length", "24", *extra,
    ]  # fmt: skip


def final_outputs(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and ".vi2en" not in p.parts and p.name != "manifest.json"
    }


def parts_done(out: Path) -> int:
    parts = out / ".vi2en" / "parts"
    return len(list(parts.glob("*.jsonl"))) if parts.is_dir() else 0


def start_and_wait_for_parts(cmd: list[str], out: Path, parts: int) -> subprocess.Popen[str]:
    """Start a run and return it, still running, once ``parts`` documents are done.

    A run that ends first, or hangs, fails the test: the caller's signal or kill
    must land mid-run, or it tests nothing.
    """
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120  # against a hang, not a speed limit
    while parts_done(out) < parts:
        if process.poll() is not None:
            _, stderr = process.communicate()
            pytest.fail(f"the run ended ({process.returncode}) before {parts} parts: {stderr}")
        if time.monotonic() > deadline:
            process.kill()
            process.communicate()
            pytest.fail(f"the run made {parts_done(out)} of {parts} parts in 120 s")
        time.sleep(0.02)
    return process


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    write_corpus(folder, 60)
    return folder


@pytest.fixture(scope="module")
def reference(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("reference") / "out"
    subprocess.run(command(corpus, out, "-q"), check=True, capture_output=True)
    return final_outputs(out)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signal_number", "exit_code"),
    [(signal.SIGINT, 130), (signal.SIGTERM, 143)],
    ids=["sigint", "sigterm"],
)
def test_signal_stops_after_batch_and_resume_completes(
    corpus: Path, reference: dict[str, bytes], tmp_path: Path, signal_number: int, exit_code: int
) -> None:
    out = tmp_path / "out"
    process = start_and_wait_for_parts(command(corpus, out), out, 3)
    process.send_signal(signal_number)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == exit_code, stderr
    assert "run the same command again to resume" in stderr
    assert "Traceback" not in stderr
    assert not (out / "corpus.tsv").exists()  # nothing that looks complete
    resumed = subprocess.run(command(corpus, out), capture_output=True, text=True, check=False)
    assert resumed.returncode == 0, resumed.stderr
    assert "resumed" in resumed.stderr
    assert final_outputs(out) == reference


@pytest.mark.slow
def test_kill_9_at_several_moments_then_resume(
    corpus: Path, reference: dict[str, bytes], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    for parts in (2, 15, 40):
        process = start_and_wait_for_parts(command(corpus, out, "-q"), out, parts)
        process.kill()
        process.communicate()
        # Killed mid-run: some documents done, nothing published.
        assert process.returncode == -signal.SIGKILL
        assert parts <= parts_done(out) < 60
        assert not (out / "manifest.json").exists() and not (out / "corpus.tsv").exists()
    finished = subprocess.run(
        command(corpus, out, "-q"), capture_output=True, text=True, check=False
    )
    assert finished.returncode == 0, finished.stderr
    outputs = final_outputs(out)
    assert outputs == reference
    ids = [json.loads(line)["doc_id"] for line in outputs["corpus.jsonl"].decode().splitlines()]
    pairs = [
        (r["doc_id"], r["paragraph"], r["sentence"])
        for r in map(json.loads, outputs["corpus.jsonl"].decode().splitlines())
    ]
    assert len(pairs) == len(set(pairs))  # nothing duplicated
    assert len(set(ids)) == 60  # nothing lost


BAD_INPUTS: dict[str, bytes] = {
    "empty.txt": b"",
    "blank.txt": b"  \n\t\n",
    "image.txt": b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
    "program.txt": b"\x7fELF\x02\x01\x01" + bytes(100),
    "latin1.txt": b"Th\xe0nh ph\xf4 \xff",  # Latin-1 bytes, not UTF-8
    "lines.jsonl": b'{"id": "ok1", "text": "C\xc3\xa2u m\xe1\xbb\x99t."}\nnot json\n[1, 2]\n{"id": "x"}\n',
    "nothing.html": b"<html><body><nav><a href='/'>Trang ch\xe1\xbb\xa7</a></nav></body></html>",
}


@pytest.mark.slow
def test_folder_of_bad_inputs(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_corpus(folder, 3)
    for name, data in BAD_INPUTS.items():
        (folder / name).write_bytes(data)
    (folder / "bom.txt").write_bytes("\ufeffCâu có BOM.".encode())
    (folder / "utf16.txt").write_bytes("Câu UTF-16.".encode("utf-16"))
    out = tmp_path / "out"
    result = subprocess.run(command(folder, out), capture_output=True, text=True, check=False)
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    errors = {
        e["doc_id"]: e["reason"]
        for e in map(json.loads, (out / "errors.jsonl").read_text().splitlines())
    }
    assert set(errors) == {
        "empty.txt",
        "blank.txt",
        "image.txt",
        "program.txt",
        "latin1.txt",
        "lines.jsonl:2",
        "lines.jsonl:3",
        "x",
        "nothing.html",
    }
    assert "binary" in errors["image.txt"] and "--encoding" in errors["latin1.txt"]
    translated = {line.split("\t")[0] for line in (out / "corpus.ids").read_text().splitlines()}
    assert translated == {
        "group0/doc0000.txt",
        "group1/doc0001.txt",
        "group2/doc0002.txt",
        "ok1",
        "bom.txt",
        "utf16.txt",
    }
    assert "9 documents failed" in result.stderr


def test_full_disk_names_the_file_and_keeps_what_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    import translate.fileio
    from translate.cli import main

    folder = tmp_path / "in"
    write_corpus(folder, 4)
    out = tmp_path / "out"
    runner = CliRunner()
    args = [
        "translate",
        str(folder),
        "-o",
        str(out),
        "--model",
        str(TINY_MODEL),
        "--backend",
        "fake",
        "--no-cache",
        "-f",
        "tsv",
    ]
    assert runner.invoke(main, args).exit_code == 0
    before = (out / "corpus.tsv").read_bytes()

    real_fsync = os.fsync

    def full_disk(fd: int) -> None:
        # The corpus file is the one that finds the disk full, when it is flushed.
        if ".corpus.tsv.tmp-" in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(translate.fileio.os, "fsync", full_disk)
    (folder / "group0" / "doc0000.txt").write_text("Nội dung đã thay đổi.\n", encoding="utf-8")
    result = runner.invoke(main, args)
    assert result.exit_code == 1
    assert "disk full while writing" in result.output and "corpus.tsv" in result.output
    assert (out / "corpus.tsv").read_bytes() == before  # the earlier corpus is intact
    assert not list(out.glob(".corpus.tsv.tmp-*"))


# --- the user's caches are never touched ------------------------------------------------

CACHE_VARIABLES = ("VI2EN_CACHE_DIR", "XDG_CACHE_HOME", "HF_HOME", "HF_HUB_CACHE")


@pytest.fixture(scope="module")
def module_scope_caches() -> dict[str, str]:
    """What a module-scoped fixture (like ``reference``) sees: it runs before any per-test one."""
    from translate.models import cache_dir

    return {
        **{name: os.environ.get(name, "") for name in CACHE_VARIABLES},
        "cache_dir()": str(cache_dir()),
        "VI2EN_CACHE": os.environ.get("VI2EN_CACHE", "unset"),
    }


def test_module_fixtures_cache_in_the_session_directory(
    module_scope_caches: dict[str, str],
) -> None:
    memory = module_scope_caches.pop("VI2EN_CACHE")
    assert memory == "unset"
    for name, value in module_scope_caches.items():
        assert SESSION_CACHE in Path(value).parents, (name, value)
        assert Path(value) != Path.home() / ".cache" / "vi2en"


@pytest.fixture(scope="module")
def module_scope_child_caches() -> list[str]:
    """Where a subprocess started by a module-scoped fixture caches (``reference`` runs vi2en)."""
    code = (
        "import huggingface_hub.constants as hf; from translate.models import cache_dir; "
        "print(cache_dir()); print(hf.HF_HUB_CACHE); print(hf.HF_HOME)"
    )
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return child.stdout.splitlines()


@pytest.mark.slow
def test_subprocesses_of_module_fixtures_cache_in_the_session_directory(
    module_scope_child_caches: list[str],
) -> None:
    assert len(module_scope_child_caches) == 3
    for line in module_scope_child_caches:
        assert SESSION_CACHE in Path(line).parents, line
