"""Run the pipeline on a Ray cluster: the same job, the same bytes, more machines.

The driver (``vi2en translate --ray-address ADDRESS``) reads and lists the
documents as a local run does, or, with ``--ray-inputs shared``, lists the files
and has Ray tasks read them (:meth:`RayPipeline.survey`: the driver keeps a
:class:`DocumentRef` of each document, no text); a Ray Data pool of actors
(:class:`ray.data.ActorPoolStrategy`), each holding one pipeline built once from
the :class:`~translate.PipelineConfig`, translates them in the local run's
windows of whole documents; the results come back to the driver in input order, where the
:class:`~translate.job.Job` writes the parts, the memory and the corpus exactly
as locally. :class:`RayPipeline` is that driver side: it has the interface of
:class:`~translate.Pipeline`, so the job, the writers and resume are unchanged.

Outputs equal a local run's: a sentence's translation does not depend on the
sentences batched with it (:func:`~translate.translator.make_batches` keeps
one length cap per batch), and each actor call is one window of the local
run (:func:`windows`), translated as locally. The translation memory stays on the
driver: the workers neither read nor write it (it may be a SQLite file no
worker can reach), and the driver stores each new machine translation as its
document comes back.

Users with a Ray Data pipeline of their own call :func:`translate_dataset`.

Only imported when Ray is asked for: ``import translate`` never imports Ray.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import os
import pickle
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

# Before Ray is imported (it reads it then): no usage statistics unless the user asks.
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

import ray  # the real Ray: imports are absolute
import ray.data

from translate.backends import BackendSettings
from translate.config import PipelineConfig
from translate.errors import BackendError, Vi2enError
from translate.memory import TranslationMemory
from translate.pipeline import DocumentResult, build_pipeline
from translate.readers import (
    READERS,
    DocumentNames,
    InputFile,
    ReadOptions,
    list_inputs,
    read_input,
    read_text,
)
from translate.records import Document, DocumentFailure, TranslatedDocument
from translate.segment import Segmenter, segment_paragraphs
from translate.text import clean_paragraph
from translate.translator import ProgressCallback, TranslationStats, Translator, WarningSummary
from translate.writers.base import output_score

#: ``--ray-address local``: start a Ray instance on this machine, on loopback only.
LOCAL = "local"

#: Documents in one actor call of :func:`translate_dataset`.
DEFAULT_BATCH_DOCUMENTS = 4

#: Files one task of :meth:`RayPipeline.survey` reads.
SURVEY_BATCH_FILES = 16

#: Environment of a local instance's processes: no usage statistics, localhost is loopback.
SAFE_ENVIRONMENT = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}

# The counters of TranslationStats that the workers count (the others are the driver's).
_WORKER_COUNTS = ("translated", "split_long", "loops_flagged", "batches", "target_words")


def connect(address: str, *, num_cpus: int | None = None) -> bool:
    """Connect to the Ray cluster at ``address``, or start one here for ``local``.

    A local instance binds 127.0.0.1 only, without the dashboard, and sends no
    usage statistics. Nothing happens when Ray is already initialised.

    Returns:
        Whether this call initialised Ray (the caller then shuts it down).

    Raises:
        BackendError: The cluster cannot be reached.
    """
    if ray.is_initialized():
        return False
    try:
        if address == LOCAL:
            for name, value in SAFE_ENVIRONMENT.items():  # the processes it starts read them
                os.environ.setdefault(name, value)
            ray.init(
                address="local",
                num_cpus=num_cpus,
                include_dashboard=False,
                _node_ip_address="127.0.0.1",
                log_to_driver=False,
                logging_level=logging.WARNING,
            )
        else:
            ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise BackendError(
            f"cannot connect to the Ray cluster at {address!r} ({exc}); start one with "
            "`ray start --head`, or pass --ray-address local"
        ) from exc
    return True


def worker_config(config: PipelineConfig) -> PipelineConfig:
    """What each actor builds its pipeline from: resolved here, no memory, one thread on CPU.

    Resolved on the driver (:meth:`PipelineConfig.resolved`): every actor then
    checks that its model has the driver's fingerprint, and ``auto`` settings
    mean what they mean here, not on the worker's hardware. Neither the memory
    nor the threads change a translation (they are outside
    :meth:`PipelineConfig.settings`); the driver keeps the memory.

    Raises:
        ModelLoadError: The model cannot be found here.
    """
    if not config.is_resolved:
        config = config.resolved()
    backend = config.backend
    if backend.device != "cuda":
        backend = BackendSettings(backend.backend, backend.device, backend.compute_type, threads=1)
    return dataclasses.replace(config, memory=None, backend=backend)


def _actor_resources(config: PipelineConfig) -> dict[str, float]:
    """One GPU per actor for ``--device cuda``, else one core (a single-threaded actor)."""
    return {"num_gpus": 1} if config.backend.device == "cuda" else {"num_cpus": 1}


def _pool_size(config: PipelineConfig) -> int:
    """Actors at most: the cluster's GPUs for ``--device cuda``, else its cores."""
    resources = ray.cluster_resources()
    wanted = resources.get("GPU" if config.backend.device == "cuda" else "CPU", 1)
    return max(1, int(wanted))


