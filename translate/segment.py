"""Split Vietnamese news paragraphs into sentences, with exact character spans.

One compiled regex finds each run of sentence-final punctuation; the run is
extended over the closing quotes and brackets that follow it, and a few local
checks on the word before it and the token after it decide whether a sentence
ends there. Every check looks at a bounded window and the regex never rescans
a run, so the time is linear in the paragraph's length whatever the input.

The rules follow the news25 annotation guidelines in
``shared/data/segmentation/README.md``:

* a sentence can only end at whitespace, after ``.`` ``!`` ``?`` ``…`` (or a
  run of them) and any closing quotes or brackets, before a token that starts
  a sentence: a capital letter, a digit (after a plain period), an opening
  quote or bracket, or a bullet dash;
* never after an abbreviation from the lexicon (``GS.`` ``TP.`` ``St.``), a
  name initial (``George W. Bush``), the number of a list item (``1. Bộ…``),
  or inside tokenised numbers (``28 . 000``);
* never before a lower-case word (``tò mò... chúng``), nor before a short
  attribution that follows a closed quote (``…thì sao?" Martin hỏi.``).

The abbreviations live in ``translate/data/abbreviations.txt``; users add
their own through ``Segmenter(extra_abbreviations=…)``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from translate.records import Sentence, Span
from translate.text import CONTROLS, ZERO_WIDTH

# Part of a job's resume check: bump it whenever a rule change moves sentence
# boundaries, so that a resumed run never mixes documents split by two rule sets.
SEGMENTER_VERSION = "2"

__all__ = ["Segmenter", "segment_paragraphs", "split_sentences"]

_TERMINATORS = ".!?…‼⁇⁈⁉"
_NON_SPACE = re.compile(r"\S")
# Quotes and brackets whose direction the character itself gives.
_CLOSERS = "”’»›)]}"
_OPENERS = "“‘«‹„([{"
_BRACKET_OPENERS = "([{"
# Straight quotes open or close; which one is decided from the context.
_STRAIGHT_QUOTES = "\"'"
_QUOTES = "”’»›" + _STRAIGHT_QUOTES
# A dash or bullet followed by a space starts a list item or interview turn.
_BULLETS = "-–—•+*"
# Format characters (zero-width space, BOM) that real articles carry before
# words, and control characters (other than whitespace) that scraped text
# carries: invisible, so a sentence may end before or after them. Documents
# keep them (the model is fed the text without them). Not the soft hyphen: it
# sits inside a word, never between sentences.
_IGNORABLE = ZERO_WIDTH + CONTROLS
# Candidate sentence ends: a whole run of final punctuation followed by what
# may follow a sentence end; runs glued to a word ("TP.HCM", "10.000") are
# never looked at. The lookbehind after the first character stops the search
# from restarting inside a run, which would be quadratic on "....x", and lets
# the regex engine scan for the first character quickly.
_TERMINATOR = "[" + re.escape(_TERMINATORS) + "]"
_TERMINATOR_RUNS = re.compile(f"{_TERMINATOR}+")
_CANDIDATE = re.compile(
    f"{_TERMINATOR}(?<!{_TERMINATOR}{_TERMINATOR}){_TERMINATOR}*"
    f"(?=[\\s{re.escape(_CLOSERS + _STRAIGHT_QUOTES + _IGNORABLE)}]|\\Z)"
)
# How far the local checks look, in characters: more than any abbreviation,
# list number or attribution needs, and small enough to keep the scan linear.
_WINDOW = 48
# Letters that abbreviate names. Accented capitals are Vietnamese words when
# alone ("Naples, Ý." is Italy), so they are left out; "Đ" is an initial.
_INITIALS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZĐ")
_LIST_MARKER = re.compile(r"(?:\d{1,3}|[IVXLC]{1,5}|[A-Za-z])\Z")
# Words that number a heading or part before its title: "Điều 5. Phạm vi…".
_HEADING_WORDS = frozenset(
    {"Điều", "Chương", "Mục", "Phần", "Khoản", "Bước", "Câu", "Bài", "Kỳ", "Tập", "Hình", "Bảng"}
)
# Common Vietnamese sentence openers that are never a name after an initial,
# so "… viêm gan B. Theo…" ends a sentence even after a capitalised word.
# fmt: off
_SENTENCE_OPENERS = frozenset({
    "Theo", "Trong", "Tuy", "Nhưng", "Ngoài", "Hiện", "Khi", "Sau", "Trước", "Với", "Tại", "Để",
    "Do", "Vì", "Nếu", "Cũng", "Các", "Những", "Đây", "Đó", "Ông", "Bà", "Tôi", "Chúng", "Họ",
    "Việc", "Điều", "Còn", "Riêng", "Từ", "Qua", "Hôm", "Lúc", "Dù", "Mặc", "Bởi", "Nhờ", "Song",
    "Vậy", "Cùng", "Trên", "Dưới", "Ngày", "Tháng", "Năm", "Mỗi", "Nhiều", "Một", "Có", "Không",
    "Được", "Bên", "Thậm", "Người",
})
# fmt: on
# A lower-case letter then a capital within the word: a brand that starts sentences.
_CAMEL_CASE = re.compile(r"[^\W\d_]{1,3}[A-ZĐ]")
_SMALL_NUMBER = re.compile(r"\d{1,3}\Z")
_THOUSANDS_GROUP = re.compile(r"\d{3}(?!\d)")
# Verbs of saying that make a short attribution after a closed quote
# (``…” Ông chia sẻ.``), which the guidelines keep in the quote's sentence.
_SPEECH_VERB = re.compile(
    r"(?:nói|hỏi|kể|viết|chia sẻ|cho biết|cho hay|đưa tin|phát biểu|khẳng định|nhấn mạnh"
    r"|giải thích|trả lời|tuyên bố|bày tỏ|thừa nhận|bình luận|tâm sự|nhận định|kết luận)"
    r"(?=[\s,.!?…]|\Z)"
)
_ATTRIBUTION_MAX_WORDS = 6
_SUBJECT_MAX_WORDS = 3


@dataclass(frozen=True)
class _Lexicon:
    """The abbreviations, as lookup sets of their spellings without the final period."""

    prefix: frozenset[str]
    final: frozenset[str]


def _spellings(entry: str) -> set[str]:
    """The spellings an entry matches (see the header of ``abbreviations.txt``)."""
    word = entry.strip().rstrip(".")
    if not word:
        return set()
    if word.islower():
        return {word}
    forms = {word, word.upper(), word[0].upper() + word[1:].lower()}
    letters = [c for c in word if c.isalpha()]
    if len(letters) > 1 and word.isupper():
        forms.add(word.lower())
    return forms


def _parse_lexicon(text: str) -> _Lexicon:
    """Read the lexicon format: entries, ``#`` comments, ``[prefix]``/``[final]`` sections."""
    sections: dict[str, set[str]] = {"prefix": set(), "final": set()}
    current = "prefix"
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            if current not in sections:
                raise ValueError(f"abbreviations.txt: unknown section {line!r}")
            continue
        sections[current] |= _spellings(line)
    # An abbreviation listed in both sections behaves as a prefix.
    return _Lexicon(
        frozenset(sections["prefix"]), frozenset(sections["final"] - sections["prefix"])
    )


