"""The plain-text reader: one document per file, one paragraph per line (or block)."""

from __future__ import annotations

from collections.abc import Iterator

from translate.errors import InputError
from translate.readers.base import InputFile, ReadOptions, _document, _no_text, content_hash
from translate.readers.decoding import decode
from translate.records import Document, DocumentFailure
from translate.text import split_paragraphs


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
