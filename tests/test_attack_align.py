"""``vi2en align`` against odd options and inputs: refused with one line, nothing written."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from translate.cli import main


def test_min_score_nan_is_a_usage_error_and_writes_nothing(tmp_path: Path) -> None:
    """``nan`` passes click's FloatRange; a NaN in settings.json is no JSON."""
    vi, en = tmp_path / "a.vi", tmp_path / "a.en"
    vi.write_text("Xin chào.\n", encoding="utf-8")
    en.write_text("Hello.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["align", str(vi), str(en), "-o", str(out), "--min-score", "nan"]
    )
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--min-score': nan is not a score; give a number from 0 to 1"
    )
    assert not out.exists()
