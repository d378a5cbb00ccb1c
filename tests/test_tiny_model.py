"""The tiny real-format MarianMT test model and the random-model builder."""

from __future__ import annotations

import os

# Before transformers is imported: no test may reach the hub.
os.environ["HF_HUB_OFFLINE"] = "1"

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
import torch
from safetensors.torch import load_file
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer, MarianMTModel, MarianTokenizer

from models.modelgen import (
    EOS_TOKEN_ID,
    OPUS_MT_VI_EN,
    TINY,
    UNK_TOKEN_ID,
    MarianArchitecture,
    build_random_marian,
    build_shared_vocab,
)

TINY_DIR = Path(__file__).resolve().parent.parent / "models" / "tiny-vi-en"

SENTENCES = [
    "Hà Nội là thủ đô của Việt Nam.",
    "Tôi không biết.",
    "Giá xăng dầu trong nước tăng lần thứ ba liên tiếp kể từ đầu tháng.",
    "Ông nói thêm rằng nghiên cứu này chỉ mới là sự khởi đầu.",
    "Chúng tôi hiện có đàn chuột 4 tháng tuổi đã hết bị tiểu đường.",
    "Mẹ của bạn có ở nhà không?",
    "Cảm ơn rất nhiều!",
    "Bộ Y tế ghi nhận 1.234 ca mắc mới trong 24 giờ qua.",
]

EDGE_CASES = [
    pytest.param("", id="empty"),
    pytest.param("a", id="one-letter"),
    pytest.param("Chào 👋🏽!", id="emoji"),
    # Decomposed tone marks, as in Tatoeba test lines 381 and 615.
    pytest.param("Tie\u0302\u0301ng Vie\u0323\u0302t", id="nfd"),
    pytest.param("“Trích dẫn” – gạch ngang … «ngoặc»", id="typographic-punctuation"),
    pytest.param(" ".join(["Người dân xếp hàng chờ mua gạo."] * 25), id="long-200-tokens"),
]


@pytest.fixture(scope="module")
def tokenizer() -> Any:
    return AutoTokenizer.from_pretrained(TINY_DIR)


@pytest.fixture(scope="module")
def model() -> Any:
    return AutoModelForSeq2SeqLM.from_pretrained(TINY_DIR).eval()


def generate(model: Any, tokenizer: Any, texts: list[str], **options: Any) -> list[list[int]]:
    batch = tokenizer(texts, return_tensors="pt", padding=True)
    with torch.no_grad():
        output = model.generate(**batch, **options)
    pad = tokenizer.pad_token_id
    return [[token for token in row[1:] if token != pad] for row in output.tolist()]


def test_tiny_model_has_the_hub_files_and_stays_small() -> None:
    names = {path.name for path in TINY_DIR.iterdir()}
    assert names == {
        "config.json",
        "generation_config.json",
        "model.safetensors",
        "source.spm",
        "target.spm",
        "special_tokens_map.json",
        "tokenizer_config.json",
        "vocab.json",
    }
    assert sum(path.stat().st_size for path in TINY_DIR.iterdir()) < 3_000_000


def test_auto_tokenizer_is_marian_with_marian_special_ids(tokenizer: Any) -> None:
    assert isinstance(tokenizer, MarianTokenizer)
    assert tokenizer.vocab_size == TINY.vocab_size
    assert (tokenizer.eos_token_id, tokenizer.unk_token_id) == (EOS_TOKEN_ID, UNK_TOKEN_ID)
    assert tokenizer.pad_token_id == TINY.pad_token_id == TINY.vocab_size - 1


def test_config_matches_tiny_architecture(model: Any) -> None:
    config = model.config
    assert isinstance(model, MarianMTModel)
    assert config.vocab_size == TINY.vocab_size
    assert (config.d_model, config.encoder_ffn_dim, config.decoder_ffn_dim) == (64, 256, 256)
    assert (config.encoder_layers, config.decoder_layers) == (2, 2)
    assert (config.encoder_attention_heads, config.decoder_attention_heads) == (4, 4)
    assert config.activation_function == "swish"
    assert model.get_input_embeddings().weight.shape == (TINY.vocab_size, TINY.d_model)
    assert model.lm_head.weight.data_ptr() == model.get_input_embeddings().weight.data_ptr()
    generation = model.generation_config
    assert (generation.max_length, generation.num_beams) == (64, 4)
    assert generation.bad_words_ids == [[TINY.pad_token_id]]
    assert generation.decoder_start_token_id == TINY.pad_token_id


def test_batch_encoding_ends_each_source_with_eos_and_pads(tokenizer: Any) -> None:
    batch = tokenizer(["Tôi không biết.", SENTENCES[2]], return_tensors="pt", padding=True)
    short, long = batch["input_ids"].tolist()
    real = batch["attention_mask"][0].sum().item()
    assert short[real - 1] == EOS_TOKEN_ID
    assert set(short[real:]) == {TINY.pad_token_id}
    assert long[-1] == EOS_TOKEN_ID
    assert UNK_TOKEN_ID not in short + long


