"""Build MarianMT models with random weights in the real Hugging Face format.

A random model has the exact files, shapes and special tokens of a trained
OPUS-MT model, so the real loading, tokenising, generation and CTranslate2
conversion code runs on it. Its output is gibberish: it exists for tests
(`TINY`, shipped in ``models/tiny-vi-en``, built by ``build_tiny_model.py``) and
for speed measurements of the full-size architecture (`OPUS_MT_VI_EN`,
``vi2en bench --random-model``) without downloading weights. A developer's tool,
not part of the ``translate`` package: the bench loads it from the checkout.

torch, transformers and sentencepiece are imported inside the functions that
need them, so importing this module stays cheap.
"""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from transformers import GenerationConfig, MarianConfig

EOS_TOKEN = "</s>"
UNK_TOKEN = "<unk>"
PAD_TOKEN = "<pad>"
EOS_TOKEN_ID = 0
UNK_TOKEN_ID = 1
SPM_FILES = ("source.spm", "target.spm")

# Filler entries pad vocab.json to the architecture's size. SentencePiece never
# produces them, so the model must never produce them either: a large negative
# logit bias keeps them out of every output in both transformers and CTranslate2
# (which converts `final_logits_bias` into the output projection's bias).
FILLER_TOKEN = "<filler{index}>"
FILLER_LOGIT_BIAS = -1000.0

# Keys every OPUS-MT config.json has but transformers' MarianConfig does not
# declare: its Marian implements only this variant. CTranslate2 reads them.
OPUS_MT_LEGACY_CONFIG: dict[str, Any] = {
    "normalize_before": False,
    "normalize_embedding": False,
    "static_position_embeddings": True,
}


@dataclass(frozen=True)
class MarianArchitecture:
    """Shape and decoding defaults of a MarianMT model.

    Everything Hugging Face Marian supports is fixed here as OPUS-MT has it:
    post-norm layers, static sinusoidal positions, one embedding matrix shared
    by encoder, decoder and output layer, ``</s>`` = 0, ``<unk>`` = 1 and
    ``<pad>`` = the last id (also the decoder start token).

    Attributes:
        name: Short label for messages and benchmark records.
        vocab_size: Rows of the shared embedding, ``<pad>`` included.
        d_model: Hidden size.
        encoder_layers: Number of encoder layers.
        decoder_layers: Number of decoder layers.
        heads: Attention heads, in encoder and decoder alike.
        ffn_dim: Inner size of the feed-forward blocks.
        activation: Feed-forward activation (a transformers ``ACT2FN`` name).
        max_position_embeddings: Longest sequence, in tokens, either side.
        scale_embedding: Multiply embeddings by sqrt(d_model).
        max_length: Default ``generate`` length limit, decoder start included.
        num_beams: Default beam size.
        init_std: Standard deviation of the random weights (``config.init_std``).
        eos_after: Random weights only: outputs end with ``</s>`` after about
            this many tokens, as a trained model's would. Plain random weights
            almost never choose ``</s>`` and run to ``max_length``; ``None``
            keeps them that way.
    """

    name: str
    vocab_size: int
    d_model: int
    encoder_layers: int
    decoder_layers: int
    heads: int
    ffn_dim: int
    activation: str = "swish"
    max_position_embeddings: int = 512
    scale_embedding: bool = True
    max_length: int = 512
    num_beams: int = 4
    init_std: float = 0.02
    eos_after: int | None = None

    def __post_init__(self) -> None:
        if self.d_model % self.heads:
            raise ValueError(f"d_model {self.d_model} is not a multiple of heads {self.heads}")
        if self.vocab_size < 3:
            raise ValueError(f"vocab_size {self.vocab_size} cannot hold </s>, <unk> and <pad>")
        if self.eos_after is not None and not 2 <= self.eos_after <= self.max_length - 2:
            raise ValueError(f"eos_after {self.eos_after} is not between 2 and max_length - 2")

    @property
    def pad_token_id(self) -> int:
        """Id of ``<pad>``: the last row, as in every OPUS-MT vocabulary."""
        return self.vocab_size - 1

    def to_config(self) -> MarianConfig:
        """Return the transformers config (the content of ``config.json``)."""
        from transformers import MarianConfig

        return MarianConfig(
            vocab_size=self.vocab_size,
            decoder_vocab_size=self.vocab_size,
            d_model=self.d_model,
            encoder_layers=self.encoder_layers,
            decoder_layers=self.decoder_layers,
            encoder_attention_heads=self.heads,
            decoder_attention_heads=self.heads,
            encoder_ffn_dim=self.ffn_dim,
            decoder_ffn_dim=self.ffn_dim,
            activation_function=self.activation,
            max_position_embeddings=self.max_position_embeddings,
            scale_embedding=self.scale_embedding,
            share_encoder_decoder_embeddings=True,
            tie_word_embeddings=True,
            init_std=self.init_std,
            pad_token_id=self.pad_token_id,
            decoder_start_token_id=self.pad_token_id,
            eos_token_id=EOS_TOKEN_ID,
            bos_token_id=EOS_TOKEN_ID,
            forced_eos_token_id=EOS_TOKEN_ID,
            architectures=["MarianMTModel"],
            **OPUS_MT_LEGACY_CONFIG,
        )

    def to_generation_config(self) -> GenerationConfig:
        """Return the decoding defaults (the content of ``generation_config.json``)."""
        from transformers import GenerationConfig

        return GenerationConfig(
            bad_words_ids=[[self.pad_token_id]],
            bos_token_id=EOS_TOKEN_ID,
            decoder_start_token_id=self.pad_token_id,
            eos_token_id=EOS_TOKEN_ID,
            forced_eos_token_id=EOS_TOKEN_ID,
            max_length=self.max_length,
            num_beams=self.num_beams,
            pad_token_id=self.pad_token_id,
            renormalize_logits=True,
        )


