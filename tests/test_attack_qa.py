"""``vi2en qa`` against hostile and odd corpora: what a new user or an attacker may feed it.

Each test names the input, and asserts the exact outcome: the record listed in
``errors.jsonl`` with its reason, the other records and files still checked,
nothing read that the file did not hold.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.review_pages import page_data
from tests.test_qa_command import bang_check, jsonl, qa, record, write
from translate.cli import EXIT_DOCUMENTS_FAILED
from translate.writers import read_tmx
from translate.writers.tmx import UnsafeXmlError

__all__ = ["bang_check"]  # the autouse fixture: the tests run the `bang` check

_TMX_HEAD = '<?xml version="1.0"?>\n'
_TMX_BODY = (
    '<tmx version="1.4"><header srclang="vi" datatype="plaintext" segtype="sentence" '
    'adminlang="en" o-tmf="x" creationtool="x" creationtoolversion="1"/><body>\n'
    '<tu><tuv xml:lang="vi"><seg>Xin chào {entity}</seg></tuv>'
    '<tuv xml:lang="en"><seg>Hello</seg></tuv></tu>\n</body></tmx>\n'
)
_ENTITY_REASON = (
    "declares XML entities, which vi2en never expands (an entity bomb or an external file); "
    "remove the <!ENTITY> declarations. The rest of the file is skipped"
)


def _billion_laughs() -> str:
    entities = ['<!ENTITY a0 "lol">'] + [
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
    ]
    return f"<!DOCTYPE tmx [{''.join(entities)}]>\n"


@pytest.mark.parametrize(
    ("doctype", "entity"),
    [
        pytest.param(_billion_laughs(), "&a9;", id="billion-laughs"),
        pytest.param('<!DOCTYPE tmx [<!ENTITY x SYSTEM "file://{secret}">]>\n', "&x;", id="xxe"),
        pytest.param('<!DOCTYPE tmx [<!ENTITY co "ACME">]>\n', "&co;", id="internal"),
    ],
)
def test_qa_tmx_with_entities_is_refused_not_expanded(
    tmp_path: Path, doctype: str, entity: str
) -> None:
    secret = write(tmp_path / "secret.txt", "SECRET\n")
    tmx = write(
        tmp_path / "evil.tmx",
        _TMX_HEAD + doctype.format(secret=secret) + _TMX_BODY.format(entity=entity),
    )
    clean = write(tmp_path / "clean.tsv", "Xin chào\tHello!\n")
    result = qa(tmx, clean, "-o", tmp_path / "out")
    assert result.exit_code == EXIT_DOCUMENTS_FAILED, result.output
    out = tmp_path / "out"
    assert jsonl(out / "errors.jsonl") == [
        {"doc_id": str(tmx), "source": str(tmx), "reason": _ENTITY_REASON}
    ]
    assert jsonl(out / "corpus.jsonl") == [
        record(
            str(clean),
            0,
            "Xin chào",
            "Hello!",
            [{"check": "bang", "reason": "an exclamation mark"}],
        )
    ]
    assert "SECRET" not in (out / "corpus.jsonl").read_text("utf-8")


def test_read_tmx_refuses_entities(tmp_path: Path) -> None:
    tmx = write(
        tmp_path / "evil.tmx",
        _TMX_HEAD + '<!DOCTYPE tmx [<!ENTITY co "ACME">]>\n' + _TMX_BODY.format(entity="&co;"),
    )
    with pytest.raises(UnsafeXmlError, match="remove the <!ENTITY> declarations"):
        read_tmx(tmx)


def test_qa_tmx_with_a_dtd_doctype_is_read(tmp_path: Path) -> None:
    """A DOCTYPE naming the DTD (OmegaT writes one) is no entity: the file is read."""
    tmx = write(
        tmp_path / "omegat.tmx",
        _TMX_HEAD + '<!DOCTYPE tmx SYSTEM "tmx11.dtd">\n' + _TMX_BODY.format(entity="bạn"),
    )
    result = qa(tmx, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert jsonl(tmp_path / "out" / "corpus.jsonl") == [
        record(str(tmx), 0, "Xin chào bạn", "Hello", [])
    ]
    assert json.loads((tmp_path / "out" / "manifest.json").read_text("utf-8"))["counts"] == {
        "inputs": 1,
        "pairs": 1,
        "malformed": 0,
    }


def test_qa_review_page_shows_every_pair_the_dropped_ones_too(tmp_path: Path) -> None:
    corpus = write(tmp_path / "c.tsv", "Xin chào\tHello!\n<script>alert(1)</script>\tHi\n")
    other = write(tmp_path / "d.tsv", "Tạm biệt\tBye\n")
    out = tmp_path / "out"
    result = qa(corpus, other, "-o", out, "-f", "review,tsv", "--qa-drop", "bang")
    assert result.exit_code == 0, result.output
    data, summary = page_data(out / "review.html")
    bang = [["bang", "an exclamation mark"]]
    assert data == {
        "documents": [
            {
                "id": str(corpus),
                "pairs": [
                    [0, 0, "Xin chào", "Hello!", "mt", None, bang],
                    [1, 0, "<script>alert(1)</script>", "Hi", "mt", None, []],
                ],
            },
            {"id": str(other), "pairs": [[0, 0, "Tạm biệt", "Bye", "mt", None, []]]},
        ]
    }
    assert (summary["documents"], summary["pairs"], summary["flagged"]) == (2, 3, 1)
    assert "<script>alert" not in (out / "review.html").read_text("utf-8")
    assert (out / "corpus.tsv").read_text("utf-8") == (
        "<script>alert(1)</script>\tHi\nTạm biệt\tBye\n"
    )
    assert (out / "rejected.tsv").read_text("utf-8") == "Xin chào\tHello!\n"
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert [f["path"] for f in manifest["files"]] == [
        "corpus.tsv",
        "errors.jsonl",
        "rejected.tsv",
        "review.html",
    ]
    # A later run without review removes the page, as translate's runs do.
    assert qa(corpus, "-o", out, "-f", "tsv").exit_code == 0
    assert not (out / "review.html").exists()


def test_qa_a_line_over_the_record_limit_is_reported_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A huge line (a file without line breaks) is skipped in pieces; the next line is read."""
    monkeypatch.setattr("translate.readers.corpus.MAX_RECORD_BYTES", 64)
    long = "Giá vàng " * 40
    tsv = write(tmp_path / "c.tsv", f"{long}\tGold\nXin chào\tHello\n")
    jsonl_input = write(
        tmp_path / "c.jsonl", json.dumps({"vi": long, "en": "x"}) + '\n{"vi": "a", "en": "b"}\n'
    )
    out = tmp_path / "out"
    result = qa(tsv, jsonl_input, "-o", out)
    assert result.exit_code == EXIT_DOCUMENTS_FAILED, result.output
    size = len(f"{long}\tGold\n".encode())
    jsize = len(json.dumps({"vi": long, "en": "x"}).encode()) + 1
    reason = "over the 64 bytes of a record; split it (one pair per line)"
    assert jsonl(out / "errors.jsonl") == [
        {"doc_id": str(tsv), "source": f"{tsv}:1", "reason": f"line of {size} bytes, {reason}"},
        {
            "doc_id": str(jsonl_input),
            "source": f"{jsonl_input}:1",
            "reason": f"line of {jsize} bytes, {reason}",
        },
    ]
    assert [(r["source"], r["target"]) for r in jsonl(out / "corpus.jsonl")] == [
        ("Xin chào", "Hello"),
        ("a", "b"),
    ]


