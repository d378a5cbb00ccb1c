"""Folders and named inputs: walking, what is skipped, reader choice, unique output paths.

Folders are walked lazily in the order of their sorted relative paths; hidden
entries and vi2en output folders (recognised by the names in
:mod:`translate.layout`) are skipped; only regular files are read. Every
document gets an output path that no other document's file or folder shares
and that fits in a file name.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import stat
import sys
import unicodedata
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from translate.errors import InputError, Interrupted
from translate.layout import MANIFEST_FILE, STATE_DIR, output_names
from translate.readers.base import (
    _MAX_NAME_BYTES,
    _SURROGATE,
    READERS,
    InputFile,
    Reader,
    ReadOptions,
    _escaped,
    _short_hash,
    _truncate_utf8,
)
from translate.readers.decoding import _not_regular, _os_reason, open_input
from translate.records import Document, DocumentFailure

logger = logging.getLogger(__name__)


def _path_name(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 become ``\\xNN`` escapes.

    ``os.scandir`` gives such bytes as lone surrogates (surrogateescape); they
    cannot be written into an id or a message, so they are spelt out instead.
    """
    if _SURROGATE.search(name) is None:
        return name
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate no file system byte maps to
        return _escaped(name)
    return _escaped(raw.decode("utf-8", "backslashreplace"))


def _output_path(relative: str) -> str:
    """The output path of a file: its relative path without extension, every part short.

    A part over :data:`_MAX_NAME_BYTES` is cut and given a hash of the whole part,
    so that the article's file name (plus ``.txt`` and a temporary prefix and
    suffix) stays within the 255 bytes a file system allows.
    """
    parts = _strip_extension(relative).split("/")
    return "/".join(
        part
        if len(part.encode("utf-8")) <= _MAX_NAME_BYTES
        else f"{_truncate_utf8(part, _MAX_NAME_BYTES - 9)}-{_short_hash(part)}"
        for part in parts
    )


def _is_hidden(name: str) -> bool:
    return name.startswith(".")


@dataclass(frozen=True)
class _Excluded:
    """Folders a scan never enters: this run's output folder and any vi2en output folder."""

    paths: frozenset[str]
    warn: bool

    @classmethod
    def of(cls, exclude: Iterable[str | os.PathLike[str]], *, warn: bool) -> _Excluded:
        return cls(frozenset(os.path.realpath(path) for path in exclude), warn)

    def why(self, directory: str) -> str | None:
        """Why ``directory`` is skipped, or ``None`` to scan it."""
        if os.path.realpath(directory) in self.paths:
            return "it is the output folder of this run"
        if os.path.isdir(os.path.join(directory, STATE_DIR)) or _is_manifest(
            os.path.join(directory, MANIFEST_FILE)
        ):
            return "it holds the output of an earlier vi2en run"
        return None

    def skips(self, directory: str) -> bool:
        reason = self.why(directory)
        if reason is not None and self.warn:
            logger.warning(
                "skipping %s inside the input folder: %s; its files are not read as input",
                directory,
                reason,
            )
        return reason is not None


# What vi2en writes at the top of an output folder.
_OUTPUT_NAMES = output_names()


def _is_vi2en_output(name: str) -> bool:
    return name in _OUTPUT_NAMES


def _is_manifest(path: str) -> bool:
    try:
        if not os.path.isfile(path) or os.path.getsize(path) > 16 * 2**20:
            return False
        with open(path, encoding="utf-8") as handle:
            manifest = json.load(handle)
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(manifest, dict) and "vi2en" in manifest


