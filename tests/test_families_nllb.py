"""NLLB-200 and M2M100: tiny random models with the real tokenizer classes, in both backends.

Both are ``m2m_100`` checkpoints told apart by their tokenizer class. Random
weights cannot show a language, so the language conventions are checked on the
token sequences: the encoded source, the forced first target token, the stripped
output; and CTranslate2 and transformers agree token for token (greedy).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from models.build_family_models import build_m2m100, build_nllb, train_spm
from tests.backend_scores import assert_scores_agree
from tests.conftest import TINY_MODEL
from translate.backends import BackendSettings, DecodingOptions, load_backend
from translate.backends.base import ResolvedDecoding
from translate.backends.tokenizers import MarianSentencePiece, load_tokenizer
from translate.errors import ModelLoadError, UnsupportedModelError
from translate.families import FAMILIES, M2M100, MARIAN, NLLB, family_for
from translate.models import resolve_model

SENTENCES = ["Hà Nội là thủ đô của Việt Nam", "Giá vàng hôm nay tăng mạnh", "Xin chào"]
GREEDY = ResolvedDecoding(beams=1, max_length=12, max_length_ratio=None, min_length=0)
BACKENDS = ("transformers", "ctranslate2")
# family → (source language token, target token)
LANGUAGE_TOKENS = {"nllb": ("vie_Latn", "eng_Latn"), "m2m100": ("__vi__", "__en__")}


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The tiny models of both families, and variants whose tokenizers lack Vietnamese."""
    root = tmp_path_factory.mktemp("family-models")
    spm_model = train_spm()
    return {
        "nllb": build_nllb(root / "tiny-nllb", spm_model),
        "m2m100": build_m2m100(root / "tiny-m2m100", spm_model),
        "nllb-no-codes": build_nllb(root / "nllb-no-codes", spm_model, language_codes=False),
        "m2m100-wmt21": build_m2m100(root / "m2m100-wmt21", spm_model, language_codes="wmt21"),
    }


