"""The shared machinery above the backends, on the deterministic fake backend."""

from __future__ import annotations

import itertools
import unicodedata
from pathlib import Path

import pytest

from translate.backends import BackendSettings, DecodingOptions
from translate.backends.base import Hypothesis, ResolvedDecoding
from translate.backends.fake import FakeBackend
from translate.errors import Interrupted
from translate.memory import TranslationMemory, normalise_source
from translate.translator import (
    PREPROCESS_VERSION,
    Translator,
    has_ngram_loop,
    is_copy_through,
    make_batches,
    split_long,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hà Nội là thủ đô.", False),
        ("10.000", True),  # a number alone
        ("3,5 %", True),
        ("...", True),  # lone punctuation
        ("https://vnexpress.net/abc-123.html", True),
        ("www.catp.danang.gov.vn", True),
        ("toasoan@vnexpress.net", True),
        ("Xem thêm: vnexpress.net", False),  # words around a domain are text
        ("😀", True),  # emoji has no letters
        ("", True),
    ],
    ids=[
        "sentence",
        "number",
        "decimal",
        "dots",
        "url",
        "domain",
        "email",
        "label-domain",
        "emoji",
        "empty",
    ],
)
def test_copy_through(text: str, expected: bool) -> None:
    assert is_copy_through(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the the the the", True),
        ("the the the", False),  # three is not yet a loop
        ("of the of the of the of the", True),
        ("a of the of the of the of the b", True),  # starts off the n-gram grid
        ("a b c d a b c d a b c d a b c d", True),
        ("Hanoi is the capital of Vietnam.", False),
        ("", False),
    ],
    ids=["unigram", "three", "bigram", "shifted-bigram", "four-gram", "normal", "empty"],
)
def test_ngram_loop(text: str, expected: bool) -> None:
    assert has_ngram_loop(text) is expected


def test_split_long_prefers_clause_boundaries() -> None:
    text = "aaa bbb, ccc ddd; eee fff, ggg hhh"
    pieces = split_long(text, lambda t: len(t) <= 20)
    assert pieces == ["aaa bbb, ccc ddd;", "eee fff, ggg hhh"]


def test_split_long_keeps_every_character() -> None:
    text = "một hai ba bốn năm sáu bảy tám chín mười " * 30
    pieces = split_long(text.strip(), lambda t: len(t) <= 50)
    assert all(len(p) <= 50 for p in pieces)
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "")


def test_split_long_without_spaces() -> None:
    pieces = split_long("x" * 100, lambda t: len(t) <= 30)
    assert "".join(pieces) == "x" * 100
    assert all(len(p) <= 30 for p in pieces)


def test_make_batches_respects_budget_and_size() -> None:
    lengths = [5, 50, 3, 10, 10, 40, 2]
    batches = make_batches(lengths, max_tokens=60, max_size=3)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) <= 3
        assert len(batch) == 1 or len(batch) * max(lengths[i] for i in batch) <= 60
    # Sorted by length: every batch's longest is no longer than the next batch's shortest.
    for first, second in itertools.pairwise(batches):
        assert max(lengths[i] for i in first) <= min(lengths[i] for i in second)


def fake_translator(**kwargs: object) -> tuple[Translator, FakeBackend]:
    backend = FakeBackend(**kwargs)  # type: ignore[arg-type]
    return Translator(backend=backend, max_batch_size=2), backend


def test_order_restored_and_duplicates_translated_once() -> None:
    translator, backend = fake_translator()
    sentences = ["ba bốn năm", "một", "hai ba", "một", "2024", "ba bốn năm"]
    out = translator.translate(sentences)
    assert out == ["EN: BA BỐN NĂM", "EN: MỘT", "EN: HAI BA", "EN: MỘT", "2024", "EN: BA BỐN NĂM"]
    seen = [" ".join(t[:-1]) for batch in backend.calls for t in batch]
    assert sorted(seen) == sorted(["ba bốn năm", "một", "hai ba"])  # once each, no number
    assert translator.stats.copied == 1
    assert translator.stats.duplicates == 2


