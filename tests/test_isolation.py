"""One bad record, name or file never ends a run; signals stop it wherever it is.

The CLI runs are real subprocesses on the tiny model, like tests/test_robustness.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import ROOT, TINY_MODEL
from translate.backends.fake import FakeBackend
from translate.cli import main
from translate.errors import InputError, Interrupted, ModelLoadError
from translate.pipeline import Pipeline
from translate.readers import ReadOptions, check_inputs, read_documents, read_text
from translate.records import Document, DocumentFailure, TranslatedDocument
from translate.translator import Translator

GOOD = "Hà Nội là thủ đô của Việt Nam."
SAMPLE_HTML = ROOT / "tests" / "data" / "sample" / "ntrex-article.vi.html"

# One JSONL line per case: (id of the case, the raw line, the doc_id it gets, translated?).
# Every line is valid UTF-8; the trouble is in what the JSON decodes to.
JSONL_CASES = [
    ("lone-surrogate-text", '{"id": "s1", "text": "Xin chào \\ud800"}', "s1", False),
    ("lone-low-surrogate", '{"id": "s2", "text": "\\udfff chào"}', "s2", False),
    ("surrogate-in-id", '{"id": "x\\ud800", "text": "Câu."}', "hostile.jsonl:4", False),
    ("surrogate-in-title", '{"id": "s4", "title": "\\ud83d", "text": "Câu."}', "s4", False),
    # A key with a surrogate only shows up in the reason (no text field).
    ("surrogate-in-key", '{"id": "s5", "\\udc80": "Câu."}', "s5", False),
    ("paired-surrogates", '{"id": "emoji", "text": "Vui \\ud83d\\ude00 quá."}', "emoji", True),
    ("int-over-4300-digits", '{"id": ' + "9" * 5000 + ', "text": "Câu."}', "hostile.jsonl:8", False),
    ("int-23-digits", '{"id": 12345678901234567890123, "text": "Câu."}', "12345678901234567890123", True),
    ("float-overflow-id", '{"id": 1e400, "text": "Câu."}', "hostile.jsonl:10", False),
    ("nan-text", '{"id": "nan", "text": NaN}', "nan", False),
    ("deep-array", "[" * 100_000 + "]" * 100_000, "hostile.jsonl:12", False),
    ("deep-object", '{"a": ' * 100_000 + "1" + "}" * 100_000, "hostile.jsonl:13", False),
    ("bom-mid-file", '\ufeff{"id": "bom", "text": "Câu có BOM."}', "bom", True),
    ("nul-in-id", '{"id": "a\\u0000b", "text": "Câu."}', "a\x00b", True),
    ("slash-dots-id", '{"id": "../../etc/passwd", "text": "Câu."}', "../../etc/passwd", True),
    ("dots-id", '{"id": "..", "text": "Câu."}', "..", True),
    ("long-cjk-id", '{"id": "' + "越" * 300 + '", "text": "Câu."}', "越" * 300, True),
    ("long-vietnamese-id", '{"id": "' + "ệ" * 90 + '", "text": "Câu."}', "ệ" * 90, True),
]  # fmt: skip


def command(inputs: list[Path] | Path, out: Path, *extra: str) -> list[str]:
    names = [str(p) for p in (inputs if isinstance(inputs, list) else [inputs])]
    return [
        sys.executable, "-m", "translate", "translate", *names, "-o", str(out),
        "--model", str(TINY_MODEL), "--backend", "ctranslate2", "--no-cache",
        "-f", "jsonl,tsv,moses,tmx,txt", "--max-length", "16", *extra,
    ]  # fmt: skip


def hostile_folder(folder: Path) -> tuple[set[str], set[str]]:
    """A folder of bad records, names and special files: (good ids, bad ids)."""
    folder.mkdir(parents=True)
    lines = [f'{{"id": "ok", "text": "{GOOD}"}}', *(line for _, line, _, _ in JSONL_CASES)]
    (folder / "hostile.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    good = {"ok", *(doc_id for _, _, doc_id, ok in JSONL_CASES if ok)}
    bad = {doc_id for _, _, doc_id, ok in JSONL_CASES if not ok}
    # A file name that is not UTF-8 is read, under an id that spells the byte out.
    (folder / os.fsdecode(b"t\xffn.txt")).write_text(GOOD + "\n", encoding="utf-8")
    good.add("t\\xffn.txt")
    # Special files with an input extension: failures, never opened.
    os.mkfifo(folder / "pipe.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    bad |= {"pipe.txt", "zero.txt"}
    # Output names: a file where a folder goes, a file and a JSONL file's records,
    # names that differ in case only, and a name too long for a file system.
    (folder / "a.html").write_bytes(SAMPLE_HTML.read_bytes())
    (folder / "a.txt").mkdir()
    (folder / "a.txt" / "b.txt").write_text(GOOD + "\n", encoding="utf-8")
    (folder / "x.txt").write_text(GOOD + "\n", encoding="utf-8")
    (folder / "x.txt.jsonl").write_text(f'{{"id": "r1", "text": "{GOOD}"}}\n', encoding="utf-8")
    (folder / "Case.txt").write_text(GOOD + "\n", encoding="utf-8")
    (folder / "case.txt").write_text(GOOD + "\n", encoding="utf-8")
    long_name = "ử" * 83 + ".txt"  # 249 + 4 bytes: with ".txt" and a temporary name, too long
    (folder / long_name).write_text(GOOD + "\n", encoding="utf-8")
    good |= {"a.html", "a.txt/b.txt", "x.txt", "r1", "Case.txt", "case.txt", long_name}
    return good, bad


def errors_of(out: Path) -> dict[str, str]:
    lines = (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()
    return {e["doc_id"]: e["reason"] for e in map(json.loads, lines)}


@pytest.mark.slow
def test_hostile_folder_translates_every_good_document(tmp_path: Path) -> None:
    good, bad = hostile_folder(tmp_path / "in")
    out = tmp_path / "out"
    pairs = []
    for _ in range(2):  # the rerun resumes to the same result
        result = subprocess.run(
            command(tmp_path / "in", out), capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 3, result.stderr
        assert "Traceback" not in result.stderr
        errors = errors_of(out)
        assert set(errors) == bad
        records = [json.loads(line) for line in (out / "corpus.jsonl").open(encoding="utf-8")]
        assert {r["doc_id"] for r in records} == good
        pairs.append(len(records))
        articles = [p for p in (out / "txt").rglob("*") if p.is_file()]
        assert len(articles) == len(good)  # one file each: no name was shared or lost
        assert all(len(p.name.encode()) <= 220 for p in articles)
    assert pairs[0] == pairs[1]
    assert "unpaired surrogate \\ud800" in errors["s1"]
    assert "\\udc80" in errors["s5"]
    assert "not a regular file (a FIFO)" in errors["pipe.txt"]
    assert "not a regular file (a character device)" in errors["zero.txt"]
    assert "nested too deeply" in errors["hostile.jsonl:12"]


def _writable(result: Document | DocumentFailure) -> list[str]:
    if isinstance(result, DocumentFailure):
        return [result.doc_id, result.source, result.reason]
    return [result.doc_id, result.source, result.output_path, *result.paragraphs]


@pytest.mark.parametrize(
    ("line", "doc_id", "translated"),
    [case[1:] for case in JSONL_CASES],
    ids=[case[0] for case in JSONL_CASES],
)
def test_hostile_jsonl_record(tmp_path: Path, line: str, doc_id: str, translated: bool) -> None:
    path = tmp_path / "hostile.jsonl"
    # The case on the line it has in the folder test, so that fallback ids match.
    number = 2 + [case[1] for case in JSONL_CASES].index(line)
    before = [f'{{"id": "f{i}", "text": "{GOOD}"}}' for i in range(number - 1)]
    lines = [*before, line, '{"id": "last", "text": "Câu."}']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results = list(read_documents([str(path)]))
    assert [r.doc_id for r in results[-2:]] == [doc_id, "last"]
    assert isinstance(results[-2], Document) is translated
    for result in results:  # everything a writer gets can be written as UTF-8
        for text in _writable(result):
            text.encode("utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_special_file_given_by_name_is_refused(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "pipe.txt"
    if kind == "fifo":
        os.mkfifo(path)  # no writer: opening it to read would block for ever
    else:
        path.symlink_to("/dev/zero")  # reading it would never end
    result = subprocess.run(
        command(path, tmp_path / "out"), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: {path}: not a regular file ({'a FIFO' if kind == 'fifo' else 'a character device'}): "
        "only regular files are read; to read a pipe, give - and redirect it to stdin"
    )
    with pytest.raises(InputError):
        check_inputs([str(path)])


@pytest.mark.parametrize("encoding", ["base64", "rot13", "zlib", "hex", "bz2", "uu"])
def test_encoding_must_be_a_text_codec(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "a.txt"
    path.write_text(GOOD, encoding="utf-8")
    result = CliRunner().invoke(main, ["translate", str(path), "--encoding", encoding])
    assert result.exit_code == 2
    assert f"Invalid value for '--encoding': {encoding!r} is not a text encoding" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_unknown_encoding_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["segment", str(tmp_path), "--encoding", "klingon"])
    assert result.exit_code == 2
    assert "Invalid value for '--encoding': unknown encoding 'klingon'" in result.output


@pytest.mark.slow
def test_outdir_inside_the_input_folder_is_not_read(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    for i in range(3):
        (folder / f"bai{i}.txt").parent.mkdir(parents=True, exist_ok=True)
        (folder / f"bai{i}.txt").write_text(f"{GOOD} Bài {i}.\n", encoding="utf-8")
    # An earlier run's output with another name: a vi2en output folder, never input.
    earlier = folder / "old"
    assert subprocess.run(command(folder, earlier, "-q"), capture_output=True).returncode == 0
    out = folder / "out"
    counts = []
    for _ in range(3):
        result = subprocess.run(command(folder, out), capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        counts.append((manifest["counts"]["documents"], manifest["counts"]["pairs"]))
        assert result.stderr.count(f"skipping {out} inside the input folder") == 1
        assert result.stderr.count(f"skipping {earlier} inside the input folder") == 1
    assert counts[0] == counts[1] == counts[2] and counts[0][0] == 3
    assert not (out / "txt" / "out").exists() and not (out / "txt" / "old").exists()


def test_reader_skips_folders_with_vi2en_state(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "run" / ".vi2en").mkdir(parents=True)
    (tmp_path / "run" / "b.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "done").mkdir()
    (tmp_path / "done" / "manifest.json").write_text('{"vi2en": "0.1.0"}', encoding="utf-8")
    (tmp_path / "done" / "c.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "manifest.json").write_text('{"other": 1}', encoding="utf-8")
    (tmp_path / "mine" / "d.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "here").mkdir()
    (tmp_path / "here" / "e.txt").write_text(GOOD, encoding="utf-8")
    ids = [d.doc_id for d in read_documents([str(tmp_path)], exclude=[tmp_path / "here"])]
    assert ids == ["a.txt", "mine/d.txt"]


# --- signals ---------------------------------------------------------------------------


@pytest.mark.slow
def test_sigterm_while_reading_a_blocking_stdin_stops_the_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    cmd = [*command(tmp_path, out)]
    cmd[cmd.index(str(tmp_path))] = "-"
    process = subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        # The run has started its job, and now waits for stdin, which never ends.
        deadline = time.monotonic() + 120
        while not (out / ".vi2en" / "settings.json").exists():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the run never started its job"
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 143, stderr
    assert "stopped by SIGTERM" in stderr and "Traceback" not in stderr


STOP_SCRIPT = """
import hashlib, sys, time
from translate.cli import _StopFlag
from translate.errors import Interrupted
stop = _StopFlag(grace=float(sys.argv[1]))
stop.install()
try:
    print("ready", flush=True)
    if sys.argv[2] == "busy-in-c":
        # Seconds in OpenSSL, which never returns to the interpreter to run a handler.
        hashlib.pbkdf2_hmac("sha256", b"vi2en", b"salt", 10**9)
    time.sleep(120)
