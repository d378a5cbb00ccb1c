r"""The escaping of the line-oriented formats (TSV, Moses): every text is one line.

A backslash, every control character (C0, DEL, C1: tab, LF and CR among them),
U+2028/U+2029 and U+FEFF (which a reader takes for a byte-order mark at the
start of a file: pandas 3 drops it) are written as Python string escapes
(``\\ \t \n \r \xNN \uNNNN``); nothing is dropped. No line splitter
(``str.splitlines()`` also breaks on ``\v \f \x1c-\x1e \x85 \u2028 \u2029``) and
no CSV reader can then cut a record, and ``field.encode("latin-1", "backslashreplace").decode(
"unicode_escape")`` gives the text back exactly, as :func:`unescape` does.
"""

from __future__ import annotations

import re

_SHORT_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_ESCAPED = re.compile("[\\\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
_ESCAPE_SEQUENCE = re.compile(r"\\(?:x[0-9a-f]{2}|u[0-9a-f]{4}|.?)", re.DOTALL)
_SHORT_UNESCAPES = {v: k for k, v in _SHORT_ESCAPES.items()}


def _escape_char(match: re.Match[str]) -> str:
    char = match.group(0)
    short = _SHORT_ESCAPES.get(char)
    if short is not None:
        return short
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text: str) -> str:
    """``text`` as one line of a TSV or Moses file."""
    if _ESCAPED.search(text) is None:  # the common case: nothing to escape
        return text
    return _ESCAPED.sub(_escape_char, text)


def _unescape_sequence(match: re.Match[str]) -> str:
    sequence = match.group(0)
    if sequence in _SHORT_UNESCAPES:
        return _SHORT_UNESCAPES[sequence]
    if len(sequence) in (4, 6) and sequence[1] in "xu":
        char = chr(int(sequence[2:], 16))
        if _ESCAPED.fullmatch(char):
            return char
    raise ValueError(f"invalid escape {sequence!r}")


def unescape(field: str) -> str:
    """The text that :func:`escape` wrote as ``field``.

    Raises:
        ValueError: ``field`` holds an escape :func:`escape` never writes.
    """
    if "\\" not in field:
        return field
    return _ESCAPE_SEQUENCE.sub(_unescape_sequence, field)
