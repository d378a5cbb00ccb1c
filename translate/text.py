"""Text normalisation shared by every stage: the invisible-character set, defined once.

A document keeps the input's text (NFC, stripped paragraphs: see
:func:`split_paragraphs`), so that every sentence span indexes the input; what
the model is fed, and what the translation memory is keyed by, is that text
cleaned (:func:`clean_paragraph`). The segmenter lets a sentence end before or
after the same zero-width and control characters.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "CONTROLS",
    "INVISIBLE",
    "SOFT_HYPHEN",
    "ZERO_WIDTH",
    "clean_paragraph",
    "find_ngram_loop",
    "has_ngram_loop",
    "input_paragraph",
    "split_paragraphs",
]

#: Zero-width characters (space, non-joiner, joiner, word joiner) and the
#: byte-order mark used as a zero-width no-break space: format characters that
#: scraped news carries between and inside words.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
#: The soft hyphen: a break opportunity inside a word, never between sentences.
SOFT_HYPHEN = "\u00ad"
#: Invisible, but they split a word in two for the tokenizer: removed from what
#: the model is fed and from the memory's key.
INVISIBLE = ZERO_WIDTH + SOFT_HYPHEN
#: C0/C1 control characters other than whitespace: no place in news text either.
CONTROLS = "".join(chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)] if not chr(c).isspace())
#: Every character ``str.splitlines()`` breaks a line at: replaced where one text must stay
#: one line (a sentence per line in ``vi2en segment``, a hypothesis file).
LINE_SEPARATORS = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_DROP = re.compile(f"[{re.escape(INVISIBLE + CONTROLS)}]")

# Any whitespace that is not a single ordinary space: runs of spaces, tabs,
# U+00A0 and the other no-break and typographic spaces (Python's \s covers them).
# (A regex, not str.split/translate: several times faster on a 50 MB line.)
_ODD_WHITESPACE = re.compile(r"[^\S ]\s*| \s+")


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


def find_ngram_loop(text: str, *, max_n: int = 4, repeats: int = 4) -> tuple[str, int] | None:
    """The first 1..max_n-word sequence that ``text`` repeats ``repeats`` times in a row.

    A sequence of n words repeated r times in a row makes n*(r-1) consecutive
    positions where a word equals the word n places before it: one linear pass
    per n, shortest sequences first.

    Returns:
        The sequence (its words joined by single spaces) and how many times in a
        row it occurs, or ``None``.
    """
    words = text.split()
    if len(words) - len(set(words)) < repeats - 1:
        return None  # every word of a looping sequence occurs ``repeats`` times
    for n in range(1, max_n + 1):
        run = 0
        for i in range(n, len(words)):
            run = run + 1 if words[i] == words[i - n] else 0
            if run >= n * (repeats - 1):
                start = i - run - n + 1
                while i + 1 < len(words) and words[i + 1] == words[i + 1 - n]:
                    i, run = i + 1, run + 1
                return " ".join(words[start : start + n]), run // n + 1
    return None


def has_ngram_loop(text: str, *, max_n: int = 4, repeats: int = 4) -> bool:
    """Whether ``text`` repeats some 1..max_n-word sequence ``repeats`` times in a row."""
    return find_ngram_loop(text, max_n=max_n, repeats=repeats) is not None