def test_batches_are_sorted_by_length() -> None:
    translator, backend = fake_translator()
    translator.translate(["a b c d e", "a", "a b c", "a b"])
    lengths = [len(t) for batch in backend.calls for t in batch]
    assert lengths == sorted(lengths)


def test_long_sentence_is_split_not_truncated(caplog: pytest.LogCaptureFixture) -> None:
    translator, backend = fake_translator(max_input_tokens=6)
    sentence = "một hai ba, bốn năm sáu, bảy tám chín, mười mười một"
    [out] = translator.translate([sentence])
    assert out == "EN: MỘT HAI BA, EN: BỐN NĂM SÁU, EN: BẢY TÁM CHÍN, EN: MƯỜI MƯỜI MỘT"
    assert all(len(t) <= 6 for batch in backend.calls for t in batch)
    assert translator.stats.split_long == 1
    assert "exceeds the model's limit" in caplog.text


def test_memory_answers_second_run_without_model(tmp_path: Path) -> None:
    memory = TranslationMemory(tmp_path / "tm.sqlite")
    first, backend = fake_translator()
    first.memory = memory
    first.translate(["một hai", "ba"])
    assert backend.calls
    second, backend2 = fake_translator()
    second.memory = memory
    assert second.translate(["ba", "một  hai"]) == ["EN: BA", "EN: MỘT HAI"]
    assert backend2.calls == []
    assert second.stats.memory_hits == 2


@pytest.mark.parametrize(
    "decoding",
    [DecodingOptions(beams=1), DecodingOptions(redecode_loops=True)],
    ids=["beams", "redecode-loops"],
)
def test_memory_is_keyed_by_decoding_options(tmp_path: Path, decoding: DecodingOptions) -> None:
    memory = TranslationMemory(tmp_path / "tm.sqlite")
    first, _ = fake_translator()
    first.memory = memory
    first.translate(["một"])
    other, backend = fake_translator()
    other.memory = memory
    other.decoding = decoding
    other.translate(["một"])
    assert backend.calls  # other settings (--redecode-loops too): not a hit


def test_normalise_source() -> None:
    decomposed = unicodedata.normalize("NFD", "Hà Nội")
    assert normalise_source(f" {decomposed}\u200b\u00a0 là ") == "Hà Nội là"


def test_stop_keeps_finished_batches_in_memory(tmp_path: Path) -> None:
    memory = TranslationMemory(tmp_path / "tm.sqlite")
    translator, _backend = fake_translator()
    translator.memory = memory
    calls = {"n": 0}

    def check_stop() -> None:
        calls["n"] += 1
        if calls["n"] > 1:
            raise Interrupted(2)

    translator.check_stop = check_stop
    with pytest.raises(Interrupted):
        translator.translate(["a", "b", "c d", "e f", "g h i"])
    assert len(memory) == 2  # the first batch of two


def test_redecode_loops() -> None:
    class Looping(FakeBackend):
        def translate_batch(self, batch, decoding: ResolvedDecoding):  # type: ignore[no-untyped-def]
            self.calls.append([list(t) for t in batch])
            word = "ok" if decoding.no_repeat_ngram_size else "la la la la la"
            return [word for _ in batch]

    backend = Looping()
    translator = Translator(backend=backend, decoding=DecodingOptions(redecode_loops=True))
    assert translator.translate(["xin chào"]) == ["ok"]
    assert translator.stats.loops_flagged == 1


