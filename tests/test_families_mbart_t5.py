"""mBART-25 (VinAI), T5 with prefixes (envit5, MADLAD) and multi-target Marian, in both backends.

Tiny random models of each family are built here, once per session, with the
real tokenizer classes (``MBartTokenizer`` with its language codes,
``T5Tokenizer``, Marian's ``vocab.json`` with ``>>eng<<``) on SentencePiece
models trained on the text under tests/data, and saved with ``save_pretrained``:
the real loading code (the family's tokenizer, ``AutoModelForSeq2SeqLM``,
CTranslate2's ``TransformersConverter``) runs on them. Random weights cannot
show a language, so the tests check token sequences: the encoded source, the
forced first target token, the stripped output prefix, and token-level greedy
agreement of CTranslate2 and transformers.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.backend_scores import assert_scores_agree
from tests.conftest import ROOT, TINY_MODEL
from translate.backends import BackendSettings, DecodingOptions, load_backend
from translate.backends.base import ResolvedDecoding
from translate.backends.tokenizers import MarianSentencePiece, MarianTargetCode, load_tokenizer
from translate.errors import ModelLoadError
from translate.families import (
    ENVIT5,
    FAMILIES,
    MADLAD,
    MARIAN,
    MARIAN_MULTI,
    MBART_VINAI,
    VARIANTS,
    ModelFamily,
    family_for,
    register_variant,
    variant_marker,
    vocabulary_has,
)
from translate.models import resolve_model

SENTENCES = ["Hà Nội là thủ đô của Việt Nam", "Giá vàng hôm nay tăng mạnh", "Xin chào"]
GREEDY = ResolvedDecoding(beams=1, max_length=24, max_length_ratio=None, min_length=0)
BACKENDS = ("ctranslate2", "transformers")
LANGUAGE_CODES = ("<2en>", "<2vi>")  # MADLAD's target tokens: user-defined pieces
MARIAN_CODES = (">>eng<<", ">>deu<<", ">>fra<<")


def training_lines() -> list[str]:
    """Vietnamese and English lines: the sample article, the reader samples, the READMEs."""
    lines: list[str] = []
    for path in sorted((ROOT / "tests" / "data").rglob("*")):
        if path.suffix not in {".txt", ".md", ".html"}:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # the UTF-16/32 and CP1258 samples
        lines += [line.strip() for line in text.splitlines() if line.strip()]
    return lines


def train_spm(prefix: Path, **options: Any) -> Path:
    import sentencepiece

    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(training_lines()),
        model_prefix=str(prefix),
        vocab_size=300,
        hard_vocab_limit=False,
        character_coverage=1.0,
        minloglevel=2,
        **options,
    )
    return prefix.with_suffix(".model")


def build_mbart(out: Path, work: Path) -> None:
    """A VinAI-like mBART-25: a trimmed SentencePiece, language codes, no decoder start."""
    import torch
    from transformers import MBartConfig, MBartForConditionalGeneration, MBartTokenizer

    sources = work / "mbart-spm"
    sources.mkdir()
    shutil.copy(train_spm(work / "mbart", model_type="bpe"), sources / "sentencepiece.bpe.model")
    tokenizer = MBartTokenizer.from_pretrained(str(sources), src_lang="vi_VN", tgt_lang="en_XX")
    config = MBartConfig(
        vocab_size=len(tokenizer),
        d_model=64,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=4,
        decoder_attention_heads=4,
        encoder_ffn_dim=128,
        decoder_ffn_dim=128,
        max_position_embeddings=1024,
        scale_embedding=True,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        forced_eos_token_id=tokenizer.eos_token_id,
        init_std=0.3,
        num_beams=5,
        max_length=1024,
        architectures=["MBartForConditionalGeneration"],
        # Keys the hub's mBART configs keep from fairseq (CTranslate2 reads them).
        normalize_before=True,
        normalize_embedding=True,
        add_final_layer_norm=True,
        static_position_embeddings=False,
    )
    torch.manual_seed(0)
    model = MBartForConditionalGeneration(config)
    # Random weights would repeat a language code forever: keep the specials and the
    # codes out of outputs (CTranslate2 converts final_logits_bias too), </s> aside.
    banned = [i for i in tokenizer.all_special_ids if i != tokenizer.eos_token_id]
    model.final_logits_bias[0, banned] = -1000.0
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    saved = json.loads((out / "config.json").read_text())
    saved.pop("decoder_start_token_id", None)  # as vinai-translate-vi2en-v2's config
    (out / "config.json").write_text(json.dumps(saved, indent=2))
    (out / "generation_config.json").unlink(missing_ok=True)


def build_t5(out: Path, work: Path, name: str, user_defined: tuple[str, ...] = ()) -> None:
    """A T5 without a generation config (as envit5 and MADLAD are published)."""
    import torch
    from transformers import T5Config, T5ForConditionalGeneration, T5Tokenizer

    sources = work / f"{name}-spm"
    sources.mkdir()
    spm = train_spm(
        work / name,
        model_type="unigram",
        pad_id=0,
        eos_id=1,
        unk_id=2,
        bos_id=-1,
        **({"user_defined_symbols": list(user_defined)} if user_defined else {}),
    )
    shutil.copy(spm, sources / "spiece.model")
    tokenizer = T5Tokenizer.from_pretrained(str(sources), extra_ids=0)
    config = T5Config(
        vocab_size=len(tokenizer),
        d_model=64,
        d_kv=16,
        d_ff=128,
        num_layers=2,
        num_decoder_layers=2,
        num_heads=4,
        feed_forward_proj="gated-gelu",
        tie_word_embeddings=False,
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
        initializer_factor=3.0,  # weights far enough apart that outputs vary
        architectures=["T5ForConditionalGeneration"],
    )
    torch.manual_seed(1)
    model = T5ForConditionalGeneration(config)
    with torch.no_grad():
        # Random weights would repeat <pad> forever: its logit and <unk>'s become 0,
        # below about half of the others.
        model.lm_head.weight[[tokenizer.pad_token_id, tokenizer.unk_token_id]] = 0.0
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    (out / "generation_config.json").unlink(missing_ok=True)


def build_marian_multi(out: Path) -> None:
    """The tiny Marian with target codes in ``vocab.json`` (filler entries become codes)."""
    shutil.copytree(TINY_MODEL, out)
    vocab = json.loads((out / "vocab.json").read_text(encoding="utf-8"))
    for index, code in enumerate(MARIAN_CODES):
        vocab[code] = vocab.pop(f"<filler{index}>")
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="session")
def family_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """name → a tiny model directory of each family (and one tokenizer lacking the codes)."""
    root = tmp_path_factory.mktemp("family-models")
    work = tmp_path_factory.mktemp("family-spm")
    models = {name: root / name for name in ("mbart", "envit5", "madlad", "marian-multi")}
    build_mbart(models["mbart"], work)
    build_t5(models["envit5"], work, "envit5")
    build_t5(models["madlad"], work, "madlad", LANGUAGE_CODES)
    build_marian_multi(models["marian-multi"])
    # An mBART whose tokenizer is a plain T5 one: no vi_VN, no en_XX.
    models["mbart-no-codes"] = root / "mbart-no-codes"
    shutil.copytree(models["mbart"], models["mbart-no-codes"])
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(models["envit5"] / name, models["mbart-no-codes"] / name)
    return models


@pytest.fixture(scope="module")
def backends(family_models: dict[str, Path], ct2_cache: Path) -> dict[str, dict[str, Any]]:
    """family model name → backend name → the loaded backend (float32, so greedy agrees)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("VI2EN_CACHE_DIR", str(ct2_cache))
    try:
        return {
            name: {
                backend: load_backend(
                    resolve_model(str(family_models[name])),
                    BackendSettings(backend=backend, compute_type="float32"),
                )
                for backend in BACKENDS
            }
            for name in ("mbart", "envit5", "madlad", "marian-multi")
        }
    finally:
        mp.undo()


