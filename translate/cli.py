"""The ``vi2en`` command line.

Library errors are turned into one-line messages here, and nowhere else.
Exit codes: 0 success; 1 runtime error (model, input, output); 2 usage error;
3 finished, but some documents failed (listed in ``errors.jsonl``);
130 stopped by SIGINT (Ctrl-C), 143 stopped by SIGTERM.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

import click

from translate import __version__
from translate.backends import BACKENDS, BackendSettings, DecodingOptions
from translate.errors import Interrupted, UnknownNameError, Vi2enError
from translate.models import MODEL_ENV_VAR, cache_dir, default_model_name
from translate.readers import READERS

EXIT_DOCUMENTS_FAILED = 3
EXIT_SIGINT = 130
EXIT_SIGTERM = 143
COMPUTE_TYPES = ("auto", "int8", "int8_float16", "float16", "float32")
FORMATS = ("jsonl", "moses", "tmx", "tsv", "txt")

F = TypeVar("F", bound=Callable[..., Any])
logger = logging.getLogger("translate")


def _setup_logging(verbose: int, quiet: bool) -> None:
    level = (
        logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    )
    logging.basicConfig(level=level, format="vi2en: %(message)s", stream=sys.stderr, force=True)
    # The model libraries are chatty (retries, deprecations); only -vv shows them.
    for name in ("transformers", "huggingface_hub", "httpx", "urllib3", "trafilatura"):
        logging.getLogger(name).setLevel(logging.DEBUG if verbose >= 2 else logging.ERROR)
    if verbose < 2:
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        # transformers' own progress bars (loading, saving weights) would break ours.
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


@contextmanager
def _errors_as_click() -> Iterator[None]:
    """Library errors become one-line click errors (exit 1), keeping the cause."""
    try:
        yield
    except Interrupted:
        raise
    except Vi2enError as exc:
        raise click.ClickException(str(exc)) from exc


def verbosity_options(func: F) -> F:
    """``-v`` and ``-q``, shared by the commands that log."""
    func = click.option("-q", "--quiet", is_flag=True, help="No progress bar, errors only.")(func)
    return click.option(
        "-v", "--verbose", count=True, help="Log more (-vv for the model libraries too)."
    )(func)


def reader_options(func: F) -> F:
    """How inputs are read, shared by ``translate`` and ``segment``."""
    options = [
        click.option(
            "--encoding",
            default=None,
            metavar="ENC",
            help="Input encoding (default: UTF-8, BOM detected), e.g. cp1258.",
        ),
        click.option(
            "--blank-line-paragraphs",
            is_flag=True,
            help="In .txt input, paragraphs are separated by blank lines (hard-wrapped text).",
        ),
        click.option(
            "--input-format",
            type=click.Choice(["auto", *READERS]),
            default="auto",
            show_default=True,
            help="How to read inputs (auto: by extension; stdin is txt).",
        ),
        click.option(
            "--id-field",
            default="id",
            show_default=True,
            help="JSONL field holding the document id.",
        ),
        click.option(
            "--text-field", default="text", show_default=True, help="JSONL field holding the text."
        ),
        click.option(
            "--title-field",
            default="title",
            show_default=True,
            help="JSONL title field (used with --body-field when there is no text field).",
        ),
        click.option("--body-field", default="body", show_default=True, help="JSONL body field."),
        click.option(
            "-a",
            "--abbreviation",
            "abbreviations",
            multiple=True,
            metavar="ABBR",
            help="Extra abbreviation that never ends a sentence (repeatable), e.g. 'Tp.'.",
        ),
        click.option(
            "--abbreviations-file",
            type=click.Path(dir_okay=False, path_type=Path),
            help="File of extra abbreviations, one per line (# comments).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _read_options(kwargs: dict[str, Any], *, keep_invisible: bool = False) -> Any:
    from translate.readers import ReadOptions

    return ReadOptions(
        keep_invisible=keep_invisible,
        encoding=kwargs["encoding"],
        blank_line_paragraphs=kwargs["blank_line_paragraphs"],
        id_field=kwargs["id_field"],
        text_field=kwargs["text_field"],
        title_field=kwargs["title_field"],
        body_field=kwargs["body_field"],
        input_format=kwargs["input_format"],
    )


def _abbreviations(kwargs: dict[str, Any]) -> list[str]:
    extra = list(kwargs["abbreviations"])
    path: Path | None = kwargs["abbreviations_file"]
    if path is not None:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise click.BadParameter(
                f"cannot read {path}: {exc.strerror}", param_hint="--abbreviations-file"
            ) from exc
        extra += [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]
    return extra


def _documents(
    inputs: Sequence[str], kwargs: dict[str, Any], *, keep_invisible: bool = False
) -> Iterator[Any]:
    from translate.readers import check_inputs, read_documents

    check_inputs(inputs)
    options = _read_options(kwargs, keep_invisible=keep_invisible)
    return read_documents(inputs, options, stdin=sys.stdin.buffer)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="vi2en")
def main() -> None:
    """Translate Vietnamese news into English and build vi–en parallel corpora.

    Run `vi2en translate --help` to start.
    """


class _StopFlag:
    """Turns the first SIGINT/SIGTERM into a stop after the current batch."""

    def __init__(self) -> None:
        self.signal_number: int | None = None
        self._previous: dict[int, Any] = {}

    def install(self) -> None:
        for number in (signal.SIGINT, signal.SIGTERM):
            self._previous[number] = signal.signal(number, self._handle)

    def restore(self) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)

    def _handle(self, number: int, frame: FrameType | None) -> None:
        if self.signal_number is not None:
            # A second signal: stop at once.
            raise KeyboardInterrupt
        self.signal_number = number
        click.echo("vi2en: stopping after the current batch (again to stop at once)", err=True)

    def check(self) -> None:
        if self.signal_number is not None:
            raise Interrupted(self.signal_number)


class _ProgressBar:
    """Documents and sentences on stderr, only when stderr is a terminal."""

    def __init__(self, enabled: bool, total: int | None) -> None:
        self.bar: Any = None
        self.sentences = 0
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total, unit="doc", file=sys.stderr, dynamic_ncols=True, desc="translating"
            )

    def document_done(self) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def sentences_done(self, count: int) -> None:
        self.sentences += count
        if self.bar is not None:
            elapsed = self.bar.format_dict.get("elapsed") or 0
            rate = f"{self.sentences / elapsed:.1f}/s" if elapsed else "?"
            self.bar.set_postfix_str(f"{self.sentences} sentences, {rate}", refresh=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@main.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output directory; without it the English text goes to stdout.",
)
@click.option(
    "-f",
    "--format",
    "formats",
    multiple=True,
    default=("tsv", "txt"),
    show_default=True,
    help=f"Output formats, comma-separated or repeated: {', '.join(FORMATS)}.",
)
@click.option(
    "-m",
    "--model",
    envvar=MODEL_ENV_VAR,
    default=None,
    help=f"Hub id or local model directory [env {MODEL_ENV_VAR}; default: {default_model_name()}].",
)
@click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    default="auto",
    show_default=True,
    help="auto: ctranslate2 when installed, else transformers.",
)
@click.option(
    "--device",
    type=click.Choice(["auto", "cpu", "cuda"]),
    default="auto",
    show_default=True,
    help="auto picks CUDA when present.",
)
@click.option(
    "--compute-type",
    type=click.Choice(COMPUTE_TYPES),
    default="auto",
    show_default=True,
    help="CTranslate2 precision (auto: int8 on CPU, float16 on GPU).",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=None,
    help="CPU cores to use [default: all available].",
)
@click.option(
    "-b",
    "--batch-size",
    type=click.IntRange(min=1),
    default=None,
    help="Sentences per batch at most [default: the backend's].",
)
@click.option(
    "--max-batch-tokens",
    type=click.IntRange(min=1),
    default=None,
    help="Token budget of a batch, padding included [default: the backend's].",
)
@click.option(
    "--beams",
    type=click.IntRange(min=1),
    default=None,
    help="Beam size [default: the model's generation config].",
)
@click.option(
    "--max-length",
    type=click.IntRange(min=1),
    default=None,
    help="Most target tokens per sentence [default: the model's].",
)
@click.option(
    "--max-length-ratio",
    type=click.FloatRange(min=0, min_open=True),
    default=3.0,
    show_default=True,
    help="Cap target length at RATIO × source tokens + 10, against runaway output.",
)
@click.option(
    "--min-length",
    type=click.IntRange(min=0),
    default=None,
    help="Fewest target tokens per sentence.",
)
@click.option(
    "--window-sentences",
    type=click.IntRange(min=1),
    default=4096,
    show_default=True,
    help="Sentences translated together (sorted by length across documents); bounds memory.",
)
@click.option(
    "--redecode-loops",
    is_flag=True,
    help="Re-decode outputs caught in a repeated n-gram loop (no_repeat_ngram_size=3).",
)
@click.option(
    "--cache",
    "cache_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="VI2EN_CACHE",
    default=None,
    help="Translation memory file [env VI2EN_CACHE; default: CACHE_DIR/memory.sqlite].",
)
@click.option("--no-cache", is_flag=True, help="Do not use the translation memory.")
@click.option(
    "--restart", is_flag=True, help="Discard an interrupted run in OUTPUT instead of resuming it."
)
@reader_options
@verbosity_options
def translate(inputs: tuple[str, ...], output: Path | None, **kwargs: Any) -> None:
    """Translate INPUT files or folders (.txt, .jsonl, .html; - for stdin).

    With -o, writes the bilingual corpus files and the translated articles into
    OUTPUT, resumably: run the same command again after an interruption.
    Without -o, writes the English text to stdout.
    """
    _setup_logging(kwargs["verbose"], kwargs["quiet"])
    from translate.writers import parse_formats

    try:
        formats = parse_formats(kwargs["formats"])
    except UnknownNameError as exc:
        raise click.BadParameter(str(exc), param_hint="'-f' / '--format'") from exc
    stop = _StopFlag()
    stop.install()
    try:
        with _errors_as_click():
            pipeline = _build_pipeline(kwargs, stop)
            documents = _documents(inputs, kwargs)
            if output is None:
                _translate_to_stdout(pipeline, documents)
            else:
                _translate_to_directory(pipeline, documents, output, formats, inputs, kwargs)
    except Interrupted as exc:
        number = exc.signal_number
        click.echo(
            f"vi2en: stopped by {signal.Signals(number).name}; finished documents are saved — run the same command again to resume",
            err=True,
        )
        sys.exit(EXIT_SIGINT if number == signal.SIGINT else EXIT_SIGTERM)
    finally:
        stop.restore()


def _build_pipeline(kwargs: dict[str, Any], stop: _StopFlag) -> Any:
    from translate.memory import TranslationMemory
    from translate.pipeline import Pipeline
    from translate.segment import Segmenter
    from translate.translator import Translator

    memory = None
    if not kwargs["no_cache"]:
        memory = TranslationMemory(kwargs["cache_path"] or cache_dir() / "memory.sqlite")
    translator = Translator(
        kwargs["model"],
        settings=BackendSettings(
            backend=kwargs["backend"],
            device=kwargs["device"],
            compute_type=kwargs["compute_type"],
            threads=kwargs["threads"],
        ),
        decoding=DecodingOptions(
            beams=kwargs["beams"],
            max_length=kwargs["max_length"],
            max_length_ratio=kwargs["max_length_ratio"],
            min_length=kwargs["min_length"],
            redecode_loops=kwargs["redecode_loops"],
        ),
        memory=memory,
        max_batch_tokens=kwargs["max_batch_tokens"],
        max_batch_size=kwargs["batch_size"],
        check_stop=stop.check,
    )
    return Pipeline(
        translator, Segmenter(_abbreviations(kwargs)), window_sentences=kwargs["window_sentences"]
    )


def _translate_to_stdout(pipeline: Any, documents: Iterator[Any]) -> None:
    from translate.records import DocumentFailure

    failed = 0
    for result in pipeline.translate_documents(documents):
        if isinstance(result, DocumentFailure):
            failed += 1
            click.echo(f"vi2en: skipped {result.source}: {result.reason}", err=True)
        else:
            click.echo(result.translated_text(), nl=False)
    if failed:
        sys.exit(EXIT_DOCUMENTS_FAILED)


def _translate_to_directory(
    pipeline: Any,
    documents: Iterator[Any],
    output: Path,
    formats: list[str],
    inputs: Sequence[str],
    kwargs: dict[str, Any],
) -> None:
    from translate.errors import InputOverwriteError
    from translate.job import ERRORS_FILE, Job
    from translate.readers import input_files

    settings = {
        "reader": repr(_read_options(kwargs)),
        "abbreviations": sorted(_abbreviations(kwargs)),
    }
    paths = [f.path for f in input_files(inputs, _read_options(kwargs)) if f.path is not None]
    job = Job(
        pipeline, output, formats, settings=settings, restart=kwargs["restart"], input_paths=paths
    )
    show = not kwargs["quiet"] and sys.stderr.isatty()
    total = None
    if show:
        from translate.readers import count_documents

        total = count_documents(inputs, _read_options(kwargs))
    progress = _ProgressBar(show, total)
    try:
        summary = job.run(documents, progress)
    except InputOverwriteError as exc:
        raise click.UsageError(str(exc)) from exc
    finally:
        progress.close()
    if summary.removed and not kwargs["quiet"]:
        click.echo(
            f"vi2en: removed the outputs of {summary.removed} documents of an earlier run that are not in this one",
            err=True,
        )
    stats = pipeline.translator.stats
    if not kwargs["quiet"]:
        click.echo(
            f"vi2en: {summary.documents} documents ({summary.translated} translated, {summary.resumed} resumed, "
            f"{len(summary.failures)} failed), {summary.pairs} sentence pairs, "
            f"{stats.memory_hits} from memory, in {summary.seconds:.1f}s → {output}",
            err=True,
        )
    if summary.failures:
        for failure in summary.failures[:10]:
            click.echo(f"vi2en: failed {failure.source}: {failure.reason}", err=True)
        more = len(summary.failures) - 10
        click.echo(
            f"vi2en: {len(summary.failures)} documents failed{f' ({more} more not shown)' if more > 0 else ''}; see {output / ERRORS_FILE}",
            err=True,
        )
        sys.exit(EXIT_DOCUMENTS_FAILED)


@main.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option(
    "--spans",
    "output_format",
    flag_value="spans",
    help="Print paragraph, sentence, start, end and text, tab-separated.",
)
@click.option(
    "--json", "output_format", flag_value="json", help="Print one JSON object per sentence."
)
@reader_options
def segment(inputs: tuple[str, ...], output_format: str | None, **kwargs: Any) -> None:
    """Split INPUT into sentences: one per line, a blank line between paragraphs."""
    from translate.records import DocumentFailure
    from translate.segment import Segmenter, segment_paragraphs

    segmenter = Segmenter(_abbreviations(kwargs))
    failed = 0
    first = True
    with _errors_as_click():
        # Zero-width characters are kept, so that the sentences are the file's text to the letter.
        for document in _documents(inputs, kwargs, keep_invisible=True):
            if isinstance(document, DocumentFailure):
                failed += 1
                click.echo(f"vi2en: skipped {document.source}: {document.reason}", err=True)
                continue
            sentences = segment_paragraphs(document.doc_id, document.paragraphs, segmenter)
            lines: list[str] = []
            previous = None
            for s in sentences:
                if output_format == "json":
                    record = {
                        "doc_id": s.doc_id,
                        "paragraph": s.paragraph,
                        "sentence": s.index,
                        "start": s.start,
                        "end": s.end,
                        "text": s.text,
                    }
                    lines.append(json.dumps(record, ensure_ascii=False))
                    continue
                if previous is not None and s.paragraph != previous:
                    lines.append("")
                previous = s.paragraph
                lines.append(
                    f"{s.paragraph}\t{s.index}\t{s.start}\t{s.end}\t{s.text}"
                    if output_format == "spans"
                    else s.text
                )
            if lines:
                if not first and output_format != "json":
                    click.echo("")
                click.echo("\n".join(lines))
                first = False
    if failed:
        sys.exit(EXIT_DOCUMENTS_FAILED)


@main.group()
def models() -> None:
    """Find and pre-download models for offline use."""


@models.command("download")
@click.argument("name", required=False)
@click.option(
    "--dir",
    "target",
    type=click.Path(file_okay=False, path_type=Path),
    help="Put the files in DIR (then use --model DIR) instead of the Hugging Face cache.",
)
def models_download(name: str | None, target: Path | None) -> None:
    """Download model NAME (default: the default model) for offline use."""
    _setup_logging(0, False)
    from translate.models import download_model

    with _errors_as_click():
        path = download_model(name, target)
    click.echo(str(path))


@models.command("info")
@click.argument("name", required=False)
def models_info(name: str | None) -> None:
    """Show where model NAME is found, without downloading or loading it."""
    _setup_logging(0, False)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from translate.models import resolve_model

    with _errors_as_click():
        model = resolve_model(name)
    click.echo(
        json.dumps(
            {
                "name": model.name,
                "path": str(model.path),
                "revision": model.revision,
                "fingerprint": model.fingerprint,
            },
            indent=2,
        )
    )


@main.group(invoke_without_command=True)
@click.option(
    "--random-model",
    is_flag=True,
    help="Build a random-weight model with opus-mt-vi-en's exact architecture (no download).",
)
@click.option(
    "-m",
    "--model",
    envvar=MODEL_ENV_VAR,
    default=None,
    help="Model directory or hub id to measure (ignored with --random-model).",
)
@click.option(
    "--input",
    "input_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Sentences to translate, one per line [default: the shipped news sample].",
)
@click.option(
    "-n",
    "--sentences",
    type=click.IntRange(min=1),
    default=None,
    help="Use only the first N sentences.",
)
@click.option(
    "--fixed-length",
    type=click.IntRange(min=1),
    default=None,
    help="Every system decodes exactly N target tokens (equal work).",
)
@click.option(
    "--beams",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Beam size for every system.",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=None,
    help="CPU cores [default: all available].",
)
@click.option(
    "--system",
    "systems",
    multiple=True,
    help="Systems to run (repeatable) [default: all for the device].",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with every row.")
@click.pass_context
def bench(
    ctx: click.Context,
    random_model: bool,
    model: str | None,
    input_file: Path | None,
    sentences: int | None,
    fixed_length: int | None,
    beams: int,
    threads: int | None,
    systems: tuple[str, ...],
    as_json: bool,
) -> None:
    """Measure translation speed of each backend against a naive transformers loop.

    `vi2en bench segment` measures the segmenter instead.
    """
    if ctx.invoked_subcommand is not None:
        return
    _setup_logging(0, True)
    import tempfile

    from translate import bench as benchmark
    from translate.models import resolve_model

    texts = (
        benchmark.sample_sentences()
        if input_file is None
        else [line for line in input_file.read_text("utf-8").splitlines() if line.strip()]
    )
    texts = texts[:sentences] if sentences else texts
    chosen = list(systems) or list(benchmark.SYSTEMS if not _has_cuda() else benchmark.GPU_SYSTEMS)
    with tempfile.TemporaryDirectory(prefix="vi2en-bench-model-") as work, _errors_as_click():
        if random_model:
            tiny = Path(__file__).resolve().parents[1] / "models" / "tiny-vi-en"
            if not (tiny / "source.spm").is_file():
                raise click.ClickException(
                    f"--random-model needs the SentencePiece files of {tiny}; run from a vi2en checkout"
                )
            model_dir = benchmark.build_random_model(Path(work) / "model", tiny)
            # Conversions of the throwaway model stay in the temporary directory.
            os.environ["VI2EN_CACHE_DIR"] = str(Path(work) / "cache")
        else:
            model_dir = resolve_model(model).path
        rows = benchmark.run_benchmark(
            model_dir,
            texts,
            systems=chosen,
            beams=beams,
            fixed_length=fixed_length,
            threads=threads,
        )
    settings = {
        "model": "random opus-mt-vi-en architecture"
        if random_model
        else str(model or default_model_name()),
        "sentences": len(texts),
        "beams": beams,
        "fixed_length": fixed_length,
        "threads": threads,
    }
    click.echo(benchmark.rows_as_json(rows, settings) if as_json else benchmark.format_table(rows))


def _has_cuda() -> bool:
    try:
        import ctranslate2
    except ImportError:
        return False
    return bool(ctranslate2.get_cuda_device_count() > 0)


@bench.command("segment")
@click.option(
    "--stress",
    is_flag=True,
    help="Also time pathological paragraphs (50 MB without punctuation, 1 MB of dots, ...).",
)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("../shared/data/segmentation"),
    show_default=True,
    help="Folder of the gold segmentation sets.",
)
@click.option(
    "--system",
    "systems",
    multiple=True,
    help="Systems to run (repeatable) [default: vi2en and every installed baseline].",
)
def bench_segment(data_dir: Path, systems: tuple[str, ...], stress: bool) -> None:
    """Score the segmenter (and installed baselines) on the gold sets, with speed."""
    from translate.bench_segment import (
        format_stress_table,
        format_table,
        run_segment_benchmark,
        run_stress_benchmark,
    )

    if not data_dir.is_dir():
        raise click.UsageError(f"no gold sets in {data_dir}; pass --data DIR")
    with _errors_as_click():
        click.echo(format_table(run_segment_benchmark(data_dir, list(systems) or None)))
    if stress:
        click.echo("")
        click.echo(format_stress_table(run_stress_benchmark()))
