"""translate.align: exact links on small documents, anchors, invariants, the benchmark."""

from __future__ import annotations

import importlib.util
import os
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import SHARED
from translate.align import AlignSettings, align_sentences
from translate.align.anchors import english_anchors, hits, vietnamese_anchors
from translate.align.similarity import chrf, merge, ngrams

# An invented news item and its translation.
VI = [
    "Thủ tướng Anh Boris Johnson đến Hà Nội vào ngày 5 tháng 11.",
    "Ông gặp các lãnh đạo Việt Nam trong hai ngày.",
    "Hai bên ký 12 thỏa thuận trị giá 1,5 tỷ USD.",
    "Các thỏa thuận bao gồm năng lượng, giáo dục và y tế.",
    "Chuyến thăm kết thúc vào thứ Bảy.",
]
EN = [
    "British Prime Minister Boris Johnson arrived in Hanoi on November 5.",
    "He met Vietnamese leaders for two days.",
    "The two sides signed 12 agreements worth USD 1.5 billion.",
    "The agreements cover energy, education and health.",
    "The visit ended on Saturday.",
]
Pairs = list[tuple[tuple[int, ...], tuple[int, ...]]]


def _links(source: list[str], target: list[str], **options: object) -> Pairs:
    return [(link.source, link.target) for link in align_sentences(source, target, **options)]  # type: ignore[arg-type]


def _diagonal(n: int) -> Pairs:
    return [((k,), (k,)) for k in range(n)]


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        (VI, EN, _diagonal(5)),
        # Vietnamese 0 and 1 on one line: 1-2.
        (
            [VI[0] + " " + VI[1], *VI[2:]],
            EN,
            [((0,), (0, 1)), ((1,), (2,)), ((2,), (3,)), ((3,), (4,))],
        ),
        # English 1 and 2 on one line: 2-1.
        (
            VI,
            [EN[0], EN[1] + " " + EN[2], *EN[3:]],
            [((0,), (0,)), ((1, 2), (1,)), ((3,), (2,)), ((4,), (3,))],
        ),
        # The Vietnamese of English 2 is missing: 0-1.
        (
            VI[:2] + VI[3:],
            EN,
            [((0,), (0,)), ((1,), (1,)), ((), (2,)), ((2,), (3,)), ((3,), (4,))],
        ),
        # The English of Vietnamese 2 is missing: 1-0.
        (
            VI,
            EN[:2] + EN[3:],
            [((0,), (0,)), ((1,), (1,)), ((2,), ()), ((3,), (2,)), ((4,), (3,))],
        ),
        ([], [], []),  # nothing to align
        (VI[:2], [], [((0,), ()), ((1,), ())]),  # no English
        ([], EN[:2], [((), (0,)), ((), (1,))]),  # no Vietnamese
    ],
    ids=[
        "one-to-one",
        "vi-merge",
        "en-merge",
        "vi-missing",
        "en-missing",
        "empty",
        "no-en",
        "no-vi",
    ],
)
def test_exact_links(source: list[str], target: list[str], expected: Pairs) -> None:
    assert _links(source, target) == expected


def test_numbers_decide_between_sentences_of_equal_length() -> None:
    # Lengths alone cannot tell which English sentence lost its Vietnamese.
    source = ["Giá tăng 3,5% trong năm 2019.", "Giá giảm 10.000 đồng vào năm 2021."]
    target = [
        "Prices rose 3.5% in 2019.",
        "Prices fell 7.2% in 2020.",
        "Prices fell VND 10,000 in 2021.",
    ]
    assert _links(source, target) == [((0,), (0,)), ((), (1,)), ((1,), (2,))]


def test_a_link_never_spans_a_source_paragraph() -> None:
    target = [EN[0], EN[1] + " " + EN[2], *EN[3:]]
    free = _links(VI, target)
    held = _links(VI, target, source_paragraphs=[0, 0, 1, 1, 1])
    assert ((1, 2), (1,)) in free
    assert all(not ({1, 2} <= set(source)) for source, _ in held)