class DocumentTranslator:
    """A Ray Data actor: one pipeline, built once, translating whole windows of documents.

    Each row is one window of the local run (:func:`windows`): the pipeline
    translates it as one window, so its batches are those of a local run.

    Args:
        config_json: The worker's :meth:`PipelineConfig.to_json`.
    """

    def __init__(self, config_json: str) -> None:
        config = PipelineConfig.from_json(config_json)
        self.pipeline = build_pipeline(config)
        self.options = config.reader

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        """``index`` and ``window`` columns in; ``index``, ``results`` and ``stats`` out.

        ``window`` is a pickled list of documents, of :class:`DocumentRef`
        (read here, :func:`_resolve`) and of read failures (which pass
        through); ``results`` the pickled list of their results in order,
        a :class:`TranslatedDocument` or a :class:`DocumentFailure` each (a
        document the model fails on is that document's failure, as locally);
        ``stats`` the window's pickled :class:`TranslationStats`.
        """
        out: dict[str, list[Any]] = {"index": [], "results": [], "stats": []}
        for index, payload in zip(batch["index"], batch["window"], strict=True):
            stats = self.pipeline.translator.stats = TranslationStats()
            window = _resolve(pickle.loads(payload), self.options)
            results = list(self.pipeline.translate_documents(window))
            out["index"].append(int(index))
            out["results"].append(pickle.dumps(results))
            out["stats"].append(pickle.dumps(stats))
        return out


def windows(
    items: Iterable[Document | DocumentFailure], config: PipelineConfig
) -> Iterator[list[Document | DocumentFailure]]:
    """The items grouped as :meth:`Pipeline.translate_documents` groups them into windows.

    A window closes once it holds ``config.window_sentences`` sentences (each
    item counts at least one). The actors are given exactly the local run's
    windows (and so its batches).
    """
    segmenter = Segmenter(config.abbreviations)
    window: list[Document | DocumentFailure] = []
    size = 0
    for item in items:
        count = item.sentences if isinstance(item, DocumentRef) else _sentences(item, segmenter)
        window.append(item)
        size += max(1, count)
        if size >= config.window_sentences:
            yield window
            window, size = [], 0
    if window:
        yield window


def _sentences(item: Document | DocumentFailure, segmenter: Segmenter) -> int:
    """How many sentences a window counts for ``item`` (a failure counts one)."""
    if not isinstance(item, Document):
        return 1
    try:
        return len(segment_paragraphs(item.doc_id, item.paragraphs, segmenter))
    except Exception:  # the actor turns it into the document's failure, as locally
        return 0


@dataclass(frozen=True, slots=True)
class DocumentRef(Document):
    """A document the workers read from storage: what the driver knows of it, not its text.

    Made by :meth:`RayPipeline.survey` (``--ray-inputs shared``): a worker read
    the file, and the driver keeps the document's id, source, output path and
    content hash (to resume), no paragraph. The actor that translates it
    reads the file again (:func:`_resolve`).

    Attributes:
        file: The file, with an absolute path (the workers' working folder is not the driver's).
        reader: The name of its reader in :data:`~translate.readers.READERS`.
        sentences: Its sentence count, for :func:`windows`.
    """

    file: InputFile | None = None
    reader: str = "txt"
    sentences: int = 0