def hf_new_tokens(backend: Any, source: list[list[str]], cap: int) -> list[list[str]]:
    """transformers' raw greedy output: the tokens after the decoder start, end marker dropped."""
    import torch

    ids = [backend.tokenizer.token_ids(tokens) for tokens in source]
    decoding = dataclasses.replace(GREEDY, max_length=cap)
    rows = []
    for sentence in ids:  # one at a time: no padding
        config = backend._generation_config(decoding, len(sentence))
        with torch.inference_mode():
            output = backend.model.generate(
                input_ids=torch.tensor([sentence]), generation_config=config
            )
        rows.append(backend.tokenizer.ids_to_tokens(output[0].tolist()))
    return rows


def ct2_tokens(backend: Any, source: list[list[str]], cap: int) -> list[list[str]]:
    """CTranslate2's raw greedy output with the family's target prefix."""
    prefix = backend.family.target_prefix
    results = backend.translator.translate_batch(
        source,
        **({"target_prefix": [prefix] * len(source)} if prefix else {}),
        beam_size=1,
        max_decoding_length=cap,
    )
    return [r.hypotheses[0] for r in results]


# -- the rows and how a model finds its row -------------------------------------------------


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("mbart", MBART_VINAI),
        ("envit5", ENVIT5),
        ("madlad", MADLAD),
        ("marian-multi", MARIAN_MULTI),
    ],
)
def test_each_tiny_model_gets_its_row(
    family_models: dict[str, Path], name: str, family: ModelFamily
) -> None:
    assert family_for(family_models[name]) is family