def test_paragraph_breaks_on_both_sides_place_a_deletion() -> None:
    source = [
        "Trời hôm nay rất đẹp và mát mẻ.",
        "Mọi người đi dạo trong công viên.",
        "Trẻ em chơi đùa bên hồ nước.",
        "Buổi chiều có một cơn mưa nhỏ.",
    ]
    target = [
        "The weather is very nice and cool today.",
        "People walk in the park.",
        "Children play by the lake.",
        "Extra sentence here ok.",
        "There was a light rain in the afternoon.",
    ]
    assert _links(source, target)[3:] == [((3,), (3,)), ((), (4,))]
    assert _links(
        source, target, source_paragraphs=[0, 0, 1, 1], target_paragraphs=[0, 0, 1, 1, 1]
    ) == [((0,), (0,)), ((1,), (1,)), ((2,), (2,)), ((), (3,)), ((3,), (4,))]


def test_translations_decide_where_lengths_and_anchors_cannot() -> None:
    source = ["Con mèo ngủ trên ghế.", "Con chó chạy ngoài sân."]
    target = [
        "The cat sleeps on the chair.",
        "A bird sings in the tree.",
        "The dog runs in the yard.",
    ]
    translations = ["The cat sleeps on a chair.", "The dog runs in a yard."]
    assert _links(source, target, translations=translations) == [
        ((0,), (0,)),
        ((), (1,)),
        ((1,), (2,)),
    ]


def _long_document(count: int) -> tuple[list[str], list[str], Pairs]:
    source: list[str] = []
    target: list[str] = []
    expected: Pairs = []
    for x in range(count):
        vi = VI[x % 5][:-1] + f" (mục {x})."
        en = EN[x % 5][:-1] + f" (item {x})."
        if x % 97 == 3:
            source.append(vi)
            expected.append(((len(source) - 1,), ()))
        elif x % 89 == 7:
            target.append(en)
            expected.append(((), (len(target) - 1,)))
        else:
            source.append(vi)
            target.append(en)
            expected.append(((len(source) - 1,), (len(target) - 1,)))
    return source, target, expected


def test_a_long_document_stays_in_band_and_is_aligned_exactly() -> None:
    # 600 sentences: the band's centre comes from the coarse alignment of blocks.
    source, target, expected = _long_document(600)
    assert _links(source, target) == expected


@pytest.mark.slow
def test_a_long_document_of_2000_sentences() -> None:
    source, target, expected = _long_document(2000)
    assert _links(source, target) == expected


def test_scores_are_probabilities_and_a_bad_pair_scores_low() -> None:
    links = align_sentences(VI, EN)
    assert all(0.5 < link.score <= 1.0 for link in links)
    forced = AlignSettings(priors={"1-1": 1.0})
    (link,) = align_sentences([VI[2]], [EN[4]], settings=forced)
    assert link.score < 0.01


def test_settings_change_the_link_kinds() -> None:
    no_merges = AlignSettings(priors={"1-1": 0.9, "1-0": 0.05, "0-1": 0.05})
    links = _links([VI[0] + " " + VI[1]], EN[:2], settings=no_merges)
    assert all(len(s) <= 1 and len(t) <= 1 for s, t in links)


@pytest.mark.parametrize(
    ("name", "values"),
    [("translations", ["x"]), ("source_paragraphs", [0]), ("target_paragraphs", [0, 0, 0])],
)
def test_lists_with_one_item_per_sentence_are_checked(name: str, values: list[object]) -> None:
    with pytest.raises(ValueError, match=f"^{name} has"):
        align_sentences(VI[:2], EN[:2], **{name: values})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("vi", "en", "shared"),
    [
        ("10.000 người", "10,000 people", {"n:10000"}),
        ("tăng 3,5%", "up 3.5%", {"n:3.5"}),
        ("1,5 triệu USD", "USD 1.5 million", {"n:1500000", "w:USD"}),
        ("ngày 5 tháng 11", "on November 5", {"n:5", "m:11"}),
        ("vào thứ Bảy", "on Saturday", {"d:7"}),
        # "Hoa" could be a Vietnamese syllable: not a name key.
        ("ông Warren và bà Hoa", "Mr Warren and Ms Hoa", {"w:Warren"}),
        (
            "xem https://vi2en.example/a.",
            "see https://vi2en.example/a",
            {"u:https://vi2en.example/a"},
        ),
        ("“Có” (ông nói)", '"Yes" (he said)', {"p:quote", "p:paren"}),
    ],
    ids=["thousands", "decimal", "scale", "month", "weekday", "names", "url", "punctuation"],
)
def test_anchors_that_survive_translation(vi: str, en: str, shared: set[str]) -> None:
    keys = vietnamese_anchors(vi).keys
    assert shared <= keys
    assert hits(keys, english_anchors(en)) == len(keys)


