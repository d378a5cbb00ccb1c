"""Lexical anchors that survive translation: numbers, dates, names, URLs, punctuation.

Each sentence gives a set of keys (``"n:10000"``, ``"m:11"``, ``"w:Warren"``, ...)
and the set of its Latin-script words. A key of one side *hits* when the other
side has it (a name key also hits one of the other side's words). Numbers are
read in each language's convention — Vietnamese ``10.000`` and ``3,5`` are
English ``10,000`` and ``3.5`` — and scaled by a following ``triệu``/``million``
(``1,5 triệu`` = ``1.5 million`` = ``1500000``). A Vietnamese word in plain ASCII
letters is a name or a foreign word only when it cannot be one Vietnamese
syllable (``Warren``, ``Trump``, ``GOP``; not ``Hoa``, ``Nam``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

#: Anchor categories; each has its own hit rates (see :mod:`translate.align.lengths`).
CATEGORIES = ("num", "date", "name", "link", "punct")

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'“”)]+", re.IGNORECASE)
_MAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*")
_WORD = re.compile(r"\w+")
_ASCII_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*\Z")

_VI_SCALES = {"nghìn": 3, "ngàn": 3, "triệu": 6, "tỷ": 9, "tỉ": 9}
_EN_SCALES = {"thousand": 3, "million": 6, "billion": 9, "trillion": 12}
_SCALE_AFTER = re.compile(r"\s+(\w+)")

_EN_MONTHS = {
    name: number
    for number, name in enumerate(
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        1,
    )
}
_VI_MONTH_WORDS = {
    "giêng": 1,
    "hai": 2,
    "ba": 3,
    "tư": 4,
    "bốn": 4,
    "năm": 5,
    "sáu": 6,
    "bảy": 7,
    "tám": 8,
    "chín": 9,
    "mười": 10,
    "mười một": 11,
    "mười hai": 12,
    "chạp": 12,
}
_VI_MONTH = re.compile(
    r"\b[tT]háng\s+(\d{1,2}|mười một|mười hai|"
    + "|".join(sorted(_VI_MONTH_WORDS, key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)
_EN_DAYS = {
    name: number
    for number, name in enumerate(
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"], 2
    )
}
# Capitalised weekdays only: "thứ hai" in lower case is also "second".
_VI_DAY = re.compile(r"\b[tT]hứ (Hai|Ba|Tư|Năm|Sáu|Bảy)\b|\b[cC]hủ [nN]hật\b")
_VI_DAY_NUMBERS = {"Hai": 2, "Ba": 3, "Tư": 4, "Năm": 5, "Sáu": 6, "Bảy": 7}

# One Vietnamese syllable written without diacritics: initial consonant, vowels, final.
_VI_SYLLABLE = re.compile(
    r"(?:ngh|ch|gh|gi|kh|ng|nh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"[aeiouy]{1,3}"
    r"(?:ch|ng|nh|[cmnpt])?\Z",
    re.IGNORECASE,
)
# English number words, which a Vietnamese digit may hit ("4 tuổi" ↔ "four years").
_EN_NUMBER_WORDS = {
    word: f"n:{number}"
    for number, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
        ]
    )
}
_QUOTES = re.compile(r"[\"“”«»]")
_PARENS = re.compile(r"[()]")


@dataclass(frozen=True, slots=True)
class Anchors:
    """The anchors of one sentence (or of several joined).

    Attributes:
        keys: The anchor keys, each prefixed by its category's letter.
        words: The sentence's Latin-script words, which a name key may hit,
            and the number keys of its spelled-out numbers ("four" → ``n:4``),
            which a number key may hit.
    """

    keys: frozenset[str]
    words: frozenset[str]

    def __or__(self, other: Anchors) -> Anchors:
        return Anchors(self.keys | other.keys, self.words | other.words)


EMPTY = Anchors(frozenset(), frozenset())


def category(key: str) -> str:
    """The category (one of :data:`CATEGORIES`) of an anchor key."""
    return _CATEGORY_OF[key[0]]


_CATEGORY_OF = {"n": "num", "m": "date", "d": "date", "w": "name", "u": "link", "p": "punct"}


def hits(keys: frozenset[str], other: Anchors) -> int:
    """How many of ``keys`` the other side holds (as a key, or a name as a word)."""
    return sum(
        1
        for key in keys
        if key in other.keys or key in other.words or (key[0] == "w" and key[2:] in other.words)
    )


def _decimal(digits: str, thousands: str, decimal: str) -> Decimal | None:
    groups = digits.split(thousands)
    if len(groups) > 1 and all(len(g) == 3 for g in groups[1:]) and decimal not in groups[0]:
        digits = "".join(groups)
    elif thousands in digits:
        # "3.5" in Vietnamese text or "3,5" in English: the other convention.
        digits = digits.replace(decimal, "").replace(thousands, ".")
    digits = digits.replace(decimal, ".")
    try:
        return Decimal(digits)
    except InvalidOperation:
        return None


def _numbers(text: str, thousands: str, decimal: str, scales: dict[str, int]) -> set[str]:
    found = set()
    for match in _NUMBER.finditer(text):
        value = _decimal(match.group(), thousands, decimal)
        if value is None:
            continue
        after = _SCALE_AFTER.match(text, match.end())
        if after and after.group(1).lower() in scales:
            value = value.scaleb(scales[after.group(1).lower()])
        found.add("n:" + format(value.normalize(), "f"))
    return found


def _links(text: str) -> tuple[set[str], str]:
    keys = {"u:" + m.group().rstrip(".,;:!?").lower() for m in _URL.finditer(text)}
    keys |= {"u:" + m.group().lower() for m in _MAIL.finditer(text)}
    return keys, _MAIL.sub(" ", _URL.sub(" ", text))


def _punct(text: str) -> set[str]:
    keys = set()
    if _QUOTES.search(text):
        keys.add("p:quote")
    if _PARENS.search(text):
        keys.add("p:paren")
    return keys


def _ascii_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if _ASCII_WORD.match(w)]


def vietnamese_anchors(text: str) -> Anchors:
    """The anchors of a Vietnamese sentence."""
    keys, text = _links(text)
    keys |= _punct(text)
    for match in _VI_MONTH.finditer(text):
        word = match.group(1).lower()
        keys.add(f"m:{int(word) if word.isdigit() else _VI_MONTH_WORDS[word]}")
    for match in _VI_DAY.finditer(text):
        keys.add(f"d:{_VI_DAY_NUMBERS[match.group(1)] if match.group(1) else 8}")
    keys |= _numbers(_VI_MONTH.sub(" ", text), ".", ",", _VI_SCALES)
    words = _ascii_words(text)
    for word in words:
        if len(word) > 1 and not word.isdigit() and not _VI_SYLLABLE.match(word):
            keys.add("w:" + word)
        elif len(word) > 1 and word.isupper() and word.isalpha():
            keys.add("w:" + word)  # an acronym: "WHO", "GDP"
    return Anchors(frozenset(keys), frozenset(words))


def english_anchors(text: str) -> Anchors:
    """The anchors of an English sentence."""
    keys, text = _links(text)
    keys |= _punct(text)
    words = _ascii_words(text)
    for position, word in enumerate(words):
        if word in _EN_MONTHS and not (word == "May" and position == 0):
            keys.add(f"m:{_EN_MONTHS[word]}")
        elif word in _EN_DAYS:
            keys.add(f"d:{_EN_DAYS[word]}")
        elif position > 0 and len(word) > 1 and word[0].isupper() and not word.isdigit():
            keys.add("w:" + word)
    keys |= _numbers(text, ",", ".", _EN_SCALES)
    spelled = {_EN_NUMBER_WORDS[w.lower()] for w in words if w.lower() in _EN_NUMBER_WORDS}
    return Anchors(frozenset(keys), frozenset(words) | spelled)
