"""One run per OUTDIR: inputs never outputs, the lock, stale outputs, set publication, damaged state."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TINY_MODEL
from tests.test_job import CORPUS, doc, make_job
from translate.errors import ConfigMismatchError, InputOverwriteError, OutputDirLockedError
from translate.job import MANIFEST_FILE, OutputDirLock, _part_name
from translate.layout import CORPUS_SUFFIXES, FORMAT_FILES
from translate.writers import WRITERS, RunInfo, open_writers

ARTICLE = "Hà Nội là thủ đô của Việt Nam.\nGiá vàng hôm nay tăng.\n"


def translate(
    args: list[str], cwd: Path | None = None, quiet: bool = True
) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "translate", "translate", *args]
    cmd += ["--model", str(TINY_MODEL), "--no-cache", *(["-q"] if quiet else [])]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False, env=env)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_corpus_suffixes_are_the_files_the_writers_open(tmp_path: Path) -> None:
    run = RunInfo("0", "m", None)
    for name in CORPUS_SUFFIXES:
        (writer,) = open_writers([name], tmp_path, run)
        assert sorted(f.path.name for f in writer.files) == sorted(
            "corpus" + s for s in CORPUS_SUFFIXES[name]
        )
        writer.discard()
    assert set(CORPUS_SUFFIXES) | {"txt", "links"} | set(FORMAT_FILES) == set(WRITERS)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("layout", "args", "cwd"),
    [
        # cd articles && vi2en translate txt/bai1.txt -o .
        ({"txt/bai1.txt": ARTICLE}, ["txt/bai1.txt", "-o", "."], "."),
        # vi2en translate articles/txt -o articles
        ({"articles/txt/bai1.txt": ARTICLE}, ["articles/txt", "-o", "articles"], "."),
        # a JSONL input that corpus.jsonl would replace
        ({"corpus.jsonl": '{"id": "a", "text": "Xin chào."}\n'}, ["corpus.jsonl", "-o", "."], "."),
        # an input that errors.jsonl would replace, named from outside
        (
            {"out/errors.jsonl": '{"id": "a", "text": "Xin chào."}\n'},
            ["out/errors.jsonl", "-o", "out"],
            ".",
        ),
        # an input under .vi2en of the output directory
        ({"out/.vi2en/x.txt": ARTICLE}, ["out/.vi2en/x.txt", "-o", "out"], "."),
    ],
    ids=["txt-over-itself", "folder-into-parent", "jsonl-over-corpus", "errors", "state"],
)
def test_an_input_that_is_an_output_is_refused(
    tmp_path: Path, layout: dict[str, str], args: list[str], cwd: str
) -> None:
    for name, text in layout.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    before = snapshot(tmp_path)
    result = translate(args, cwd=tmp_path / cwd)
    assert result.returncode == 2, result.stderr
    assert "is an output of this run" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(tmp_path) == before  # nothing written, not even the lock


def test_a_hard_link_to_an_output_is_refused(tmp_path: Path) -> None:
    make_job(tmp_path / "out")[0].run(iter(CORPUS))
    os.link(tmp_path / "out" / "txt" / "a.txt", tmp_path / "a.txt")
    with pytest.raises(InputOverwriteError, match=r"a\.txt"):
        make_job(tmp_path / "out", input_paths=[tmp_path / "a.txt"])[0].run(iter(CORPUS))


@pytest.mark.slow
def test_inputs_beside_the_output_folder_are_fine(tmp_path: Path) -> None:
    (tmp_path / "bai1.txt").write_text(ARTICLE, encoding="utf-8")
    result = translate(["bai1.txt", "-o", "."], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "bai1.txt").read_text(encoding="utf-8") == ARTICLE


HOLD_LOCK = """
import sys, time
from pathlib import Path
from translate.job import OutputDirLock
with OutputDirLock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""


