"""A batch job over many documents that survives interruption.

Every finished document is saved at once as a *part* under ``OUTDIR/.vi2en/``
(written to a temporary file and renamed, so a part is complete or absent).
The corpus files are assembled from the parts, in input order, only when every
document is done, and published as a set: ``manifest.json`` is removed, a
journal (``.vi2en/publish.json``) lists the renames and the new manifest, the
files are renamed, outputs not in the set are removed, and the manifest is
written last. The next run completes an interrupted publication first. A set
is complete if and only if ``manifest.json`` exists and every file it lists
has the listed size and SHA-256. Re-running the same command after a crash
skips the documents already done and writes exactly the bytes an
uninterrupted run would have. A changed input document (content hash) or a
damaged part is translated again; changed settings are refused, never mixed.
A run holds an OS lock on the output directory (:class:`OutputDirLock`) and
refuses inputs that are its own outputs (:func:`check_inputs_are_not_outputs`).

The parts hold each pair's QA flags (the pipeline checks as it translates);
the publication counts them for the manifest (:class:`QaSummary`) and, with
``qa_drop``, sends the pairs of those checks to ``rejected.*`` instead of the
corpus files. A part saved before QA is checked as it is published.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import socket
import time
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from translate._dist import installation
from translate.errors import (
    ConfigMismatchError,
    InputOverwriteError,
    OutputDirLockedError,
    OutputError,
)
from translate.fileio import AtomicFile, atomic_write, check_writable_dir, file_digest, output_error
from translate.layout import (  # the names stay importable from translate.job
    CORPUS_STEM,
    CORPUS_SUFFIXES,
    DOCUMENT_DIRS,
    ERRORS_FILE,
    JOURNAL_FILE,
    LOCK_FILE,
    LOCK_HOLDER_FILE,
    MANIFEST_FILE,
    REJECTED_STEM,
    STATE_DIR,
    TXT_DIR,
    written_corpus_names,
)
from translate.pipeline import Pipeline, qa_flags
from translate.qa import CHECKS
from translate.records import (
    FLAGS,
    Document,
    DocumentFailure,
    DocumentInfo,
    Pair,
    TranslatedDocument,
    Translation,
)
from translate.writers import LinksWriter, RunInfo, TxtWriter, Writer, open_writers, write_manifest

#: Set to a step number, a run exits (status 137) just before that step of a publication.
CRASH_AT_ENV = "VI2EN_TEST_CRASH_AT"


class Progress(Protocol):
    """Where a job reports its progress (the CLI's progress bar)."""

    def document_done(self) -> None:
        """One document finished (translated, resumed or failed)."""

    def sentences_done(self, count: int) -> None:
        """``count`` more sentences translated."""

    def window_started(self, documents: int, sentences: int) -> None:
        """A window of ``documents`` holding ``sentences`` is being translated."""


class Selection(Protocol):
    """Which segments each format's files hold, and what the manifest counts of them.

    Without one, every format holds every segment. ``vi2en align`` passes
    :class:`~translate.parallel.CorpusSelection` (low scores and unaligned
    sentences stay out of the corpus files).
    """

    def reset(self) -> None:
        """Forget the counts (a publication starts)."""

    def keeps(self, format_name: str, segment: Pair) -> bool:
        """Whether the files of ``format_name`` hold ``segment``."""
        ...

    def count(self, segments: Iterable[Pair]) -> None:
        """Count one document's segments (each document once per publication)."""

    def counts(self) -> dict[str, Any]:
        """What goes into the manifest's ``counts`` (it may replace ``pairs``)."""
        ...


#: How many documents the manifest lists as the worst (by share of flagged pairs).
WORST_DOCUMENTS = 10


@dataclass
class QaSummary:
    """The QA counts of a corpus, for the manifest: per check, per document.

    Attributes:
        checks: The checks that ran, in :data:`translate.qa.CHECKS` order.
        drop: The checks whose flagged pairs went to ``rejected.*``.
        pairs: Pairs seen.
        flagged_pairs: Pairs with at least one flag.
        dropped_pairs: Pairs kept out of the corpus (flagged by a ``drop`` check).
        flags: Flags per check (a pair may count under several checks, and
            twice under one with two reasons).
        documents: ``(doc_id, flagged pairs, pairs)`` of each document with a flag.
    """

    checks: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    pairs: int = 0
    flagged_pairs: int = 0
    dropped_pairs: int = 0
    flags: Counter[str] = field(default_factory=Counter)
    documents: list[tuple[str, int, int]] = field(default_factory=list)

    def is_dropped(self, pair: Pair) -> bool:
        """Whether ``pair`` goes to ``rejected.*``: a flag of a :attr:`drop` check."""
        return any(flag.check in self.drop for flag in pair.flags)

    def add_document(self, doc_id: str, pairs: Iterable[Pair]) -> None:
        """Count one document's pairs (streamed)."""
        flagged = count = 0
        for pair in pairs:
            count += 1
            if pair.flags:
                flagged += 1
                self.flags.update(flag.check for flag in pair.flags)
            self.dropped_pairs += self.is_dropped(pair)
        self.pairs += count
        self.flagged_pairs += flagged
        if flagged:
            self.documents.append((doc_id, flagged, count))

    def as_dict(self) -> dict[str, Any]:
        """The manifest's ``qa`` object.

        ``flags`` names every check that ran (0 when it found nothing);
        ``worst_documents`` are the :data:`WORST_DOCUMENTS` documents with the
        largest share of flagged pairs (ties: more flagged pairs, then corpus order).
        """
        ranked = sorted(
            enumerate(self.documents),
            key=lambda item: (-item[1][1] / item[1][2], -item[1][1], item[0]),
        )
        return {
            "checks": list(self.checks),
            "drop": list(self.drop),
            "pairs": self.pairs,
            "flagged_pairs": self.flagged_pairs,
            "dropped_pairs": self.dropped_pairs,
            "flags": {
                name: self.flags[name]
                for name in [*self.checks, *sorted(set(self.flags) - set(self.checks))]
            },
            "worst_documents": [
                {"doc_id": doc_id, "flagged": flagged, "pairs": pairs}
                for _, (doc_id, flagged, pairs) in ranked[:WORST_DOCUMENTS]
            ],
        }


@dataclass
class JobSummary:
    """What a job did.

    Attributes:
        documents: Documents read (good and bad).
        translated: Documents translated in this run.
        resumed: Documents finished by an earlier run and not translated again.
        failures: Documents that could not be read or translated.
        counts: The manifest's counts (documents, failed, pairs and the selection's).
        pairs: Sentence pairs (segments) translated or aligned (those ``--qa-drop`` kept out of
            the corpus included).
        qa: The QA counts (flags per check, pairs dropped).
        outputs: Files written.
        removed: Documents of an earlier run in the output directory that
            are not in this run, and whose outputs were removed.
        seconds: Wall time of the run.
    """

    documents: int = 0
    translated: int = 0
    resumed: int = 0
    failures: list[DocumentFailure] = field(default_factory=list)
    pairs: int = 0
    counts: dict[str, Any] = field(default_factory=dict)
    qa: QaSummary = field(default_factory=QaSummary)
    outputs: list[Path] = field(default_factory=list)
    removed: int = 0
    seconds: float = 0.0


def _part_name(doc_id: str) -> str:
    return hashlib.sha256(doc_id.encode("utf-8")).hexdigest()[:32] + ".jsonl"


def _document_header(document: Document) -> dict[str, Any]:
    # The part holds the document's pairs, not its text: the paragraphs are counted.
    return {
        "doc_id": document.doc_id,
        "source": document.source,
        "output_path": document.output_path,
        "content_hash": document.content_hash,
        "paragraph_break": document.paragraph_break,
        "paragraphs": len(document.paragraphs),
    }


# A line of a part written before segments carried origin, flags and score
# (0.2): the 1:1 pair's fields after doc_id, as a list.
_LIST_PART_FIELDS = ("paragraph", "sentence", "source", "target", "start", "end")


def _recheck(segment: Pair, checks: Collection[str]) -> Pair:
    """A segment of a part saved before QA (its flags are the translator's): checked now.

    Its flags are the translator's flag names (``hit_max_length``, ``loop``...),
    the signals of :func:`~translate.pipeline.qa_flags`.
    """
    signals = tuple(flag.check for flag in segment.flags if flag.check in FLAGS)
    translation = Translation(segment.target, segment.origin, signals, segment.score)
    return dataclasses.replace(segment, flags=qa_flags(segment.source, translation, checks=checks))


def _part_segment(doc_id: str, line: str) -> Pair:
    """One segment line of ``doc_id``'s part; ValueError or TypeError when it is damaged.

    A line is the segment's :meth:`~translate.records.AlignedSegment.to_dict`;
    a line of 0.2 (a list) is read as a 1:1 machine translation.
    """
    data = json.loads(line)
    if isinstance(data, list):
        if len(data) != len(_LIST_PART_FIELDS):
            raise ValueError("malformed part line")
        data = {"doc_id": doc_id, **dict(zip(_LIST_PART_FIELDS, data, strict=True))}
    if not isinstance(data, dict):
        raise TypeError("malformed part line")
    segment = Pair.from_dict(data)
    if segment.doc_id != doc_id:
        raise ValueError("part line of another document")
    return segment


@dataclass(frozen=True, slots=True)
class _PartInfo:
    """A part's header: the document's description and its number of pairs."""

    document: DocumentInfo
    content_hash: str
    pairs: int


def _part_info(header: dict[str, Any]) -> _PartInfo:
    """The header line of a part; ValueError or TypeError when it is malformed (or older)."""
    fields = (header["doc_id"], header["output_path"], header["paragraph_break"])
    counts = (header["paragraphs"], header["pairs"])
    # A part of an older format (paragraphs as a list of texts) is damaged: translated again.
    if not all(isinstance(f, str) for f in (*fields, header["content_hash"])):
        raise TypeError("malformed part header")
    if not all(isinstance(c, int) and not isinstance(c, bool) for c in counts):
        raise TypeError("malformed part header")
    return _PartInfo(DocumentInfo(*fields, counts[0]), header["content_hash"], counts[1])


class Job:
    """Translate documents into an output directory, resumably.

    Args:
        pipeline: The pipeline that translates.
        outdir: The output directory.
        formats: Output formats (see :data:`translate.writers.WRITERS`).
        settings: Settings to record and compare on resume beside the pipeline's
            own (:meth:`Pipeline.settings`); they win on a clash.
        restart: Discard an earlier run's state and outputs instead of resuming it.
        stem: Name of the corpus files.
        input_paths: The input files; no output of the run may be one of them.
        selection: Which segments each format holds (default: all of them).
        qa_drop: QA checks whose flagged pairs go to ``rejected.*`` (the
            corpus formats' files, stem ``rejected``) instead of the corpus;
            the translated articles stay complete.
    """

    def __init__(
        self,
        pipeline: Pipeline,
        outdir: Path,
        formats: list[str],
        *,
        settings: Mapping[str, Any] | None = None,
        restart: bool = False,
        stem: str = CORPUS_STEM,
        input_paths: Sequence[Path] = (),
        selection: Selection | None = None,
        qa_drop: Collection[str] = (),
    ) -> None:
        self.pipeline = pipeline
        self.outdir = outdir
        self.formats = formats
        self.extra_settings = dict(settings or {})
        self.restart = restart
        self.stem = stem
        self.input_paths = list(input_paths)
        self.selection = selection
        self.qa_drop = tuple(name for name in CHECKS if name in qa_drop)
        self.state = outdir / STATE_DIR
        self.parts = self.state / "parts"

    def settings(self) -> dict[str, Any]:
        """The settings a resumed run must share with the run it continues."""
        return {**self.pipeline.settings(), **self.extra_settings}

    def _prepare_state(self) -> None:
        complete_publication(self.outdir)
        remove_temporaries(self.outdir)
        settings_file = self.state / "settings.json"
        current = self.settings()
        if self.restart:
            _remove_state(self.state)
            remove_outputs(self.outdir, set(), self.stem)
            (self.outdir / MANIFEST_FILE).unlink(missing_ok=True)
            (self.outdir / ERRORS_FILE).unlink(missing_ok=True)
        if settings_file.is_file():
            try:
                previous = json.loads(settings_file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                previous = None
            if not isinstance(previous, dict):
                raise ConfigMismatchError(
                    f"{settings_file} is damaged; pass --restart to start again"
                )
            # vi2en 0.2.0 wrote the first layout without naming its version.
            if "config_version" in current:
                previous.setdefault("config_version", 1)
            # A run of before QA ran with the default: every check.
            if "qa" in current:
                previous.setdefault("qa", list(CHECKS))
            # A run of before qa_version (its checks unreleased) resumes as one of this version.
            if "qa_version" in current:
                previous.setdefault("qa_version", current["qa_version"])
            changed = sorted(
                k for k in current.keys() | previous.keys() if current.get(k) != previous.get(k)
            )
            if changed:
                raise ConfigMismatchError(
                    f"{self.outdir} holds a run made with other settings ({', '.join(changed)}); "
                    "pass --restart to discard it, or choose another --output directory"
                )
        self.parts.mkdir(parents=True, exist_ok=True)
        with atomic_write(settings_file) as out:
            out.write(json.dumps(current, indent=2, sort_keys=True) + "\n")

    def _is_done(self, document: Document) -> bool:
        info = self._read_part(document.doc_id)
        return bool(
            info is not None
            and info.content_hash == document.content_hash
            and info.document.doc_id == document.doc_id
        )

    def _read_part(self, doc_id: str) -> _PartInfo | None:
        """The header of ``doc_id``'s saved part, or None when there is none or it is damaged.

        Every line is checked, one at a time: the pairs are never all in memory.
        """
        path = self.parts / _part_name(doc_id)
        try:
            with path.open(encoding="utf-8") as handle:
                info = _part_info(json.loads(handle.readline()))
                count = 0
                for line in handle:
                    _part_segment(doc_id, line)
                    count += 1
            # A part cut short at a line end still parses: its pair count tells.
            if info.pairs != count:
                return None
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None
        return info

    def _part_pairs(self, doc_id: str) -> Iterator[Pair]:
        """The segments of a part checked by :meth:`_read_part`, read one line at a time."""
        path = self.parts / _part_name(doc_id)
        checks = self.pipeline.checks
        try:
            with path.open(encoding="utf-8") as handle:
                # A part saved before QA has no "qa" in its header: its pairs are checked now.
                checked = "qa" in json.loads(handle.readline())
                for line in handle:
                    segment = _part_segment(doc_id, line)
                    yield segment if checked else _recheck(segment, checks)
        except (OSError, ValueError, TypeError) as exc:
            raise self._damaged(doc_id) from exc

    def _save_part(self, result: TranslatedDocument) -> None:
        with atomic_write(self.parts / _part_name(result.document.doc_id)) as out:
            header = {
                **_document_header(result.document),
                "pairs": len(result.pairs),
                "qa": list(self.pipeline.checks),
            }
            out.write(json.dumps(header, ensure_ascii=False) + "\n")
            for segment in result.pairs:
                out.write(json.dumps(segment.to_dict(), ensure_ascii=False) + "\n")

    def _damaged(self, doc_id: str) -> OutputError:
        path = self.parts / _part_name(doc_id)
        return OutputError(f"{path} is damaged; run the same command again to translate it again")

    def _load_part(self, doc_id: str) -> _PartInfo:
        part = self._read_part(doc_id)
        if part is None:
            raise self._damaged(doc_id)
        return part

    def run(
        self, documents: Iterable[Document | DocumentFailure], progress: Progress | None = None
    ) -> JobSummary:
        """Translate ``documents`` and write the outputs.

        Returns:
            What was done; ``failures`` lists the documents recorded in ``errors.jsonl``.

        Raises:
            ConfigMismatchError: The output directory holds a run with other settings.
            OutputError: An output cannot be written (the message names it).
            Interrupted: A stop was requested; finished documents are saved.
        """
        started = time.time()
        check_inputs_are_not_outputs(self.input_paths, self.outdir, self.stem)
        check_writable_dir(self.outdir)
        with OutputDirLock(self.outdir):
            self._prepare_state()
            summary = self._run(documents, progress)
        summary.seconds = time.time() - started
        return summary

    def _run(
        self, documents: Iterable[Document | DocumentFailure], progress: Progress | None
    ) -> JobSummary:
        started = time.time()
        summary = JobSummary()
        order: list[str] = []
        failed: set[str] = set()

        def pending() -> Iterator[Document | DocumentFailure]:
            for item in documents:
                summary.documents += 1
                self.pipeline.raise_if_stopped()
                if isinstance(item, DocumentFailure):
                    # Read failures stay out of the pipeline: every failure it
                    # yields is then a document of `order` that failed to translate.
                    summary.failures.append(item)
                elif self._is_done(item):
                    order.append(item.doc_id)
                    summary.resumed += 1
                else:
                    order.append(item.doc_id)
                    yield item
                    continue
                if progress:
                    progress.document_done()

        sentences = progress.sentences_done if progress else None
        window = progress.window_started if progress else None
        for result in self.pipeline.translate_documents(
            pending(), progress=sentences, window_started=window
        ):
            if isinstance(result, DocumentFailure):
                summary.failures.append(result)
                failed.add(result.doc_id)
            else:
                self._save_part(result)
                summary.translated += 1
            del result  # a saved document is not kept through the next one and the publication
            if progress:
                progress.document_done()

        done = [d for d in order if d not in failed]
        self._publish(done, summary, started)
        keep = {_part_name(d) for d in done}
        seen = {_part_name(d) for d in order}
        for part in self.parts.glob("*.jsonl"):
            if part.name not in keep:
                part.unlink(missing_ok=True)
                summary.removed += part.name not in seen
        return summary

    def _publish(self, order: list[str], summary: JobSummary, started: float) -> None:
        """Write every output to temporaries, then publish them as a set (see README)."""
        # The old set stops looking complete before the first file of the new one appears.
        (self.outdir / MANIFEST_FILE).unlink(missing_ok=True)
        model = self.pipeline.describe()
        run = RunInfo(
            tool_version=installation().version,
            model=model["name"] or "none",
            model_revision=model["revision"],
        )
        qa = summary.qa = QaSummary(self.pipeline.checks, self.qa_drop)
        writers = open_writers(self.formats, self.outdir, run, stem=self.stem)
        rejected: list[Writer] = []
        files: list[AtomicFile] = []
        if self.selection is not None:
            self.selection.reset()
        try:
            if self.qa_drop:
                corpus_formats = [f for f in self.formats if f in CORPUS_SUFFIXES]
                rejected = open_writers(corpus_formats, self.outdir, run, stem=REJECTED_STEM)
            for doc_id in order:
                # Each writer reads the part again, line by line: a document's
                # pairs are never all in memory at once.
                part = self._load_part(doc_id)
                summary.pairs += part.pairs
                if self.selection is not None:
                    self.selection.count(self._part_pairs(doc_id))
                qa.add_document(doc_id, self._part_pairs(doc_id))
                for writer in writers:
                    pairs = self._selected(writer.name, doc_id)
                    if self.qa_drop and writer.name in CORPUS_SUFFIXES:
                        pairs = (p for p in pairs if not qa.is_dropped(p))
                    writer.add_pairs(part.document, pairs)
                for writer in rejected:
                    writer.add_pairs(
                        part.document, (p for p in self._part_pairs(doc_id) if qa.is_dropped(p))
                    )
            writers += rejected
            for writer in writers:
                writer.finish()
                files.extend(writer.files)
            errors = AtomicFile(self.outdir / ERRORS_FILE)
            files.append(errors)
            for failure in summary.failures:
                errors.write(
                    json.dumps(
                        {
                            "doc_id": failure.doc_id,
                            "source": failure.source,
                            "reason": failure.reason,
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
            errors.finish()
        except BaseException:
            for writer in [*writers, *rejected]:
                writer.discard()
            for file in files:
                file.discard()
            raise
        articles = [
            f for w in writers if isinstance(w, TxtWriter | LinksWriter) for f in w.published
        ]
        summary.outputs = [f.path for f in files] + [f.path for f in articles]
        summary.seconds = time.time() - started
        manifest = self._manifest(summary)
        manifest["files"] = sorted(
            (
                {"path": self._relative(f.path), "size": f.size, "sha256": f.sha256}
                for f in [*files, *articles]
            ),
            key=lambda entry: str(entry["path"]),
        )
        journal = {
            "stem": self.stem,
            "renames": [[self._relative(f.temp_path), self._relative(f.path)] for f in files],
            "manifest": manifest,
        }
        with atomic_write(self.state / JOURNAL_FILE) as out:
            out.write(json.dumps(journal, ensure_ascii=False) + "\n")
        complete_publication(self.outdir)

    def _selected(self, format_name: str, doc_id: str) -> Iterator[Pair]:
        """The segments of ``doc_id``'s part that the files of ``format_name`` hold."""
        segments = self._part_pairs(doc_id)
        if self.selection is None:
            return segments
        selection = self.selection
        return (s for s in segments if selection.keeps(format_name, s))

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.outdir).as_posix()

    def _manifest(self, summary: JobSummary) -> dict[str, Any]:
        model = self.pipeline.describe()
        summary.counts = {
            "documents": summary.documents,
            "failed": len(summary.failures),
            "pairs": summary.pairs,
            **(self.selection.counts() if self.selection is not None else {}),
        }
        txt = self.outdir / TXT_DIR
        return {
            "vi2en": installation().version,
            "model": {key: model[key] for key in ("name", "revision", "fingerprint")},
            "settings": self.settings(),
            "formats": self.formats,
            "packages": package_versions(),
            "backend": model["backend"],
            "counts": summary.counts,
            "qa": summary.qa.as_dict(),
            "run": {
                "translated_documents": summary.translated,
                "resumed_documents": summary.resumed,
                "seconds": round(summary.seconds, 3),
                "translator": self.pipeline.stats.as_dict(),
            },
            "outputs": sorted(
                p.relative_to(self.outdir).as_posix()
                for p in summary.outputs
                if p.is_relative_to(self.outdir) and p.parent == self.outdir
            ),
            "translated_articles": sum(1 for p in summary.outputs if p.is_relative_to(txt)),
        }


def _crash_point(step: int) -> None:
    # Tests kill a run at every step of a publication through this hook.
    if os.environ.get(CRASH_AT_ENV) == str(step):
        os._exit(137)


def complete_publication(outdir: Path) -> None:
    """Finish the publication that ``OUTDIR/.vi2en/publish.json`` describes, if there is one.

    The journal lists every rename and the manifest; renames already done are
    skipped, so this can run any number of times. Outputs not in the
    manifest (other formats, articles of documents not in the run) are
    removed before the manifest is written, last.
    """
    journal_path = outdir / STATE_DIR / JOURNAL_FILE
    try:
        journal = json.loads(journal_path.read_text(encoding="utf-8"))
        renames = [(outdir / temp, outdir / final) for temp, final in journal["renames"]]
        manifest = journal["manifest"]
        listed = {entry["path"]: entry for entry in manifest["files"]}
        stem = str(journal["stem"])
    except FileNotFoundError:
        return
    except (OSError, ValueError, TypeError, KeyError):
        # A journal is written atomically: a damaged one was never acted on.
        journal_path.unlink(missing_ok=True)
        return
    step = 0
    try:
        for temp, final in renames:
            _crash_point(step)
            step += 1
            if temp.exists():
                os.replace(temp, final)
        _crash_point(step)
        remove_outputs(outdir, set(listed), stem)
        complete = True
        for name, entry in listed.items():
            try:
                digest = file_digest(outdir / name)
            except OSError:
                digest = ("", -1)
            complete = complete and digest == (entry["sha256"], entry["size"])
        if complete:
            _crash_point(step + 1)
            write_manifest(outdir / MANIFEST_FILE, manifest)
    except OSError as exc:
        raise output_error(outdir, exc) from exc
    journal_path.unlink(missing_ok=True)


def remove_outputs(outdir: Path, keep: set[str], stem: str) -> None:
    """Remove the outputs vi2en writes that are not in ``keep`` (paths relative to OUTDIR).

    Only names vi2en writes are touched: the corpus files of every format,
    ``*.txt`` under ``txt/`` and ``*.links`` under ``links/`` (then the folders
    left empty); anything else a user put in OUTDIR stays.
    """
    for name in written_corpus_names(stem):
        if name not in keep:
            (outdir / name).unlink(missing_ok=True)
    for folder_name, suffix in DOCUMENT_DIRS.items():
        folder = outdir / folder_name
        if not folder.is_dir():
            continue
        for path in folder.rglob(f"*{suffix}"):
            if path.is_file() and path.relative_to(outdir).as_posix() not in keep:
                path.unlink()
        for below in sorted((p for p in folder.rglob("*") if p.is_dir()), reverse=True):
            if not any(below.iterdir()):
                below.rmdir()
        if not any(folder.iterdir()):
            folder.rmdir()


def _remove_state(state: Path) -> None:
    """Remove an earlier run's state, keeping the lock (held by this run)."""
    if not state.is_dir():
        return
    for entry in state.iterdir():
        if entry.name in (LOCK_FILE, LOCK_HOLDER_FILE):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def remove_temporaries(outdir: Path) -> None:
    """Remove temporary files (``.NAME.tmp-PID``) left by a killed run.

    Called with the output directory's lock held: no other run can be writing
    in it, so every temporary is stale, whatever PID (of whatever PID
    namespace) its name carries.
    """
    for path in outdir.rglob(".*.tmp-*"):
        if path.is_file():
            path.unlink(missing_ok=True)


class OutputDirLock:
    """An exclusive OS file lock on an output directory, held for a whole run.

    The lock (``OUTDIR/.vi2en/lock``) dies with its process, so a run killed
    with ``kill -9`` never blocks the next one. Who holds it is written to
    ``OUTDIR/.vi2en/lock-holder.json`` for the refusal message.

    Raises:
        OutputDirLockedError: Another run holds the lock (on entering).
    """

    def __init__(self, outdir: Path) -> None:
        from filelock import FileLock

        self.outdir = outdir
        self.state = outdir / STATE_DIR
        self._lock = FileLock(self.state / LOCK_FILE, timeout=0)

    def __enter__(self) -> OutputDirLock:
        from filelock import Timeout

        try:
            self.state.mkdir(parents=True, exist_ok=True)
            self._lock.acquire()
        except Timeout:
            raise OutputDirLockedError(
                f"{self.outdir} is in use by another vi2en run ({self._holder()}); wait for it "
                "to finish or choose another --output directory"
            ) from None
        except OSError as exc:
            raise output_error(self.state / LOCK_FILE, exc) from exc
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        try:
            with atomic_write(self.state / LOCK_HOLDER_FILE) as out:
                out.write(json.dumps(holder) + "\n")
        except BaseException:
            self._lock.release()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        (self.state / LOCK_HOLDER_FILE).unlink(missing_ok=True)
        self._lock.release()

    def _holder(self) -> str:
        try:
            holder = json.loads((self.state / LOCK_HOLDER_FILE).read_text(encoding="utf-8"))
            return f"PID {holder['pid']} on host {holder['host']}, since {holder['since']}"
        except (OSError, ValueError, TypeError, KeyError):
            return "holder unknown"


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)


def check_inputs_are_not_outputs(inputs: Sequence[Path], outdir: Path, stem: str) -> None:
    """Refuse a run that would replace or delete one of its own input files.

    Nothing is written before this check. An input is refused when it is
    (same resolved path, or same file through another link) any file vi2en
    writes or removes in ``outdir``: a corpus file of any format, the
    manifest, ``errors.jsonl``, anything under ``txt/``, ``links/`` or ``.vi2en/``.

    Raises:
        InputOverwriteError: The message names the input and the output.
    """
    if not inputs:
        return
    root = outdir.resolve()
    protected_names = [*written_corpus_names(stem), MANIFEST_FILE, ERRORS_FILE]
    protected: dict[tuple[int, int], Path] = {}
    for name in protected_names:
        if (identity := _identity(root / name)) is not None:
            protected[identity] = outdir / name
    for folder in (*DOCUMENT_DIRS, STATE_DIR):
        if (root / folder).is_dir():
            for path in (root / folder).rglob("*"):
                if (identity := _identity(path)) is not None and path.is_file():
                    protected[identity] = outdir / path.relative_to(root)
    for path in inputs:
        resolved = path.resolve()
        output: Path | None = None
        if resolved.parent == root and resolved.name in protected_names:
            output = outdir / resolved.name
        elif any(resolved.is_relative_to(root / folder) for folder in (*DOCUMENT_DIRS, STATE_DIR)):
            output = outdir / resolved.relative_to(root)
        elif (identity := _identity(path)) is not None and identity in protected:
            output = protected[identity]
        if output is not None:
            raise InputOverwriteError(
                f"input {path} is an output of this run ({output}); choose another --output "
                "directory"
            )


def package_versions() -> dict[str, str | None]:
    """Installed versions of the packages that shape the output (none is imported)."""
    from importlib.metadata import PackageNotFoundError, version

    versions: dict[str, str | None] = {}
    for name in ("vi2en", "transformers", "torch", "ctranslate2", "sentencepiece", "sacremoses"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return versions


# --- reading a finished run's parts (vi2en review) -------------------------------------


def _check_part(path: Path) -> _PartInfo | None:
    """The header of the part at ``path``, or None when it is damaged (every line checked)."""
    try:
        with path.open(encoding="utf-8") as handle:
            info = _part_info(json.loads(handle.readline()))
            count = 0
            for line in handle:
                _part_segment(info.document.doc_id, line)
                count += 1
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    # A part cut short at a line end still parses: its pair count tells.
    return info if info.pairs == count else None


def saved_documents(outdir: Path) -> list[tuple[DocumentInfo, int]]:
    """The documents whose parts ``OUTDIR/.vi2en/parts`` holds whole, with their pair counts.

    Damaged parts, and parts under another document's name, are left out. The
    parts do not record the corpus order: the list is in ``doc_id`` order.
    """
    found = []
    for path in (outdir / STATE_DIR / "parts").glob("*.jsonl"):
        info = _check_part(path)
        if info is not None and path.name == _part_name(info.document.doc_id):
            found.append((info.document, info.pairs))
    return sorted(found, key=lambda item: item[0].doc_id)


def saved_segments(outdir: Path, doc_id: str) -> Iterator[Pair]:
    """The segments of ``doc_id``'s part in ``OUTDIR/.vi2en/parts``, read one line at a time.

    Raises:
        OutputError: The part is missing or damaged.
    """
    path = outdir / STATE_DIR / "parts" / _part_name(doc_id)
    try:
        with path.open(encoding="utf-8") as handle:
            handle.readline()
            for line in handle:
                yield _part_segment(doc_id, line)
    except (OSError, ValueError, TypeError) as exc:
        raise OutputError(
            f"{path} is damaged; run `vi2en translate` with the same arguments again"
        ) from exc
