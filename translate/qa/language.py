"""The ``untranslated`` and ``verbatim`` checks: what is Vietnamese, and what must be copied.

``untranslated``: the target's lowercase words are mostly Vietnamese (a letter
only Vietnamese uses: ``ă â đ ê ô ơ ư`` or a tone mark such as ``ả ạ ỗ``, or a
Vietnamese function word), or the target repeats the source word for word.
Capitalised words are left out of the share, so names kept with their
diacritics (``Nguyễn Xuân Phúc said``) do not count; a source with no lowercase
Vietnamese words (only names, numbers, codes or URLs) may be copied.

``verbatim``: URLs, e-mail addresses and Latin-script tokens of the source that
are not Vietnamese (codes with a digit such as ``A320`` or ``COVID-19``,
acronyms such as ``WHO``, names such as ``iPhone`` or ``Apple``) must appear in
the target: codes and acronyms exactly (case-sensitive), names ignoring case and
a final letter (``Argentina`` → ``Argentine``, ``Canada`` → ``Canadian``). Only
pure-ASCII tokens that cannot be a Vietnamese syllable written without its marks
are asked for (``Tim``, ``Hu``, ``Ha Noi`` are syllables; ``Mỹ`` is not ASCII),
and the common Vietnamese acronyms (``UBND``, ``TP.HCM``) and exonyms
(``Campuchia``) are not.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable

from translate.qa.base import PairContext

__all__ = ["check_untranslated", "check_verbatim", "vietnamese_share"]

# Letters found in Vietnamese but not in the Western European names an English
# text may carry (é, á, ó, ü, ñ are left out: José, Pérez).
_VIETNAMESE_LETTERS = frozenset("ăâđêôơưằắẳẵặầấẩẫậềếểễệồốổỗộờớởỡợừứửữựàảạèẻẽẹìỉĩịòỏọùủũụỳýỷỹỵ")
# Frequent Vietnamese words without such a letter, that are not English words.
_VIETNAMESE_WORDS = frozenset(
    [
        "và",
        "là",
        "của",
        "có",
        "các",
        "những",
        "cho",
        "với",
        "trong",
        "khi",
        "theo",
        "nhiều",
        "này",
        "nhưng",
    ]
)
_WORD = re.compile(r"[^\W\d_]+")
_DIGIT = re.compile(r"\d")
#: A Vietnamese syllable written without its marks (``nguyen``, ``thanh``, ``hu``).
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(?:uye|uya|uyu|ieu|yeu|uoi|uou|oai|oay|oeo|uay|uai|uoi|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi"
    r"|ua|ue|ui|uo|uu|uy|ye|[aeiouy])"
    r"(?:ng|nh|ch|[cmnpt])?",
    re.IGNORECASE,
)
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"')\]]+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|vn|gov|edu|info|io|uk|us|int)\b(?:/[^\s<>\"')\]]*)?"
)
_LATIN_TOKEN = re.compile(r"(?<![\w.@/-])[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*(?![\w@/-])")
# Vietnamese acronyms and exonyms that English spells out or writes differently.
_VIETNAMESE_ABBREVIATIONS = frozenset(
    [
        "UBND",
        "HĐND",
        "TP",
        "HCM",
        "TPHCM",
        "TP.HCM",
        "THPT",
        "THCS",
        "CSGT",
        "BHXH",
        "BHYT",
        "VN",
        "VND",
        "KCN",
        "DN",
        "TW",
        "GD",
        "NXB",
        "PGS",
        "TS",
        "ThS",
        "BS",
        "GS",
        "CLB",
        "QL",
        "TT",
        "CP",
        "NĐ",
        "QĐ",
        "ĐH",
        "SN",
        "CA",
        "CAND",
        "QĐND",
        "TAND",
        "VKSND",
        "HLV",
        "ĐT",
        "HN",
        "KTX",
        "CTCP",
        "TNHH",
        "XHCN",
        "HCV",
        "HCB",
        "BTC",
        "HDQT",
        "CSKH",
        "CNTT",
        "KHCN",
        "KHKT",
        "GTVT",
        "PTNT",
        "TTXVN",
        "TCN",
        "SCN",
        "CN",
        "ADN",
        "LHQ",
        "CHDCND",
        "NATO",
        "Campuchia",
        "Ucraina",
        "Ukraina",
        "Italia",
        "Moskva",
        "Praha",
        "Roma",
        "Bungary",
    ]
)
# English writes "$45 million" for "45 triệu USD".
_CURRENCIES = frozenset(["USD", "EUR", "AUD", "GBP", "JPY", "CNY", "VND", "SGD", "CAD"])
_ROMAN = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_FINAL_PUNCT = ".,;:!?…\"'”’)»"


def _is_vietnamese_word(word: str) -> bool:
    return word in _VIETNAMESE_WORDS or not _VIETNAMESE_LETTERS.isdisjoint(word)


def vietnamese_share(text: str) -> tuple[float, int]:
    """The share of ``text``'s lowercase words that are Vietnamese, and how many lowercase words it has.

    A text in capitals (a headline) counts all its words.
    """
    words = [w for w in _WORD.findall(text) if w.islower()] or _WORD.findall(text.lower())
    if not words:
        return 0.0, 0
    return sum(map(_is_vietnamese_word, words)) / len(words), len(words)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


# A target with this share of its words in runs copied from the source's Vietnamese
# words (marks ignored) copies the source: with its marks stripped, edited, or half left
# untranslated. Names and English phrases kept by a translation are not counted: of the
# 8 296 human pairs of FLORES, NTREX, Tatoeba and IWSLT15 tst2012/2013 with a Vietnamese
# source, none reaches 0.35, the highest 0.25 (``"Peppa the pig," yes``).
_COPIED_SHARE = 0.35


def _copied_words(source: str, target: str) -> tuple[int, int]:
    """(target words in runs of 2+ copied from the source's Vietnamese words, target words).

    A run is a pair of adjacent target words that are adjacent in the source,
    so the cost is linear in the lengths (a megabyte sentence is checked in
    about a second).

    Both sides are compared without marks and case (``Hà Nội`` is ``ha noi``); a
    source word counts when it is lowercase and a Vietnamese syllable, so names
    and English phrases a translation keeps (``Open Data City``) do not.
    """
    if "&" in source or "&" in target:
        source, target = html.unescape(source), html.unescape(target)  # "&quot;" is no word
    source_words = _WORD.findall(source)
    folded_source = [_fold(w).lower().replace("đ", "d") for w in source_words]
    target_words = [_fold(w).lower().replace("đ", "d") for w in _WORD.findall(target)]
    if not target_words or not folded_source:
        return 0, len(target_words)
    vietnamese = [
        w.islower() and _is_syllable(f) for w, f in zip(source_words, folded_source, strict=True)
    ]
    # The source's pairs of adjacent words, Vietnamese ones only: a target word is
    # copied when it and a neighbour are such a pair (linear, whatever the length).
    pairs = {
        (a, b)
        for a, b, va, vb in zip(
            folded_source, folded_source[1:], vietnamese, vietnamese[1:], strict=False
        )
        if va and vb
    }
    covered = [False] * len(target_words)
    for j in range(len(target_words) - 1):
        if (target_words[j], target_words[j + 1]) in pairs:
            covered[j] = covered[j + 1] = True
    copied = sum(covered)
    return copied, len(target_words)


def check_untranslated(source: str, target: str, context: PairContext) -> list[str]:
    """The ``untranslated`` check: ``target is Vietnamese``, ``target copies the source``.

    Also ``target copies 9 of its 12 words from the source`` (a copy without
    marks, edited, or partly translated).
    """
    source_share, source_words = vietnamese_share(source)
    if source_words == 0 or source_share < 0.3:
        return []  # names, numbers, codes: copying them is right
    target_words = _words(target)
    if target_words and target_words == _words(source):
        return ["target copies the source"]
    share, count = vietnamese_share(target)
    if count and share >= 0.5:
        return ["target is Vietnamese"]
    copied, total = _copied_words(source, target)
    if total and copied >= _COPIED_SHARE * total:
        return [f"target copies {copied} of its {total} words from the source"]
    return []


def _is_syllable(word: str) -> bool:
    return bool(_SYLLABLE.fullmatch(word))


def _must_copy(token: str) -> tuple[str, bool] | None:
    """(what the target must contain, case-sensitively?) for one ASCII token of the source.

    A name is asked for by its first half (at least 3 letters), ignoring case:
    English makes adjectives and demonyms of names (Argentina → Argentine,
    Afghanistan → Afghan, Scotland → Scottish, Alps → Alpine).
    """
    if token in _VIETNAMESE_ABBREVIATIONS or token.split(".")[0] in _VIETNAMESE_ABBREVIATIONS:
        return None
    if token in _CURRENCIES or _ROMAN.fullmatch(token):
        return None  # "$" for USD; Roman numerals are the numbers check's
    has_digit = _DIGIT.search(token) is not None
    letters = [c for c in token if c.isalpha()]
    if has_digit:
        return (token, True) if len(letters) >= 1 and len(token) >= 3 else None
    parts = re.split(r"[-.]", token)
    if all(_is_syllable(p) for p in parts):
        return None  # Vietnamese without its marks ("Ha Noi", a headline's "XIN")
    if len(letters) >= 3 and all(c.isupper() for c in letters):
        return token, True  # an acronym (two letters, "EU", may be spelled out)
    if len(token) < 3 or not any(c.isupper() for c in token) or len(letters) != len(token):
        return None  # a lowercase loanword ("video") English may say otherwise
    return token[: max(3, (len(token) + 1) // 2)], False


def _fold(text: str) -> str:
    """``text`` without combining marks: Słania's "Sámi" is the source's "Sami"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


#: Over this many characters, a target is searched by its tokens, not as a string
#: (a substring search per source token would be quadratic on a megabyte pair).
_LONG_TARGET = 20_000


def _contains(text: str, exact: bool, target: str, lowered: str) -> bool:
    """Whether the target holds ``text``: case-sensitively if ``exact``, else folded."""
    return (text in target) if exact else (text.lower() in lowered)


def _token_contains(target: str, lowered: str) -> Callable[[str, bool, str, str], bool]:
    """:func:`_contains` for a long target: whole tokens (exact) or token prefixes (names)."""
    tokens = {m[0].rstrip(".") for m in _LATIN_TOKEN.finditer(target)}
    prefixes = {
        word[:end] for word in _WORD.findall(lowered) for end in range(3, min(len(word), 40) + 1)
    }

    def contains(text: str, exact: bool, target: str, lowered: str) -> bool:
        return text in tokens if exact else text.lower() in prefixes

    return contains


def check_verbatim(source: str, target: str, context: PairContext) -> list[str]:
    """The ``verbatim`` check: ``URL https://x.vn missing``, ``name Apple missing``, ``code A320 missing``.

    Also ``e-mail a@b.vn missing`` and ``acronym WHO missing``.
    """
    reasons = []
    for match in _URL.finditer(source):
        found = match[0].rstrip(".,;:")
        if found.lower() not in target.lower():
            kind = "e-mail" if "@" in found and "://" not in found else "URL"
            reasons.append(f"{kind} {found} missing")
    without_urls = _URL.sub(" ", source)
    lowered = (target if target.isascii() else _fold(target)).lower()
    contains = _contains if len(target) <= _LONG_TARGET else _token_contains(target, lowered)
    seen: set[str] = set()
    for match in _LATIN_TOKEN.finditer(without_urls):
        token = match[0].rstrip(".")
        if token in seen or (token.islower() and not _DIGIT.search(token)):
            continue  # seen, or a lowercase word (see _must_copy)
        seen.add(token)
        wanted = _must_copy(token)
        if wanted is None:
            continue
        text, exact = wanted
        if contains(text, exact, target, lowered):
            continue
        kind = "code" if _DIGIT.search(token) else "acronym" if exact else "name"
        reasons.append(f"{kind} {token} missing")
    return reasons
