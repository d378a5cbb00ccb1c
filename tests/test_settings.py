"""The settings a run records and a resumed run must share: complete, structured, stable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import ROOT
from translate.cli import main


@pytest.fixture
def article(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(ROOT)  # the model is spelled relative to the checkout
    path = tmp_path / "bai.txt"
    path.write_text("Hà Nội là thủ đô của Việt Nam.\nThành phố có hơn 8 triệu dân.\n", "utf-8")
    return path


def _run(article: Path, out: Path, *options: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["translate", str(article), "-o", str(out), "--no-cache", *options]
    )
    return result.exit_code, result.output


def test_model_spelled_another_way_resumes(article: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run(article, out, "--model", "models/tiny-vi-en")[0] == 0
    code, output = _run(article, out, "--model", "./models/tiny-vi-en/")
    assert code == 0, output
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["run"]["resumed_documents"] == 1


@pytest.mark.parametrize(
    ("option", "key"),
    [
        (["--redecode-loops"], "decoding"),
        (["--beams", "2"], "decoding"),
        (["--min-length", "2"], "decoding"),
        (["--max-length-ratio", "1.5"], "decoding"),
        (["--backend", "transformers"], "backend"),
        (["--blank-line-paragraphs"], "reader"),
        (["-a", "Tp."], "abbreviations"),
    ],
    ids=["redecode-loops", "beams", "min-length", "ratio", "backend", "reader", "abbreviation"],
)
def test_output_changing_option_is_refused_on_resume(
    article: Path, tmp_path: Path, option: list[str], key: str
) -> None:
    out = tmp_path / "out"
    assert _run(article, out, "--model", "models/tiny-vi-en")[0] == 0
    code, output = _run(article, out, "--model", "models/tiny-vi-en", *option)
    assert code == 1
    assert f"other settings ({key}" in output


def test_settings_are_recorded_as_plain_json(article: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run(article, out, "--model", "models/tiny-vi-en", "--redecode-loops")[0] == 0
    settings = json.loads((out / ".vi2en" / "settings.json").read_text("utf-8"))
    assert settings["decoding"]["redecode_loops"] is True
    assert settings["reader"]["blank_line_paragraphs"] is False
    assert settings["reader"]["encoding"] is None
    assert "model" not in settings  # the fingerprint names the model, not its spelling
    assert isinstance(settings["preprocess"], str)


def test_a_segmenter_rule_change_is_refused_on_resume(
    article: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import translate.segment

    out = tmp_path / "out"
    assert _run(article, out, "--model", "models/tiny-vi-en")[0] == 0
    monkeypatch.setattr(translate.segment, "SEGMENTER_VERSION", "next")
    code, output = _run(article, out, "--model", "models/tiny-vi-en")
    assert code == 1
    assert "other settings (segmenter" in output
