"""Read the CLI's inputs (files, folders, ``-``) into normalised Documents.

Every input becomes :class:`~translate.records.Document` records, or a
:class:`~translate.records.DocumentFailure` that says what is wrong with it
and how to fix it; one bad file or record never stops the others, whatever is
wrong with it (undecodable bytes, a lone UTF-16 surrogate, a number too big for
Python, JSON nested too deeply, a bug). Documents are yielded one at a time: a
folder is walked lazily and a JSONL file is read line by line. Only regular
files are read (a FIFO or a device is refused, never opened), output folders of
vi2en are never read as input, and every document gets an output path that no
other document's file or folder shares and that fits in a file name.

Text and JSONL documents hold the input's text: decoded (UTF-8 by default; a
UTF-8, UTF-16 or UTF-32 byte-order mark is honoured; ``ReadOptions.encoding``
wins), line ends made LF, paragraphs stripped, blank ones dropped, and NFC
applied (decomposed Vietnamese diacritics tokenise differently from composed
ones). No-break and doubled spaces, tabs, zero-width and control characters
stay, so that every sentence span indexes the input's paragraph; only what the
model is fed is cleaned (:func:`clean_paragraph`). HTML paragraphs are the
page's text cleaned the same way, since spacing in HTML is markup.

Formats are one name→:class:`Reader` table, :data:`READERS`, which also feeds
the CLI's ``--input-format`` choice. The HTML reader imports
:mod:`translate.html` (and trafilatura) only when the first HTML page is read.
"""

from __future__ import annotations

import codecs
import dataclasses
import hashlib
import json
import logging
import os
import re
import stat
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from translate._dist import missing_package_reason
from translate.errors import InputError, Interrupted, UnknownNameError
from translate.records import Document, DocumentFailure

# Bumped whenever normalisation or extraction changes what a file reads as, so
# that content hashes of documents read by an older version no longer match.
_READER_VERSION = "2"

# Zero-width characters and the soft hyphen: invisible, but they split a word
# in two for the tokenizer. C0/C1 control characters (other than whitespace)
# have no place in news text either.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_CONTROLS = "".join(chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)] if not chr(c).isspace())
_DROP = re.compile(f"[{re.escape(_INVISIBLE + _CONTROLS)}]")
# Any whitespace that is not a single ordinary space: runs of spaces, tabs,
# U+00A0 and the other no-break and typographic spaces (Python's \s covers them).
# (A regex, not str.split/translate: several times faster on a 50 MB line.)
_ODD_WHITESPACE = re.compile(r"[^\S ]\s*| \s+")

logger = logging.getLogger(__name__)

_HEAD_BYTES = 8192
# A lone UTF-16 surrogate: JSON's "\ud800" escape, or a file name that is not
# UTF-8 (os.fsdecode turns its bytes into U+DC80..U+DCFF). Python holds it, but
# it cannot be written as UTF-8, so it must never reach a Document.
_SURROGATE = re.compile("[\ud800-\udfff]")
# One path component of an output file at most, in UTF-8 bytes: file systems
# allow 255, and the writers add ".txt" and a temporary ".NAME.tmp-PID".
_MAX_NAME_BYTES = 200
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
_HTML_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class ReadOptions:
    """How inputs are read.

    Attributes:
        encoding: Codec of the input files; ``None`` reads UTF-8 and honours a
            UTF-8, UTF-16 or UTF-32 byte-order mark. Example: ``"cp1258"``.
        blank_line_paragraphs: In text (``.txt`` and JSONL text fields),
            paragraphs are separated by blank lines and the lines inside one
            are joined with a space (hard-wrapped text). By default every
            non-empty line is a paragraph, which is how scraped news is stored.
        id_field: JSONL field holding the document id.
        text_field: JSONL field holding the article text.
        title_field: JSONL field holding the headline (paragraph 0), optional.
        body_field: JSONL field holding the article text when there is no
            ``text_field``.
        input_format: ``auto`` (by file extension; stdin is txt) or the name of
            a reader in :data:`READERS`.

    Raises:
        UnknownNameError: ``input_format`` is not ``auto`` or a reader name.
        InputError: ``encoding`` is not a text codec Python knows.
    """

    encoding: str | None = None
    blank_line_paragraphs: bool = False
    id_field: str = "id"
    text_field: str = "text"
    title_field: str = "title"
    body_field: str = "body"
    input_format: str = "auto"

    def __post_init__(self) -> None:
        if self.input_format != "auto" and self.input_format not in READERS:
            raise UnknownNameError("input format", self.input_format, ["auto", *READERS])
        if self.encoding is not None:
            check_encoding(self.encoding)

    @property
    def paragraph_break(self) -> str:
        """How paragraphs of text read with these options are separated."""
        return "\n\n" if self.blank_line_paragraphs else "\n"


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


