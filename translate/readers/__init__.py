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
model is fed is cleaned (:func:`~translate.text.clean_paragraph`). HTML
paragraphs are the page's text cleaned the same way, since spacing in HTML is
markup.

Formats are one name→:class:`Reader` table, :data:`READERS` (filled here, from
the format modules), which also feeds the CLI's ``--input-format`` choice. The
modules: :mod:`~translate.readers.decoding` (bytes → text),
:mod:`~translate.readers.txt`, :mod:`~translate.readers.jsonl`,
:mod:`~translate.readers.html` (the article of a news page; trafilatura is
imported only when the first HTML page is read) and
:mod:`~translate.readers.folders` (walking and naming the inputs); the text
normalisation is :mod:`translate.text`.
"""

from __future__ import annotations

from translate.readers.base import READERS, InputFile, Reader, ReadOptions, content_hash
from translate.readers.decoding import check_encoding, decode, open_input
from translate.readers.folders import (
    DocumentNames,
    check_inputs,
    count_documents,
    input_files,
    list_inputs,
    read_documents,
    read_input,
)
from translate.readers.html import _read_html
from translate.readers.jsonl import _read_jsonl
from translate.readers.txt import _read_txt, read_text
from translate.text import clean_paragraph, input_paragraph, split_paragraphs

__all__ = [
    "READERS",
    "DocumentNames",
    "InputFile",
    "ReadOptions",
    "Reader",
    "check_encoding",
    "check_inputs",
    "clean_paragraph",
    "content_hash",
    "count_documents",
    "decode",
    "input_files",
    "input_paragraph",
    "list_inputs",
    "open_input",
    "read_documents",
    "read_input",
    "read_text",
    "split_paragraphs",
]

READERS.update(
    {
        "txt": Reader("txt", (".txt",), _read_txt),
        "jsonl": Reader("jsonl", (".jsonl",), _read_jsonl),
        "html": Reader("html", (".html", ".htm"), _read_html),
    }
)
