"""Bilingual outputs: every format holds every pair, parses back, and is never half-written."""

from __future__ import annotations

import builtins
import csv
import errno
import json
import os
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from translate import fileio
from translate.errors import OutputError, UnknownNameError
from translate.records import AlignedSegment, Document, Flag, Pair, TranslatedDocument
from translate.writers import (
    WRITERS,
    MosesWriter,
    RunInfo,
    TxtWriter,
    Writer,
    commit_writers,
    open_writers,
    parse_formats,
    read_jsonl,
    read_moses,
    read_tmx,
    read_tsv,
    write_jsonl,
    write_manifest,
    write_moses,
    write_tmx,
    write_tsv,
)
from translate.writers.base import unrecorded_run

# The LISA OSCAR TMX 1.4b DTD, copied from ../shared/data/tmx/tmx14.dtd
# (from the public repository mgrbyte/python-tmx).
TMX_DTD = etree.DTD(str(Path(__file__).parent / "data" / "tmx14.dtd"))
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
RUN = RunInfo(tool_version="0.1.0", model="Helsinki-NLP/opus-mt-vi-en", model_revision="abc123")
ALL_FORMATS = list(WRITERS)
CORPUS_FORMATS = ["jsonl", "moses", "tmx", "tsv"]  # the formats published only on commit


def make_document(
    doc_id: str, paragraphs: list[list[tuple[str, str]]], output_path: str | None = None
) -> TranslatedDocument:
    """A translated document whose sentences are joined by single spaces in each paragraph."""
    pairs = []
    for p, sentences in enumerate(paragraphs):
        start = 0
        for s, (source, target) in enumerate(sentences):
            pairs.append(Pair(doc_id, p, s, source, target, start, start + len(source)))
            start += len(source) + 1
    document = Document(
        doc_id=doc_id,
        paragraphs=tuple(" ".join(source for source, _ in sentences) for sentences in paragraphs),
        source=f"{doc_id}.txt",
        output_path=doc_id if output_path is None else output_path,
        content_hash="0" * 64,
    )
    return TranslatedDocument(document, tuple(pairs))


CORPUS = [
    make_document(
        "tin/kinh-te",
        [
            [
                ("Giá xăng\ttăng 5%.", "Petrol\tprices rose 5%."),
                ("Dòng một\ndòng hai.", "Line one\nline two."),
            ],
            [
                ('Ông nói: "a < b & c > d".', 'He said: "a < b & c > d".'),
                ("Đường dẫn C:\\new\\table.", "Path C:\\new\\table."),  # literal backslashes
            ],
        ],
    ),
    make_document(
        "tin/the-thao",
        [
            [
                ("Việt Nam thắng 🇻🇳⚽!", "Vietnam wins 🇻🇳⚽!"),
                ("Ký tự\x01điều khiển\ufffe.", "Control\x01char\ufffe."),  # XML forbids both
                ("Xuống dòng\r\nkiểu Windows\u2028.", "Windows\r\nline end\u2028."),
            ]
        ],
    ),
    make_document(
        "van-hoa",
        [
            [
                ("Một câu chưa dịch.", ""),  # empty translation
                ("'Nháy đơn' và NFD: Vie\u0302\u0323t", "'Single quotes' and NFD"),
            ]
        ],
    ),
]
PAIRS = [pair for document in CORPUS for pair in document.pairs]
IDS = [(pair.doc_id, pair.paragraph, pair.sentence) for pair in PAIRS]


def without_span(segment: AlignedSegment) -> AlignedSegment:
    """``segment`` as read back from a format that does not store the span (Moses, TMX)."""
    return replace(segment, start=0, end=len(segment.source))


def as_tsv(segment: AlignedSegment, line: int) -> AlignedSegment:
    """``segment`` as read back from TSV: only the texts, one paragraph per line."""
    return AlignedSegment("", line, 0, segment.source, segment.target, 0, len(segment.source))


def write_corpus(
    outdir: Path,
    formats: list[str],
    run: RunInfo = RUN,
    documents: list[TranslatedDocument] = CORPUS,
) -> list[Path]:
    writers = open_writers(formats, outdir, run)
    for document in documents:
        for writer in writers:
            writer.add(document)
    return commit_writers(writers)


def listing(directory: Path) -> list[str]:
    return sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file())


