"""Bytes to text: byte-order marks, binary files refused, the Windows-1258 hint, codecs.

Only regular files are opened (:func:`open_input`); a file that is binary (by
its magic number or a NUL byte) is refused with a reason that says what to do,
and a decode error names the byte, where it is, and the ``--encoding`` to try.
"""

from __future__ import annotations

import codecs
import io
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from translate.errors import InputError

_HEAD_BYTES = 8192
_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONVERT = "save the article as .txt (or .html or .jsonl) and read that"
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image", _CONVERT),
    (b"\xff\xd8\xff", "a JPEG image", _CONVERT),
    (b"GIF87a", "a GIF image", _CONVERT),
    (b"GIF89a", "a GIF image", _CONVERT),
    (b"\x7fELF", "an ELF executable", _CONVERT),
    (b"%PDF-", "a PDF document", "extract its text into a .txt file and read that"),
    (b"PK\x03\x04", "a ZIP archive, .docx or .odt", _CONVERT),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document", _CONVERT),
    (b"\x1f\x8b", "a gzip archive", "decompress it first"),
    (b"\xfd7zXZ\x00", "an xz archive", "decompress it first"),
    (b"SQLite format 3\x00", "an SQLite database", _CONVERT),
)

# Letters only Vietnamese uses, and the combining tone marks that Windows-1258
# stores as separate bytes: decoded as cp1258, Vietnamese text has them in most
# words, other languages in Latin-1 or cp1252 almost never.
_VIETNAMESE_ONLY = frozenset("ăđơưĂĐƠƯ\u0300\u0301\u0303\u0309\u0323")


def check_encoding(name: str) -> None:
    """Check that ``name`` is a text encoding (bytes → str) that Python knows.

    Raises:
        InputError: Unknown, or a bytes-to-bytes codec such as base64, hex,
            zlib or rot13.
    """
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise InputError(
            "--encoding",
            f"unknown encoding {name!r}; use a Python codec name such as utf-8, utf-16 or cp1258",
        ) from None
    if not getattr(info, "_is_text_encoding", True):
        raise InputError(
            "--encoding",
            f"{name!r} is not a text encoding (it turns bytes into bytes); use a text "
            "encoding such as utf-8, utf-16 or cp1258",
        )


def _os_reason(exc: OSError, what: str = "file") -> str:
    if isinstance(exc, PermissionError):
        return f"cannot read the {what}: permission denied; check its permissions"
    return f"cannot read the {what}: {exc.strerror or exc}"


_FILE_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a folder"),
)


def _not_regular(mode: int) -> str | None:
    """Why a file of this mode is not read (``None`` for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    kind = next((what for test, what in _FILE_KINDS if test(mode)), "a special file")
    return f"not a regular file ({kind}); skipped: only regular files are read"


def open_input(path: Path, source: str) -> IO[bytes]:
    """Open an input file for reading, refusing anything but a regular file.

    The file is opened without blocking and checked on its descriptor, so a
    FIFO with no writer (or a path swapped for one) can neither hang the run
    nor be read, and a device such as ``/dev/zero`` is never read from.

    Args:
        path: The file.
        source: The file as the user named it, for the error.

    Raises:
        InputError: The file cannot be opened or is not a regular file.
    """
    try:
        reason = _not_regular(os.stat(path).st_mode)
        if reason is not None:
            raise InputError(source, reason)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError(source, _os_reason(exc)) from exc
    try:
        reason = _not_regular(os.fstat(fd).st_mode)
        if reason is not None:
            raise InputError(source, reason)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _bom_encoding(head: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    return None


def _check_binary(head: bytes, source: str, *, nul_bytes: bool = True) -> None:
    for magic, what, advice in _MAGIC:
        if head.startswith(magic):
            raise InputError(source, f"binary file ({what}), not text; {advice}")
    nul = head.find(b"\x00") if nul_bytes else -1
    if nul >= 0:
        raise InputError(
            source,
            f"binary file (NUL byte at offset {nul}), not text; if it is UTF-16 or UTF-32 "
            "text without a byte-order mark, pass --encoding utf-16-le (or the right one)",
        )


def _looks_like_cp1258_vietnamese(data: bytes) -> bool:
    try:
        text = data[:65536].decode("cp1258")
    except UnicodeDecodeError:
        return False
    words = text.split()
    marked = sum(not word.isascii() for word in words)
    return marked >= 0.3 * len(words) > 0 and any(c in _VIETNAMESE_ONLY for c in text)


def _undecodable(data: bytes, exc: UnicodeDecodeError, where: str, encoding: str | None) -> str:
    """The reason for a decode error, with where it is and which --encoding to try.

    Args:
        data: The bytes that failed to decode.
        exc: The error.
        where: Where the bad byte is, in words ("at offset 12, line 1").
        encoding: The codec that failed, when the user chose it or a BOM did;
            ``None`` for the UTF-8 default.
    """
    byte = f"byte 0x{data[exc.start]:02X} {where}"
    if encoding is not None:
        return f"not valid {encoding} ({byte}); check --encoding"
    if _looks_like_cp1258_vietnamese(data):
        return (
            f"not valid UTF-8 ({byte}); it looks like Vietnamese in the Windows-1258 "
            "code page: pass --encoding cp1258"
        )
    return (
        f"not valid UTF-8 ({byte}); pass --encoding ENC with the file's encoding "
        "(for example --encoding cp1258 for Windows Vietnamese), or convert it to UTF-8"
    )


def _file_position(data: bytes, offset: int) -> str:
    line = data.count(b"\n", 0, offset) + 1
    return f"at offset {offset}, line {line}"


def decode(data: bytes, source: str, encoding: str | None = None) -> str:
    """Decode a whole file, refusing binary files with a reason that says what to do.

    Args:
        data: The file's bytes.
        source: The file, for the error.
        encoding: A codec name; ``None`` detects a BOM and otherwise reads UTF-8.

    Returns:
        The text, without a byte-order mark.

    Raises:
        InputError: The file is binary or not in the encoding.
    """
    head = data[:_HEAD_BYTES]
    bom_encoding = _bom_encoding(head)
    _check_binary(head, source, nul_bytes=encoding is None and bom_encoding is None)
    codec = encoding or bom_encoding or "utf-8"
    try:
        return data.decode(codec).removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        where = _file_position(data, exc.start)
        if encoding is None and bom_encoding in ("utf-16", "utf-32"):
            raise InputError(
                source,
                f"not valid {bom_encoding.upper()} (at offset {exc.start}) although it starts "
                f"with a {bom_encoding.upper()} byte-order mark; the file is damaged, or pass "
                "--encoding ENC",
            ) from exc
        raise InputError(source, _undecodable(data, exc, where, encoding)) from exc


def _ascii_compatible(codec: str) -> bool:
    name = codecs.lookup(codec).name
    return not name.startswith(("utf-16", "utf-32", "utf_16", "utf_32"))


class _TextLines:
    """Lines of a binary file decoded as a stream, with decode errors as InputError."""

    def __init__(self, file: IO[bytes], codec: str, source: str) -> None:
        self._text = io.TextIOWrapper(file, encoding=codec, newline=None)
        self._source = source

    def __iter__(self) -> Iterator[str]:
        lines = 0
        try:
            for line in self._text:
                yield line
                lines += 1
        except UnicodeDecodeError as exc:
            raise InputError(
                self._source,
                f"not valid {self._text.encoding} after line {lines} ({exc.reason}); "
                "check --encoding",
            ) from exc
        finally:
            self._text.detach()
