"""A batch job over many documents that survives interruption.

Every finished document is saved at once as a *part* under ``OUTDIR/.vi2en/``
(written to a temporary file and renamed, so a part is complete or absent).
The corpus files are assembled from the parts, in input order, only when every
document is done, and published by atomic renames. Re-running the same command
after a crash therefore skips the documents already done and writes exactly
the bytes an uninterrupted run would have. A changed input document (content
hash) is translated again; changed settings are refused, never mixed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from translate import __version__
from translate.errors import ConfigMismatchError
from translate.fileio import atomic_write, check_writable_dir, output_error
from translate.pipeline import Pipeline
from translate.records import Document, DocumentFailure, Pair, TranslatedDocument
from translate.writers import RunInfo, commit_writers, open_writers, write_manifest

STATE_DIR = ".vi2en"
ERRORS_FILE = "errors.jsonl"
MANIFEST_FILE = "manifest.json"


class Progress(Protocol):
    """Where a job reports its progress (the CLI's progress bar)."""

    def document_done(self) -> None:
        """One document finished (translated, resumed or failed)."""

    def sentences_done(self, count: int) -> None:
        """``count`` more sentences translated."""

    def window_started(self, documents: int, sentences: int) -> None:
        """A window of ``documents`` holding ``sentences`` is being translated."""


@dataclass
class JobSummary:
    """What a job did.

    Attributes:
        documents: Documents read (good and bad).
        translated: Documents translated in this run.
        resumed: Documents finished by an earlier run and not translated again.
        failures: Documents that could not be read or translated.
        pairs: Sentence pairs in the corpus.
        outputs: Files written.
        seconds: Wall time of the run.
    """

    documents: int = 0
    translated: int = 0
    resumed: int = 0
    failures: list[DocumentFailure] = field(default_factory=list)
    pairs: int = 0
    outputs: list[Path] = field(default_factory=list)
    seconds: float = 0.0


def _part_name(doc_id: str) -> str:
    return hashlib.sha256(doc_id.encode("utf-8")).hexdigest()[:32] + ".jsonl"


def _document_header(document: Document) -> dict[str, Any]:
    return {
        "doc_id": document.doc_id,
        "source": document.source,
        "output_path": document.output_path,
        "content_hash": document.content_hash,
        "paragraph_break": document.paragraph_break,
        "paragraphs": list(document.paragraphs),
    }


class Job:
    """Translate documents into an output directory, resumably.

    Args:
        pipeline: The pipeline that translates.
        outdir: The output directory.
        formats: Output formats (see :data:`translate.writers.WRITERS`).
        settings: Everything else that shapes the output (reader options,
            segmenter lexicon), recorded and compared on resume.
        restart: Discard an earlier run's state instead of resuming it.
        stem: Name of the corpus files.
    """

    def __init__(
        self,
        pipeline: Pipeline,
        outdir: Path,
        formats: list[str],
        *,
        settings: Mapping[str, Any] | None = None,
        restart: bool = False,
        stem: str = "corpus",
    ) -> None:
        self.pipeline = pipeline
        self.outdir = outdir
        self.formats = formats
        self.extra_settings = dict(settings or {})
        self.restart = restart
        self.stem = stem
        self.state = outdir / STATE_DIR
        self.parts = self.state / "parts"

    def settings(self) -> dict[str, Any]:
        """The settings a resumed run must share with the run it continues."""
        return {**self.pipeline.translator.configuration(), **self.extra_settings}

    def _prepare_state(self) -> None:
        check_writable_dir(self.outdir)
        _remove_stale_temporaries(self.outdir)
        settings_file = self.state / "settings.json"
        current = self.settings()
        if self.restart and self.state.exists():
            shutil.rmtree(self.state)
        if settings_file.is_file():
            previous = json.loads(settings_file.read_text(encoding="utf-8"))
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
        part = self.parts / _part_name(document.doc_id)
        try:
            with part.open(encoding="utf-8") as handle:
                header = json.loads(handle.readline())
        except (OSError, ValueError):
            return False
        return bool(
            header.get("content_hash") == document.content_hash
            and header.get("doc_id") == document.doc_id
        )

    def _save_part(self, result: TranslatedDocument) -> None:
        with atomic_write(self.parts / _part_name(result.document.doc_id)) as out:
            out.write(json.dumps(_document_header(result.document), ensure_ascii=False) + "\n")
            for p in result.pairs:
                out.write(
                    json.dumps(
                        [p.paragraph, p.sentence, p.source, p.target, p.start, p.end],
                        ensure_ascii=False,
                    )
                    + "\n"
                )

    def _load_part(self, doc_id: str) -> TranslatedDocument:
        path = self.parts / _part_name(doc_id)
        try:
            with path.open(encoding="utf-8") as handle:
                header = json.loads(handle.readline())
                pairs = tuple(Pair(doc_id, *json.loads(line)) for line in handle)
        except OSError as exc:
            raise output_error(path, exc) from exc
        document = Document(
            doc_id=header["doc_id"],
            paragraphs=tuple(header["paragraphs"]),
            source=header["source"],
            output_path=header["output_path"],
            content_hash=header["content_hash"],
            paragraph_break=header["paragraph_break"],
        )
        return TranslatedDocument(document, pairs)

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
        self._prepare_state()
        summary = JobSummary()
        order: list[str] = []
        failed: set[str] = set()

        def pending() -> Iterator[Document | DocumentFailure]:
            for item in documents:
                summary.documents += 1
                check_stop = self.pipeline.translator.check_stop
                if check_stop is not None:
                    check_stop()
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
            if progress:
                progress.document_done()

        summary.outputs = self._assemble([d for d in order if d not in failed], summary)
        summary.seconds = time.time() - started
        self._write_manifest(summary)
        return summary

    def _assemble(self, order: list[str], summary: JobSummary) -> list[Path]:
        translator = self.pipeline.translator
        model = translator.resolved_model
        run = RunInfo(
            tool_version=__version__,
            model=model.name if model else "none",
            model_revision=model.revision if model else None,
        )
        writers = open_writers(self.formats, self.outdir, run, stem=self.stem)
        try:
            for doc_id in order:
                document = self._load_part(doc_id)
                summary.pairs += len(document.pairs)
                for writer in writers:
                    writer.add(document)
        except BaseException:
            for writer in writers:
                writer.discard()
            raise
        outputs = commit_writers(writers)
        errors = self.outdir / ERRORS_FILE
        with atomic_write(errors) as out:
            for failure in summary.failures:
                out.write(
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
        return [*outputs, errors]

    def _write_manifest(self, summary: JobSummary) -> None:
        manifest = {
            "vi2en": __version__,
            "model": {
                "name": model.name if (model := self.pipeline.translator.resolved_model) else None,
                "revision": model.revision if model else None,
                "fingerprint": model.fingerprint if model else None,
            },
            "settings": self.settings(),
            "formats": self.formats,
            "packages": package_versions(),
            "backend": self.pipeline.translator.backend.description
            if self.pipeline.translator.backend
            else None,
            "counts": {
                "documents": summary.documents,
                "failed": len(summary.failures),
                "pairs": summary.pairs,
            },
            "run": {
                "translated_documents": summary.translated,
                "resumed_documents": summary.resumed,
                "seconds": round(summary.seconds, 3),
                "translator": self.pipeline.translator.stats.as_dict(),
            },
            "outputs": sorted(
                p.relative_to(self.outdir).as_posix()
                for p in summary.outputs
                if p.is_relative_to(self.outdir) and p.parent == self.outdir
            ),
            "translated_articles": sum(1 for p in summary.outputs if p.parent != self.outdir),
        }
        write_manifest(self.outdir / MANIFEST_FILE, manifest)


def _remove_stale_temporaries(outdir: Path) -> None:
    """Remove temporary files left by a killed run (``.NAME.tmp-PID`` of a dead PID)."""
    for path in outdir.rglob(".*.tmp-*"):
        pid = path.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
