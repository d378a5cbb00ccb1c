"""Tests of the sentence segmenter (translate.segment) and its benchmark (tests/benchmarks/segment.py)."""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.benchmarks import segment as bench_segment
from tests.benchmarks.segment import (
    BenchRow,
    StressRow,
    format_stress_table,
    format_table,
    run_segment_benchmark,
    run_stress_benchmark,
)
from translate.errors import InputError, UnknownNameError
from translate.records import Sentence, Span
from translate.segment import Segmenter, _parse_lexicon, segment_paragraphs, split_sentences

SHARED = Path(__file__).parents[1].parent / "shared"
ARTICLES = SHARED / "data" / "articles" / "txt"
SEGMENTATION = SHARED / "data" / "segmentation"
needs_shared = pytest.mark.skipif(
    not SEGMENTATION.is_dir(), reason=f"the shared data folder {SHARED} is absent"
)

SEGMENTER = Segmenter()


def assert_lossless(paragraph: str, spans: list[Span]) -> None:
    """The span invariants: ordered, trimmed, and only whitespace outside them."""
    if not paragraph.strip():
        assert spans == []
        return
    assert spans, "a paragraph with text has at least one sentence"
    previous_end = 0
    for span in spans:
        assert previous_end <= span.start < span.end <= len(paragraph)
        sentence = paragraph[span.start : span.end]
        assert not sentence[0].isspace() and not sentence[-1].isspace()
        gap = paragraph[previous_end : span.start]
        assert gap == "" or gap.isspace()
        if span is not spans[0]:
            assert gap, "consecutive sentences are separated by whitespace"
        previous_end = span.end
    tail = paragraph[previous_end:]
    assert tail == "" or tail.isspace()


