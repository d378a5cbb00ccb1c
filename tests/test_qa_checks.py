"""The QA checks: exact reasons for Vietnamese conventions, clean pairs unflagged, the table."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from translate.qa import CHECKS, PairContext, check_names, check_pair
from translate.qa.numbers import extract_numbers
from translate.qa.shape import LENGTH_LIMITS, limits_for
from translate.records import Flag
from translate.text import find_ngram_loop, has_ngram_loop

DATA = Path(__file__).parent / "data" / "qa"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
if not SHARED.is_dir():
    SHARED = Path("/work/shared/data")


def reasons(source: str, target: str, check: str, context: PairContext | None = None) -> list[str]:
    return [flag.reason for flag in check_pair(source, target, context=context, checks=[check])]


# --- numbers -------------------------------------------------------------------------

NUMBER_CASES = [
    ("Có 10.000 người.", "There are 1,000 people.", ["number 10.000 → 1,000"]),
    ("Có 10.000 người.", "There are 10,000 people.", []),
    ("Tăng 3,5 lần.", "Up 3.5 times.", []),
    ("Giá 1,5 triệu đồng.", "It costs 1.5 million dong.", []),
    ("Giá 1,5 triệu đồng.", "It costs 1,500,000 dong.", []),
    ("Giá 1,5 triệu đồng.", "It costs 15 million dong.", ["number 1,5 triệu → 15 million"]),
    ("Đạt 340,6 tỷ USD.", "Reached $340.6 billion.", []),
    ("Đạt 340,6 tỷ USD.", "Reached $346 billion.", ["number 340,6 tỷ → 346 billion"]),
    ("Ngày 27/10 trời mưa.", "It rained.", ["missing number 27/10"]),
    ("Ngày 27/10 trời mưa.", "It rained on October 27.", []),
    ("Ngày 27/10 trời mưa.", "It rained on 27 October.", []),
    ("Ngày 27/10 trời mưa.", "It rained on Oct. 27.", []),
    ("Ngày 27/10 trời mưa.", "It rained on October 28.", ["number 27/10 → 28"]),
    ("Từ ngày 1.1.2016.", "From 1/1/2016.", []),
    ("Từ ngày 1.1.2016.", "From January 1, 2016.", []),
    ("ngày 27 tháng 10 năm 2020", "on October 27, 2020", []),
    ("Lãi suất 12,5%.", "The rate is 12.5 percent.", []),
    ("Lãi suất 12,5%.", "The rate is 125%.", ["number 12,5 → 125"]),
    ("Anh về thứ 2.", "He came 2nd.", []),
    ("Họp vào thứ 2.", "The meeting is on Monday.", []),
    ("Có 3-5 người.", "There are 3 to 5 people.", []),
    ("Có ba người.", "There are three people.", []),
    ("Có 3 người.", "There are three people.", []),
    ("Có hai mươi lăm người.", "There are 25 people.", []),
    ("Lúc 9h30.", "At 9:30 a.m.", []),
    ("Lúc 21h.", "At 9 p.m.", []),
    ("Lúc 05:00 sáng.", "At 5 a.m.", []),
    ("Mùa giải 2016-2017.", "The 2016–17 season.", []),
    ("Thập niên 1960.", "The 1960s.", []),
    ("Những năm 80.", "The 1980s.", []),
    ("Thế kỷ XX.", "The 20th century.", []),
    ("Có 5 người.", "There are 5 people and 7 dogs.", ["extra number 7"]),
    ("Có 5 người và 7 con chó.", "There are 5 people.", ["missing number 7"]),
    (
        "Có 5 người và 7 con chó.",
        "There are 6 people and 8 dogs.",
        [
            "missing number 5",
            "missing number 7",
            "extra number 6",
            "extra number 8",
        ],
    ),
    # "tỷ lệ" is a rate, "tỷ phú" a billionaire: not the scale.
    ("Tỷ lệ 2 tỷ phú.", "2 billionaires.", []),
    # "ba năm": three years, and "năm" is not a second number 5.
    ("Trong hai hay ba năm.", "In 2 or 5 years.", ["extra number 5"]),
    # Informal Vietnamese writes the article as the digit 1.
    ("Tôi có 1 câu hỏi.", "I have a question.", []),
    # ... but not a chapter's number.
    ("Học xong Chương 1 nên học tiếp.", "Finished Chapter so moving on.", ["missing number 1"]),
    # An HTML entity in a corpus is a character, not a number.
    ("Điện thoại.", "The &#91;phone&#93;.", []),
    ("Không có số nào.", "No number here.", []),
    # A unit's power is not a number of its own.
    ("Rộng 50 km2.", "It is 50 square kilometres wide.", []),
    ("Lúc 14h30 ngày 15/3.", "At 2:30 p.m. on March 15.", []),
    ("Tiêm đủ 2 mũi.", "Received both doses.", []),
    ("Dự án 2.000 tỷ đồng.", "A VND2 trillion project.", []),
    # A scale word changed, a number multiplied, its decimal point moved.
    ("Đạt 5 triệu USD.", "Reached $5 billion.", ["number 5 triệu → 5 billion"]),
    ("Có 45 người.", "There are 450 people.", ["number 45 → 450"]),
    ("Tăng 12,5%.", "Up 1.25%.", ["number 12,5 → 1.25"]),
    ("Có ba người.", "There are 3 people.", []),
    ("Có 3 người.", "There are 3 people and three dogs.", []),
    # "5.000" is never five: a "5" for it (or "both" for "2.000") is a changed number.
    ("Có 5.000 người.", "There are 5 people.", ["number 5.000 → 5"]),
    ("Có 2.000 lính ở cả hai bên.", "Both sides have troops.", ["missing number 2.000"]),
    # An English article stands only for a 1 that counts a noun, not a date, time or range.
    ("Làm việc từ 1 giờ sáng.", "Working since a.m.", ["missing number 1"]),
    ("Ngày 1 tháng 10 có một cuộc họp.", "A meeting in October.", ["missing number 1"]),
    ("Mưa từ 1 đến 4 inch.", "A rain of to 4 inches.", ["missing number 1"]),
    # English number words: "a hundred and fifty", "10 thousands".
    ("150 năm trước.", "A hundred and fifty years ago.", []),
    ("Có 150 người.", "A hundred and sixty people.", ["missing number 150"]),
    ("Có 10000 người.", "Some 10 thousands of people.", []),
]


@pytest.mark.parametrize(
    ("source", "target", "expected"), NUMBER_CASES, ids=[c[0] + " | " + c[1] for c in NUMBER_CASES]
)
def test_numbers_reasons(source: str, target: str, expected: list[str]) -> None:
    assert reasons(source, target, "numbers") == expected


@pytest.mark.parametrize(
    ("text", "vietnamese", "values"),
    [
        # A decimal is not written with a final zero: "10.000" is only ten thousand.
        ("10.000", True, [{10000.0}]),
        ("1,234", True, [{1234.0, 1.234}]),
        ("10.000", False, [{10.0}]),
        ("10,000", False, [{10000.0}]),
        ("3,5", True, [{3.5}]),
        ("1.234.567", True, [{1234567.0}]),
        ("1.234,5", True, [{1234.5}]),
        ("1,5 triệu", True, [{1500000.0}]),
        ("2 nghìn tỷ", True, [{2e12}]),
        ("$2bn", False, [{2e9}]),
        ("45m", False, [{45e6, 45.0}]),
        ("1.1.2016", True, [{1.0}, {1.0}, {2016.0}]),
        ("27/10", True, [{27.0}, {10.0}]),
        # Two decimal points: a list, not one number.
        ("1.000,5,2", True, [{1.0}, {0.0}, {5.0}, {2.0}]),
        ("9h30", False, [{9.0}, {30.0}]),
    ],
    ids=lambda v: repr(v),
)
def test_extract_numbers_values(text: str, vietnamese: bool, values: list[set[float]]) -> None:
    numbers = [n for n in extract_numbers(text, vietnamese=vietnamese) if not n.soft]
    assert [set(part) for n in numbers for part in n.parts] == values


def test_written_numbers_are_soft() -> None:
    numbers = extract_numbers("twenty-five people and three dogs in October", vietnamese=False)
    assert [(n.text, set(n.parts[0]), n.soft) for n in numbers] == [
        ("twenty-five", {25.0}, True),
        ("three", {3.0}, True),
        ("October", {10.0}, True),
    ]


# --- untranslated ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("Tôi là sinh viên.", "Tôi là sinh viên.", ["target copies the source"]),
        ("Tôi là sinh viên.", "Tôi là một sinh viên giỏi.", ["target is Vietnamese"]),
        ("Tôi là sinh viên.", "I am a student.", []),
        # Names kept with their marks are capitalised: not counted.
        ("Nguyễn Xuân Phúc phát biểu.", "Nguyễn Xuân Phúc spoke.", []),
        # Only names and codes: copying them is right.
        ("Apple iPhone 15", "Apple iPhone 15", []),
        ("COVID-19", "COVID-19", []),
        ("", "", []),
        ("TIN NÓNG VỀ BÃO SỐ 3", "TIN NÓNG VỀ BÃO SỐ 3", ["target copies the source"]),
        ("TIN NÓNG VỀ BÃO", "BREAKING NEWS ON THE STORM", []),
        # The source without its marks, and half of it left untranslated.
        (
            "Hà Nội là thủ đô của Việt Nam.",
            "Ha Noi la thu do cua Viet Nam.",
            ["target copies 4 of its 8 words from the source"],
        ),
        (
            "Tôi đã đi chợ sáng nay với mẹ tôi.",
            "I went to the market sang nay voi me toi.",
            ["target copies 5 of its 10 words from the source"],
        ),
        # Names and an English phrase kept by a human translation are no copy.
        (
            "Tôi làm việc với Zeit Online và Open Data City.",
            "I work with Zeit Online and Open Data City.",
            [],
        ),
    ],
    ids=[
        "copy",
        "vietnamese",
        "english",
        "names-with-marks",
        "names-only",
        "code-only",
        "empty",
        "capitals-copy",
        "capitals-english",
        "copy-without-marks",
        "half-translated",
        "names-and-phrase-kept",
    ],
)
def test_untranslated(source: str, target: str, expected: list[str]) -> None:
    assert reasons(source, target, "untranslated") == expected


# --- length ratio ----------------------------------------------------------------------


def test_length_ratio_outside_the_range() -> None:
    source = "Ông ấy nói rằng chúng tôi sẽ làm việc này vào ngày mai."
    assert reasons(source, "He said that", "length_ratio") == [
        "length ratio 0.22 (expected 0.52–1.53)"
    ]
    assert reasons(source, "He said that we would do this tomorrow.", "length_ratio") == []


def test_length_ratio_floor_for_short_sentences() -> None:
    assert reasons("Cảm ơn!", "Thank you so much!", "length_ratio") == []


def test_length_limits_row_of_a_family(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(LENGTH_LIMITS, "nllb", (0.9, 1.1, 0))
    context = PairContext(family="nllb")
    assert reasons("Trời đẹp lắm.", "Lovely weather.", "length_ratio", context) == [
        "length ratio 1.15 (expected 0.90–1.10)"
    ]
    assert reasons("Trời đẹp lắm.", "Lovely weather.", "length_ratio") == []


def test_length_limits_per_family_fall_back_to_the_human_calibration() -> None:
    assert limits_for(None) == LENGTH_LIMITS["default"] == (0.70, 1.35, 10)
    assert limits_for("nllb") == LENGTH_LIMITS["default"]


# --- loop --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "context", "expected"),
    [
        ("Today the the the the weather is nice.", None, ["1-gram 'the' repeated 4 times"]),
        (
            "It is a fine day a fine day a fine day a fine day for us.",
            None,
            ["3-gram 'a fine day' repeated 4 times"],
        ),
        (
            "Today is nice.",
            PairContext(signals=("loop",)),
            ["the translation repeats itself in a loop"],
        ),
        (
            "We went home, went home, went home, at last.",
            None,
            ["2-gram 'went home,' repeated 3 times"],
        ),
        # Twice is a figure of speech, not a loop.
        ("It was a long, long day.", None, []),
        ("Today is nice.", None, []),
    ],
    ids=["1-gram", "3-gram", "signal", "three-times", "twice", "clean"],
)
def test_loop(target: str, context: PairContext | None, expected: list[str]) -> None:
    assert reasons("Hôm nay trời đẹp quá đi mất thôi.", target, "loop", context) == expected


def test_loop_runaway_length() -> None:
    target = "The weather is nice today, " + "and we all went out to see it " * 4
    assert (
        reasons("Hôm nay trời đẹp.", target, "loop")[-1] == "target 8.6 times as long as the source"
    )


def test_find_ngram_loop_counts_the_whole_run() -> None:
    assert find_ngram_loop("x a b a b a b a b a b y", max_n=2) == ("a b", 5)
    assert find_ngram_loop("one two three") is None
    assert has_ngram_loop("go go go go") is True


# --- truncated ---------------------------------------------------------------------------

LONG = "Hôm nay trời rất đẹp và chúng tôi đi chơi ở công viên gần nhà."


@pytest.mark.parametrize(
    ("source", "target", "context", "expected"),
    [
        (
            "Hôm nay trời đẹp.",
            "Today is nice.",
            PairContext(signals=("hit_max_length", "split_long")),
            [
                "the decoder stopped at the length cap",
                "over the model's input limit: translated in pieces",
            ],
        ),
        (
            LONG,
            "Today the weather is very nice, we",
            None,
            ["target ends mid-sentence: no final punctuation"],
        ),
        # A cut after an abbreviation's full stop still ends mid-sentence.
        (LONG, "Today we went to St.", None, ["target ends mid-sentence: no final punctuation"]),
        (
            "Hôm nay trời rất đẹp và chúng tôi đi chơi ở công viên gần nhà",
            "Today the weather is very nice and",
            None,
            ["target ends mid-sentence: on 'and'"],
        ),
        (
            "Cơn bão đe dọa Phoenix, Las Vegas và Thành phố Salt Lake với lũ quét",
            "Storm threatens Phoenix",
            None,
            ["target 0.34 times as long as the source: cut short"],
        ),
        (LONG, "The weather was lovely today, so we went to the park near home.", None, []),
        # A headline has no final punctuation on either side.
        ("Bão Rosa đe dọa Phoenix", "Storm Rosa threatens Phoenix", None, []),
        # English runs longer: a target as long as its source, cut on "of", is still cut.
        (
            "Bức xếp hình cần một mảnh nữa .",
            "There had to be another piece of",
            None,
            ["target ends mid-sentence: no final punctuation"],
        ),
        ("Bức xếp hình cần một mảnh nữa .", "There had to be another piece missing", None, []),
    ],
    ids=[
        "signals",
        "no-final-punctuation",
        "abbreviation",
        "dangling-word",
        "headline-cut",
        "whole",
        "headline",
        "dangling-as-long-as-the-source",
        "as-long-as-the-source",
    ],
)
def test_truncated(
    source: str, target: str, context: PairContext | None, expected: list[str]
) -> None:
    assert reasons(source, target, "truncated", context) == expected


# --- verbatim ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        (
            "Xem tại https://x.vn hoặc gửi thư tới a@b.vn.",
            "See the website or write to us.",
            ["URL https://x.vn missing", "e-mail a@b.vn missing"],
        ),
        ("Xem tại https://x.vn.", "See https://x.vn.", []),
        (
            "Apple ra mắt iPhone tại Mỹ.",
            "The company launched the phone in the US.",
            ["name Apple missing", "name iPhone missing"],
        ),
        # Codes and acronyms are case-sensitive.
        (
            "Máy bay A320 của WHO.",
            "The a320 plane of the who.",
            ["code A320 missing", "acronym WHO missing"],
        ),
        ("Máy bay A320 của WHO.", "The WHO's A320.", []),
        # English makes adjectives of names.
        ("Quân đội Argentina và Canada.", "Argentine and Canadian troops.", []),
        # Vietnamese acronyms, unaccented syllables and Roman numerals are not asked for.
        ("UBND TP.HCM họp ở Ha Noi.", "The city's People's Committee met in the capital.", []),
        ("Thế chiến II.", "World War Two.", []),
        ("Giá 5 triệu USD.", "It costs $5 million.", []),
    ],
    ids=[
        "url-email",
        "url-copied",
        "names",
        "codes-case",
        "codes-copied",
        "adjectives",
        "vietnamese",
        "roman",
        "currency",
    ],
)
def test_verbatim(source: str, target: str, expected: list[str]) -> None:
    assert reasons(source, target, "verbatim") == expected


# --- the table -----------------------------------------------------------------------------


def test_table_order() -> None:
    assert list(CHECKS) == [
        "numbers",
        "untranslated",
        "length_ratio",
        "loop",
        "truncated",
        "verbatim",
    ]


def test_clean_pairs_have_no_flags() -> None:
    lines = (DATA / "clean.tsv").read_text("utf-8").splitlines()
    pairs = [line.split("\t") for line in lines]
    assert len(pairs) == 20
    assert [(s, t, check_pair(s, t)) for s, t in pairs if check_pair(s, t)] == []


def test_check_pair_orders_flags_by_table_and_filters() -> None:
    source, target = "Có 10.000 người ở https://x.vn.", "Có 1.000 người ở https://x.vn."
    assert check_pair(source, target) == (
        Flag("numbers", "number 10.000 → 1.000"),
        Flag("untranslated", "target copies the source"),
    )
    assert check_pair(source, target, checks=["untranslated"]) == (
        Flag("untranslated", "target copies the source"),
    )
    assert check_pair(source, target, checks=[]) == ()


def test_check_pair_unknown_check() -> None:
    with pytest.raises(KeyError, match="unknown QA check"):
        check_pair("a", "b", checks=["numbers", "spelling"])


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["numbers"], ("numbers",)),
        (["verbatim,numbers"], ("numbers", "verbatim")),
        (["loop", " Truncated "], ("loop", "truncated")),
        (["all"], tuple(CHECKS)),
        (["all", "none", "loop"], ("loop",)),
        (["none"], ()),
        ([""], ()),
    ],
    ids=["one", "comma-list", "spaces-case", "all", "none-resets", "none", "empty"],
)
def test_check_names(values: list[str], expected: tuple[str, ...]) -> None:
    assert check_names(values) == expected


def test_check_names_unknown_lists_the_known() -> None:
    with pytest.raises(KeyError, match="unknown QA check 'spelling'; known: numbers, untranslated"):
        check_names(["numbers,spelling"])


# --- on human translations -----------------------------------------------------------------


@pytest.mark.skipif(
    not (SHARED / "mt" / "flores200" / "devtest.vi").is_file(), reason="needs ../shared"
)
def test_flores_false_positives_within_the_goals() -> None:
    folder = SHARED / "mt" / "flores200"
    sources = (folder / "devtest.vi").read_text("utf-8").splitlines()
    targets = (folder / "devtest.en").read_text("utf-8").splitlines()
    flagged = {name: 0 for name in CHECKS}
    for source, target in zip(sources, targets, strict=True):
        for check in {flag.check for flag in check_pair(source, target)}:
            flagged[check] += 1
    # Measured: numbers 1, untranslated 0 of 1012 (tests/benchmarks/qa.py).
    assert flagged["numbers"] <= len(sources) * 0.02
    assert flagged["untranslated"] <= len(sources) * 0.01


# --- any text --------------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "10.000",
        "3,5",
        "1,5 triệu",
        "27/10",
        "9h30",
        "21:00",
        "1.1.2016",
        "thứ 2",
        "năm",
        "ba",
        "twenty-five",
        "October",
        "XX",
        "A320",
        "https://x.vn",
        "a@b.vn",
        "km2",
        "&#91;",
        "2016-17",
        "the",
        "và",
        "Apple",
        ".",
        ",",
        " ",
        "9" * 400,
        "—",
        "😀",
        "\u200b",
        "Ỹ",
    ]
)
_TEXTS = st.lists(st.one_of(_PIECES, st.text(max_size=5)), max_size=12).map(" ".join)


@given(source=_TEXTS, target=_TEXTS)
def test_any_pair_gets_flags_of_known_checks(source: str, target: str) -> None:
    flags = check_pair(source, target)
    assert all(flag.check in CHECKS and flag.reason for flag in flags)


def test_one_check_gives_one_pair_at_most_max_reasons_flags() -> None:
    """A pathological pair (thousands of numbers) cannot flood the corpus and the manifest."""
    from translate.qa import MAX_REASONS

    source = " ".join(f"{n}.000 đồng" for n in range(1, 40))
    flags = check_pair(source, "Nothing here.", checks=["numbers"])
    assert len(flags) == MAX_REASONS == 5
    assert [f.check for f in flags] == ["numbers"] * 5
    assert flags[-1].reason == "and 35 more"
