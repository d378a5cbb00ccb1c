"""``vi2en qa``: the QA checks on any parallel corpus (TSV, Moses, JSONL, TMX), written annotated.

The tests run one check of their own, ``bang`` (a ``!`` in the target),
registered in :data:`translate.qa.CHECKS` for each test, so that the exact
outputs depend on the reading and writing only, not on the real checks.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from lxml import etree

from tests.test_cli import FAKE, timeless
from translate.cli import EXIT_DOCUMENTS_FAILED, main
from translate.qa import CHECKS, Check, PairContext
from translate.readers.corpus import CorpusOptions, corpus_input, read_corpus
from translate.records import AlignedSegment

TMX_DTD = etree.DTD(str(Path(__file__).parent / "data" / "tmx14.dtd"))
BANG = {"check": "bang", "reason": "an exclamation mark"}


def _bang(source: str, target: str, context: PairContext) -> list[str]:
    return ["an exclamation mark"] if "!" in target else []


@pytest.fixture(autouse=True)
def bang_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(CHECKS, "bang", Check("bang", "a ! in the target", _bang))


def qa(*args: str) -> Result:
    return CliRunner().invoke(main, ["qa", "--qa", "bang", *map(str, args)])


def jsonl(path: Path) -> list[dict]:
    return [json.loads(text) for text in path.read_text("utf-8").splitlines()]


def record(doc_id: str, paragraph: int, source: str, target: str, flags: list) -> dict:
    return {
        "doc_id": doc_id,
        "paragraph": paragraph,
        "sentence": 0,
        "source": source,
        "target": target,
        "start": 0,
        "end": len(source),
        "score": None,
        "flags": flags,
    }


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


# --- TSV ----------------------------------------------------------------------------------


def test_a_tsv_corpus_is_checked_and_written_annotated(tmp_path: Path) -> None:
    corpus = write(
        tmp_path / "c.tsv",
        "Xin chào.\tHello!\textra column\r\n"  # more columns and a CRLF: ignored
        "\n"  # a blank line holds no pair
        "Dòng\\tmột.\tLine\\tone.\n",  # escaped as vi2en writes it
    )
    out = tmp_path / "out"
    result = qa(corpus, "-o", out, "-f", "jsonl,tsv")
    assert (result.exit_code, timeless(result.stderr)) == (
        0,
        f"vi2en: 1 corpus, 2 sentence pairs checked, 1 flagged, in Ns → {out}\n"
        "vi2en: QA: 1 flagged pair (bang 1)\n",
    )
    label = str(corpus)
    assert jsonl(out / "corpus.jsonl") == [
        record(label, 0, "Xin chào.", "Hello!", [BANG]),
        record(label, 2, "Dòng\tmột.", "Line\tone.", []),
    ]
    assert (out / "corpus.tsv").read_text("utf-8") == (
        "Xin chào.\tHello!\nDòng\\tmột.\tLine\\tone.\n"
    )
    assert (out / "errors.jsonl").read_text("utf-8") == ""
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["command"] == "qa"
    assert manifest["counts"] == {"inputs": 1, "pairs": 2, "malformed": 0}
    assert manifest["qa"]["flags"] == {"bang": 1}
    assert manifest["qa"]["worst_documents"] == [{"doc_id": label, "flagged": 1, "pairs": 2}]
    assert [entry["path"] for entry in manifest["files"]] == [
        "corpus.jsonl",
        "corpus.tsv",
        "errors.jsonl",
    ]


def test_raw_tsv_keeps_backslashes(tmp_path: Path) -> None:
    corpus = write(tmp_path / "c.tsv", "C:\\q\\n.\tC:\\q\\n!\n")
    out = tmp_path / "out"
    assert qa(corpus, "-o", out, "--raw").exit_code == 0
    assert [(r["source"], r["flags"]) for r in jsonl(out / "corpus.jsonl")] == [
        ("C:\\q\\n.", [BANG])
    ]


def test_malformed_records_are_reported_and_the_other_files_still_checked(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_bytes(b"one column\nBad \\q escape.\tx\nBad \xff byte.\tx\nGood.\tYes!\n")
    broken = write(tmp_path / "broken.tmx", "<tmx><body><tu><tuv xml:lang='vi'><seg>A</seg>")
    good = write(
        tmp_path / "good.jsonl", '{"vi": "Tốt.", "en": "Good!"}\n{"vi": 1}\n[]\nnot json\n'
    )
    out = tmp_path / "out"
    result = qa(bad, broken, good, "-o", out)
    assert result.exit_code == EXIT_DOCUMENTS_FAILED
    errors = jsonl(out / "errors.jsonl")
    assert [(e["source"], e["reason"].split(";")[0]) for e in errors] == [
        (f"{bad}:1", "one column"),
        (f"{bad}:2", "invalid escape '\\\\q'"),
        (f"{bad}:3", "line is not UTF-8"),
        (f"{broken}:1", "not well-formed XML (no element found: line 1, column 46)"),
        (f"{good}:2", "no text fields 'source'/'target' or 'vi'/'en'"),
        (f"{good}:3", "not a JSON object"),
        (f"{good}:4", "not JSON (Expecting value: line 1 column 1 (char 0))"),
    ]
    assert [(r["source"], r["flags"]) for r in jsonl(out / "corpus.jsonl")] == [
        ("Good.", [BANG]),
        ("Tốt.", [BANG]),
    ]
    assert f"vi2en: malformed {bad}:1: one column; a TSV line is source<TAB>target\n" in (
        result.stderr
    )
    assert result.stderr.endswith(f"vi2en: 7 malformed records; see {out / 'errors.jsonl'}\n")
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["counts"] == {"inputs": 3, "pairs": 2, "malformed": 7}


# --- Moses --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "names",
    [["m.vi"], ["m"], ["m.vi", "m.en"], ["m.en"]],
    ids=["source", "prefix", "both", "target"],
)
def test_a_moses_pair_is_named_by_either_file_or_its_prefix(
    tmp_path: Path, names: list[str]
) -> None:
    write(tmp_path / "m.vi", "Một.\nHai.\n")
    write(tmp_path / "m.en", "One!\nTwo.\n")
    out = tmp_path / "out"
    result = qa(*(tmp_path / name for name in names), "-o", out, "-f", "moses,jsonl")
    assert result.exit_code == 0, result.output
    label = str(tmp_path / "m")
    assert jsonl(out / "corpus.jsonl") == [
        record(label, 0, "Một.", "One!", [BANG]),
        record(label, 1, "Hai.", "Two.", []),
    ]
    assert (out / "corpus.en").read_text("utf-8") == "One!\nTwo.\n"
    assert (out / "corpus.ids").read_text("utf-8") == f"{label}\t0\t0\n{label}\t1\t0\n"


def test_moses_files_of_other_lengths_are_reported(tmp_path: Path) -> None:
    """Files of other lengths are misaligned somewhere: no pair of them is trusted."""
    write(tmp_path / "m.vi", "Một.\nHai.\n")
    write(tmp_path / "m.en", "One!\n")
    out = tmp_path / "out"
    assert qa(tmp_path / "m", "-o", out).exit_code == EXIT_DOCUMENTS_FAILED
    [error] = jsonl(out / "errors.jsonl")
    assert error["source"] == str(tmp_path / "m.vi")
    assert error["reason"] == (
        "the files of the Moses pair have different line counts "
        f"({tmp_path / 'm.vi'} 2, {tmp_path / 'm.en'} 1): they are not line-aligned, so no "
        "pair of them is read; realign them (one pair per line)"
    )
    assert jsonl(out / "corpus.jsonl") == []


# --- JSONL --------------------------------------------------------------------------------


def test_jsonl_records_of_any_shape(tmp_path: Path) -> None:
    corpus = write(
        tmp_path / "r.jsonl",
        '{"source": "Một.", "target": "One!", "id": 7}\n'
        '{"vi": "Hai.", "en": "Two."}\n'
        '{"translation": {"vi": "Ba.", "en": "Three!"}, "doc_id": "sach"}\n',
    )
    out = tmp_path / "out"
    assert qa(corpus, "-o", out).exit_code == 0
    assert jsonl(out / "corpus.jsonl") == [
        record("7", 0, "Một.", "One!", [BANG]),
        record(str(corpus), 1, "Hai.", "Two.", []),
        record("sach", 2, "Ba.", "Three!", [BANG]),
    ]


def test_jsonl_fields_can_be_named(tmp_path: Path) -> None:
    corpus = write(tmp_path / "r.jsonl", '{"viet": "Một.", "eng": "One!"}\n')
    out = tmp_path / "out"
    result = qa(corpus, "-o", out, "--source-field", "viet", "--target-field", "eng")
    assert result.exit_code == 0, result.output
    assert [r["target"] for r in jsonl(out / "corpus.jsonl")] == ["One!"]
    one = qa(corpus, "-o", out, "--source-field", "viet")
    assert one.exit_code == 2
    assert "give both --source-field and --target-field, or neither" in one.stderr


def test_vi2en_outputs_read_back_with_their_ids(tmp_path: Path) -> None:
    article = write(tmp_path / "bai.txt", "Một. Hai!\nBa.\n")
    translated = tmp_path / "translated"
    result = CliRunner().invoke(
        main, ["translate", str(article), "-o", str(translated), *FAKE, "-f", "jsonl,tmx,moses"]
    )
    assert result.exit_code == 0, result.output
    expected = [
        ("bai.txt", 0, 0, "Một.", "EN: MỘT.", []),
        ("bai.txt", 0, 1, "Hai!", "EN: HAI!", [BANG]),
        ("bai.txt", 1, 0, "Ba.", "EN: BA.", []),
    ]
    for name in ("corpus.jsonl", "corpus.tmx", "corpus"):
        out = tmp_path / f"qa-{name}"
        assert qa(translated / name, "-o", out).exit_code == 0
        lines = jsonl(out / "corpus.jsonl")
        got = [
            (r["doc_id"], r["paragraph"], r["sentence"], r["source"], r["target"], r["flags"])
            for r in lines
        ]
        assert got == expected, name


# --- TMX ----------------------------------------------------------------------------------

FOREIGN_TMX = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4">
<header creationtool="OmegaT" creationtoolversion="6" segtype="sentence" o-tmf="OmegaT"
 adminlang="EN-US" srclang="VI-VN" datatype="plaintext"/>
<body>
<tu tuid="1"><tuv xml:lang="VI-VN"><seg>Chữ <bpt i="1">&lt;b&gt;</bpt>đậm<ept i="1">&lt;/b&gt;</ept>.</seg></tuv>
<tuv xml:lang="en-US"><seg>Bold <hi>text</hi>!</seg></tuv></tu>
<tu><tuv lang="vi"><seg>Một.</seg></tuv><tuv lang="EN"><seg>One.</seg></tuv></tu>
<tu><tuv xml:lang="fr"><seg>Un.</seg></tuv><tuv xml:lang="en"><seg>One.</seg></tuv></tu>
</body></tmx>
"""