# Each case: (id, paragraph, expected sentences).
CASES = [
    # Edge cases.
    ("empty", "", []),
    ("whitespace-only", " \t\u00a0\u3000 ", []),
    ("one-sentence-no-final-mark", "Quy định mới về phí đỗ xe từ tháng 7", None),
    ("two-sentences", "Trời mưa. Đường ngập.", ["Trời mưa.", "Đường ngập."]),
    ("leading-trailing-space", "  Trời mưa.  Đường ngập. \u00a0", ["Trời mưa.", "Đường ngập."]),
    ("line-break-between", "Trời mưa.\nĐường ngập.", ["Trời mưa.", "Đường ngập."]),
    ("question-exclamation", "Vì sao? Không rõ! Hết.", ["Vì sao?", "Không rõ!", "Hết."]),
    ("emoji", "Tuyệt vời 🎉. Cảm ơn 🙏!", ["Tuyệt vời 🎉.", "Cảm ơn 🙏!"]),
    # Decomposed (NFD) letters split like composed ones.
    (
        "nfd",
        unicodedata.normalize("NFD", "Ông đến. Ông đi."),
        [unicodedata.normalize("NFD", s) for s in ("Ông đến.", "Ông đi.")],
    ),
    # A zero-width space glued to the period stays with its sentence.
    ("zero-width-space", "Câu một.\u200b Câu hai.", ["Câu một.\u200b", "Câu hai."]),
    # Documents keep control characters: invisible, like a zero-width space.
    ("control-after-period", "Câu một.\x01 Câu hai.", ["Câu một.\x01", "Câu hai."]),
    ("control-before-word", "Câu một. \x07Câu hai.", ["Câu một.", "\x07Câu hai."]),
    # An abbreviation stays one whatever invisible character touches it.
    ("abbreviation-zero-width-after", "Gặp GS.\u200b Lê Anh.", None),
    ("abbreviation-control-before", "Gặp \x07GS. Lê Anh.", None),
    ("no-space-no-split", "Thiếu điện...Có nơi mất nước.", None),
    # Abbreviations.
    (
        "title-gs",
        "GS. Lê Anh Tuấn phát biểu. Ông cảm ơn.",
        ["GS. Lê Anh Tuấn phát biểu.", "Ông cảm ơn."],
    ),
    ("titles-chain", "PGS. TS. Lê Văn Minh và ThS. Bs. Phạm Thu Hà dự họp.", None),
    (
        "title-compound",
        "GS.TS. Nguyễn Văn An nói. Bà đồng ý.",
        ["GS.TS. Nguyễn Văn An nói.", "Bà đồng ý."],
    ),
    (
        "title-compound-ckii",
        "BS.CKII. Trần Văn Bình khám. Xong.",
        ["BS.CKII. Trần Văn Bình khám.", "Xong."],
    ),
    (
        "city-glued",
        "Ông đến TP.HCM hôm qua. Bà ở TP.Đà Nẵng.",
        ["Ông đến TP.HCM hôm qua.", "Bà ở TP.Đà Nẵng."],
    ),
    ("city-spaced", "Dự án của UBND TP. Hà Nội - lãnh đạo thành phố.", None),
    ("city-titlecase", "Họ gặp nhau ở Tp. Hồ Chí Minh.", None),
    ("city-lowercase", "Nhân dân tp. HCM đón khách.", None),
    (
        "district-ward-number",
        "Nhà ở P. 5, Q. 3 đã bán. Giá cao.",
        ["Nhà ở P. 5, Q. 3 đã bán.", "Giá cao."],
    ),
    (
        "president-tt",
        "Cuộc vận động của TT. Trump bắt đầu. Ông nói.",
        ["Cuộc vận động của TT. Trump bắt đầu.", "Ông nói."],
    ),
    (
        "english-titles",
        "Dr. Ford làm chứng. Mr. Bean cười. St. Martin vắng.",
        ["Dr. Ford làm chứng.", "Mr. Bean cười.", "St. Martin vắng."],
    ),
    ("versus", "Vụ Roe v. Wade được nhắc lại.", None),
    ("vv-mid-sentence", "Anh, Pháp, Đức v.v. đều dự.", None),
    ("vv-at-end", "Có nhiều nước v.v. Sau đó họ về.", ["Có nhiều nước v.v.", "Sau đó họ về."]),
    ("final-abbreviation-before-digit", "Công ty Apple Inc. 2019 là năm tốt.", None),
    ("company-before-ltd", "Samsung Co. Ltd ra mắt máy mới.", None),
    ("publisher", "Sách do Nxb. Trẻ phát hành.", None),
    ("unit-table-cell", "SV. Lý Quốc Bảo, GVCC. Viện Hóa học", None),
    # A word that only looks like an English title in lower case is no abbreviation.
    (
        "lowercase-not-title",
        "Họ nghiên cứu gen. Các nhà khoa học mừng.",
        ["Họ nghiên cứu gen.", "Các nhà khoa học mừng."],
    ),
    # Initials and single letters.
    ("initial-in-name", "Cựu tổng thống George W. Bush phát biểu.", None),
    ("initial-after-comma", "Puff Daddy, P. Diddy hát.", None),
    (
        "letter-after-common-noun",
        "Hội đồng ngành Y. Quy ước mới.",
        ["Hội đồng ngành Y.", "Quy ước mới."],
    ),
    (
        "letter-after-acronym",
        "Anh làm ở công ty TNHH K. Bảo vệ nói.",
        ["Anh làm ở công ty TNHH K.", "Bảo vệ nói."],
    ),
    (
        "letter-before-opener",
        "Ông mắc bệnh Hepatitis B. Theo bác sĩ, bệnh nặng.",
        ["Ông mắc bệnh Hepatitis B.", "Theo bác sĩ, bệnh nặng."],
    ),
    (
        "accented-capital-is-a-word",
        "Trận đấu ở Naples, Ý. Chelsea thắng.",
        ["Trận đấu ở Naples, Ý.", "Chelsea thắng."],
    ),
    ("initial-before-bracket", "Bà Nguyễn Thị H. (45 tuổi) bị bắt.", None),
    ("dotted-acronym-lowercase", "Tờ báo Washington, D.C. ủng hộ.", None),
    ("dotted-acronym-end", "Viện trợ A.I. Hoa Kỳ tăng.", ["Viện trợ A.I.", "Hoa Kỳ tăng."]),
    ("credit-initials", "Ảnh: T.L.K.", None),
    # Numbers, dates, times, URLs, e-mail.
    (
        "numbers",
        "Giá tăng 10.000 đồng, tức 3,5% hay 10.6%. Ngày 1.1.2016 giá giảm.",
        ["Giá tăng 10.000 đồng, tức 3,5% hay 10.6%.", "Ngày 1.1.2016 giá giảm."],
    ),
    ("time", "Lúc 19h30 ngày 22.9.2017, đoàn đến.", None),
    ("digit-starts-sentence", "Có 20 người. 30 người vắng.", ["Có 20 người.", "30 người vắng."]),
    ("digit-after-ellipsis", "Chờ suốt... 20 năm.", None),
    (
        "url",
        "Xem www.sotuphap.example.gov.vn:8080/tin-tuc. Hết.",
        ["Xem www.sotuphap.example.gov.vn:8080/tin-tuc.", "Hết."],
    ),
    ("domain", "(Tintuc.vn) - Tháng 5 có nhiều lễ hội.", None),
    (
        "email",
        "Liên hệ ban.doc@baochinhphu.vn. Xin cảm ơn.",
        ["Liên hệ ban.doc@baochinhphu.vn.", "Xin cảm ơn."],
    ),
    # Lists and headings.
    (
        "list-number",
        "1. Sở Y tế gửi báo cáo. 2. Sở Tài chính thẩm định.",
        ["1. Sở Y tế gửi báo cáo.", "2. Sở Tài chính thẩm định."],
    ),
    ("list-after-colon", "Nghị định gồm: 1. Quy định chung; 2. Điều khoản thi hành.", None),
    ("heading-number", "Điều 5. Phạm vi điều chỉnh", None),
    ("roman-heading", "II. Nội dung chính", None),
    (
        "turn-after-closed-quote",
        '- "Anh nộp đủ rồi!". - "Chưa đủ."',
        ['- "Anh nộp đủ rồi!".', '- "Chưa đủ."'],
    ),
    (
        "bullet-after-period",
        "Phỏng vấn. - Ông khỏe không? - Vâng.",
        ["Phỏng vấn.", "- Ông khỏe không?", "- Vâng."],
    ),
    # Quotes and brackets.
    (
        "closing-quote",
        "Ông nói: “Tôi sẽ đi.” Sau đó ông đi.",
        ["Ông nói: “Tôi sẽ đi.”", "Sau đó ông đi."],
    ),
    (
        "opening-quote",
        "Ông im lặng. “Tôi sẽ đi”, ông nói.",
        ["Ông im lặng.", "“Tôi sẽ đi”, ông nói."],
    ),
    (
        "quote-comma-attribution",
        "“Có nên mua không?”, ông Tâm nói. Tôi đồng ý.",
        ["“Có nên mua không?”, ông Tâm nói.", "Tôi đồng ý."],
    ),
    ("quote-dash-attribution", "“Đó là việc khó.” - Bộ trưởng nói.", None),
    (
        "quote-short-attribution",
        'Anh hỏi: "Thì sao?" Martin hỏi. "Có chứ."',
        ['Anh hỏi: "Thì sao?" Martin hỏi.', '"Có chứ."'],
    ),
    (
        "quote-long-sentence-after",
        "“Tôi đồng ý.” Ông nói thêm rằng dự án sẽ được triển khai trong năm tới ở cả ba tỉnh.",
        ["“Tôi đồng ý.”", "Ông nói thêm rằng dự án sẽ được triển khai trong năm tới ở cả ba tỉnh."],
    ),
    (
        "quote-split-inside",
        "“Lúc đầu vất vả. Giờ thì ổn”, chị Lan kể.",
        ["“Lúc đầu vất vả.", "Giờ thì ổn”, chị Lan kể."],
    ),
    ("quote-lowercase-after", '"Tháng 11 đang đến!" khi diễu hành.', None),
    (
        "straight-quotes",
        'Anh nói: "Tôi đi." Sau đó "Bạn đi!" Hết.',
        ['Anh nói: "Tôi đi."', 'Sau đó "Bạn đi!"', "Hết."],
    ),
    (
        "single-quotes",
        "Họ hỏi 'Ông có làm không?' Ông trả lời rằng ông không hề biết.",
        ["Họ hỏi 'Ông có làm không?'", "Ông trả lời rằng ông không hề biết."],
    ),
    (
        "stray-space-before-closing-quote",
        'Cô viết: "Sao lại thế? " Nhiều người đồng tình.',
        ['Cô viết: "Sao lại thế? "', "Nhiều người đồng tình."],
    ),
    (
        "bracket-after",
        "Giá tăng (xem bảng.) Sau đó giảm.",
        ["Giá tăng (xem bảng.)", "Sau đó giảm."],
    ),
    ("bracket-sentence", "Dự án xong. (Ảnh: Minh Anh)", ["Dự án xong.", "(Ảnh: Minh Anh)"]),
    ("bracket-lowercase", "Người thợ K. (giấu tên) kể.", None),
    # Ellipsis, odd punctuation.
    ("ellipsis-lowercase", "Gỗ, mây... bền hơn.", None),
    ("ellipsis-char-lowercase", "Hội phụ nữ…  từng bước làm.", None),
    (
        "ellipsis-capital",
        "Các khu vui chơi… Với những căn hộ mới.",
        ["Các khu vui chơi…", "Với những căn hộ mới."],
    ),
    (
        "doubled-period",
        "Giá giữ như cũ.. Tính theo ngoại tệ.",
        ["Giá giữ như cũ..", "Tính theo ngoại tệ."],
    ),
    ("period-lowercase", "Đổi mới mẫu mã. tăng chất lượng.", None),
    ("space-before-period", "Đạt mức mới . Đây là kỷ lục.", ["Đạt mức mới .", "Đây là kỷ lục."]),
    ("elision-marker", "Ông nói (...) Nguyễn Văn An đồng ý.", None),
    (
        "ironic-question-mark",
        "Ông bị kỷ luật (?). Và thế là xong.",
        ["Ông bị kỷ luật (?).", "Và thế là xong."],
    ),
    (
        "brand-starts-sentence",
        "Giá tăng. iPhone 15 ra mắt. eKYC phổ biến.",
        ["Giá tăng.", "iPhone 15 ra mắt.", "eKYC phổ biến."],
    ),
    ("amount-starts-sentence", "Lãi lớn. $5 tỷ được chia.", ["Lãi lớn.", "$5 tỷ được chia."]),
    ("interrobang", "Thật sao?! Không thể.", ["Thật sao?!", "Không thể."]),
    ("colon-semicolon", "Cụ thể: giá tăng; lương giảm.", None),
    # Captions and credits.
    (
        "caption-credit",
        "Cầu khởi công năm 2021. Ảnh: Minh Anh",
        ["Cầu khởi công năm 2021.", "Ảnh: Minh Anh"],
    ),
    ("caption-dash-credit", "Xe bị giữ tại bãi - Ảnh: T.L.", None),
    # Tokenised text (the VTB treebank's form).
    (
        "tokenised-quote",
        'Thanh nói : " Tôi quen ? " . Hùng giật mình .',
        ['Thanh nói : " Tôi quen ? " .', "Hùng giật mình ."],
    ),
    (
        "tokenised-opening-quote",
        'Nhà êm . " Vì giá tăng . Hết',
        ["Nhà êm .", '" Vì giá tăng .', "Hết"],
    ),
    ("tokenised-number", "Giá 28 . 000 đồng . Hết .", ["Giá 28 . 000 đồng .", "Hết ."]),
    ("tokenised-abbreviation", "Dân Tp . HCM vui .", None),
]


