"""What every reader shares: the read options, one input file, the format table, a document.

Each format module (:mod:`~translate.readers.txt`, :mod:`~translate.readers.jsonl`,
:mod:`~translate.readers.html`) builds on this one; the package puts their
readers in :data:`READERS`, which :class:`ReadOptions` checks its
``input_format`` against.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from translate.errors import InputError, UnknownNameError
from translate.readers.decoding import _os_reason, check_encoding, open_input
from translate.records import Document, DocumentFailure

# Bumped whenever normalisation or extraction changes what a file reads as, so
# that content hashes of documents read by an older version no longer match.
_READER_VERSION = "2"

# A lone UTF-16 surrogate: JSON's "\ud800" escape, or a file name that is not
# UTF-8 (os.fsdecode turns its bytes into U+DC80..U+DCFF). Python holds it, but
# it cannot be written as UTF-8, so it must never reach a Document.
_SURROGATE = re.compile("[\ud800-\udfff]")

# One path component of an output file at most, in UTF-8 bytes: file systems
# allow 255, and the writers add ".txt" and a temporary ".NAME.tmp-PID".
_MAX_NAME_BYTES = 200


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


#: Format name → :class:`Reader` (``--input-format``), in the order the CLI lists them.
#: Filled by :mod:`translate.readers` from the format modules, which import this one.
READERS: dict[str, Reader] = {}


def content_hash(paragraphs: Sequence[str], paragraph_break: str) -> str:
    """SHA-256 (hex) of a document's normalised text and the reader settings that shape it."""
    digest = hashlib.sha256(f"vi2en-reader/{_READER_VERSION}\0{paragraph_break}\0".encode())
    digest.update("\n".join(paragraphs).encode("utf-8"))
    return digest.hexdigest()


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


def _no_text(text: str) -> str:
    if not text:
        return "empty file; nothing to translate"
    return "contains only whitespace or invisible characters; nothing to translate"


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def _truncate_utf8(text: str, limit: int) -> str:
    """The longest prefix of ``text`` that is at most ``limit`` bytes in UTF-8."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")
