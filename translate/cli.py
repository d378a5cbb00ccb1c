"""The ``vi2en`` command line.

Library errors are turned into one-line messages here, and nowhere else.
Exit codes: 0 success; 1 runtime error (model, input, output); 2 usage error;
3 finished, but some documents failed, or ``vi2en qa`` met malformed records
(listed in ``errors.jsonl``);
130 stopped by SIGINT (Ctrl-C), 143 stopped by SIGTERM.
"""

from __future__ import annotations

import json
import logging
import math
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click

from translate._dist import installation
from translate.backends import BACKENDS, COMPUTE_TYPES, BackendSettings, DecodingOptions
from translate.bench import RANDOM_FAMILIES
from translate.errors import Interrupted, UnknownNameError, Vi2enError
from translate.models import MODEL_ENV_VAR, cache_dir, default_model_name
from translate.qa import CHECKS, check_names
from translate.readers import READERS
from translate.text import LINE_SEPARATORS

if TYPE_CHECKING:
    from translate.config import PipelineConfig

EXIT_DOCUMENTS_FAILED = 3
EXIT_SIGINT = 130
EXIT_SIGTERM = 143
FORMATS = ("jsonl", "moses", "tmx", "tsv", "txt", "review")

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
        # huggingface_hub sets its level (and adds its own handler) when imported, after this.
        os.environ.setdefault("HF_HUB_VERBOSITY", "error")
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


class _LiveChoice(click.Choice):
    """A ``click.Choice`` among a table's names, read at each use.

    So that a backend registered after this module was imported (the tests' ``fake``)
    is a valid choice.
    """

    def __init__(self, names: Sequence[str]) -> None:
        self._names = names
        super().__init__(names)

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(self._names)

    @choices.setter
    def choices(self, _: Sequence[str]) -> None:
        """``Choice.__init__`` stores a copy; the names are read from the table instead."""


def verbosity_options(func: F) -> F:
    """``-v`` and ``-q``, shared by the commands that log."""
    func = click.option("-q", "--quiet", is_flag=True, help="No progress bar, errors only.")(func)
    return click.option(
        "-v", "--verbose", count=True, help="Log more (-vv for the model libraries too)."
    )(func)


def model_option(func: F) -> F:
    """``-m/--model``, shared by ``translate`` and ``bench``."""
    return click.option(
        "-m",
        "--model",
        envvar=MODEL_ENV_VAR,
        default=None,
        help="Short name (`vi2en models list`), hub id or local model directory "
        f"[env {MODEL_ENV_VAR}; default: {default_model_name()}].",
    )(func)


def threads_option(func: F) -> F:
    """``--threads``, shared by ``translate`` and ``bench``."""
    return click.option(
        "--threads",
        type=click.IntRange(min=1),
        default=None,
        help="CPU cores to use [default: all available].",
    )(func)


def beams_option(default: int | None = None) -> Callable[[F], F]:
    """``--beams``, shared by ``translate`` and ``bench``.

    One definition with the default as its parameter: ``translate`` follows the
    model (``None``), ``bench`` compares every system at one fixed beam size.
    """
    shown = "the model's generation config" if default is None else str(default)
    return click.option(
        "--beams",
        type=click.IntRange(min=1),
        default=default,
        help=f"Beam size (1 = greedy) [default: {shown}].",
    )


def _check_min_score(
    ctx: click.Context, param: click.Parameter, value: float | None
) -> float | None:
    """``--min-score`` must be a number (``nan`` passes FloatRange, and JSON cannot hold it)."""
    if value is not None and math.isnan(value):
        raise click.BadParameter("nan is not a score; give a number from 0 to 1", ctx, param)
    return value