@pytest.mark.parametrize(
    ("paragraph", "expected"), [(p, e) for _, p, e in CASES], ids=[c[0] for c in CASES]
)
def test_split_sentences(paragraph: str, expected: list[str] | None) -> None:
    # ``None`` means: one sentence, the whole paragraph.
    assert split_sentences(paragraph) == (expected if expected is not None else [paragraph])


@pytest.mark.parametrize(
    ("paragraph", "_"), [(p, e) for _, p, e in CASES], ids=[c[0] for c in CASES]
)
def test_table_cases_are_lossless(paragraph: str, _: list[str] | None) -> None:
    assert_lossless(paragraph, SEGMENTER.split(paragraph))


def test_split_gives_exact_spans() -> None:
    paragraph = "  Trời mưa.\u00a0 “Đường ngập.” "
    assert SEGMENTER.split(paragraph) == [Span(2, 11), Span(13, 26)]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ((), ["Phóng viên BTV.", "Nguyễn An đưa tin."]),
        (("BTV.",), ["Phóng viên BTV. Nguyễn An đưa tin."]),
        # Without the final period, and matched in capitalised form too.
        (("BTV",), ["Phóng viên BTV. Nguyễn An đưa tin."]),
    ],
    ids=["default", "with-period", "without-period"],
)
def test_extra_abbreviations(extra: tuple[str, ...], expected: list[str]) -> None:
    assert split_sentences("Phóng viên BTV. Nguyễn An đưa tin.", abbreviations=extra) == expected