def xml_allowed(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids."""
    return "".join(
        c
        for c in text
        if c in "\t\n\r"
        or 0x20 <= ord(c) <= 0xD7FF
        or 0xE000 <= ord(c) <= 0xFFFD
        or ord(c) >= 0x10000
    )


def tmx_units(path: Path) -> list[tuple[dict[str, str], dict[str, str]]]:
    """Each ``<tu>`` as (props by type, segment text by language), parsed by lxml."""
    tree = etree.parse(str(path))
    assert TMX_DTD.validate(tree), TMX_DTD.error_log
    return [
        (
            {prop.get("type"): prop.text or "" for prop in tu.findall("prop")},
            {tuv.get(XML_LANG): tuv.findtext("seg") or "" for tuv in tu.findall("tuv")},
        )
        for tu in tree.getroot().iter("tu")
    ]


@pytest.fixture(scope="module")
def outdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output directory holding the corpus in every format."""
    directory = tmp_path_factory.mktemp("out")
    write_corpus(directory, ALL_FORMATS)
    return directory


# --- what each format holds ------------------------------------------------------------

# Every file a commit of all formats publishes, in commit order.
PUBLISHED = [
    "corpus.jsonl",
    "corpus.vi",
    "corpus.en",
    "corpus.ids",
    "corpus.tmx",
    "corpus.tsv",
    "txt/tin/kinh-te.txt",
    "txt/tin/the-thao.txt",
    "txt/van-hoa.txt",
    "review.html",
    "links/tin/kinh-te.links",
    "links/tin/the-thao.links",
    "links/van-hoa.links",
]


def test_commit_returns_every_published_file(tmp_path: Path) -> None:
    published = write_corpus(tmp_path, ALL_FORMATS)
    assert [p.relative_to(tmp_path).as_posix() for p in published] == PUBLISHED
    assert listing(tmp_path) == sorted(p.relative_to(tmp_path).as_posix() for p in published)


def test_tsv_reads_back_exactly(outdir: Path) -> None:
    assert read_tsv(outdir / "corpus.tsv") == [as_tsv(pair, i) for i, pair in enumerate(PAIRS)]


def test_tsv_is_one_line_per_pair(outdir: Path) -> None:
    lines = (outdir / "corpus.tsv").read_bytes().split(b"\n")
    assert lines[-1] == b""
    assert len(lines) - 1 == len(PAIRS)
    assert all(line.count(b"\t") == 1 for line in lines[:-1])


def test_tsv_escapes(outdir: Path) -> None:
    lines = (outdir / "corpus.tsv").read_text(encoding="utf-8").split("\n")
    assert lines[0] == "Giá xăng\\ttăng 5%.\tPetrol\\tprices rose 5%."
    assert lines[3] == "Đường dẫn C:\\\\new\\\\table.\tPath C:\\\\new\\\\table."
    assert lines[5] == "Ký tự\\x01điều khiển\ufffe.\tControl\\x01char\ufffe."
    assert lines[6] == "Xuống dòng\\r\\nkiểu Windows\\u2028.\tWindows\\r\\nline end\\u2028."


def test_jsonl_reads_back_exactly(outdir: Path) -> None:
    assert read_jsonl(outdir / "corpus.jsonl") == PAIRS


def test_jsonl_keys_in_order_and_unescaped(outdir: Path) -> None:
    first = (outdir / "corpus.jsonl").read_text(encoding="utf-8").split("\n")[0]
    assert first == (
        '{"doc_id": "tin/kinh-te", "paragraph": 0, "sentence": 0, '
        '"source": "Giá xăng\\ttăng 5%.", "target": "Petrol\\tprices rose 5%.", '
        '"start": 0, "end": 17, "score": null, "flags": []}'
    )


def test_moses_files_are_line_aligned(outdir: Path) -> None:
    source, target, ids = (
        (outdir / name).read_text(encoding="utf-8")
        for name in ("corpus.vi", "corpus.en", "corpus.ids")
    )
    for text in (source, target, ids):
        assert len(text.splitlines()) == len(text.split("\n")) - 1 == len(PAIRS)
    # Escaped as in TSV, never replaced: CR, LF, U+2028, control characters.
    assert source.split("\n")[1] == "Dòng một\\ndòng hai."
    assert source.split("\n")[6] == "Xuống dòng\\r\\nkiểu Windows\\u2028."
    assert target.split("\n")[5] == "Control\\x01char\ufffe."


def test_moses_reads_back_exactly(outdir: Path) -> None:
    assert read_moses(outdir / "corpus") == [without_span(p) for p in PAIRS]


def test_read_moses_refuses_files_out_of_line(tmp_path: Path) -> None:
    write_moses(PAIRS, tmp_path / "corpus")
    with (tmp_path / "corpus.en").open("a", encoding="utf-8") as handle:
        handle.write("one more\n")
    with pytest.raises(ValueError, match="not line-aligned"):
        read_moses(tmp_path / "corpus")


def test_tmx_is_valid_tmx14(outdir: Path) -> None:
    tree = etree.parse(str(outdir / "corpus.tmx"))
    assert TMX_DTD.validate(tree), TMX_DTD.error_log
    assert tree.docinfo.doctype == '<!DOCTYPE tmx SYSTEM "tmx14.dtd">'
    assert tree.docinfo.encoding == "UTF-8"
    assert tree.getroot().get("version") == "1.4"


def test_tmx_header_records_the_run(outdir: Path) -> None:
    header = etree.parse(str(outdir / "corpus.tmx")).getroot().find("header")
    assert header is not None
    assert dict(header.attrib) == {
        "creationtool": "vi2en",
        "creationtoolversion": "0.1.0",
        "segtype": "sentence",
        "o-tmf": "vi2en",
        "adminlang": "en",
        "srclang": "vi",
        "datatype": "plaintext",
    }
    assert [(prop.get("type"), prop.text) for prop in header.findall("prop")] == [
        ("x-model", "Helsinki-NLP/opus-mt-vi-en"),
        ("x-model-revision", "abc123"),
    ]


def test_tmx_header_without_revision(tmp_path: Path) -> None:
    write_corpus(tmp_path, ["tmx"], RunInfo("0.1.0", "local-model", None))
    header = etree.parse(str(tmp_path / "corpus.tmx")).getroot().find("header")
    assert header is not None
    assert [prop.get("type") for prop in header.findall("prop")] == ["x-model"]


def test_tmx_header_escapes_attributes(tmp_path: Path) -> None:
    version = '1.0 "dev"\t<&>\r\n'  # tabs and line breaks in attributes need references
    write_corpus(tmp_path, ["tmx"], RunInfo(version, "m<&>\r\n", None))
    header = etree.parse(str(tmp_path / "corpus.tmx")).getroot().find("header")
    assert header is not None
    assert header.get("creationtoolversion") == version
    assert header.findtext("prop") == "m<&>\r\n"


def test_tmx_units_hold_ids_and_text(outdir: Path) -> None:
    units = tmx_units(outdir / "corpus.tmx")
    plain = [
        u
        for u, pair in zip(units, PAIRS, strict=True)
        if pair.sentence != 1 or pair.doc_id != "tin/the-thao"
    ]
    assert plain == [
        (
            {
                "x-doc-id": pair.doc_id,
                "x-paragraph": str(pair.paragraph),
                "x-sentence": str(pair.sentence),
            },
            {"vi": pair.source, "en": pair.target},
        )
        for pair in PAIRS
        if pair.sentence != 1 or pair.doc_id != "tin/the-thao"
    ]


def test_tmx_escapes_what_xml_cannot_hold_and_says_so(outdir: Path) -> None:
    props, segments = tmx_units(outdir / "corpus.tmx")[5]
    assert props["x-escaped"] == "vi en"
    assert segments == {"vi": "Ký tự\\x01điều khiển\\ufffe.", "en": "Control\\x01char\\ufffe."}


def test_read_tmx(outdir: Path) -> None:
    assert read_tmx(outdir / "corpus.tmx") == [without_span(p) for p in PAIRS]


def test_ids_agree_across_formats(outdir: Path) -> None:
    jsonl = [(p.doc_id, p.paragraph, p.sentence) for p in read_jsonl(outdir / "corpus.jsonl")]
    moses = [
        (doc_id, int(paragraph), int(sentence))
        for doc_id, paragraph, sentence in (
            line.split("\t") for line in (outdir / "corpus.ids").read_text().splitlines()
        )
    ]
    tmx = [
        (props["x-doc-id"], int(props["x-paragraph"]), int(props["x-sentence"]))
        for props, _ in tmx_units(outdir / "corpus.tmx")
    ]
    assert jsonl == moses == tmx == IDS
    assert len(read_tsv(outdir / "corpus.tsv")) == len(IDS)


def test_txt_holds_each_translated_article(outdir: Path) -> None:
    assert (outdir / "txt/tin/kinh-te.txt").read_text(encoding="utf-8") == (
        "Petrol\tprices rose 5%. Line one\nline two.\n"
        'He said: "a < b & c > d". Path C:\\new\\table.\n'
    )
    # Empty translations add no space; CRLF becomes LF.
    assert (outdir / "txt/van-hoa.txt").read_text(encoding="utf-8") == "'Single quotes' and NFD\n"
    assert (outdir / "txt/tin/the-thao.txt").read_bytes() == (
        "Vietnam wins 🇻🇳⚽! Control\x01char\ufffe. Windows\nline end\u2028.\n".encode()
    )


@pytest.mark.parametrize(
    "name",
    PUBLISHED,
)
def test_every_file_is_utf8_with_lf_and_final_newline(outdir: Path, name: str) -> None:
    data = (outdir / name).read_bytes()
    data.decode("utf-8")
    assert data.endswith(b"\n")
    assert b"\r" not in data


def test_outputs_are_byte_identical_across_runs(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    write_corpus(first, ALL_FORMATS)
    write_corpus(second, ALL_FORMATS)
    assert listing(first) == listing(second)
    for name in listing(first):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


# --- any text round-trips --------------------------------------------------------------

# Every code point, lone surrogates included, with the troublemakers made likely.
ANY_CHARACTER = st.one_of(
    st.characters(exclude_categories=()),
    st.sampled_from("\t\n\r\\<>&\"'\x00\x01\x0b\x85\ufffe\uffff\ud800\u2028]]>"),
)
VALID_TEXT = st.text(  # what UTF-8 can encode: no lone surrogates
    st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from("\t\n\r\\<>&\"'\x00\x01\x0b\x85\ufffe\uffff\u2028"),
    )
)


def pairs_of(texts: list[tuple[str, str]], doc_id: str = "d") -> list[Pair]:
    return [Pair(doc_id, 0, i, s, t, 0, len(s)) for i, (s, t) in enumerate(texts)]


@settings(deadline=None)  # speed is not asserted
@given(st.lists(st.tuples(VALID_TEXT, VALID_TEXT), max_size=4))
def test_tsv_round_trips_any_text(texts: list[tuple[str, str]]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "corpus.tsv"
        pairs = pairs_of(texts)
        write_tsv(pairs, path)
        assert read_tsv(path) == [as_tsv(pair, i) for i, pair in enumerate(pairs)]
        # One line per pair for any line splitter, whatever the texts hold.
        assert len(path.read_text(encoding="utf-8").splitlines()) == len(texts)


@settings(deadline=None)  # speed is not asserted
@given(VALID_TEXT, st.lists(st.tuples(VALID_TEXT, VALID_TEXT), max_size=4))
def test_jsonl_round_trips_any_text(doc_id: str, texts: list[tuple[str, str]]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "corpus.jsonl"
        pairs = pairs_of(texts, doc_id)
        write_jsonl(pairs, path)
        assert read_jsonl(path) == pairs
        assert [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] == [
            {
                "doc_id": doc_id,
                "paragraph": 0,
                "sentence": i,
                "source": s,
                "target": t,
                "start": 0,
                "end": len(s),
                "score": None,
                "flags": [],
            }
            for i, (s, t) in enumerate(texts)
        ]


@settings(deadline=None)  # speed is not asserted
@given(
    st.text(ANY_CHARACTER),
    st.lists(st.tuples(st.text(ANY_CHARACTER), st.text(ANY_CHARACTER)), max_size=4),
)
def test_tmx_round_trips_any_text_and_id(doc_id: str, texts: list[tuple[str, str]]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "corpus.tmx"
        pairs = pairs_of(texts, doc_id)
        write_tmx(pairs, path, RUN)
        units = tmx_units(path)  # valid TMX 1.4b whatever the text
        assert len(units) == len(texts)
        assert read_tmx(path) == [without_span(pair) for pair in pairs]


@pytest.mark.parametrize("control", ["\x01", "\x1c", "\x0b", "\ufffe"], ids=repr)
def test_tmx_ids_that_differ_in_a_control_character_stay_apart(
    tmp_path: Path, control: str
) -> None:
    pairs = [Pair("a", 0, 0, "x", "y", 0, 1), Pair(f"a{control}", 0, 0, "x", "y", 0, 1)]
    write_tmx(pairs, tmp_path / "corpus.tmx", RUN)
    assert [s.doc_id for s in read_tmx(tmp_path / "corpus.tmx")] == ["a", f"a{control}"]


@settings(deadline=None)  # speed is not asserted
@given(VALID_TEXT, st.lists(st.tuples(VALID_TEXT, VALID_TEXT), max_size=4))
def test_moses_round_trips_line_aligned_for_any_text(
    doc_id: str, texts: list[tuple[str, str]]
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        pairs = pairs_of(texts, doc_id)
        paths = write_moses(pairs, Path(directory) / "corpus")
        assert [p.name for p in paths] == ["corpus.vi", "corpus.en", "corpus.ids"]
        for path in paths:
            text = path.read_text(encoding="utf-8")
            assert len(text.splitlines()) == len(text.split("\n")) - 1 == len(texts)
        assert read_moses(Path(directory) / "corpus") == [without_span(p) for p in pairs]


def python_unescape(field: str) -> str:
    """The README's recipe for unescaping a TSV field."""
    return field.encode("latin-1", "backslashreplace").decode("unicode_escape")


@settings(deadline=None)  # speed is not asserted
@given(st.lists(st.tuples(VALID_TEXT, VALID_TEXT), max_size=4))
def test_tsv_reads_back_with_the_csv_module(texts: list[tuple[str, str]]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "corpus.tsv"
        write_tsv(pairs_of(texts), path)
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
        assert [tuple(map(python_unescape, row)) for row in rows] == texts


@settings(deadline=None)  # the first example imports pandas
@given(st.lists(st.tuples(VALID_TEXT, VALID_TEXT), min_size=1, max_size=4))
def test_tsv_reads_back_with_pandas(texts: list[tuple[str, str]]) -> None:
    pandas = pytest.importorskip("pandas", reason="pandas is not installed")
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "corpus.tsv"
        write_tsv(pairs_of(texts), path)
        frame = pandas.read_csv(
            path,
            sep="\t",
            header=None,
            names=["source", "target"],
            dtype=str,
            quoting=csv.QUOTE_NONE,
            keep_default_na=False,
            encoding="utf-8",
        )
        frame = frame.map(python_unescape)
        assert list(frame.itertuples(index=False, name=None)) == texts


# --- n:m links, and what no format writes ------------------------------------------------

# An aligner's links (origin "aligned"): 2:1, 1:2, 1:0, 0:1, and a 1:1 naming its target.
LINKS = (
    AlignedSegment("nm", 0, 0, "A. B.", "AB.", 0, 5, 2, (0,), "aligned"),
    AlignedSegment("nm", 0, 2, "C.", "C1. C2.", 6, 8, 1, (1, 2), "aligned"),
    AlignedSegment("nm", 0, 3, "D.", "", 9, 11, 1, (), "aligned"),  # 1:0 looks like MT
    AlignedSegment("nm", 1, 0, "", "Extra\x01.", 0, 0, 0, (3,), "aligned"),  # escaped in TMX
    AlignedSegment("nm", 1, 0, "E.", "E.", 0, 2, 1, (4,), "aligned"),
)
LINKED = TranslatedDocument(Document("nm", ("A. B. C. D.", "E."), "nm.txt", "nm", "0" * 64), LINKS)


def as_written(segment: AlignedSegment) -> AlignedSegment:
    """``segment`` without what no format stores: its origin, score and flags."""
    return replace(segment, origin="mt", score=None, flags=())


@pytest.mark.parametrize(
    ("name", "read", "expected"),
    [
        ("jsonl", lambda out: read_jsonl(out / "corpus.jsonl"), as_written),
        ("moses", lambda out: read_moses(out / "corpus"), lambda s: without_span(as_written(s))),
        ("tmx", lambda out: read_tmx(out / "corpus.tmx"), lambda s: without_span(as_written(s))),
    ],
    ids=["jsonl", "moses", "tmx"],
)
def test_links_read_back(tmp_path: Path, name: str, read: Any, expected: Any) -> None:
    write_corpus(tmp_path, [name], documents=[CORPUS[0], LINKED])
    assert read(tmp_path) == [expected(s) for s in (*CORPUS[0].pairs, *LINKS)]


@settings(deadline=None)  # speed is not asserted
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.lists(st.integers(0, 10**9), max_size=3).map(tuple)),
        max_size=4,
    )
)
def test_any_links_read_back(links: list[tuple[int, tuple[int, ...]]]) -> None:
    segments = [
        AlignedSegment("d", 0, i, "S.", "T.", 0, 2, count, targets)
        for i, (count, targets) in enumerate(links)
    ]
    with tempfile.TemporaryDirectory() as directory:
        out = Path(directory)
        write_jsonl(segments, out / "corpus.jsonl")
        write_tmx(segments, out / "corpus.tmx", RUN)
        write_moses(segments, out / "corpus")
        assert read_jsonl(out / "corpus.jsonl") == segments
        assert read_tmx(out / "corpus.tmx") == segments
        assert read_moses(out / "corpus") == segments


def test_links_in_jsonl(tmp_path: Path) -> None:
    write_corpus(tmp_path, ["jsonl"], documents=[LINKED])
    lines = (tmp_path / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines[0] == (
        '{"doc_id": "nm", "paragraph": 0, "sentence": 0, "source": "A. B.", "target": "AB.", '
        '"start": 0, "end": 5, "source_count": 2, "target_ids": [0], "link": "2-1", '
        '"score": null, "flags": []}'
    )
    # An aligner's 1:0 link says so, although it has no target ids.
    assert json.loads(lines[2])["link"] == "1-0"
    assert json.loads(lines[2])["target_ids"] == []
    assert json.loads(lines[3])["target_ids"] == [3]


def test_links_in_moses_ids(tmp_path: Path) -> None:
    write_corpus(tmp_path, ["moses"], documents=[LINKED])
    assert (tmp_path / "corpus.ids").read_text(encoding="utf-8").splitlines() == [
        "nm\t0\t0\t2\t0",
        "nm\t0\t2\t1\t1 2",
        "nm\t0\t3",
        "nm\t1\t0\t0\t3",
        "nm\t1\t0\t1\t4",
    ]


def test_links_in_tmx(tmp_path: Path) -> None:
    write_corpus(tmp_path, ["tmx"], documents=[LINKED])
    units = tmx_units(tmp_path / "corpus.tmx")  # still valid TMX 1.4b
    ids = {"x-doc-id": "nm", "x-paragraph": "0"}
    assert [props for props, _ in units] == [
        {**ids, "x-sentence": "0", "x-source-count": "2", "x-target-ids": "0"},
        {**ids, "x-sentence": "2", "x-source-count": "1", "x-target-ids": "1 2"},
        {**ids, "x-sentence": "3"},
        {
            **ids,
            "x-paragraph": "1",
            "x-sentence": "0",
            "x-source-count": "0",
            "x-target-ids": "3",
            "x-escaped": "en",
        },
        {**ids, "x-paragraph": "1", "x-sentence": "0", "x-source-count": "1", "x-target-ids": "4"},
    ]


def test_links_in_tsv_and_txt(tmp_path: Path) -> None:
    write_corpus(tmp_path, ["tsv", "txt"], documents=[LINKED])
    assert (tmp_path / "corpus.tsv").read_text(encoding="utf-8") == (
        "A. B.\tAB.\nC.\tC1. C2.\nD.\t\n\tExtra\\x01.\nE.\tE.\n"
    )
    # Each target goes into the paragraph its segment sits in.
    assert (tmp_path / "txt/nm.txt").read_text(encoding="utf-8") == "AB. C1. C2.\nExtra\x01. E.\n"


FLAGGED = AlignedSegment(
    "d<1>",
    0,
    0,
    "Giá 10.000 đồng.",
    "It costs 1,000 dong.",
    0,
    16,
    origin="memory",
    score=-0.123456789,
    flags=(Flag("numbers", "number 10.000 → 1,000 & <more>"), Flag("loop")),
)


def test_origin_is_not_written_and_score_and_flags_only_in_jsonl_and_tmx(tmp_path: Path) -> None:
    marked = [
        TranslatedDocument(
            document.document,
            tuple(
                replace(pair, origin="memory", score=-0.25, flags=(Flag("loop", "a loop"),))
                for pair in document.pairs
            ),
        )
        for document in CORPUS
    ]
    # The review page shows them (tests/test_review.py).
    formats = [name for name in ALL_FORMATS if name != "review"]
    write_corpus(tmp_path / "plain", formats)
    write_corpus(tmp_path / "marked", formats, documents=marked)
    names = listing(tmp_path / "plain")
    assert names == listing(tmp_path / "marked")
    differ = [
        name
        for name in names
        if (tmp_path / "plain" / name).read_bytes() != (tmp_path / "marked" / name).read_bytes()
    ]
    # TSV, Moses and the articles stay clean texts.
    assert differ == ["corpus.jsonl", "corpus.tmx"]


def test_score_and_flags_in_jsonl(tmp_path: Path) -> None:
    write_jsonl([FLAGGED], tmp_path / "c.jsonl")
    assert (tmp_path / "c.jsonl").read_text("utf-8") == (
        '{"doc_id": "d<1>", "paragraph": 0, "sentence": 0, "source": "Giá 10.000 đồng.", '
        '"target": "It costs 1,000 dong.", "start": 0, "end": 16, "score": -0.1235, '
        '"flags": [{"check": "numbers", "reason": "number 10.000 → 1,000 & <more>"}, '
        '{"check": "loop", "reason": ""}]}\n'
    )
    # Read back with the rounded score; the origin is not stored.
    assert read_jsonl(tmp_path / "c.jsonl") == [replace(FLAGGED, origin="mt", score=-0.1235)]


def test_score_and_flags_in_tmx_props_valid_against_the_dtd(tmp_path: Path) -> None:
    write_tmx([FLAGGED, replace(FLAGGED, score=None, flags=())], tmp_path / "c.tmx", RUN)
    text = (tmp_path / "c.tmx").read_text("utf-8")
    assert (
        "    <tu>\n"
        '      <prop type="x-doc-id">d&lt;1&gt;</prop>\n'
        '      <prop type="x-paragraph">0</prop>\n'
        '      <prop type="x-sentence">0</prop>\n'
        '      <prop type="x-vi2en-score">-0.1235</prop>\n'
        '      <prop type="x-vi2en-flags">numbers: number 10.000 → 1,000 &amp; &lt;more&gt;</prop>\n'
        '      <prop type="x-vi2en-flags">loop</prop>\n'
        '      <tuv xml:lang="vi"><seg>Giá 10.000 đồng.</seg></tuv>\n'
        '      <tuv xml:lang="en"><seg>It costs 1,000 dong.</seg></tuv>\n'
        "    </tu>\n"
        "    <tu>\n"
        '      <prop type="x-doc-id">d&lt;1&gt;</prop>\n'
        '      <prop type="x-paragraph">0</prop>\n'
        '      <prop type="x-sentence">0</prop>\n'
        '      <tuv xml:lang="vi">'
    ) in text
    tree = etree.parse(str(tmp_path / "c.tmx"))
    assert TMX_DTD.validate(tree), TMX_DTD.error_log
    plain = replace(FLAGGED, origin="mt", score=-0.1235)
    assert read_tmx(tmp_path / "c.tmx") == [plain, replace(plain, score=None, flags=())]


# --- the conveniences are the writers ----------------------------------------------------

SEGMENTS = [*PAIRS, *LINKS]


@pytest.mark.parametrize(
    ("name", "write", "suffix"),
    [
        ("jsonl", lambda out: write_jsonl(SEGMENTS, out / "any.name"), ".jsonl"),
        ("tmx", lambda out: write_tmx(SEGMENTS, out / "any.name", RUN), ".tmx"),
        ("tsv", lambda out: write_tsv(SEGMENTS, out / "any.name"), ".tsv"),
    ],
    ids=["jsonl", "tmx", "tsv"],
)
def test_conveniences_write_what_the_writers_write(
    tmp_path: Path, name: str, write: Any, suffix: str
) -> None:
    write_corpus(tmp_path / "writer", [name], documents=[*CORPUS, LINKED])
    write(tmp_path)  # the exact path given, whatever its name
    assert listing(tmp_path) == ["any.name", f"writer/corpus{suffix}"]
    assert (tmp_path / "any.name").read_bytes() == (
        tmp_path / f"writer/corpus{suffix}"
    ).read_bytes()


def test_write_moses_names_files_after_the_languages(tmp_path: Path) -> None:
    run = RunInfo("0", "m", None, source_lang="fr", target_lang="de")
    write_corpus(tmp_path / "writer", ["moses"], run, [*CORPUS, LINKED])
    paths = write_moses(SEGMENTS, tmp_path / "corpus", source_lang="fr", target_lang="de")
    assert [p.name for p in paths] == ["corpus.fr", "corpus.de", "corpus.ids"]
    for path in paths:
        assert path.read_bytes() == (tmp_path / "writer" / path.name).read_bytes()
    segments = read_moses(tmp_path / "corpus", source_lang="fr", target_lang="de")
    assert segments == [without_span(as_written(s)) for s in SEGMENTS]


def test_conveniences_publish_nothing_when_a_segment_fails(tmp_path: Path) -> None:
    def segments() -> Any:
        yield PAIRS[0]
        raise RuntimeError("reader failed")

    with pytest.raises(RuntimeError):
        write_moses(segments(), tmp_path / "corpus")
    assert listing(tmp_path) == []


def test_corpus_writer_wants_one_suffix_per_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError) as caught:
        MosesWriter(tmp_path, RUN, suffixes=(".tsv",))
    assert str(caught.value) == "the moses writer writes 3 files; pass 3 suffixes, not 1"
    assert listing(tmp_path) == []


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        ("d\t0", "2 tab-separated ids instead of 3 or 5"),
        ("d\t0\t0\t2", "4 tab-separated ids instead of 3 or 5"),
        ("d\tx\t0", "invalid literal for int() with base 10: 'x'"),
        ("d\t0\t0\t1\t1,2", "invalid literal for int() with base 10: '1,2'"),
    ],
    ids=["two-ids", "four-ids", "not-a-number", "comma-separated-targets"],
)
def test_read_moses_rejects_malformed_ids(tmp_path: Path, ids: str, message: str) -> None:
    for suffix, line in ((".vi", "a"), (".en", "b"), (".ids", ids)):
        (tmp_path / f"corpus{suffix}").write_text(f"{line}\n", encoding="utf-8")
    with pytest.raises(ValueError) as caught:
        read_moses(tmp_path / "corpus")
    assert str(caught.value) == f"{tmp_path / 'corpus'}: line 1: {message}"


# --- choosing formats ------------------------------------------------------------------


@pytest.mark.parametrize("name", list(WRITERS))
def test_each_format_writes_the_files_the_layout_names(tmp_path: Path, name: str) -> None:
    """The writers and translate.layout (which the job and the readers use) agree."""
    from translate import layout
    from translate.records import DocumentInfo

    assert WRITERS[name].name == name
    [writer] = open_writers([name], tmp_path, unrecorded_run())
    writer.add_pairs(DocumentInfo("d", "d", "\n", 1), [Pair("d", 0, 0, "Một.", "One.", 0, 4)])
    paths = commit_writers([writer])
    written = sorted(str(p.relative_to(tmp_path)) for p in paths)
    if name == "txt":
        assert written == [f"{layout.TXT_DIR}/d.txt"]
    elif name in layout.FORMAT_FILES:
        assert written == sorted(layout.FORMAT_FILES[name])
    elif name == "links":
        assert written == [f"{layout.LINKS_DIR}/d{layout.LINKS_SUFFIX}"]
    else:
        assert written == sorted(layout.CORPUS_STEM + s for s in layout.CORPUS_SUFFIXES[name])


@pytest.mark.parametrize(
    ("values", "formats"),
    [
        (["tsv"], ["tsv"]),
        (["tsv,tmx"], ["tsv", "tmx"]),
        (["tsv", "tmx"], ["tsv", "tmx"]),  # the option repeated
        ([" TSV , Tmx "], ["tsv", "tmx"]),
        (["tmx", "tsv,tmx,jsonl"], ["tmx", "tsv", "jsonl"]),  # repeats keep the first place
        (["tsv,"], ["tsv"]),  # a trailing comma is harmless
        ([], []),
    ],
    ids=[
        "one",
        "comma-list",
        "repeated-option",
        "case-and-spaces",
        "duplicates",
        "empty-item",
        "none",
    ],
)
def test_parse_formats(values: list[str], formats: list[str]) -> None:
    assert parse_formats(values) == formats


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            ["xml"],
            "unknown format 'xml'; choose one of: jsonl, links, moses, review, tmx, tsv, txt",
        ),
        (
            ["tsv, XML "],
            "unknown format 'XML'; choose one of: jsonl, links, moses, review, tmx, tsv, txt",
        ),
        (
            ["tsv;tmx"],
            "unknown format 'tsv;tmx'; choose one of: jsonl, links, moses, review, tmx, tsv, txt",
        ),
    ],
    ids=["unknown", "in-a-list", "wrong-separator"],
)
def test_parse_formats_rejects_unknown(values: list[str], message: str) -> None:
    with pytest.raises(UnknownNameError) as caught:
        parse_formats(values)
    assert str(caught.value) == message


