"""``vi2en qa``: the QA checks on any existing parallel corpus, written as annotated outputs.

The corpora (TSV, Moses, JSONL, TMX; :mod:`translate.readers.corpus`) are read
pair by pair, each pair is checked (:func:`translate.qa.check_pair`, on the
texts alone: a corpus file keeps no translator signals), and the pairs are
written with their flags in the chosen formats, as ``vi2en translate`` writes
them: ``corpus.*``, ``rejected.*`` (the pairs ``drop`` keeps out), an
``errors.jsonl`` of the records that could not be read, and ``manifest.json``
with the QA counts. The set is published as the job publishes its own: every
file is written to a temporary, the old manifest goes first, the files are
renamed, stale outputs are removed and the manifest comes last; a set is
complete if and only if ``manifest.json`` exists and lists every file with its
size and SHA-256. No input is ever an output (:func:`check_inputs_are_not_outputs`),
and the output directory is locked for the run (:class:`OutputDirLock`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from translate._dist import installation
from translate.errors import OutputError
from translate.fileio import AtomicFile, check_writable_dir, output_error
from translate.job import (
    OutputDirLock,
    QaSummary,
    check_inputs_are_not_outputs,
    remove_outputs,
    remove_temporaries,
)
from translate.layout import (
    CORPUS_STEM,
    CORPUS_SUFFIXES,
    ERRORS_FILE,
    MANIFEST_FILE,
    REJECTED_STEM,
    STATE_DIR,
)
from translate.qa import CHECKS, PairContext, check_pair
from translate.readers.corpus import (
    CorpusInput,
    CorpusOptions,
    MalformedRecord,
    check_text,
    corpus_inputs,
    read_corpus,
)
from translate.records import AlignedSegment, DocumentInfo
from translate.writers import RunInfo, Writer, open_writers, write_manifest


@dataclass
class QaRunSummary:
    """What a ``vi2en qa`` run did.

    Attributes:
        inputs: The corpora read.
        pairs: Pairs read and checked.
        malformed: The records that could not be read (in ``errors.jsonl``).
        qa: The QA counts (flags per check, pairs dropped).
        outputs: Files written.
        seconds: Wall time of the run.
    """

    inputs: list[CorpusInput] = field(default_factory=list)
    pairs: int = 0
    malformed: list[MalformedRecord] = field(default_factory=list)
    qa: QaSummary = field(default_factory=QaSummary)
    outputs: list[Path] = field(default_factory=list)
    seconds: float = 0.0


def check_segment(segment: AlignedSegment, checks: Collection[str]) -> AlignedSegment:
    """``segment`` with the flags of ``checks`` on its texts (NFC), replacing any it had.

    Its score, if the file kept one, is the checks' context.
    """
    flags = check_pair(
        check_text(segment.source),
        check_text(segment.target),
        context=PairContext(score=segment.score),
        checks=checks,
    )
    return replace(segment, flags=flags)


def _documents(
    items: Iterable[AlignedSegment | MalformedRecord], malformed: list[MalformedRecord]
) -> Iterator[tuple[DocumentInfo, list[AlignedSegment]]]:
    """The pairs grouped by document (consecutive pairs of one ``doc_id``); bad records aside."""
    current: list[AlignedSegment] = []

    def document() -> tuple[DocumentInfo, list[AlignedSegment]]:
        doc_id = current[0].doc_id
        paragraphs = max(p.paragraph for p in current) + 1
        return DocumentInfo(doc_id, doc_id, "\n", paragraphs), current

    for item in items:
        if isinstance(item, MalformedRecord):
            malformed.append(item)
            continue
        if current and item.doc_id != current[0].doc_id:
            yield document()
            current = []
        current.append(item)
    if current:
        yield document()


class CorpusQa:
    """Check parallel corpora and write the annotated outputs into a directory.

    Args:
        inputs: The corpora, as the user named them (:func:`corpus_inputs`).
        outdir: The output directory.
        formats: Output formats: the corpus formats of :data:`translate.writers.WRITERS`
            (``txt`` needs whole documents and is refused).
        checks: The QA checks to run (``None``: all).
        drop: Checks whose flagged pairs go to ``rejected.*`` instead of ``corpus.*``.
        options: How the corpora are read.

    Raises:
        InputError: An input is missing or of unknown format.
        ValueError: ``txt`` is among the formats, or a check is unknown.
    """

    def __init__(
        self,
        inputs: Sequence[str],
        outdir: Path,
        formats: Sequence[str],
        *,
        checks: Collection[str] | None = None,
        drop: Collection[str] = (),
        options: CorpusOptions | None = None,
    ) -> None:
        if "txt" in formats:
            raise ValueError("vi2en qa writes corpus files, not articles; leave out -f txt")
        unknown = sorted((set(checks or ()) | set(drop)) - set(CHECKS))
        if unknown:
            raise ValueError(f"unknown QA check {unknown[0]!r}; known: {', '.join(CHECKS)}")
        self.options = options or CorpusOptions()
        self.corpora = corpus_inputs(inputs, self.options)
        self.outdir = outdir
        self.formats = list(formats)
        chosen = set(CHECKS if checks is None else checks) | set(drop)
        self.checks = tuple(name for name in CHECKS if name in chosen)
        self.drop = tuple(name for name in CHECKS if name in drop)

    def run(self) -> QaRunSummary:
        """Read, check and write; the records that cannot be read go to ``errors.jsonl``.

        Raises:
            InputOverwriteError: An input is one of the outputs.
            OutputError: OUTDIR holds a ``vi2en translate`` or ``align`` run, or an output
                cannot be written (the message names it).
            OutputDirLockedError: Another run holds OUTDIR.
        """
        started = time.time()
        paths = [path for corpus in self.corpora for path in corpus.paths]
        check_inputs_are_not_outputs(paths, self.outdir, CORPUS_STEM)
        check_writable_dir(self.outdir)
        with OutputDirLock(self.outdir):
            if (self.outdir / STATE_DIR / "settings.json").exists():
                raise OutputError(
                    f"{self.outdir} holds a vi2en translate or align run; write the QA outputs to "
                    "another -o directory"
                )
            remove_temporaries(self.outdir)
            summary = self._run()
        summary.seconds = time.time() - started
        return summary

    def _run(self) -> QaRunSummary:
        summary = QaRunSummary(list(self.corpora), qa=QaSummary(self.checks, self.drop))
        (self.outdir / MANIFEST_FILE).unlink(missing_ok=True)
        run = RunInfo(
            tool_version=installation().version,
            model="none",  # as an align run (no model) says, and vi2en review reads back
            model_revision=None,
            source_lang=self.options.source_lang,
            target_lang=self.options.target_lang,
        )
        writers = open_writers(self.formats, self.outdir, run)
        rejected: list[Writer] = []
        files: list[AtomicFile] = []
        try:
            if self.drop:
                corpus_formats = [f for f in self.formats if f in CORPUS_SUFFIXES]
                rejected = open_writers(corpus_formats, self.outdir, run, stem=REJECTED_STEM)
            for corpus in self.corpora:
                self._check_corpus(corpus, summary, writers, rejected)
            for writer in [*writers, *rejected]:
                writer.finish()
                files.extend(writer.files)
            errors = AtomicFile(self.outdir / ERRORS_FILE)
            files.append(errors)
            for record in summary.malformed:
                line = {"doc_id": record.doc_id, "source": record.source, "reason": record.reason}
                errors.write(json.dumps(line, ensure_ascii=False) + "\n")
            errors.finish()
            summary.outputs = [file.publish() for file in files]
        except BaseException:
            for writer in [*writers, *rejected]:
                writer.discard()
            for file in files:
                file.discard()
            raise
        manifest = self._manifest(summary)
        manifest["files"] = sorted(
            (
                {
                    "path": f.path.relative_to(self.outdir).as_posix(),
                    "size": f.size,
                    "sha256": f.sha256,
                }
                for f in files
            ),
            key=lambda entry: str(entry["path"]),
        )
        try:
            remove_outputs(self.outdir, {entry["path"] for entry in manifest["files"]}, CORPUS_STEM)
            write_manifest(self.outdir / MANIFEST_FILE, manifest)
        except OSError as exc:
            raise output_error(self.outdir, exc) from exc
        return summary

    def _check_corpus(
        self,
        corpus: CorpusInput,
        summary: QaRunSummary,
        writers: Sequence[Writer],
        rejected: Sequence[Writer],
    ) -> None:
        qa = summary.qa
        for info, pairs in _documents(read_corpus(corpus, self.options), summary.malformed):
            checked = [check_segment(pair, self.checks) for pair in pairs]
            summary.pairs += len(checked)
            qa.add_document(info.doc_id, checked)
            kept = [pair for pair in checked if not qa.is_dropped(pair)]
            for writer in writers:
                writer.add_pairs(info, kept if writer.name in CORPUS_SUFFIXES else checked)
            for writer in rejected:
                writer.add_pairs(info, [pair for pair in checked if qa.is_dropped(pair)])

    def _manifest(self, summary: QaRunSummary) -> dict[str, Any]:
        options = self.options
        return {
            "vi2en": installation().version,
            "command": "qa",
            "inputs": [{"path": c.label, "format": c.format} for c in self.corpora],
            "settings": {
                "qa": list(self.checks),
                "qa_drop": list(self.drop),
                "source_lang": options.source_lang,
                "target_lang": options.target_lang,
                "source_field": options.source_field,
                "target_field": options.target_field,
                "escaped": options.escaped,
            },
            "formats": self.formats,
            "counts": {
                "inputs": len(self.corpora),
                "pairs": summary.pairs,
                "malformed": len(summary.malformed),
            },
            "qa": summary.qa.as_dict(),
            "outputs": sorted(
                p.relative_to(self.outdir).as_posix()
                for p in summary.outputs
                if p.parent == self.outdir
            ),
        }