def _walk(folder: str, excluded: _Excluded) -> Iterator[str | DocumentFailure]:
    """Relative POSIX paths of the input files under ``folder``, sorted, lazily.

    Sorting each folder's entries with folders keyed as ``name/`` gives the same
    order as sorting all relative paths, without listing the whole tree first.
    Hidden files and folders are skipped; symbolic links to folders are not
    followed (they could loop); output folders (see :class:`_Excluded`) below
    ``folder`` are not entered. An entry with an input extension that is not a regular file
    (a FIFO, a socket, a device) is a failure, never opened.
    """

    by_extension = _by_extension()

    def visit(directory: str, prefix: str) -> Iterator[str | DocumentFailure]:
        # The folder the user named is read whatever it is: an output folder
        # given as input is for the overwrite check to refuse, not to skip.
        if prefix and excluded.skips(directory):
            return
        try:
            with os.scandir(directory) as scan:
                entries = [e for e in scan if not _is_hidden(e.name)]
        except OSError as exc:
            where = _path_name(prefix.rstrip("/")) or "."
            yield DocumentFailure(where, _path_name(directory), _os_reason(exc, "folder"))
            return
        if not prefix and excluded.why(directory) is not None:
            # The named folder is itself an output folder (``-o`` = an input
            # folder): its own outputs are not articles to translate.
            entries = [e for e in entries if not _is_vi2en_output(e.name)]
        keyed: list[tuple[str, os.DirEntry[str], bool]] = []
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                keyed.append((entry.name + "/", entry, True))
            elif os.path.splitext(entry.name)[1].lower() in by_extension:
                keyed.append((entry.name, entry, False))
        keyed.sort(key=lambda k: k[0])
        for key, entry, is_dir in keyed:
            if is_dir:
                yield from visit(entry.path, prefix + key)
                continue
            try:
                reason = _not_regular(entry.stat().st_mode)
            except OSError:
                reason = None  # a dangling link: opening it says what is wrong
            if reason is None:
                yield prefix + entry.name
            else:
                name = _path_name(prefix + entry.name)
                yield DocumentFailure(name, _path_name(entry.path), reason)

    yield from visit(folder, "")


def _strip_extension(path: str) -> str:
    stem, ext = os.path.splitext(path)
    return stem if ext else path


def _no_files(folder: str) -> InputError:
    names = ", ".join(sorted(_by_extension()))
    return InputError(
        folder,
        f"the folder has no input files ({names}; hidden files and folders, and vi2en output folders, are skipped)",
    )


def check_inputs(inputs: Sequence[str], *, exclude: Iterable[str | os.PathLike[str]] = ()) -> None:
    """Check that every input exists and can be read, before any work starts.

    Args:
        inputs: Files, folders, or ``-`` for stdin.
        exclude: Folders never read as input (the run's output folder).

    Raises:
        InputError: An input is missing or not a file or folder (a FIFO or a
            device), or a folder holds no input files.
    """
    if not inputs:
        raise InputError("INPUT", "no input given; name files, folders, or - for stdin")
    excluded = _Excluded.of(exclude, warn=False)
    for name in inputs:
        if name == "-":
            continue
        _check_input(name)
        if os.path.isdir(name) and not any(isinstance(f, str) for f in _walk(name, excluded)):
            raise _no_files(name)


def _check_input(name: str) -> None:
    """Refuse a named input that is missing or neither a folder nor a regular file."""
    try:
        mode = os.stat(name).st_mode
    except FileNotFoundError:
        raise InputError(name, "no such file or folder; check the path") from None
    except OSError as exc:
        raise InputError(name, _os_reason(exc)) from exc
    if not stat.S_ISDIR(mode) and (reason := _not_regular(mode)) is not None:
        raise InputError(
            _path_name(name),
            reason.replace("; skipped:", ":") + "; to read a pipe, give - and redirect it to stdin",
        )


def _by_extension() -> dict[str, Reader]:
    """File extension → the reader that claims it, from :data:`READERS`."""
    return {ext: reader for reader in READERS.values() for ext in reader.extensions}


def _reader_for(name: str, options: ReadOptions) -> Reader:
    if options.input_format != "auto":
        return READERS[options.input_format]
    return _by_extension().get(os.path.splitext(name)[1].lower(), READERS["txt"])


def _input_files(
    inputs: Iterable[str], options: ReadOptions, stdin: IO[Any] | None, excluded: _Excluded
) -> Iterator[tuple[InputFile, Reader] | DocumentFailure]:
    for name in inputs:
        if name == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            reader = READERS["txt" if options.input_format == "auto" else options.input_format]
            yield InputFile("-", "stdin", "stdin", stream=stream), reader
        elif os.path.isdir(name):
            found = False
            for entry in _walk(name, excluded):
                found = True
                if isinstance(entry, DocumentFailure):
                    yield entry
                    continue
                path = os.path.join(name, entry)
                relative = _path_name(entry)
                item = InputFile(_path_name(path), relative, _output_path(relative), Path(path))
                yield item, _reader_for(entry, options)
            if not found:
                raise _no_files(name)
        else:
            _check_input(name)
            file_name = _path_name(os.path.basename(name))
            item = InputFile(_path_name(name), file_name, _output_path(file_name), Path(name))
            yield item, _reader_for(file_name, options)


