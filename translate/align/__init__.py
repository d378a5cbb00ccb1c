"""Sentence alignment of a document and its existing translation: monotone n:m links.

:func:`align_sentences` pairs two lists of sentences (Vietnamese, English) and
returns links that hold every sentence of both sides once, in order: 1-1, 1-2,
2-1, 1-0 and 0-1 (an unaligned sentence is a link with an empty side). The CLI
(``vi2en align``) and the job are thin layers on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Link:
    """One link of an alignment.

    Attributes:
        source: Indices of the Vietnamese sentences (consecutive, maybe empty).
        target: Indices of the English sentences (consecutive, maybe empty).
        score: Confidence in [0, 1]; higher is surer.
    """

    source: tuple[int, ...]
    target: tuple[int, ...]
    score: float

    @property
    def kind(self) -> str:
        """``"1-1"``, ``"2-1"``, ``"0-1"``, ...: sentences on each side."""
        return f"{len(self.source)}-{len(self.target)}"


def align_sentences(
    source: Sequence[str],
    target: Sequence[str],
    *,
    translations: Sequence[str] | None = None,
    source_paragraphs: Sequence[int] | None = None,
    target_paragraphs: Sequence[int] | None = None,
) -> list[Link]:
    """Align ``source`` (Vietnamese) with ``target`` (English) sentences.

    Args:
        source: The Vietnamese sentences, in document order.
        target: The English sentences, in document order.
        translations: A machine translation of each source sentence, to
            compare with the English candidates (``--mt``).
        source_paragraphs: The paragraph index of each source sentence; no
            link's source side spans two paragraphs, and paragraph breaks on
            both sides are soft anchors when ``target_paragraphs`` is given too.
        target_paragraphs: The paragraph index of each target sentence.

    Returns:
        Links in order, covering every sentence of both sides exactly once.
    """
    # Placeholder (the diagonal): the real aligner replaces it.
    links = [Link((i,), (i,), 0.0) for i in range(min(len(source), len(target)))]
    links += [Link((i,), (), 0.0) for i in range(len(target), len(source))]
    links += [Link((), (i,), 0.0) for i in range(len(source), len(target))]
    return links
