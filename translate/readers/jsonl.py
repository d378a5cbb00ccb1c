"""The JSONL reader: one document per line, read lazily; a bad line is that line's failure."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from translate.errors import InputError
from translate.readers.base import (
    _MAX_NAME_BYTES,
    _SURROGATE,
    InputFile,
    ReadOptions,
    _document,
    _escaped,
    _short_hash,
    _truncate_utf8,
)
from translate.readers.decoding import (
    _HEAD_BYTES,
    _ascii_compatible,
    _bom_encoding,
    _check_binary,
    _os_reason,
    _TextLines,
    _undecodable,
    open_input,
)
from translate.records import Document, DocumentFailure
from translate.text import input_paragraph, split_paragraphs

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