def hold_lock(out: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(out)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    return holder


@pytest.mark.slow
@pytest.mark.parametrize("extra", [[], ["--restart"]], ids=["plain", "restart"])
def test_a_second_run_is_refused_while_the_first_holds_the_outdir(
    tmp_path: Path, extra: list[str]
) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out"
    holder = hold_lock(out)
    try:
        result = translate([str(tmp_path / "a.txt"), "-o", str(out), *extra])
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 1
    assert f"is in use by another vi2en run (PID {holder.pid} on host" in result.stderr
    assert not (out / "corpus.tsv").exists()
    # The OS lock died with the killed holder: the next run goes ahead.
    assert translate([str(tmp_path / "a.txt"), "-o", str(out)]).returncode == 0


def test_lock_is_released_on_an_exception(tmp_path: Path) -> None:
    with pytest.raises(ConfigMismatchError):
        make_job(tmp_path, settings={"x": 1})[0].run(iter(CORPUS))
        make_job(tmp_path, settings={"x": 2})[0].run(iter(CORPUS))
    with OutputDirLock(tmp_path), pytest.raises(OutputDirLockedError):
        OutputDirLock(tmp_path).__enter__()


def test_temporaries_with_a_live_pid_are_removed_under_the_lock(tmp_path: Path) -> None:
    stale = tmp_path / "txt" / f".a.txt.tmp-{os.getppid()}"  # a live PID (another namespace's)
    stale.parent.mkdir(parents=True)
    stale.write_text("half")
    make_job(tmp_path)[0].run(iter(CORPUS))
    assert not stale.exists()


def listed(out: Path) -> set[str]:
    manifest = json.loads((out / MANIFEST_FILE).read_text("utf-8"))
    for entry in manifest["files"]:
        assert len(entry["sha256"]) == 64 and entry["size"] == (out / entry["path"]).stat().st_size
    return {entry["path"] for entry in manifest["files"]}


def vi2en_files(out: Path) -> set[str]:
    return {
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and ".vi2en" not in p.parts and p.name != MANIFEST_FILE
    }


def test_rerun_with_other_formats_and_fewer_documents_holds_exactly_that_run(
    tmp_path: Path,
) -> None:
    (tmp_path / "notes.md").write_text("mine")  # a user's file stays
    make_job(tmp_path)[0].run(iter(CORPUS))
    job, _ = make_job(tmp_path)
    job.formats = ["jsonl", "txt"]
    summary = job.run(iter(CORPUS[:1]))
    assert summary.removed == 2
    assert vi2en_files(tmp_path) - {"notes.md"} == listed(tmp_path)
    assert listed(tmp_path) == {"corpus.jsonl", "errors.jsonl", "txt/a.txt"}
    assert not (tmp_path / "txt" / "sub").exists()
    assert len(list((tmp_path / ".vi2en" / "parts").glob("*"))) == 1
    assert (tmp_path / "notes.md").read_text() == "mine"


def test_a_document_that_now_fails_loses_its_old_translation(tmp_path: Path) -> None:
    from translate.backends.fake import FakeBackend

    make_job(tmp_path)[0].run(iter(CORPUS))
    changed = [CORPUS[0], doc("sub/b.txt", "Câu hỏng."), CORPUS[2]]
    make_job(tmp_path, FakeBackend(fail_on=["hỏng."]))[0].run(iter(changed))
    assert not (tmp_path / "txt" / "sub" / "b.txt").exists()
    assert "txt/sub/b.txt" not in listed(tmp_path)


def test_restart_starts_from_an_empty_run(tmp_path: Path) -> None:
    make_job(tmp_path)[0].run(iter(CORPUS))
    summary = make_job(tmp_path, restart=True)[0].run(iter(CORPUS[:1]))
    assert summary.resumed == 0 and summary.translated == 1
    assert vi2en_files(tmp_path) == listed(tmp_path)


@pytest.mark.parametrize(
    "content", ["", "[1, 2]", "{not json", "\xff"], ids=["empty", "list", "invalid", "bytes"]
)
def test_damaged_settings_is_one_line_naming_the_file_and_the_fix(
    tmp_path: Path, content: str
) -> None:
    make_job(tmp_path)[0].run(iter(CORPUS))
    settings = tmp_path / ".vi2en" / "settings.json"
    settings.write_bytes(content.encode("latin-1"))
    with pytest.raises(ConfigMismatchError) as caught:
        make_job(tmp_path)[0].run(iter(CORPUS))
    assert str(caught.value) == f"{settings} is damaged; pass --restart to start again"
    assert make_job(tmp_path, restart=True)[0].run(iter(CORPUS)).translated == 3


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[: len(b) // 2],
        lambda b: b[: b.rindex(b"\n", 0, len(b) - 1) + 1],
        lambda b: b"\x00garbage",
    ],
    ids=["cut-mid-line", "cut-at-line-end", "garbage"],
)
def test_damaged_part_is_translated_again(tmp_path: Path, damage: object) -> None:
    make_job(tmp_path)[0].run(iter(CORPUS))
    before = snapshot(tmp_path / "txt")
    part = tmp_path / ".vi2en" / "parts" / _part_name("a.txt")
    part.write_bytes(damage(part.read_bytes()))  # type: ignore[operator]
    summary = make_job(tmp_path)[0].run(iter(CORPUS))
    assert (summary.translated, summary.resumed) == (1, 2)
    assert snapshot(tmp_path / "txt") == before


