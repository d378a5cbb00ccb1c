"""Build tiny NLLB-200 and M2M100 models with random weights and the real tokenizer classes.

Both families are ``M2M100ForConditionalGeneration`` checkpoints (``model_type``
``m2m_100``); only their tokenizers differ. A tiny model here has the files a
hub checkpoint has, written by ``save_pretrained`` of the real classes:

- NLLB-200: ``NllbTokenizer`` built from a SentencePiece BPE model with
  the 202 FLORES-200 language codes (``tokenizer.json``, ``tokenizer_config.json``);
- M2M100: ``M2M100Tokenizer`` with its ``vocab.json`` and
  ``sentencepiece.bpe.model`` (the 100 M2M100 language tokens ``__xx__``).

The SentencePiece model is trained in about a second on the Vietnamese and
English text of ``tests/data``; the weights are random, so outputs are
gibberish: the tests check token sequences (language tokens, forcing,
stripping) and agreement between backends, never a translation. Nothing is
shipped: the tests build the models in a temporary directory (``python
models/build_family_models.py OUT`` builds them for a look by hand).

transformers 5 converts a bare SentencePiece model into ``NllbTokenizer`` only
with ``protobuf`` installed. torch, transformers and sentencepiece are imported
inside the functions, so importing this module stays cheap.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
# Vietnamese (the article and the readers' samples) and English (the READMEs).
TEXT_FILES = (
    "sample/ntrex-article.vi.txt",
    "sample/README.md",
    "readers/README.md",
    "readers/vietnamese-utf8-bom.txt",
    "readers/vietnamese-crlf.txt",
)
PIECES = 400
SEED = 1234
# fairseq's dictionary order, which both tokenizers keep: <s> <pad> </s> <unk>.
SPECIALS = {"bos_id": 0, "pad_id": 1, "eos_id": 2, "unk_id": 3}
# Small enough to build and run in a blink; the input limit is the position table.
SHAPE: dict[str, Any] = {
    "d_model": 32,
    "encoder_layers": 2,
    "decoder_layers": 2,
    "encoder_attention_heads": 2,
    "decoder_attention_heads": 2,
    "encoder_ffn_dim": 64,
    "decoder_ffn_dim": 64,
    "max_position_embeddings": 64,
    # Larger than the default 0.02, so that outputs depend on the input.
    "init_std": 0.5,
}
FAMILY_BUILDERS = ("nllb", "m2m100")


def training_lines() -> list[str]:
    """Sentences of the Vietnamese and English text under ``tests/data``."""
    lines: list[str] = []
    for name in TEXT_FILES:
        text = (DATA / name).read_text(encoding="utf-8-sig")
        lines += [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n", text) if s.strip()]
    return lines


def train_spm(pieces: int = PIECES, model_type: str = "bpe", **specials: int) -> bytes:
    """A SentencePiece model trained on :func:`training_lines`.

    ``specials`` replace fairseq's special ids (:data:`SPECIALS`), e.g. T5's.
    """
    import sentencepiece

    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(training_lines()),
        model_writer=model,
        vocab_size=pieces,
        model_type=model_type,
        hard_vocab_limit=False,
        character_coverage=1.0,
        minloglevel=2,
        **(specials or SPECIALS),
    )
    return model.getvalue()


def save_random_m2m100(
    out: Path,
    tokenizer: Any,
    *,
    vocab_size: int,
    tokenizer_class: str,
    seed: int = SEED,
    shape: dict[str, Any] | None = None,
) -> None:
    """Random ``M2M100ForConditionalGeneration`` weights and configs next to ``tokenizer``.

    The generation config is upstream's (NLLB and M2M100 alike): greedy, 200 tokens.
    ``shape`` replaces the tiny :data:`SHAPE` (config arguments, ``vocab_size`` aside).
    """
    import torch
    from transformers import GenerationConfig, M2M100Config, M2M100ForConditionalGeneration

    config = M2M100Config(
        vocab_size=vocab_size,
        **(SHAPE if shape is None else shape),
        bos_token_id=0,
        pad_token_id=1,
        eos_token_id=2,
        decoder_start_token_id=2,
        scale_embedding=True,
        tokenizer_class=tokenizer_class,
    )
    torch.manual_seed(seed)
    model = M2M100ForConditionalGeneration(config).eval()
    model.generation_config = GenerationConfig(
        bos_token_id=0, pad_token_id=1, eos_token_id=2, decoder_start_token_id=2, max_length=200
    )
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)


def build_nllb(out: Path, spm_model: bytes, *, language_codes: bool = True) -> Path:
    """A tiny NLLB-200 model in ``out``; ``language_codes=False`` leaves the codes out."""
    from transformers import NllbTokenizer
    from transformers.models.nllb.tokenization_nllb import FAIRSEQ_LANGUAGE_CODES

    with tempfile.TemporaryDirectory() as raw:
        (Path(raw) / "sentencepiece.bpe.model").write_bytes(spm_model)
        # Given explicitly: from a bare SentencePiece model, from_pretrained adds no codes.
        codes = list(FAIRSEQ_LANGUAGE_CODES) if language_codes else []
        tokenizer = NllbTokenizer.from_pretrained(raw, extra_special_tokens=codes)
    save_random_m2m100(
        out, tokenizer, vocab_size=len(tokenizer), tokenizer_class="NllbTokenizer", seed=SEED
    )
    return out


def build_m2m100(out: Path, spm_model: bytes, *, language_codes: str = "m2m100") -> Path:
    """A tiny M2M100 model in ``out`` (``language_codes="wmt21"`` has no Vietnamese)."""
    import sentencepiece
    from transformers import M2M100Tokenizer

    processor = sentencepiece.SentencePieceProcessor(model_proto=spm_model)
    vocab = {processor.id_to_piece(i): i for i in range(processor.get_piece_size())}
    with tempfile.TemporaryDirectory() as raw:
        (Path(raw) / "sentencepiece.bpe.model").write_bytes(spm_model)
        (Path(raw) / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), "utf-8")
        tokenizer = M2M100Tokenizer(
            vocab_file=str(Path(raw) / "vocab.json"),
            spm_file=str(Path(raw) / "sentencepiece.bpe.model"),
            language_codes=language_codes,
        )
        out.mkdir(parents=True, exist_ok=True)
        # Written before the spm file goes with the temporary directory.
        save_random_m2m100(
            out,
            tokenizer,
            # The vocabulary, the language tokens, then the "madeup words" fairseq pads with.
            vocab_size=len(vocab) + len(tokenizer.lang_token_to_id) + tokenizer.num_madeup_words,
            tokenizer_class="M2M100Tokenizer",
            seed=SEED + 1,
        )
    return out


# --- full-size random models for ``vi2en bench --random-model FAMILY`` --------------------
#
# The shapes are the real checkpoints' (modelgen.FAMILY_ARCHITECTURES); the tokenizer is a
# real one of the family's class on the tiny SentencePiece model above, padded with
# DUMMY_TOKEN entries (never produced by the tokenizer) up to the embedding's
# vocab_size, so that the vocabulary and the embedding have the same size in both
# backends, as in the real checkpoint. Weights are saved as safetensors.
DUMMY_TOKEN = "<dummy{index}>"
T5_SPECIALS = {"pad_id": 0, "eos_id": 1, "unk_id": 2, "bos_id": -1}
# mBART's SentencePiece keeps SentencePiece's own ids; fairseq's dictionary shifts them by one.
MBART_SPECIALS = {"unk_id": 0, "bos_id": 1, "eos_id": 2, "pad_id": -1}


def pad_vocabulary(tokenizer: Any, size: int) -> Any:
    """Add dummy tokens to ``tokenizer`` until it holds ``size`` tokens.

    Raises:
        ValueError: The tokenizer already holds more than ``size`` tokens.
    """
    if len(tokenizer) > size:
        raise ValueError(
            f"the tokenizer holds {len(tokenizer)} tokens, more than vocab_size {size}"
        )
    start = len(tokenizer)
    tokenizer.add_tokens([DUMMY_TOKEN.format(index=i) for i in range(start, size)])
    return tokenizer


def build_random_family(
    out: Path, family: str, *, shape: dict[str, Any] | None = None, seed: int = SEED
) -> Path:
    """A random model of ``family`` (a key of ``FAMILY_ARCHITECTURES``) in ``out``.

    ``shape`` replaces the real checkpoint's config arguments (the tests' tiny ones);
    it must hold ``vocab_size``, at least the tokenizer's size.

    Raises:
        ValueError: An unknown family, or a ``vocab_size`` below the tokenizer's size.
    """
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from modelgen import FAMILY_ARCHITECTURES

    if family not in FAMILY_ARCHITECTURES:
        raise ValueError(f"no random {family} model; one of {', '.join(FAMILY_ARCHITECTURES)}")
    arguments = dict(FAMILY_ARCHITECTURES[family] if shape is None else shape)
    vocab_size = arguments.pop("vocab_size")
    out.mkdir(parents=True, exist_ok=True)
    if family == "nllb":
        _random_nllb(out, vocab_size, arguments, seed)
    elif family == "m2m100":
        _random_m2m100(out, vocab_size, arguments, seed)
    elif family == "mbart":
        _random_mbart(out, vocab_size, arguments, seed)
    else:
        _random_t5(out, vocab_size, arguments, seed)
    return out


def _random_nllb(out: Path, vocab_size: int, shape: dict[str, Any], seed: int) -> None:
    from transformers import NllbTokenizer
    from transformers.models.nllb.tokenization_nllb import FAIRSEQ_LANGUAGE_CODES

    with tempfile.TemporaryDirectory() as raw:
        (Path(raw) / "sentencepiece.bpe.model").write_bytes(train_spm())
        tokenizer = NllbTokenizer.from_pretrained(
            raw, extra_special_tokens=list(FAIRSEQ_LANGUAGE_CODES)
        )
    pad_vocabulary(tokenizer, vocab_size)
    save_random_m2m100(
        out, tokenizer, vocab_size=vocab_size, tokenizer_class="NllbTokenizer", seed=seed,
        shape=shape,
    )  # fmt: skip


def _random_m2m100(out: Path, vocab_size: int, shape: dict[str, Any], seed: int) -> None:
    import sentencepiece

    spm_model = train_spm()
    processor = sentencepiece.SentencePieceProcessor(model_proto=spm_model)
    vocab = {processor.id_to_piece(i): i for i in range(processor.get_piece_size())}
    with tempfile.TemporaryDirectory() as raw:
        (Path(raw) / "sentencepiece.bpe.model").write_bytes(spm_model)
        probe = _m2m100_tokenizer(Path(raw), vocab)
        # M2M100's vocab.json is the padded part: the language tokens and the madeup
        # words follow it, as in fairseq's dictionary.
        extra = len(probe.lang_token_to_id) + probe.num_madeup_words
        if len(vocab) + extra > vocab_size:
            raise ValueError(
                f"the tokenizer holds {len(vocab) + extra} tokens, more than vocab_size {vocab_size}"
            )
        for index in range(len(vocab), vocab_size - extra):
            vocab[DUMMY_TOKEN.format(index=index)] = index
        tokenizer = _m2m100_tokenizer(Path(raw), vocab)
        save_random_m2m100(
            out, tokenizer, vocab_size=vocab_size, tokenizer_class="M2M100Tokenizer",
            seed=seed, shape=shape,
        )  # fmt: skip


def _m2m100_tokenizer(raw: Path, vocab: dict[str, int]) -> Any:
    from transformers import M2M100Tokenizer

    (raw / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), "utf-8")
    return M2M100Tokenizer(
        vocab_file=str(raw / "vocab.json"), spm_file=str(raw / "sentencepiece.bpe.model")
    )


def _random_mbart(out: Path, vocab_size: int, shape: dict[str, Any], seed: int) -> None:
    """VinAI's layout: mBART-25 language codes, no decoder start, no generation config."""
    import torch
    from transformers import MBartConfig, MBartForConditionalGeneration, MBartTokenizer

    with tempfile.TemporaryDirectory() as raw:
        (Path(raw) / "sentencepiece.bpe.model").write_bytes(train_spm(**MBART_SPECIALS))
        tokenizer = MBartTokenizer.from_pretrained(raw, src_lang="vi_VN", tgt_lang="en_XX")
    pad_vocabulary(tokenizer, vocab_size)
    config = MBartConfig(
        vocab_size=vocab_size,
        **shape,
        scale_embedding=True,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        forced_eos_token_id=tokenizer.eos_token_id,
        num_beams=5,
        max_length=shape.get("max_position_embeddings", 1024),
        architectures=["MBartForConditionalGeneration"],
        # Keys the hub's mBART configs keep from fairseq (CTranslate2 reads them).
        normalize_before=True,
        normalize_embedding=True,
        add_final_layer_norm=True,
        static_position_embeddings=False,
    )
    torch.manual_seed(seed)
    model = MBartForConditionalGeneration(config).eval()
    with torch.no_grad():
        # Keep the specials and language codes out of outputs, </s> aside.
        banned = [i for i in tokenizer.all_special_ids if i != tokenizer.eos_token_id]
        model.final_logits_bias[0, banned] = -1000.0
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    saved = json.loads((out / "config.json").read_text("utf-8"))
    saved.pop("decoder_start_token_id", None)  # as vinai-translate-vi2en-v2's config
    (out / "config.json").write_text(json.dumps(saved, indent=2), "utf-8")
    (out / "generation_config.json").unlink(missing_ok=True)


def _random_t5(out: Path, vocab_size: int, shape: dict[str, Any], seed: int) -> None:
    """envit5's layout: a T5 tokenizer without sentinels, no generation config."""
    import torch
    from transformers import T5Config, T5ForConditionalGeneration, T5Tokenizer

    with tempfile.TemporaryDirectory() as raw:
        (Path(raw) / "spiece.model").write_bytes(train_spm(model_type="unigram", **T5_SPECIALS))
        tokenizer = T5Tokenizer.from_pretrained(raw, extra_ids=0)
    pad_vocabulary(tokenizer, vocab_size)
    config = T5Config(
        vocab_size=vocab_size,
        **shape,
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
        architectures=["T5ForConditionalGeneration"],
    )
    torch.manual_seed(seed)
    model = T5ForConditionalGeneration(config).eval()
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    (out / "generation_config.json").unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="directory to write tiny-nllb/ and tiny-m2m100/ in")
    args = parser.parse_args()
    spm_model = train_spm()
    for name, build in (("tiny-nllb", build_nllb), ("tiny-m2m100", build_m2m100)):
        target = args.out / name
        shutil.rmtree(target, ignore_errors=True)
        build(target, spm_model)
        print(target)


if __name__ == "__main__":
    main()
