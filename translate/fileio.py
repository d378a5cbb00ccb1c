"""Atomic file output, and one wording for the errors that writing files raises.

A file is written under a hidden temporary name in its own directory, flushed to
disk, and only then renamed to its final name, so a reader (or a resumed run)
never finds a half-written file under a final name: it finds the previous
version, or none.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from translate.errors import OutputError

_PERMISSION_ERRNOS = frozenset({errno.EACCES, errno.EPERM})
_FULL_ERRNOS = {errno.ENOSPC: "disk full"}
if hasattr(errno, "EDQUOT"):  # not defined on every platform
    _FULL_ERRNOS[errno.EDQUOT] = "disk quota exceeded"


def output_error(path: Path, exc: OSError) -> OutputError:
    """Turn an OS error raised while writing ``path`` into an actionable OutputError.

    Args:
        path: The file (or directory) being written, as the user knows it.
        exc: The error the operating system raised.

    Returns:
        The error to raise (``raise output_error(path, exc) from exc``).
    """
    if exc.errno in _FULL_ERRNOS:
        return OutputError(
            f"{_FULL_ERRNOS[exc.errno]} while writing {path}; free space or choose another "
            "--output directory; files already written are kept"
        )
    if exc.errno in _PERMISSION_ERRNOS:
        return OutputError(
            f"cannot write {path}: permission denied; choose a writable --output directory"
        )
    if exc.errno == errno.EROFS:
        return OutputError(
            f"cannot write {path}: read-only file system; choose a writable --output directory"
        )
    return OutputError(f"cannot write {path}: {exc.strerror or exc}")


def file_digest(path: Path) -> tuple[str, int]:
    """The SHA-256 (hex) and size in bytes of the file ``path``."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def temp_path_for(path: Path) -> Path:
    """The hidden temporary name under which ``path`` is written before it is published."""
    return path.with_name(f".{path.name}.tmp-{os.getpid()}")


class AtomicFile:
    """A file written under a temporary name and published by an atomic rename.

    Publishing is split in two steps so that several files can be published
    together: :meth:`finish` does everything that can fail for lack of space
    (flush, fsync, close) for every file first, then :meth:`publish` renames
    them, which does not allocate space.

    Every OS error is raised as :class:`OutputError` naming the final path.
    Once finished, :attr:`sha256` and :attr:`size` describe the bytes written
    (for the manifest); they are taken from the temporary file while it is
    still in the page cache, before it is published.

    Args:
        path: The final name.
        mode: ``"w"`` (text) or ``"wb"`` (bytes).
        encoding: Text encoding (ignored in binary mode).
        newline: Newline translation; the default ``""`` writes ``\\n`` as is.
    """

    def __init__(
        self, path: Path, mode: str = "w", *, encoding: str = "utf-8", newline: str = ""
    ) -> None:
        if mode not in ("w", "wb"):
            raise ValueError(f"mode must be 'w' or 'wb', not {mode!r}")
        self.path = path
        self.temp_path = temp_path_for(path)
        self._finished = False
        self._published = False
        self.sha256 = ""
        self.size = 0
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if mode == "wb":
                self.file: IO[Any] = open(self.temp_path, "wb")  # noqa: SIM115 - closed in finish
            else:
                self.file = open(self.temp_path, "w", encoding=encoding, newline=newline)  # noqa: SIM115
        except OSError as exc:
            raise output_error(path, exc) from exc

    def write(self, data: Any) -> None:
        """Write ``data`` (``str`` in text mode, ``bytes`` in binary mode) to the temporary file."""
        try:
            self.file.write(data)
        except OSError as exc:
            self.discard()
            raise output_error(self.path, exc) from exc

    def finish(self) -> None:
        """Flush the temporary file to disk and close it; on failure remove it."""
        if self._finished:
            return
        try:
            self.file.flush()
            os.fsync(self.file.fileno())
            self.file.close()
            self.sha256, self.size = file_digest(self.temp_path)
        except OSError as exc:
            self.discard()
            raise output_error(self.path, exc) from exc
        self._finished = True

    def publish(self) -> Path:
        """Rename the finished temporary file to its final name and return that name."""
        self.finish()
        try:
            os.replace(self.temp_path, self.path)
        except OSError as exc:
            self.discard()
            raise output_error(self.path, exc) from exc
        self._published = True
        return self.path

    def discard(self) -> None:
        """Close and remove the temporary file; the final name is left as it was.

        Safe to call more than once, and after :meth:`publish` (then it does nothing).
        """
        if self._published:
            return
        # The data is being thrown away: a close that fails changes nothing.
        with contextlib.suppress(OSError):
            self.file.close()
        self.temp_path.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_write(
    path: Path, mode: str = "w", *, encoding: str = "utf-8", newline: str = ""
) -> Iterator[IO[Any]]:
    """Open ``path`` for writing so that it appears complete or not at all.

    The body writes to a temporary file in the same directory (parent
    directories are created); when the body ends normally the file is flushed,
    fsynced and renamed to ``path``. On any exception, including
    ``KeyboardInterrupt``, the temporary file is removed and ``path`` is left
    as it was.

    OS errors from the temporary file (a full disk, a denied permission) are
    raised as :class:`OutputError` naming ``path``; OS errors about other files
    that the body touches pass through unchanged.

    Args:
        path: The final name.
        mode: ``"w"`` (text) or ``"wb"`` (bytes).
        encoding: Text encoding (ignored in binary mode).
        newline: Newline translation; the default ``""`` writes ``\\n`` as is.

    Yields:
        The open temporary file.
    """
    atomic = AtomicFile(path, mode, encoding=encoding, newline=newline)
    try:
        yield atomic.file
    except OSError as exc:
        atomic.discard()
        # A write to the file itself raises without a file name; an error
        # naming some other file is the body's own business.
        if exc.filename is None or exc.filename in (str(atomic.temp_path), atomic.temp_path):
            raise output_error(path, exc) from exc
        raise
    except BaseException:
        atomic.discard()
        raise
    atomic.publish()


def check_writable_dir(path: Path) -> None:
    """Create ``path`` if missing and prove that files can be created in it.

    The proof is a real probe file, created and removed: permission bits say
    nothing when running as root, and nothing about read-only mounts.

    Raises:
        OutputError: ``path`` is not a directory or is not writable.
    """
    try:
        if path.exists() and not path.is_dir():
            raise OutputError(f"{path} is not a directory; choose another --output directory")
        path.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".vi2en-probe-", dir=path)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise output_error(path, exc) from exc
