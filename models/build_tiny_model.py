"""Rebuild models/tiny-vi-en, the tiny random-weight MarianMT model the tests use.

Run from the repository root (no network needed):

    python models/build_tiny_model.py [--data DIR] [--out DIR]

It trains two SentencePiece unigram models the way Marian does (``</s>`` = 0,
``<unk>`` = 1, no ``<s>``): ``source.spm`` on Vietnamese and ``target.spm`` on
English text from FLORES-200 devtest and Tatoeba test. Only the .spm models are
kept, not the text. It then writes random weights with the `TINY` architecture
of ``models/modelgen.py``. SentencePiece runs on one thread with a fixed seed
and the weights are seeded, so a rebuild gives the same files.

IWSLT'15 is left out: its text is tokenised and its licence (TED, CC BY-NC-ND)
does not allow redistributing derived files.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# The builder beside this script, also when it is imported rather than run.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from modelgen import TINY, build_random_marian  # noqa: E402

# The shared benchmark data beside the checkout (../shared), not a machine path.
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "mt"
DEFAULT_OUT = REPO_ROOT / "models" / "tiny-vi-en"
# Sets whose licences allow redistributing a derived vocabulary, as in their READMEs:
# FLORES-200 (CC BY-SA 4.0) and Tatoeba (CC BY 2.0 FR).
TRAINING_FILES = ("flores200/devtest", "tatoeba/test")
PIECES_PER_LANGUAGE = 2000
SEED = 0


def read_lines(data_dir: Path, language: str) -> list[str]:
    """Return the non-empty training lines of one language."""
    lines: list[str] = []
    for stem in TRAINING_FILES:
        path = data_dir / f"{stem}.{language}"
        lines.extend(line for line in path.read_text(encoding="utf-8").splitlines() if line)
    return lines


def train_spm(lines: list[str], vocab_size: int) -> bytes:
    """Train a Marian-style SentencePiece unigram model and return its bytes."""
    import sentencepiece

    model = io.BytesIO()
    sentencepiece.set_random_generator_seed(SEED)
    # A sentence iterator rather than an input file keeps local paths out of the
    # model's stored trainer spec, so the bytes do not depend on where it ran.
    sentences: Iterator[str] = iter(lines)
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=sentences,
        model_writer=model,
        model_type="unigram",
        vocab_size=vocab_size,
        character_coverage=1.0,
        bos_id=-1,
        eos_id=0,
        unk_id=1,
        num_threads=1,
        minloglevel=2,
    )
    return model.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="MT test-set folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="model directory to write")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as spm_dir:
        for name, language in (("source.spm", "vi"), ("target.spm", "en")):
            lines = read_lines(args.data, language)
            model = train_spm(lines, PIECES_PER_LANGUAGE)
            (Path(spm_dir) / name).write_bytes(model)
            print(f"{name}: unigram, {PIECES_PER_LANGUAGE} pieces, {len(lines)} {language} lines")
        build_random_marian(args.out, TINY, spm_dir=Path(spm_dir), seed=SEED)

    total = sum(path.stat().st_size for path in args.out.iterdir() if path.is_file())
    print(
        f"{args.out}: {TINY.name}, vocab {TINY.vocab_size}, d_model {TINY.d_model}, "
        f"{TINY.encoder_layers}+{TINY.decoder_layers} layers, seed {SEED}, {total / 1e6:.2f} MB"
    )
    for path in sorted(args.out.iterdir()):
        print(f"  {path.name:<24} {path.stat().st_size:>9} bytes")


if __name__ == "__main__":
    main()