CRASH_RUN = """
import sys
from pathlib import Path
from tests.test_job import CORPUS, make_job
job, _ = make_job(Path(sys.argv[1]))
job.formats = sys.argv[2].split(",")
job.run(iter(CORPUS[: int(sys.argv[3])]))
"""


def crash_run(out: Path, formats: str, documents: int, step: int | None) -> int:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    env.pop("VI2EN_TEST_CRASH_AT", None)
    if step is not None:
        env["VI2EN_TEST_CRASH_AT"] = str(step)
    cmd = [sys.executable, "-c", CRASH_RUN, str(out), formats, str(documents)]
    return subprocess.run(cmd, env=env, check=False).returncode


# tsv,moses,jsonl,tmx + errors.jsonl: 7 renames, then removing stale files, then the manifest.
@pytest.mark.slow
@pytest.mark.parametrize("step", range(9))
def test_a_kill_at_any_step_of_publication_is_never_a_mixed_set(tmp_path: Path, step: int) -> None:
    clean, out = tmp_path / "clean", tmp_path / "out"
    assert crash_run(clean, "tsv,moses,jsonl,tmx", 3, None) == 0
    assert crash_run(out, "tsv,moses,jsonl,tmx,txt", 2, None) == 0
    assert crash_run(out, "tsv,moses,jsonl,tmx", 3, step) == 137
    if (out / MANIFEST_FILE).exists():  # complete only if every listed file matches
        from translate.fileio import file_digest

        manifest = json.loads((out / MANIFEST_FILE).read_text("utf-8"))
        for entry in manifest["files"]:
            assert file_digest(out / entry["path"]) == (entry["sha256"], entry["size"])
        assert manifest["counts"]["documents"] == 3
    # The next run (any run) completes the publication first.
    assert crash_run(out, "tsv,moses,jsonl,tmx", 3, None) == 0
    assert snapshot(out).keys() - {p for p in snapshot(out) if p.startswith(".vi2en/")} == (
        snapshot(clean).keys() - {p for p in snapshot(clean) if p.startswith(".vi2en/")}
    )
    assert {
        k: v for k, v in snapshot(out).items() if not k.startswith((".vi2en", MANIFEST_FILE))
    } == {k: v for k, v in snapshot(clean).items() if not k.startswith((".vi2en", MANIFEST_FILE))}
    assert vi2en_files(out) == listed(out)


@pytest.mark.slow
def test_another_input_set_says_how_many_earlier_documents_were_removed(tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / "in" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "in" / name).write_text(ARTICLE, encoding="utf-8")
    out = str(tmp_path / "out")
    assert translate([str(tmp_path / "in"), "-o", out]).returncode == 0
    (tmp_path / "other.txt").write_text(ARTICLE, encoding="utf-8")
    result = translate([str(tmp_path / "other.txt"), "-o", out], quiet=False)
    assert result.returncode == 0, result.stderr
    assert "removed the outputs of 3 documents of an earlier run" in result.stderr
    assert listed(tmp_path / "out") == vi2en_files(tmp_path / "out")
    assert {p for p in listed(tmp_path / "out") if p.startswith("txt/")} == {"txt/other.txt"}


@pytest.mark.slow
def test_an_input_folder_used_as_outdir_never_reads_its_own_outputs(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "bai1.txt").write_text(ARTICLE, encoding="utf-8")
    (articles / "bai2.txt").write_text("Xin chào.\n", encoding="utf-8")
    inputs = {name: (articles / name).read_bytes() for name in ("bai1.txt", "bai2.txt")}
    counts = []
    for _ in range(3):
        result = translate(["articles", "-o", "articles", "-f", "jsonl,txt"], cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        manifest = json.loads((articles / MANIFEST_FILE).read_text("utf-8"))
        counts.append((manifest["counts"]["documents"], manifest["counts"]["pairs"]))
    assert counts == [(2, 3)] * 3  # txt/*.txt and corpus.jsonl are never read back
    assert {name: (articles / name).read_bytes() for name in inputs} == inputs


def test_part_of_the_older_format_is_translated_again(tmp_path: Path) -> None:
    make_job(tmp_path)[0].run(iter(CORPUS))
    before = snapshot(tmp_path / "txt")
    part = tmp_path / ".vi2en" / "parts" / _part_name("a.txt")
    header, *pairs = part.read_text("utf-8").splitlines(keepends=True)
    old = {**json.loads(header), "paragraphs": ["the paragraphs' texts"]}
    part.write_text(json.dumps(old) + "\n" + "".join(pairs), "utf-8")
    summary = make_job(tmp_path)[0].run(iter(CORPUS))
    assert (summary.translated, summary.resumed) == (1, 2)
    assert snapshot(tmp_path / "txt") == before
