"""``vi2en bench``: translation speed of each backend against a naive transformers loop.

Every system runs in its own subprocess, so that its peak RSS and its threads
are its own. The baseline is what most user scripts (and the removed HF
translation pipeline) do: ``model.generate`` on batches of 32 sentences in input
order. ``--fixed-length N`` makes every system decode exactly N target tokens,
so that all do equal work whatever the model says.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from translate.config import PipelineConfig

SYSTEMS = (
    "baseline",
    "transformers",
    "ctranslate2-raw-defaults",
    "ctranslate2-raw-tuned",
    "ctranslate2-int8",
    "ctranslate2-float32",
)
GPU_SYSTEMS = ("baseline", "transformers", "ctranslate2-float16", "ctranslate2-int8_float16")
BASELINE_BATCH = 32


@dataclass
class BenchRow:
    """One system's measurement."""

    system: str
    sentences: int
    seconds: float
    load_seconds: float
    sentences_per_s: float
    target_tokens_per_s: float
    peak_rss_mb: float
    ratio: float = 0.0


def sample_sentences() -> list[str]:
    """The shipped benchmark sample: Vietnamese news sentences, one per line."""
    text = resources.files("translate").joinpath("data/bench-sentences.vi.txt").read_text("utf-8")
    return [line for line in text.splitlines() if line.strip()]


RANDOM_MODELS = {
    "marian": "opus-mt-vi-en",
    "nllb": "nllb-200-distilled-600M",
    "m2m100": "m2m100_418M",
    "mbart": "vinai-translate-vi2en-v2",
    "t5": "envit5-translation",
}
"""``--random-model`` family → the checkpoint whose architecture its random model has
(the shapes are ``models/modelgen.py``'s ``OPUS_MT_VI_EN`` and ``FAMILY_ARCHITECTURES``)."""
RANDOM_FAMILIES = tuple(RANDOM_MODELS)
RANDOM_SHAPES: dict[str, dict[str, Any]] = {}
"""Family → config arguments that replace the real checkpoint's shapes (``vocab_size``
included): a test hook, so that ``vi2en bench --random-model nllb`` can run on a tiny model.
Marian ignores it (its tiny stand-in is ``models/tiny-vi-en`` itself)."""