def test_extra_abbreviation_overrides_final_entry() -> None:
    # "Inc." may end a sentence; a user who lists it asks that it never does.
    text = "Apple Inc. Ông Cook nói."
    assert len(Segmenter().split(text)) == 2
    assert len(Segmenter(["Inc."]).split(text)) == 1


@pytest.mark.parametrize(
    ("written", "matches"),
    [
        ("ThS", True),
        ("THS", True),
        ("Ths", True),
        ("tp", True),  # an all-capitals entry matches its lower-case form
        ("V", False),  # lower-case "v." matches only as written
        ("Inc", False),  # "Inc." may end a sentence
    ],
    ids=["exact", "upper", "title", "lower-of-caps", "lower-entry-upper", "final-entry"],
)
def test_lexicon_spellings(written: str, matches: bool) -> None:
    sentences = split_sentences(f"Bà gặp {written}. Nguyễn An ở đó.")
    assert (len(sentences) == 1) is matches


def test_lexicon_rejects_unknown_section() -> None:
    with pytest.raises(ValueError, match="unknown section"):
        _parse_lexicon("[titles]\nGS.\n")


def test_lexicon_sections_and_comments() -> None:
    lexicon = _parse_lexicon("# comment\nGS.   # giáo sư\n\n[final]\nv.v.\nGS.\n")
    assert "GS" in lexicon.prefix and "gs" in lexicon.prefix
    # An entry in both sections behaves as a prefix.
    assert lexicon.final == frozenset({"v.v"})