def test_a_foreign_tmx_is_read_by_language_subtag(tmp_path: Path) -> None:
    corpus = write(tmp_path / "omegat.tmx", FOREIGN_TMX)
    out = tmp_path / "out"
    result = qa(corpus, "-o", out, "-f", "jsonl,tmx")
    assert result.exit_code == EXIT_DOCUMENTS_FAILED
    assert jsonl(out / "corpus.jsonl") == [
        record(str(corpus), 0, "Chữ đậm.", "Bold text!", [BANG]),
        record(str(corpus), 1, "Một.", "One.", []),
    ]
    [error] = jsonl(out / "errors.jsonl")
    assert error["source"] == f"{corpus}: <tu> 3"
    assert error["reason"] == (
        "no 'vi' and 'en' <tuv> (languages: en, fr); set --source-lang and --target-lang"
    )
    tmx = (out / "corpus.tmx").read_text("utf-8")
    assert '<prop type="x-vi2en-flags">bang: an exclamation mark</prop>' in tmx
    assert TMX_DTD.validate(etree.parse(str(out / "corpus.tmx"))), TMX_DTD.error_log


def test_read_corpus_keeps_a_vi2en_tmx_score_and_reads_languages_as_asked(tmp_path: Path) -> None:
    corpus = write(tmp_path / "c.tmx", FOREIGN_TMX.replace("VI-VN", "fr"))
    options = CorpusOptions(source_lang="fr", target_lang="en")
    items = list(read_corpus(corpus_input(str(corpus), options), options))
    assert [item.source for item in items if isinstance(item, AlignedSegment)] == [
        "Chữ đậm.",
        "Un.",
    ]


