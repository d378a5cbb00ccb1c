"""The translation memory: damaged, foreign, read-only and locked files."""

from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from translate.cli import main
from translate.errors import CacheError
from translate.memory import TranslationMemory

ROWS = [(f"câu số {i} " * 20, f"sentence {i} " * 20) for i in range(3000)]


def _filled(path: Path) -> Path:
    memory = TranslationMemory(path)
    memory.store("ns", ROWS)
    memory.close()
    return path


def _garbage(path: Path) -> Path:
    path.write_bytes(bytes(range(256)) * 16)  # 4 KB that is no database
    return path


def _other_table(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE translations (key TEXT, value TEXT)")
    return path


def _other_database(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE people (name TEXT)")
    return path


def _truncated(path: Path) -> Path:
    _filled(path)
    os.truncate(path, path.stat().st_size // 2)
    return path


def _use(path: Path) -> None:
    memory = TranslationMemory(path, timeout=0.1)
    memory.lookup("ns", [source for source, _ in ROWS])
    memory.store("ns", [("mới", "new")])


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (_garbage, "is damaged (file is not a database)"),
        (_other_table, "its translations table has key, value"),
        # Another program's database: vi2en adds its table, so that is no error.
        (_truncated, "is damaged (database disk image is malformed)"),
    ],
    ids=["garbage", "other-columns", "truncated"],
)
def test_damaged_memory_is_one_line_naming_file_and_fix(
    tmp_path: Path, make: Callable[[Path], Path], says: str
) -> None:
    path = make(tmp_path / "memory.sqlite")
    with pytest.raises(CacheError) as caught:
        _use(path)
    message = str(caught.value)
    assert says in message and str(path) in message
    assert "move it aside" in message and "--no-cache" in message and "\n" not in message


def test_another_programs_database_gets_vi2en_table(tmp_path: Path) -> None:
    path = _other_database(tmp_path / "memory.sqlite")
    _use(path)
    assert len(TranslationMemory(path)) == 1


@pytest.mark.parametrize("when", ["open", "store"])
def test_locked_memory_says_locked(tmp_path: Path, when: str) -> None:
    path = _filled(tmp_path / "memory.sqlite")
    other = sqlite3.connect(path, isolation_level=None)
    memory = TranslationMemory(path, timeout=0.1) if when == "store" else None
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(CacheError) as caught:
            (memory or TranslationMemory(path, timeout=0.1)).store("ns", [("a", "b")])
    finally:
        other.execute("ROLLBACK")
    assert "is locked by another process" in str(caught.value)
    assert "disk" not in str(caught.value)


def test_memory_waits_for_a_short_lock(tmp_path: Path) -> None:
    path = _filled(tmp_path / "memory.sqlite")
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN EXCLUSIVE")

    threading.Timer(0.3, lambda: other.execute("ROLLBACK")).start()
    memory = TranslationMemory(path, timeout=10)
    memory.store("ns", [("a", "b")])
    assert memory.lookup("ns", ["a"]) == {"a": "b"}


def _as_unprivileged_user(action: Callable[[], str]) -> str:
    """Run ``action`` where permissions hold: in a child that dropped root, if root."""
    if os.geteuid() != 0:
        return action()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read)
        try:
            os.setgid(65534)
            os.setuid(65534)
            result = action()
        except BaseException as exc:
            result = f"error: {exc!r}"
        os.write(write, result.encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read) as pipe:
        return pipe.read()


@pytest.mark.parametrize("folder_mode", [0o777, 0o555], ids=["file-read-only", "folder-read-only"])
def test_read_only_memory_is_used_read_only(folder_mode: int) -> None:
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "memory.sqlite"
        memory = TranslationMemory(path)
        memory.store("ns", [("xin chào", "hello")])
        memory.close()
        path.chmod(0o444)
        Path(work).chmod(folder_mode)

        def use() -> str:
            warnings: list[str] = []
            handler = logging.Handler()
            handler.emit = lambda record: warnings.append(record.getMessage())  # type: ignore[method-assign]
            logging.getLogger("translate.memory").addHandler(handler)
            memory = TranslationMemory(path)
            found = memory.lookup("ns", ["xin chào"])
            memory.store("ns", [("mới", "new")])
            return f"{memory.read_only} {found['xin chào']} {len(memory)} | {' '.join(warnings)}"

        try:
            assert _as_unprivileged_user(use) == (
                f"True hello 1 | the translation memory {path} is read-only: "
                "using it for lookups, storing nothing"
            )
        finally:
            Path(work).chmod(0o755)


def test_cli_damaged_memory_is_one_line_exit_1(tmp_path: Path) -> None:
    from tests.conftest import TINY_MODEL

    article = tmp_path / "a.txt"
    article.write_text("Xin chào.\n", encoding="utf-8")
    memory = _garbage(tmp_path / "memory.sqlite")
    result = CliRunner().invoke(
        main,
        ["translate", str(article), "--model", str(TINY_MODEL), "--cache", str(memory)],
    )
    assert result.exit_code == 1
    assert result.output == (
        f"Error: the translation memory {memory} is damaged (file is not a database); "
        "move it aside, or pass --cache OTHER or --no-cache\n"
    )
