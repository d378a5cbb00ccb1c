"""The real backends on the tiny real-format Marian model: loading, agreement, conversion cache,
and what each backend class says of its devices and precisions."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import pytest

from tests.backend_scores import assert_scores_agree
from tests.conftest import TINY_MODEL
from translate.backends import (
    Backend,
    BackendSettings,
    DecodingOptions,
    ResolvedSettings,
    choose_backend,
    load_backend,
    resolve_settings,
)
from translate.backends.base import Hypothesis, ResolvedDecoding, Tokens, read_generation_defaults
from translate.backends.tokenizers import AutoTokenizerAdapter, MarianSentencePiece, load_tokenizer
from translate.models import resolve_model
from translate.pipeline import Pipeline
from translate.readers import read_text
from translate.translator import Translator

ARTICLE = (
    "Giá xăng tăng mạnh\n"
    "Hà Nội là thủ đô của Việt Nam. Thành phố có hơn 8 triệu dân.\n"
    "GS.TS Nguyễn Văn A nói tại TP.HCM rằng 10.000 người đã tham gia. Ảnh: TTXVN\n"
    "1.234\n"
)
SENTENCES = [
    "Hà Nội là thủ đô của Việt Nam",
    "Thành phố có hơn tám triệu dân",
    "Giá vàng hôm nay tăng mạnh",
    "Người dân đổ xô đi mua sắm",
    "Bộ Y tế công bố số ca mắc mới",
    "Đội tuyển bóng đá giành chiến thắng",
]


def test_marian_tokenizer_matches_transformers() -> None:
    ours = MarianSentencePiece(TINY_MODEL)
    theirs = AutoTokenizerAdapter(TINY_MODEL)
    assert ours.tokenize(SENTENCES) == theirs.tokenize(SENTENCES)
    tokens = ours.tokenize(SENTENCES[:1])[0]
    assert tokens[-1] == "</s>"
    assert ours.token_ids(tokens) == theirs.token_ids(tokens)


def test_marian_tokenizer_normalises_punctuation() -> None:
    # opus-mt was trained on Moses-normalised text: typographic quotes become ASCII ones.
    tokens = load_tokenizer(TINY_MODEL).tokenize(["«Xin chào»"])[0]
    assert "«" not in "".join(tokens)


def test_generation_defaults_come_from_the_model_files() -> None:
    defaults = read_generation_defaults(TINY_MODEL)
    assert defaults["num_beams"] == 4
    assert defaults["max_length"] == 64


def test_auto_picks_ctranslate2_for_marian() -> None:
    assert choose_backend("auto", resolve_model(str(TINY_MODEL))) == "ctranslate2"


def translate_with(backend: str, compute_type: str = "auto", beams: int | None = 1) -> Pipeline:
    translator = Translator(
        str(TINY_MODEL),
        settings=BackendSettings(backend=backend, compute_type=compute_type, device="cpu"),
        decoding=DecodingOptions(beams=beams),
    )
    return Pipeline(translator)


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_backend_translates_a_document(backend: str) -> None:
    result = translate_with(backend).translate_document(read_text(ARTICLE, "a"))
    ids = [(p.paragraph, p.sentence) for p in result.pairs]
    assert ids == [(0, 0), (1, 0), (1, 1), (2, 0), (2, 1), (3, 0)]
    assert result.pairs[-1].target == "1.234"
    assert all(p.target.strip() for p in result.pairs)
    assert len(result.translated_paragraphs()) == 4


def test_backends_agree_on_ids_order_and_counts() -> None:
    one = translate_with("transformers", beams=None).translate_document(read_text(ARTICLE, "a"))
    two = translate_with("ctranslate2", beams=None).translate_document(read_text(ARTICLE, "a"))
    assert [(p.doc_id, p.paragraph, p.sentence, p.source, p.start, p.end) for p in one.pairs] == [
        (p.doc_id, p.paragraph, p.sentence, p.source, p.start, p.end) for p in two.pairs
    ]


def test_ctranslate2_float32_greedy_equals_transformers_greedy() -> None:
    text = (Path(__file__).parent / "data" / "sample" / "ntrex-article.vi.txt").read_text("utf-8")
    sentences = [line for line in text.splitlines() if line.strip()] + SENTENCES
    hf = translate_with("transformers").translate_sentences(sentences)
    ct2 = translate_with("ctranslate2", compute_type="float32").translate_sentences(sentences)
    agreement = sum(a == b for a, b in zip(hf, ct2, strict=True)) / len(sentences)
    assert agreement >= 0.99


def test_conversion_is_cached_and_redone_for_a_changed_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from translate.backends import ct2

    calls: list[str] = []
    import ctranslate2.converters

    original = ctranslate2.converters.TransformersConverter

    class CountingConverter(original):  # type: ignore[misc, valid-type]
        def __init__(self, path: str, *args: object, **kwargs: object) -> None:
            calls.append(path)
            super().__init__(path, *args, **kwargs)

    monkeypatch.setattr(ctranslate2.converters, "TransformersConverter", CountingConverter)
    model = resolve_model(str(TINY_MODEL))
    first = ct2.converted_model(model, "int8")
    assert ct2.converted_model(model, "int8") == first
    assert len(calls) == 1
    ct2.converted_model(model, "float32")  # another quantisation: its own conversion
    assert len(calls) == 2
    copy = tmp_path / "model"
    shutil.copytree(TINY_MODEL, copy)
    (copy / "generation_config.json").write_text(
        (copy / "generation_config.json").read_text().replace('"num_beams": 4', '"num_beams": 5')
    )
    changed = resolve_model(str(copy))
    assert changed.fingerprint != model.fingerprint
    assert ct2.converted_model(changed, "int8") != first
    assert len(calls) == 3


@pytest.mark.parametrize("name", ["ctranslate2", "transformers"])
def test_max_length_caps_output_and_says_so(name: str) -> None:
    backend = load_backend(resolve_model(str(TINY_MODEL)), BackendSettings(backend=name))
    tokens = backend.tokenize(["Hà Nội là thủ đô của Việt Nam"])
    capped = ResolvedDecoding(beams=1, max_length=3, max_length_ratio=None, min_length=0)
    [out] = backend.translate_batch(tokens, capped)
    assert isinstance(out, Hypothesis)
    assert 1 <= len(out.text.split()) <= 3
    assert out.hit_max_length
    # The tiny model ends this sentence after 15 tokens: well under a cap of 200.
    free = ResolvedDecoding(beams=1, max_length=200, max_length_ratio=None, min_length=0)
    [out] = backend.translate_batch(tokens, free)
    assert not out.hit_max_length
    # A log-probability per token: negative, and not a sum growing with the length.
    assert out.score is not None and -20 < out.score < 0


@pytest.mark.parametrize("cap", [200, 6], ids=["ended", "capped"])
@pytest.mark.parametrize("beams", [1, 3], ids=["greedy", "beam"])
def test_both_backends_score_a_hypothesis_alike(beams: int, cap: int) -> None:
    """The score is the mean log-probability of the generated tokens, end marker included.

    At the cap, the end marker transformers forces there is left out.
    """
    texts = ["Xin chào các bạn.", "Hôm nay trời đẹp.", "Một hai ba."]
    decoding = ResolvedDecoding(beams=beams, max_length=cap, max_length_ratio=None, min_length=0)
    loaded = {}
    for name in ("ctranslate2", "transformers"):
        settings = BackendSettings(backend=name, device="cpu", compute_type="float32")
        loaded[name] = load_backend(resolve_model(str(TINY_MODEL)), settings)
    assert_scores_agree(loaded["transformers"], loaded["ctranslate2"], texts, decoding)


def test_fixed_length_decoding() -> None:
    backend = load_backend(
        resolve_model(str(TINY_MODEL)),
        BackendSettings(backend="ctranslate2", compute_type="float32"),
    )
    decoding = ResolvedDecoding(beams=2, max_length=12, max_length_ratio=None, min_length=12)
    tokens = backend.tokenize(["Hà Nội"])
    out = backend.translator.translate_batch(
        tokens, beam_size=2, min_decoding_length=12, max_decoding_length=12
    )
    assert len(out[0].hypotheses[0]) == 12
    assert backend.translate_batch(tokens, decoding)[0].text


def test_ctranslate2_missing_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from translate.backends import ct2
    from translate.errors import ModelLoadError

    monkeypatch.setattr(ct2, "is_available", lambda: False)
    model = resolve_model(str(TINY_MODEL))
    with pytest.raises(ModelLoadError, match=r"pip install 'vi2en\[fast\]'"):
        choose_backend("ctranslate2", model)
    assert choose_backend("auto", model) == "transformers"


@pytest.mark.slow
def test_concurrent_first_conversions_all_succeed(tmp_path: Path) -> None:
    # Three processes on a fresh cache: one converts, the others wait and use its result.
    import os
    import subprocess
    import sys

    article = tmp_path / "a.txt"
    article.write_text("Hà Nội là thủ đô của Việt Nam.\n", encoding="utf-8")
    env = {**os.environ, "VI2EN_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "translate", "translate", str(article), "-q", "--no-cache"]
    command += ["--model", str(TINY_MODEL), "--backend", "ctranslate2"]
    runs = [
        subprocess.Popen(
            [*command, "-o", str(tmp_path / f"o{i}")],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for i in range(3)
    ]
    outputs = [(run.communicate()[0], run.returncode) for run in runs]
    assert [code for _, code in outputs] == [0, 0, 0], outputs
    converted = [p.name for p in (tmp_path / "cache" / "ctranslate2").iterdir()]
    assert len([name for name in converted if not name.endswith(".lock")]) == 1, converted
    corpora = {(tmp_path / f"o{i}" / "corpus.tsv").read_text("utf-8") for i in range(3)}
    assert len(corpora) == 1


def test_conversion_cleans_what_a_killed_converter_left() -> None:
    from translate.backends import ct2

    model = resolve_model(str(TINY_MODEL))
    target = ct2.cache_dir() / "ctranslate2" / ct2.conversion_name(model, "int8")
    leftover = target.parent / f".{target.name}-dead"
    (leftover / "model").mkdir(parents=True)
    target.mkdir()
    (target / "config.json").write_text("{}")  # a half-copied conversion without model.bin
    assert ct2.converted_model(model, "int8") == target
    assert (target / "model.bin").is_file() and not leftover.exists()


def test_conversion_waits_for_the_lock_holder(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    import time

    from filelock import FileLock

    from translate.backends import ct2

    model = resolve_model(str(TINY_MODEL))
    target = ct2.cache_dir() / "ctranslate2" / ct2.conversion_name(model, "int8")
    target.parent.mkdir(parents=True)
    converted: list[str] = []
    monkeypatch.setattr(ct2, "_convert", lambda *args: converted.append("converted"))
    held = threading.Event()

    def winner() -> None:
        with FileLock(target.parent / f"{target.name}.lock"):
            held.set()
            time.sleep(0.3)
            target.mkdir()
            (target / "model.bin").write_bytes(b"done")

    thread = threading.Thread(target=winner)
    thread.start()
    held.wait()
    assert ct2.converted_model(model, "int8") == target
    assert converted == []  # the waiter used the holder's result
    thread.join()


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_batch_size_does_not_change_outputs(backend: str) -> None:
    # Why --batch-size and --max-batch-tokens are not part of the settings check.
    text = (Path(__file__).parent / "data" / "sample" / "ntrex-article.vi.txt").read_text("utf-8")
    sentences = [line for line in text.splitlines() if line.strip()] + SENTENCES

    def run(batch_size: int) -> list[str]:
        translator = Translator(
            str(TINY_MODEL),
            settings=BackendSettings(backend=backend, device="cpu"),
            max_batch_size=batch_size,
        )
        return translator.translate(sentences)

    assert run(1) == run(64)


class PrecisionBackend(Backend):
    """A backend of its own precisions, registered in the table by the tests below."""

    name: ClassVar[str] = "precise"
    compute_types: ClassVar[tuple[str, ...]] = ("auto", "bfloat16", "int8")

    @classmethod
    def resolve_settings(cls, settings: BackendSettings) -> ResolvedSettings:
        return ResolvedSettings(cls.name, "tpu", settings.compute_type.replace("auto", "bfloat16"))

    def translate_batch(self, batch: Sequence[Tokens], decoding: ResolvedDecoding) -> list[str]:
        return ["" for _ in batch]


class PlainBackend(Backend):
    """Says nothing of its own devices and precisions: the base class answers."""

    name: ClassVar[str] = "plain"

    def translate_batch(self, batch: Sequence[Tokens], decoding: ResolvedDecoding) -> list[str]:
        return ["" for _ in batch]


@pytest.fixture
def more_backends(monkeypatch: pytest.MonkeyPatch) -> None:
    import translate.backends

    table = {
        **translate.backends.IMPLEMENTATIONS,
        "precise": "tests.test_backends:PrecisionBackend",
        "plain": "tests.test_backends:PlainBackend",
    }
    monkeypatch.setattr(translate.backends, "IMPLEMENTATIONS", table)
    monkeypatch.setattr(translate.backends, "BACKENDS", ("auto", *table))


@pytest.mark.parametrize(
    ("backend", "compute_type", "expected"),
    [
        ("ctranslate2", "auto", ("ctranslate2", "cpu", "int8")),
        ("ctranslate2", "float32", ("ctranslate2", "cpu", "float32")),
        ("ctranslate2", "int8_float16", ("ctranslate2", "cpu", "int8_float16")),
        ("auto", "auto", ("ctranslate2", "cpu", "int8")),
        # transformers computes in float32 on CPU whatever --compute-type says.
        ("transformers", "auto", ("transformers", "cpu", "float32")),
        ("transformers", "int8", ("transformers", "cpu", "float32")),
        ("precise", "auto", ("precise", "tpu", "bfloat16")),
        ("plain", "auto", ("plain", "cpu", "float32")),
        ("plain", "float16", ("plain", "cpu", "float16")),
    ],
)
@pytest.mark.usefixtures("more_backends")
def test_each_backend_resolves_its_own_settings(
    backend: str, compute_type: str, expected: tuple[str, str, str]
) -> None:
    settings = BackendSettings(backend=backend, device="cpu", compute_type=compute_type)
    resolved = resolve_settings(settings, resolve_model(str(TINY_MODEL)))
    assert resolved == ResolvedSettings(*expected)


def test_an_unknown_compute_type_is_refused_by_ctranslate2() -> None:
    from translate.errors import ModelLoadError

    settings = BackendSettings(backend="ctranslate2", device="cpu", compute_type="int3")
    with pytest.raises(ModelLoadError, match="unknown compute type 'int3'; choose one of: auto"):
        resolve_settings(settings, resolve_model(str(TINY_MODEL)))


def test_compute_types_are_what_the_backends_say() -> None:
    import translate.backends
    from translate.backends.ct2 import CTranslate2Backend

    assert CTranslate2Backend.compute_types == translate.backends.COMPUTE_TYPES
    assert translate.backends.COMPUTE_TYPES[0] == "auto"


@pytest.mark.usefixtures("more_backends")
def test_a_registered_backend_adds_its_compute_types() -> None:
    import translate.backends

    assert translate.backends.COMPUTE_TYPES[-1] == "bfloat16"
    assert translate.backends.COMPUTE_TYPES.count("int8") == 1


def test_compute_types_load_no_framework() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from translate.backends import COMPUTE_TYPES; import translate.cli; "
        "print(sorted({'torch', 'transformers', 'ctranslate2'} & set(sys.modules)))"
    )
    run = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert run.stdout.strip() == "[]"