def test_bundled_lexicon_is_well_formed() -> None:
    from importlib import resources

    text = resources.files("translate").joinpath("data/abbreviations.txt").read_text("utf-8")
    entries = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    entries = [e for e in entries if e and not e.startswith("[")]
    assert entries, "the lexicon lists abbreviations"
    assert all(e.endswith(".") and " " not in e for e in entries), entries


def test_segment_paragraphs_carries_ids() -> None:
    paragraphs = ["Tiêu đề", "", "Câu một. Câu hai."]
    assert segment_paragraphs("doc.txt", paragraphs, SEGMENTER) == [
        Sentence("doc.txt", 0, 0, "Tiêu đề", 0, 7),
        Sentence("doc.txt", 2, 0, "Câu một.", 0, 8),
        Sentence("doc.txt", 2, 1, "Câu hai.", 9, 17),
    ]


def test_regex_whitespace_is_str_isspace() -> None:
    # The segmenter mixes re's \s, str.split/rstrip and str.isspace; they must agree.
    space = re.compile(r"\s")
    mismatches = [
        hex(code)
        for code in range(sys.maxunicode + 1)
        if (space.match(chr(code)) is not None) != chr(code).isspace()
    ]
    assert mismatches == []


# Pathological inputs: each must come back correct (the benchmark measures the time).
@pytest.mark.slow
def test_long_paragraph_without_punctuation() -> None:
    paragraph = "không có dấu câu " * 150_000  # about 2.5 MB
    assert SEGMENTER.split(paragraph) == [Span(0, len(paragraph) - 1)]


@pytest.mark.slow
def test_megabyte_of_periods() -> None:
    paragraph = "." * 1_000_000
    assert SEGMENTER.split(paragraph) == [Span(0, len(paragraph))]


@pytest.mark.slow
def test_thousands_of_abbreviations_in_a_row() -> None:
    paragraph = "GS. " * 200_000 + "Nguyễn An."
    assert SEGMENTER.split(paragraph) == [Span(0, len(paragraph))]


