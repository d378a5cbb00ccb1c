"""The model-family table: lookup by model_type, refusals, and each family field in both backends.

Random weights cannot show a language, so the family fields are checked on the
token sequences: the encoded source, the forced first target token, the stripped output.
Test-only families replace the Marian row (the tiny model's ``model_type``).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import TINY_MODEL
from translate.backends import BackendSettings, DecodingOptions, load_backend
from translate.backends.base import ResolvedDecoding
from translate.backends.tokenizers import MarianSentencePiece, load_tokenizer
from translate.errors import ModelLoadError, UnsupportedModelError
from translate.families import (
    FAMILIES,
    MARIAN,
    ModelFamily,
    family_for,
    register_family,
    supported_model_types,
)
from translate.models import resolve_model

SENTENCES = ["Hà Nội là thủ đô của Việt Nam", "Giá vàng hôm nay tăng mạnh", "Xin chào"]
GREEDY = ResolvedDecoding(beams=1, max_length=30, max_length_ratio=None, min_length=0)
# A word of the tiny model's (shared) vocabulary, standing in for a language token.
FORCED = "\u2581nói"


def test_the_tiny_model_is_a_marian_model() -> None:
    assert family_for(TINY_MODEL) is MARIAN
    assert family_for({"model_type": "marian"}) is MARIAN
    assert FAMILIES["marian"] is MARIAN


def model_dir(tmp_path: Path, config: dict[str, Any] | None) -> Path:
    directory = tmp_path / "some-model"
    directory.mkdir()
    if config is not None:
        (directory / "config.json").write_text(json.dumps(config), encoding="utf-8")
    return directory


@pytest.mark.parametrize(
    ("config", "why"),
    [
        ({"model_type": "bert"}, "model_type 'bert' is not a model family"),
        ({"architectures": ["X"]}, "has no model_type"),
        (None, "has no config.json"),
        ([1, 2], "not an object"),
    ],
)
def test_a_model_without_a_family_is_refused_with_the_supported_types(
    tmp_path: Path, config: Any, why: str
) -> None:
    directory = model_dir(tmp_path, config)
    with pytest.raises(UnsupportedModelError) as caught:
        family_for(directory)
    message = str(caught.value)
    assert why in message and "some-model" in message
    assert message.endswith(f"supported model types: {', '.join(supported_model_types())}")
    assert "marian" in supported_model_types()
    assert "\n" not in message
    assert isinstance(caught.value, ModelLoadError)


def test_the_listing_names_every_registered_type(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(FAMILIES, "m2m_100", dataclasses.replace(MARIAN, model_types=("m2m_100",)))
    listing = ", ".join(sorted(FAMILIES))
    assert "m2m_100, marian" in listing
    with pytest.raises(UnsupportedModelError, match=f"supported model types: {listing}$"):
        family_for({"model_type": "bert"}, name="x")


def test_register_family_files_a_row_under_each_model_type(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("translate.families.FAMILIES", dict(FAMILIES))
    from translate import families

    row = register_family(dataclasses.replace(MARIAN, name="two", model_types=("a", "b")))
    assert families.FAMILIES["a"] is row and families.FAMILIES["b"] is row
    assert families.supported_model_types() == sorted(
        {"a", "b", *FAMILIES, *families.TOKENIZER_FAMILIES}
    )


@pytest.mark.parametrize("backend", ["auto", "transformers", "ctranslate2"])
def test_every_backend_refuses_a_model_without_a_family(tmp_path: Path, backend: str) -> None:
    shutil.copytree(TINY_MODEL, tmp_path / "bert")
    config = json.loads((tmp_path / "bert" / "config.json").read_text())
    (tmp_path / "bert" / "config.json").write_text(json.dumps({**config, "model_type": "bert"}))
    model = resolve_model(str(tmp_path / "bert"))
    with pytest.raises(UnsupportedModelError, match="'bert' is not a model family"):
        load_backend(model, BackendSettings(backend=backend))


def test_the_cli_says_it_in_one_line(tmp_path: Path) -> None:
    from translate.cli import main

    directory = model_dir(tmp_path, {"model_type": "bert"})
    article = tmp_path / "a.txt"
    article.write_text("Xin chào.\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["translate", str(article), "-o", str(tmp_path / "out"), "--model", str(directory)]
    )
    assert result.exit_code != 0
    errors = [line for line in result.output.splitlines() if "bert" in line]
    assert len(errors) == 1
    assert errors[0].endswith(f"supported model types: {', '.join(supported_model_types())}")


@pytest.mark.parametrize(
    "fields",
    [
        {"target_token": FORCED},  # a token without a forcing
        {"target_forcing": "forced_bos"},  # a forcing without a token
        {"target_forcing": "target_prefix", "target_token": FORCED},  # not a forcing
        {"model_types": ()},
        {"tokenizer": "MarianSentencePiece"},
    ],
)
def test_an_inconsistent_row_is_refused(fields: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="family 'marian'"):
        dataclasses.replace(MARIAN, **fields)


def test_decoding_defaults_and_input_limit_pin_over_the_model_files() -> None:
    files = {"num_beams": 4, "max_length": 64, "min_length": 2}
    assert MARIAN.decoding_defaults(files) == files
    pinned = dataclasses.replace(MARIAN, beams=5, max_length=300)
    assert pinned.decoding_defaults(files) == {"num_beams": 5, "max_length": 300, "min_length": 2}
    assert MARIAN.input_limit({"max_position_embeddings": 1024}) == 1024
    assert MARIAN.input_limit({}) == 512
    capped = dataclasses.replace(MARIAN, max_input_tokens=512)
    assert capped.input_limit({"max_position_embeddings": 1024}) == 512
    assert capped.input_limit({"max_position_embeddings": 256}) == 256


def test_marian_tokenizer_is_the_sentencepiece_one_unchanged() -> None:
    tokenizer = load_tokenizer(TINY_MODEL)
    assert isinstance(tokenizer.inner, MarianSentencePiece)
    plain = MarianSentencePiece(TINY_MODEL)
    assert tokenizer.tokenize(SENTENCES) == plain.tokenize(SENTENCES)
    tokens = plain.tokenize(SENTENCES)[0]
    assert tokenizer.detokenize(tokens) == plain.detokenize(tokens)
    ids = plain.token_ids(tokens)
    assert tokenizer.decode_ids(ids) == plain.decode_ids(ids)


def test_source_prefix_and_suffix_surround_every_sentence() -> None:
    family = dataclasses.replace(MARIAN, source_prefix=">>eng<< ", source_suffix=" .")
    tokenizer = load_tokenizer(TINY_MODEL, family)
    plain = MarianSentencePiece(TINY_MODEL)
    assert tokenizer.tokenize(SENTENCES) == plain.tokenize([f">>eng<< {s} ." for s in SENTENCES])
    assert tokenizer.tokenize(SENTENCES) != plain.tokenize(SENTENCES)


def test_strip_tokens_and_prefix_leave_the_translation() -> None:
    plain = MarianSentencePiece(TINY_MODEL)
    family = dataclasses.replace(
        MARIAN, target_forcing="forced_bos", target_token=FORCED, strip_tokens=("\u2581Giá",)
    )
    tokenizer = load_tokenizer(TINY_MODEL, family)
    tokens = [FORCED, "\u2581Giá", "\u2581Giá", *plain.tokenize(["Hà Nội nói"])[0]]
    assert tokenizer.detokenize(tokens) == "Hà Nội nói"
    assert tokenizer.decode_ids(plain.token_ids(tokens)) == "Hà Nội nói"
    # Only leading ones: the same word inside the translation stays.
    assert tokenizer.detokenize(plain.tokenize(["Hà Nội nói Giá"])[0]) == "Hà Nội nói Giá"
    texts = dataclasses.replace(MARIAN, strip_prefix="en:")
    assert load_tokenizer(TINY_MODEL, texts).detokenize(plain.tokenize(["en: Hà Nội"])[0]) == (
        "Hà Nội"
    )


def test_a_target_token_the_tokenizer_lacks_is_refused() -> None:
    family = dataclasses.replace(MARIAN, target_forcing="forced_bos", target_token="eng_Latn")
    with pytest.raises(ModelLoadError, match="has no token 'eng_Latn'") as caught:
        load_tokenizer(TINY_MODEL, family)
    assert "\n" not in str(caught.value)


def load_both(
    family: ModelFamily, monkeypatch: pytest.MonkeyPatch, ct2_cache: Path
) -> dict[str, Any]:
    monkeypatch.setenv("VI2EN_CACHE_DIR", str(ct2_cache))
    monkeypatch.setitem(FAMILIES, "marian", family)
    model = resolve_model(str(TINY_MODEL))
    return {
        name: load_backend(model, BackendSettings(backend=name, compute_type="float32"))
        for name in ("ctranslate2", "transformers")
    }


def test_a_family_row_shapes_both_backends(
    monkeypatch: pytest.MonkeyPatch, ct2_cache: Path
) -> None:
    family = dataclasses.replace(
        MARIAN,
        source_prefix=">>eng<< ",
        target_forcing="forced_bos",
        target_token=FORCED,
        beams=1,
        max_length=30,
        max_input_tokens=100,
    )
    backends = load_both(family, monkeypatch, ct2_cache)
    expected_source = MarianSentencePiece(TINY_MODEL).tokenize([f">>eng<< {s}" for s in SENTENCES])
    outputs = {}
    for name, backend in backends.items():
        assert backend.tokenize(SENTENCES) == expected_source
        assert backend.max_input_tokens == 100
        assert backend.resolve(DecodingOptions(beams=None)).beams == 1
        assert backend.resolve(DecodingOptions(beams=None)).max_length == 30
        assert backend.resolve(DecodingOptions(beams=3)).beams == 3  # the user still decides
        outputs[name] = [h.text for h in backend.translate_batch(expected_source, GREEDY)]
    # CTranslate2 decodes from the forced token, and the output starts after it.
    raw = backends["ctranslate2"].translator.translate_batch(
        expected_source, target_prefix=[[FORCED]] * len(SENTENCES), beam_size=1
    )
    tokenizer = MarianSentencePiece(TINY_MODEL)
    assert all(r.hypotheses[0][0] == FORCED for r in raw)
    assert outputs["ctranslate2"] == [tokenizer.detokenize(r.hypotheses[0][1:]) for r in raw]
    # transformers forces the same token first: greedy, the two agree.
    hf = backends["transformers"]
    assert hf.model.generation_config.forced_bos_token_id == tokenizer.vocab[FORCED]
    assert outputs["transformers"] == outputs["ctranslate2"]
    unforced = [
        tokenizer.detokenize(r.hypotheses[0])
        for r in backends["ctranslate2"].translator.translate_batch(expected_source, beam_size=1)
    ]
    assert outputs["ctranslate2"] != unforced


def test_strip_prefix_applies_in_both_backends(
    monkeypatch: pytest.MonkeyPatch, ct2_cache: Path
) -> None:
    plain = load_both(MARIAN, monkeypatch, ct2_cache)
    tokens = plain["ctranslate2"].tokenize(SENTENCES[:1])
    [before] = plain["ctranslate2"].translate_batch(tokens, GREEDY)
    first = before.text.split()[0]
    backends = load_both(dataclasses.replace(MARIAN, strip_prefix=first), monkeypatch, ct2_cache)
    for backend in backends.values():
        [after] = backend.translate_batch(tokens, GREEDY)
        assert after.text == before.text.removeprefix(first).lstrip()


def test_decoder_start_forcing_sets_the_decoder_start_token(
    monkeypatch: pytest.MonkeyPatch, ct2_cache: Path
) -> None:
    family = dataclasses.replace(MARIAN, target_forcing="decoder_start", target_token=FORCED)
    monkeypatch.setitem(FAMILIES, "marian", family)
    backend = load_backend(resolve_model(str(TINY_MODEL)), BackendSettings(backend="transformers"))
    vocab = MarianSentencePiece(TINY_MODEL).vocab
    assert backend.model.generation_config.decoder_start_token_id == vocab[FORCED]
    assert backend.model.generation_config.forced_bos_token_id is None
    [out] = backend.translate_batch(backend.tokenize(SENTENCES[:1]), GREEDY)
    assert out.text and not out.text.startswith("nói")


def test_ctranslate2_supports_what_the_table_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from translate.backends import choose_backend, ct2

    model = resolve_model(str(TINY_MODEL))
    assert ct2.supports(model)
    assert choose_backend("auto", model) == "ctranslate2"
    unknown = resolve_model(str(model_dir(tmp_path, {"model_type": "bert"})))
    assert not ct2.supports(unknown)
    monkeypatch.setitem(FAMILIES, "marian", dataclasses.replace(MARIAN, ctranslate2=False))
    assert not ct2.supports(model)
    assert choose_backend("auto", model) == "transformers"
    with pytest.raises(ModelLoadError, match="use --backend transformers"):
        load_backend(model, BackendSettings(backend="ctranslate2"))


def test_the_families_module_loads_no_framework() -> None:
    code = (
        "import sys, translate.families, translate.backends.tokenizers; "
        "print(sorted({'torch', 'transformers', 'ctranslate2', 'sentencepiece'} & set(sys.modules)))"
    )
    run = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert run.stdout.strip() == "[]"
