"""The progress bar, the log lines around it, the end-of-run summary and its plurals."""

from __future__ import annotations

import io
import json
import logging
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from translate.backends.fake import FakeBackend
from translate.cli import _plural, _ProgressBar, _setup_logging, main
from translate.job import Job
from translate.pipeline import Pipeline
from translate.records import Document
from translate.translator import Translator


class FakeTerminal(io.StringIO):
    """A StringIO that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def rendered_lines(output: str) -> list[str]:
    """What a terminal shows: a carriage return moves back to the start of the line."""
    lines: list[str] = []
    line: list[str] = []
    cursor = 0
    for char in output:
        if char == "\n":
            lines.append("".join(line).rstrip())
            line, cursor = [], 0
        elif char == "\r":
            cursor = 0
        else:
            if cursor < len(line):
                line[cursor] = char
            else:
                line.append(char)
            cursor += 1
    lines.append("".join(line).rstrip())
    return lines


def test_log_lines_are_written_above_the_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = FakeTerminal()
    monkeypatch.setattr("sys.stderr", terminal)
    _setup_logging(0, False)
    bar = _ProgressBar(True, 3)
    bar.window_started(3, 10)
    bar.sentences_done(5)
    logging.getLogger("translate.test").warning("a warning while translating")
    bar.sentences_done(5)
    bar.close()
    lines = rendered_lines(terminal.getvalue())
    assert "vi2en: a warning while translating" in lines
    assert not [line for line in lines if "vi2en:" in line and "translating:" in line]


def test_the_bar_advances_as_a_window_is_translated() -> None:
    bar = _ProgressBar(True, 10, file=FakeTerminal())
    bar.document_done()  # resumed, outside any window
    bar.window_started(4, 100)
    bar.sentences_done(50)
    assert bar.bar.n == pytest.approx(1 + 4 * 0.5)
    bar.sentences_done(50)
    assert bar.bar.n == pytest.approx(5)
    for _ in range(4):  # the window's documents come out: no jump past them
        bar.document_done()
        assert bar.bar.n == pytest.approx(5)
    bar.close()


def test_the_bar_shows_fractional_documents_without_a_total() -> None:
    terminal = FakeTerminal()
    bar = _ProgressBar(True, None, file=terminal)
    bar.window_started(2, 4)
    bar.sentences_done(1)
    bar.close()
    assert "translating: 0.5 docs" in terminal.getvalue()


@pytest.mark.parametrize(
    ("count", "word", "expected"),
    [
        (0, "document", "0 documents"),
        (1, "document", "1 document"),
        (2, "sentence pair", "2 sentence pairs"),
    ],
    ids=["zero", "one", "two"],
)
def test_plural(count: int, word: str, expected: str) -> None:
    assert _plural(count, word) == expected


def test_summary_of_one_document_is_singular(tmp_path: Path) -> None:
    article = tmp_path / "bai.txt"
    article.write_text("Xin chào.\n", encoding="utf-8")
    from tests.conftest import TINY_MODEL

    out = tmp_path / "out"
    args = ["translate", str(article), "-o", str(out), "--model", str(TINY_MODEL), "--no-cache"]
    result = CliRunner().invoke(main, [*args, "--backend", "fake"])
    assert result.exit_code == 0, result.output
    summary = re.sub(r" in \d+\.\ds ", " in Ns ", result.stderr)
    assert summary == (
        "vi2en: 1 document (1 translated, 0 resumed, 0 failed), 1 sentence pair, "
        f"0 from memory, in Ns → {out}\n"
    )


def test_repeated_warnings_are_summarised_with_documents(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    backend = FakeBackend(max_input_tokens=4)
    pipeline = Pipeline(Translator(backend=backend))
    long = "một hai ba bốn năm sáu bảy tám chín mười {}."  # over 4 tokens
    documents = [
        Document(f"d{i}", (long.format(i),), f"d{i}.txt", f"d{i}", str(i) * 64) for i in range(7)
    ]
    with caplog.at_level(logging.DEBUG, logger="translate"):
        Job(pipeline, tmp_path / "out", ["jsonl"]).run(documents)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1  # once, not once per sentence
    assert warnings[0].getMessage().startswith("d0: a sentence of")
    summary = pipeline.translator.stats.as_dict()["warnings"]["split_long"]
    assert summary["count"] == 7
    assert summary["documents"] == ["d0", "d1", "d2", "d3", "d4"]  # the first five
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["run"]["translator"]["warnings"]["split_long"]["count"] == 7