@pytest.mark.slow
def test_many_spaced_periods_and_quotes() -> None:
    paragraph = "Xong" + ' . "' * 200_000 + " Hết."
    assert_lossless(paragraph, SEGMENTER.split(paragraph))


@pytest.mark.slow
def test_dots_without_spaces() -> None:
    paragraph = "a." * 500_000 + " hết."
    assert SEGMENTER.split(paragraph) == [Span(0, len(paragraph))]


@pytest.mark.slow
def test_many_short_sentences() -> None:
    paragraph = " ".join(["Câu."] * 100_000)
    spans = SEGMENTER.split(paragraph)
    assert len(spans) == 100_000
    assert_lossless(paragraph, spans)


# Property tests.
@given(st.text())
@settings(max_examples=500)
def test_lossless_on_any_text(paragraph: str) -> None:
    assert_lossless(paragraph, SEGMENTER.split(paragraph))


_WORDS = ["Ông", "bà", "nói", "Hà Nội", "đường", "Nguyễn", "A", "Y", "x", "gen", "Theo", "ĐẾM"]
_ABBREVIATIONS = ["GS.", "PGS.TS.", "TP.", "TP.HCM", "Q.", "v.v.", "Dr.", "D.C.", "Inc.", "tr."]
_NUMBERS = ["1", "10.000", "3,5", "1.1.2016", "19h30", "28 . 000", "2."]
_PUNCTUATION = [".", "!", "?", "…", "...", "..", ",", ":", ";", "?!", " .", "-", "–"]
_QUOTES = ["“", "”", '"', "'", "‘", "’", "(", ")", "«", "»"]
_SPACES = [" ", " ", " ", "  ", "\u00a0", "\t", "\n", "\u200b", "\ufeff", "\u3000"]
_pieces = st.sampled_from(_WORDS + _ABBREVIATIONS + _NUMBERS + _PUNCTUATION + _QUOTES + _SPACES)
news_like_text = st.lists(_pieces, max_size=60).map("".join)


@given(news_like_text)
@settings(max_examples=1000)
def test_lossless_on_news_like_text(paragraph: str) -> None:
    assert_lossless(paragraph, SEGMENTER.split(paragraph))


@given(news_like_text)
def test_split_sentences_matches_spans(paragraph: str) -> None:
    spans = SEGMENTER.split(paragraph)
    assert split_sentences(paragraph) == [paragraph[s.start : s.end] for s in spans]


@given(news_like_text, st.sampled_from(_SPACES[:7]))
@example("D.C. -", " ")  # a dash at the very end is no bullet
@example("…) Đ", " ")  # an ellipsis at the start follows no bracket
@settings(max_examples=1000)
def test_surrounding_whitespace_only_shifts_spans(paragraph: str, space: str) -> None:
    shifted = SEGMENTER.split(space + paragraph + space)
    assert shifted == [
        Span(s.start + len(space), s.end + len(space)) for s in SEGMENTER.split(paragraph)
    ]


@pytest.mark.skipif(
    not ARTICLES.is_dir(), reason=f"the shared articles folder {ARTICLES} is absent"
)
def test_lossless_on_real_articles() -> None:
    paths = sorted(ARTICLES.glob("*.txt"))
    assert paths
    for path in paths:
        for paragraph in path.read_text(encoding="utf-8").splitlines():
            assert_lossless(paragraph, SEGMENTER.split(paragraph))


# Targets of the project's issue 3, on the gold sets (scores, not speed).
TARGETS = {
    "ntrex-vi": (0.99, 0.98),
    "news25": (0.985, 0.98),
    "vi_vtb-test.detok": (0.985, 0.96),
}


@needs_shared
@pytest.mark.slow  # the scorer runs in subprocesses
def test_benchmark_meets_targets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench_segment, "_TIMING_BUDGET_S", 0.0)
    rows = run_segment_benchmark(SEGMENTATION, ["vi2en"], datasets=list(TARGETS))
    scores = {row.dataset: (row.f1, row.exact) for row in rows}
    for dataset, (f1, exact) in TARGETS.items():
        assert scores[dataset][0] >= f1, (dataset, scores[dataset])
        assert scores[dataset][1] >= exact, (dataset, scores[dataset])


