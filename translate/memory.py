"""A persistent translation memory: SQLite, keyed by settings and normalised source.

News corpora repeat boilerplate (bylines, captions, "Xem thêm:") across thousands
of articles, and re-runs repeat everything: neither should reach the model twice.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

from translate.errors import OutputError

_SPACES = re.compile(r"\s+")
# Invisible characters that change tokenisation but not meaning (scraped news is full of them).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
# SQLite's default limit on host parameters is 999 in older builds.
_CHUNK = 500


def normalise_source(text: str) -> str:
    """What the model sees of a sentence, and the memory's key for it.

    NFC, invisible characters (zero-width spaces, BOM, soft hyphens) removed,
    runs of whitespace (no-break spaces included) collapsed to one space.
    """
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return _SPACES.sub(" ", text).strip()


def namespace_key(*parts: str) -> str:
    """A short key naming a model + backend + decoding configuration."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:24]


class TranslationMemory:
    """Translations stored by (configuration key, normalised source sentence).

    Args:
        path: The SQLite file; created with its parent directories if missing.

    Raises:
        OutputError: The file cannot be created or is not a usable database.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS translations ("
                " namespace TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL,"
                " PRIMARY KEY (namespace, source)) WITHOUT ROWID"
            )
            self._db.commit()
        except (OSError, sqlite3.Error) as exc:
            raise OutputError(
                f"cannot open the translation memory {path}: {exc}; "
                "delete the file, pass --cache PATH elsewhere, or --no-cache"
            ) from exc

    def lookup(self, namespace: str, sources: Sequence[str]) -> dict[str, str]:
        """Stored translations of ``sources`` (normalised keys) under ``namespace``."""
        found: dict[str, str] = {}
        unique = list(dict.fromkeys(sources))
        for i in range(0, len(unique), _CHUNK):
            chunk = unique[i : i + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT source, target FROM translations WHERE namespace = ? AND source IN ({marks})",
                [namespace, *chunk],
            )
            found.update(rows)
        return found

    def store(self, namespace: str, pairs: Iterable[tuple[str, str]]) -> None:
        """Remember ``(normalised source, target)`` pairs under ``namespace``."""
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO translations VALUES (?, ?, ?)",
                    [(namespace, source, target) for source, target in pairs],
                )
        except sqlite3.OperationalError as exc:
            raise OutputError(
                f"cannot write the translation memory {self.path}: {exc}; "
                "free disk space, pass --cache PATH elsewhere, or --no-cache"
            ) from exc

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM translations").fetchone()[0])

    def close(self) -> None:
        """Close the database."""
        self._db.close()
