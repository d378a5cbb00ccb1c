"""How often CTranslate2 float32 greedy output equals transformers greedy output.

    python tests/benchmarks/agreement.py [--model models/tiny-vi-en] [--input FILE] [--beams 1]

Both go through vi2en's own backends (same tokenizer, same length caps), on the
shipped news sample or on FILE (one sentence per line).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from translate.backends import BackendSettings, DecodingOptions
from translate.bench import sample_sentences
from translate.translator import Translator

TINY = Path(__file__).resolve().parents[2] / "models" / "tiny-vi-en"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(TINY))
    parser.add_argument("--input", type=Path)
    parser.add_argument("--beams", type=int, default=1)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.input:
        sentences = [s for s in args.input.read_text("utf-8").splitlines() if s.strip()]
    else:
        sentences = sample_sentences()
    outputs = []
    for backend, compute_type in (("transformers", "auto"), ("ctranslate2", "float32")):
        translator = Translator(
            args.model,
            settings=BackendSettings(backend=backend, compute_type=compute_type, device="cpu"),
            decoding=DecodingOptions(beams=args.beams),
        )
        outputs.append(translator.translate(sentences))
    same = sum(a == b for a, b in zip(*outputs, strict=True))
    print(f"{same}/{len(sentences)} identical ({same / len(sentences):.1%}), beams={args.beams}")


if __name__ == "__main__":
    main()