@needs_shared
@pytest.mark.slow  # the scorer runs in subprocesses
def test_benchmark_notes_missing_system(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing() -> bench_segment.Splitter:
        raise ImportError("No module named 'nothing'")

    monkeypatch.setattr(bench_segment, "_TIMING_BUDGET_S", 0.0)
    monkeypatch.setitem(
        bench_segment.SYSTEMS, "nothing", bench_segment._System(missing, ("nothing",))
    )
    rows = run_segment_benchmark(SEGMENTATION, ["regex", "nothing"], datasets=["vi_vtb-test"])
    assert [(r.dataset, r.system) for r in rows] == [("vi_vtb-test", "regex"), ("", "nothing")]
    assert rows[1].note == "skipped: No module named 'nothing'; pip install nothing"


@needs_shared
@pytest.mark.slow  # the scorer runs in subprocesses
def test_benchmark_accepts_the_shared_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench_segment, "_TIMING_BUDGET_S", 0.0)
    rows = run_segment_benchmark(SHARED, ["regex"], datasets=["vi_vtb-test"])
    assert [(r.dataset, r.system) for r in rows] == [("vi_vtb-test", "regex")]


def test_benchmark_script_names_a_missing_data_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        bench_segment.main(["--data", str(tmp_path / "nothing")])
    assert caught.value.code == 2
    assert f"no gold sets in {tmp_path / 'nothing'}; pass --data DIR" in capsys.readouterr().err


def test_benchmark_script_reports_a_missing_scorer_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        bench_segment.main(["--data", str(tmp_path), "--system", "regex"])
    assert caught.value.code == 1
    error = capsys.readouterr().err
    assert error.startswith("segment.py: ") and "scorer not found" in error
    assert len(error.splitlines()) == 1


def test_benchmark_rejects_unknown_system(tmp_path: Path) -> None:
    with pytest.raises(UnknownNameError, match="unknown segmenter 'spacy'; choose one of: "):
        run_segment_benchmark(tmp_path, ["spacy"])


def test_benchmark_needs_the_scorer(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="scorer not found"):
        run_segment_benchmark(tmp_path / "data" / "segmentation", ["vi2en"])


def test_format_table() -> None:
    rows = [
        BenchRow(
            "ntrex-vi", "vi2en", 0.99944, 0.9988, 0.9991, 0.9975, 181036.4, version="vi2en 0.1.0"
        ),
        BenchRow("news25", "blingfire", 0.9373, 0.9553, 0.9462, 0.9568, 29316, text_changed=True),
        BenchRow("", "pysbd", note="skipped: No module named 'pysbd'; pip install pysbd"),
    ]
    assert format_table(rows) == "\n".join(
        [
            "| set | system | boundary P | boundary R | boundary F1 | exact | sentences/s |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
            "| ntrex-vi | vi2en | 0.9994 | 0.9988 | 0.9991 | 0.9975 | 181,036 |",
            "| news25 | blingfire* | 0.9373 | 0.9553 | 0.9462 | 0.9568 | 29,316 |",
            "",
            "- versions: vi2en: vi2en 0.1.0",
            "- *: the system changed the text; scored with seg_score.py --lenient",
            "- pysbd: skipped: No module named 'pysbd'; pip install pysbd",
        ]
    )


def test_stress_benchmark_runs_every_input() -> None:
    rows = run_stress_benchmark(scale=0.001)
    assert [r.name for r in rows] == list(bench_segment.STRESS_INPUTS)
    by_name = {r.name: r for r in rows}
    assert by_name["no punctuation"].sentences == 1
    assert by_name["abbreviations"].sentences == 1
    assert by_name["short sentences"].sentences == by_name["short sentences"].characters // 10


def test_format_stress_table() -> None:
    assert format_stress_table([StressRow("periods", 1_000_000, 1, 0.5)]) == "\n".join(
        [
            "| input | characters | sentences | seconds | M chars/s |",
            "| --- | ---: | ---: | ---: | ---: |",
            "| periods | 1,000,000 | 1 | 0.500 | 2.0 |",
        ]
    )