except Interrupted:
    print("interrupted", flush=True)
    time.sleep(120)  # a slow clean-up, so that only a second signal ends it
"""


def run_stop_script(tmp_path: Path, grace: float, mode: str) -> subprocess.Popen[str]:
    script = tmp_path / "stop.py"
    script.write_text(textwrap.dedent(STOP_SCRIPT), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, str(script), str(grace), mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "ready\n"
    return process


@pytest.mark.slow
@pytest.mark.parametrize(
    ("first", "second", "exit_code"),
    [
        (signal.SIGINT, signal.SIGINT, 130),
        (signal.SIGTERM, signal.SIGINT, 130),
        (signal.SIGINT, signal.SIGTERM, 143),
    ],
    ids=["ctrl-c-twice", "term-then-ctrl-c", "ctrl-c-then-term"],
)
def test_second_signal_exits_at_once_with_its_code(
    tmp_path: Path, first: int, second: int, exit_code: int
) -> None:
    process = run_stop_script(tmp_path, 600, "sleep")
    try:
        process.send_signal(first)
        assert process.stdout is not None and process.stdout.readline() == "interrupted\n"
        process.send_signal(second)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == exit_code, stderr
    assert "Aborted" not in stderr and "Traceback" not in stderr


@pytest.mark.slow
def test_signal_stops_a_main_thread_busy_in_c_code(tmp_path: Path) -> None:
    process = run_stop_script(tmp_path, 1, "busy-in-c")
    try:
        time.sleep(0.2)  # inside OpenSSL by now
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 143, stderr
    # Whether the handler ran before OpenSSL was entered or not, only the watchdog
    # can end this process: the main thread is in C code or in a two-minute sleep.
    assert "stopped by SIGTERM" in stderr


# --- the safety nets -------------------------------------------------------------------


def test_unexpected_error_in_one_file_is_its_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import translate.readers.txt

    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text(f"{GOOD} {name}\n", encoding="utf-8")
    real_split = translate.readers.txt.split_paragraphs

    def split(text: str, *args: object) -> list[str]:
        if "b.txt" in text:
            raise RuntimeError("a bug")
        return real_split(text, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(translate.readers.txt, "split_paragraphs", split)
    results = list(read_documents([str(tmp_path)]))
    assert [(type(r).__name__, r.doc_id) for r in results] == [
        ("Document", "a.txt"),
        ("DocumentFailure", "b.txt"),
        ("Document", "c.txt"),
    ]
    assert isinstance(results[1], DocumentFailure)
    assert "RuntimeError: a bug" in results[1].reason


@pytest.mark.parametrize("error", [Interrupted(2), MemoryError()], ids=["stop", "memory"])
def test_stop_and_memory_errors_still_end_the_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    import translate.readers.txt

    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")

    def split(*args: object) -> list[str]:
        raise error

    monkeypatch.setattr(translate.readers.txt, "split_paragraphs", split)
    with pytest.raises(type(error)):
        list(read_documents([str(tmp_path)]))


def _pipeline() -> Pipeline:
    return Pipeline(Translator(backend=FakeBackend()), window_sentences=100)


def test_unexpected_error_segmenting_one_document_is_its_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import translate.pipeline

    real = translate.pipeline.segment_paragraphs

    def segment(doc_id: str, *args: object) -> object:
        if doc_id == "bad":
            raise RecursionError("maximum recursion depth exceeded")
        return real(doc_id, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(translate.pipeline, "segment_paragraphs", segment)
    documents = [read_text(GOOD, "one"), read_text(GOOD, "bad"), read_text(GOOD, "two")]
    results = list(_pipeline().translate_documents(documents))
    assert [type(r).__name__ for r in results] == [
        "TranslatedDocument",
        "DocumentFailure",
        "TranslatedDocument",
    ]
    assert isinstance(results[1], DocumentFailure)
    assert "cannot be split into sentences: RecursionError" in results[1].reason


def test_unexpected_error_translating_one_document_is_its_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pipeline = _pipeline()
    real = pipeline.translator.translate_detailed

    def translate(texts: list[str], *args: object) -> list[object]:
        if any("BOOM" in t for t in texts):
            raise ValueError("tokenizer choked")
        return real(texts, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline.translator, "translate_detailed", translate)
    documents = [read_text(GOOD, "one"), read_text("BOOM ở đây.", "bad"), read_text(GOOD, "two")]
    results = list(pipeline.translate_documents(documents))
    assert [
        r.document.doc_id if isinstance(r, TranslatedDocument) else r.doc_id for r in results
    ] == [
        "one",
        "bad",
        "two",
    ]
    assert isinstance(results[1], DocumentFailure)
    assert "translation failed: ValueError: tokenizer choked" in results[1].reason


@pytest.mark.parametrize(
    "error", [ModelLoadError("no model"), Interrupted(15)], ids=["model", "stop"]
)
def test_run_wide_errors_are_not_a_document_failure(
    monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    pipeline = _pipeline()

    def translate(*args: object) -> list[object]:
        raise error

    monkeypatch.setattr(pipeline.translator, "translate_detailed", translate)
    with pytest.raises(type(error)):
        list(pipeline.translate_documents([read_text(GOOD, "one")]))


# --- output names ----------------------------------------------------------------------

_PARTS = st.sampled_from(
    ["a", "a.txt", "A", "b", "é", "e\u0301", "x" * 200]
)  # the longest part _output_path leaves


@given(st.lists(st.lists(_PARTS, min_size=1, max_size=3).map("/".join), max_size=12))
def test_output_paths_never_collide(paths: list[str]) -> None:
    """Whatever the output paths asked for, the files written are distinct and short.

    A file collides with another file of the same name (ignoring case and Unicode
    form, as on macOS and Windows) or with a folder another document's file needs.
    """
    from translate.readers.folders import _OutputPaths

    names = _OutputPaths()
    given_paths = [
        names.claim(Document(f"d{i}", ("x",), "src", path, "h")).output_path
        for i, path in enumerate(paths)
    ]

    def key(path: str) -> str:
        return unicodedata.normalize("NFC", path).casefold()

    files = [key(p + ".txt") for p in given_paths]
    folders = {
        key("/".join(p.split("/")[:i])) for p in given_paths for i in range(1, p.count("/") + 1)
    }
    assert len(set(files)) == len(files)
    assert not folders & set(files)
    assert all(len(part.encode()) <= 200 for p in given_paths for part in p.split("/"))
    assert given_paths[:1] == paths[:1]  # the first document keeps its name


@pytest.mark.parametrize("encoding", ["unicode_escape", "raw_unicode_escape"])
def test_text_decoded_into_a_lone_surrogate_is_a_failure(tmp_path: Path, encoding: str) -> None:
    # Text codecs that turn "\ud800" escapes into a lone surrogate, in a .txt file.
    path = tmp_path / "escaped.txt"
    path.write_bytes(b"Xin ch\\u00e0o \\ud800\n")
    (result,) = read_documents([str(path)], ReadOptions(encoding=encoding))
    assert isinstance(result, DocumentFailure)
    assert "unpaired surrogate \\ud800 (paragraph 1, character 10)" in result.reason


def test_a_named_folder_is_read_even_if_it_holds_vi2en_state(tmp_path: Path) -> None:
    # Refusing an output folder given as input is the overwrite check's job.
    (tmp_path / ".vi2en").mkdir()
    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    assert [d.doc_id for d in read_documents([str(tmp_path)], exclude=[tmp_path])] == ["a.txt"]