def read_documents(
    inputs: Sequence[str],
    options: ReadOptions | None = None,
    *,
    stdin: IO[Any] | None = None,
    exclude: Iterable[str | os.PathLike[str]] = (),
) -> Iterator[Document | DocumentFailure]:
    """Read inputs into documents, one at a time.

    Folders are read recursively, in the order of their sorted relative paths,
    and only regular files with a known extension are read; the folders in
    ``exclude`` and any vi2en output folder are skipped, with a warning. A
    document whose id was already used by an earlier one becomes a failure; one
    whose output path would collide with an earlier one's (the same path, a
    file where a folder is, or names that differ only in case) gets a unique
    output path with a short hash instead. Whatever goes wrong in one file
    becomes that file's failure; the others are still read.

    Args:
        inputs: Files, folders, or ``-`` for stdin.
        options: How to read them (default: :class:`ReadOptions()`).
        stdin: The stream ``-`` reads (default: ``sys.stdin.buffer``).
        exclude: Folders never read as input (the run's output folder).

    Yields:
        A :class:`Document` for each article, or a :class:`DocumentFailure`
        (with a reason that says what to fix) for each that cannot be read.

    Raises:
        InputError: An input is missing or not a regular file or folder, or a
            folder holds no input files (call :func:`check_inputs` first to
            find out before any work).
    """
    options = options or ReadOptions()
    names = DocumentNames()
    for entry in list_inputs(inputs, options, stdin=stdin, exclude=exclude):
        if isinstance(entry, DocumentFailure):
            yield _printable(entry)
            continue
        for result in read_input(*entry, options):
            yield names.admit(result)


def list_inputs(
    inputs: Sequence[str],
    options: ReadOptions,
    *,
    stdin: IO[Any] | None = None,
    exclude: Iterable[str | os.PathLike[str]] = (),
) -> Iterator[tuple[InputFile, Reader] | DocumentFailure]:
    """The files that ``inputs`` name, each with its reader, in reading order; nothing is read.

    The first half of :func:`read_documents` (a Ray run lists on the driver and
    reads on the workers): folders are walked, and an entry that cannot be
    listed is its failure. Warns about the folders skipped.
    """
    yield from _input_files(inputs, options, stdin, _Excluded.of(exclude, warn=True))


def read_input(
    item: InputFile, reader: Reader, options: ReadOptions
) -> Generator[Document | DocumentFailure, None, None]:
    """The documents of one listed file (:func:`list_inputs`); what goes wrong is its failure.

    Their ids and output paths are not yet checked against the other files':
    pass each to :meth:`DocumentNames.admit`, in reading order.
    """
    for result in _read_isolated(reader, item, options):
        yield _printable(result) if isinstance(result, DocumentFailure) else result


class DocumentNames:
    """The ids and output paths given out so far, in reading order (see :func:`read_documents`)."""

    def __init__(self) -> None:
        self._ids: dict[str, str] = {}
        self._outputs = _OutputPaths()

    def admit(self, result: Document | DocumentFailure) -> Document | DocumentFailure:
        """The next document with a unique output path, or its failure if its id is taken.

        A failure passes through unchanged (spelt printable).
        """
        if isinstance(result, DocumentFailure):
            return _printable(result)
        clash = _clash(result, self._ids)
        if clash is not None:
            return _printable(clash)
        self._ids[result.doc_id] = result.source
        return self._outputs.claim(result)


def _read_isolated(
    reader: Reader, item: InputFile, options: ReadOptions
) -> Iterator[Document | DocumentFailure]:
    """``reader.read(item)``, where an unexpected error ends this file only, as its failure.

    A stop request and a lack of memory still end the run.
    """
    try:
        yield from reader.read(item, options)
    except (Interrupted, MemoryError):
        raise
    except Exception as exc:  # one file's bug must not end the run
        logger.debug("reading %s failed", item.source, exc_info=True)
        yield item.failure(
            f"cannot be read ({type(exc).__name__}: {str(exc)[:200]}); documents of this file "
            "read before the error are kept; please report this as a vi2en bug"
        )