def test_parse_formats_refuses_a_format_the_command_does_not_offer() -> None:
    with pytest.raises(UnknownNameError) as caught:
        parse_formats(["tsv,links"], ["tsv", "txt"])
    assert str(caught.value) == "unknown format 'links'; choose one of: tsv, txt"


def test_open_writers_rejects_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(UnknownNameError):
        open_writers(["tsv", "xml"], tmp_path, RUN)
    assert listing(tmp_path) == []


# --- never half-written ----------------------------------------------------------------


def open_with_corpus(formats: list[str], outdir: Path) -> list[Writer]:
    writers = open_writers(formats, outdir, RUN)
    for document in CORPUS:
        for writer in writers:
            writer.add(document)
    return writers


@pytest.mark.parametrize("name", CORPUS_FORMATS)
def test_nothing_under_a_final_name_before_commit(tmp_path: Path, name: str) -> None:
    open_with_corpus([name], tmp_path)
    assert all(Path(path).name.startswith(".") for path in listing(tmp_path))


@pytest.mark.parametrize("name", CORPUS_FORMATS)
def test_discard_leaves_no_file(tmp_path: Path, name: str) -> None:
    (writer,) = open_with_corpus([name], tmp_path)
    writer.discard()
    assert listing(tmp_path) == []


@pytest.mark.parametrize("name", CORPUS_FORMATS)
def test_discard_keeps_previous_run(tmp_path: Path, name: str) -> None:
    published = write_corpus(tmp_path, [name])
    before = {path: path.read_bytes() for path in published}
    (writer,) = open_writers([name], tmp_path, RUN)
    writer.add(CORPUS[0])
    writer.discard()
    assert {path: path.read_bytes() for path in published} == before
    assert listing(tmp_path) == sorted(p.name for p in published)


