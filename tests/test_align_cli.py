"""``vi2en align``: every input form, the outputs and their counts, failures, resume, ``--mt``.

Most tests use inputs whose alignment any aligner gets right (as many
sentences on both sides, one per paragraph or clearly 1:1); the tests of the
counts and of ``--min-score`` replace the aligner with a stub that returns
known links, so that they check this layer and not the aligner's quality.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from lxml import etree

from translate import align as align_module
from translate.align import Link
from translate.backends import register_backend
from translate.backends.fake import LookupBackend
from translate.cli import main
from translate.readers.pairs import DocumentPair, PairOptions, read_pairs
from translate.records import DocumentFailure

TMX_DTD = etree.DTD(str(Path(__file__).parent / "data" / "tmx14.dtd"))
TINY_MODEL = Path(__file__).resolve().parents[1] / "models" / "tiny-vi-en"
ALIGNMENT = next(
    (
        folder / "shared" / "data" / "alignment"
        for folder in Path(__file__).resolve().parents[1:4]
        if (folder / "shared" / "data" / "alignment" / "docs").is_dir()
    ),
    None,
)
SCORER = None if ALIGNMENT is None else ALIGNMENT.parents[1] / "tools" / "align_score.py"
needs_shared = pytest.mark.skipif(
    ALIGNMENT is None, reason="../shared/data/alignment (the alignment benchmark) is not here"
)

register_backend("lookup", "translate.backends.fake:LookupBackend")

VI = "Hà Nội là thủ đô của Việt Nam. Thành phố có hơn 8 triệu dân.\nGiá xăng tăng 5% trong tháng Ba.\n"
EN = "Hanoi is the capital of Vietnam. The city has more than 8 million people.\nPetrol prices rose 5% in March.\n"
TSV = (
    "Hà Nội là thủ đô của Việt Nam.\tHanoi is the capital of Vietnam.\n"
    "Thành phố có hơn 8 triệu dân.\tThe city has more than 8 million people.\n"
    "Giá xăng tăng 5% trong tháng Ba.\tPetrol prices rose 5% in March.\n"
)
LINKS = "[0]:[0]\n[1]:[1]\n[2]:[2]\n"


def run(*args: str) -> Any:
    return CliRunner().invoke(main, ["align", *args])


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def errors(out: Path) -> list[dict[str, str]]:
    lines = (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def manifest(out: Path) -> dict[str, Any]:
    return dict(json.loads((out / "manifest.json").read_text(encoding="utf-8")))


# --- input forms -----------------------------------------------------------------------


def test_two_files(tmp_path: Path) -> None:
    vi, en = write(tmp_path / "bai.vi.txt", VI), write(tmp_path / "bai.en.txt", EN)
    out = tmp_path / "out"
    result = run(str(vi), str(en), "-o", str(out), "-f", "tsv,links")
    assert result.exit_code == 0, result.output
    assert (out / "corpus.tsv").read_text(encoding="utf-8") == TSV
    assert (out / "links" / "bai.links").read_text(encoding="utf-8") == LINKS
    assert manifest(out)["counts"]["pairs"] == 3


def test_folder_of_pairs_both_namings_and_a_file_without_partner(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write(docs / "a.vi", VI)
    write(docs / "a.en", EN)
    write(docs / "sub" / "b.vi.txt", VI)
    write(docs / "sub" / "b.en.txt", EN)
    write(docs / "c.vi", VI)  # no c.en
    write(docs / "a.gold", "[0]:[0]\n")  # not a side: ignored
    out = tmp_path / "out"
    result = run(str(docs), "-o", str(out), "-f", "tsv,links")
    assert result.exit_code == 3, result.output
    assert (out / "corpus.tsv").read_text(encoding="utf-8") == TSV * 2
    assert sorted(p.relative_to(out).as_posix() for p in (out / "links").rglob("*.links")) == [
        "links/a.links",
        "links/sub/b.links",
    ]
    [failure] = errors(out)
    assert failure["doc_id"] == "c"
    assert failure["reason"].startswith("no English partner for ")
    assert manifest(out)["counts"]["failed"] == 1


def test_two_folders(tmp_path: Path) -> None:
    write(tmp_path / "vi" / "x" / "a.txt", VI)
    write(tmp_path / "en" / "x" / "a.txt", EN)
    write(tmp_path / "en" / "only.txt", EN)
    out = tmp_path / "out"
    result = run("--vi", str(tmp_path / "vi"), "--en", str(tmp_path / "en"), "-o", str(out))
    assert result.exit_code == 3, result.output
    assert (out / "corpus.tsv").read_text(encoding="utf-8") == TSV
    assert (out / "links" / "x" / "a.links").read_text(encoding="utf-8") == LINKS
    [failure] = errors(out)
    assert failure["doc_id"] == "only"
    assert failure["reason"].startswith("no Vietnamese partner for ")


def test_jsonl_with_fields_and_a_bad_record(tmp_path: Path) -> None:
    records = [
        {"id": "r1", "tieng_viet": VI, "english": EN},
        {"id": "r2", "tieng_viet": VI},
        {"id": 3, "tieng_viet": VI, "english": EN},
    ]
    path = write(tmp_path / "pairs.jsonl", "".join(json.dumps(r) + "\n" for r in records))
    out = tmp_path / "out"
    args = ["--vi-field", "tieng_viet", "--en-field", "english", "-f", "jsonl,links"]
    result = run(str(path), "-o", str(out), *args)
    assert result.exit_code == 3, result.output
    lines = [json.loads(line) for line in (out / "corpus.jsonl").read_text("utf-8").splitlines()]
    assert [(line["doc_id"], line["target_ids"], line["link"]) for line in lines] == [
        ("r1", [0], "1-1"),
        ("r1", [1], "1-1"),
        ("r1", [2], "1-1"),
        ("3", [0], "1-1"),
        ("3", [1], "1-1"),
        ("3", [2], "1-1"),
    ]
    assert (out / "links" / "pairs" / "r1.links").read_text(encoding="utf-8") == LINKS
    [failure] = errors(out)
    assert failure == {
        "doc_id": "r2",
        "source": f"{path}:2",
        "reason": 'the English field "english" is missing, not a string; name it with --en-field',
    }


def test_html_pair_writes_consistent_tsv_tmx_jsonl(tmp_path: Path) -> None:
    def page(lang: str, paragraphs: list[str]) -> str:
        title, *prose = paragraphs
        body = "".join(f"<p>{p}</p>" for p in prose)
        return (
            f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}'
            f"</title></head><body><article><h1>{title}</h1>{body}</article></body></html>"
        )

    vi_paragraphs = [
        "Kế hoạch chống ngập mùa mưa năm nay",
        "Thành phố vừa công bố kế hoạch chống ngập cho mùa mưa năm nay với nhiều hạng mục mới.",
        "Theo sở xây dựng, các tuyến cống chính sẽ được nạo vét trước ngày 30-4 để kịp mùa mưa.",
    ]
    en_paragraphs = [
        "This year's rainy season flood plan",
        "The city has just announced its flood plan for this rainy season with many new items.",
        "According to the construction department, the main sewers will be dredged by April 30.",
    ]
    vi = write(tmp_path / "bai.vi.html", page("vi", vi_paragraphs))
    en = write(tmp_path / "bai.en.html", page("en", en_paragraphs))
    out = tmp_path / "out"
    result = run(str(vi), str(en), "-o", str(out), "-f", "tsv,tmx,jsonl")
    assert result.exit_code == 0, result.output
    tsv = (out / "corpus.tsv").read_text(encoding="utf-8").splitlines()
    assert tsv == [f"{v}\t{e}" for v, e in zip(vi_paragraphs, en_paragraphs, strict=True)]
    tree = etree.parse(str(out / "corpus.tmx"))
    assert TMX_DTD.validate(tree), TMX_DTD.error_log
    assert len(tree.getroot().findall("body/tu")) == 3
    assert len((out / "corpus.jsonl").read_text(encoding="utf-8").splitlines()) == 3
    assert manifest(out)["counts"]["pairs"] == 3


def test_presegmented_keeps_lines_and_paragraphs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[Any, ...]] = []

    def spy(source: Sequence[str], target: Sequence[str], **kwargs: Any) -> list[Link]:
        seen.append((list(source), list(target), kwargs["source_paragraphs"]))
        return [Link((i,), (i,), 1.0) for i in range(len(source))]

    monkeypatch.setattr(align_module, "align_sentences", spy)
    write(tmp_path / "d.vi", "Một. Hai.\nBa.\n\nBốn.\n")
    write(tmp_path / "d.en", "One. Two.\nThree.\n\nFour.\n")
    out = tmp_path / "out"
    result = run(str(tmp_path / "d.vi"), str(tmp_path / "d.en"), "--presegmented", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert seen == [(["Một. Hai.", "Ba.", "Bốn."], ["One. Two.", "Three.", "Four."], [0, 0, 1])]
    assert (out / "corpus.tsv").read_text(encoding="utf-8") == (
        "Một. Hai.\tOne. Two.\nBa.\tThree.\nBốn.\tFour.\n"
    )


def test_presegmented_reader(tmp_path: Path) -> None:
    # A line with two sentences stays one; the blank line starts paragraph 2.
    write(tmp_path / "d.vi", "Một. Hai.\nBa.\n\nBốn.\n")
    write(tmp_path / "d.en", "One. Two.\n\nThree.\nFour.\n")
    [pair] = read_pairs([str(tmp_path)], PairOptions(presegmented=True))
    assert isinstance(pair, DocumentPair)
    assert pair.paragraphs == ("Một. Hai. Ba.", "Bốn.")
    assert pair.source_spans is not None and pair.target_spans is not None
    assert [
        [pair.paragraphs[i][s.start : s.end] for s in p] for i, p in enumerate(pair.source_spans)
    ] == [
        ["Một. Hai.", "Ba."],
        ["Bốn."],
    ]
    assert pair.target_paragraphs == ("One. Two.", "Three. Four.")
    assert [len(p) for p in pair.target_spans] == [1, 2]


# --- bad inputs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vi", "en", "reason"),
    [
        (VI, "", "the English side: empty file; nothing to align"),
        (VI, " \n\u200b\n", "the English side: contains only whitespace or invisible characters"),
        (b"Xin ch\xe0o \xff\xfe th\xe0nh ph\xf4.\n", EN, "the Vietnamese side: not valid UTF-8"),
    ],
    ids=["empty-english", "blank-english", "undecodable-vietnamese"],
)
def test_a_bad_side_is_the_pairs_failure(
    tmp_path: Path, vi: str | bytes, en: str, reason: str
) -> None:
    docs = tmp_path / "docs"
    write(docs / "bad.vi", vi)
    write(docs / "bad.en", en)
    write(docs / "good.vi", VI)
    write(docs / "good.en", EN)
    out = tmp_path / "out"
    result = run(str(docs), "-o", str(out), "-f", "tsv")
    assert result.exit_code == 3, result.output
    assert (out / "corpus.tsv").read_text(encoding="utf-8") == TSV
    [failure] = errors(out)
    assert failure["doc_id"] == "bad"
    assert failure["reason"].startswith(reason), failure["reason"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["a", "b", "c"], "give VI EN (two files), a folder of NAME.vi/NAME.en pairs"),
        (["--vi", "."], "give both --vi DIR and --en DIR"),
        (["missing.vi", "missing.en"], "missing.vi: no such file or folder; check the path"),
    ],
    ids=["three-inputs", "vi-without-en", "missing-file"],
)
def test_wrong_inputs_are_refused_before_any_work(
    tmp_path: Path, args: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("a", "b", "c"):
        write(tmp_path / name, VI)
    result = run(*args, "-o", "out")
    assert result.exit_code == 1
    assert message in result.stderr
    assert not (tmp_path / "out").exists()


def test_txt_format_is_refused(tmp_path: Path) -> None:
    result = run(str(tmp_path), "-o", str(tmp_path / "out"), "-f", "txt")
    assert result.exit_code == 2
    assert (
        "unknown format 'txt'; choose one of: jsonl, links, moses, review, tmx, tsv"
        in result.stderr
    )


def test_translate_refuses_links(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["translate", "x", "-o", str(tmp_path), "-f", "links"])
    assert result.exit_code == 2
    assert (
        "unknown format 'links'; choose one of: jsonl, moses, review, tmx, tsv, txt"
        in result.stderr
    )


# --- counts, --min-score, the links format ---------------------------------------------


def stub_links(source: Sequence[str], target: Sequence[str], **_: Any) -> list[Link]:
    """Known links for 4 Vietnamese and 3 English sentences: 1-1, 2-1, 1-0, 0-1."""
    assert (len(source), len(target)) == (4, 3)
    return [
        Link((0,), (0,), 0.9),
        Link((1, 2), (1,), 0.4),
        Link((3,), (), 0.0),
        Link((), (2,), 0.0),
    ]


def test_min_score_counts_and_unaligned_sentences(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(align_module, "align_sentences", stub_links)
    write(tmp_path / "docs" / "d.vi", "Một.\nHai.\nBa.\nBốn.\n")
    write(tmp_path / "docs" / "d.en", "One.\nTwo three.\nFive.\n")
    out = tmp_path / "out"
    formats = "tsv,jsonl,links,moses,tmx"
    args = [str(tmp_path / "docs"), "--presegmented", "--min-score", "0.5", "-f", formats]
    result = run(*args, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "links" / "d.links").read_text(encoding="utf-8") == (
        "[0]:[0]\n[1, 2]:[1]\n[3]:[]\n[]:[2]\n"
    )
    assert (out / "corpus.tsv").read_text(encoding="utf-8") == "Một.\tOne.\n"
    assert (out / "corpus.vi").read_text(encoding="utf-8") == "Một.\n"
    lines = [json.loads(line) for line in (out / "corpus.jsonl").read_text("utf-8").splitlines()]
    assert [(line["source"], line["target"], line["link"]) for line in lines] == [
        ("Một.", "One.", "1-1"),
        ("Bốn.", "", "1-0"),
        ("", "Five.", "0-1"),
    ]
    tree = etree.parse(str(out / "corpus.tmx"))
    assert TMX_DTD.validate(tree), TMX_DTD.error_log
    assert len(tree.getroot().findall("body/tu")) == 1
    counts = manifest(out)["counts"]
    assert counts == {
        "documents": 1,
        "failed": 0,
        "pairs": 1,
        "links": {"0-1": 1, "1-0": 1, "1-1": 1, "2-1": 1},
        "unaligned_source_sentences": 1,
        "unaligned_target_sentences": 1,
        "below_min_score": 1,
    }
    assert manifest(out)["settings"]["min_score"] == 0.5
    assert "1 links below --min-score left out" in result.stderr


# --- resume ----------------------------------------------------------------------------


def test_resume_aligns_only_new_pairs_and_writes_the_same_bytes(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write(docs / "a.vi", VI)
    write(docs / "a.en", EN)
    out = tmp_path / "out"
    first = run(str(docs), "-o", str(out), "-f", "tsv,jsonl,links")
    assert "(1 aligned, 0 resumed, 0 failed)" in first.stderr
    write(docs / "b.vi", VI)
    write(docs / "b.en", EN)
    second = run(str(docs), "-o", str(out), "-f", "tsv,jsonl,links")
    assert second.exit_code == 0, second.output
    assert "2 document pairs (1 aligned, 1 resumed, 0 failed)" in second.stderr
    fresh = tmp_path / "fresh"
    run(str(docs), "-o", str(fresh), "-f", "tsv,jsonl,links")
    for name in ("corpus.tsv", "corpus.jsonl", "links/a.links", "links/b.links"):
        assert (out / name).read_bytes() == (fresh / name).read_bytes(), name


def test_changed_settings_are_refused(tmp_path: Path) -> None:
    write(tmp_path / "docs" / "a.vi", VI)
    write(tmp_path / "docs" / "a.en", EN)
    out = tmp_path / "out"
    run(str(tmp_path / "docs"), "-o", str(out))
    result = run(str(tmp_path / "docs"), "-o", str(out), "--presegmented")
    assert result.exit_code == 1
    assert "holds a run made with other settings (presegmented)" in result.stderr


# --- --mt ------------------------------------------------------------------------------


def test_mt_passes_the_translations_to_the_aligner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Close to the truth: the reference with a word changed.
    table = {
        "Hà Nội là thủ đô của Việt Nam.": "Hanoi is the capital city of Vietnam.",
        "Thành phố có hơn 8 triệu dân.": "The city has over 8 million people.",
    }
    monkeypatch.setattr(LookupBackend, "table", table)
    seen: list[Any] = []

    def spy(source: Sequence[str], target: Sequence[str], **kwargs: Any) -> list[Link]:
        seen.append(kwargs["translations"])
        return [Link((i,), (i,), 1.0) for i in range(len(source))]

    monkeypatch.setattr(align_module, "align_sentences", spy)
    vi, en = write(tmp_path / "a.vi", VI), write(tmp_path / "a.en", EN)
    out = tmp_path / "out"
    mt = ["--mt", "--backend", "lookup", "--model", str(TINY_MODEL), "--no-cache"]
    result = run(str(vi), str(en), "-o", str(out), *mt)
    assert result.exit_code == 0, result.output
    assert seen == [
        [
            "Hanoi is the capital city of Vietnam.",
            "The city has over 8 million people.",
            "EN: GIÁ XĂNG TĂNG 5% TRONG THÁNG BA.",  # not in the table: the fake's own
        ]
    ]
    recorded = manifest(out)
    assert recorded["settings"]["mt"]["backend"] == "lookup"
    assert recorded["run"]["translator"]["sentences"] == 3


def test_without_mt_no_translations_reach_the_aligner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Any] = []

    def spy(source: Sequence[str], target: Sequence[str], **kwargs: Any) -> list[Link]:
        seen.append(kwargs)
        return [Link((i,), (i,), 1.0) for i in range(len(source))]

    monkeypatch.setattr(align_module, "align_sentences", spy)
    vi, en = write(tmp_path / "a.vi", VI), write(tmp_path / "a.en", EN)
    assert run(str(vi), str(en), "-o", str(tmp_path / "out")).exit_code == 0
    assert seen == [
        {
            "translations": None,
            "source_paragraphs": [0, 0, 1],
            "target_paragraphs": [0, 0, 1],
        }
    ]
    assert manifest(tmp_path / "out")["settings"]["mt"] is None


# --- the benchmark, end to end ---------------------------------------------------------


@needs_shared
@pytest.mark.slow
def test_benchmark_docs_scored_by_align_score(tmp_path: Path) -> None:
    assert ALIGNMENT is not None and SCORER is not None
    docs = tmp_path / "docs"
    names = sorted(p.stem for p in (ALIGNMENT / "docs").glob("*.gold"))[:5]
    for name in names:
        for ext in ("vi", "en", "gold"):
            write(docs / f"{name}.{ext}", (ALIGNMENT / "docs" / f"{name}.{ext}").read_bytes())
    out = tmp_path / "out"
    command = [sys.executable, "-m", "translate", "align", str(docs), "--presegmented"]
    subprocess.run([*command, "-f", "links", "-o", str(out), "-q"], check=True)
    scored = subprocess.run(
        [sys.executable, str(SCORER), str(docs), str(out / "links")],
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(scored.stdout)
    assert (result["documents"], result["missing_predictions"]) == (5, 0)
    # Every sentence of both sides is in exactly one link of each file.
    for name in names:
        links = (out / "links" / f"{name}.links").read_text(encoding="utf-8").splitlines()
        vi_lines = len((docs / f"{name}.vi").read_text(encoding="utf-8").splitlines())
        en_lines = len((docs / f"{name}.en").read_text(encoding="utf-8").splitlines())
        sides = [[json.loads(side) for side in link.split(":")] for link in links]
        assert [i for s, _ in sides for i in s] == list(range(vi_lines))
        assert [j for _, t in sides for j in t] == list(range(en_lines))


def test_failure_record_for_a_document_not_a_pair() -> None:
    from translate.parallel import AlignPipeline
    from translate.readers import read_text

    [result] = AlignPipeline().translate_documents([read_text("Một câu.")])
    assert isinstance(result, DocumentFailure)
    assert result.reason == "not a document pair; vi2en align reads pairs"