@lru_cache(maxsize=1)
def _default_lexicon() -> _Lexicon:
    text = resources.files("translate").joinpath("data/abbreviations.txt").read_text("utf-8")
    return _parse_lexicon(text)


class _QuoteParity:
    """Counts straight double quotes left of a position that only moves right."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._pos = 0
        self._count = 0

    def odd_before(self, pos: int) -> bool:
        self._count += self._text.count('"', self._pos, pos)
        self._pos = pos
        return self._count % 2 == 1


def _last_token(text: str, end: int) -> tuple[str, int]:
    """The whitespace-delimited token that ends at or before ``end``, and its start.

    Only ``_WINDOW`` characters are looked at, so a longer token comes back cut.
    """
    window = text[max(0, end - _WINDOW) : end].rstrip()
    parts = window.rsplit(None, 1)
    if not parts:
        return "", end
    token = parts[-1]
    return token, max(0, end - _WINDOW) + len(window) - len(token)


def _is_word_start(char: str) -> bool:
    """True for a character that can start a sentence as a word: a capital or an uncased letter."""
    return char.isalpha() and not char.islower()


class Segmenter:
    """A rule-based sentence segmenter for Vietnamese news text.

    Construction is cheap: the bundled abbreviation lexicon is read once per
    process and shared.

    Args:
        extra_abbreviations: More abbreviations that never end a sentence
            (``"Tp."``, ``"BTV."``), with or without the final period; they
            are matched like the ``[prefix]`` entries of the lexicon.

    Example:
        >>> text = "GS. Nguyễn Văn A nói. Ông đến TP.HCM."
        >>> [text[s.start : s.end] for s in Segmenter().split(text)]
        ['GS. Nguyễn Văn A nói.', 'Ông đến TP.HCM.']
    """

    def __init__(self, extra_abbreviations: Iterable[str] = ()) -> None:
        lexicon = _default_lexicon()
        extra: set[str] = set()
        for entry in extra_abbreviations:
            extra |= _spellings(entry)
        self._prefix = lexicon.prefix | extra
        self._final = lexicon.final - extra

    def split(self, paragraph: str) -> list[Span]:
        """Split a paragraph into sentence spans.

        Args:
            paragraph: One paragraph of text (it may hold line breaks).

        Returns:
            The sentences' spans, in order. No span starts or ends with
            whitespace, only whitespace lies between and around them, and
            ``paragraph[span.start:span.end]`` is the sentence. An empty or
            whitespace-only paragraph gives ``[]``.
        """
        first = _NON_SPACE.search(paragraph)
        if first is None:
            return []
        # The checks read the text without its trailing whitespace, so that
        # whitespace around a paragraph never changes where its sentences end.
        text = paragraph.rstrip()
        stop = len(text)
        parity = _QuoteParity(text)
        spans: list[Span] = []
        start = first.start()
        resume = 0
        for match in _CANDIDATE.finditer(text, start):
            if match.start() < resume:
                continue
            tokenised = match.start() > first.start() and text[match.start() - 1].isspace()
            end = self._sentence_end(text, match.end(), stop, parity, tokenised)
            resume = end
            if end >= stop or not text[end].isspace():
                continue
            following = _NON_SPACE.search(text, end)
            # ``end < stop`` guarantees a non-space character after ``end``.
            assert following is not None
            if self._ends_sentence(text, start, match.start(), match.end(), end, following.start()):
                spans.append(Span(start, end))
                start = following.start()
        spans.append(Span(start, stop))
        return spans

    def _sentence_end(
        self, text: str, pos: int, stop: int, parity: _QuoteParity, tokenised: bool
    ) -> int:
        """Extend a sentence end over the closing quotes, brackets and punctuation after it.

        One space may precede each of them, because tokenised text writes
        ``quen ? " . Hùng``. ``tokenised`` tells that a space precedes the
        punctuation itself (``êm . " Vì``).
        """
        end = pos
        while end < stop:
            nxt = end + 1 if text[end].isspace() else end
            if nxt >= stop:
                break
            char = text[nxt]
            if char in _CLOSERS:
                end = nxt + 1
            elif char in _TERMINATORS:
                run = _TERMINATOR_RUNS.match(text, nxt)
                assert run is not None
                end = run.end()
            elif char in _STRAIGHT_QUOTES and (
                nxt == end or self._spaced_quote_closes(text, nxt, stop, parity, tokenised)
            ):
                end = nxt + 1
            elif char in _IGNORABLE and nxt == end:
                # A zero-width space glued to the period belongs to its sentence.
                end = nxt + 1
            else:
                break
        return end

    @staticmethod
    def _spaced_quote_closes(
        text: str, pos: int, stop: int, parity: _QuoteParity, tokenised: bool
    ) -> bool:
        """Whether a straight quote written after a space closes the sentence before it.

        It does at the end of the paragraph and before final punctuation or a
        comma (tokenised ``? " .``). A quote glued to the next word opens the
        next sentence (``đó. "Tôi``). A quote standing alone between spaces
        after glued punctuation (``cho con bú? " Một``) is a stray space
        before a closing quote when an odd number of double quotes precedes
        it in the paragraph. In tokenised text every quote stands alone and
        the parity misleads (treebank paragraphs split quotes across
        sentences), so there it opens.
        """
        after = pos + 1
        if after >= stop:
            return True
        if not text[after].isspace():
            return False
        if after + 1 < stop and text[after + 1] in _TERMINATORS + ",;:":
            return True
        return not tokenised and text[pos] == '"' and parity.odd_before(pos)

    def _ends_sentence(
        self, text: str, start: int, term_start: int, term_end: int, end: int, nxt: int
    ) -> bool:
        """Decide whether the sentence that began at ``start`` ends at ``end``.

        Args:
            text: The paragraph.
            start: Where the current sentence starts.
            term_start: Start of the punctuation run.
            term_end: End of the punctuation run.
            end: The candidate sentence end (after closing quotes, brackets).
            nxt: The first non-space character after ``end``.
        """
        limit = min(len(text), nxt + 4)
        while nxt < limit - 1 and text[nxt] in _IGNORABLE:
            nxt += 1
        char = text[nxt]
        # "tò mò... chúng" and "sản phẩm. đẩy mạnh" go on; "iPhone", "eKYC" start sentences.
        word_start = _is_word_start(char)
        if char.islower():
            if not _CAMEL_CASE.match(text, nxt, min(len(text), nxt + 8)):
                return False
            word_start = True
        term = text[term_start:term_end]
        plain_period = term == "."
        ellipsis = "…" in term or ".." in term
        if (
            ellipsis
            and end == term_end + 1
            and term_start > 0
            and text[term_start - 1] in _BRACKET_OPENERS
        ):
            # "(...)" and "[…]" mark elided text inside a sentence.
            return False
        closed_quote = any(c in _QUOTES for c in text[term_end:end])

        if word_start:
            if closed_quote and self._short_attribution(text, nxt):
                return False
            kind_ok = True
        elif char.isdigit() or unicodedata.category(char) == "Sc":
            # "Đào hầm suốt... 15 năm", "500 liệt sĩ! 750 hộ": numbers after an
            # ellipsis or exclamation continue; after a period they start a
            # sentence, and so do amounts ("$5 tỷ…").
            kind_ok = plain_period
        elif char in _OPENERS or char in _STRAIGHT_QUOTES:
            after = text[nxt + 1 : nxt + 3].lstrip()[:1]
            if char in _BRACKET_OPENERS or ellipsis:
                kind_ok = _is_word_start(after) if after else False
            else:
                kind_ok = True
        elif char in _BULLETS:
            # A dash right after a closing quote introduces its attribution
            # ("…đầu tư” - ACV cho hay."); after "”." a new turn starts.
            attribution = text[end - 1] in _QUOTES
            kind_ok = (
                text[nxt + 1 : nxt + 2].isspace()
                and _NON_SPACE.search(text, nxt + 1, nxt + _WINDOW) is not None
                and not attribution
                and not ellipsis
            )
        else:
            kind_ok = False
        if not kind_ok:
            return False
        # Only invisible characters after the period: still a plain period.
        if plain_period and not text[term_end:end].strip(_IGNORABLE):
            return self._period_ends_sentence(text, start, term_start, nxt, char)
        return True

    def _period_ends_sentence(
        self, text: str, start: int, period: int, nxt: int, next_char: str
    ) -> bool:
        """Checks on the word before a single period: abbreviations, initials, numbers."""
        spaced = period > 0 and text[period - 1].isspace()
        raw, raw_start = _last_token(text, period)
        word = raw.lstrip(_OPENERS + _STRAIGHT_QUOTES + _IGNORABLE)
        if not word:
            return True
        if word in self._prefix:
            return False
        if word in self._final:
            return _is_word_start(next_char)
        at_start = raw_start <= start
        if "." in word:
            last = word.rsplit(".", 1)[1]
            # "GS.TS. Nguyễn", "PGS.TS. Trần": a compound of titles.
            return last not in self._prefix
        if word in _INITIALS:
            if at_start:
                return False
            before, _ = _last_token(text, raw_start)
            return self._initial_ends_sentence(before, text, nxt)
        if _LIST_MARKER.match(word):
            if at_start:
                return False
            before, before_start = _last_token(text, raw_start)
            if before[-1:] in (":", ";") or (before_start <= start and before in _HEADING_WORDS):
                # "1. Bộ Ngoại giao…", "bao gồm: 1. …; 2. …", "Điều 5. Phạm vi…"
                return False
        return not (
            spaced
            and _SMALL_NUMBER.match(word)
            and _THOUSANDS_GROUP.match(text, nxt, min(len(text), nxt + 4)) is not None
        )

    @staticmethod
    def _initial_ends_sentence(before: str, text: str, nxt: int) -> bool:
        """A capital letter and a period: a name initial, unless context makes it a word.

        ``George W. Bush``, ``Dionisio A. Lind``, ``Puff Daddy, P. Diddy`` are
        initials. The letter is a word of its own after a lower-case word
        (``ngành Y. Quy ước…``) or an acronym (``công ty TNHH K. Bảo vệ…``),
        and before a word that opens Vietnamese sentences but is no name
        (``viêm gan B. Theo…``).

        Args:
            before: The token before the letter.
            text: The paragraph.
            nxt: Where the next token starts.
        """
        following = text[nxt : nxt + _WINDOW].split(None, 1)
        if following and following[0].rstrip(",.:;!?") in _SENTENCE_OPENERS:
            return True
        if not before or not before[-1].isalpha():
            return False
        return before.islower() or before.isupper()

    @staticmethod
    def _short_attribution(text: str, pos: int) -> bool:
        """Whether the text at ``pos`` is a short attribution such as ``Ông chia sẻ.``.

        The subject is at most three words, the verb one of ``_SPEECH_VERB``,
        and the whole clause ends within ``_ATTRIBUTION_MAX_WORDS`` words, at
        a sentence-final mark or the end of the paragraph.
        """
        window = text[pos : pos + _WINDOW * 2]
        words = window.split()
        complete = pos + len(window) >= len(text)
        if not complete:
            # The last word may be cut by the window.
            words = words[:-1]
        for index in range(1, min(_SUBJECT_MAX_WORDS, len(words)) + 1):
            if not _SPEECH_VERB.match(" ".join(words[index : index + 2])):
                continue
            for count, word in enumerate(words[index:], start=index + 1):
                if count > _ATTRIBUTION_MAX_WORDS:
                    return False
                bare = word.rstrip(_CLOSERS + _STRAIGHT_QUOTES)
                if bare and bare[-1] in _TERMINATORS:
                    return True
            return complete and len(words) <= _ATTRIBUTION_MAX_WORDS
        return False


def split_sentences(paragraph: str, *, abbreviations: Iterable[str] = ()) -> list[str]:
    """Split a paragraph into sentence texts.

    Args:
        paragraph: One paragraph of text.
        abbreviations: Abbreviations to add to the lexicon for this call.

    Returns:
        The sentences, in order, without surrounding whitespace.
    """
    segmenter = Segmenter(abbreviations)
    return [paragraph[span.start : span.end] for span in segmenter.split(paragraph)]


def segment_paragraphs(
    doc_id: str, paragraphs: Sequence[str], segmenter: Segmenter
) -> list[Sentence]:
    """Segment a document's paragraphs into sentences that carry their ids.

    Args:
        doc_id: The document id the sentences carry.
        paragraphs: The document's paragraphs, in order.
        segmenter: The segmenter to use.

    Returns:
        Every sentence of every paragraph, in order, with its paragraph index,
        its index in the paragraph and its span in the paragraph.
    """
    sentences: list[Sentence] = []
    for paragraph_index, paragraph in enumerate(paragraphs):
        for index, span in enumerate(segmenter.split(paragraph)):
            sentences.append(
                Sentence(
                    doc_id,
                    paragraph_index,
                    index,
                    paragraph[span.start : span.end],
                    span.start,
                    span.end,
                )
            )
    return sentences