OPUS_MT_VI_EN = MarianArchitecture(
    name="opus-mt-vi-en",
    vocab_size=53739,
    d_model=512,
    encoder_layers=6,
    decoder_layers=6,
    heads=8,
    ffn_dim=2048,
    eos_after=28,
)
"""Helsinki-NLP/opus-mt-vi-en, the default model: 72 M parameters, 287 MB as float32.

Its random stand-in ends outputs after about 28 tokens, the length of a
typical news sentence's English translation, so that benchmarks decode as
many steps as the trained model would.
"""

TINY = MarianArchitecture(
    name="tiny-vi-en",
    vocab_size=4000,
    d_model=64,
    encoder_layers=2,
    decoder_layers=2,
    heads=4,
    ffn_dim=256,
    max_length=64,
    init_std=0.3,
    eos_after=12,
)
"""The test model in ``models/tiny-vi-en``: OPUS-MT's layout with 2 MB of weights."""


def build_shared_vocab(source_spm: Path, target_spm: Path, size: int) -> list[str]:
    """Build a Marian shared vocabulary from two SentencePiece models.

    Marian numbers ``</s>`` 0 and ``<unk>`` 1, then the pieces of both models
    (source first, each piece once), and transformers appends ``<pad>``. When
    the pieces leave rows unused, filler tokens take them so that the list has
    exactly ``size`` entries.

    Args:
        source_spm: SentencePiece model of the source language.
        target_spm: SentencePiece model of the target language.
        size: Number of entries wanted, ``<pad>`` included.

    Returns:
        The tokens in id order.

    Raises:
        ValueError: If the pieces do not fit in ``size`` entries.
    """
    import sentencepiece

    tokens = [EOS_TOKEN, UNK_TOKEN]
    seen = set(tokens)
    for path in (source_spm, target_spm):
        processor = sentencepiece.SentencePieceProcessor(model_file=str(path))
        for piece_id in range(processor.get_piece_size()):
            if processor.is_control(piece_id) or processor.is_unknown(piece_id):
                continue
            piece = processor.id_to_piece(piece_id)
            if piece not in seen:
                seen.add(piece)
                tokens.append(piece)
    if len(tokens) + 1 > size:
        raise ValueError(
            f"{source_spm.name} and {target_spm.name} hold {len(tokens) + 1} tokens with <pad>, "
            f"more than the vocab_size {size}; train smaller SentencePiece models"
        )
    tokens.extend(FILLER_TOKEN.format(index=index) for index in range(size - 1 - len(tokens)))
    tokens.append(PAD_TOKEN)
    return tokens