@pytest.fixture(scope="session")
def loaded(tiny_models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Both backends of both families, loaded once (CTranslate2 converts into its own cache)."""
    cache = tmp_path_factory.mktemp("family-ct2")
    backends: dict[Any, Any] = {"cache": cache}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VI2EN_CACHE_DIR", str(cache))
        for family in LANGUAGE_TOKENS:
            model = resolve_model(str(tiny_models[family]))
            for name in BACKENDS:
                settings = BackendSettings(backend=name, compute_type="float32", threads=1)
                backends[family, name] = load_backend(model, settings)
    return backends


def hf_tokenizer(directory: Path, src_lang: str) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(directory), src_lang=src_lang)


# --- which family -----------------------------------------------------------------------


def test_the_tokenizer_class_tells_nllb_from_m2m100(tiny_models: dict[str, Path]) -> None:
    assert family_for(tiny_models["nllb"]) is NLLB
    assert family_for(tiny_models["m2m100"]) is M2M100
    assert family_for({"model_type": "m2m_100", "tokenizer_class": "NllbTokenizerFast"}) is NLLB
    assert family_for({"model_type": "m2m_100", "tokenizer_class": "M2M100Tokenizer"}) is M2M100
    assert family_for(TINY_MODEL) is MARIAN


def test_tokenizer_config_decides_over_config_json(
    tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    directory = shutil.copytree(tiny_models["m2m100"], tmp_path / "m")
    config = json.loads((directory / "config.json").read_text())
    (directory / "config.json").write_text(
        json.dumps({**config, "tokenizer_class": "NllbTokenizer"})
    )
    assert family_for(directory) is M2M100
    (directory / "tokenizer_config.json").unlink()
    assert family_for(directory) is NLLB  # config.json's, with no tokenizer_config.json


@pytest.mark.parametrize(
    "tokenizer_class",
    [None, "T5Tokenizer"],
    ids=["no-tokenizer-class", "unknown-tokenizer-class"],
)
def test_an_m2m_100_model_of_no_known_tokenizer_is_refused(
    tmp_path: Path, tokenizer_class: str | None
) -> None:
    directory = tmp_path / "some-m2m"
    directory.mkdir()
    config = {"model_type": "m2m_100"}
    if tokenizer_class:
        config["tokenizer_class"] = tokenizer_class
    (directory / "config.json").write_text(json.dumps(config))
    with pytest.raises(UnsupportedModelError) as caught:
        family_for(directory)
    message = str(caught.value)
    assert f"tokenizer_class {tokenizer_class!r}" in message and "some-m2m" in message
    assert "NllbTokenizer (nllb)" in message and "M2M100Tokenizer (m2m100)" in message
    assert "\n" not in message


def test_the_rows_pin_decoding_and_input_limits(loaded: Any) -> None:
    expected = {"nllb": (4, 64), "m2m100": (5, 64)}  # the tiny configs allow 64 positions
    for (family, name), (beams, limit) in ((k, expected[k[0]]) for k in loaded if k != "cache"):
        backend = loaded[family, name]
        resolved = backend.resolve(DecodingOptions())
        # Upstream's generation_config.json says greedy, 200 tokens: both pinned.
        assert (resolved.beams, resolved.max_length) == (beams, 512)
        assert backend.max_input_tokens == limit
        assert backend.resolve(DecodingOptions(beams=2)).beams == 2  # the user still decides
    assert NLLB.input_limit({"max_position_embeddings": 1024}) == 512
    assert M2M100.input_limit({"max_position_embeddings": 1024}) == 1024


# --- token sequences, per family and backend ----------------------------------------------


@pytest.mark.parametrize("family", list(LANGUAGE_TOKENS))
@pytest.mark.parametrize("backend", BACKENDS)
def test_the_source_starts_with_the_language_token(
    loaded: Any, tiny_models: dict[str, Path], family: str, backend: str
) -> None:
    source_token, _ = LANGUAGE_TOKENS[family]
    tokens = loaded[family, backend].tokenize(SENTENCES)
    for sentence in tokens:
        # transformers 5 (legacy_behaviour=False) puts the code first, the end marker last.
        assert sentence[0] == source_token and sentence[-1] == "</s>"
        assert sentence.count(source_token) == 1 and "<unk>" not in sentence
    code = family_for(tiny_models[family]).source_language
    reference = hf_tokenizer(tiny_models[family], str(code))
    assert tokens == [reference.convert_ids_to_tokens(i) for i in reference(SENTENCES).input_ids]


@pytest.mark.parametrize("family", list(LANGUAGE_TOKENS))
def test_transformers_forces_the_target_token_and_strips_it(loaded: Any, family: str) -> None:
    import torch

    _, target = LANGUAGE_TOKENS[family]
    backend = loaded[family, "transformers"]
    target_id = backend.tokenizer.inner.tokenizer.convert_tokens_to_ids(target)
    assert backend.model.generation_config.forced_bos_token_id == target_id
    tokens = backend.tokenize(SENTENCES[:1])
    ids = torch.tensor([backend.tokenizer.token_ids(tokens[0])])
    config = backend._generation_config(GREEDY, ids.shape[1])
    row = backend.model.generate(input_ids=ids, generation_config=config)[0].tolist()
    assert row[1] == target_id  # after the decoder start token
    [hypothesis] = backend.translate_batch(tokens, GREEDY)
    assert hypothesis.text == backend.tokenizer.inner.decode_ids(row[2:])
    assert target not in hypothesis.text


@pytest.mark.parametrize("family", list(LANGUAGE_TOKENS))
def test_ctranslate2_prefixes_the_target_token_and_drops_it(loaded: Any, family: str) -> None:
    _, target = LANGUAGE_TOKENS[family]
    backend = loaded[family, "ctranslate2"]
    tokens = backend.tokenize(SENTENCES)
    raw = backend.translator.translate_batch(
        tokens, target_prefix=[[target]] * len(tokens), beam_size=1, max_decoding_length=12
    )
    assert all(r.hypotheses[0][0] == target for r in raw)
    texts = [h.text for h in backend.translate_batch(tokens, GREEDY)]
    assert texts == [backend.tokenizer.inner.detokenize(r.hypotheses[0][1:]) for r in raw]
    assert not any(target in text for text in texts)


@pytest.mark.parametrize("family", list(LANGUAGE_TOKENS))
def test_both_backends_agree_token_for_token(loaded: Any, family: str) -> None:
    import torch

    hf, ct2 = loaded[family, "transformers"], loaded[family, "ctranslate2"]
    _, target = LANGUAGE_TOKENS[family]
    eos = hf.tokenizer.inner.tokenizer.eos_token_id
    for tokens in hf.tokenize(SENTENCES):
        ids = torch.tensor([hf.tokenizer.token_ids(tokens)])
        config = hf._generation_config(GREEDY, ids.shape[1])
        row = hf.model.generate(input_ids=ids, generation_config=config)[0].tolist()[1:]
        if eos in row:
            row = row[: row.index(eos)]
        [result] = ct2.translator.translate_batch(
            [tokens], target_prefix=[[target]], beam_size=1, max_decoding_length=12
        )
        assert hf.tokenizer.ids_to_tokens(row) == result.hypotheses[0]
    texts = {
        name: loaded[family, name].translate_batch(hf.tokenize(SENTENCES), GREEDY)
        for name in BACKENDS
    }
    assert [h.text for h in texts["transformers"]] == [h.text for h in texts["ctranslate2"]]
    assert len({h.text for h in texts["ctranslate2"]}) > 1  # the outputs follow the inputs


@pytest.mark.parametrize("beams", [1, 3], ids=["greedy", "beam"])
@pytest.mark.parametrize("family", list(LANGUAGE_TOKENS))
def test_both_backends_score_a_hypothesis_alike(loaded: Any, family: str, beams: int) -> None:
    """The score is the mean log-probability of the generated tokens, the forced target token left out."""
    decoding = dataclasses.replace(GREEDY, beams=beams)
    hf, ct2 = loaded[family, "transformers"], loaded[family, "ctranslate2"]
    assert_scores_agree(hf, ct2, SENTENCES, decoding)


def test_the_conversion_keeps_m2m100s_language_tokens(
    loaded: Any, tiny_models: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from translate.backends.ct2 import converted_model

    # transformers 5's M2M100Tokenizer leaves them out of get_vocab(): vi2en adds them back,
    # else every id after the SentencePiece pieces would be shifted.
    monkeypatch.setenv("VI2EN_CACHE_DIR", str(loaded["cache"]))
    path = converted_model(resolve_model(str(tiny_models["m2m100"])), "float32")
    vocabulary = json.loads((path / "shared_vocabulary.json").read_text("utf-8"))
    tokenizer = loaded["m2m100", "transformers"].tokenizer.inner.tokenizer
    assert vocabulary[:4] == ["<s>", "<pad>", "</s>", "<unk>"]
    for token in ("__vi__", "__en__", "__zu__"):
        assert vocabulary.index(token) == tokenizer.convert_tokens_to_ids(token)
    config = json.loads((tiny_models["m2m100"] / "config.json").read_text())
    assert len(vocabulary) == config["vocab_size"]


# --- language tokens are validated when the model loads ------------------------------------


@pytest.mark.parametrize(
    ("model", "token", "family"),
    [("nllb-no-codes", "vie_Latn", "nllb"), ("m2m100-wmt21", "__vi__", "m2m100")],
    ids=["nllb-without-codes", "m2m100-without-vietnamese"],
)
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_tokenizer_without_the_language_codes_is_refused(
    tiny_models: dict[str, Path], model: str, token: str, family: str, backend: str
) -> None:
    resolved = resolve_model(str(tiny_models[model]))
    with pytest.raises(ModelLoadError) as caught:
        load_backend(resolved, BackendSettings(backend=backend, compute_type="float32"))
    message = str(caught.value)
    assert f"has no token {token!r}" in message and f"the {family} family" in message
    assert str(tiny_models[model]) in message and "\n" not in message


def test_a_wrong_code_in_a_row_is_refused_not_translated_as_unk(
    tiny_models: dict[str, Path],
) -> None:
    # A code NllbTokenizer lacks becomes <unk> silently: ['<unk>', '▁X', …].
    reference = hf_tokenizer(tiny_models["nllb"], "vi_VN")
    assert reference.convert_ids_to_tokens(reference("Xin chào").input_ids)[0] == "<unk>"
    wrong = dataclasses.replace(NLLB, source_language="vi_VN")
    with pytest.raises(ModelLoadError, match=r"model 'facebook/nllb-200-distilled-600M'.*'vi_VN'"):
        load_tokenizer(tiny_models["nllb"], wrong, name="facebook/nllb-200-distilled-600M")
    wrong_target = dataclasses.replace(M2M100, target_token="__eng__")
    with pytest.raises(
        ModelLoadError, match="has no token '__eng__', a language token the m2m100 family"
    ):
        load_tokenizer(tiny_models["m2m100"], wrong_target)


def test_a_prefix_token_split_into_pieces_is_refused() -> None:
    # The tiny Marian SentencePiece has no >>eng<< piece: it would be split, never one token.
    family = dataclasses.replace(MARIAN, source_prefix=">>eng<< ", prefix_tokens=(">>eng<<",))
    assert family.language_tokens == (">>eng<<",)
    with pytest.raises(ModelLoadError, match=r"has no token '>>eng<<'.*the marian family"):
        load_tokenizer(TINY_MODEL, family, name="opus-mt-tc-big")


def test_a_known_token_the_tokenizer_splits_off_the_text_is_refused() -> None:
    # "ng" is a piece of the tiny vocabulary, but at the start of a text it comes out as "▁ng".
    plain = MarianSentencePiece(TINY_MODEL)
    assert "ng" in plain.vocab and "ng" not in plain.tokenize(["ng Xin chào"])[0]
    family = dataclasses.replace(MARIAN, source_prefix="ng ", prefix_tokens=("ng",))
    with pytest.raises(ModelLoadError) as caught:
        load_tokenizer(TINY_MODEL, family, name="some-model")
    message = str(caught.value)
    assert "tokenizer does not keep 'ng' whole in a source (it encodes ['▁ng'," in message
    assert "'some-model'" in message and "marian family" in message and "\n" not in message


def test_language_tokens_name_what_each_row_needs() -> None:
    assert NLLB.language_tokens == ("vie_Latn", "eng_Latn")
    assert M2M100.language_tokens == ("__vi__", "__en__")
    assert MARIAN.language_tokens == ()
    with pytest.raises(ValueError, match="not in the prefix"):
        dataclasses.replace(MARIAN, prefix_tokens=(">>eng<<",))
    with pytest.raises(ValueError, match="needs a source language"):
        dataclasses.replace(MARIAN, source_token="__vi__")


def test_both_families_are_rows_of_the_table() -> None:
    from translate.families import TOKENIZER_FAMILIES, supported_model_types

    assert "m2m_100" in supported_model_types() and "m2m_100" not in FAMILIES
    assert set(TOKENIZER_FAMILIES["m2m_100"].values()) == {NLLB, M2M100}


# --- the whole pipeline ---------------------------------------------------------------------

LONG = " ".join(["Người dân xếp hàng chờ mua gạo ở chợ Bến Thành"] * 6) + "."
ARTICLE = f"Hà Nội là thủ đô của Việt Nam. Giá vàng hôm nay tăng mạnh.\n\n{LONG}\n"


def translate(*args: str) -> Any:
    from translate.cli import main

    result = CliRunner().invoke(main, ["translate", *args, "--beams", "1", "--max-length", "16"])
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize("backend", BACKENDS)
def test_vi2en_translate_runs_the_tiny_nllb_model(
    tiny_models: dict[str, Path], tmp_path: Path, backend: str
) -> None:
    article = tmp_path / "bai-viet.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    cache = str(tmp_path / "tm.sqlite")
    options = ["--backend", backend, "--cache", cache, "-f", "jsonl,moses"]
    nllb = [str(article), "--model", str(tiny_models["nllb"]), *options]
    first = translate(*nllb, "-o", str(tmp_path / "o1"))
    records = [
        json.loads(line) for line in (tmp_path / "o1" / "corpus.jsonl").read_text().splitlines()
    ]
    assert [r["source"] for r in records][:2] == [
        "Hà Nội là thủ đô của Việt Nam.",
        "Giá vàng hôm nay tăng mạnh.",
    ]
    # The long sentence is over the tiny model's 64 positions: translated in pieces.
    assert len(loaded_tokens(tiny_models["nllb"], LONG)) > 64
    assert [r["source"] for r in records][2] == LONG
    manifest = json.loads((tmp_path / "o1" / "manifest.json").read_text())
    assert manifest["run"]["translator"]["split_long"] == 1
    assert not any("eng_Latn" in r["target"] or "vie_Latn" in r["target"] for r in records)
    assert " 0 from memory, " in first.stderr
    # The same output directory again: resumed, not translated again.
    again = translate(*nllb, "-o", str(tmp_path / "o1"))
    assert "(0 translated, 1 resumed, 0 failed)" in again.stderr
    # Another output directory: every sentence from the memory of this model ...
    second = translate(*nllb, "-o", str(tmp_path / "o2"))
    assert f" {len(records)} from memory, " in second.stderr
    assert (tmp_path / "o1" / "corpus.en").read_bytes() == (
        tmp_path / "o2" / "corpus.en"
    ).read_bytes()
    # ... and none from it for another model.
    m2m100 = translate(
        str(article), "--model", str(tiny_models["m2m100"]), *options, "-o", str(tmp_path / "o3")
    )
    assert " 0 from memory, " in m2m100.stderr


def loaded_tokens(directory: Path, text: str) -> list[str]:
    return load_tokenizer(directory).tokenize([text])[0]


def test_both_backends_write_the_same_corpus(tiny_models: dict[str, Path], tmp_path: Path) -> None:
    article = tmp_path / "bai-viet.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    for backend in BACKENDS:
        precision = ["--compute-type", "float32"] if backend == "ctranslate2" else []
        translate(
            str(article),
            *("--model", str(tiny_models["nllb"]), "--backend", backend, *precision),
            *("--no-cache", "-f", "moses", "-o", str(tmp_path / backend)),
        )
    texts = {b: (tmp_path / b / "corpus.en").read_text("utf-8") for b in BACKENDS}
    assert texts["transformers"] == texts["ctranslate2"] and texts["ctranslate2"].strip()