def _survey_rows(batch: dict[str, Any], config_json: str) -> dict[str, list[Any]]:
    """A Ray Data task: read listed files, return what the driver keeps of their documents.

    ``index`` and ``file`` (a pickled ``(InputFile, reader name)``) in;
    ``index`` and ``documents`` (a pickled list of :class:`DocumentRef` and
    :class:`DocumentFailure`, in the file's order) out.
    """
    config = PipelineConfig.from_json(config_json)
    segmenter = Segmenter(config.abbreviations)
    out: dict[str, list[Any]] = {"index": [], "documents": []}
    for index, payload in zip(batch["index"], batch["file"], strict=True):
        item, reader = pickle.loads(payload)
        found: list[DocumentRef | DocumentFailure] = []
        for result in read_input(item, READERS[reader], config.reader):
            if isinstance(result, DocumentFailure):
                found.append(_unseen(result, item))
                continue
            found.append(
                DocumentRef(
                    result.doc_id,
                    (),
                    result.source,
                    result.output_path,
                    result.content_hash,
                    result.paragraph_break,
                    file=item,
                    reader=reader,
                    sentences=_sentences(result, segmenter),
                )
            )
        out["index"].append(int(index))
        out["documents"].append(pickle.dumps(found))
    return out


def _unseen(failure: DocumentFailure, item: InputFile) -> DocumentFailure:
    """``failure``, saying what to do when the file is missing on this worker's node."""
    if item.path is None or os.path.exists(item.path):
        return failure
    return dataclasses.replace(
        failure,
        reason=f"{failure.reason} (on the Ray node {ray.util.get_node_ip_address()}: "
        "with --ray-inputs shared every node must see the inputs at the same path; "
        "pass --ray-inputs ship to send them from the driver)",
    )


def _resolve(
    items: list[Document | DocumentFailure], options: ReadOptions
) -> list[Document | DocumentFailure]:
    """The window with each :class:`DocumentRef` read back into its document.

    A file is read once for the window's documents, and only up to the last one
    it needs. A document that is gone or whose content changed since the
    survey is its failure (run the command again).
    """
    refs: dict[tuple[Path | None, str], dict[str, DocumentRef]] = {}
    for item in items:
        if isinstance(item, DocumentRef):
            assert item.file is not None
            refs.setdefault((item.file.path, item.reader), {})[item.doc_id] = item
    found: dict[tuple[Path | None, str], dict[str, Document]] = {}
    for key, wanted in refs.items():
        got = found[key] = {}
        file = next(iter(wanted.values())).file
        assert file is not None
        with contextlib.closing(read_input(file, READERS[key[1]], options)) as results:
            for result in results:  # closed (the file too) after the last wanted document
                ref = wanted.get(result.doc_id)
                if ref is not None and isinstance(result, Document):
                    if result.content_hash == ref.content_hash:
                        got[ref.doc_id] = dataclasses.replace(result, output_path=ref.output_path)
                    if len(got) == len(wanted):
                        break
    resolved: list[Document | DocumentFailure] = []
    for item in items:
        if not isinstance(item, DocumentRef):
            resolved.append(item)
            continue
        assert item.file is not None
        document = found[(item.file.path, item.reader)].get(item.doc_id)
        resolved.append(
            document
            or DocumentFailure(
                item.doc_id,
                item.source,
                "changed or removed while the run was in progress; run the same command "
                "again to translate it",
            )
        )
    return resolved


class PairRows:
    """A Ray Data actor for :func:`translate_dataset`: ``id``/``text`` rows in, pair rows out.

    Args:
        config_json: The worker's :meth:`PipelineConfig.to_json`.
        id_column: The column of document ids.
        text_column: The column of texts (every non-empty line a paragraph).
    """

    def __init__(self, config_json: str, id_column: str, text_column: str) -> None:
        self.pipeline = build_pipeline(PipelineConfig.from_json(config_json))
        self.id_column = id_column
        self.text_column = text_column

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        """One row per aligned pair; a failed document is one row with ``error`` set."""
        documents = [
            read_text(str(text), str(doc_id))
            for doc_id, text in zip(batch[self.id_column], batch[self.text_column], strict=True)
        ]
        rows: dict[str, list[Any]] = {name: [] for name in PAIR_COLUMNS}
        for result in self.pipeline.translate_documents(documents):
            if isinstance(result, DocumentFailure):
                _add_row(rows, result.doc_id, -1, -1, "", "", result.reason, None, [])
                continue
            for pair in result.pairs:
                flags = [f"{flag.check}: {flag.reason}" for flag in pair.flags]
                _add_row(
                    rows,
                    pair.doc_id,
                    pair.paragraph,
                    pair.sentence,
                    pair.source,
                    pair.target,
                    "",
                    output_score(pair.score),
                    flags,
                )
        return rows


