"""Aligned segments: their JSON form, and the n:m alignments a document may hold."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from translate.backends import DecodingOptions
from translate.backends.fake import FakeBackend
from translate.memory import TranslationMemory
from translate.pipeline import Pipeline, align, aligned_document
from translate.readers import read_text
from translate.records import (
    ORIGINS,
    AlignedSegment,
    Document,
    DocumentFailure,
    Flag,
    Sentence,
    TranslatedDocument,
    Translation,
)
from translate.translator import Translator

# --- to_dict / from_dict ---------------------------------------------------------------

OLD_RECORD = {  # a jsonl line or part of 0.2: no field after "end"
    "doc_id": "a.txt",
    "paragraph": 1,
    "sentence": 2,
    "source": "Câu.",
    "target": "Sentence.",
    "start": 5,
    "end": 9,
}

segments = st.builds(
    AlignedSegment,
    doc_id=st.text(),
    paragraph=st.integers(0, 10**6),
    sentence=st.integers(0, 10**6),
    source=st.text(),
    target=st.text(),
    start=st.integers(0, 10**9),
    end=st.integers(0, 10**9),
    source_count=st.integers(0, 5),
    target_ids=st.lists(st.integers(0, 10**6), max_size=4).map(tuple),
    origin=st.sampled_from(ORIGINS),
    score=st.none() | st.floats(allow_nan=False),
    flags=st.lists(st.builds(Flag, st.text(), st.text()), max_size=3).map(tuple),
)


@given(segments)
def test_a_segment_round_trips_through_json(segment: AlignedSegment) -> None:
    data = json.loads(json.dumps(segment.to_dict(), ensure_ascii=False))
    assert AlignedSegment.from_dict(data) == segment


def test_to_dict_holds_every_field_in_field_order() -> None:
    segment = AlignedSegment("d", 0, 0, "a", "b", 0, 1, flags=(Flag("loop", "x x x"),), score=-0.5)
    assert list(segment.to_dict()) == [f.name for f in dataclasses.fields(AlignedSegment)]
    # JSON values: lists, not tuples
    assert segment.to_dict()["flags"] == [{"check": "loop", "reason": "x x x"}]


def test_a_record_of_0_2_is_a_one_to_one_machine_translation() -> None:
    segment = AlignedSegment.from_dict(OLD_RECORD)
    assert segment == AlignedSegment("a.txt", 1, 2, "Câu.", "Sentence.", 5, 9)
    assert (segment.source_count, segment.target_ids, segment.origin) == (1, (), "mt")
    assert (segment.score, segment.flags, segment.one_to_one) == (None, (), True)


def test_an_integer_score_is_read_as_a_float() -> None:
    score = AlignedSegment.from_dict({**OLD_RECORD, "score": -1}).score
    assert score == -1.0 and isinstance(score, float)


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"paragraph": "1"}, TypeError, "'paragraph' has the wrong type"),
        ({"sentence": True}, TypeError, "'sentence' has the wrong type"),  # JSON true is no count
        ({"target": None}, TypeError, "'target' has the wrong type"),
        ({"start": 1.0}, TypeError, "'start' has the wrong type"),
        ({"flags": "loop"}, TypeError, "'flags' has the wrong type"),  # a string, not a list
        ({"flags": [1]}, TypeError, "'flags' has the wrong type"),
        ({"flags": [{"check": 1}]}, TypeError, "a flag is"),
        ({"flags": [{"check": "x", "why": "y"}]}, TypeError, "a flag is"),
        ({"target_ids": [0, "1"]}, TypeError, "'target_ids' has the wrong type"),
        ({"score": "0.5"}, TypeError, "'score' has the wrong type"),
        ({"source_count": None}, TypeError, "'source_count' has the wrong type"),
        ({"origin": 1}, TypeError, "'origin' has the wrong type"),
        ({"end": -1}, ValueError, "cannot be negative"),
        ({"target_ids": [-1]}, ValueError, "cannot be negative"),
        ({"origin": "human"}, ValueError, "origin 'human' is not one of"),
        ({"extra": 1}, ValueError, "unknown segment field"),
        ({"end": None, "drop": "end"}, TypeError, "'end' is missing"),
    ],
    ids=[
        "paragraph-str",
        "sentence-bool",
        "target-null",
        "start-float",
        "flags-str",
        "flags-int",
        "flag-check-int",
        "flag-unknown-key",
        "target-ids-str",
        "score-str",
        "source-count-null",
        "origin-int",
        "negative-end",
        "negative-target-id",
        "unknown-origin",
        "unknown-field",
        "missing-end",
    ],
)
def test_a_malformed_record_is_refused(
    change: dict[str, Any], error: type[Exception], message: str
) -> None:
    data = {**OLD_RECORD, **change}
    data.pop(str(data.pop("drop", "")), None)
    with pytest.raises(error, match=message):
        AlignedSegment.from_dict(data)


# --- align and aligned_document ----------------------------------------------------------

PARAGRAPHS = ("Một. Hai. Ba.", "Bốn. Năm.")
DOCUMENT = Document("d", PARAGRAPHS, "/in/d", "d", "hash")
SENTENCES = [
    Sentence("d", 0, 0, "Một.", 0, 4),
    Sentence("d", 0, 1, "Hai.", 5, 9),
    Sentence("d", 0, 2, "Ba.", 10, 13),
    Sentence("d", 1, 0, "Bốn.", 0, 4),
    Sentence("d", 1, 1, "Năm.", 5, 9),
]

Link = tuple[int, int, int, list[int]]  # paragraph, sentence, source count, target ids


def segment(paragraph: int, sentence: int, count: int, targets: list[int]) -> AlignedSegment:
    """The segment of ``count`` sentences from (paragraph, sentence), with consistent texts."""
    index = next(
        (i for i, s in enumerate(SENTENCES) if (s.paragraph, s.index) >= (paragraph, sentence)),
        len(SENTENCES),
    )
    held = SENTENCES[index : index + count]
    if held:
        source, start, end = " ".join(s.text for s in held), held[0].start, held[-1].end
    else:  # 0:1 sits before the sentence at its position, or at its paragraph's end
        following = SENTENCES[index] if index < len(SENTENCES) else None
        if following is not None and following.paragraph == paragraph:
            start = following.start
        else:
            start = len(PARAGRAPHS[paragraph]) if paragraph < len(PARAGRAPHS) else 0
        source, end = "", start
    target = " ".join(f"T{t}." for t in targets)
    return AlignedSegment(
        "d", paragraph, sentence, source, target, start, end, count, tuple(targets), "aligned"
    )


def build(links: list[Link]) -> list[AlignedSegment]:
    return [segment(*link) for link in links]


@pytest.mark.parametrize(
    "links",
    [
        [(0, 0, 1, [0]), (0, 1, 1, [1]), (0, 2, 1, [2]), (1, 0, 1, [3]), (1, 1, 1, [4])],
        [(0, 0, 1, [0, 1]), (0, 1, 1, [2]), (0, 2, 1, [3]), (1, 0, 1, [4]), (1, 1, 1, [5, 6])],
        [(0, 0, 2, [0]), (0, 2, 1, [1]), (1, 0, 2, [2])],
        [(0, 0, 1, [0]), (0, 1, 1, []), (0, 2, 1, [1]), (1, 0, 1, []), (1, 1, 1, [2])],
        [(0, 0, 0, [0]), (0, 0, 1, [1]), (0, 1, 2, [2]), (0, 3, 0, [3]), (1, 0, 2, [4])],
        [(0, 0, 3, [0]), (1, 0, 0, [1]), (1, 0, 0, [2]), (1, 0, 2, [3]), (1, 2, 0, [4, 5])],
        [(0, 0, 3, []), (1, 0, 2, [])],  # every source sentence without a target
    ],
    ids=["1:1", "1:2", "2:1", "1:0", "0:1", "0:1-runs-and-end", "all-1:0"],
)
def test_n_to_m_alignments_are_accepted(links: list[Link]) -> None:
    segments = build(links)
    result = aligned_document(DOCUMENT, SENTENCES, segments)
    assert result.pairs == tuple(segments)
    assert len(result.translated_paragraphs()) == 2


@pytest.mark.parametrize(
    ("links", "message"),
    [
        (
            [(0, 0, 2, [0]), (0, 1, 2, [1]), (1, 0, 2, [2])],
            "segment 1 .* overlaps the segment before it: sentence 2 of paragraph 0 comes next",
        ),
        (
            [(0, 0, 1, [0]), (0, 2, 1, [1]), (1, 0, 2, [2])],
            "segment 1 .* leaves a gap: sentence 1 of paragraph 0 comes next",
        ),
        (
            [(0, 1, 1, [0]), (0, 0, 1, [1]), (0, 2, 1, [2]), (1, 0, 2, [3])],
            "segment 0 .* leaves a gap: sentence 0 of paragraph 0 comes next",
        ),
        (
            [(0, 0, 1, [1]), (0, 1, 1, [0]), (0, 2, 1, [2]), (1, 0, 2, [3])],
            "segment 0 .* target sentences \\[1\\] where target sentence 0 comes next",
        ),
        (
            [(0, 0, 1, [0]), (0, 1, 1, [0]), (0, 2, 1, [1]), (1, 0, 2, [2])],
            "segment 1 .* target sentences \\[0\\] where target sentence 1 comes next",
        ),
        (
            [(0, 0, 1, [0]), (0, 1, 1, [1]), (0, 2, 1, [2])],
            "no segment holds sentence 0 of paragraph 1 or the 1 after it",
        ),
        ([(0, 0, 2, [0]), (0, 2, 2, [1]), (1, 1, 1, [2])], "segment 1 .* spans two paragraphs"),
        ([(0, 0, 3, [0]), (1, 0, 3, [1])], "segment 1 .* holds 3 sentences but only 2 are left"),
        (
            [(0, 0, 3, [0]), (1, 0, 2, [1]), (1, 2, 1, [2])],
            "segment 2 .* starts after the last sentence",
        ),
        (
            [(0, 0, 3, [0]), (1, 0, 0, []), (1, 0, 2, [1])],
            "segment 1 .* has neither source nor target sentences",
        ),
        (
            [(0, 0, 1, [0]), (0, 0, 0, [1]), (0, 1, 2, [2]), (1, 0, 2, [3])],
            "segment 1 .* does not sit between the sentences before and after it",
        ),
        (
            [(0, 0, 3, [0]), (0, 4, 0, [1]), (1, 0, 2, [2])],  # paragraph 0 has 3 sentences
            "segment 1 .* does not sit between",
        ),
        (
            [(0, 0, 3, [0]), (1, 0, 2, [1]), (2, 0, 0, [2])],  # there is no paragraph 2
            "segment 2 .* does not sit between",
        ),
    ],
    ids=[
        "overlap",
        "gap",
        "out-of-order",
        "targets-out-of-order",
        "target-twice",
        "tail-missing",
        "across-paragraphs",
        "past-the-end",
        "after-the-end",
        "0:0",
        "0:1-inside-a-segment",
        "0:1-past-paragraph-end",
        "0:1-no-such-paragraph",
    ],
)
def test_alignments_that_do_not_cover_the_document_in_order_are_refused(
    links: list[Link], message: str
) -> None:
    with pytest.raises(ValueError, match=f"^d: {message}"):
        aligned_document(DOCUMENT, SENTENCES, build(links))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"source": "Một.  Hai."}, "source text or span that is not that of its sentences"),
        ({"end": 8}, "source text or span that is not that of its sentences"),
        ({"doc_id": "e"}, "belongs to document 'e'"),
        ({"origin": "human"}, "has origin 'human', not one of"),
    ],
    ids=["source-text", "span", "other-document", "origin"],
)
def test_a_segment_must_be_that_of_its_sentences(change: dict[str, Any], message: str) -> None:
    first, *rest = build([(0, 0, 2, [0]), (0, 2, 1, [1]), (1, 0, 2, [2])])
    with pytest.raises(ValueError, match=f"segment 0 .* {message}"):
        aligned_document(DOCUMENT, SENTENCES, [dataclasses.replace(first, **change), *rest])


def test_a_0_to_1_segment_has_no_source_text() -> None:
    first, *rest = build([(0, 0, 0, [0]), (0, 0, 3, [1]), (1, 0, 2, [2])])
    with pytest.raises(ValueError, match="no source sentences but a source text or span"):
        aligned_document(DOCUMENT, SENTENCES, [dataclasses.replace(first, source="x"), *rest])


# The checks that read the translator's signals: the text checks' reasons are not these tests'.
SIGNAL_CHECKS = ("truncated", "loop")


def test_align_makes_one_to_one_segments_that_keep_each_translation() -> None:
    translations = [
        Translation("One.", "mt", ("loop",), -0.5),
        Translation("Two.", "memory"),
        Translation("3.", "copy"),
        Translation("Four.", "mt", ("split_long", "hit_max_length")),
        Translation("Five."),
    ]
    result = align(DOCUMENT, SENTENCES, translations, checks=SIGNAL_CHECKS)
    assert [(p.paragraph, p.sentence, p.source, p.start, p.end) for p in result.pairs] == [
        (s.paragraph, s.index, s.text, s.start, s.end) for s in SENTENCES
    ]
    # The translator's flags become the QA checks' flags, with their reasons.
    assert [(p.target, p.origin, p.flags, p.score) for p in result.pairs] == [
        ("One.", "mt", (Flag("loop", "the translation repeats itself in a loop"),), -0.5),
        ("Two.", "memory", (), None),
        ("3.", "copy", (), None),
        (
            "Four.",
            "mt",
            (
                Flag("truncated", "the decoder stopped at the length cap"),
                Flag("truncated", "over the model's input limit: translated in pieces"),
            ),
            None,
        ),
        ("Five.", "mt", (), None),
    ]
    assert all(p.one_to_one and p.target_ids == () for p in result.pairs)
    assert result.translated_paragraphs() == ["One. Two. 3.", "Four. Five."]


def test_align_refuses_unequal_counts() -> None:
    with pytest.raises(ValueError, match="d: 5 sentences but 4 translations"):
        align(DOCUMENT, SENTENCES, [Translation("x")] * 4)


# --- the pipeline's segments -----------------------------------------------------------


def test_the_pipelines_segments_carry_origin_flags_and_score(tmp_path: Path) -> None:
    memory = TranslationMemory(tmp_path / "tm.sqlite")
    decoding = DecodingOptions(max_length=5)
    Translator(backend=FakeBackend(), decoding=decoding, memory=memory).translate(["Đã có."])
    document = read_text("Đã có. Một hai ba bốn năm sáu, bảy tám chín mười.\n2024\nNgắn. Đã có.")
    translator = Translator(
        backend=FakeBackend(max_input_tokens=8), decoding=decoding, memory=memory
    )
    [result] = Pipeline(translator, qa_checks=SIGNAL_CHECKS).translate_documents([document])
    assert isinstance(result, TranslatedDocument)
    assert [(p.source, p.origin, tuple(f.check for f in p.flags)) for p in result.pairs] == [
        ("Đã có.", "memory", ()),
        ("Một hai ba bốn năm sáu, bảy tám chín mười.", "mt", ("truncated", "truncated")),
        ("2024", "copy", ()),
        ("Ngắn.", "mt", ()),
        ("Đã có.", "memory", ()),
    ]


def test_segments_keep_their_flags_when_documents_are_retried_one_by_one() -> None:
    translator = Translator(
        backend=FakeBackend(fail_on=["hỏng."]), decoding=DecodingOptions(max_length=3)
    )
    documents = [read_text("Câu hỏng.", "bad"), read_text("Một hai ba bốn. Năm.", "good")]
    failure, good = Pipeline(translator, qa_checks=SIGNAL_CHECKS).translate_documents(documents)
    assert isinstance(failure, DocumentFailure) and isinstance(good, TranslatedDocument)
    assert [(p.target, tuple(f.check for f in p.flags)) for p in good.pairs] == [
        ("EN: MỘT HAI", ("truncated",)),
        ("EN: NĂM.", ()),
    ]