def test_qa_moses_and_tmx_numbers_that_are_not_numbers_say_which(tmp_path: Path) -> None:
    write(tmp_path / "m.vi", "Một.\nHai.\n")
    write(tmp_path / "m.en", "One.\nTwo.\n")
    write(tmp_path / "m.ids", "d\tx\t0\nd\t1\t0\n")
    tmx = write(
        tmp_path / "t.tmx",
        _TMX_HEAD
        + _TMX_BODY.format(entity="")
        .replace("<tu>", '<tu><prop type="x-paragraph">abc</prop>', 1)
        .replace(
            "</body>",
            _TMX_BODY.split("\n")[1].replace("<tu>", '<tu><prop type="x-vi2en-score">nan</prop>')
            + "\n</body>",
        ),
    )
    out = tmp_path / "out"
    result = qa(tmp_path / "m", tmx, "-o", out)
    assert result.exit_code == EXIT_DOCUMENTS_FAILED, result.output
    assert [e["reason"] for e in jsonl(out / "errors.jsonl")] == [
        "the .ids line has paragraph 'x', not a whole number; fix or remove it",
        "the <tu> has x-paragraph 'abc', not a whole number; fix or remove it",
        "the <tu> has x-vi2en-score 'nan', not a number; fix or remove it",
    ]
    assert [(r["doc_id"], r["source"]) for r in jsonl(out / "corpus.jsonl")] == [("d", "Hai.")]


def test_qa_reads_the_corpus_jsonl_of_an_align_run(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from translate.cli import main

    vi, en = tmp_path / "a.vi", tmp_path / "a.en"
    vi.write_text("Xin chào. Tôi là Nam.\n", encoding="utf-8")
    en.write_text("Hello! I am Nam.\n", encoding="utf-8")
    aligned = tmp_path / "aligned"
    args = ["align", str(vi), str(en), "-o", str(aligned), "-q", "-f", "jsonl"]
    assert CliRunner().invoke(main, args).exit_code == 0
    result = qa(aligned / "corpus.jsonl", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    lines = jsonl(tmp_path / "out" / "corpus.jsonl")
    assert [(r["source"], r["link"], r["flags"]) for r in lines] == [
        ("Xin chào.", "1-1", [{"check": "bang", "reason": "an exclamation mark"}]),
        ("Tôi là Nam.", "1-1", []),
    ]


def test_qa_a_link_kind_that_its_counts_deny_is_malformed(tmp_path: Path) -> None:
    line = {**record("d", 0, "a", "b", []), "source_count": 1, "target_ids": [0], "link": "2-1"}
    corpus = write(tmp_path / "c.jsonl", json.dumps(line) + "\n")
    result = qa(corpus, "-o", tmp_path / "out")
    assert result.exit_code == EXIT_DOCUMENTS_FAILED
    assert [e["reason"] for e in jsonl(tmp_path / "out" / "errors.jsonl")] == [
        "segment field 'link' is '2-1', but its counts make '1-1'"
    ]


def test_qa_refuses_the_outdir_of_an_align_run_naming_it(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from translate.cli import main

    vi, en = write(tmp_path / "a.vi", "Xin chào.\n"), write(tmp_path / "a.en", "Hello.\n")
    aligned = tmp_path / "aligned"
    assert CliRunner().invoke(main, ["align", str(vi), str(en), "-o", str(aligned)]).exit_code == 0
    before = sorted(p.name for p in aligned.iterdir())
    result = qa(write(tmp_path / "c.tsv", "a\tb\n"), "-o", aligned)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {aligned} holds a vi2en translate or align run; write the QA outputs to "
        "another -o directory\n"
    )
    assert sorted(p.name for p in aligned.iterdir()) == before
