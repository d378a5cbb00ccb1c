"""A persistent translation memory: SQLite, keyed by settings and normalised source.

News corpora repeat boilerplate (bylines, captions, "Xem thêm:") across thousands
of articles, and re-runs repeat everything: neither should reach the model twice.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from translate.errors import CacheError
from translate.text import INVISIBLE

logger = logging.getLogger(__name__)

_SPACES = re.compile(r"\s+")
# Invisible characters that change tokenisation but not meaning (scraped news is full of them).
_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))
# SQLite's default limit on host parameters is 999 in older builds.
_CHUNK = 500


def normalise_source(text: str) -> str:
    """What the model sees of a sentence, and the memory's key for it.

    NFC, invisible characters (zero-width spaces, BOM, soft hyphens) removed,
    runs of whitespace (no-break spaces included) collapsed to one space.
    """
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return _SPACES.sub(" ", text).strip()


def namespace_key(configuration: Mapping[str, Any]) -> str:
    """A short key naming a translation configuration (model, backend, decoding, preprocessing).

    The hash of the configuration's JSON with sorted keys: the same plain values
    give the same key in every process and every vi2en version that writes them
    alike (see :meth:`translate.PipelineConfig.memory_namespace`).
    """
    return hashlib.sha256(json.dumps(configuration, sort_keys=True).encode()).hexdigest()[:24]


# SQLite's primary result codes (the low byte of ``sqlite_errorcode``).
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 10, 11, 13, 14, 26
_COLUMNS = ["namespace", "source", "target"]
_FIX = "move it aside, or pass --cache OTHER or --no-cache"


class TranslationMemory:
    """Translations stored by (configuration key, normalised source sentence).

    A memory that only allows reading (a read-only file or file system) is
    used read-only: lookups work, stores are skipped, and a warning says so.

    Args:
        path: The SQLite file; created with its parent directories if missing.
        timeout: Seconds to wait for another process's write to finish
            before the memory counts as locked.

    Raises:
        CacheError: The file is damaged, not a translation memory, locked by
            another process, or cannot be created.
    """

    def __init__(self, path: Path, *, timeout: float = 30.0) -> None:
        self.path = path
        self.read_only = False
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CacheError(
                str(path),
                f"cannot create the translation memory {path}: {exc.strerror or exc}; "
                "pass --cache OTHER or --no-cache",
            ) from exc
        try:
            # Autocommit: transactions are explicit, so that the write lock is taken up front.
            self._db = sqlite3.connect(str(path), timeout=timeout, isolation_level=None)
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS translations ("
                " namespace TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL,"
                " PRIMARY KEY (namespace, source)) WITHOUT ROWID"
            )
            # A write probe, rolled back: SQLite opens a file it may not write
            # read-only without a word, and a locked file should say so now.
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute(f"PRAGMA user_version = {int(version)}")
            self._db.execute("ROLLBACK")
        except sqlite3.Error as exc:
            if _code(exc) not in {_READONLY, _CANTOPEN}:
                raise self._error(exc, "open") from exc
            self._open_read_only(exc)
        self._check_schema()

    def _open_read_only(self, cause: sqlite3.Error) -> None:
        if not self.path.is_file():
            raise self._error(cause, "create")
        uri = self.path.resolve().as_uri()
        # ``mode=ro`` still needs the -shm file of a WAL database; ``immutable``
        # reads a file whose folder is read-only too (nobody can be writing it then).
        for query in ("mode=ro", "immutable=1"):
            try:
                self._db = sqlite3.connect(f"{uri}?{query}", uri=True, isolation_level=None)
                self._db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
                break
            except sqlite3.Error as exc:
                if _code(exc) not in {_READONLY, _CANTOPEN}:
                    raise self._error(exc, "open") from exc
        else:
            raise self._error(cause, "open")
        self.read_only = True
        logger.warning(
            "the translation memory %s is read-only: using it for lookups, storing nothing",
            self.path,
        )

    def _check_schema(self) -> None:
        try:
            columns = [row[1] for row in self._db.execute("PRAGMA table_info(translations)")]
        except sqlite3.Error as exc:
            raise self._error(exc, "open") from exc
        if columns != _COLUMNS:
            found = ", ".join(columns) or "no translations table"
            raise CacheError(
                str(self.path),
                f"{self.path} is not a vi2en translation memory (its translations table has "
                f"{found}; expected {', '.join(_COLUMNS)}); {_FIX}",
            )

    def _error(self, exc: sqlite3.Error, action: str) -> CacheError:
        """One actionable line for what SQLite said about this file."""
        code = _code(exc)
        where = f"the translation memory {self.path}"
        if code in {_BUSY, _LOCKED}:
            message = (
                f"{where} is locked by another process ({exc}); wait for it to finish, "
                "or pass --cache OTHER or --no-cache"
            )
        elif code in {_CORRUPT, _NOTADB}:
            message = f"{where} is damaged ({exc}); {_FIX}"
        elif code == _FULL:
            message = f"cannot write {where}: the disk is full; free disk space, or pass --cache OTHER or --no-cache"
        elif code == _READONLY:
            message = f"cannot write {where}: it is read-only; pass --cache OTHER or --no-cache"
        elif action == "create":
            message = f"cannot create {where}: {exc}; pass --cache OTHER or --no-cache"
        else:
            message = f"cannot {action} {where}: {exc}; {_FIX}"
        return CacheError(str(self.path), message)

    def lookup(self, namespace: str, sources: Sequence[str]) -> dict[str, str]:
        """Stored translations of ``sources`` (normalised keys) under ``namespace``.

        Raises:
            CacheError: The file is damaged or locked.
        """
        found: dict[str, str] = {}
        unique = list(dict.fromkeys(sources))
        try:
            for i in range(0, len(unique), _CHUNK):
                chunk = unique[i : i + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT source, target FROM translations WHERE namespace = ? AND source IN ({marks})",
                    [namespace, *chunk],
                )
                found.update(rows)
        except sqlite3.Error as exc:
            raise self._error(exc, "read") from exc
        return found

    def store(self, namespace: str, pairs: Iterable[tuple[str, str]]) -> None:
        """Remember ``(normalised source, target)`` pairs under ``namespace``.

        Nothing is stored in a read-only memory.

        Raises:
            CacheError: The file is damaged, locked or the disk is full.
        """
        if self.read_only:
            return
        rows = [(namespace, source, target) for source, target in pairs]
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany("INSERT OR REPLACE INTO translations VALUES (?, ?, ?)", rows)
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise self._error(exc, "write") from exc

    def __len__(self) -> int:
        try:
            return int(self._db.execute("SELECT COUNT(*) FROM translations").fetchone()[0])
        except sqlite3.Error as exc:
            raise self._error(exc, "read") from exc

    def close(self) -> None:
        """Close the database."""
        self._db.close()


def _code(exc: sqlite3.Error) -> int:
    return int(getattr(exc, "sqlite_errorcode", 0)) & 0xFF
