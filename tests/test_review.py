"""The review page's writer (escaping, counts, bytes) and `vi2en review OUTDIR`, without a browser."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import ROOT, TINY_MODEL
from tests.review_pages import (
    CLOSE,
    DOCUMENTS,
    IMG,
    RUN,
    SCRIPT,
    SEGMENTS,
    json_block,
    page_data,
    segment,
    write_page,
)
from translate import layout
from translate.cli import main
from translate.errors import InputError, OutputError
from translate.records import DocumentInfo, Flag
from translate.review import rebuild_review
from translate.writers import WRITERS, ReviewWriter, commit_writers, open_writers
from translate.writers.review import DATA_ID, SUMMARY_ID, pair_row, script_json

FAKE = ["--backend", "fake", "--model", str(TINY_MODEL), "--no-cache", "-q"]


# --- the JSON blocks ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "</script><script>alert(1)</script>",
        "</SCRIPT >",  # the parser ends the element case-insensitively
        "<!-- <script>",  # a comment opener inside script data changes how it ends
        "<img src=x onerror=alert(1)>",
        "a\u2028b\u2029c\x85d",  # line separators stay raw: JSON.parse takes them
        "nul \x00 and \r\n",  # escaped by JSON itself
        "emoji 🇻🇳 and NFD Vie\u0302\u0323t",
        "",
    ],
    ids=["close", "close-upper", "comment", "img", "separators", "controls", "unicode", "empty"],
)
def test_script_json_has_no_angle_bracket_and_reads_back(text: str) -> None:
    encoded = script_json({"id": text, "pairs": [[0, 0, text, text, "mt", None, []]]})
    assert "<" not in encoded
    assert "\x00" not in encoded and "\r" not in encoded
    assert json.loads(encoded) == {"id": text, "pairs": [[0, 0, text, text, "mt", None, []]]}


def test_data_block_holds_every_document_in_order(tmp_path: Path) -> None:
    path = write_page(tmp_path)
    data, _ = page_data(path)
    assert data == {
        "documents": [
            {"id": doc_id, "pairs": [pair_row(s) for s in segments]}
            for doc_id, segments in DOCUMENTS
        ]
    }
    assert data["documents"][0]["pairs"][1] == [
        0,
        1,
        "Có 10.000 người mua.",
        "There were 1,000 buyers.",
        "mt",
        -0.42,
        [["numbers", "number 10.000 → 1,000"]],
    ]


def test_no_input_text_reaches_the_markup(tmp_path: Path) -> None:
    html = write_page(tmp_path).read_text("utf-8")
    for block in (DATA_ID, SUMMARY_ID):
        assert "<" not in json_block(html, block)
    # The whole page has exactly its own three scripts and no input text outside JSON strings.
    assert html.count("<script") == 3 and html.count("</script>") == 3
    for payload in (SCRIPT, IMG, CLOSE, "<b>bold</b>"):
        assert payload not in html
    assert "\\u003cscript>window.pwned = 1" in html


def test_summary_counts_pairs_flagged_and_each_check_once_per_pair(tmp_path: Path) -> None:
    _, summary = page_data(write_page(tmp_path))
    assert summary == {
        "documents": 3,
        "pairs": 11,
        "flagged": 4,
        # pair 4 has loop and numbers; two numbers flags on one pair would count once.
        "checks": [["loop", 1], ["numbers", 3], ["untranslated", 1]],
        "model": "tiny-vi-en",
        "vi2en": "0.2.0",
        "source_lang": "vi",
        "target_lang": "en",
        "source_name": "Vietnamese (vi)",
        "target_name": "English (en)",
    }


def test_two_flags_of_one_check_count_the_pair_once(tmp_path: Path) -> None:
    twice = (Flag("numbers", "10 → 1"), Flag("numbers", "20 missing"))
    _, summary = page_data(write_page(tmp_path, [("d", [segment("d", 0, 0, "a", "b", twice)])]))
    assert (summary["flagged"], summary["checks"]) == (1, [["numbers", 1]])


@pytest.mark.parametrize("score", [float("nan"), float("inf"), float("-inf")])
def test_a_score_json_cannot_hold_is_null(tmp_path: Path, score: float) -> None:
    data, _ = page_data(write_page(tmp_path, [("d", [segment("d", 0, 0, "a", "b", score=score)])]))
    assert data["documents"][0]["pairs"][0][5] is None


def test_an_empty_corpus_is_a_page_without_documents(tmp_path: Path) -> None:
    data, summary = page_data(write_page(tmp_path, []))
    assert data == {"documents": []}
    assert (summary["documents"], summary["pairs"], summary["checks"]) == (0, 0, [])


# --- the file ----------------------------------------------------------------------------


def test_same_input_same_bytes(tmp_path: Path) -> None:
    first = write_page(tmp_path / "a").read_bytes()
    second = write_page(tmp_path / "b").read_bytes()
    assert first == second
    assert not re.search(rb"20\d\d-\d\d-\d\d", first)  # no date


def test_the_page_loads_nothing_and_allows_only_its_own_script_and_style(tmp_path: Path) -> None:
    html = write_page(tmp_path).read_text("utf-8")
    outside = re.sub(r'<script type="application/json".*?</script>', "", html, flags=re.S)
    for needle in ("http:", "https:", "src=", "href=", "@import", "url(", "//cdn"):
        assert needle not in outside
    style = re.search(r"<style>(.*?)</style>", html, re.S)
    script = re.search(r"<script>(.*?)</script>", html, re.S)
    assert style and script
    digest = {
        name: base64.b64encode(hashlib.sha256(m.group(1).encode()).digest()).decode()
        for name, m in (("style", style), ("script", script))
    }
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html)
    assert policy is not None
    assert policy.group(1) == (
        f"default-src 'none'; style-src 'sha256-{digest['style']}'; "
        f"script-src 'sha256-{digest['script']}'; img-src 'none'; base-uri 'none'; "
        "form-action 'none'"
    )


def test_the_page_documents_its_keys(tmp_path: Path) -> None:
    html = write_page(tmp_path).read_text("utf-8")
    assert "<kbd>j</kbd> or <kbd>n</kbd> next flagged pair" in html
    assert "<kbd>k</kbd> or <kbd>p</kbd>\nprevious" in html


def test_discard_leaves_nothing(tmp_path: Path) -> None:
    writer = ReviewWriter(tmp_path, RUN)
    writer.add_pairs(DocumentInfo("d", "d", "\n", 1), SEGMENTS)
    writer.discard()
    assert list(tmp_path.iterdir()) == []


def test_review_is_a_format_named_in_the_layout(tmp_path: Path) -> None:
    assert WRITERS["review"] is ReviewWriter
    [writer] = open_writers(["review"], tmp_path, RUN)
    assert [p.name for p in commit_writers([writer])] == [layout.REVIEW_FILE]
    assert layout.REVIEW_FILE in layout.corpus_names()
    assert layout.REVIEW_FILE in layout.output_names()


# --- vi2en translate -f review, vi2en review ------------------------------------------------

ARTICLES = {
    # A JSONL input keeps its order (b before a): the page must too.
    "news.jsonl": (
        '{"id": "b", "text": "Xin chào xin chào xin chào xin chào xin chào."}\n'
        '{"id": "a", "text": "Hà Nội <script>window.pwned=1</script> đẹp.\\n\\nĐoạn hai."}\n'
    ),
}


def translate(tmp_path: Path, formats: str, name: str = "out") -> Path:
    (tmp_path / "in").mkdir(exist_ok=True)
    for file, text in ARTICLES.items():
        (tmp_path / "in" / file).write_text(text, encoding="utf-8")
    out = tmp_path / name
    args = ["translate", str(tmp_path / "in" / "news.jsonl"), "-o", str(out), "-f", formats]
    result = CliRunner().invoke(main, [*args, *FAKE])
    assert result.exit_code == 0, result.output
    return out


def test_translate_writes_the_page_in_corpus_order_with_the_translator_flags(
    tmp_path: Path,
) -> None:
    out = translate(tmp_path, "review,jsonl")
    data, summary = page_data(out / layout.REVIEW_FILE)
    assert [d["id"] for d in data["documents"]] == ["b", "a"]
    assert [[row[0], row[2], row[3]] for d in data["documents"] for row in d["pairs"]] == [
        [
            0,
            "Xin chào xin chào xin chào xin chào xin chào.",
            "EN: XIN CHÀO XIN CHÀO XIN CHÀO XIN CHÀO XIN CHÀO.",
        ],
        [
            0,
            "Hà Nội <script>window.pwned=1</script> đẹp.",
            "EN: HÀ NỘI <SCRIPT>WINDOW.PWNED=1</SCRIPT> ĐẸP.",
        ],
        [1, "Đoạn hai.", "EN: ĐOẠN HAI."],
    ]
    # The fake backend's copy in capitals is also flagged untranslated (before loop).
    assert [flag[0] for flag in data["documents"][0]["pairs"][0][6]] == ["untranslated", "loop"]
    assert (summary["documents"], summary["pairs"], summary["flagged"]) == (2, 3, 1)
    manifest = json.loads((out / layout.MANIFEST_FILE).read_text("utf-8"))
    assert layout.REVIEW_FILE in [entry["path"] for entry in manifest["files"]]


def test_vi2en_review_rebuilds_the_same_bytes_from_the_parts(tmp_path: Path) -> None:
    out = translate(tmp_path, "review,jsonl")
    again = tmp_path / "again.html"
    result = CliRunner().invoke(main, ["review", str(out), "-o", str(again)])
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (
        f"vi2en: wrote {again} (2 documents, 3 pairs, 1 flagged; from parts)\n"
    )
    assert again.read_bytes() == (out / layout.REVIEW_FILE).read_bytes()


def test_vi2en_review_replaces_the_page_in_outdir_by_default(tmp_path: Path) -> None:
    out = translate(tmp_path, "review,jsonl")
    before = (out / layout.REVIEW_FILE).read_bytes()
    (out / layout.REVIEW_FILE).unlink()
    assert rebuild_review(out).path == out / layout.REVIEW_FILE
    assert (out / layout.REVIEW_FILE).read_bytes() == before


def test_without_parts_the_page_comes_from_corpus_jsonl(tmp_path: Path) -> None:
    out = translate(tmp_path, "review,jsonl")
    from_parts, _ = page_data(out / layout.REVIEW_FILE)
    shutil.rmtree(out / layout.STATE_DIR)
    summary = rebuild_review(out, tmp_path / "page.html")
    assert (summary.source, summary.documents, summary.pairs) == ("corpus.jsonl", 2, 3)
    from_jsonl, _ = page_data(tmp_path / "page.html")
    assert [d["id"] for d in from_jsonl["documents"]] == ["b", "a"]

    def texts(data: dict) -> list[list[object]]:  # type: ignore[type-arg]
        return [row[:4] for d in data["documents"] for row in d["pairs"]]

    assert texts(from_jsonl) == texts(from_parts)
    assert not (out / layout.STATE_DIR).exists()  # no lock made where no run was


def test_a_corpus_jsonl_without_flags_and_score_keys_reads(tmp_path: Path) -> None:
    out = tmp_path / "old"
    out.mkdir()
    line = {"doc_id": "d", "paragraph": 0, "sentence": 0, "source": "Một.", "target": "One."}
    data = (json.dumps({**line, "start": 0, "end": 4}, ensure_ascii=False) + "\n").encode()
    (out / "corpus.jsonl").write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    manifest = {
        "vi2en": "0.2.0",
        "model": {"name": "m", "revision": None},
        "counts": {"documents": 1, "failed": 0, "pairs": 1},
        "files": [{"path": "corpus.jsonl", "size": len(data), "sha256": digest}],
    }
    (out / layout.MANIFEST_FILE).write_text(json.dumps(manifest), encoding="utf-8")
    summary = rebuild_review(out)
    assert (summary.source, summary.pairs, summary.flagged) == ("corpus.jsonl", 1, 0)
    pages, _ = page_data(out / layout.REVIEW_FILE)
    assert pages["documents"] == [{"id": "d", "pairs": [[0, 0, "Một.", "One.", "mt", None, []]]}]


def test_a_run_without_review_removes_a_stale_page(tmp_path: Path) -> None:
    out = translate(tmp_path, "review,tsv")
    assert (out / layout.REVIEW_FILE).is_file()
    translate(tmp_path, "tsv")
    assert not (out / layout.REVIEW_FILE).exists()


def test_without_a_corpus_order_the_parts_come_in_doc_id_order(tmp_path: Path) -> None:
    out = translate(tmp_path, "review,tsv")
    rebuild_review(out, tmp_path / "page.html")
    data, _ = page_data(tmp_path / "page.html")
    assert [d["id"] for d in data["documents"]] == ["a", "b"]


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        (lambda out: None, ["{tmp}/missing"], "{tmp}/missing: no such folder"),
        (
            lambda out: out.mkdir(),
            ["{out}"],
            "{out}: not a finished vi2en output folder (no manifest.json)",
        ),
        (
            lambda out: (out.mkdir(), (out / "manifest.json").write_text("{")),
            ["{out}"],
            "{out}/manifest.json: damaged manifest",
        ),
    ],
    ids=["missing", "no-manifest", "damaged-manifest"],
)
def test_review_of_a_folder_that_is_no_run(
    tmp_path: Path, setup: object, args: list[str], message: str
) -> None:
    out = tmp_path / "out"
    setup(out)  # type: ignore[operator]
    args = [a.format(tmp=tmp_path, out=out) for a in args]
    result = CliRunner().invoke(main, ["review", *args])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: " + message.format(tmp=tmp_path, out=out))
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "target", ["corpus.jsonl", "manifest.json", ".vi2en/parts/x.html", "corpus.tsv"]
)
def test_review_never_writes_over_a_file_of_the_run(tmp_path: Path, target: str) -> None:
    out = translate(tmp_path, "review,jsonl,tsv")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and "lock" not in p.name}
    result = CliRunner().invoke(main, ["review", str(out), "-o", str(out / target)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: cannot write the review page to {out / target}: it is a file of the run in "
        f"{out}; choose another --output (default: {out / 'review.html'})\n"
    )
    assert {p: p.read_bytes() for p in before} == before


def test_a_changed_corpus_jsonl_is_refused(tmp_path: Path) -> None:
    out = translate(tmp_path, "jsonl")
    shutil.rmtree(out / layout.STATE_DIR)
    with (out / "corpus.jsonl").open("a", encoding="utf-8") as handle:
        handle.write("\n")
    with pytest.raises(InputError, match=r"not the file manifest\.json lists"):
        rebuild_review(out)


def test_a_run_with_neither_parts_nor_jsonl_is_refused(tmp_path: Path) -> None:
    out = translate(tmp_path, "tsv")
    shutil.rmtree(out / layout.STATE_DIR)
    with pytest.raises(InputError) as caught:
        rebuild_review(out)
    assert str(caught.value) == (
        f"{out}: holds neither the run's parts (.vi2en/parts) nor corpus.jsonl; translate "
        "again with -f review (or -f jsonl)"
    )


def test_a_folder_as_output_is_refused(tmp_path: Path) -> None:
    out = translate(tmp_path, "jsonl")
    (tmp_path / "folder").mkdir()
    with pytest.raises(OutputError, match="it is a folder"):
        rebuild_review(out, tmp_path / "folder")


@pytest.mark.slow
def test_the_installed_command_rebuilds_the_page(tmp_path: Path) -> None:
    out = translate(tmp_path, "review,jsonl")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "translate", "review", str(out), "-o", str(tmp_path / "p.html")],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert (result.returncode, result.stdout) == (0, ""), result.stderr
    assert (tmp_path / "p.html").read_bytes() == (out / layout.REVIEW_FILE).read_bytes()


def test_review_help_names_the_default_page() -> None:
    result = CliRunner().invoke(main, ["review", "--help"])
    assert result.exit_code == 0
    assert "Write the page to FILE  [default: OUTDIR/review.html]." in result.output
    listing = CliRunner().invoke(main, ["--help"]).output
    assert "  review     Rebuild OUTDIR/review.html from a finished run.\n" in listing