def _check_encoding(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--encoding`` must name a text codec: a usage error otherwise (exit 2)."""
    if value is not None:
        from translate.readers import check_encoding

        try:
            check_encoding(value)
        except Vi2enError as exc:
            raise click.BadParameter(getattr(exc, "reason", str(exc)), ctx, param) from exc
    return value


def reader_options(func: F) -> F:
    """How inputs are read, shared by ``translate`` and ``segment``."""
    options = [
        click.option(
            "--encoding",
            default=None,
            metavar="ENC",
            callback=_check_encoding,
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


def _read_options(kwargs: dict[str, Any]) -> Any:
    from translate.readers import ReadOptions

    return ReadOptions(
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
    inputs: Sequence[str],
    kwargs: dict[str, Any],
    *,
    output: Path | None = None,
    pipeline: Any = None,
) -> Iterator[Any]:
    """The documents of ``inputs``; the ``output`` folder is never read as input.

    With the driver of a Ray run and ``--ray-inputs shared``, the workers read them
    (:meth:`translate.ray.RayPipeline.survey`).
    """
    from translate.readers import check_inputs, read_documents

    exclude = [] if output is None else [output]
    check_inputs(inputs, exclude=exclude)
    if _workers_read(kwargs):
        return pipeline.survey(inputs, stdin=sys.stdin.buffer, exclude=exclude)
    options = _read_options(kwargs)
    return read_documents(inputs, options, stdin=sys.stdin.buffer, exclude=exclude)


def _workers_read(kwargs: dict[str, Any]) -> bool:
    """Whether the Ray workers read the inputs (``--ray-inputs``), not the driver."""
    address = kwargs.get("ray_address")
    if not address:
        return False
    mode = kwargs.get("ray_inputs", "auto")
    return mode == "shared" or (mode == "auto" and address == "local")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(installation().version, prog_name="vi2en")
def main() -> None:
    """Translate Vietnamese news into English and build vi–en parallel corpora.

    Run `vi2en translate --help` to start.
    """


class _StopFlag:
    """SIGINT and SIGTERM stop the run within about a second, wherever it is.

    The first signal raises :class:`Interrupted` in the main thread at once
    (finished documents are saved as parts, finished batches in the memory) and
    is remembered, so that every later :meth:`check` raises it again should some
    code have swallowed it. Python runs signal handlers only between bytecodes,
    so a main thread busy in C code (loading or converting a model, a long
    batch) does not see the signal until that call returns: a watchdog thread,
    woken by the signal itself through :func:`signal.set_wakeup_fd`, ends the
    process with the signal's exit code if it still runs ``grace`` seconds
    later. A second signal ends the process at once, with its exit code (never
    click's "Aborted!", exit 1). Ending hard is safe: every file vi2en writes is
    published atomically, as after ``kill -9``.
    """

    def __init__(self, grace: float = 1.0) -> None:
        self.signal_number: int | None = None
        self.grace = grace
        self._previous: dict[int, Any] = {}
        self._previous_wakeup = -1
        self._wakeup_write: int | None = None
        self._announced = threading.Lock()

    def install(self) -> None:
        read_fd, write_fd = os.pipe()
        os.set_blocking(write_fd, False)  # set_wakeup_fd needs a non-blocking descriptor
        self._wakeup_write = write_fd
        threading.Thread(
            target=self._watch, args=(read_fd,), name="vi2en-stop", daemon=True
        ).start()
        self._previous_wakeup = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
        for number in (signal.SIGINT, signal.SIGTERM):
            self._previous[number] = signal.signal(number, self._handle)

    def restore(self) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        self._previous.clear()
        if self._wakeup_write is not None:
            signal.set_wakeup_fd(self._previous_wakeup)
            os.close(self._wakeup_write)  # the watchdog reads end-of-file and returns
            self._wakeup_write = None

    def _handle(self, number: int, frame: FrameType | None) -> None:
        if self.signal_number is not None:
            self._exit_now(number)
        self.signal_number = number
        click.echo("vi2en: stopping (press Ctrl-C again to stop at once)", err=True)
        raise Interrupted(number)

    def _watch(self, read_fd: int) -> None:
        """Wait for signals in a thread, and end the process when the main thread cannot."""
        received: list[int] = []
        deadline: float | None = None
        try:
            while True:
                timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
                ready, _, _ = select.select([read_fd], [], [], timeout)
                if not ready:
                    self._exit_now(received[0])  # the main thread did not stop in time
                data = os.read(read_fd, 64)
                if not data:
                    return
                received += [n for n in data if n in (signal.SIGINT, signal.SIGTERM)]
                if len(received) >= 2:
                    self._exit_now(received[-1])
                if received and deadline is None:
                    deadline = time.monotonic() + self.grace
        finally:
            os.close(read_fd)

    def announce_stopped(self, number: int) -> None:
        """Say once that the run stopped and how to resume it."""
        if self._announced.acquire(blocking=False):
            message = (
                f"vi2en: stopped by {signal.Signals(number).name}; finished documents are "
                "saved — run the same command again to resume\n"
            )
            if threading.current_thread() is threading.main_thread():
                sys.stderr.flush()
            # os.write: the main thread may hold sys.stderr's lock when the watchdog writes.
            os.write(2, message.encode("utf-8", "replace"))

    def _exit_now(self, number: int) -> None:
        self.announce_stopped(number)
        os._exit(EXIT_SIGINT if number == signal.SIGINT else EXIT_SIGTERM)

    def check(self) -> None:
        if self.signal_number is not None:
            raise Interrupted(self.signal_number)


# The document count is fractional while a window is translated: one decimal.
_BAR_FORMAT = (
    "{desc}: {percentage:3.0f}%|{bar}| {n:.1f}/{total_fmt} docs "
    "[{elapsed}<{remaining}, {rate_fmt}{postfix}]"
)
_BAR_FORMAT_NO_TOTAL = "{desc}: {n:.1f} docs [{elapsed}, {rate_fmt}{postfix}]"


def _plural(count: int, word: str, plural: str | None = None) -> str:
    """``1 document``, ``2 documents``."""
    return f"{count} {word if count == 1 else (plural or word + 's')}"


class _ProgressBar:
    """Documents and sentences on stderr, only when stderr is a terminal.

    The pipeline finishes documents a window (thousands of sentences) at a
    time, so the bar advances through each window's documents as its
    sentences are translated, and the estimate of the time left follows the
    sentences. While the bar is shown, log records are written above it
    (``tqdm.write``), never onto it.

    Args:
        enabled: Show the bar.
        total: Documents expected; ``None`` when unknown (stdin).
        file: Where the bar goes (default: stderr).
        desc: The bar's label.
    """

    def __init__(
        self,
        enabled: bool,
        total: int | None,
        file: IO[str] | None = None,
        desc: str = "translating",
    ) -> None:
        self.bar: Any = None
        self.sentences = 0
        self.documents = 0
        self._window_documents = 0
        self._window_sentences = 0
        self._window_done = 0
        self._logging: Any = None
        if enabled:
            from tqdm import tqdm
            from tqdm.contrib.logging import logging_redirect_tqdm

            self.bar = tqdm(
                total=total,
                unit="doc",
                file=file or sys.stderr,
                dynamic_ncols=True,
                desc=desc,
                bar_format=_BAR_FORMAT if total else _BAR_FORMAT_NO_TOTAL,
            )
            self._logging = logging_redirect_tqdm(tqdm_class=tqdm)
            self._logging.__enter__()

    def window_started(self, documents: int, sentences: int) -> None:
        self._window_documents = documents
        self._window_sentences = sentences
        self._window_done = 0
        self._show()

    def document_done(self) -> None:
        self.documents += 1
        if self._window_documents:
            # One of the window's documents: its share is already on the bar.
            self._window_documents -= 1
        self._show()

    def sentences_done(self, count: int) -> None:
        self.sentences += count
        self._window_done += count
        self._show()

    def _show(self) -> None:
        if self.bar is None:
            return
        share = 1.0
        if self._window_sentences:
            share = min(1.0, self._window_done / self._window_sentences)
        position = self.documents + self._window_documents * share
        if self.bar.total:
            position = min(position, self.bar.total)
        self.bar.update(position - self.bar.n)
        self.bar.set_postfix_str(_plural(self.sentences, "sentence"), refresh=True)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Clear the bar while something is written to the terminal."""
        if self.bar is None:
            yield
            return
        with self.bar.external_write_mode(file=sys.stdout):
            yield

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self._logging.__exit__(None, None, None)
            self.bar = None


def qa_options(func: F) -> F:
    """``--qa`` and ``--qa-drop``, shared by ``translate`` and ``qa``; :func:`_qa_checks` reads them."""
    func = click.option(
        "--qa-drop",
        multiple=True,
        default=(),
        metavar="CHECKS",
        help="Pairs flagged by these checks go to rejected.* instead of corpus.* (needs -o).",
    )(func)
    return click.option(
        "--qa",
        multiple=True,
        default=("all",),
        show_default=True,
        metavar="CHECKS",
        help=f"QA checks on every pair, comma-separated: all, none, or {', '.join(CHECKS)}.",
    )(func)


def _qa_checks(kwargs: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The checks to run and those to drop by; a ``--qa-drop`` check is run even if ``--qa`` omits it."""
    try:
        drop = check_names(kwargs["qa_drop"])
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="'--qa-drop'") from exc
    try:
        chosen = set(check_names(kwargs["qa"])) | set(drop)
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="'--qa'") from exc
    return tuple(name for name in CHECKS if name in chosen), drop


def translation_options(func: F) -> F:
    """The model, backend, batching, decoding and memory options of ``translate``.

    Shared by ``translate`` and ``evaluate --src``, in this order in ``--help``;
    :func:`_pipeline_config` reads them.
    """
    options: list[Callable[[F], F]] = [
        model_option,
        click.option(
            "--backend",
            type=_LiveChoice(BACKENDS),
            default="auto",
            show_default=True,
            help="auto: ctranslate2 when installed, else transformers.",
        ),
        click.option(
            "--device",
            type=click.Choice(["auto", "cpu", "cuda"]),
            default="auto",
            show_default=True,
            help="auto picks CUDA when present.",
        ),
        click.option(
            "--compute-type",
            type=click.Choice(COMPUTE_TYPES),
            default="auto",
            show_default=True,
            help="CTranslate2 precision (auto: int8 on CPU, float16 on GPU).",
        ),
        threads_option,
        click.option(
            "-b",
            "--batch-size",
            type=click.IntRange(min=1),
            default=None,
            help="Sentences per batch at most [default: the backend's].",
        ),
        click.option(
            "--max-batch-tokens",
            type=click.IntRange(min=1),
            default=None,
            help="Token budget of a batch, padding included [default: the backend's].",
        ),
        beams_option(),
        click.option(
            "--max-length",
            type=click.IntRange(min=1),
            default=None,
            help="Most target tokens per sentence [default: the model's].",
        ),
        click.option(
            "--max-length-ratio",
            type=click.FloatRange(min=0, min_open=True),
            default=3.0,
            show_default=True,
            help="Cap target length at RATIO × source tokens + 10, against runaway output.",
        ),
        click.option(
            "--min-length",
            type=click.IntRange(min=0),
            default=None,
            help="Fewest target tokens per sentence.",
        ),
        click.option(
            "--window-sentences",
            type=click.IntRange(min=1),
            default=4096,
            show_default=True,
            help="Sentences translated together (sorted by length across documents); bounds memory.",
        ),
        click.option(
            "--redecode-loops",
            is_flag=True,
            help="Re-decode outputs caught in a repeated n-gram loop (no_repeat_ngram_size=3).",
        ),
        click.option(
            "--cache",
            "cache_path",
            type=click.Path(dir_okay=False, path_type=Path),
            envvar="VI2EN_CACHE",
            default=None,
            help="Translation memory file [env VI2EN_CACHE; default: CACHE_DIR/memory.sqlite].",
        ),
        click.option("--no-cache", is_flag=True, help="Do not use the translation memory."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


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
@translation_options
@click.option(
    "--restart", is_flag=True, help="Discard an interrupted run in OUTPUT instead of resuming it."
)
@qa_options
@click.option(
    "--ray-address",
    envvar="RAY_ADDRESS",
    default=None,
    metavar="ADDRESS",
    help="Translate on the Ray cluster at ADDRESS (host:port, ray://...; local: start one "
    "here) [env RAY_ADDRESS; needs vi2en[ray]].",
)
@click.option(
    "--ray-inputs",
    type=click.Choice(["auto", "ship", "shared"]),
    default="auto",
    show_default=True,
    help="On Ray, who reads the inputs: shared, the workers (every node sees them at the same "
    "paths; the driver reads no article); ship, the driver, which sends their text; auto, "
    "shared with --ray-address local, else ship.",
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
        formats = parse_formats(kwargs["formats"], FORMATS)
    except UnknownNameError as exc:
        raise click.BadParameter(str(exc), param_hint="'-f' / '--format'") from exc
    checks, drop = _qa_checks(kwargs)
    if drop and output is None:
        raise click.UsageError("--qa-drop writes rejected.* files; pass -o OUTPUT")
    if kwargs["ray_inputs"] != "auto" and not kwargs["ray_address"]:
        raise click.UsageError("--ray-inputs is for a Ray run; pass --ray-address too")
    stop = _StopFlag()
    stop.install()
    pipeline = None
    try:
        with _errors_as_click():
            pipeline = _translate_pipeline(kwargs, checks)
            pipeline.check_stop = stop.check
            documents = _documents(inputs, kwargs, output=output, pipeline=pipeline)
            if output is None:
                _translate_to_stdout(pipeline, documents, inputs, kwargs)
            else:
                _translate_to_directory(pipeline, documents, output, formats, inputs, kwargs)
    except Interrupted as exc:
        number = exc.signal_number
        stop.announce_stopped(number)
        sys.exit(EXIT_SIGINT if number == signal.SIGINT else EXIT_SIGTERM)
    finally:
        stop.restore()
        if pipeline is not None and hasattr(pipeline, "close"):
            pipeline.close()  # a Ray run's driver leaves the cluster


def _translate_pipeline(kwargs: dict[str, Any], checks: Sequence[str]) -> Any:
    """The local pipeline, or with ``--ray-address`` the driver of a Ray run (translate.ray).

    ``checks``: the QA checks every pair gets (:func:`_qa_checks`).
    """
    config = _pipeline_config(kwargs, qa=checks)
    if not kwargs["ray_address"]:
        from translate.pipeline import build_pipeline

        return build_pipeline(config)
    try:
        from translate.ray import RayPipeline, connect
    except ImportError as exc:
        raise click.UsageError(
            f"--ray-address needs Ray ({exc}); install it with: pip install 'vi2en[ray]'"
        ) from exc
    owns_ray = connect(kwargs["ray_address"])
    try:
        return RayPipeline(config, owns_ray=owns_ray)
    except BaseException:
        RayPipeline.shutdown_if(owns_ray)
        raise


def _pipeline_config(
    kwargs: dict[str, Any], *, documents: bool = True, qa: Sequence[str] | None = None
) -> PipelineConfig:
    """The options of ``translate`` as a :class:`~translate.PipelineConfig`.

    ``documents=False`` for a command without the reader and segmenter options
    (``evaluate --src`` translates lines as they are): their defaults. ``qa``:
    the QA checks (:func:`_qa_checks`); ``None``, all.
    """
    from translate.config import PipelineConfig, all_checks
    from translate.readers import ReadOptions

    memory = None
    if not kwargs["no_cache"]:
        memory = str(kwargs["cache_path"] or cache_dir() / "memory.sqlite")
    return PipelineConfig(
        model=kwargs["model"],
        backend=BackendSettings(
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
        max_batch_tokens=kwargs["max_batch_tokens"],
        max_batch_size=kwargs["batch_size"],
        window_sentences=kwargs["window_sentences"],
        abbreviations=tuple(_abbreviations(kwargs)) if documents else (),
        reader=_read_options(kwargs) if documents else ReadOptions(),
        memory=memory,
        qa=all_checks() if qa is None else tuple(qa),
    )


def _progress_bar(
    inputs: Sequence[str], kwargs: dict[str, Any], output: Path | None = None
) -> _ProgressBar:
    """A bar when stderr is a terminal and -q is not given; stdin gives no total."""
    show = not kwargs["quiet"] and sys.stderr.isatty()
    total = None
    if show:
        from translate.readers import count_documents

        total = count_documents(
            inputs,
            _read_options(kwargs),
            exclude=[] if output is None else [output],
            records=not _workers_read(kwargs),  # when they read the inputs, the driver does not
        )
    return _ProgressBar(show, total)


def _translate_to_stdout(
    pipeline: Any, documents: Iterator[Any], inputs: Sequence[str], kwargs: dict[str, Any]
) -> None:
    from translate.records import DocumentFailure

    failed = 0
    progress = _progress_bar(inputs, kwargs)
    try:
        results = pipeline.translate_documents(
            documents, progress=progress.sentences_done, window_started=progress.window_started
        )
        for result in results:
            with progress.writing():
                if isinstance(result, DocumentFailure):
                    failed += 1
                    click.echo(f"vi2en: skipped {result.source}: {result.reason}", err=True)
                else:
                    click.echo(result.translated_text(), nl=False)
            progress.document_done()
    finally:
        progress.close()
    if not kwargs["quiet"]:
        _echo_warnings(pipeline.stats)
    if failed:
        sys.exit(EXIT_DOCUMENTS_FAILED)


def _echo_qa(qa: Any) -> None:
    """One line of QA counts when a check flagged a pair: per check, and pairs dropped."""
    if not qa.flagged_pairs:
        return
    counts = ", ".join(f"{name} {count}" for name, count in qa.as_dict()["flags"].items() if count)
    dropped = f"; {qa.dropped_pairs} dropped to rejected.*" if qa.drop else ""
    click.echo(
        f"vi2en: QA: {_plural(qa.flagged_pairs, 'flagged pair')} ({counts}){dropped}", err=True
    )


def _echo_warnings(stats: Any) -> None:
    """The repeated warnings, one line per kind: count and first documents."""
    for summary in stats.warnings.values():
        where = f" (first in {', '.join(summary.documents)})" if summary.documents else ""
        click.echo(f"vi2en: warning: {summary.message}: {summary.count}{where}", err=True)


def _translate_to_directory(
    pipeline: Any,
    documents: Iterator[Any],
    output: Path,
    formats: list[str],
    inputs: Sequence[str],
    kwargs: dict[str, Any],
) -> None:
    from translate.errors import InputOverwriteError
    from translate.job import Job
    from translate.readers import input_files

    paths = [
        f.path
        for f in input_files(inputs, _read_options(kwargs), exclude=[output])
        if f.path is not None
    ]
    job = Job(
        pipeline,
        output,
        formats,
        restart=kwargs["restart"],
        input_paths=paths,
        qa_drop=_qa_checks(kwargs)[1],
    )
    progress = _progress_bar(inputs, kwargs, output)
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
    stats = pipeline.stats
    if not kwargs["quiet"]:
        click.echo(
            f"vi2en: {_plural(summary.documents, 'document')} ({summary.translated} translated, "
            f"{summary.resumed} resumed, {len(summary.failures)} failed), "
            f"{_plural(summary.pairs, 'sentence pair')}, {stats.memory_hits} from memory, "
            f"in {summary.seconds:.1f}s → {output}",
            err=True,
        )
        _echo_qa(summary.qa)
        _echo_warnings(stats)
    if summary.failures:
        _exit_failed(summary.failures, "failed", "document", " failed", output)


# The formats of `vi2en align`: txt would only reflow the English text that exists already.
ALIGN_FORMATS = ("jsonl", "links", "moses", "review", "tmx", "tsv")


@main.command()
@click.argument("inputs", nargs=-1, metavar="[VI EN | DIR | FILE.jsonl]")
@click.option(
    "--vi",
    "vi_dir",
    type=click.Path(file_okay=False, path_type=str),
    help="Folder of Vietnamese files (with --en: files at the same relative paths are pairs).",
)
@click.option(
    "--en",
    "en_dir",
    type=click.Path(file_okay=False, path_type=str),
    help="Folder of English files, at the same relative paths as in --vi.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Output directory.",
)
@click.option(
    "-f",
    "--format",
    "formats",
    multiple=True,
    default=("tsv", "jsonl", "links"),
    show_default=True,
    help=f"Output formats, comma-separated or repeated: {', '.join(ALIGN_FORMATS)}.",
)
@click.option(
    "--presegmented",
    is_flag=True,
    help="One sentence per line on both sides, blank lines between paragraphs; nothing re-split.",
)
@click.option(
    "--min-score",
    type=click.FloatRange(0, 1),
    default=None,
    callback=_check_min_score,
    help="Leave links scored below this out of the corpus files (counted in the manifest).",
)
@click.option(
    "--mt",
    is_flag=True,
    help="Translate the Vietnamese with the model and compare it with the English (slower, surer).",
)
@click.option(
    "--vi-field", default="vi", show_default=True, help="JSONL field holding the Vietnamese text."
)
@click.option(
    "--en-field", default="en", show_default=True, help="JSONL field holding the English text."
)
@click.option(
    "--id-field", default="id", show_default=True, help="JSONL field holding the document id."
)
@click.option(
    "--encoding",
    default=None,
    metavar="ENC",
    callback=_check_encoding,
    help="Input encoding (default: UTF-8, BOM detected), e.g. cp1258.",
)
@click.option(
    "--blank-line-paragraphs",
    is_flag=True,
    help="In text input, paragraphs are separated by blank lines (hard-wrapped text).",
)
@click.option(
    "-a",
    "--abbreviation",
    "abbreviations",
    multiple=True,
    metavar="ABBR",
    help="Extra Vietnamese abbreviation that never ends a sentence (repeatable).",
)
@click.option(
    "--abbreviations-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File of extra Vietnamese abbreviations, one per line (# comments).",
)
@translation_options
@qa_options
@click.option(
    "--restart", is_flag=True, help="Discard an interrupted run in OUTPUT instead of resuming it."
)
@verbosity_options
def align(
    inputs: tuple[str, ...],
    vi_dir: str | None,
    en_dir: str | None,
    output: Path,
    **kwargs: Any,
) -> None:
    """Align existing translations into sentence pairs: VI EN files, a DIR, a JSONL, or --vi/--en.

    A DIR pairs NAME.vi with NAME.en (or NAME.vi.txt with NAME.en.txt) at any
    depth; a JSONL file holds both texts in each record (--vi-field,
    --en-field). Writes the corpus files and links/NAME.links (vecalign
    format) into OUTPUT, resumably: run the same command again after an
    interruption.
    """
    _setup_logging(kwargs["verbose"], kwargs["quiet"])
    from translate.writers import parse_formats

    try:
        formats = parse_formats(kwargs["formats"], ALIGN_FORMATS)
    except UnknownNameError as exc:
        raise click.BadParameter(str(exc), param_hint="'-f' / '--format'") from exc
    stop = _StopFlag()
    stop.install()
    try:
        with _errors_as_click():
            _align(inputs, vi_dir, en_dir, output, formats, stop, kwargs)
    except Interrupted as exc:
        stop.announce_stopped(exc.signal_number)
        sys.exit(EXIT_SIGINT if exc.signal_number == signal.SIGINT else EXIT_SIGTERM)
    finally:
        stop.restore()


def _align(
    inputs: tuple[str, ...],
    vi_dir: str | None,
    en_dir: str | None,
    output: Path,
    formats: list[str],
    stop: _StopFlag,
    kwargs: dict[str, Any],
) -> None:
    """Build the readers, the align pipeline and the job from the options; run it; report."""
    from translate.errors import InputOverwriteError
    from translate.job import Job
    from translate.parallel import AlignPipeline, CorpusSelection
    from translate.pipeline import build_pipeline
    from translate.readers import ReadOptions
    from translate.readers.pairs import PairOptions, count_pairs, pair_input_files, read_pairs

    options = PairOptions(
        read=ReadOptions(
            encoding=kwargs["encoding"],
            blank_line_paragraphs=kwargs["blank_line_paragraphs"],
            id_field=kwargs["id_field"],
        ),
        presegmented=kwargs["presegmented"],
        vi_field=kwargs["vi_field"],
        en_field=kwargs["en_field"],
    )
    checks, drop = _qa_checks(kwargs)
    paths = pair_input_files(inputs, vi_dir=vi_dir, en_dir=en_dir, exclude=[output])
    translation = None
    if kwargs["mt"]:
        translation = build_pipeline(_pipeline_config(kwargs, documents=False))
    pipeline = AlignPipeline(
        tuple(_abbreviations(kwargs)),
        translation,
        presegmented=kwargs["presegmented"],
        min_score=kwargs["min_score"],
        window_sentences=kwargs["window_sentences"],
        qa_checks=checks,
    )
    pipeline.check_stop = stop.check
    job = Job(
        pipeline,  # type: ignore[arg-type]  # the Job runs any object with the Pipeline's interface
        output,
        formats,
        restart=kwargs["restart"],
        input_paths=paths,
        selection=CorpusSelection(kwargs["min_score"]),
        qa_drop=drop,
    )
    show = not kwargs["quiet"] and sys.stderr.isatty()
    total = count_pairs(inputs, vi_dir=vi_dir, en_dir=en_dir, exclude=[output]) if show else None
    progress = _ProgressBar(show, total, desc="aligning")
    try:
        summary = job.run(
            read_pairs(inputs, options, vi_dir=vi_dir, en_dir=en_dir, exclude=[output]), progress
        )
    except InputOverwriteError as exc:
        raise click.UsageError(str(exc)) from exc
    finally:
        progress.close()
    counts = summary.counts
    if not kwargs["quiet"]:
        unaligned = (
            counts.get("unaligned_source_sentences", 0),
            counts.get("unaligned_target_sentences", 0),
        )
        low = counts.get("below_min_score", 0)
        click.echo(
            f"vi2en: {_plural(summary.documents, 'document pair')} ({summary.translated} "
            f"aligned, {summary.resumed} resumed, {len(summary.failures)} failed), "
            f"{_plural(counts.get('pairs', 0), 'sentence pair')}; unaligned: {unaligned[0]} "
            f"Vietnamese, {unaligned[1]} English sentences"
            + (f"; {low} links below --min-score left out" if low else "")
            + f"; in {summary.seconds:.1f}s → {output}",
            err=True,
        )
        if translation is not None:
            _echo_warnings(pipeline.stats)
    if summary.failures:
        _exit_failed(summary.failures, "failed", "document pair", " failed", output)


def _exit_failed(items: Sequence[Any], verb: str, noun: str, suffix: str, output: Path) -> None:
    """List the first ten failed items (``source``, ``reason``), say where all are; exit 3."""
    from translate.layout import ERRORS_FILE

    for item in items[:10]:
        click.echo(f"vi2en: {verb} {item.source}: {item.reason}", err=True)
    more = len(items) - 10
    click.echo(
        f"vi2en: {_plural(len(items), noun)}{suffix}"
        f"{f' ({more} more not shown)' if more > 0 else ''}; see {output / ERRORS_FILE}",
        err=True,
    )
    sys.exit(EXIT_DOCUMENTS_FAILED)


@main.command("qa")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Output directory of the annotated corpus.",
)
@click.option(
    "-f",
    "--format",
    "formats",
    multiple=True,
    default=("jsonl",),
    show_default=True,
    help="Output formats, comma-separated or repeated: jsonl, moses, tmx, tsv, review.",
)
@qa_options
@click.option(
    "--input-format",
    type=click.Choice(["auto", "jsonl", "moses", "tmx", "tsv"]),
    default="auto",
    show_default=True,
    help="auto: by extension (.tsv, .jsonl, .tmx; a Moses pair X.vi/X.en or its prefix X).",
)
@click.option("--source-lang", default="vi", show_default=True, help="Source language code.")
@click.option("--target-lang", default="en", show_default=True, help="Target language code.")
@click.option("--source-field", default=None, help="JSONL source field [default: source, vi].")
@click.option("--target-field", default=None, help="JSONL target field [default: target, en].")
@click.option("--raw", is_flag=True, help="TSV/Moses texts are not escaped as vi2en writes them.")
@verbosity_options
def qa(inputs: tuple[str, ...], output: Path, **kwargs: Any) -> None:
    """Check an existing parallel corpus (TSV, Moses, JSONL, TMX) and write it annotated.

    Writes OUTPUT/corpus.* with each pair's QA flags (JSONL, TMX), review.html
    with -f review (every pair, the dropped ones too), rejected.* with
    --qa-drop, errors.jsonl (records that could not be read: exit 3) and
    manifest.json with the counts per check.
    """
    _setup_logging(kwargs["verbose"], kwargs["quiet"])
    from translate.writers import parse_formats

    try:
        formats = parse_formats(kwargs["formats"])
    except UnknownNameError as exc:
        raise click.BadParameter(str(exc), param_hint="'-f' / '--format'") from exc
    if "txt" in formats:
        raise click.BadParameter(
            "vi2en qa writes corpus files, not articles: leave out txt",
            param_hint="'-f' / '--format'",
        )
    if (kwargs["source_field"] is None) != (kwargs["target_field"] is None):
        raise click.UsageError("give both --source-field and --target-field, or neither")
    checks, drop = _qa_checks(kwargs)
    with _errors_as_click():
        from translate.errors import InputOverwriteError
        from translate.qajob import CorpusQa
        from translate.readers.corpus import CorpusOptions

        options = CorpusOptions(
            source_lang=kwargs["source_lang"],
            target_lang=kwargs["target_lang"],
            source_field=kwargs["source_field"],
            target_field=kwargs["target_field"],
            escaped=not kwargs["raw"],
            input_format=kwargs["input_format"],
        )
        job = CorpusQa(inputs, output, formats, checks=checks, drop=drop, options=options)
        try:
            summary = job.run()
        except InputOverwriteError as exc:
            raise click.UsageError(str(exc)) from exc
    if not kwargs["quiet"]:
        click.echo(
            f"vi2en: {_plural(len(summary.inputs), 'corpus', 'corpora')}, "
            f"{_plural(summary.pairs, 'sentence pair')} checked, "
            f"{summary.qa.flagged_pairs} flagged, in {summary.seconds:.1f}s → {output}",
            err=True,
        )
        _echo_qa(summary.qa)
    if summary.malformed:
        _exit_failed(summary.malformed, "malformed", "malformed record", "", output)


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
        # Documents hold the input's text, so the sentences are the file's to the letter.
        for document in _documents(inputs, kwargs):
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
                # The input's text may hold line separators: one sentence stays one line.
                text = LINE_SEPARATORS.sub(" ", s.text)
                lines.append(
                    f"{s.paragraph}\t{s.index}\t{s.start}\t{s.end}\t{text}"
                    if output_format == "spans"
                    else text
                )
            if lines:
                if not first and output_format != "json":
                    click.echo("")
                click.echo("\n".join(lines))
                first = False
    if failed:
        sys.exit(EXIT_DOCUMENTS_FAILED)


@main.command()
@click.argument("outdir", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the page to FILE  [default: OUTDIR/review.html].",
)
def review(outdir: Path, output: Path | None) -> None:
    """Rebuild OUTDIR/review.html from a finished run.

    OUTDIR is the folder of a finished `vi2en translate -o OUTDIR` run. The
    page is one self-contained HTML file: each document's pairs side by side, flagged
    pairs marked with their reasons, a filter by check, search, and j/k to go
    from one flagged pair to the next. Read from the run's saved parts, or from
    OUTDIR/corpus.jsonl.
    """
    from translate.review import rebuild_review

    with _errors_as_click():
        summary = rebuild_review(outdir, output)
    click.echo(
        f"vi2en: wrote {summary.path} ({_plural(summary.documents, 'document')}, "
        f"{_plural(summary.pairs, 'pair')}, {summary.flagged} flagged; from {summary.source})",
        err=True,
    )


@main.group()
def models() -> None:
    """List the known models; find and pre-download models for offline use."""


def _catalog_table() -> str:
    """The catalog as an aligned text table, one model per line."""
    from translate.catalog import CATALOG

    header = ("name", "hub id", "family", "params", "download", "licence", "commercial", "BLEU")
    rows = [header] + [
        (
            m.short_name,
            m.hub_id,
            m.family,
            m.parameters,
            m.download_size,
            m.licence,
            ("yes, with conditions" if m.restriction else "yes") if m.commercial_use else "no",
            "" if m.flores_bleu is None else f"{m.flores_bleu:.1f}",
        )
        for m in CATALOG
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    sources = sorted({m.score_source for m in CATALOG if m.score_source})
    notes = [
        "BLEU: " + "; ".join(sources) + " (empty: none published).",
        "≈: approximate. A notice names the licence before the first use of a model "
        "whose licence restricts use.",
        "Use: vi2en translate ... --model NAME; vi2en models download NAME.",
    ]
    return "\n".join([*lines, "", *notes])


@models.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array, one object per model.")
def models_list(as_json: bool) -> None:
    """List the known models: short name, hub id, family, size, licence, published BLEU."""
    from translate.catalog import CATALOG

    if as_json:
        click.echo(json.dumps([m.as_dict() for m in CATALOG], indent=2, ensure_ascii=False))
    else:
        click.echo(_catalog_table())


@models.command("download")
@click.argument("name", required=False)
@click.option(
    "--dir",
    "target",
    type=click.Path(file_okay=False, path_type=Path),
    help="Put the files in DIR (then use --model DIR) instead of the Hugging Face cache.",
)
def models_download(name: str | None, target: Path | None) -> None:
    """Download model NAME (short name or hub id; default: the default model) for offline use."""
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
    from translate.catalog import lookup
    from translate.models import resolve_model

    with _errors_as_click():
        model = resolve_model(name, download=False)
    known = lookup(model.name) if model.revision is not None else None
    click.echo(
        json.dumps(
            {
                "name": model.name,
                "path": str(model.path),
                "revision": model.revision,
                "fingerprint": model.fingerprint,
                "catalog": None if known is None else known.as_dict(),
            },
            indent=2,
            ensure_ascii=False,
        )
    )


@main.command()
@click.option(
    "--random-model",
    type=click.Choice(RANDOM_FAMILIES),
    is_flag=False,
    flag_value="marian",
    default=None,
    help="Build a random-weight model with the architecture of the family's smallest "
    "checkpoint (alone: marian, opus-mt-vi-en's; no download; --model is ignored).",
)
@model_option
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
@beams_option(default=4)
@threads_option
@click.option(
    "--system",
    "systems",
    multiple=True,
    help="Systems to run (repeatable) [default: all for the device].",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with every row.")
def bench(
    random_model: str | None,
    model: str | None,
    input_file: Path | None,
    sentences: int | None,
    fixed_length: int | None,
    beams: int,
    threads: int | None,
    systems: tuple[str, ...],
    as_json: bool,
) -> None:
    """Measure translation speed of each backend against a naive transformers loop."""
    _setup_logging(0, True)
    import tempfile

    from translate import bench as benchmark
    from translate.config import PipelineConfig
    from translate.models import resolve_model

    texts = (
        benchmark.sample_sentences()
        if input_file is None
        else [line for line in input_file.read_text("utf-8").splitlines() if line.strip()]
    )
    texts = texts[:sentences] if sentences else texts
    known = dict.fromkeys([*benchmark.SYSTEMS, *benchmark.GPU_SYSTEMS])
    unknown = [s for s in systems if s not in known]
    if unknown:
        raise click.BadParameter(
            f"unknown system {unknown[0]!r}; choose from: {', '.join(known)}",
            param_hint="'--system'",
        )
    chosen = list(systems) or list(benchmark.SYSTEMS if not _has_cuda() else benchmark.GPU_SYSTEMS)
    with tempfile.TemporaryDirectory(prefix="vi2en-bench-model-") as work, _errors_as_click():
        if random_model:
            tiny = Path(__file__).resolve().parents[1] / "models" / "tiny-vi-en"
            if random_model == "marian" and not (tiny / "source.spm").is_file():
                raise click.ClickException(
                    f"--random-model needs the SentencePiece files of {tiny}; run from a vi2en checkout"
                )
            model_dir = benchmark.build_random_model(Path(work) / "model", tiny, random_model)
            # Conversions of the throwaway model stay in the temporary directory.
            os.environ["VI2EN_CACHE_DIR"] = str(Path(work) / "cache")
        else:
            model_dir = resolve_model(model).path
        # What the vi2en systems share; each system sets its backend and precision.
        config = PipelineConfig(
            model=str(model_dir),
            backend=BackendSettings(threads=threads),
            decoding=DecodingOptions(beams=beams),
        )
        rows = benchmark.run_benchmark(config, texts, systems=chosen, fixed_length=fixed_length)
    settings = {
        "model": f"random {benchmark.RANDOM_MODELS[random_model]} architecture"
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


@main.command()
@click.argument(
    "hypotheses",
    metavar="[HYP]",
    required=False,
    type=click.Path(exists=True, path_type=Path),
)
@click.option(
    "-r",
    "--ref",
    "references",
    multiple=True,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Reference translations, one segment per line (repeatable: several references).",
)
@click.option(
    "--src",
    "source",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Vietnamese source, one segment per line: translated (each line as one sentence) "
    "and scored when no HYP is given; with HYP, the source COMET reads.",
)
@click.option(
    "--metrics",
    multiple=True,
    default=("bleu,chrf,ter",),
    show_default=True,
    help="Metrics, comma-separated or repeated: bleu, chrf, ter, comet (needs vi2en[comet]).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with every score.")
@click.option(
    "-w",
    "--width",
    type=click.IntRange(min=0),
    default=None,
    help="Decimals of the scores [default: 1, as sacrebleu; COMET 4].",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --src: also write the translations to FILE, one per line.",
)
@click.option(
    "--comet-model",
    default=None,
    metavar="NAME",
    help="COMET model: hub id or checkpoint [default: Unbabel/wmt22-comet-da].",
)
@click.option(
    "--encoding",
    default=None,
    metavar="ENC",
    callback=_check_encoding,
    help="Encoding of the text files (default: UTF-8, BOM detected).",
)
@translation_options
@verbosity_options
@click.pass_context
def evaluate(
    ctx: click.Context,
    hypotheses: Path | None,
    references: tuple[Path, ...],
    source: Path | None,
    metrics: tuple[str, ...],
    as_json: bool,
    width: int | None,
    output: Path | None,
    comet_model: str | None,
    **kwargs: Any,
) -> None:
    """Score HYP against references with sacrebleu (BLEU, chrF, TER), or translate --src first.

    HYP is a text file (one segment per line), a vi2en OUTDIR or its
    corpus.jsonl (the targets, in corpus order). The scores and their
    signatures are sacrebleu's: the numbers equal `sacrebleu REF -i HYP -m bleu
    chrf ter` on the same files. With --src and no HYP, each line of SRC is
    translated as one sentence, with the options of `vi2en translate`, then
    scored.
    """
    _setup_logging(kwargs["verbose"], kwargs["quiet"])
    from translate import evaluate as scoring

    try:
        chosen = scoring.parse_metrics(metrics)
    except UnknownNameError as exc:
        raise click.BadParameter(str(exc), param_hint="'--metrics'") from exc
    if hypotheses is None and source is None:
        raise click.UsageError(
            "give HYP (a file of hypotheses or a vi2en OUTDIR), or --src SRC.vi to translate"
        )
    if hypotheses is not None:
        given = [
            f"--{name.replace('_', '-')}"
            for name in _TRANSLATION_PARAMETERS
            if ctx.get_parameter_source(name) is click.core.ParameterSource.COMMANDLINE
        ]
        if output is not None:
            given.insert(0, "--output")
        if given:
            raise click.UsageError(
                f"{', '.join(given)}: only for translating --src without HYP; HYP is "
                "scored as it is (drop HYP to translate SRC)"
            )
    if "comet" in chosen:
        if len(references) > 1:
            raise click.UsageError("COMET scores against one reference: pass a single --ref")
        has_source = hypotheses is not None and (
            hypotheses.is_dir() or hypotheses.suffix == ".jsonl"
        )
        if source is None and not has_source:
            raise click.UsageError(
                "COMET reads the source sentences: pass --src SRC.vi (one line per "
                "hypothesis), or a vi2en OUTDIR or corpus.jsonl as HYP"
            )
    stop = _StopFlag()
    stop.install()
    try:
        with _errors_as_click():
            scoring.check_installed(chosen)
            encoding = kwargs["encoding"]
            refs = {path: scoring.read_segments(path, encoding) for path in references}
            given_source = (
                {} if source is None else {source: scoring.read_segments(source, encoding)}
            )
            sources = next(iter(given_source.values()), None)
            translation: dict[str, Any] | None = None
            if hypotheses is not None:
                hyps = scoring.read_hypotheses(hypotheses, encoding)
                if sources is not None:
                    scoring.check_line_counts(given_source, len(hyps.segments), hyps.path)
                    hyps = scoring.Hypotheses(hyps.segments, sources, hyps.path, hyps.manifest)
                if hyps.manifest is not None:
                    translation = {
                        key: hyps.manifest.get(key) for key in ("model", "settings", "vi2en")
                    }
            else:
                assert source is not None and sources is not None
                scoring.check_line_counts(refs, len(sources), source)
                hyps, translation = _translate_source(source, sources, output, stop, kwargs)
            scoring.check_line_counts(refs, len(hyps.segments), hyps.path)
            scores = scoring.compute_scores(
                chosen,
                hyps.segments,
                list(refs.values()),
                sources=hyps.sources,
                comet_model=comet_model or scoring.COMET_MODEL,
            )
    except Interrupted as exc:
        stop.announce_stopped(exc.signal_number)
        sys.exit(EXIT_SIGINT if exc.signal_number == signal.SIGINT else EXIT_SIGTERM)
    finally:
        stop.restore()
    if as_json:
        record = {
            "hypotheses": None if hypotheses is None and output is None else str(hyps.path),
            "source": None if source is None else str(source),
            "references": [str(path) for path in references],
            "segments": len(hyps.segments),
            "scores": [score.as_dict(width) for score in scores],
            "translation": translation,
        }
        click.echo(json.dumps(record, indent=2, ensure_ascii=False))
    else:
        for score in scores:
            click.echo(score.format(width))


# The options of `translation_options`, which only translating --src uses.
_TRANSLATION_PARAMETERS = (
    "model",
    "backend",
    "device",
    "compute_type",
    "threads",
    "batch_size",
    "max_batch_tokens",
    "beams",
    "max_length",
    "max_length_ratio",
    "min_length",
    "window_sentences",
    "redecode_loops",
    "cache_path",
    "no_cache",
)


def _translate_source(
    source: Path,
    lines: list[str],
    output: Path | None,
    stop: _StopFlag,
    kwargs: dict[str, Any],
) -> tuple[Any, dict[str, Any]]:
    """Translate each line of ``source`` as one sentence; write them to ``output`` if given."""
    from translate import evaluate as scoring
    from translate.fileio import atomic_write
    from translate.pipeline import build_pipeline

    pipeline = build_pipeline(_pipeline_config(kwargs, documents=False))
    pipeline.check_stop = stop.check
    started = time.time()
    translations = scoring.translate_lines(pipeline, lines, kwargs["window_sentences"])
    if output is not None:
        with atomic_write(output) as out:
            out.write("".join(f"{line}\n" for line in translations))
    model = pipeline.describe()
    if not kwargs["quiet"]:
        click.echo(
            f"vi2en: translated {_plural(len(lines), 'line')} of {source} with {model['name']} "
            f"({model['backend']}) in {time.time() - started:.1f}s"
            + (f" → {output}" if output is not None else ""),
            err=True,
        )
        _echo_warnings(pipeline.stats)
    translation = {"model": model, "settings": pipeline.settings()}
    return scoring.Hypotheses(translations, lines, output or source), translation