@pytest.mark.parametrize("num_beams", [1, 4], ids=["greedy", "beam4"])
def test_generation_ends_with_eos_well_before_max_length(
    model: Any, tokenizer: Any, num_beams: int
) -> None:
    outputs = generate(model, tokenizer, SENTENCES, num_beams=num_beams, do_sample=False)
    for output in outputs:
        assert output[-1] == EOS_TOKEN_ID
        assert 2 <= len(output) < TINY.max_length // 2


@pytest.mark.parametrize("text", EDGE_CASES)
def test_edge_case_inputs_translate_to_nonempty_text(model: Any, tokenizer: Any, text: str) -> None:
    [output] = generate(model, tokenizer, [text], num_beams=4)
    assert output[-1] == EOS_TOKEN_ID
    decoded = tokenizer.decode(output, skip_special_tokens=True)
    assert decoded.strip()
    assert "</s>" not in decoded and "<pad>" not in decoded


def test_generated_tokens_are_real_pieces(model: Any, tokenizer: Any) -> None:
    pieces = set(build_shared_vocab(TINY_DIR / "source.spm", TINY_DIR / "target.spm", 4000))
    fillers = {token for token in pieces if token.startswith("<filler")}
    assert fillers, "the tiny vocabulary is expected to hold filler rows"
    for output in generate(model, tokenizer, SENTENCES, num_beams=4):
        tokens = tokenizer.convert_ids_to_tokens(output[:-1])
        assert not fillers & set(tokens)
        assert UNK_TOKEN_ID not in output


def test_generation_is_deterministic_across_loads(model: Any, tokenizer: Any) -> None:
    first = generate(model, tokenizer, SENTENCES, num_beams=4)
    reloaded = AutoModelForSeq2SeqLM.from_pretrained(TINY_DIR).eval()
    assert generate(reloaded, tokenizer, SENTENCES, num_beams=4) == first


def test_outputs_depend_on_the_input(model: Any, tokenizer: Any) -> None:
    outputs = generate(model, tokenizer, SENTENCES, num_beams=1)
    assert len({tuple(output) for output in outputs}) >= len(SENTENCES) - 2


def test_padding_does_not_change_an_output(model: Any, tokenizer: Any) -> None:
    alone = generate(model, tokenizer, [SENTENCES[1]], num_beams=1)
    batched = generate(model, tokenizer, [SENTENCES[1], SENTENCES[2]], num_beams=1)
    assert batched[0] == alone[0]


def test_shipped_weights_are_what_the_builder_makes(tmp_path: Path) -> None:
    build_random_marian(tmp_path, TINY, spm_dir=TINY_DIR)
    shipped = load_file(TINY_DIR / "model.safetensors")
    rebuilt = load_file(tmp_path / "model.safetensors")
    assert shipped.keys() == rebuilt.keys()
    for name, tensor in shipped.items():
        torch.testing.assert_close(rebuilt[name], tensor, rtol=1e-4, atol=1e-4, msg=name)
    for name in ("config.json", "generation_config.json", "vocab.json"):
        # The transformers version that wrote a file is not part of the model.
        rebuilt_json, shipped_json = (
            json.loads((folder / name).read_text()) for folder in (tmp_path, TINY_DIR)
        )
        for content in (rebuilt_json, shipped_json):
            if isinstance(content, dict):
                content.pop("transformers_version", None)
        assert rebuilt_json == shipped_json


MINI = MarianArchitecture(
    name="mini",
    vocab_size=3800,
    d_model=16,
    encoder_layers=1,
    decoder_layers=1,
    heads=2,
    ffn_dim=32,
    max_length=24,
    init_std=0.3,
    eos_after=6,
)


def test_build_random_marian_round_trips_a_custom_architecture(tmp_path: Path) -> None:
    out = build_random_marian(tmp_path / "mini", MINI, spm_dir=TINY_DIR, seed=3)
    tokenizer = AutoTokenizer.from_pretrained(out)
    model = AutoModelForSeq2SeqLM.from_pretrained(out).eval()

    vocab = json.loads((out / "vocab.json").read_text(encoding="utf-8"))
    assert len(vocab) == tokenizer.vocab_size == model.config.vocab_size == 3800
    assert vocab["</s>"] == 0 and vocab["<unk>"] == 1 and vocab["<pad>"] == 3799
    assert model.get_input_embeddings().weight.shape == (3800, 16)
    assert model.generation_config.max_length == 24
    for output in generate(model, tokenizer, SENTENCES[:4], num_beams=1):
        assert output[-1] == EOS_TOKEN_ID