@pytest.mark.slow
def test_megabyte_paragraph_without_punctuation_is_translated_whole() -> None:
    from translate.pipeline import Pipeline
    from translate.readers import read_text

    words = ["một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
    text = " ".join(f"{words[i % 9]}{i}" for i in range(120_000))  # ~1 MB, one "sentence"
    pipeline = Pipeline(Translator(backend=FakeBackend(max_input_tokens=512)))
    [pair] = pipeline.translate_document(read_text(text)).pairs
    assert pair.source == text
    # Every piece fits the model: at least words / 511 pieces, each translated.
    assert pair.target.count("EN:") >= 120_000 // 511
    assert pipeline.translator.stats.split_long == 1
    assert pair.target.replace("EN: ", "").split() == [w.upper() for w in text.split()]


def _is_plain_json(value: object) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_plain_json(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_is_plain_json(v) for v in value)
    return value is None or isinstance(value, str | int | float | bool)


def test_same_model_spelled_four_ways_is_one_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import ROOT, TINY_MODEL

    monkeypatch.chdir(ROOT)
    spellings = ["models/tiny-vi-en", "./models/tiny-vi-en", "models/tiny-vi-en/", str(TINY_MODEL)]
    translators = [Translator(name) for name in spellings]
    configurations = [t.configuration() for t in translators]
    assert all(c == configurations[0] for c in configurations)
    assert len({t.namespace() for t in translators}) == 1
    assert not any("tiny-vi-en" in str(value) for value in configurations[0].values())


def test_configuration_is_structured_json() -> None:
    from tests.conftest import TINY_MODEL

    configuration = Translator(str(TINY_MODEL)).configuration()
    assert _is_plain_json(configuration)
    assert configuration["preprocess"] == PREPROCESS_VERSION
    assert configuration["decoding"] == {
        "beams": 4,
        "max_length": 64,
        "max_length_ratio": 3.0,
        "min_length": 0,
        "no_repeat_ngram_size": 0,
        "redecode_loops": False,
    }


@pytest.mark.parametrize(
    "change",
    [
        {"decoding": DecodingOptions(redecode_loops=True)},
        {"decoding": DecodingOptions(beams=2)},
        {"decoding": DecodingOptions(max_length=10)},
        {"decoding": DecodingOptions(max_length_ratio=1.5)},
        {"decoding": DecodingOptions(min_length=3)},
        {"settings": BackendSettings(backend="transformers", device="cpu")},
        {"settings": BackendSettings(backend="ctranslate2", device="cpu", compute_type="float32")},
    ],
    ids=["redecode-loops", "beams", "max-length", "ratio", "min-length", "backend", "compute-type"],
)
def test_every_output_changing_option_changes_configuration_and_namespace(
    change: dict[str, object],
) -> None:
    from tests.conftest import TINY_MODEL

    base = Translator(str(TINY_MODEL), settings=BackendSettings(device="cpu"))
    other = Translator(str(TINY_MODEL), **change)  # type: ignore[arg-type]
    assert other.configuration() != base.configuration()
    assert other.namespace() != base.namespace()


@pytest.mark.parametrize(
    "change",
    [
        {"settings": BackendSettings(device="cpu", threads=1)},
        {"max_batch_size": 1},
        {"max_batch_tokens": 64},
    ],
    ids=["threads", "batch-size", "batch-tokens"],
)
def test_options_that_do_not_change_outputs_keep_the_namespace(change: dict[str, object]) -> None:
    from tests.conftest import TINY_MODEL

    base = Translator(str(TINY_MODEL), settings=BackendSettings(device="cpu"))
    other = Translator(str(TINY_MODEL), **{"settings": BackendSettings(device="cpu"), **change})  # type: ignore[arg-type]
    assert other.namespace() == base.namespace()


def test_preprocess_version_is_in_the_namespace(monkeypatch: pytest.MonkeyPatch) -> None:
    import translate.translator

    translator, _ = fake_translator()
    before = translator.namespace()
    monkeypatch.setattr(translate.translator, "PREPROCESS_VERSION", "next")
    translator, _ = fake_translator()
    assert translator.configuration()["preprocess"] == "next"
    assert translator.namespace() != before


class Scoring(FakeBackend):
    """The fake backend with a score: minus a tenth of the source's word count."""

    def translate_batch(self, batch, decoding: ResolvedDecoding):  # type: ignore[no-untyped-def]
        return [
            Hypothesis(h.text, h.hit_max_length, -(len(t) - 1) / 10)
            for h, t in zip(super().translate_batch(batch, decoding), batch, strict=True)
        ]


class Looping(FakeBackend):
    """Loops on every sentence holding ``lặp``; with ``no_repeat_ngram_size`` only if ``mãi``."""

    def translate_batch(self, batch, decoding: ResolvedDecoding):  # type: ignore[no-untyped-def]
        outputs = super().translate_batch(batch, decoding)
        return [
            Hypothesis("la la la la la")
            if "lặp" in tokens and ("mãi" in tokens or not decoding.no_repeat_ngram_size)
            else output
            for output, tokens in zip(outputs, batch, strict=True)
        ]


@pytest.mark.parametrize(
    ("backend", "decoding", "sentence", "expected"),
    [
        (FakeBackend(), DecodingOptions(), "xin chào", ("EN: XIN CHÀO", "mt", ())),
        (FakeBackend(), DecodingOptions(), "2024", ("2024", "copy", ())),
        (
            FakeBackend(),
            DecodingOptions(),
            " https://vnexpress.net ",
            ("https://vnexpress.net", "copy", ()),
        ),
        (
            FakeBackend(max_input_tokens=4),
            DecodingOptions(),
            "một hai ba, bốn năm sáu",
            ("EN: MỘT HAI BA, EN: BỐN NĂM SÁU", "mt", ("split_long",)),
        ),
        (
            FakeBackend(),
            DecodingOptions(max_length=3),
            "một hai ba bốn",
            ("EN: MỘT HAI", "mt", ("hit_max_length",)),
        ),
        (FakeBackend(), DecodingOptions(max_length=3), "một hai", ("EN: MỘT HAI", "mt", ())),
        (Looping(), DecodingOptions(), "lặp lại", ("la la la la la", "mt", ("loop",))),
        (
            Looping(),
            DecodingOptions(redecode_loops=True),
            "lặp lại",
            ("EN: LẶP LẠI", "mt", ("redecoded",)),
        ),
        (
            Looping(),
            DecodingOptions(redecode_loops=True),
            "lặp mãi",
            ("la la la la la", "mt", ("redecoded", "loop")),
        ),
        (
            Looping(max_input_tokens=3),
            DecodingOptions(max_length=2),
            "lặp một hai, ba bốn",
            ("la la la la la EN: HAI, EN: BA", "mt", ("split_long", "hit_max_length", "loop")),
        ),
    ],
    ids=[
        "mt",
        "copy-number",
        "copy-url",
        "split-long",
        "hit-max-length",
        "under-max-length",
        "loop",
        "redecoded-fixed",  # re-decoding fixed the loop: no "loop"
        "redecoded-still-loops",
        "flags-in-order",  # one piece loops, the other is cut at the cap
    ],
)
def test_each_sentence_says_where_it_came_from_and_what_looks_wrong(
    backend: FakeBackend,
    decoding: DecodingOptions,
    sentence: str,
    expected: tuple[str, str, tuple[str, ...]],
) -> None:
    translator = Translator(backend=backend, decoding=decoding)
    [result] = translator.translate_detailed([sentence])
    assert (result.text, result.origin, result.flags) == expected
    assert result.score is None  # the fake backend gives none


def test_flags_concern_their_sentence_only_and_stats_count_as_before() -> None:
    translator = Translator(backend=Looping(max_input_tokens=4), max_batch_size=2)
    results = translator.translate_detailed(
        ["một hai", "lặp lại", "ba bốn năm, sáu bảy", "2024", "lặp lại", "tám"]
    )
    assert [r.flags for r in results] == [(), ("loop",), ("split_long",), (), ("loop",), ()]
    assert [r.origin for r in results] == ["mt", "mt", "mt", "copy", "mt", "mt"]
    assert results[4] is results[1]  # a duplicate gets its first occurrence's result
    stats = translator.stats
    counts = (stats.sentences, stats.copied, stats.duplicates, stats.translated)
    assert counts == (6, 1, 1, 4)
    assert (stats.split_long, stats.loops_flagged) == (1, 1)


def test_translate_gives_the_texts_of_translate_detailed() -> None:
    sentences = ["một hai", "lặp lại", "2024", "một  hai"]
    detailed = Translator(backend=Looping()).translate_detailed(sentences)
    assert Translator(backend=Looping()).translate(sentences) == [r.text for r in detailed]


def test_memory_hit_has_origin_memory_and_no_flags(tmp_path: Path) -> None:
    memory = TranslationMemory(tmp_path / "tm.sqlite")
    first = Translator(backend=Scoring(), decoding=DecodingOptions(max_length=3), memory=memory)
    [fresh] = first.translate_detailed(["một hai ba bốn"])
    assert (fresh.origin, fresh.flags, fresh.score) == ("mt", ("hit_max_length",), -0.4)
    second = Translator(backend=Scoring(), decoding=DecodingOptions(max_length=3), memory=memory)
    [hit] = second.translate_detailed(["một hai ba bốn"])
    # The memory keeps only the text: how the model's translation came about is not known.
    assert (hit.text, hit.origin, hit.flags, hit.score) == (fresh.text, "memory", (), None)


@pytest.mark.parametrize(
    ("backend", "expected"),
    [
        (Scoring(), [-0.2, None, -0.4]),
        # Split into pieces of 1 and 3 words: the mean of -0.1 and -0.3.
        (Scoring(max_input_tokens=4), [-0.2, None, pytest.approx(-0.2)]),
        (FakeBackend(max_input_tokens=4), [None, None, None]),
    ],
    ids=["whole", "split-mean", "no-score"],
)
def test_score_passes_through_from_the_backend(
    backend: FakeBackend, expected: list[float | None]
) -> None:
    results = Translator(backend=backend).translate_detailed(["một hai", "10", "một, hai ba bốn"])
    assert [r.score for r in results] == expected


def test_split_sentence_has_no_score_if_a_piece_has_none() -> None:
    class Partly(Scoring):
        def translate_batch(self, batch, decoding: ResolvedDecoding):  # type: ignore[no-untyped-def]
            return [
                Hypothesis(h.text, h.hit_max_length, None if len(t) == 2 else h.score)
                for h, t in zip(super().translate_batch(batch, decoding), batch, strict=True)
            ]

    [result] = Translator(backend=Partly(max_input_tokens=4)).translate_detailed(
        ["một, hai ba bốn"]
    )
    assert (result.flags, result.score) == (("split_long",), None)


def test_a_backend_that_returns_strings_gives_results_without_flags() -> None:
    class Strings(FakeBackend):
        def translate_batch(self, batch, decoding: ResolvedDecoding):  # type: ignore[no-untyped-def]
            return [h.text for h in super().translate_batch(batch, decoding)]

    translator = Translator(backend=Strings(), decoding=DecodingOptions(max_length=2))
    [result] = translator.translate_detailed(["một hai ba"])
    assert (result.text, result.flags, result.score) == ("EN: MỘT", (), None)


@pytest.mark.parametrize("backend", ["ctranslate2", "transformers"])
def test_a_translation_does_not_depend_on_the_sentences_batched_with_it(backend: str) -> None:
    """A batch is decoded up to the cap of its longest source; the tiny model runs into it.

    So batches hold sentences of one cap: translated together, alone, or in
    another order (a resumed run, a Ray worker), each sentence gets the same text.
    """
    from tests.conftest import ROOT, TINY_MODEL

    lines = (ROOT / "tests/data/sample/ntrex-article.vi.txt").read_text("utf-8").splitlines()
    sentences = [f"Bài số {n}." for n in range(150, 160)] + [s for s in lines if s.strip()][:4]
    options = {
        "settings": BackendSettings(backend=backend, device="cpu"),
        "decoding": DecodingOptions(max_length_ratio=0.5),  # caps of 12 to 40 tokens here
    }
    together = Translator(str(TINY_MODEL), **options).translate_detailed(sentences)  # type: ignore[arg-type]
    alone = [
        Translator(str(TINY_MODEL), **options).translate_detailed([s])[0]  # type: ignore[arg-type]
        for s in sentences
    ]
    assert sum("hit_max_length" in t.flags for t in together) >= 5  # the case that needs it
    assert [t.text for t in together] == [t.text for t in alone]