def test_discard_after_commit_keeps_files(tmp_path: Path) -> None:
    (writer,) = open_with_corpus(["tsv"], tmp_path)
    writer.commit()
    writer.discard()
    assert listing(tmp_path) == ["corpus.tsv"]


def test_txt_publishes_each_article_when_added(tmp_path: Path) -> None:
    (writer,) = open_writers(["txt"], tmp_path, RUN)
    writer.add(CORPUS[2])
    assert listing(tmp_path) == ["txt/van-hoa.txt"]
    writer.discard()  # a finished article is complete: it stays
    assert listing(tmp_path) == ["txt/van-hoa.txt"]


@pytest.mark.parametrize(
    "output_path",
    ["../outside", "/etc/passwd", ""],
    ids=["parent", "absolute", "empty"],
)
def test_txt_refuses_paths_outside_the_output_dir(tmp_path: Path, output_path: str) -> None:
    (writer,) = open_writers(["txt"], tmp_path / "out", RUN)
    document = make_document("x", [[("Câu.", "Sentence.")]], output_path=output_path)
    with pytest.raises(OutputError) as caught:
        writer.add(document)
    assert str(caught.value) == (
        f"cannot write the translation of 'x': its output path {output_path!r} "
        "is not inside the output directory"
    )
    assert listing(tmp_path) == []


