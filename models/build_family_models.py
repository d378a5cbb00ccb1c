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


def train_spm(pieces: int = PIECES) -> bytes:
    """A SentencePiece BPE model with fairseq's special ids, trained on :func:`training_lines`."""
    import sentencepiece

    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(training_lines()),
        model_writer=model,
        vocab_size=pieces,
        model_type="bpe",
        hard_vocab_limit=False,
        character_coverage=1.0,
        minloglevel=2,
        **SPECIALS,
    )
    return model.getvalue()


def save_random_m2m100(
    out: Path, tokenizer: Any, *, vocab_size: int, tokenizer_class: str, seed: int = SEED
) -> None:
    """Random ``M2M100ForConditionalGeneration`` weights and configs next to ``tokenizer``.

    The generation config is upstream's (NLLB and M2M100 alike): greedy, 200 tokens.
    """
    import torch
    from transformers import GenerationConfig, M2M100Config, M2M100ForConditionalGeneration

    config = M2M100Config(
        vocab_size=vocab_size,
        **SHAPE,
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