@dataclass(frozen=True)
class InputFile:
    """One file (or stdin) to read, with the names its documents get.

    Attributes:
        source: The path as the user named it (joined to the folder for folder
            inputs), or ``-`` for stdin; used in messages.
        doc_id: The document id of a whole-file document: the path relative to
            the folder given, the file name, or ``stdin``.
        output_path: ``doc_id`` without its extension (POSIX); JSONL documents
            are written under it as a folder.
        path: The file; ``None`` for stdin.
        stream: The stream to read for stdin (bytes or text).
    """

    source: str
    doc_id: str
    output_path: str
    path: Path | None = None
    stream: IO[Any] | None = None

    def failure(self, reason: str) -> DocumentFailure:
        """A failure of the whole file."""
        return DocumentFailure(self.doc_id, self.source, reason)

    def read_text(
        self, encoding: str | None, decoder: Callable[[bytes, str, str | None], str]
    ) -> str:
        """The whole content, decoded.

        Args:
            encoding: The ``--encoding`` codec, or ``None``.
            decoder: Turns ``(bytes, source, encoding)`` into text; a text
                stream is already decoded and skips it.

        Raises:
            InputError: The file cannot be read, is empty, or cannot be decoded.
        """
        if self.stream is not None:
            data = self.stream.read()
            if isinstance(data, str):
                return data.removeprefix("\ufeff")
        else:
            assert self.path is not None
            with open_input(self.path, self.source) as file:
                try:
                    data = file.read()
                except OSError as exc:
                    raise InputError(self.source, _os_reason(exc)) from exc
        if not data:
            raise InputError(self.source, "empty file; nothing to translate")
        return decoder(data, self.source, encoding)


@dataclass(frozen=True)
class Reader:
    """An input format: the extensions it claims and how it reads one file.

    Attributes:
        name: The format name (``--input-format``).
        extensions: Lower-case file extensions, with the dot, read by this
            reader when the format is ``auto``.
        read: Reads one file into documents and per-document failures.
    """

    name: str
    extensions: tuple[str, ...]
    read: Callable[[InputFile, ReadOptions], Iterator[Document | DocumentFailure]]


# --- normalisation ---------------------------------------------------------------------


def clean_paragraph(text: str) -> str:
    """What the model is fed of a text: invisible characters removed, spaces single, NFC.

    Zero-width characters, soft hyphens and control characters are removed,
    every run of whitespace (line breaks, tabs, no-break spaces) becomes one
    space, and the text is stripped. Documents keep the input's text (see
    :func:`split_paragraphs`); the translator cleans each sentence with this,
    and the HTML reader cleans the text of a page (whose spacing is markup).

    Args:
        text: A paragraph or sentence.

    Returns:
        The cleaned text; empty if nothing visible was left.
    """
    text = _ODD_WHITESPACE.sub(" ", _DROP.sub("", text)).strip(" ")
    # NFC last: a zero-width character between a letter and its combining mark
    # blocks composition until it is removed.
    return unicodedata.normalize("NFC", text)


def input_paragraph(text: str) -> str:
    """One paragraph as the input holds it: NFC, line breaks made spaces, stripped.

    Nothing else changes (no-break spaces, doubled spaces, tabs, zero-width
    and control characters are kept), so that a sentence's span in the
    paragraph is the input's text to the letter.

    Returns:
        The paragraph; empty if it holds nothing visible.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text.replace("\n", " ").strip())
    return text if clean_paragraph(text) else ""


def split_paragraphs(text: str, blank_line_paragraphs: bool = False) -> list[str]:
    """Split decoded text into its non-empty paragraphs, as the input holds them.

    Each paragraph is NFC and stripped (:func:`input_paragraph`); a line that
    holds nothing visible (only whitespace, zero-width or control characters)
    is blank.

    Args:
        text: The text, with any line ends (LF, CRLF, CR).
        blank_line_paragraphs: Paragraphs are separated by blank lines and the
            line breaks inside one become spaces; otherwise every non-blank
            line is a paragraph.

    Returns:
        The paragraphs, in order.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if not blank_line_paragraphs:
        return [p for p in map(input_paragraph, lines) if p]
    paragraphs: list[str] = []
    block: list[str] = []
    for line in [*lines, ""]:
        if clean_paragraph(line):
            block.append(line)
        elif block:
            paragraphs.append(input_paragraph(" ".join(block)))
            block = []
    return paragraphs