def test_plain_vietnamese_syllables_are_not_names() -> None:
    assert vietnamese_anchors("Ông Warren và bà Hoa ở Nam Định, GDP tăng").keys == {
        "w:Warren",
        "w:GDP",
    }


def test_chrf_is_one_for_the_same_text_and_zero_for_disjoint_text() -> None:
    assert chrf(ngrams("the cat sat"), ngrams("the cat sat")) == pytest.approx(1.0)
    assert chrf(ngrams("aaaa"), ngrams("bbbb")) == 0.0
    assert chrf(merge([ngrams("ab"), ngrams("cd")]), ngrams("abcd")) < 1.0


_WORDS = st.sampled_from(["Hà Nội", "Mỹ", "12", "ông", "bà", "Trump", "tăng", "3,5", "nói", "năm"])
_SENTENCES = st.lists(st.lists(_WORDS, min_size=1, max_size=12).map(" ".join), max_size=25)


@settings(max_examples=60, deadline=None)
@given(source=_SENTENCES, target=_SENTENCES, data=st.data())
def test_links_cover_both_sides_once_in_order(
    source: list[str], target: list[str], data: st.DataObject
) -> None:
    breaks = data.draw(st.lists(st.booleans(), min_size=len(source), max_size=len(source)))
    paragraphs = [sum(breaks[: k + 1]) for k in range(len(source))]
    links = align_sentences(source, target, source_paragraphs=paragraphs)
    assert [i for link in links for i in link.source] == list(range(len(source)))
    assert [j for link in links for j in link.target] == list(range(len(target)))
    assert all(link.source or link.target for link in links)
    assert all(len({paragraphs[i] for i in link.source}) <= 1 for link in links)
    assert all(0.0 <= link.score <= 1.0 for link in links)


def test_a_long_unrelated_pair_with_paragraphs_still_covers_both_sides() -> None:
    # 300 against 260 sentences with nothing in common: the band widens, the coarse
    # alignment ignores paragraphs, the fine one keeps them.
    rng = random.Random(5)
    words = ["Hà Nội", "12", "ông", "Trump", "tăng", "nói", "năm", "the", "cat", "2020"]
    source = [" ".join(rng.choices(words, k=rng.randint(1, 20))) for _ in range(300)]
    target = [" ".join(rng.choices(words, k=rng.randint(1, 20))) for _ in range(260)]
    paragraphs = sorted(rng.randrange(40) for _ in range(300))
    links = align_sentences(source, target, source_paragraphs=paragraphs)
    assert [i for link in links for i in link.source] == list(range(300))
    assert [j for link in links for j in link.target] == list(range(260))
    assert all(len({paragraphs[i] for i in link.source}) <= 1 for link in links)


# --- the benchmark (needs ../shared) -----------------------------------------------------

_SHARED = Path(os.environ.get("VI2EN_SHARED", SHARED))
_BENCH = _SHARED / "data" / "alignment" / "docs"


@pytest.mark.skipif(not _BENCH.is_dir(), reason="needs ../shared (data/alignment)")
def test_the_alignment_benchmark_scores_above_the_goal() -> None:
    spec = importlib.util.spec_from_file_location("align_score", _SHARED / "tools/align_score.py")
    assert spec and spec.loader
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    pairs = []
    for gold in sorted(_BENCH.glob("*.gold"))[:40]:
        vi = gold.with_suffix(".vi").read_text("utf-8").splitlines()
        en = gold.with_suffix(".en").read_text("utf-8").splitlines()
        pairs.append((scorer.read_links(gold), _links(vi, en)))
    assert scorer.score(pairs, False)["strict_f1"] >= 0.95
