"""Atomic writes and the wording of output errors."""

from __future__ import annotations

import builtins
import errno
import os
import tempfile
from pathlib import Path
from typing import IO, Any

import pytest

from translate import fileio
from translate.errors import OutputError
from translate.fileio import AtomicFile, atomic_write, check_writable_dir, output_error


class FullDisk:
    """A file that fails like a full disk once ``room`` more characters are written."""

    def __init__(self, file: IO[Any], room: int) -> None:
        self._file = file
        self._room = room

    def write(self, data: Any) -> int:
        if len(data) > self._room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._room -= len(data)
        return self._file.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


def fill_disk_after(monkeypatch: pytest.MonkeyPatch, room: int) -> None:
    """Make every file that fileio opens fail with ENOSPC after ``room`` characters."""

    def open_on_small_disk(*args: Any, **kwargs: Any) -> FullDisk:
        return FullDisk(builtins.open(*args, **kwargs), room)

    monkeypatch.setattr(fileio, "open", open_on_small_disk, raising=False)


def listing(directory: Path) -> list[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*"))


def test_atomic_write_publishes_content_and_creates_parents(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "out.txt"
    with atomic_write(path) as out:
        out.write("một\nhai\n")
    assert path.read_bytes() == "một\nhai\n".encode()
    assert listing(tmp_path) == ["a", "a/b", "a/b/out.txt"]


def test_atomic_write_keeps_line_ends_as_written(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    with atomic_write(path) as out:
        out.write("lf\ncrlf\r\n")
    assert path.read_bytes() == b"lf\ncrlf\r\n"


def test_atomic_write_binary_mode(tmp_path: Path) -> None:
    path = tmp_path / "out.bin"
    with atomic_write(path, "wb") as out:
        out.write(b"\x00\xff")
    assert path.read_bytes() == b"\x00\xff"


def test_atomic_write_uses_hidden_temp_name_until_done(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    with atomic_write(path) as out:
        out.write("x")
        assert listing(tmp_path) == [f".out.txt.tmp-{os.getpid()}"]
    assert listing(tmp_path) == ["out.txt"]


@pytest.mark.parametrize(
    "error",
    [ValueError("bug"), KeyboardInterrupt()],
    ids=["exception", "interrupt"],
)
def test_atomic_write_failure_keeps_previous_file(tmp_path: Path, error: BaseException) -> None:
    path = tmp_path / "out.txt"
    path.write_text("old\n")
    with pytest.raises(type(error)), atomic_write(path) as out:
        out.write("new, half written")
        raise error
    assert path.read_text() == "old\n"
    assert listing(tmp_path) == ["out.txt"]


def test_atomic_write_failure_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    with pytest.raises(ValueError), atomic_write(path) as out:
        out.write("half")
        raise ValueError("bug")
    assert listing(tmp_path) == []


def test_atomic_write_disk_full_on_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "out.txt"
    path.write_text("old\n")
    fill_disk_after(monkeypatch, room=3)
    with pytest.raises(OutputError) as caught, atomic_write(path) as out:
        out.write("abc")
        out.write("d")
    assert str(caught.value) == (
        f"disk full while writing {path}; free space or choose another --output directory; "
        "files already written are kept"
    )
    assert isinstance(caught.value.__cause__, OSError)
    assert path.read_text() == "old\n"
    assert listing(tmp_path) == ["out.txt"]


def test_atomic_write_disk_full_on_fsync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    path = tmp_path / "out.txt"
    with pytest.raises(OutputError) as caught, atomic_write(path) as out:
        out.write("abc")
    assert str(caught.value).startswith(f"disk full while writing {path};")
    assert listing(tmp_path) == []


def test_atomic_write_passes_other_files_errors_through(tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    with pytest.raises(FileNotFoundError), atomic_write(tmp_path / "out.txt"):
        missing.read_text()
    assert listing(tmp_path) == []


def test_atomic_write_unwritable_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(*args: Any, **kwargs: Any) -> IO[Any]:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(args[0]))

    monkeypatch.setattr(fileio, "open", denied, raising=False)
    path = tmp_path / "out.txt"
    with pytest.raises(OutputError) as caught, atomic_write(path):
        pass
    assert str(caught.value) == (
        f"cannot write {path}: permission denied; choose a writable --output directory"
    )


def test_atomic_file_discard_after_publish_keeps_file(tmp_path: Path) -> None:
    file = AtomicFile(tmp_path / "out.txt")
    file.write("x\n")
    file.publish()
    file.discard()
    file.discard()
    assert (tmp_path / "out.txt").read_text() == "x\n"


def test_atomic_file_discard_twice_removes_temp(tmp_path: Path) -> None:
    file = AtomicFile(tmp_path / "out.txt")
    file.write("x\n")
    file.discard()
    file.discard()
    assert listing(tmp_path) == []


P = Path("/out/corpus.tsv")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (
            errno.ENOSPC,
            "disk full while writing /out/corpus.tsv; free space or choose another --output "
            "directory; files already written are kept",
        ),
        (
            errno.EDQUOT,
            "disk quota exceeded while writing /out/corpus.tsv; free space or choose another "
            "--output directory; files already written are kept",
        ),
        (
            errno.EACCES,
            "cannot write /out/corpus.tsv: permission denied; choose a writable --output directory",
        ),
        (
            errno.EPERM,
            "cannot write /out/corpus.tsv: permission denied; choose a writable --output directory",
        ),
        (
            errno.EROFS,
            "cannot write /out/corpus.tsv: read-only file system; choose a writable --output "
            "directory",
        ),
        # Anything else: the system's own words.
        (errno.ENAMETOOLONG, "cannot write /out/corpus.tsv: File name too long"),
    ],
    ids=["enospc", "edquot", "eacces", "eperm", "erofs", "other"],
)
def test_output_error_wording(code: int, message: str) -> None:
    assert str(output_error(P, OSError(code, os.strerror(code)))) == message


def test_check_writable_dir_creates_missing_dirs(tmp_path: Path) -> None:
    check_writable_dir(tmp_path / "a" / "b")
    assert listing(tmp_path) == ["a", "a/b"]


def test_check_writable_dir_rejects_a_file(tmp_path: Path) -> None:
    path = tmp_path / "out"
    path.write_text("")
    with pytest.raises(OutputError) as caught:
        check_writable_dir(path)
    assert str(caught.value) == f"{path} is not a directory; choose another --output directory"


def test_check_writable_dir_below_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    path = tmp_path / "file" / "out"
    with pytest.raises(OutputError) as caught:
        check_writable_dir(path)
    assert str(caught.value) == f"cannot write {path}: Not a directory"


def test_check_writable_dir_probes_by_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Running as root, permission bits never refuse; a read-only mount is simulated.
    def read_only(*args: Any, **kwargs: Any) -> tuple[int, str]:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    with pytest.raises(OutputError) as caught:
        check_writable_dir(tmp_path)
    assert str(caught.value) == (
        f"cannot write {tmp_path}: read-only file system; choose a writable --output directory"
    )


def test_check_writable_dir_leaves_no_probe(tmp_path: Path) -> None:
    check_writable_dir(tmp_path)
    assert listing(tmp_path) == []