def content_hash(paragraphs: Sequence[str], paragraph_break: str) -> str:
    """SHA-256 (hex) of a document's normalised text and the reader settings that shape it."""
    digest = hashlib.sha256(f"vi2en-reader/{_READER_VERSION}\0{paragraph_break}\0".encode())
    digest.update("\n".join(paragraphs).encode("utf-8"))
    return digest.hexdigest()


def read_text(text: str, doc_id: str = "text") -> Document:
    """Make a document of a string: every non-empty line is a paragraph.

    Args:
        text: Vietnamese text.
        doc_id: The document's id (also its output path).

    Returns:
        The document; it has no paragraphs when ``text`` has no visible text.
    """
    paragraphs = tuple(split_paragraphs(text))
    return Document(doc_id, paragraphs, "<text>", doc_id, content_hash(paragraphs, "\n"), "\n")


def _document(
    item: InputFile,
    paragraphs: Sequence[str],
    paragraph_break: str,
    *,
    doc_id: str | None = None,
    source: str | None = None,
    output_path: str | None = None,
) -> Document | DocumentFailure:
    doc_id = item.doc_id if doc_id is None else doc_id
    for number, paragraph in enumerate(paragraphs):
        if (found := _SURROGATE.search(paragraph)) is not None:
            return DocumentFailure(
                doc_id,
                item.source if source is None else source,
                f"the text contains an unpaired surrogate {_escaped(found.group())} (paragraph "
                f"{number + 1}, character {found.start() + 1}), half of a UTF-16 pair, which "
                "no UTF-8 text can hold; the tool that wrote the input split the pair: fix it "
                "there or remove the character",
            )
    return Document(
        doc_id=doc_id,
        paragraphs=tuple(paragraphs),
        source=item.source if source is None else source,
        output_path=item.output_path if output_path is None else output_path,
        content_hash=content_hash(paragraphs, paragraph_break),
        paragraph_break=paragraph_break,
    )


def _escaped(text: str) -> str:
    """``text`` with every lone surrogate written as a ``\\uXXXX`` escape."""
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


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


# --- decoding --------------------------------------------------------------------------


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


# --- readers ---------------------------------------------------------------------------


def _read_txt(item: InputFile, options: ReadOptions) -> Iterator[Document | DocumentFailure]:
    try:
        text = item.read_text(options.encoding, decode)
    except InputError as exc:
        yield item.failure(exc.reason)
        return
    paragraphs = split_paragraphs(text, options.blank_line_paragraphs)
    if not paragraphs:
        yield item.failure(_no_text(text))
        return
    document = _document(item, paragraphs, options.paragraph_break)
    # The reader is suspended while its document is translated: keep only the document.
    del text, paragraphs
    yield document


def _no_text(text: str) -> str:
    if not text:
        return "empty file; nothing to translate"
    return "contains only whitespace or invisible characters; nothing to translate"


# JSONL --------------------------------------------------------------------------------


_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    return _JSON_TYPES.get(type(value), "a number")