def build_random_marian(
    out_dir: Path, arch: MarianArchitecture, *, spm_dir: Path, seed: int = 0
) -> Path:
    """Write a MarianMT model directory with seeded random weights.

    The directory loads with ``AutoTokenizer.from_pretrained`` and
    ``AutoModelForSeq2SeqLM.from_pretrained`` and converts with CTranslate2's
    ``TransformersConverter``, like a model downloaded from the hub.

    Args:
        out_dir: Directory to write; created if missing, files in it replaced.
        arch: Shapes and decoding defaults.
        spm_dir: Directory holding ``source.spm`` and ``target.spm``.
        seed: Seed of the random weights; the same seed gives the same weights.

    Returns:
        ``out_dir``.

    Raises:
        FileNotFoundError: If a SentencePiece model is missing from ``spm_dir``.
        ValueError: If the SentencePiece pieces do not fit in ``arch.vocab_size``.
    """
    for name in SPM_FILES:
        if not (spm_dir / name).is_file():
            raise FileNotFoundError(f"{spm_dir / name} not found; SentencePiece models are needed")
    vocab = build_shared_vocab(spm_dir / SPM_FILES[0], spm_dir / SPM_FILES[1], arch.vocab_size)

    out_dir.mkdir(parents=True, exist_ok=True)
    for name in SPM_FILES:
        if (spm_dir / name).resolve() != (out_dir / name).resolve():
            shutil.copyfile(spm_dir / name, out_dir / name)
    _write_json(out_dir / "vocab.json", {token: index for index, token in enumerate(vocab)})
    # The files a hub OPUS-MT model has: no tokenizer_class, so AutoTokenizer
    # resolves the tokenizer through config.json's model_type, as it does there.
    _write_json(out_dir / "tokenizer_config.json", {"source_lang": "vie", "target_lang": "eng"})
    _write_json(
        out_dir / "special_tokens_map.json",
        {"eos_token": EOS_TOKEN, "unk_token": UNK_TOKEN, "pad_token": PAD_TOKEN},
    )

    model = _random_model(arch, vocab=vocab, seed=seed)
    model.save_pretrained(out_dir)
    return out_dir


def _filler_ids(vocab: list[str]) -> list[int]:
    prefix = FILLER_TOKEN.split("{", 1)[0]
    return [index for index, token in enumerate(vocab) if token.startswith(prefix)]


def _random_model(arch: MarianArchitecture, *, vocab: list[str], seed: int) -> Any:
    import torch
    from transformers import MarianMTModel

    torch.manual_seed(seed)
    model = MarianMTModel(arch.to_config()).eval()
    model.generation_config = arch.to_generation_config()
    filler_ids = _filler_ids(vocab)
    with torch.no_grad():
        model.final_logits_bias[0, filler_ids] = FILLER_LOGIT_BIAS
        if arch.eos_after is not None:
            piece_ids = sorted(set(range(UNK_TOKEN_ID + 1, arch.pad_token_id)) - set(filler_ids))
            _install_eos_clock(model, arch, arch.eos_after, piece_ids=piece_ids, seed=seed)
    return model


# How a random model learns to stop. A trained model ends a translation once the
# source is covered; random weights have no such notion and run to max_length,
# or, with a plain logit bias on </s>, stop either at once or never. So one
# hidden channel of the decoder becomes a clock: it carries a sinusoidal
# position column that rises over the whole max_length, no sublayer reads or
# writes it, and each layer norm's gain on it undoes that norm's scaling. The
# </s> output row reads the clock, so the </s> logit grows step by step, and a
# bias on it puts the step where it overtakes the best other token near
# `eos_after`. Gains, slope and bias are measured on synthetic input after the
# random draw, so they fit any architecture. Only weights change, so a
# CTranslate2 conversion stops at the same steps.
CLOCK_AMPLITUDE = 4.0
"""Gain of the first decoder layer norm on the clock, so noise stays small beside it."""
EOS_RISE = 10.0
"""How far the ``</s>`` logit climbs over ``eos_after`` steps, in standard deviations
of its distance to the best other logit: high enough that no output ends at once."""
CALIBRATION_BATCH = (16, 24)
"""Synthetic sources for calibration: sentences, tokens per sentence."""


