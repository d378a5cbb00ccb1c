"""The vi2en command: CliRunner for exact behaviour, one real subprocess, the error paths."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import ROOT, TINY_MODEL
from translate.cli import EXIT_DOCUMENTS_FAILED, main

ARTICLE = (
    "Tin tức hôm nay\nHà Nội là thủ đô của Việt Nam. Thành phố có hơn 8 triệu dân.\nẢnh: TTXVN\n"
)
# What the fake backend (registered in conftest.py) makes of ARTICLE: "EN:" and upper case.
ARTICLE_EN = (
    "EN: TIN TỨC HÔM NAY\n"
    "EN: HÀ NỘI LÀ THỦ ĐÔ CỦA VIỆT NAM. EN: THÀNH PHỐ CÓ HƠN 8 TRIỆU DÂN.\n"
    "EN: ẢNH: TTXVN\n"
)
# The real command on the fake backend: no weights are loaded, the output is known exactly.
FAKE = ["--backend", "fake", "--model", str(TINY_MODEL), "--no-cache"]


def timeless(stderr: str) -> str:
    """The run's duration in the summary line is the one thing that is not reproducible."""
    return re.sub(r" in \d+\.\ds → ", " in Ns → ", stderr)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "in" / "bai-viet.txt"
    path.parent.mkdir()
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def commands(help_text: str) -> list[str]:
    """The names listed under "Commands:" in a group's help."""
    _, _, listed = help_text.partition("\nCommands:\n")
    return [line.split()[0] for line in listed.splitlines() if line.startswith("  ")]


def test_help_lists_commands(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    assert commands(result.output) == [
        "align",
        "bench",
        "evaluate",
        "models",
        "qa",
        "review",
        "segment",
        "translate",
    ]
    # The segmentation benchmark is tests/benchmarks/segment.py, not a subcommand.
    bench = runner.invoke(main, ["bench", "--help"])
    assert bench.exit_code == 0 and "Commands:" not in bench.output
    assert runner.invoke(main, ["bench", "segment"]).exit_code == 2


def test_segment_prints_sentences_and_blank_lines(runner: CliRunner, article: Path) -> None:
    result = runner.invoke(main, ["segment", str(article)])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "Tin tức hôm nay\n\nHà Nội là thủ đô của Việt Nam.\nThành phố có hơn 8 triệu dân.\n\nẢnh: TTXVN\n"
    )


def test_segment_of_several_files_and_stdin(runner: CliRunner, article: Path) -> None:
    other = article.parent / "khac.txt"
    other.write_text("Một. Hai.\n", encoding="utf-8")
    result = runner.invoke(main, ["segment", str(other), "-", str(article)], input="Ba. Bốn.\n")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "Một.\nHai.\n\nBa.\nBốn.\n\n"
        "Tin tức hôm nay\n\nHà Nội là thủ đô của Việt Nam.\nThành phố có hơn 8 triệu dân.\n\nẢnh: TTXVN\n"
    )


def test_translate_to_stdout(runner: CliRunner, article: Path) -> None:
    result = runner.invoke(main, ["translate", str(article), *FAKE])
    assert (result.exit_code, result.stdout, result.stderr) == (0, ARTICLE_EN, "")


def test_translate_stdin_to_stdout(runner: CliRunner) -> None:
    text = "Hà Nội là thủ đô của Việt Nam. Thành phố có hơn 8 triệu dân.\n10.000\n\nẢnh: TTXVN\n"
    result = runner.invoke(main, ["translate", "-", *FAKE], input=text)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "EN: HÀ NỘI LÀ THỦ ĐÔ CỦA VIỆT NAM. EN: THÀNH PHỐ CÓ HƠN 8 TRIỆU DÂN.\n"
        "10.000\n"  # letterless: copied
        "EN: ẢNH: TTXVN\n"  # a text document's blank lines separate nothing
    )


def test_translate_to_a_directory(runner: CliRunner, article: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(main, ["translate", str(article), "-o", str(out), *FAKE])
    assert (result.exit_code, result.stdout) == (0, ""), result.output
    assert timeless(result.stderr) == (
        "vi2en: 1 document (1 translated, 0 resumed, 0 failed), 4 sentence pairs, "
        f"0 from memory, in Ns → {out}\n"
        # The fake's upper-case Vietnamese is untranslated, its "8 TRIỆU" reads as 8.
        "vi2en: QA: 3 flagged pairs (numbers 1, untranslated 3)\n"
    )
    assert (out / "corpus.tsv").read_text("utf-8") == (
        "Tin tức hôm nay\tEN: TIN TỨC HÔM NAY\n"
        "Hà Nội là thủ đô của Việt Nam.\tEN: HÀ NỘI LÀ THỦ ĐÔ CỦA VIỆT NAM.\n"
        "Thành phố có hơn 8 triệu dân.\tEN: THÀNH PHỐ CÓ HƠN 8 TRIỆU DÂN.\n"
        "Ảnh: TTXVN\tEN: ẢNH: TTXVN\n"
    )
    assert (out / "txt" / "bai-viet.txt").read_text("utf-8") == ARTICLE_EN
    assert (out / "errors.jsonl").read_text("utf-8") == ""
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "corpus.tsv",
        "errors.jsonl",
        "manifest.json",
        "txt",
    ]
    assert json.loads((out / "manifest.json").read_text())["counts"] == {
        "documents": 1,
        "failed": 0,
        "pairs": 4,
    }


