"""Read the CLI's inputs (files, folders, ``-``) into normalised Documents.

Every input becomes :class:`~translate.records.Document` records, or a
:class:`~translate.records.DocumentFailure` that says what is wrong with it
and how to fix it; one bad file never stops the others. Documents are yielded
one at a time: a folder is walked lazily and a JSONL file is read line by line.

Text is normalised the same way for every format, before anything else sees
it: decoded (UTF-8 by default; a UTF-8, UTF-16 or UTF-32 byte-order mark is
honoured; ``ReadOptions.encoding`` wins), line ends made LF, zero-width
characters removed (unless ``keep_invisible``), every run of whitespace (no-break and other odd spaces,
tabs) turned into one ordinary space, paragraphs stripped, empty ones dropped,
and NFC applied, because decomposed Vietnamese diacritics tokenise differently
from composed ones.

Formats are one name→:class:`Reader` table, :data:`READERS`, which also feeds
the CLI's ``--input-format`` choice. The HTML reader imports
:mod:`translate.html` (and trafilatura) only when the first HTML page is read.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from translate._dist import missing_package_reason
from translate.errors import InputError, UnknownNameError
from translate.records import Document, DocumentFailure

# Bumped whenever normalisation or extraction changes what a file reads as, so
# that content hashes of documents read by an older version no longer match.
_READER_VERSION = "1"

# Zero-width characters and the soft hyphen: invisible, but they split a word
# in two for the tokenizer. C0/C1 control characters (other than whitespace)
# have no place in news text either.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_CONTROLS = "".join(chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)] if not chr(c).isspace())
_DROP = re.compile(f"[{re.escape(_INVISIBLE + _CONTROLS)}]")
_DROP_CONTROLS = re.compile(f"[{re.escape(_CONTROLS)}]")
# Any whitespace that is not a single ordinary space: runs of spaces, tabs,
# U+00A0 and the other no-break and typographic spaces (Python's \s covers them).
# (A regex, not str.split/translate: several times faster on a 50 MB line.)
_ODD_WHITESPACE = re.compile(r"[^\S ]\s*| \s+")

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
_HTML_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)

_NO_ARTICLE = (
    "no article text found; if this page is a listing or the article is rendered by "
    "JavaScript, save the article text as .txt"
)


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
        keep_invisible: Keep zero-width characters and soft hyphens in text
            (``.txt`` and JSONL), so that the text is the file's to the letter
            (``vi2en segment`` uses it; the translator drops them anyway).

    Raises:
        UnknownNameError: ``input_format`` is not ``auto`` or a reader name.
        InputError: ``encoding`` is not a codec Python knows.
    """

    encoding: str | None = None
    blank_line_paragraphs: bool = False
    id_field: str = "id"
    text_field: str = "text"
    title_field: str = "title"
    body_field: str = "body"
    input_format: str = "auto"
    keep_invisible: bool = False

    def __post_init__(self) -> None:
        if self.input_format != "auto" and self.input_format not in READERS:
            raise UnknownNameError("input format", self.input_format, ["auto", *READERS])
        if self.encoding is not None:
            try:
                codecs.lookup(self.encoding)
            except LookupError:
                raise InputError(
                    "--encoding",
                    f"unknown encoding {self.encoding!r}; use a Python codec name "
                    "such as utf-8, utf-16 or cp1258",
                ) from None

    @property
    def paragraph_break(self) -> str:
        """How paragraphs of text read with these options are separated."""
        return "\n\n" if self.blank_line_paragraphs else "\n"


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
            try:
                data = self.path.read_bytes()
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


def clean_paragraph(text: str, keep_invisible: bool = False) -> str:
    """Normalise one paragraph: invisible characters removed, spaces single, NFC.

    Args:
        text: One paragraph (or line); inner line breaks become spaces.
        keep_invisible: Keep zero-width characters and soft hyphens (control
            characters still go).

    Returns:
        The paragraph stripped; empty if nothing visible was left.
    """
    if keep_invisible:
        if not _DROP.sub("", text).strip():
            return ""
        text = _ODD_WHITESPACE.sub(" ", _DROP_CONTROLS.sub("", text)).strip(" ")
        return unicodedata.normalize("NFC", text)
    text = _ODD_WHITESPACE.sub(" ", _DROP.sub("", text)).strip(" ")
    # NFC last: a zero-width character between a letter and its combining mark
    # blocks composition until it is removed.
    return unicodedata.normalize("NFC", text)