def test_txt_refuses_two_documents_on_one_path(tmp_path: Path) -> None:
    (writer,) = open_writers(["txt"], tmp_path, RUN)
    writer.add(make_document("a.html", [[("Một.", "One.")]], output_path="a"))
    with pytest.raises(OutputError) as caught:
        writer.add(make_document("a.txt", [[("Hai.", "Two.")]], output_path="a"))
    assert str(caught.value) == (
        f"documents 'a.html' and 'a.txt' would both be written to {tmp_path / 'txt/a.txt'}; "
        "rename one of the inputs"
    )
    assert (tmp_path / "txt/a.txt").read_text() == "One.\n"


class FailingWrites:
    """A file whose writes fail with ``code`` once ``room`` more characters are written."""

    def __init__(self, file: IO[Any], code: int, room: int) -> None:
        self._file, self._code, self._room = file, code, room

    def write(self, data: str) -> int:
        if len(data) > self._room:
            raise OSError(self._code, os.strerror(self._code))
        self._room -= len(data)
        return self._file.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


def fail_writes(monkeypatch: pytest.MonkeyPatch, code: int, room: int) -> None:
    """From now on, every file fileio opens fails with ``code`` after ``room`` characters."""

    def opener(*args: Any, **kwargs: Any) -> FailingWrites:
        return FailingWrites(builtins.open(*args, **kwargs), code, room)

    monkeypatch.setattr(fileio, "open", opener, raising=False)