def test_quiet_directory_run_prints_nothing(
    runner: CliRunner, article: Path, tmp_path: Path
) -> None:
    result = runner.invoke(
        main, ["translate", str(article), "-o", str(tmp_path / "o"), "-q", *FAKE]
    )
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


LONG = " ".join(f"từ{i}" for i in range(600)) + "."  # 601 tokens with the end marker


def warned_run(runner: CliRunner, folder: Path, *args: str) -> Result:
    """Three documents: two with a sentence over the fake's 512-token limit, one with a loop."""
    folder.mkdir()
    (folder / "a.txt").write_text(f"{LONG}\nXin chào xin chào xin chào xin chào xin chào.\n")
    (folder / "b.txt").write_text(f"Câu ngắn. {LONG}\n")  # one sentence: "từ0" is lower case
    (folder / "c.txt").write_text("Câu thường.\n")
    return runner.invoke(main, ["translate", str(folder), *args, *FAKE])


SPLIT_WARNING = (
    "vi2en: a.txt: a sentence of 601 tokens exceeds the model's limit of 512; translating it in "
    "2 pieces (more are counted in the summary at the end)\n"
)
SUMMARY_WARNINGS = (
    "vi2en: warning: sentences over the model's input limit were translated in pieces: 2 "
    "(first in a.txt, b.txt)\n"
    "vi2en: warning: translations repeat an n-gram in a loop: 1 (first in a.txt)\n"
)


def test_warnings_are_summarised_at_the_end(runner: CliRunner, tmp_path: Path) -> None:
    result = warned_run(runner, tmp_path / "in")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        SPLIT_WARNING
        + "vi2en: 1 translation repeats an n-gram in a loop (first in a.txt) "
        + "(more are counted in the summary at the end)\n"
        + SUMMARY_WARNINGS
    )
    lines = result.stdout.splitlines()
    assert [line.count("EN:") for line in lines] == [2, 1, 2, 1]  # long ones in two pieces
    assert [line.replace(" EN:", "") for line in lines] == [
        f"EN: {LONG.upper()}",
        "EN: XIN CHÀO XIN CHÀO XIN CHÀO XIN CHÀO XIN CHÀO.",
        f"EN: CÂU NGẮN. {LONG.upper()}",
        "EN: CÂU THƯỜNG.",
    ]