def split_paragraphs(
    text: str, blank_line_paragraphs: bool = False, keep_invisible: bool = False
) -> list[str]:
    """Split decoded text into normalised, non-empty paragraphs.

    Args:
        text: The text, with any line ends (LF, CRLF, CR).
        blank_line_paragraphs: Paragraphs are separated by blank lines and the
            lines inside one are joined with a space; otherwise every
            non-empty line is a paragraph.
        keep_invisible: See :func:`clean_paragraph`.

    Returns:
        The paragraphs, in order.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [clean_paragraph(line, keep_invisible) for line in text.split("\n")]
    if not blank_line_paragraphs:
        return [p for p in lines if p]
    paragraphs: list[str] = []
    block: list[str] = []
    for line in lines:
        if line:
            block.append(line)
        elif block:
            paragraphs.append(" ".join(block))
            block = []
    if block:
        paragraphs.append(" ".join(block))
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
) -> Document:
    return Document(
        doc_id=item.doc_id if doc_id is None else doc_id,
        paragraphs=tuple(paragraphs),
        source=item.source if source is None else source,
        output_path=item.output_path if output_path is None else output_path,
        content_hash=content_hash(paragraphs, paragraph_break),
        paragraph_break=paragraph_break,
    )


# --- decoding --------------------------------------------------------------------------


def _os_reason(exc: OSError, what: str = "file") -> str:
    if isinstance(exc, PermissionError):
        return f"cannot read the {what}: permission denied; check its permissions"
    return f"cannot read the {what}: {exc.strerror or exc}"


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
    paragraphs = split_paragraphs(text, options.blank_line_paragraphs, options.keep_invisible)
    if not paragraphs:
        yield item.failure(_no_text(text))
        return
    yield _document(item, paragraphs, options.paragraph_break)


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
    if safe == doc_id:
        return safe
    # The hash keeps ids that differ only in unsafe characters apart ("a/b", "a b").
    return f"{safe}-{hashlib.sha256(doc_id.encode('utf-8')).hexdigest()[:8]}"


def _jsonl_lines(item: InputFile, encoding: str | None) -> Iterator[tuple[int, bytes | str]]:
    """Yield (line number, raw line) lazily; raises InputError for a file-level problem."""
    if item.stream is not None:
        yield from enumerate(item.stream, start=1)
        return
    assert item.path is not None
    try:
        file = item.path.open("rb")
    except OSError as exc:
        raise InputError(item.source, _os_reason(exc)) from exc
    with file:
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
                    line = _decode_line(raw, number, options.encoding)
                except UnicodeDecodeError as exc:
                    where = f"at offset {exc.start} of the line"
                    reason = _undecodable(raw, exc, where, options.encoding)
                    records += 1
                    yield DocumentFailure(fallback_id, line_source, reason)
                    continue
            else:
                line = raw.removeprefix("\ufeff") if number == 1 else raw
            if not line.strip():
                continue
            records += 1
            yield _jsonl_record(
                item, options, line.rstrip("\r\n"), number, line_source, fallback_id
            )
    except InputError as exc:
        yield item.failure(exc.reason)
        return
    if records == 0:
        yield item.failure("no JSON lines in the file; nothing to translate")


def _decode_line(raw: bytes, number: int, encoding: str | None) -> str:
    line = raw.decode(encoding or "utf-8")
    return line.removeprefix("\ufeff") if number == 1 else line


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
    paragraphs = split_paragraphs(text, options.blank_line_paragraphs, options.keep_invisible)
    if not paragraphs:
        return failure(f'the "{field}" field has no text; nothing to translate')
    if title is not None and (headline := clean_paragraph(title)):
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
    try:
        from translate.html import extract_article  # trafilatura is heavy: only for HTML

        paragraphs = extract_article(html) if html.strip() else []
    except ImportError as exc:  # a dependency missing: this document's failure, not the run's
        yield item.failure(missing_package_reason(exc, "reading HTML"))
        return
    if not paragraphs:
        yield item.failure(_NO_ARTICLE if html.strip() else _no_text(html))
        return
    yield _document(item, paragraphs, "\n")


def _decode_html(data: bytes, source: str, encoding: str | None) -> str:
    try:
        return decode(data, source, encoding)
    except InputError:
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


def _walk(folder: str) -> Iterator[str | DocumentFailure]:
    """Relative POSIX paths of the input files under ``folder``, sorted, lazily.

    Sorting each folder's entries with folders keyed as ``name/`` gives the same
    order as sorting all relative paths, without listing the whole tree first.
    Hidden files and folders are skipped; symbolic links to folders are not
    followed (they could loop).
    """

    def visit(directory: str, prefix: str) -> Iterator[str | DocumentFailure]:
        try:
            with os.scandir(directory) as scan:
                entries = [e for e in scan if not _is_hidden(e.name)]
        except OSError as exc:
            yield DocumentFailure(prefix.rstrip("/") or ".", directory, _os_reason(exc, "folder"))
            return
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
            else:
                yield prefix + entry.name

    yield from visit(folder, "")


def _strip_extension(path: str) -> str:
    stem, ext = os.path.splitext(path)
    return stem if ext else path


def _no_files(folder: str) -> InputError:
    names = ", ".join(sorted(_BY_EXTENSION))
    return InputError(
        folder,
        f"the folder has no input files ({names}; hidden files and folders are skipped)",
    )


def check_inputs(inputs: Sequence[str]) -> None:
    """Check that every input exists, before any work starts.

    Args:
        inputs: Files, folders, or ``-`` for stdin.

    Raises:
        InputError: An input is missing, or a folder holds no input files.
    """
    if not inputs:
        raise InputError("INPUT", "no input given; name files, folders, or - for stdin")
    for name in inputs:
        if name == "-":
            continue
        if not os.path.exists(name):
            raise InputError(name, "no such file or folder; check the path")
        if os.path.isdir(name) and not any(isinstance(f, str) for f in _walk(name)):
            raise _no_files(name)


def _reader_for(name: str, options: ReadOptions) -> Reader:
    if options.input_format != "auto":
        return READERS[options.input_format]
    return _BY_EXTENSION.get(os.path.splitext(name)[1].lower(), READERS["txt"])


def _input_files(
    inputs: Iterable[str], options: ReadOptions, stdin: IO[Any] | None
) -> Iterator[tuple[InputFile, Reader] | DocumentFailure]:
    for name in inputs:
        if name == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            reader = READERS["txt" if options.input_format == "auto" else options.input_format]
            yield InputFile("-", "stdin", "stdin", stream=stream), reader
        elif os.path.isdir(name):
            found = False
            for entry in _walk(name):
                found = True
                if isinstance(entry, DocumentFailure):
                    yield entry
                    continue
                path = os.path.join(name, entry)
                item = InputFile(path, entry, _strip_extension(entry), Path(path))
                yield item, _reader_for(entry, options)
            if not found:
                raise _no_files(name)
        elif os.path.exists(name):
            file_name = os.path.basename(name)
            item = InputFile(name, file_name, _strip_extension(file_name), Path(name))
            yield item, _reader_for(file_name, options)
        else:
            raise InputError(name, "no such file or folder; check the path")


def read_documents(
    inputs: Sequence[str],
    options: ReadOptions | None = None,
    *,
    stdin: IO[Any] | None = None,
) -> Iterator[Document | DocumentFailure]:
    """Read inputs into documents, one at a time.

    Folders are read recursively, in the order of their sorted relative paths,
    and only files with a known extension are read. A document whose id or
    output path was already used by an earlier one becomes a failure.

    Args:
        inputs: Files, folders, or ``-`` for stdin.
        options: How to read them (default: :class:`ReadOptions()`).
        stdin: The stream ``-`` reads (default: ``sys.stdin.buffer``).

    Yields:
        A :class:`Document` for each article, or a :class:`DocumentFailure`
        (with a reason that says what to fix) for each that cannot be read.

    Raises:
        InputError: An input is missing or a folder holds no input files (call
            :func:`check_inputs` first to find out before any work).
    """
    options = options or ReadOptions()
    ids: dict[str, str] = {}
    outputs: dict[str, str] = {}
    for entry in _input_files(inputs, options, stdin):
        if isinstance(entry, DocumentFailure):
            yield entry
            continue
        item, reader = entry
        for result in reader.read(item, options):
            if isinstance(result, Document):
                clash = _clash(result, ids, outputs)
                if clash is not None:
                    yield clash
                    continue
                ids[result.doc_id] = outputs[result.output_path] = result.source
            yield result


def count_documents(inputs: Sequence[str], options: ReadOptions | None = None) -> int | None:
    """About how many documents :func:`read_documents` will yield, cheaply.

    One per file, one per non-blank line of a JSONL file; for a progress bar's
    total, so failures count too. ``None`` when stdin is among the inputs.
    """
    options = options or ReadOptions()
    if "-" in inputs:
        return None
    total = 0
    for entry in _input_files(inputs, options, None):
        if isinstance(entry, DocumentFailure):
            total += 1
            continue
        item, reader = entry
        if reader.name != "jsonl" or item.path is None:
            total += 1
            continue
        try:
            with item.path.open("rb") as handle:
                total += sum(1 for line in handle if line.strip())
        except OSError:
            total += 1
    return total


def _clash(
    document: Document, ids: dict[str, str], outputs: dict[str, str]
) -> DocumentFailure | None:
    if document.doc_id in ids:
        return DocumentFailure(
            document.doc_id,
            document.source,
            f"document id {document.doc_id!r} is already used by {ids[document.doc_id]}; "
            "ids must be unique: rename one of the files, pass their common folder "
            "instead, or give the JSONL lines distinct ids",
        )
    if document.output_path in outputs:
        return DocumentFailure(
            document.doc_id,
            document.source,
            f"output path {document.output_path!r} is already used by "
            f"{outputs[document.output_path]}; rename one of the two files",
        )
    return None
