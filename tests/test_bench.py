"""``vi2en bench --random-model FAMILY``: the random model of each family, and the CLI wiring.

The real shapes (600 M parameters for NLLB) are far too large for tests: the
builders run here with tiny shapes (:data:`TINY_SHAPES`, the test hook
``translate.bench.RANDOM_SHAPES`` for the CLI), and check that each model gets
its family row and translates in both backends. Speed is reported, never
asserted.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import translate.bench
from tests.conftest import ROOT
from translate.backends import BackendSettings, load_backend
from translate.backends.base import ResolvedDecoding
from translate.cli import main
from translate.families import ENVIT5, M2M100, MBART_VINAI, NLLB, ModelFamily, family_for
from translate.models import resolve_model

SENTENCES = ["Hà Nội là thủ đô của Việt Nam", "Giá vàng hôm nay tăng mạnh"]
GREEDY = ResolvedDecoding(beams=1, max_length=8, max_length_ratio=None, min_length=0)
_BART = {
    "d_model": 32,
    "encoder_layers": 1,
    "decoder_layers": 1,
    "encoder_attention_heads": 2,
    "decoder_attention_heads": 2,
    "encoder_ffn_dim": 64,
    "decoder_ffn_dim": 64,
    "max_position_embeddings": 64,
}
# vocab_size above each tokenizer's own size, so that the dummy padding is exercised.
TINY_SHAPES: dict[str, dict[str, Any]] = {
    "nllb": {"vocab_size": 700, **_BART},
    "m2m100": {"vocab_size": 600, **_BART},
    "mbart": {"vocab_size": 500, **_BART},
    "t5": {
        "vocab_size": 500,
        "d_model": 32,
        "d_kv": 8,
        "d_ff": 64,
        "num_layers": 1,
        "num_decoder_layers": 1,
        "num_heads": 4,
        "feed_forward_proj": "gated-gelu",
        "tie_word_embeddings": False,
    },
}
ROWS: dict[str, ModelFamily] = {"nllb": NLLB, "m2m100": M2M100, "mbart": MBART_VINAI, "t5": ENVIT5}


def _models_module(name: str) -> Any:
    sys.path.insert(0, str(ROOT / "models"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(ROOT / "models"))


@pytest.fixture(scope="module")
def random_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    builders = _models_module("build_family_models")
    root = tmp_path_factory.mktemp("random-families")
    return {
        family: builders.build_random_family(root / family, family, shape=shape)
        for family, shape in TINY_SHAPES.items()
    }


def test_every_family_has_published_shapes_and_a_checkpoint_name() -> None:
    modelgen = _models_module("modelgen")
    assert modelgen.RANDOM_FAMILIES == translate.bench.RANDOM_FAMILIES
    assert set(TINY_SHAPES) == set(modelgen.FAMILY_ARCHITECTURES)
    for family, shape in modelgen.FAMILY_ARCHITECTURES.items():
        # The tiny shapes name the same config arguments (the activation aside).
        assert set(TINY_SHAPES[family]) == set(shape) - {"activation_function"}
        heads = shape.get("encoder_attention_heads", shape.get("num_heads"))
        assert shape["d_model"] % heads == 0


@pytest.mark.parametrize("family", list(TINY_SHAPES))
def test_the_random_model_gets_its_row_and_a_padded_vocabulary(
    random_models: dict[str, Path], family: str
) -> None:
    from transformers import AutoTokenizer

    model = random_models[family]
    assert family_for(model) is ROWS[family]
    config = json.loads((model / "config.json").read_text("utf-8"))
    assert config["vocab_size"] == TINY_SHAPES[family]["vocab_size"]
    assert (model / "model.safetensors").is_file()
    tokenizer = AutoTokenizer.from_pretrained(str(model))
    padded = len(tokenizer)
    if family == "m2m100":  # the language tokens and fairseq's 8 madeup words follow vocab.json
        padded = len(tokenizer.encoder)
        size = padded + len(tokenizer.lang_token_to_id) + tokenizer.num_madeup_words
    else:
        size = len(tokenizer)
    assert size == config["vocab_size"]
    assert tokenizer.convert_ids_to_tokens(padded - 1) == f"<dummy{padded - 1}>"


@pytest.mark.parametrize("family", list(TINY_SHAPES))
def test_the_random_model_translates_in_both_backends(
    random_models: dict[str, Path], family: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VI2EN_CACHE_DIR", str(tmp_path / "cache"))
    model = resolve_model(str(random_models[family]))
    for name in ("ctranslate2", "transformers"):
        backend = load_backend(
            model,
            BackendSettings(
                backend=name, compute_type="int8" if name == "ctranslate2" else "float32", threads=1
            ),
        )
        hypotheses = backend.translate_batch(backend.tokenize(SENTENCES), GREEDY)
        assert len(hypotheses) == len(SENTENCES)


def test_an_unknown_family_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no random gpt2 model; one of marian, nllb"):
        translate.bench.build_random_model(tmp_path / "model", tmp_path, "gpt2")
    builders = _models_module("build_family_models")
    with pytest.raises(ValueError, match="more than vocab_size 10"):
        builders.build_random_family(
            tmp_path / "small", "nllb", shape={**TINY_SHAPES["nllb"], "vocab_size": 10}
        )


# -- the CLI wiring -------------------------------------------------------------------------


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Replaces the builder and the measurement: what the CLI asks for, without a model."""
    calls: dict[str, Any] = {}

    def build(target: Path, spm_dir: Path, family: str = "marian") -> Path:
        calls["build"] = (spm_dir.name, family)
        return target

    def run(config: Any, texts: Any, *, systems: Any, fixed_length: Any) -> list[Any]:
        calls["run"] = (len(texts), fixed_length)
        return []

    monkeypatch.setattr(translate.bench, "build_random_model", build)
    monkeypatch.setattr(translate.bench, "run_benchmark", run)
    return calls