def test_seed_decides_the_weights(tmp_path: Path) -> None:
    first = build_random_marian(tmp_path / "a", MINI, spm_dir=TINY_DIR, seed=1)
    again = build_random_marian(tmp_path / "b", MINI, spm_dir=TINY_DIR, seed=1)
    other = build_random_marian(tmp_path / "c", MINI, spm_dir=TINY_DIR, seed=2)
    weights = load_file(first / "model.safetensors")["model.shared.weight"]
    assert torch.equal(load_file(again / "model.safetensors")["model.shared.weight"], weights)
    assert not torch.equal(load_file(other / "model.safetensors")["model.shared.weight"], weights)


def test_plain_random_weights_run_to_max_length(tmp_path: Path) -> None:
    # Why eos_after exists: without it the random model never chooses </s>.
    plain = dataclasses.replace(MINI, init_std=0.02, eos_after=None)
    out = build_random_marian(tmp_path, plain, spm_dir=TINY_DIR)
    model = AutoModelForSeq2SeqLM.from_pretrained(out).eval()
    tokenizer = AutoTokenizer.from_pretrained(out)
    for output in generate(model, tokenizer, SENTENCES[:2], num_beams=1):
        assert len(output) == MINI.max_length - 1


def test_vocab_padded_with_fillers_up_to_the_architecture_size() -> None:
    vocab = build_shared_vocab(TINY_DIR / "source.spm", TINY_DIR / "target.spm", 53739)
    assert len(vocab) == len(set(vocab)) == 53739
    assert vocab[:2] == ["</s>", "<unk>"] and vocab[-1] == "<pad>"
    assert vocab[-2].startswith("<filler")


def test_vocab_too_small_for_the_pieces_is_refused() -> None:
    with pytest.raises(ValueError, match="more than the vocab_size 1000"):
        build_shared_vocab(TINY_DIR / "source.spm", TINY_DIR / "target.spm", 1000)


def test_missing_sentencepiece_model_is_reported(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"source\.spm"):
        build_random_marian(tmp_path / "out", MINI, spm_dir=tmp_path)


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"heads": 5}, id="d_model-not-multiple-of-heads"),
        pytest.param({"vocab_size": 2}, id="vocab-without-room-for-specials"),
        pytest.param({"eos_after": 1}, id="eos_after-too-small"),
        pytest.param({"eos_after": 23}, id="eos_after-beyond-max_length"),
    ],
)
def test_inconsistent_architecture_is_refused(changes: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        dataclasses.replace(MINI, **changes)


def test_opus_mt_vi_en_config_is_the_published_one() -> None:
    config = OPUS_MT_VI_EN.to_config()
    assert config.vocab_size == config.decoder_vocab_size == 53739
    assert (config.d_model, config.encoder_layers, config.decoder_layers) == (512, 6, 6)
    assert (config.encoder_attention_heads, config.decoder_attention_heads) == (8, 8)
    assert (config.encoder_ffn_dim, config.decoder_ffn_dim) == (2048, 2048)
    assert config.activation_function == "swish"
    assert config.max_position_embeddings == 512
    assert (config.pad_token_id, config.decoder_start_token_id) == (53738, 53738)
    assert (config.eos_token_id, config.forced_eos_token_id) == (0, 0)
    assert config.scale_embedding is True
    assert config.share_encoder_decoder_embeddings is True and config.tie_word_embeddings is True
    assert config.normalize_before is False and config.static_position_embeddings is True
    generation = OPUS_MT_VI_EN.to_generation_config()
    assert (generation.max_length, generation.num_beams) == (512, 4)
    assert generation.bad_words_ids == [[53738]]


def test_opus_mt_vi_en_has_72_million_parameters() -> None:
    with torch.device("meta"):
        model = MarianMTModel(OPUS_MT_VI_EN.to_config())
    # 71.65 M weights plus the two fixed 512 x 512 sinusoidal position tables.
    assert model.num_parameters() == 72_177_152


def test_ctranslate2_greedy_matches_transformers(
    model: Any, tokenizer: Any, tmp_path: Path
) -> None:
    ctranslate2 = pytest.importorskip("ctranslate2")
    ctranslate2.converters.TransformersConverter(str(TINY_DIR)).convert(
        str(tmp_path / "ct2"), quantization="float32"
    )
    translator = ctranslate2.Translator(str(tmp_path / "ct2"), device="cpu")
    # Not the empty text: CTranslate2 answers a source of only </s> with an empty
    # translation, where transformers generates one.
    texts = SENTENCES + [param.values[0] for param in EDGE_CASES if param.values[0]]
    sources = [tokenizer.convert_ids_to_tokens(tokenizer(text).input_ids) for text in texts]
    results = translator.translate_batch(
        sources, beam_size=1, max_decoding_length=TINY.max_length - 1
    )
    expected = generate(model, tokenizer, texts, num_beams=1, do_sample=False)
    for result, output in zip(results, expected, strict=True):
        assert result.hypotheses[0] == tokenizer.convert_ids_to_tokens(output[:-1])