def build_random_model(target: Path, spm_dir: Path, family: str = "marian") -> Path:
    """A random-weight model with the architecture of ``family``'s checkpoint, built in a subprocess.

    ``marian`` is opus-mt-vi-en's exact architecture, on the SentencePiece
    models in ``spm_dir``; the other families (:data:`RANDOM_MODELS`) get the
    shapes of their smallest checkpoint and a real tokenizer of their class,
    trained on the checkout's ``tests/data`` (``spm_dir`` is unused). In a
    subprocess so that this process stays small: the systems are forked
    from it, and a child's peak RSS counts what it inherited at the fork. The
    builders are a developer's tools in the checkout's ``models/``, not in the package.

    Raises:
        ModelLoadError: This ``translate`` is not in a vi2en checkout.
        ValueError: ``family`` is not one of :data:`RANDOM_FAMILIES`.
    """
    from translate.errors import ModelLoadError

    if family not in RANDOM_MODELS:
        raise ValueError(f"no random {family} model; one of {', '.join(RANDOM_FAMILIES)}")
    models = Path(__file__).resolve().parents[1] / "models"
    builder = models / ("modelgen.py" if family == "marian" else "build_family_models.py")
    if not builder.is_file():
        raise ModelLoadError(
            f"--random-model needs the model builder {builder}; run from a vi2en checkout"
        )
    if family == "marian":
        code = (
            "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[3]); "
            "from modelgen import OPUS_MT_VI_EN, build_random_marian; "
            "build_random_marian(Path(sys.argv[1]), OPUS_MT_VI_EN, spm_dir=Path(sys.argv[2]))"
        )
        arguments = [str(target), str(spm_dir), str(builder.parent)]
    else:
        code = (
            "import json, sys; from pathlib import Path; sys.path.insert(0, sys.argv[3]); "
            "from build_family_models import build_random_family; "
            "build_random_family(Path(sys.argv[1]), sys.argv[2], shape=json.loads(sys.argv[4]))"
        )
        shape = RANDOM_SHAPES.get(family)
        arguments = [str(target), family, str(builder.parent), json.dumps(shape)]
    env = {**os.environ, "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
    subprocess.run([sys.executable, "-c", code, *arguments], check=True, env=env)
    return target


def system_config(config: PipelineConfig, system: str, fixed_length: int | None) -> PipelineConfig:
    """The pipeline config of a vi2en system (``transformers``, ``ctranslate2-int8``, ...).

    The backend and precision come from the system's name; the model, beams
    (``None``: 4, as for the other systems) and threads from ``config``; no translation memory, so that every sentence
    reaches the model.
    """
    backend, _, compute_type = system.partition("-")
    return replace(
        config,
        backend=replace(config.backend, backend=backend, compute_type=compute_type or "auto"),
        decoding=replace(
            config.decoding,
            beams=config.decoding.beams or 4,
            min_length=fixed_length,
            max_length=fixed_length,
            max_length_ratio=None if fixed_length else 3.0,
        ),
        memory=None,
    )


def run_benchmark(
    config: PipelineConfig,
    sentences: Sequence[str],
    *,
    systems: Sequence[str],
    fixed_length: int | None = None,
) -> list[BenchRow]:
    """Measure each system on ``sentences``; the ratio is to the ``baseline`` row.

    Args:
        config: What every system shares: the model (a local directory), the
            beam size (``None``: 4) and the CPU cores (``None``: all available).
        sentences: Source sentences.
        systems: Names from :data:`SYSTEMS` / :data:`GPU_SYSTEMS`.
        fixed_length: Decode exactly this many target tokens per sentence.
    """
    rows: list[BenchRow] = []
    assert config.model is not None
    _convert_ahead(Path(config.model), systems)
    with tempfile.TemporaryDirectory(prefix="vi2en-bench-") as work:
        input_file = Path(work) / "input.txt"
        input_file.write_text("\n".join(sentences) + "\n", encoding="utf-8")
        for system in systems:
            rows.append(_run_worker(system, config, input_file, Path(work), fixed_length))
    baseline = next((r for r in rows if r.system == "baseline"), None)
    for row in rows:
        row.ratio = row.sentences_per_s / baseline.sentences_per_s if baseline else 0.0
    return rows


def _convert_ahead(model_dir: Path, systems: Sequence[str]) -> None:
    """Convert the model for every CTranslate2 row first, in a process of its own.

    The conversion loads torch and the float32 model: done inside a row, it
    would count in that row's peak RSS, which is meant to show a normal run
    (conversions are cached after the first).
    """
    quantizations = {
        "int8" if s.startswith("ctranslate2-raw") else s.partition("-")[2]
        for s in systems
        if s.startswith("ctranslate2")
    }
    code = (
        "import sys; from translate.backends.ct2 import converted_model; "
        "from translate.models import resolve_model; "
        "[converted_model(resolve_model(sys.argv[1]), q) for q in sys.argv[2:]]"
    )
    if quantizations:
        subprocess.run(
            [sys.executable, "-c", code, str(model_dir), *sorted(quantizations)], check=True
        )


def _run_worker(
    system: str, config: PipelineConfig, input_file: Path, work: Path, fixed_length: int | None
) -> BenchRow:
    # The worker gets the config as its canonical JSON, and builds the pipeline from it.
    command = [
        sys.executable, "-m", "translate.bench", system, str(input_file), str(work),
        str(fixed_length or 0), config.to_json(),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"benchmark system {system} failed (exit {process.returncode})")
    result = json.loads(output.strip().splitlines()[-1])
    return BenchRow(
        system=system,
        sentences=result["sentences"],
        seconds=round(result["seconds"], 3),
        load_seconds=round(result["load_seconds"], 3),
        sentences_per_s=round(result["sentences"] / result["seconds"], 2),
        target_tokens_per_s=round(result["target_tokens"] / result["seconds"], 1),
        peak_rss_mb=round(usage.ru_maxrss / 1024, 1),  # ru_maxrss is in KiB on Linux
    )


def format_table(rows: Sequence[BenchRow]) -> str:
    """A markdown table of the rows."""
    lines = [
        "| system | sentences | seconds | sent/s | target tok/s | peak RSS MB | × baseline |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r.system} | {r.sentences} | {r.seconds:.2f} | {r.sentences_per_s:.2f} | "
            f"{r.target_tokens_per_s:.1f} | {r.peak_rss_mb:.0f} | {r.ratio:.2f} |"
        )
    return "\n".join(lines)


def rows_as_json(rows: Sequence[BenchRow], settings: dict[str, Any]) -> str:
    """One JSON object with the settings and every row."""
    return json.dumps({"settings": settings, "rows": [asdict(r) for r in rows]}, indent=2)


# --- the worker side: one system, in its own process ---------------------------------


def _worker(argv: list[str]) -> dict[str, Any]:
    from translate.config import PipelineConfig

    system, input_file, work, fixed_s, config_json = argv
    config = PipelineConfig.from_json(config_json)
    fixed = int(fixed_s) or None
    assert config.model is not None
    model_dir, beams, threads = (
        Path(config.model),
        config.decoding.beams or 4,
        config.backend.threads,
    )
    sentences = [line for line in Path(input_file).read_text("utf-8").splitlines() if line.strip()]
    if system == "baseline":
        return _naive_loop(model_dir, sentences, beams, fixed, threads)
    if system.startswith("ctranslate2-raw"):
        return _raw_ctranslate2(
            model_dir, sentences, beams, fixed, threads, tuned=system.endswith("tuned")
        )
    return _pipeline(
        system_config(config, system, fixed), Path(input_file), Path(work) / system, fixed
    )


def _naive_loop(
    model_dir: Path, sentences: list[str], beams: int, fixed: int | None, threads: int | None
) -> dict[str, Any]:
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    if threads:
        torch.set_num_threads(threads)
    started = time.perf_counter()
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModelForSeq2SeqLM.from_pretrained(str(model_dir)).eval()
    loaded = time.perf_counter()
    lengths = {"min_new_tokens": fixed, "max_new_tokens": fixed} if fixed else {}
    tokens = 0
    with torch.no_grad():
        for i in range(0, len(sentences), BASELINE_BATCH):
            batch = tokenizer(sentences[i : i + BASELINE_BATCH], return_tensors="pt", padding=True)
            output = model.generate(**batch, num_beams=beams, **lengths)
            tokenizer.batch_decode(output, skip_special_tokens=True)
            tokens += int((output[:, 1:] != model.config.pad_token_id).sum())
    return {
        "sentences": len(sentences),
        "seconds": time.perf_counter() - loaded,
        "load_seconds": loaded - started,
        "target_tokens": tokens,
    }


def _raw_ctranslate2(
    model_dir: Path,
    sentences: list[str],
    beams: int,
    fixed: int | None,
    threads: int | None,
    *,
    tuned: bool,
) -> dict[str, Any]:
    import ctranslate2

    from translate.backends.base import cpu_threading, usable_cores
    from translate.backends.ct2 import converted_model
    from translate.backends.tokenizers import load_tokenizer
    from translate.models import resolve_model

    started = time.perf_counter()
    path = converted_model(resolve_model(str(model_dir)), "int8")
    tokenizer = load_tokenizer(model_dir)
    cores = threads or usable_cores()
    if tuned:
        workers, per_worker = cpu_threading(cores)
        translator = ctranslate2.Translator(
            str(path), compute_type="int8", inter_threads=workers, intra_threads=per_worker
        )
    else:
        translator = ctranslate2.Translator(str(path), compute_type="int8", intra_threads=cores)
    source = tokenizer.tokenize(sentences)
    loaded = time.perf_counter()
    lengths = {"min_decoding_length": fixed, "max_decoding_length": fixed} if fixed else {}
    batch_size = 16 if tuned else BASELINE_BATCH
    results = translator.translate_batch(
        source, beam_size=beams, max_batch_size=batch_size, **lengths
    )
    outputs = [tokenizer.detokenize(r.hypotheses[0]) for r in results]
    seconds = time.perf_counter() - loaded
    tokens = sum(len(r.hypotheses[0]) for r in results)
    assert len(outputs) == len(sentences)
    return {
        "sentences": len(sentences),
        "seconds": seconds,
        "load_seconds": loaded - started,
        "target_tokens": tokens,
    }


def _pipeline(
    config: PipelineConfig, input_file: Path, outdir: Path, fixed: int | None
) -> dict[str, Any]:
    """A vi2en system: the pipeline ``config`` describes, run as a job into ``outdir``."""
    from translate.job import Job
    from translate.pipeline import build_pipeline
    from translate.readers import read_documents

    started = time.perf_counter()
    pipeline = build_pipeline(config)
    backend_instance = pipeline.load()
    loaded = time.perf_counter()
    job = Job(pipeline, outdir, ["tsv", "jsonl", "txt"], restart=True)
    summary = job.run(read_documents([str(input_file)]))
    seconds = time.perf_counter() - loaded
    targets = [
        line.split("\t")[1] for line in (outdir / "corpus.tsv").read_text("utf-8").splitlines()
    ]
    tokens = sum(len(t) for t in _target_tokens(backend_instance, targets))
    return {
        "sentences": summary.pairs,
        "seconds": seconds,
        "load_seconds": loaded - started,
        "target_tokens": fixed * summary.pairs if fixed else tokens,
    }


def _target_tokens(backend: Any, texts: list[str]) -> list[list[str]]:
    target = getattr(getattr(backend, "tokenizer", None), "target", None)
    if target is not None:
        return [list(t) for t in target.encode(texts, out_type=str)]
    return [t.split() for t in texts]


if __name__ == "__main__":
    # The rows print nothing but their JSON: warnings about the random model's
    # repetitive output would only clutter the table.
    import logging

    logging.basicConfig(level=logging.ERROR)
    print(json.dumps(_worker(sys.argv[1:])))