def test_the_pipeline_checks_memory_hits_but_not_copies() -> None:
    from translate.pipeline import align
    from translate.readers import read_text
    from translate.records import Translation
    from translate.segment import Segmenter, segment_paragraphs

    document = read_text("Một. Hai. 3!")
    sentences = segment_paragraphs(document.doc_id, document.paragraphs, Segmenter())
    translations = [Translation("One!"), Translation("Two!", "memory"), Translation("3!", "copy")]
    result = align(document, sentences, translations, checks=["bang"])
    assert [[f.check for f in p.flags] for p in result.pairs] == [["bang"], ["bang"], []]


# --- the output directory -----------------------------------------------------------------


def test_an_input_is_never_an_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write(tmp_path / "c.tsv", "A.\tB!\n")
    assert qa(tmp_path / "c.tsv", "-o", out, "-f", "tsv").exit_code == 0
    result = qa(out / "corpus.tsv", "-o", out, "-f", "tsv")
    assert result.exit_code == 2
    assert f"input {out / 'corpus.tsv'} is an output of this run" in result.stderr


def test_a_translate_run_is_not_overwritten(tmp_path: Path) -> None:
    article = write(tmp_path / "bai.txt", "Một.\n")
    out = tmp_path / "out"
    assert (
        CliRunner().invoke(main, ["translate", str(article), "-o", str(out), *FAKE]).exit_code == 0
    )
    write(tmp_path / "c.tsv", "A.\tB!\n")
    result = qa(tmp_path / "c.tsv", "-o", out)
    assert result.exit_code == 1
    assert (
        f"{out} holds a vi2en translate or align run; write the QA outputs to another -o"
        in result.stderr
    )