def test_disk_full_names_the_file_and_keeps_committed_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_corpus(tmp_path, ["tsv"])
    tsv = (tmp_path / "corpus.tsv").read_bytes()
    fail_writes(monkeypatch, errno.ENOSPC, room=1000)
    (writer,) = open_writers(["tmx"], tmp_path, RUN)
    with pytest.raises(OutputError) as caught:
        for document in CORPUS:
            writer.add(document)
    writer.discard()
    assert str(caught.value) == (
        f"disk full while writing {tmp_path / 'corpus.tmx'}; free space or choose another "
        "--output directory; files already written are kept"
    )
    assert listing(tmp_path) == ["corpus.tsv"]
    assert (tmp_path / "corpus.tsv").read_bytes() == tsv


def test_disk_full_at_commit_publishes_no_corpus_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writers = open_with_corpus(["tsv", "tmx"], tmp_path)
    synced: list[int] = []

    def fsync(fd: int) -> None:
        synced.append(fd)
        if len(synced) == 2:  # the tsv file made it to disk, the tmx file does not
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(OutputError) as caught:
        commit_writers(writers)
    assert str(caught.value).startswith(f"disk full while writing {tmp_path / 'corpus.tmx'};")
    assert listing(tmp_path) == []


def test_unwritable_output_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Running as root ignores permission bits, so the refusal is simulated.
    def opener(file: Path, *args: Any, **kwargs: Any) -> Any:
        if ".corpus.tsv." in str(file):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(file))
        return builtins.open(file, *args, **kwargs)

    monkeypatch.setattr(fileio, "open", opener, raising=False)
    with pytest.raises(OutputError) as caught:
        open_writers(["jsonl", "tsv"], tmp_path, RUN)
    assert str(caught.value) == (
        f"cannot write {tmp_path / 'corpus.tsv'}: permission denied; "
        "choose a writable --output directory"
    )
    assert listing(tmp_path) == []  # the jsonl writer opened first is discarded


