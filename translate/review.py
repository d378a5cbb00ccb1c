"""``vi2en review``: build the review page (``review.html``) again from a finished run.

The segments come from the run's parts (``OUTDIR/.vi2en/parts``: every field,
flags with their reasons, scores) when they are all there, in the corpus
order that ``corpus.jsonl`` or ``corpus.ids`` records (``doc_id`` order when
the run wrote neither); otherwise from ``corpus.jsonl`` (a file without
``flags`` and ``score`` keys gives pairs without them). From the parts, the
page has the bytes ``vi2en translate -f review`` wrote. The page is written
atomically, and never over a file it reads or another file of the run.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translate.errors import InputError, OutputError
from translate.fileio import file_digest
from translate.job import OutputDirLock, saved_documents, saved_segments
from translate.layout import CORPUS_STEM, MANIFEST_FILE, REVIEW_FILE, STATE_DIR
from translate.records import AlignedSegment, DocumentInfo
from translate.writers import ReviewWriter, RunInfo
from translate.writers.base import read_lines
from translate.writers.escape import unescape
from translate.writers.jsonl import segment_from_record
from translate.writers.review import DATA_ID

_JSONL = CORPUS_STEM + ".jsonl"
_IDS = CORPUS_STEM + ".ids"


@dataclass(frozen=True, slots=True)
class ReviewSummary:
    """What :func:`rebuild_review` wrote.

    Attributes:
        path: The page.
        source: Where the segments came from: ``parts`` or ``corpus.jsonl``.
        documents: Documents on the page.
        pairs: Pairs on the page.
        flagged: Pairs with at least one flag.
    """

    path: Path
    source: str
    documents: int
    pairs: int
    flagged: int


def rebuild_review(outdir: Path, output: Path | None = None) -> ReviewSummary:
    """Write the review page of the finished run in ``outdir``.

    Args:
        outdir: The output folder of a finished ``vi2en translate -o`` run.
        output: Where to write the page [default: ``OUTDIR/review.html``].

    Raises:
        InputError: ``outdir`` is no finished vi2en output folder, or holds
            neither whole parts nor a readable ``corpus.jsonl``.
        OutputError: The page cannot be written, or ``output`` is a file the
            run wrote or this command reads.
        OutputDirLockedError: A vi2en run is writing in ``outdir``.
    """
    manifest = _read_manifest(outdir)
    target = outdir / REVIEW_FILE if output is None else output
    _check_target(outdir, target, manifest)
    model = manifest.get("model") or {}
    run = RunInfo(
        tool_version=str(manifest.get("vi2en", "")),
        model=model.get("name") or "none",
        model_revision=model.get("revision"),
    )
    # A run writing in OUTDIR holds its lock; a folder without state has no run to wait for.
    lock = OutputDirLock(outdir) if (outdir / STATE_DIR).is_dir() else contextlib.nullcontext()
    with lock:
        writer = ReviewWriter(target.parent, run, filename=target.name)
        try:
            source = _write_documents(outdir, manifest, writer)
            summary = writer.summary()
            writer.commit()
        except BaseException:
            writer.discard()
            raise
    return ReviewSummary(target, source, summary["documents"], summary["pairs"], summary["flagged"])


def _read_manifest(outdir: Path) -> dict[str, Any]:
    path = outdir / MANIFEST_FILE
    if not outdir.is_dir():
        raise InputError(str(outdir), "no such folder; pass the OUTDIR of `vi2en translate -o`")
    if not path.is_file():
        raise InputError(
            str(outdir),
            f"not a finished vi2en output folder (no {MANIFEST_FILE}); pass the OUTDIR of a "
            "finished `vi2en translate -o` run (run it again to finish it)",
        )
    try:
        manifest = json.loads(path.read_text("utf-8"))
        counts = manifest["counts"]
        if not isinstance(manifest["files"], list) or not isinstance(counts["pairs"], int):
            raise TypeError("files, counts")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(
            str(path),
            "damaged manifest (not the JSON a vi2en run writes); run the translate command again",
        ) from exc
    return dict(manifest)


def _check_target(outdir: Path, target: Path, manifest: dict[str, Any]) -> None:
    """Refuse to write the page over the manifest, the run's state or a file the run listed."""
    resolved = target.resolve()
    root = outdir.resolve()
    listed = {str(entry.get("path")) for entry in manifest["files"] if isinstance(entry, dict)}
    protected = {root / name for name in listed - {REVIEW_FILE}}
    protected |= {root / MANIFEST_FILE, root / _JSONL, root / _IDS}
    if resolved in protected or resolved.is_relative_to(root / STATE_DIR) or resolved == root:
        raise OutputError(
            f"cannot write the review page to {target}: it is a file of the run in {outdir}; "
            f"choose another --output (default: {outdir / REVIEW_FILE})"
        )
    if target.is_dir():
        raise OutputError(f"cannot write the review page to {target}: it is a folder")
    if target.exists() and not _is_review_page(target):
        raise OutputError(
            f"cannot write the review page to {target}: it exists and is not a vi2en review "
            "page (an input, say); choose another --output or remove the file"
        )