def _clock_channel(arch: MarianArchitecture) -> int:
    # Column c < d_model / 2 of Marian's position table is sin(t * 10000 ** (-2c / d_model)):
    # take the fastest such sine that still rises up to t = max_length.
    half = arch.d_model // 2
    column = math.ceil(half * math.log(2 * arch.max_length / math.pi) / math.log(10000))
    return min(column, half - 1)


def _install_eos_clock(
    model: Any, arch: MarianArchitecture, eos_after: int, *, piece_ids: list[int], seed: int
) -> None:
    import torch

    channel = _clock_channel(arch)
    others = [index for index in range(arch.d_model) if index != channel]
    # Vectors entering the decoder's residual stream get zero mean across channels,
    # so each layer norm's mean subtraction moves the clock deterministically.
    embeddings = model.model.shared.weight
    embeddings[:, channel] = 0.0
    embeddings[:, others] -= embeddings[:, others].mean(dim=1, keepdim=True)
    # The </s> row reads nothing but the clock (set below). A random part would
    # be wiped out anyway when int8 quantisation scales the row to its largest
    # entry, the clock weight, and outputs would end earlier than in float32.
    embeddings[EOS_TOKEN_ID] = 0.0
    norms = []
    for layer in model.model.decoder.layers:
        for writer in (layer.self_attn.out_proj, layer.encoder_attn.out_proj, layer.fc2):
            writer.weight[channel, :] = 0.0
            writer.weight[others, :] -= writer.weight[others, :].mean(dim=0, keepdim=True)
            writer.bias[channel] = 0.0
            writer.bias[others] -= writer.bias[others].mean()
        readers = (layer.self_attn.q_proj, layer.self_attn.k_proj, layer.self_attn.v_proj)
        for reader in (*readers, layer.encoder_attn.q_proj, layer.fc1):
            reader.weight[:, channel] = 0.0
        norms += [layer.self_attn_layer_norm, layer.encoder_attn_layer_norm, layer.final_layer_norm]

    generator = torch.Generator().manual_seed(seed)
    pieces = torch.tensor(piece_ids)
    source = pieces[torch.randint(len(piece_ids), CALIBRATION_BATCH, generator=generator)]
    source = torch.cat([source, torch.full((len(source), 1), EOS_TOKEN_ID)], dim=1)
    steps = eos_after + 2  # generate counts the decoder start token
    target = pieces[torch.randint(len(piece_ids), (len(source), steps), generator=generator)]
    target[:, 0] = arch.pad_token_id

    scales = _norm_input_scales(model, norms, source, target)
    for norm, scale in zip(norms, scales, strict=True):
        norm.weight[channel] = scale
        norm.bias[channel] = 0.0
    norms[0].weight[channel] *= CLOCK_AMPLITUDE

    clock, margin = _greedy_trace(model, source, steps, channel)
    # Step 0 (the decoder start) is left out: the position table's mean, which the
    # layer norms subtract, is largest there and would inflate the slope.
    mean_clock = clock.mean(dim=0)
    slope = float(mean_clock[eos_after] - mean_clock[1]) / (eos_after - 1)
    embeddings[EOS_TOKEN_ID, channel] = EOS_RISE * float(margin.std()) / (eos_after * slope)

    _, margin = _greedy_trace(model, source, steps, channel)
    model.final_logits_bias[0, EOS_TOKEN_ID] = float(margin[:, eos_after].median())


def _norm_input_scales(model: Any, norms: list[Any], source: Any, target: Any) -> list[float]:
    """Return the mean standard deviation of each layer norm's input, teacher-forced."""
    scales: dict[int, float] = {}

    def record(module: Any, inputs: tuple[Any, ...]) -> None:
        scales[id(module)] = float(inputs[0].std(dim=-1, unbiased=False).mean())

    hooks = [norm.register_forward_pre_hook(record) for norm in norms]
    try:
        model(input_ids=source, decoder_input_ids=target)
    finally:
        for hook in hooks:
            hook.remove()
    return [scales[id(norm)] for norm in norms]