def _printable(failure: DocumentFailure) -> DocumentFailure:
    """The failure with lone surrogates spelt out, so that it can be written as UTF-8."""
    fields = (failure.doc_id, failure.source, failure.reason)
    if not any(_SURROGATE.search(text) for text in fields):
        return failure
    return DocumentFailure(*(_escaped(text) for text in fields))


class _OutputPaths:
    """The output paths handed out so far, so that no two documents' files collide.

    A document's translation is written to ``txt/<output_path>.txt``, inside the
    folders of the path's parent parts. Two documents collide when their files
    are one file, or one's file is the other's folder (``a.html`` → ``a.txt``
    and ``a.txt/b.txt``; ``x.txt`` and the records of ``x.txt.jsonl``), also when
    the names differ only in case or Unicode form (one file on macOS and
    Windows). The later document's first colliding part gets a short hash.
    """

    def __init__(self) -> None:
        self._files: dict[str, str] = {}
        self._folders: dict[str, str] = {}

    @staticmethod
    def _key(path: str) -> str:
        return unicodedata.normalize("NFC", path).casefold()

    def _first_clash(self, parts: list[str]) -> int | None:
        for index in range(len(parts) - 1):
            if self._key("/".join(parts[: index + 1])) in self._files:
                return index
        file = self._key("/".join(parts) + ".txt")
        return len(parts) - 1 if file in self._files or file in self._folders else None

    def claim(self, document: Document) -> Document:
        """``document``, with its output path made unique if it collides, and recorded."""
        parts = document.output_path.split("/")
        attempt = 0
        while (index := self._first_clash(parts)) is not None:
            taken = "/".join(parts[: index + 1])
            # The hash depends on the taken path only: the records of one JSONL
            # file that collides all move to the same renamed folder.
            suffix = _short_hash(f"{taken}\0{attempt}")
            parts[index] = f"{_truncate_utf8(parts[index], _MAX_NAME_BYTES - 9)}-{suffix}"
            attempt += 1
        path = "/".join(parts)
        if path != document.output_path:
            logger.warning(
                "%s: the output name %s.txt collides with an earlier document's; writing "
                "it as %s.txt",
                document.source,
                document.output_path,
                path,
            )
            document = dataclasses.replace(document, output_path=path)
        self._files[self._key(path + ".txt")] = document.source
        for index in range(len(parts) - 1):
            self._folders.setdefault(self._key("/".join(parts[: index + 1])), document.source)
        return document


def count_documents(
    inputs: Sequence[str],
    options: ReadOptions | None = None,
    *,
    exclude: Iterable[str | os.PathLike[str]] = (),
    records: bool = True,
) -> int | None:
    """About how many documents :func:`read_documents` will yield, cheaply.

    One per file, one per non-blank line of a JSONL file; for a progress bar's
    total, so failures count too. ``None`` when stdin is among the inputs, or
    with ``records=False`` (no file is opened) when a JSONL file is.
    """
    options = options or ReadOptions()
    if "-" in inputs:
        return None
    total = 0
    for entry in _input_files(inputs, options, None, _Excluded.of(exclude, warn=False)):
        if isinstance(entry, DocumentFailure):
            total += 1
            continue
        item, reader = entry
        if reader.name != "jsonl" or item.path is None:
            total += 1
            continue
        if not records:
            return None
        try:
            with open_input(item.path, item.source) as handle:
                total += sum(1 for line in handle if line.strip())
        except (InputError, OSError):
            total += 1
    return total


def _clash(document: Document, ids: dict[str, str]) -> DocumentFailure | None:
    if document.doc_id in ids:
        return DocumentFailure(
            document.doc_id,
            document.source,
            f"document id {document.doc_id!r} is already used by {ids[document.doc_id]}; "
            "ids must be unique: rename one of the files, pass their common folder "
            "instead, or give the JSONL lines distinct ids",
        )
    return None


def input_files(
    inputs: Iterable[str], options: ReadOptions, *, exclude: Iterable[str | os.PathLike[str]] = ()
) -> Iterator[InputFile]:
    """The files that ``inputs`` name (stdin and unreadable entries left out), without reading them.

    Args:
        inputs: Files, folders, or ``-`` for stdin.
        options: How they would be read.
        exclude: Folders never read as input, as for :func:`read_documents`.

    Raises:
        InputError: An input does not exist.
    """
    for item in _input_files(inputs, options, None, _Excluded.of(exclude, warn=False)):
        if isinstance(item, tuple) and item[0].path is not None:
            yield item[0]