@pytest.mark.parametrize(
    ("arguments", "family", "label"),
    [
        (["--random-model", "--fixed-length", "32"], "marian", "opus-mt-vi-en"),
        (["--fixed-length", "32", "--random-model"], "marian", "opus-mt-vi-en"),
        (["--random-model", "nllb", "--fixed-length", "32"], "nllb", "nllb-200-distilled-600M"),
        (["--random-model=t5", "--fixed-length", "32"], "t5", "envit5-translation"),
    ],
)
def test_random_model_takes_an_optional_family(
    captured: dict[str, Any], arguments: list[str], family: str, label: str
) -> None:
    result = CliRunner().invoke(main, ["bench", *arguments, "-n", "2", "--json"])
    assert result.exit_code == 0, result.output
    assert captured["build"] == ("tiny-vi-en", family)
    assert captured["run"] == (2, 32)
    assert json.loads(result.stdout)["settings"]["model"] == f"random {label} architecture"


def test_an_unknown_random_family_is_a_usage_error(captured: dict[str, Any]) -> None:
    result = CliRunner().invoke(main, ["bench", "--random-model", "gpt2"])
    assert result.exit_code == 2
    assert "'gpt2' is not one of 'marian', 'nllb', 'm2m100', 'mbart', 't5'" in result.output
    assert "build" not in captured


@pytest.mark.slow
def test_bench_runs_a_tiny_random_nllb_in_both_backends(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(translate.bench.RANDOM_SHAPES, "nllb", TINY_SHAPES["nllb"])
    result = CliRunner().invoke(
        main,
        ["bench", "--random-model", "nllb", "-n", "3", "--fixed-length", "4", "--beams", "2",
         "--system", "baseline", "--system", "ctranslate2-int8", "--threads", "1", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["settings"]["model"] == "random nllb-200-distilled-600M architecture"
    assert [(r["system"], r["sentences"]) for r in report["rows"]] == [
        ("baseline", 3),
        ("ctranslate2-int8", 3),
    ]
    assert all(r["sentences_per_s"] > 0 for r in report["rows"])