def _greedy_trace(model: Any, source: Any, steps: int, channel: int) -> tuple[Any, Any]:
    """Decode greedily with ``</s>`` held back; return the clock and the ``</s>`` deficit per step.

    The deficit is how far the ``</s>`` logit is below the best other logit.
    """
    import torch

    output = model.generate(
        input_ids=source,
        attention_mask=torch.ones_like(source),
        max_length=steps,
        num_beams=1,
        do_sample=False,
        min_length=steps,
        return_dict_in_generate=True,
        output_logits=True,
        output_hidden_states=True,
    )
    logits = torch.stack(output.logits, dim=1)
    clock = torch.stack([layers[-1][:, -1, channel] for layers in output.decoder_hidden_states], 1)
    eos = logits[..., EOS_TOKEN_ID].clone()
    logits[..., EOS_TOKEN_ID] = float("-inf")
    return clock, logits.max(dim=-1).values - eos


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


# --- the other families: the shapes of each one's smallest checkpoint ---------------------
#
# ``vi2en bench --random-model FAMILY`` builds a random model with these shapes (the
# builders are in ``build_family_models.py``). The keys are the family's transformers
# config arguments. The hub could not be reached when these were written: the values are
# the published config.json values as remembered, each checked against the parameter count
# and weights size in ``translate/catalog.py`` (float32: 4 bytes a parameter).
FAMILY_ARCHITECTURES: dict[str, dict[str, Any]] = {
    # facebook/nllb-200-distilled-600M config.json (from memory): 256 206 tokens (the
    # SentencePiece vocabulary, 202 FLORES-200 codes, <mask>), 12 + 12 layers of width
    # 1024, 16 heads, ReLU feed-forward 4096, 1024 positions. 615 M parameters with the
    # tied embeddings: the catalog's 600M, 2.46 GB.
    "nllb": {
        "vocab_size": 256206,
        "d_model": 1024,
        "encoder_layers": 12,
        "decoder_layers": 12,
        "encoder_attention_heads": 16,
        "decoder_attention_heads": 16,
        "encoder_ffn_dim": 4096,
        "decoder_ffn_dim": 4096,
        "activation_function": "relu",
        "max_position_embeddings": 1024,
    },
    # facebook/m2m100_418M config.json (from memory): the same layers as NLLB-600M with
    # 128 112 tokens; 484 M parameters, the catalog's 1.94 GB ("418M" is the model card's
    # count without the embeddings' share).
    "m2m100": {
        "vocab_size": 128112,
        "d_model": 1024,
        "encoder_layers": 12,
        "decoder_layers": 12,
        "encoder_attention_heads": 16,
        "decoder_attention_heads": 16,
        "encoder_ffn_dim": 4096,
        "decoder_ffn_dim": 4096,
        "activation_function": "relu",
        "max_position_embeddings": 1024,
    },
    # vinai/vinai-translate-vi2en-v2: mBART-large (12 + 12 layers, width 1024, 16 heads,
    # GELU feed-forward 4096, 1024 positions: the mBART config.json values, from memory).
    # Its vocabulary is VinAI's trimmed mBART-25 SentencePiece: the size here is DERIVED,
    # not read: what the catalog's 1.69 GB (≈420 M parameters) leaves for the embeddings.
    "mbart": {
        "vocab_size": 66000,
        "d_model": 1024,
        "encoder_layers": 12,
        "decoder_layers": 12,
        "encoder_attention_heads": 16,
        "decoder_attention_heads": 16,
        "encoder_ffn_dim": 4096,
        "decoder_ffn_dim": 4096,
        "activation_function": "gelu",
        "max_position_embeddings": 1024,
    },
    # VietAI/envit5-translation: T5 v1.1-base (width 768, 12 + 12 layers, 12 heads of 64,
    # gated-GELU feed-forward 2048, untied output layer; from memory) with ViT5's 50 048
    # tokens (from memory): 275 M parameters, the catalog's ≈275M and 1.1 GB.
    "t5": {
        "vocab_size": 50048,
        "d_model": 768,
        "d_kv": 64,
        "d_ff": 2048,
        "num_layers": 12,
        "num_decoder_layers": 12,
        "num_heads": 12,
        "feed_forward_proj": "gated-gelu",
        "tie_word_embeddings": False,
    },
}
RANDOM_FAMILIES = ("marian", *FAMILY_ARCHITECTURES)
"""The families ``vi2en bench --random-model`` builds; ``marian`` is :data:`OPUS_MT_VI_EN`."""
