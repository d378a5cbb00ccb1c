"""The vi2en command: CliRunner for exact behaviour, one real subprocess, the error paths."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import ROOT, TINY_MODEL
from translate.cli import EXIT_DOCUMENTS_FAILED, main

ARTICLE = (
    "Tin tức hôm nay\nHà Nội là thủ đô của Việt Nam. Thành phố có hơn 8 triệu dân.\nẢnh: TTXVN\n"
)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "in" / "bai-viet.txt"
    path.parent.mkdir()
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def test_help_lists_commands(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("translate", "segment", "models", "bench"):
        assert command in result.output


def test_segment_prints_sentences_and_blank_lines(runner: CliRunner, article: Path) -> None:
    result = runner.invoke(main, ["segment", str(article)])
    assert result.exit_code == 0
    assert result.output == (
        "Tin tức hôm nay\n\nHà Nội là thủ đô của Việt Nam.\nThành phố có hơn 8 triệu dân.\n\nẢnh: TTXVN\n"
    )


def test_segment_json_spans(runner: CliRunner, article: Path) -> None:
    result = runner.invoke(main, ["segment", "--json", str(article)])
    records = [json.loads(line) for line in result.output.splitlines()]
    paragraph = ARTICLE.splitlines()[1]
    assert [(r["paragraph"], r["sentence"]) for r in records] == [(0, 0), (1, 0), (1, 1), (2, 0)]
    assert all(
        paragraph[r["start"] : r["end"]] == r["text"] for r in records if r["paragraph"] == 1
    )


def test_segment_user_abbreviation(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Gặp Xyz. Nam ở đó.\n", encoding="utf-8")
    assert runner.invoke(main, ["segment", str(path)]).output.count("\n") == 2
    assert (
        runner.invoke(main, ["segment", "-a", "Xyz.", str(path)]).output == "Gặp Xyz. Nam ở đó.\n"
    )


def test_translate_directory_all_formats(runner: CliRunner, article: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        main,
        [
            "translate",
            str(article),
            "-o",
            str(out),
            "--model",
            str(TINY_MODEL),
            "-f",
            "tsv,moses,jsonl",
            "-f",
            "tmx,txt",
            "--no-cache",
        ],
    )
    assert result.exit_code == 0, result.output
    sentences = runner.invoke(main, ["segment", str(article)]).output.split()
    n_sentences = len(
        [s for s in runner.invoke(main, ["segment", str(article)]).output.splitlines() if s]
    )
    assert sentences
    assert len((out / "corpus.tsv").read_text("utf-8").splitlines()) == n_sentences
    assert len((out / "corpus.jsonl").read_text("utf-8").splitlines()) == n_sentences
    assert len((out / "corpus.en").read_text("utf-8").splitlines()) == n_sentences
    assert (out / "corpus.tmx").read_text("utf-8").count("<tu>") == n_sentences
    assert len((out / "txt" / "bai-viet.txt").read_text("utf-8").splitlines()) == 3
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["model"]["name"] == str(TINY_MODEL)


def test_translate_stdin_to_stdout(runner: CliRunner) -> None:
    text = "Hà Nội là thủ đô của Việt Nam. Thành phố có hơn 8 triệu dân.\n10.000\n"
    result = runner.invoke(
        main, ["translate", "-", "--model", str(TINY_MODEL), "--no-cache"], input=text
    )
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[1] == "10.000"  # letterless: copied
    assert lines[0].strip()


def test_second_run_uses_memory(runner: CliRunner, article: Path, tmp_path: Path) -> None:
    cache = tmp_path / "tm.sqlite"
    args = ["translate", str(article), "--model", str(TINY_MODEL), "--cache", str(cache)]
    first = runner.invoke(main, [*args, "-o", str(tmp_path / "o1")])
    second = runner.invoke(main, [*args, "-o", str(tmp_path / "o2")])
    assert first.exit_code == second.exit_code == 0
    run = json.loads((tmp_path / "o2" / "manifest.json").read_text())["run"]
    assert run["translator"]["memory_hits"] == 4 and run["translator"]["batches"] == 0
    assert (tmp_path / "o1" / "corpus.tsv").read_bytes() == (
        tmp_path / "o2" / "corpus.tsv"
    ).read_bytes()
    third = runner.invoke(main, [*args, "-o", str(tmp_path / "o3"), "--no-cache"])
    assert (
        json.loads((tmp_path / "o3" / "manifest.json").read_text())["run"]["translator"][
            "memory_hits"
        ]
        == 0
    )
    assert third.exit_code == 0


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["translate", "missing.txt", "-o", "out"], 1, "missing.txt"),
        (
            ["translate", "{article}", "-o", "out", "-f", "docx"],
            2,
            "unknown format 'docx'; choose one of: jsonl, moses, tmx, tsv, txt",
        ),
        (["translate", "{article}", "--backend", "nope"], 2, "Invalid value for '--backend'"),
        (["translate", "{article}", "--model", "{tmp}/no-model"], 1, "no-model"),
    ],
    ids=["missing-input", "unknown-format", "unknown-backend", "missing-model-dir"],
)
def test_error_paths(
    runner: CliRunner, article: Path, tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    args = [a.format(article=article, tmp=tmp_path) for a in args]
    result = runner.invoke(main, args)
    assert result.exit_code == code
    assert message in result.output
    assert "Traceback" not in result.output


def test_offline_default_model_names_the_way_out(runner: CliRunner, article: Path) -> None:
    result = runner.invoke(main, ["translate", str(article), "--no-cache"])
    assert result.exit_code == 1
    assert "Helsinki-NLP/opus-mt-vi-en" in result.output
    assert "vi2en models download" in result.output and "--model DIR" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_unwritable_output(runner: CliRunner, article: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(
        main, ["translate", str(article), "-o", str(blocker / "out"), "--model", str(TINY_MODEL)]
    )
    assert result.exit_code == 1
    assert str(blocker) in result.output


def test_failed_document_exit_code(runner: CliRunner, article: Path, tmp_path: Path) -> None:
    (article.parent / "empty.txt").write_text("")
    out = tmp_path / "out"
    result = runner.invoke(
        main,
        [
            "translate",
            str(article.parent),
            "-o",
            str(out),
            "--model",
            str(TINY_MODEL),
            "--no-cache",
        ],
    )
    assert result.exit_code == EXIT_DOCUMENTS_FAILED
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert [e["doc_id"] for e in errors] == ["empty.txt"]
    assert (out / "txt" / "bai-viet.txt").exists()


def test_import_does_not_load_torch() -> None:
    code = "import translate, translate.cli, sys; assert 'torch' not in sys.modules and 'transformers' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_help_does_not_load_torch() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from translate.cli import main; "
        "r = CliRunner().invoke(main, ['translate', '--help']); assert r.exit_code == 0; "
        "assert 'torch' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_real_subprocess(article: Path, tmp_path: Path) -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    result = subprocess.run(
        ["vi2en", "translate", "-", "--model", str(TINY_MODEL), "--no-cache", "--quiet"],
        input="Hà Nội là thủ đô của Việt Nam. Thành phố có hơn 8 triệu dân.\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 1
    assert result.stderr == ""
