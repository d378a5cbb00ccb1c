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


def test_align_dir_into_itself_runs_again_without_reading_its_outputs(tmp_path: Path) -> None:
    """``-o`` = the input folder: the second run resumes; corpus.vi/corpus.en are no pair."""
    (tmp_path / "a.vi").write_text("Xin chào. Tôi là Nam.\n", encoding="utf-8")
    (tmp_path / "a.en").write_text("Hello. I am Nam.\n", encoding="utf-8")
    args = ["align", str(tmp_path), "-o", str(tmp_path), "-q", "-f", "tsv,moses,jsonl,links"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    outputs = {
        name: (tmp_path / name).read_bytes()
        for name in ("corpus.tsv", "corpus.vi", "corpus.en", "corpus.jsonl", "links/a.links")
    }
    second = CliRunner().invoke(main, args)
    assert second.exit_code == 0, second.output
    assert {name: (tmp_path / name).read_bytes() for name in outputs} == outputs
    assert (tmp_path / "corpus.tsv").read_text("utf-8") == (
        "Xin chào.\tHello.\nTôi là Nam.\tI am Nam.\n"
    )


def test_align_the_same_file_or_folder_as_both_sides_is_refused(tmp_path: Path) -> None:
    vi = tmp_path / "a.vi"
    vi.write_text("Xin chào.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["align", str(vi), str(tmp_path / "." / "a.vi"), "-o", str(out)]
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {tmp_path / '.' / 'a.vi'}: is the same file as {vi}; give the Vietnamese file, "
        "then its English translation\n"
    )
    result = CliRunner().invoke(
        main, ["align", "--vi", str(tmp_path), "--en", f"{tmp_path}/", "-o", str(out)]
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {tmp_path}/: is the same folder as --vi {tmp_path}; --en names the English "
        "folder\n"
    )
    assert not out.exists()