def test_qa_drop_writes_rejected_and_a_later_run_removes_stale_files(tmp_path: Path) -> None:
    corpus = write(tmp_path / "c.tsv", "Một.\tOne!\nHai.\tTwo.\n")
    out = tmp_path / "out"
    result = qa(corpus, "-o", out, "-f", "tsv,jsonl", "--qa-drop", "bang")
    assert result.exit_code == 0
    assert (
        result.stderr.splitlines()[1]
        == "vi2en: QA: 1 flagged pair (bang 1); 1 dropped to rejected.*"
    )
    assert (out / "corpus.tsv").read_text("utf-8") == "Hai.\tTwo.\n"
    assert (out / "rejected.tsv").read_text("utf-8") == "Một.\tOne!\n"
    assert [r["flags"] for r in jsonl(out / "rejected.jsonl")] == [[BANG]]
    assert qa(corpus, "-o", out, "-f", "tsv").exit_code == 0
    assert sorted(p.name for p in out.iterdir() if p.name != ".vi2en") == [
        "corpus.tsv",
        "errors.jsonl",
        "manifest.json",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["c.txt"], "cannot tell the corpus format; name it .tsv, .jsonl or .tmx"),
        (["missing.tsv"], "missing.tsv: no such file"),
        (["c.tsv", "-f", "txt"], "vi2en qa writes corpus files, not articles"),
    ],
    ids=["unknown-format", "missing", "txt"],
)
def test_bad_inputs_are_one_line_errors(tmp_path: Path, args: list[str], message: str) -> None:
    write(tmp_path / "c.txt", "A.\tB.\n")
    write(tmp_path / "c.tsv", "A.\tB.\n")
    paths = [str(tmp_path / a) if a.startswith("c.") else a for a in args]
    result = qa(*paths, "-o", tmp_path / "out")
    assert result.exit_code in (1, 2)
    assert message in result.stderr