#: The columns of :func:`translate_dataset`'s rows.
PAIR_COLUMNS = (
    "doc_id",
    "paragraph",
    "sentence",
    "source",
    "target",
    "error",
    "score",
    "flags",
)


def _add_row(rows: dict[str, list[Any]], *values: Any) -> None:
    for name, value in zip(PAIR_COLUMNS, values, strict=True):
        rows[name].append(value)


def _map_options(
    config: PipelineConfig, workers: int | None, batches: int | None = None
) -> dict[str, Any]:
    """``map_batches`` arguments: the actor pool, its resources, retries on lost workers.

    The pool has ``workers`` actors (default: :func:`_pool_size`), no more than
    there are ``batches`` when that is known.
    """
    size = workers or _pool_size(config)
    if batches is not None:
        size = max(1, min(size, batches))
    return {
        # Ray Data restarts a lost actor (a node gone) and retries its batches
        # (max_restarts and max_task_retries default to -1 for an actor pool).
        "compute": ray.data.ActorPoolStrategy(min_size=size, max_size=size),
        **_actor_resources(config),
    }


def translate_dataset(
    ds: ray.data.Dataset,
    config: PipelineConfig,
    *,
    id_column: str = "id",
    text_column: str = "text",
    batch_size: int = DEFAULT_BATCH_DOCUMENTS,
    workers: int | None = None,
) -> ray.data.Dataset:
    """Translate a Ray Dataset of documents into a Dataset of aligned pairs.

    Each row of ``ds`` is a document: an id and its text (paragraphs separated
    by line breaks; every non-empty line is one). Each row out is a sentence pair:
    ``doc_id``, ``paragraph``, ``sentence``, ``source``, ``target``,
    ``error`` (empty; for a document the model failed on, one row with the
    reason and ``paragraph`` -1), ``score`` (the model's, 4 decimals, or
    null) and ``flags`` (the QA flags, ``"check: reason"`` each). Lazy, as Ray Data is: nothing runs until the
    dataset is consumed. Set ``DataContext.get_current().execution_options.
    preserve_order = True`` to keep the input's order.

    Args:
        ds: The documents.
        config: The pipeline; its translation memory is not used.
        id_column: The column of document ids.
        text_column: The column of texts.
        batch_size: Documents per actor call.
        workers: Actors at most (default: the cluster's cores, or GPUs for
            ``device="cuda"``).

    Example:
        >>> import ray.data  # doctest: +SKIP
        >>> from translate import PipelineConfig
        >>> from translate.ray import translate_dataset
        >>> articles = ray.data.read_parquet("s3://bucket/articles/")  # doctest: +SKIP
        >>> pairs = translate_dataset(articles, PipelineConfig(model="models/tiny-vi-en"))
        >>> pairs.write_parquet("s3://bucket/pairs/")  # doctest: +SKIP
    """
    worker = worker_config(config)
    return ds.map_batches(
        PairRows,
        fn_constructor_kwargs={
            "config_json": worker.to_json(),
            "id_column": id_column,
            "text_column": text_column,
        },
        batch_size=batch_size,
        batch_format="default",
        **_map_options(worker, workers),
    )


def _unwrap(exc: BaseException) -> BaseException:
    """The vi2en error a Ray task failed with, or ``exc`` itself."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, Vi2enError):
            return seen
        cause = getattr(seen, "cause", None)
        seen = cause if isinstance(cause, BaseException) else seen.__cause__
    return exc


@contextlib.contextmanager
def _vi2en_errors() -> Iterator[None]:
    """Raise the vi2en error that a Ray task failed with in place of Ray's wrapper."""
    try:
        yield
    except Exception as exc:
        cause = _unwrap(exc)
        if cause is not exc:
            raise cause from exc
        raise


def _quiet_data_context() -> None:
    """Ray Data as the driver needs it: input order kept, no bars (vi2en has its own)."""
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True
    context.enable_progress_bars = False
    logging.getLogger("ray.data").setLevel(logging.ERROR)


