"""``vi2en review`` against what a user may hand it: the page is never written over a file it
did not write, and the pages of align runs show their links."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.review_pages import load, missing_browser, page_data, start_chromium
from translate.cli import main


@pytest.fixture
def align_run(tmp_path: Path) -> tuple[Path, Path]:
    """A finished ``vi2en align`` run on a txt pair (no model), and its Vietnamese input."""
    vi, en = tmp_path / "a.vi", tmp_path / "a.en"
    vi.write_text("Xin chào. Tôi là Nam.\n", encoding="utf-8")
    en.write_text("Hello. I am Nam.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["align", str(vi), str(en), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return out, vi


def test_review_never_writes_over_a_file_that_is_no_review_page(
    align_run: tuple[Path, Path],
) -> None:
    out, vi = align_run
    result = CliRunner().invoke(main, ["review", str(out), "-o", str(vi)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: cannot write the review page to {vi}: it exists and is not a vi2en review page "
        "(an input, say); choose another --output or remove the file\n"
    )
    assert vi.read_text("utf-8") == "Xin chào. Tôi là Nam.\n"


def test_review_rewrites_its_own_page_elsewhere(align_run: tuple[Path, Path]) -> None:
    out, vi = align_run
    page = vi.parent / "page.html"
    for _ in range(2):  # the second run replaces the page the first wrote
        result = CliRunner().invoke(main, ["review", str(out), "-o", str(page)])
        assert result.exit_code == 0, result.output
    data, summary = page_data(page)
    assert data == {
        "documents": [
            {
                "id": "a",
                "pairs": [
                    [
                        0,
                        0,
                        "Xin chào.",
                        "Hello.",
                        "aligned",
                        data["documents"][0]["pairs"][0][5],
                        [],
                    ],
                    [
                        0,
                        1,
                        "Tôi là Nam.",
                        "I am Nam.",
                        "aligned",
                        data["documents"][0]["pairs"][1][5],
                        [],
                    ],
                ],
            }
        ]
    }
    assert summary["pairs"] == 2


def test_review_of_an_align_run_from_its_corpus_jsonl_is_the_runs_page(tmp_path: Path) -> None:
    """Without the parts, the page comes from corpus.jsonl, whose aligner lines carry ``link``."""
    vi, en = tmp_path / "a.vi", tmp_path / "a.en"
    extra = "Hôm nay trời mưa rất to ở khắp các tỉnh miền Bắc và miền Trung."
    vi.write_text(f"Xin chào. Tôi là Nam. {extra}\n", encoding="utf-8")
    en.write_text("Hello. I am Nam.\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["align", str(vi), str(en), "-o", str(out), "-q", "-f", "jsonl,review"]
    assert CliRunner().invoke(main, args).exit_code == 0
    for part in (out / ".vi2en" / "parts").iterdir():
        part.unlink()
    page = tmp_path / "page.html"
    result = CliRunner().invoke(main, ["review", str(out), "-o", str(page)])
    assert result.exit_code == 0, result.output
    assert "from corpus.jsonl" in result.stderr
    assert page.read_bytes() == (out / "review.html").read_bytes()
    data, _ = page_data(page)
    # The sentence left unpaired (a 1-0 link) is on the page, as in corpus.jsonl.
    assert [(row[2], row[3]) for row in data["documents"][0]["pairs"]][-1] == (extra, "")


def test_review_of_a_qa_run_is_the_page_qa_wrote(tmp_path: Path) -> None:
    """``vi2en qa -f jsonl,review`` then ``vi2en review``: the same bytes (no model: ``none``)."""
    corpus = tmp_path / "c.tsv"
    corpus.write_text("Xin chào\tHello\nGiá 10.000 đồng\tPrice 1,000 dong\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["qa", str(corpus), "-o", str(out), "-q", "-f", "jsonl,review"]
    assert CliRunner().invoke(main, args).exit_code == 0
    page = tmp_path / "page.html"
    result = CliRunner().invoke(main, ["review", str(out), "-o", str(page)])
    assert result.exit_code == 0, result.output
    assert page.read_bytes() == (out / "review.html").read_bytes()
    assert page_data(page)[1]["model"] == "none"


@pytest.mark.skipif(missing_browser() is not None, reason=missing_browser() or "")
def test_an_align_page_in_chromium_shows_the_unaligned_sentences(tmp_path: Path) -> None:
    """A 0-1 link (an English sentence with no Vietnamese) is a row with an empty side."""
    vi, en = tmp_path / "a.vi", tmp_path / "a.en"
    vi.write_text("Xin chào.\n\nTôi ở Hà Nội.\n", encoding="utf-8")
    en.write_text("Hello.\n\nThe weather is fine.\n\nI live in Hanoi.\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["align", str(vi), str(en), "--presegmented", "-o", str(out), "-q", "-f", "review"]
    assert CliRunner().invoke(main, args).exit_code == 0
    driver = start_chromium(tmp_path / "profile")
    try:
        load(driver, out / "review.html")
        rows = driver.execute_script(
            "return Array.from(document.querySelectorAll('.pair'), r => r.innerText)"
        )
        severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    finally:
        driver.quit()
    pairs = page_data(out / "review.html")[0]["documents"][0]["pairs"]
    unaligned = [number for number, row in enumerate(pairs) if not row[2]]
    assert len(rows) == 3 and len(unaligned) == 1
    assert rows[0] == "Xin chào.\nHello."
    assert rows[unaligned[0]].strip() == pairs[unaligned[0]][3] == "The weather is fine."
    assert severe == []