def test_plain_marian_stays_the_plain_row() -> None:
    # opus-mt-vi-en has no >>eng<< in its vocabulary: same row, same tokenizer class.
    assert family_for(TINY_MODEL) is MARIAN
    assert type(load_tokenizer(TINY_MODEL).inner) is MarianSentencePiece
    # A parsed config has no vocabulary to look at: the model type's own row.
    assert family_for({"model_type": "marian"}) is MARIAN
    assert family_for({"model_type": "t5"}) is ENVIT5
    assert family_for({"model_type": "mbart"}) is MBART_VINAI


def test_vocabulary_has_reads_each_vocabulary_file(
    family_models: dict[str, Path], tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    assert vocabulary_has(family_models["marian-multi"], ">>eng<<")  # vocab.json
    assert not vocabulary_has(TINY_MODEL, ">>eng<<")
    assert vocabulary_has(family_models["madlad"], "<2en>")  # tokenizer.json
    assert not vocabulary_has(family_models["envit5"], "<2en>")
    # A bare SentencePiece model (MADLAD's spiece.model): the piece itself, not a substring.
    spm = train_spm(tmp_path / "codes", model_type="unigram", user_defined_symbols=["<2en>"])
    (tmp_path / "model").mkdir()
    shutil.copy(spm, tmp_path / "model" / "spiece.model")
    assert vocabulary_has(tmp_path / "model", "<2en>")
    assert not vocabulary_has(tmp_path / "model", "<2e")
    assert not vocabulary_has(tmp_path / "model", "<2de>")


def test_a_variant_needs_a_marker_token() -> None:
    with pytest.raises(ValueError, match="a variant needs a prefix or target token"):
        register_variant(ENVIT5)
    assert variant_marker(MADLAD) == "<2en>" and variant_marker(MBART_VINAI) == "en_XX"
    assert [v.name for v in VARIANTS["t5"]] == ["t5-madlad"]
    assert [v.name for v in VARIANTS["marian"]] == ["marian-multi"]
    assert FAMILIES["t5"] is ENVIT5 and FAMILIES["mbart"] is MBART_VINAI


@pytest.mark.parametrize(
    ("name", "beams", "max_length", "input_limit"),
    [
        ("mbart", 5, 1024, 1024),
        ("envit5", 4, 512, 512),  # not upstream's 20 greedy tokens
        ("madlad", 4, 512, 512),
        ("marian-multi", 4, 64, 512),  # beams and length from the model files
    ],
)
def test_pinned_defaults_in_both_backends(
    backends: dict[str, dict[str, Any]], name: str, beams: int, max_length: int, input_limit: int
) -> None:
    for backend in backends[name].values():
        resolved = backend.resolve(DecodingOptions(beams=None))
        assert (resolved.beams, resolved.max_length) == (beams, max_length)
        assert backend.max_input_tokens == input_limit
        assert backend.resolve(DecodingOptions(beams=2)).beams == 2  # the user still decides


# -- the source side ------------------------------------------------------------------------


def test_mbart_source_ends_with_the_language_code(backends: dict[str, dict[str, Any]]) -> None:
    encoded = {name: b.tokenize(SENTENCES) for name, b in backends["mbart"].items()}
    assert encoded["ctranslate2"] == encoded["transformers"]
    for tokens in encoded["ctranslate2"]:
        assert tokens[-2:] == ["</s>", "vi_VN"]
        assert "en_XX" not in tokens and "<s>" not in tokens


@pytest.mark.parametrize(("name", "prefix"), [("envit5", "vi: "), ("madlad", "<2en> ")])
def test_t5_source_carries_the_text_prefix(
    backends: dict[str, dict[str, Any]], name: str, prefix: str
) -> None:
    encoded = {b: backend.tokenize(SENTENCES) for b, backend in backends[name].items()}
    assert encoded["ctranslate2"] == encoded["transformers"]
    inner = backends[name]["ctranslate2"].tokenizer.inner
    assert encoded["ctranslate2"] == inner.tokenize([prefix + s for s in SENTENCES])
    for tokens, plain in zip(encoded["ctranslate2"], inner.tokenize(SENTENCES), strict=True):
        assert tokens[-1] == "</s>" and tokens != plain
        if name == "madlad":
            assert tokens[0] == "<2en>" and tokens[1:] == plain  # one token, then the text


def test_marian_multi_source_starts_with_one_target_code(
    backends: dict[str, dict[str, Any]], family_models: dict[str, Path]
) -> None:
    plain = MarianSentencePiece(family_models["marian-multi"]).tokenize(SENTENCES)
    for backend in backends["marian-multi"].values():
        assert isinstance(backend.tokenizer.inner, MarianTargetCode)
        encoded = backend.tokenize(SENTENCES)
        assert encoded == [[">>eng<<", *tokens] for tokens in plain]
        ids = backend.tokenizer.token_ids(encoded[0])
        assert (
            ids[0]
            == json.loads((family_models["marian-multi"] / "vocab.json").read_text())[">>eng<<"]
        )
    # Only a leading code is one; the text of an empty sentence is the code alone.
    tokenizer = MarianTargetCode(family_models["marian-multi"])
    assert tokenizer.tokenize([">>eng<< "]) == [[">>eng<<", "</s>"]]
    assert tokenizer.tokenize(["Xin >>eng<< chào"]) == MarianSentencePiece(
        family_models["marian-multi"]
    ).tokenize(["Xin >>eng<< chào"])


# -- the target side ------------------------------------------------------------------------


def test_mbart_decodes_from_en_xx_in_both_backends(
    backends: dict[str, dict[str, Any]], family_models: dict[str, Path]
) -> None:
    from transformers import AutoTokenizer

    hf, ct2 = backends["mbart"]["transformers"], backends["mbart"]["ctranslate2"]
    # The id is read from the (trimmed) tokenizer, not mBART-25's table (250004).
    en_xx = AutoTokenizer.from_pretrained(family_models["mbart"]).convert_tokens_to_ids("en_XX")
    assert en_xx != 250004
    assert hf.model.generation_config.decoder_start_token_id == en_xx
    assert hf.model.generation_config.forced_bos_token_id is None
    source = hf.tokenize(SENTENCES)
    for row in hf_new_tokens(hf, source, 12):
        assert row[0] == "en_XX" and "en_XX" not in row[1:]
    assert ct2.family.target_prefix == ["en_XX"]
    # Unforced, transformers starts from <s> (the config has no decoder start): other outputs.
    import torch

    unforced_config = hf._generation_config(GREEDY, 9)
    unforced_config.decoder_start_token_id = hf.tokenizer.token_ids(["<s>"])[0]
    with torch.inference_mode():
        unforced = hf.model.generate(
            input_ids=torch.tensor([hf.tokenizer.token_ids(source[0])]),
            generation_config=unforced_config,
        )
    assert hf.tokenizer.ids_to_tokens(unforced[0].tolist())[0] == "<s>"
    assert_agree(hf, ct2, source, cap=12)
    [forced] = hf.translate_batch(source[:1], GREEDY)
    assert hf.tokenizer.decode_ids(unforced[0].tolist()[1:]) != forced.text


@pytest.mark.parametrize("name", ["mbart", "envit5", "madlad", "marian-multi"])
def test_greedy_agrees_token_by_token(backends: dict[str, dict[str, Any]], name: str) -> None:
    hf, ct2 = backends[name]["transformers"], backends[name]["ctranslate2"]
    source = hf.tokenize(SENTENCES)
    assert_agree(hf, ct2, source, cap=16)
    if name in ("envit5", "madlad"):  # no forced end marker: the same text to the cap
        texts = {
            b: [h.text for h in x.translate_batch(source, GREEDY)]
            for b, x in backends[name].items()
        }
        assert texts["ctranslate2"] == texts["transformers"]


def assert_agree(hf: Any, ct2: Any, source: list[list[str]], cap: int) -> None:
    """transformers' and CTranslate2's greedy tokens are the same, up to a forced end marker."""
    for hf_row, ct2_row in zip(
        hf_new_tokens(hf, source, cap), ct2_tokens(ct2, source, cap), strict=True
    ):
        content = hf_row[1:]  # after the decoder start token
        if content[-1:] == [hf.tokenizer.eos_token]:
            content = content[:-1]  # a forced end marker takes the cap's last position
        assert content and ct2_row[: len(content)] == content
        assert len(ct2_row) - len(content) in (0, 1)


@pytest.mark.parametrize("cap", [1, 5, 9])
def test_mbart_length_cap_counts_the_same_tokens_in_both_backends(
    backends: dict[str, dict[str, Any]], cap: int
) -> None:
    # The forced en_XX is the decoder's start token in both: it never counts toward the cap.
    hf, ct2 = backends["mbart"]["transformers"], backends["mbart"]["ctranslate2"]
    source = hf.tokenize(SENTENCES)
    for row in hf_new_tokens(hf, source, cap):
        assert row[0] == "en_XX" and len(row) - 1 == cap
    for row in ct2_tokens(ct2, source, cap):
        assert len(row) == cap and "en_XX" not in row
    decoding = dataclasses.replace(GREEDY, max_length=cap)
    for backend in (hf, ct2):
        assert all(h.hit_max_length for h in backend.translate_batch(source, decoding))


def test_ctranslate2_starts_mbart_from_en_xx_whatever_the_converter_says(
    family_models: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With a tokenizer_class other than MBartTokenizer in config.json, CTranslate2's
    # converter starts decoding from </s>: en_XX would be a generated token (one more
    # under the cap) of another sequence than transformers decodes.
    shutil.copytree(family_models["mbart"], tmp_path / "mbart")
    config = json.loads((tmp_path / "mbart" / "config.json").read_text())
    config["tokenizer_class"] = "MBartTokenizerFast"
    (tmp_path / "mbart" / "config.json").write_text(json.dumps(config))
    monkeypatch.setenv("VI2EN_CACHE_DIR", str(tmp_path / "cache"))
    model = resolve_model(str(tmp_path / "mbart"))
    ct2 = load_backend(model, BackendSettings(backend="ctranslate2", compute_type="float32"))
    [converted] = (tmp_path / "cache" / "ctranslate2").glob("*-float32")
    assert json.loads((converted / "config.json").read_text())["decoder_start_token"] is None
    hf = load_backend(model, BackendSettings(backend="transformers"))
    source = hf.tokenize(SENTENCES)
    for row in ct2_tokens(ct2, source, 5):
        assert len(row) == 5 and row[0] != "en_XX"
    assert_agree(hf, ct2, source, cap=12)


def test_envit5_output_prefix_is_stripped_in_both_backends(
    backends: dict[str, dict[str, Any]],
) -> None:
    ct2, hf = backends["envit5"]["ctranslate2"], backends["envit5"]["transformers"]
    # Force the model to begin with "en: " (what envit5 writes), then decode as each backend does.
    inner = ct2.tokenizer.inner
    forced = inner.tokenize(["en: "])[0][:-1]
    source = ct2.tokenize(SENTENCES)
    results = ct2.translator.translate_batch(
        source, target_prefix=[forced] * len(source), beam_size=1, max_decoding_length=10
    )
    for result in results:
        tokens = result.hypotheses[0]
        raw = inner.detokenize(tokens)
        assert raw.startswith("en:")
        assert ct2.tokenizer.detokenize(tokens) == raw.removeprefix("en:").lstrip()
        ids = inner.token_ids(tokens)
        assert hf.tokenizer.decode_ids(ids) == raw.removeprefix("en:").lstrip()
    # Only at the start, and MADLAD strips nothing.
    assert ENVIT5.output_text("Then en: no") == "Then en: no"
    assert MADLAD.output_text("en: yes") == "en: yes"


# -- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_mbart_tokenizer_without_the_language_codes_is_refused(
    family_models: dict[str, Path], backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VI2EN_CACHE_DIR", str(tmp_path))
    model = resolve_model(str(family_models["mbart-no-codes"]))
    with pytest.raises(ModelLoadError, match=r"has no token '(vi_VN|en_XX)'.*mbart") as caught:
        load_backend(model, BackendSettings(backend=backend, compute_type="float32"))
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("missing", ["vi_VN", "en_XX"])
def test_each_mbart_language_code_is_checked(family_models: dict[str, Path], missing: str) -> None:
    other = {"vi_VN": "xx_YY", "en_XX": "yy_ZZ"}[missing]
    fields = {"source_language": other} if missing == "vi_VN" else {"target_token": other}
    with pytest.raises(ModelLoadError, match=f"has no token '{other}'"):
        load_tokenizer(family_models["mbart"], dataclasses.replace(MBART_VINAI, **fields))


def test_a_model_without_the_prefix_token_is_refused(family_models: dict[str, Path]) -> None:
    with pytest.raises(ModelLoadError, match=r"has no token '<2en>'.*t5-madlad"):
        load_tokenizer(family_models["envit5"], MADLAD)
    with pytest.raises(ModelLoadError, match=r"has no token '>>eng<<'.*marian-multi"):
        load_tokenizer(TINY_MODEL, MARIAN_MULTI)
    # A row whose prefix does not hold its token is refused when it is made (a tokenizer that
    # splits a known prefix token: tests/test_families_nllb.py).
    with pytest.raises(ValueError, match="prefix token '<2en>' is not in the prefix"):
        dataclasses.replace(MADLAD, source_prefix="<2 en> ")


# -- end to end -----------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_translate_end_to_end_splits_at_the_family_input_limit(
    family_models: dict[str, Path],
    backend: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from translate.cli import main

    # The row's input limit, lowered so that one sentence of the article is too long.
    monkeypatch.setitem(FAMILIES, "mbart", dataclasses.replace(MBART_VINAI, max_input_tokens=24))
    article = tmp_path / "bai.txt"
    long = "Người dân xếp hàng chờ mua gạo, " * 4 + "và giá tăng."
    article.write_text(f"Xin chào Hà Nội.\n\n{long}\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["translate", str(article), "-o", str(out), "--model", str(family_models["mbart"])]
    options = [
        "--backend",
        backend,
        "--beams",
        "1",
        "--max-length",
        "6",
        "--no-cache",
        "-f",
        "jsonl",
    ]
    result = CliRunner().invoke(main, [*args, *options])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in (out / "corpus.jsonl").read_text("utf-8").splitlines()]
    assert len(records) == 2
    assert all(r["target"] and "en_XX" not in r["target"] for r in records)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["run"]["translator"]["warnings"]["split_long"]["count"] == 1


@pytest.mark.parametrize("beams", [1, 3], ids=["greedy", "beam"])
@pytest.mark.parametrize("name", ["mbart", "envit5", "madlad", "marian-multi"])
def test_both_backends_score_a_hypothesis_alike(
    backends: dict[str, dict[str, Any]], name: str, beams: int
) -> None:
    """The score is the mean log-probability of the generated tokens in both backends.

    Forced tokens left out: mBART's decoder start en_XX, an end marker forced at
    the cap. T5's agree since the conversion scales the outputs as transformers 5.
    """
    decoding = dataclasses.replace(GREEDY, beams=beams)
    backend = backends[name]
    assert_scores_agree(backend["transformers"], backend["ctranslate2"], SENTENCES, decoding)