def test_warnings_summary_follows_the_directory_summary(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = warned_run(runner, tmp_path / "in", "-o", str(out), "--qa", "truncated,loop")
    assert (result.exit_code, result.stdout) == (0, ""), result.output
    assert timeless(result.stderr) == (
        SPLIT_WARNING
        + "vi2en: 1 translation repeats an n-gram in a loop (first in a.txt) "
        + "(more are counted in the summary at the end)\n"
        + "vi2en: 3 documents (3 translated, 0 resumed, 0 failed), 4 sentence pairs, "
        + f"0 from memory, in Ns → {out}\n"
        # The QA counts: the split sentences are flagged truncated, the loop loop.
        + "vi2en: QA: 3 flagged pairs (loop 1, truncated 2)\n"
        + SUMMARY_WARNINGS
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
    # The one in-process run on the real tiny model: what it says is gibberish, but one
    # line per sentence in every format.
    out = tmp_path / "out"
    args = ["translate", str(article), "-o", str(out), "--model", str(TINY_MODEL), "--no-cache"]
    result = runner.invoke(main, [*args, "-f", "tsv,moses,jsonl", "-f", "tmx,txt"])
    assert result.exit_code == 0, result.output
    assert len((out / "corpus.tsv").read_text("utf-8").splitlines()) == 4
    assert len((out / "corpus.jsonl").read_text("utf-8").splitlines()) == 4
    assert len((out / "corpus.en").read_text("utf-8").splitlines()) == 4
    assert (out / "corpus.tmx").read_text("utf-8").count("<tu>") == 4
    assert len((out / "txt" / "bai-viet.txt").read_text("utf-8").splitlines()) == 3
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["model"]["name"] == str(TINY_MODEL)


def test_second_run_uses_memory(runner: CliRunner, article: Path, tmp_path: Path) -> None:
    cache = tmp_path / "tm.sqlite"
    args = ["translate", str(article), *FAKE[:4], "--cache", str(cache)]
    first = runner.invoke(main, [*args, "-o", str(tmp_path / "o1")])
    second = runner.invoke(main, [*args, "-o", str(tmp_path / "o2")])
    assert first.exit_code == second.exit_code == 0
    assert timeless(second.stderr) == (
        "vi2en: 1 document (1 translated, 0 resumed, 0 failed), 4 sentence pairs, "
        f"4 from memory, in Ns → {tmp_path / 'o2'}\n"
        # The fake's upper-case Vietnamese is untranslated, its "8 TRIỆU" reads as 8.
        "vi2en: QA: 3 flagged pairs (numbers 1, untranslated 3)\n"
    )
    run = json.loads((tmp_path / "o2" / "manifest.json").read_text())["run"]
    assert run["translator"]["memory_hits"] == 4 and run["translator"]["batches"] == 0
    assert (tmp_path / "o1" / "corpus.tsv").read_bytes() == (
        tmp_path / "o2" / "corpus.tsv"
    ).read_bytes()
    third = runner.invoke(main, [*args, "-o", str(tmp_path / "o3"), "--no-cache"])
    assert third.exit_code == 0
    assert " 0 from memory, " in third.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["translate", "missing.txt", "-o", "out"], 1, "missing.txt"),
        (
            ["translate", "{article}", "-o", "out", "-f", "docx"],
            2,
            "unknown format 'docx'; choose one of: jsonl, moses, review, tmx, tsv, txt",
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
    result = runner.invoke(main, ["translate", str(article.parent), "-o", str(out), *FAKE])
    assert (result.exit_code, result.stdout) == (EXIT_DOCUMENTS_FAILED, "")
    assert timeless(result.stderr) == (
        "vi2en: 2 documents (1 translated, 0 resumed, 1 failed), 4 sentence pairs, "
        f"0 from memory, in Ns → {out}\n"
        "vi2en: QA: 3 flagged pairs (numbers 1, untranslated 3)\n"
        f"vi2en: failed {article.parent / 'empty.txt'}: empty file; nothing to translate\n"
        f"vi2en: 1 document failed; see {out / 'errors.jsonl'}\n"
    )
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert [e["doc_id"] for e in errors] == ["empty.txt"]
    assert (out / "txt" / "bai-viet.txt").read_text("utf-8") == ARTICLE_EN


def test_bench_random_model_outside_a_checkout_is_one_line(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import translate.cli

    monkeypatch.setattr(translate.cli, "__file__", str(tmp_path / "site" / "translate" / "cli.py"))
    result = runner.invoke(main, ["bench", "--random-model"])
    assert result.exit_code == 1
    assert result.stderr.endswith("; run from a vi2en checkout\n")
    assert len(result.stderr.splitlines()) == 1


def test_random_model_builder_is_loaded_from_the_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import translate.bench
    from translate.errors import ModelLoadError

    checkout = tmp_path / "checkout"
    monkeypatch.setattr(translate.bench, "__file__", str(checkout / "translate" / "bench.py"))
    with pytest.raises(ModelLoadError) as caught:
        translate.bench.build_random_model(tmp_path / "model", TINY_MODEL)
    builder = checkout / "models" / "modelgen.py"
    assert str(caught.value) == (
        f"--random-model needs the model builder {builder}; run from a vi2en checkout"
    )
    # A stand-in builder in the checkout's models/: bench runs that file, not a package module.
    builder.parent.mkdir(parents=True)
    builder.write_text(
        "from pathlib import Path\n"
        "OPUS_MT_VI_EN = 'opus-mt-vi-en'\n"
        "def build_random_marian(target, arch, *, spm_dir):\n"
        "    target.mkdir(parents=True)\n"
        "    (target / 'built').write_text(f'{arch} {spm_dir.name}')\n"
    )
    model = translate.bench.build_random_model(tmp_path / "model", TINY_MODEL)
    assert (model / "built").read_text() == "opus-mt-vi-en tiny-vi-en"


@pytest.mark.slow
def test_import_does_not_load_torch() -> None:
    code = (
        "import translate, translate.cli, sys; "
        "assert not {'torch', 'transformers', 'ray'} & set(sys.modules), sys.modules.keys()"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.slow
def test_help_does_not_load_torch_nor_offer_the_fake_backend() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from translate.cli import main; "
        "r = CliRunner().invoke(main, ['translate', '--help']); assert r.exit_code == 0; "
        "assert 'torch' not in sys.modules and 'ray' not in sys.modules; print(r.output)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    # Only the tests register the fake backend.
    assert re.search(r"--backend \[auto\|ctranslate2\|transformers\]\s", result.stdout)
    assert "fake" not in result.stdout


@pytest.mark.slow
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


def test_bench_refuses_an_unknown_system_in_one_line(runner: CliRunner) -> None:
    result = runner.invoke(main, ["bench", "--random-model", "--system", "ctranslate2"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--system': unknown system 'ctranslate2'; choose from: "
        "baseline, transformers, ctranslate2-raw-defaults, ctranslate2-raw-tuned, "
        "ctranslate2-int8, ctranslate2-float32, ctranslate2-float16, ctranslate2-int8_float16"
    )