def _is_review_page(path: Path) -> bool:
    """Whether ``path`` is a review page vi2en wrote (its data block comes in the first 64 KiB)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(1 << 16)
    except OSError:
        return False
    return head.startswith(b"<!DOCTYPE html>") and f'id="{DATA_ID}"'.encode() in head


def _write_documents(outdir: Path, manifest: dict[str, Any], writer: ReviewWriter) -> str:
    """Feed the run's documents to ``writer``; return where they came from."""
    saved = {info.doc_id: (info, pairs) for info, pairs in saved_documents(outdir)}
    counts = manifest["counts"]
    expected_documents = counts.get("documents", 0) - counts.get("failed", 0)
    whole = (
        bool(saved)
        and len(saved) == expected_documents
        and sum(pairs for _, pairs in saved.values()) == counts["pairs"]
    )
    order = _corpus_order(outdir, manifest) if whole else None
    if whole and (order is None or set(order) == set(saved)):
        for doc_id in order or sorted(saved):
            writer.add_pairs(saved[doc_id][0], saved_segments(outdir, doc_id))
        return "parts"
    jsonl = outdir / _JSONL
    if not jsonl.is_file():
        raise InputError(
            str(outdir),
            f"holds neither the run's parts ({STATE_DIR}/parts) nor {_JSONL}; translate again "
            "with -f review (or -f jsonl)",
        )
    _check_listed(outdir, _JSONL, manifest)
    for doc_id, segments in itertools.groupby(_jsonl_segments(jsonl), key=lambda s: s.doc_id):
        writer.add_pairs(DocumentInfo(doc_id, doc_id, "\n", 0), segments)
    return _JSONL


def _check_listed(outdir: Path, name: str, manifest: dict[str, Any]) -> None:
    """A corpus file is the run's only if it has the size and SHA-256 the manifest lists."""
    entry = next(
        (e for e in manifest["files"] if isinstance(e, dict) and e.get("path") == name), None
    )
    path = outdir / name
    try:
        digest = file_digest(path)
    except OSError as exc:
        raise InputError(str(path), f"cannot be read ({exc.strerror})") from exc
    if entry is None or digest != (entry.get("sha256"), entry.get("size")):
        raise InputError(
            str(path),
            f"not the file {MANIFEST_FILE} lists (changed or added since the run); run the "
            "translate command again",
        )


def _corpus_order(outdir: Path, manifest: dict[str, Any]) -> list[str] | None:
    """The documents in corpus order, from the run's ``corpus.jsonl`` or ``corpus.ids``."""
    listed = {e.get("path") for e in manifest["files"] if isinstance(e, dict)}
    order: dict[str, None] = {}
    try:
        if _JSONL in listed:
            for _, line in read_lines(outdir / _JSONL):
                order.setdefault(str(json.loads(line)["doc_id"]), None)
        elif _IDS in listed:
            for _, line in read_lines(outdir / _IDS):
                order.setdefault(unescape(line.split("\t", 1)[0]), None)
        else:
            return None
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return list(order)


def _jsonl_segments(path: Path) -> Iterator[AlignedSegment]:
    for number, line in read_lines(path):
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise TypeError("not a JSON object")
            yield segment_from_record(record, link_origin="aligned")
        except (ValueError, TypeError) as exc:
            raise InputError(
                f"{path}:{number}", f"not a line of a vi2en corpus ({exc}); translate again"
            ) from exc