def _absolute(item: InputFile) -> InputFile:
    """``item`` with an absolute path: a worker's working folder is not the driver's."""
    assert item.path is not None
    return dataclasses.replace(item, path=item.path.absolute())


def _in_order(delivered: Iterator[tuple[int, list[Any]]], order: list[int]) -> Iterator[list[Any]]:
    """The delivered values by ``order`` of their indices; one delivered twice is kept once.

    Raises:
        BackendError: The cluster delivered no value for an index.
    """
    ready: dict[int, list[Any]] = {}
    for position, index in enumerate(order):
        while index not in ready:
            value = next(delivered, None)
            if value is None:
                raise BackendError(
                    f"the Ray cluster returned no result for item {position} of {len(order)}; "
                    "run the same command again"
                )
            if value[0] >= index:
                ready.setdefault(*value)
        yield ready.pop(index)


@dataclass
class RayPipeline:
    """The driver's side of a Ray run, with the interface of :class:`~translate.Pipeline`.

    Args:
        config: The pipeline's config (the one a local run would build).
        workers: Actors at most (default: the cluster's cores, or GPUs).
        actor: The actor class (tests give a subclass of :class:`DocumentTranslator`).
        owns_ray: Whether :meth:`close` shuts Ray down (it was started for this run).

    Attributes:
        worker: The config each actor builds its pipeline from (:func:`worker_config`).

    Raises:
        ModelLoadError: The model cannot be found on the driver.
        CacheError: The translation memory cannot be opened.
    """

    config: PipelineConfig
    workers: int | None = None
    actor: type[DocumentTranslator] = DocumentTranslator
    owns_ray: bool = False
    check_stop: Callable[[], None] | None = None
    stats: TranslationStats = field(default_factory=TranslationStats)
    _translator: Translator | None = field(default=None, init=False, repr=False)
    worker: PipelineConfig = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.config.check_versions()
        memory = None
        if self.config.memory is not None:
            memory = TranslationMemory(Path(self.config.memory))
        # Never loads a model: it names the memory's namespace and describes the model.
        self._translator = self.config.build_translator(memory)
        self.worker = worker_config(self.config)

    @property
    def translator(self) -> Translator:
        """The driver's translator: the memory and the model's description, no model loaded."""
        assert self._translator is not None
        return self._translator

    @property
    def checks(self) -> tuple[str, ...]:
        """The QA checks the workers run on every pair (the config's, as locally)."""
        return self.config.qa

    def raise_if_stopped(self) -> None:
        """Raise :class:`Interrupted` if a stop was requested (through :attr:`check_stop`)."""
        if self.check_stop is not None:
            self.check_stop()

    def close(self) -> None:
        """Shut Ray down if this run started or connected to it (:attr:`owns_ray`)."""
        self.shutdown_if(self.owns_ray)

    @staticmethod
    def shutdown_if(owns_ray: bool) -> None:
        """Shut Ray down when ``owns_ray`` (a connection made by :func:`connect` for this run)."""
        if owns_ray and ray.is_initialized():
            ray.shutdown()

    def settings(self) -> dict[str, Any]:
        """As a local run's (:meth:`PipelineConfig.settings`): either resumes the other."""
        return self.config.settings()

    def describe(self) -> dict[str, Any]:
        """The model, and the backend as the workers run it, for the manifest."""
        model = self.translator.resolved_model
        used = self.translator.configuration()
        return {
            "name": self.config.model_name,
            "revision": model.revision if model else None,
            "fingerprint": model.fingerprint if model else None,
            "backend": f"ray ({used['backend']}, {used['device']}, {used['compute_type']})",
        }

    def translate_documents(
        self,
        documents: Iterable[Document | DocumentFailure],
        *,
        progress: ProgressCallback | None = None,
        window_started: Callable[[int, int], None] | None = None,
    ) -> Iterator[DocumentResult]:
        """Translate the documents on the cluster, yielding results in input order.

        The documents are grouped into the windows of a local run
        (:func:`windows`), one actor call each; failures from reading pass
        through in their place. A window the cluster delivers twice (a
        retried task) is kept once. ``window_started`` is not called: several
        windows are in flight at once, and the bar counts documents as they
        come back.
        """
        rows = [
            {"index": index, "window": pickle.dumps(window)}
            for index, window in enumerate(windows(documents, self.config))
        ]
        results = self._results(rows) if rows else iter(())
        for window in _in_order(results, list(range(len(rows)))):
            for result in window:
                self._remember(result)
                if progress is not None and isinstance(result, TranslatedDocument):
                    progress(len(result.pairs))
                yield result

    def survey(
        self,
        inputs: Sequence[str],
        *,
        stdin: IO[Any] | None = None,
        exclude: Iterable[str | os.PathLike[str]] = (),
    ) -> Iterator[Document | DocumentFailure]:
        """The documents of ``inputs``, as :func:`~translate.readers.read_documents` gives them,
        read on the cluster (``--ray-inputs shared``).

        The driver lists the inputs (it walks the folders) and reads none of the
        files: Ray tasks read them and send back each document's
        :class:`DocumentRef` (id, output path, content hash, sentence count; no
        text), in input order, and the actors read each file again to
        translate it. Ids and output paths are checked here, in order, as
        locally. Every node must see the inputs at the driver's absolute
        paths. Stdin (``-``) is read here, and shipped.
        """
        options = self.config.reader
        names = DocumentNames()
        listed = list(list_inputs(inputs, options, stdin=stdin, exclude=exclude))
        rows: list[dict[str, Any]] = []
        files: list[int] = []  # the indices in `listed` of the files the tasks read
        for index, entry in enumerate(listed):
            if isinstance(entry, tuple) and entry[0].path is not None:
                files.append(index)
                file = pickle.dumps((_absolute(entry[0]), entry[1].name))
                rows.append({"index": index, "file": file})
        surveyed = _in_order(self._surveyed(rows), files)
        for entry in listed:
            if isinstance(entry, DocumentFailure):
                yield names.admit(entry)
                continue
            item, reader = entry
            documents = read_input(item, reader, options) if item.path is None else next(surveyed)
            for result in documents:
                yield names.admit(result)

    def _surveyed(self, rows: list[dict[str, Any]]) -> Iterator[tuple[int, list[Any]]]:
        """``(index, documents)`` of every listed file, as the tasks deliver them."""
        if not rows:
            return
        _quiet_data_context()
        ds = ray.data.from_items(rows)
        surveyed = ds.map_batches(
            functools.partial(_survey_rows, config_json=self.worker.to_json()),
            batch_size=SURVEY_BATCH_FILES,
            batch_format="default",
            num_cpus=1,
        )
        with _vi2en_errors():
            for row in surveyed.iter_rows():
                self.raise_if_stopped()
                yield int(row["index"]), pickle.loads(row["documents"])

    def _results(self, rows: list[dict[str, Any]]) -> Iterator[tuple[int, list[DocumentResult]]]:
        """``(index, results)`` of every window, as the actors deliver them."""
        _quiet_data_context()
        worker = self.worker
        ds = ray.data.from_items(rows, override_num_blocks=len(rows))
        translated = ds.map_batches(
            self.actor,
            fn_constructor_kwargs={"config_json": worker.to_json()},
            batch_size=1,
            batch_format="default",
            **_map_options(worker, self.workers, len(rows)),
        )
        with _vi2en_errors():
            for row in translated.iter_rows():
                self.raise_if_stopped()
                self._add_stats(pickle.loads(row["stats"]))
                yield int(row["index"]), pickle.loads(row["results"])

    def _add_stats(self, worker: TranslationStats) -> None:
        for name in _WORKER_COUNTS:
            setattr(self.stats, name, getattr(self.stats, name) + getattr(worker, name))
        for kind, summary in worker.warnings.items():
            mine = self.stats.warnings.setdefault(kind, WarningSummary(summary.message))
            mine.count += summary.count
            mine.documents.extend(d for d in summary.documents if d not in mine.documents)
            del mine.documents[5:]

    def _remember(self, result: DocumentResult) -> None:
        """Count the document's sentences and store its new translations in the memory."""
        if not isinstance(result, TranslatedDocument):
            return
        self.stats.sentences += len(result.pairs)
        memory = self.translator.memory
        if memory is not None:
            fresh = {
                clean_paragraph(pair.source): pair.target
                for pair in result.pairs
                if pair.origin == "mt"
            }
            if fresh:
                memory.store(self.translator.namespace(), fresh.items())