def _safe_name(doc_id: str) -> str:
    """A file name for ``doc_id``: itself if harmless, else a readable part plus a hash."""
    safe = re.sub(r"[^\w.-]+", "_", doc_id)[:80].lstrip(".") or "_"
    if safe == doc_id and len(safe.encode("utf-8")) <= _MAX_NAME_BYTES:
        return safe
    # The hash keeps ids that differ only in unsafe characters apart ("a/b", "a b").
    return f"{_truncate_utf8(safe, _MAX_NAME_BYTES - 9)}-{_short_hash(doc_id)}"


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def _truncate_utf8(text: str, limit: int) -> str:
    """The longest prefix of ``text`` that is at most ``limit`` bytes in UTF-8."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


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


def _jsonl_lines(item: InputFile, encoding: str | None) -> Iterator[tuple[int, bytes | str]]:
    """Yield (line number, raw line) lazily; raises InputError for a file-level problem."""
    if item.stream is not None:
        yield from enumerate(item.stream, start=1)
        return
    assert item.path is not None
    with open_input(item.path, item.source) as file:
        try:
            head = file.read(_HEAD_BYTES)
            if not head:
                raise InputError(item.source, "empty file; nothing to translate")
            bom_encoding = _bom_encoding(head)
            _check_binary(head, item.source, nul_bytes=encoding is None and bom_encoding is None)
            file.seek(0)
            codec = encoding or bom_encoding
            if codec is not None and not _ascii_compatible(codec):
                # UTF-16/32: lines cannot be split on b"\n", so decode as a stream.
                text = _TextLines(file, codec, item.source)
                yield from enumerate(text, start=1)
            else:
                yield from enumerate(file, start=1)
        except OSError as exc:
            raise InputError(item.source, _os_reason(exc)) from exc


def _ascii_compatible(codec: str) -> bool:
    name = codecs.lookup(codec).name
    return not name.startswith(("utf-16", "utf-32", "utf_16", "utf_32"))


class _TextLines:
    """Lines of a binary file decoded as a stream, with decode errors as InputError."""

    def __init__(self, file: IO[bytes], codec: str, source: str) -> None:
        import io

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


def _read_jsonl(item: InputFile, options: ReadOptions) -> Iterator[Document | DocumentFailure]:
    name = Path(item.doc_id).name
    records = 0
    try:
        for number, raw in _jsonl_lines(item, options.encoding):
            line_source = f"{item.source}:{number}"
            fallback_id = f"{name}:{number}"
            if isinstance(raw, bytes):
                try:
                    line = raw.decode(options.encoding or "utf-8")
                except UnicodeDecodeError as exc:
                    where = f"at offset {exc.start} of the line"
                    reason = _undecodable(raw, exc, where, options.encoding)
                    records += 1
                    yield DocumentFailure(fallback_id, line_source, reason)
                    continue
            else:
                line = raw
            # A byte-order mark may start any line: files joined with `cat` keep theirs.
            line = line.removeprefix("\ufeff")
            if not line.strip():
                continue
            records += 1
            result = _jsonl_record(
                item, options, line.rstrip("\r\n"), number, line_source, fallback_id
            )
            # The reader is suspended while its document is translated: keep only the document.
            del raw, line
            yield result
    except InputError as exc:
        yield item.failure(exc.reason)
        return
    if records == 0:
        yield item.failure("no JSON lines in the file; nothing to translate")


def _jsonl_record(
    item: InputFile,
    options: ReadOptions,
    line: str,
    number: int,
    source: str,
    fallback_id: str,
) -> Document | DocumentFailure:
    example = f'{{"{options.id_field}": "1", "{options.text_field}": "..."}}'
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return DocumentFailure(
            fallback_id,
            source,
            f"invalid JSON ({exc.msg} at character {exc.pos + 1}); every line must be one JSON "
            f"object such as {example}",
        )
    except ValueError as exc:  # an integer of more than 4300 digits
        return DocumentFailure(
            fallback_id, source, f"invalid JSON ({exc}); every line must be one JSON object"
        )
    except RecursionError:
        return DocumentFailure(
            fallback_id,
            source,
            "invalid JSON: arrays or objects nested too deeply to read; every line must be "
            f"one JSON object such as {example}",
        )
    if not isinstance(record, dict):
        return DocumentFailure(
            fallback_id,
            source,
            f"the line is {_json_type(record)}, not a JSON object; every line must be one "
            f"object such as {example}",
        )

    raw_id = record.get(options.id_field)
    if raw_id is None:
        # No id: the file name and line number are stable while the file is unchanged.
        doc_id = fallback_id
    elif isinstance(raw_id, str) and _SURROGATE.search(raw_id):
        return DocumentFailure(
            fallback_id,
            source,
            f'the "{options.id_field}" field ("{_escaped(raw_id)[:100]}") contains an unpaired '
            "surrogate, half of a UTF-16 pair, which no UTF-8 text can hold; the tool that "
            "wrote the input split the pair: fix the id there",
        )
    elif isinstance(raw_id, str) and raw_id.strip():
        doc_id = raw_id
    elif isinstance(raw_id, int) and not isinstance(raw_id, bool):
        doc_id = str(raw_id)
    else:
        return DocumentFailure(
            fallback_id,
            source,
            f'the "{options.id_field}" field is {_json_type(raw_id)}; use a non-empty string '
            "or an integer, unique in the input (or leave it out to use the line number)",
        )

    def failure(reason: str) -> DocumentFailure:
        return DocumentFailure(doc_id, source, reason)

    title = record.get(options.title_field)
    if title is not None and not isinstance(title, str):
        return failure(f'the "{options.title_field}" field is {_json_type(title)}, not a string')
    field = options.text_field if options.text_field in record else options.body_field
    text = record.get(field)
    if field not in record:
        found = ", ".join(f'"{key}"' for key in list(record)[:10]) or "none"
        return failure(
            f'no "{options.text_field}" (or "{options.body_field}") field; fields found: '
            f"{found}; name the text field with --text-field"
        )
    if not isinstance(text, str):
        return failure(f'the "{field}" field is {_json_type(text)}, not a string')
    paragraphs = split_paragraphs(text, options.blank_line_paragraphs)
    if not paragraphs:
        return failure(f'the "{field}" field has no text; nothing to translate')
    if title is not None and (headline := input_paragraph(title)):
        paragraphs.insert(0, headline)
    return _document(
        item,
        paragraphs,
        options.paragraph_break,
        doc_id=doc_id,
        source=source,
        output_path=f"{item.output_path}/{_safe_name(doc_id)}",
    )


# HTML ---------------------------------------------------------------------------------


def _read_html(item: InputFile, options: ReadOptions) -> Iterator[Document | DocumentFailure]:
    try:
        html = item.read_text(options.encoding, _decode_html)
    except InputError as exc:
        yield item.failure(exc.reason)
        return
    if not html.strip():
        yield item.failure(_no_text(html))
        return
    try:
        from translate.html import extract_article  # trafilatura is heavy: only for HTML

        extraction = extract_article(html)
    except ImportError as exc:  # a dependency missing: this document's failure, not the run's
        yield item.failure(missing_package_reason(exc, "reading HTML"))
        return
    if extraction.reason is not None:
        yield item.failure(extraction.reason)
        return
    yield _document(item, extraction.paragraphs, "\n")


def _decode_html(data: bytes, source: str, encoding: str | None) -> str:
    try:
        return decode(data, source, encoding)
    except InputError:
        # A few stray NUL bytes in a page (a crawler's or an editor's) are dropped,
        # as browsers do; UTF-16 has one in every other byte and stays refused.
        nuls = data.count(b"\x00")
        if encoding is None and 0 < nuls * 100 < len(data):
            try:
                return decode(data.replace(b"\x00", b""), source, encoding)
            except InputError:
                pass
        # A page that is not UTF-8 usually says what it is in <meta charset>.
        declared = _HTML_CHARSET.search(data[:_HEAD_BYTES]) if encoding is None else None
        if declared is not None:
            charset = declared.group(1).decode("ascii")
            try:
                return data.decode(charset)
            except (LookupError, UnicodeDecodeError):
                pass
        raise


READERS: dict[str, Reader] = {
    "txt": Reader("txt", (".txt",), _read_txt),
    "jsonl": Reader("jsonl", (".jsonl",), _read_jsonl),
    "html": Reader("html", (".html", ".htm"), _read_html),
}
_BY_EXTENSION = {ext: reader for reader in READERS.values() for ext in reader.extensions}


# --- inputs ----------------------------------------------------------------------------


def _is_hidden(name: str) -> bool:
    return name.startswith(".")


_STATE_DIR = ".vi2en"  # translate.job.STATE_DIR; job imports the pipeline, not the readers
_MANIFEST = "manifest.json"


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
        if os.path.isdir(os.path.join(directory, _STATE_DIR)) or _is_manifest(
            os.path.join(directory, _MANIFEST)
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


# What vi2en writes at the top of an output folder (translate.job's names).
_OUTPUT_NAMES = re.compile(r"txt|errors\.jsonl|manifest\.json|corpus\.(tsv|vi|en|ids|jsonl|tmx)")


def _is_vi2en_output(name: str) -> bool:
    return _OUTPUT_NAMES.fullmatch(name) is not None


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
            elif os.path.splitext(entry.name)[1].lower() in _BY_EXTENSION:
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
    names = ", ".join(sorted(_BY_EXTENSION))
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


def _reader_for(name: str, options: ReadOptions) -> Reader:
    if options.input_format != "auto":
        return READERS[options.input_format]
    return _BY_EXTENSION.get(os.path.splitext(name)[1].lower(), READERS["txt"])


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
    ids: dict[str, str] = {}
    outputs = _OutputPaths()
    for entry in _input_files(inputs, options, stdin, _Excluded.of(exclude, warn=True)):
        if isinstance(entry, DocumentFailure):
            yield _printable(entry)
            continue
        item, reader = entry
        for result in _read_isolated(reader, item, options):
            if isinstance(result, DocumentFailure):
                yield _printable(result)
                continue
            clash = _clash(result, ids)
            if clash is not None:
                yield _printable(clash)
                continue
            ids[result.doc_id] = result.source
            yield outputs.claim(result)


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
) -> int | None:
    """About how many documents :func:`read_documents` will yield, cheaply.

    One per file, one per non-blank line of a JSONL file; for a progress bar's
    total, so failures count too. ``None`` when stdin is among the inputs.
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
