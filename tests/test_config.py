"""PipelineConfig and build_pipeline: one frozen description, one builder, one signature."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import translate
import translate.bench
import translate.pipeline
from tests.conftest import ROOT, TINY_MODEL
from translate import PipelineConfig, build_pipeline
from translate.backends import BackendSettings, DecodingOptions
from translate.backends.fake import FakeBackend
from translate.cli import main
from translate.errors import ConfigMismatchError
from translate.memory import namespace_key
from translate.models import resolve_model
from translate.pipeline import Pipeline
from translate.readers import ReadOptions
from translate.translator import Translator

HUB_ID = "Helsinki-NLP/opus-mt-vi-en"


def _is_plain_json(value: object) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_plain_json(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_is_plain_json(v) for v in value)
    return value is None or isinstance(value, str | int | float | bool)


def _full_config(tmp_path: Path) -> PipelineConfig:
    """A config with every field away from its default."""
    return PipelineConfig(
        model=str(TINY_MODEL),
        model_name="tiny",
        backend=BackendSettings(backend="transformers", device="cpu", threads=2),
        decoding=DecodingOptions(
            beams=2, max_length=20, max_length_ratio=1.5, min_length=1, redecode_loops=True
        ),
        max_batch_tokens=64,
        max_batch_size=3,
        window_sentences=7,
        abbreviations=("Tp.", "GS."),
        reader=ReadOptions(encoding="cp1258", blank_line_paragraphs=True, input_format="jsonl"),
        memory=str(tmp_path / "memory.sqlite"),
    )


@pytest.fixture
def at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the model is spelled relative to the checkout


@pytest.mark.parametrize("resolved", [False, True], ids=["as-given", "resolved"])
def test_config_pickles_and_round_trips_through_its_json(tmp_path: Path, resolved: bool) -> None:
    config = _full_config(tmp_path)
    config = config.resolved() if resolved else config
    assert pickle.loads(pickle.dumps(config)) == config
    text = config.to_json()
    again = PipelineConfig.from_json(text)
    assert again == config and again.model_name == "tiny"
    assert again.to_json() == text
    data = json.loads(text)
    assert _is_plain_json(data)
    assert text == json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def test_default_config_round_trips() -> None:
    config = PipelineConfig()
    assert PipelineConfig.from_json(config.to_json()) == config


def test_model_spelled_differently_makes_equal_configs(at_root: None) -> None:
    spellings = ["models/tiny-vi-en", "./models/tiny-vi-en/", "models/../models/tiny-vi-en"]
    configs = [PipelineConfig(model=name) for name in [*spellings, str(TINY_MODEL)]]
    assert all(c == configs[0] and hash(c) == hash(configs[0]) for c in configs)
    assert configs[0].model == str(TINY_MODEL.resolve())
    # How it was spelled is kept for display, outside the identity.
    assert [c.model_name for c in configs] == [*spellings, str(TINY_MODEL)]
    assert len({c.resolved() for c in configs}) == 1


def test_hub_id_stays_an_id_and_none_names_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    assert PipelineConfig(model=HUB_ID).model == HUB_ID
    monkeypatch.setenv("VI2EN_MODEL", "someone/some-model")
    assert PipelineConfig().model == "someone/some-model"


def test_abbreviations_in_any_order_make_equal_configs() -> None:
    assert PipelineConfig(abbreviations=("b.", "a.")) == PipelineConfig(abbreviations=("a.", "b."))


def test_resolved_fills_fingerprint_and_auto_settings() -> None:
    config = PipelineConfig(model=str(TINY_MODEL)).resolved()
    assert config.is_resolved
    assert config.model_fingerprint == resolve_model(str(TINY_MODEL)).fingerprint
    assert "auto" not in (
        config.backend.backend,
        config.backend.device,
        config.backend.compute_type,
    )
    assert config.settings() == PipelineConfig(model=str(TINY_MODEL)).settings()


def test_a_changed_model_is_refused_by_a_resolved_config(tmp_path: Path) -> None:
    model = tmp_path / "model"
    shutil.copytree(TINY_MODEL, model)
    config = PipelineConfig(model=str(model)).resolved()
    (model / "generation_config.json").write_text('{"num_beams": 2}', "utf-8")
    with pytest.raises(ConfigMismatchError, match="has changed since this config was resolved"):
        build_pipeline(config)


@pytest.mark.parametrize(
    "change",
    [
        {"segmenter_version": "0"},
        {"preprocess_version": "0"},
        {"version": 0},
    ],
    ids=["segmenter", "preprocess", "layout"],
)
def test_a_config_of_other_rules_is_refused(change: dict[str, Any]) -> None:
    with pytest.raises(ConfigMismatchError, match="make the config again"):
        build_pipeline(PipelineConfig(model=str(TINY_MODEL), **change))


@pytest.mark.parametrize(
    "text",
    [
        '{"version": 2}',
        "[]",
        '{"version": 1, "backend": {"speed": 3}}',
        "not json",
    ],
    ids=["other-version", "not-an-object", "unknown-field", "not-json"],
)
def test_from_json_refuses_what_is_no_config(text: str) -> None:
    with pytest.raises(ConfigMismatchError):
        PipelineConfig.from_json(text)


@pytest.mark.parametrize(
    ("change", "changes_namespace"),
    [
        ({"decoding": DecodingOptions(beams=2)}, True),
        ({"decoding": DecodingOptions(redecode_loops=True)}, True),
        ({"backend": BackendSettings(backend="transformers", device="cpu")}, True),
        ({"reader": ReadOptions(blank_line_paragraphs=True)}, False),
        ({"abbreviations": ("Tp.",)}, False),
        ({"window_sentences": 3}, False),
        ({"max_batch_size": 1}, False),
        ({"backend": BackendSettings(device="cpu", threads=1)}, False),
    ],
    ids=["beams", "redecode", "backend", "reader", "abbreviation", "window", "batch", "threads"],
)
def test_memory_namespace_holds_only_what_shapes_a_translation(
    change: dict[str, Any], changes_namespace: bool
) -> None:
    base = PipelineConfig(model=str(TINY_MODEL), backend=BackendSettings(device="cpu"))
    other = PipelineConfig(model=str(TINY_MODEL), **{"backend": base.backend, **change})
    assert (other.memory_namespace() != base.memory_namespace()) is changes_namespace
    assert other.settings() != base.settings() or not changes_namespace


def test_reader_and_segmentation_change_settings_not_namespace() -> None:
    base = PipelineConfig(model=str(TINY_MODEL))
    other = PipelineConfig(model=str(TINY_MODEL), reader=ReadOptions(encoding="cp1258"))
    assert other.settings() != base.settings()
    assert other.memory_namespace() == base.memory_namespace()


def test_built_translator_uses_the_config_namespace(tmp_path: Path) -> None:
    for config in (PipelineConfig(model=str(TINY_MODEL)), _full_config(tmp_path).resolved()):
        pipeline = build_pipeline(config)
        assert pipeline.config == config
        assert pipeline.translator.namespace() == namespace_key(config.memory_namespace())
        assert pipeline.settings() == config.settings()


def test_build_pipeline_follows_the_config(tmp_path: Path) -> None:
    config = _full_config(tmp_path)
    pipeline = build_pipeline(config)
    assert pipeline.window_sentences == 7
    assert pipeline.translator.max_batch_size == 3
    assert pipeline.translator.max_batch_tokens == 64
    assert pipeline.translator.decoding == config.decoding
    assert pipeline.translator.memory is not None
    assert pipeline.translator.memory.path == tmp_path / "memory.sqlite"
    # The extra abbreviations reach the segmenter: "Tp." no longer ends a sentence.
    assert len(pipeline.segmenter.split("Ông ở Tp. Hồ Chí Minh.")) == 1
    assert build_pipeline(PipelineConfig(model=str(TINY_MODEL))).translator.memory is None


def test_describe_names_the_model_as_spelled_without_loading(at_root: None) -> None:
    pipeline = build_pipeline(PipelineConfig(model="./models/tiny-vi-en"))
    description = pipeline.describe()
    assert description["name"] == "./models/tiny-vi-en"
    assert description["fingerprint"] == resolve_model(str(TINY_MODEL)).fingerprint
    assert description["revision"] is None and description["backend"] is None


def _run(article: Path, out: Path, *options: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["translate", str(article), "-o", str(out), "--no-cache", *options]
    )
    return result.exit_code, result.output


@pytest.fixture
def article(tmp_path: Path, at_root: None) -> Path:
    path = tmp_path / "bai.txt"
    path.write_text("Hà Nội là thủ đô của Việt Nam.\nThành phố có hơn 8 triệu dân.\n", "utf-8")
    return path


def test_manifest_settings_are_the_config_settings(article: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = _run(article, out, "--model", "models/tiny-vi-en", "-a", "Tp.", "--beams", "2")
    assert code == 0, output
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    config = PipelineConfig(
        model="models/tiny-vi-en", decoding=DecodingOptions(beams=2), abbreviations=("Tp.",)
    )
    assert manifest["settings"] == config.settings()
    assert json.loads((out / ".vi2en" / "settings.json").read_text("utf-8")) == config.settings()
    assert manifest["model"]["name"] == "models/tiny-vi-en"


def test_a_run_of_the_unversioned_layout_resumes(article: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run(article, out, "--model", "models/tiny-vi-en")[0] == 0
    settings_file = out / ".vi2en" / "settings.json"
    settings = json.loads(settings_file.read_text("utf-8"))
    # vi2en 0.2.0 wrote the same record without its layout version.
    del settings["config_version"]
    settings_file.write_text(json.dumps(settings), "utf-8")
    code, output = _run(article, out, "--model", "models/tiny-vi-en")
    assert code == 0, output
    assert json.loads((out / "manifest.json").read_text("utf-8"))["run"]["resumed_documents"] == 1
    settings["config_version"] = 0
    settings_file.write_text(json.dumps(settings), "utf-8")
    code, output = _run(article, out, "--model", "models/tiny-vi-en")
    assert code == 1 and "other settings (config_version)" in output and "--restart" in output


def _fake_build(calls: list[PipelineConfig]) -> Any:
    def build(config: PipelineConfig) -> Pipeline:
        calls.append(config)
        return Pipeline(Translator(backend=FakeBackend()), config=None)

    return build


def test_translate_builds_through_build_pipeline(
    article: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[PipelineConfig] = []
    monkeypatch.setattr(translate.pipeline, "build_pipeline", _fake_build(calls))
    result = CliRunner().invoke(
        main,
        ["translate", str(article), "--model", "./models/tiny-vi-en", "--beams", "3", "--no-cache"],
    )
    assert result.exit_code == 0, result.output
    assert (
        result.output == "EN: HÀ NỘI LÀ THỦ ĐÔ CỦA VIỆT NAM.\nEN: THÀNH PHỐ CÓ HƠN 8 TRIỆU DÂN.\n"
    )
    [config] = calls
    assert isinstance(config, PipelineConfig)
    assert config == PipelineConfig(model=str(TINY_MODEL), decoding=DecodingOptions(beams=3))


def test_bench_hands_each_system_a_config(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, PipelineConfig]] = []

    def worker(
        system: str, config: PipelineConfig, input_file: Path, work: Path, fixed: int | None
    ) -> translate.bench.BenchRow:
        seen.append((system, config))
        return translate.bench.BenchRow(system, 1, 1.0, 0.0, 1.0, 1.0, 1.0)

    monkeypatch.setattr(translate.bench, "_run_worker", worker)
    result = CliRunner().invoke(
        main,
        ["bench", "-m", str(TINY_MODEL), "--system", "transformers", "--beams", "2", "-n", "3"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    [(system, config)] = seen
    assert system == "transformers"
    assert config == PipelineConfig(
        model=str(TINY_MODEL), decoding=DecodingOptions(beams=2), backend=BackendSettings()
    )


def test_bench_worker_builds_its_system_through_build_pipeline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[PipelineConfig] = []
    monkeypatch.setattr(translate.pipeline, "build_pipeline", _fake_build(calls))
    sentences = tmp_path / "input.txt"
    sentences.write_text("Câu một.\nCâu hai.\n", "utf-8")
    config = PipelineConfig(model=str(TINY_MODEL), backend=BackendSettings(threads=1))
    argv = ["ctranslate2-float32", str(sentences), str(tmp_path), "5", config.to_json()]
    result = translate.bench._worker(argv)
    assert result["sentences"] == 2 and result["target_tokens"] == 10
    [built] = calls
    assert built == translate.bench.system_config(config, "ctranslate2-float32", 5)
    assert (built.backend.backend, built.backend.compute_type) == ("ctranslate2", "float32")
    assert (built.decoding.beams, built.decoding.max_length, built.backend.threads) == (4, 5, 1)
    assert built.memory is None


def test_translate_text_builds_through_build_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[PipelineConfig] = []
    monkeypatch.setattr(translate, "build_pipeline", _fake_build(calls))
    assert translate.translate_text("Xin chào.\nTạm biệt.", str(TINY_MODEL), beams=2) == (
        "EN: XIN CHÀO.\nEN: TẠM BIỆT."
    )
    assert calls == [PipelineConfig(model=str(TINY_MODEL), decoding=DecodingOptions(beams=2))]


def test_the_stop_flag_set_on_the_pipeline_stops_its_translator() -> None:
    pipeline = Pipeline(Translator(backend=FakeBackend()))
    stops: list[int] = []
    pipeline.check_stop = lambda: stops.append(1)
    pipeline.translate_sentences(["Một câu."])
    pipeline.raise_if_stopped()
    assert len(stops) == 2
    assert pipeline.stats.translated == 1