def test_output_dir_below_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(OutputError) as caught:
        open_writers(["tsv"], tmp_path / "file" / "out", RUN)
    assert str(caught.value) == (
        f"cannot write {tmp_path / 'file/out/corpus.tsv'}: Not a directory"
    )


# --- manifest and readers --------------------------------------------------------------


def test_write_manifest(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    write_manifest(path, {"model": {"name": "opus-mt-vi-en", "revision": None}, "đếm": 2})
    assert path.read_text(encoding="utf-8") == (
        '{\n  "model": {\n    "name": "opus-mt-vi-en",\n    "revision": null\n  },\n  "đếm": 2\n}\n'
    )
    assert listing(tmp_path) == ["manifest.json"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("a\\xb\tc", "2: invalid escape '\\\\x'"),
        ("a\\\tb", "2: invalid escape '\\\\'"),  # a dangling backslash
        ("a\tb\tc", "2: 3 tab-separated fields instead of 2"),
        ("ab", "2: 1 tab-separated fields instead of 2"),
    ],
    ids=["unknown-escape", "dangling-backslash", "three-fields", "one-field"],
)
def test_read_tsv_rejects_malformed_lines(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "corpus.tsv"
    path.write_text(f"ok\tok\n{line}\n", encoding="utf-8")
    with pytest.raises(ValueError) as caught:
        read_tsv(path)
    assert str(caught.value) == f"{path}:{message}"


@pytest.mark.parametrize("paragraph_break", ["\n", "\r\n", "\n\n", "\r"])
def test_txt_writer_streams_the_same_text_as_translated_text(
    tmp_path: Path, paragraph_break: str
) -> None:
    # Paragraph 1 has no pair, a target ends with CR before a CRLF break.
    pairs = (
        Pair("d", 0, 0, "A.", "One\r", 0, 2),
        Pair("d", 0, 1, "B.", "", 3, 5),
        Pair("d", 2, 0, "C.", "Three", 0, 2),
    )
    document = Document("d", ("A. B.", "x", "C.", "y"), "d", "d", "h", paragraph_break)
    expected = TranslatedDocument(document, pairs).translated_text()
    writer = TxtWriter(tmp_path, RunInfo("0", "m", None))
    writer.add_pairs(document.info(), iter(pairs))
    text = (tmp_path / "txt" / "d.txt").read_bytes().decode("utf-8")
    assert text == expected.replace("\r\n", "\n").replace("\r", "\n")
