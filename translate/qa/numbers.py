"""The ``numbers`` check: the numbers of a Vietnamese source and its English target agree.

Each side's numbers are read with its own conventions, then compared as
multisets of values:

- Vietnamese (source): ``10.000`` is ten thousand, ``3,5`` is 3.5, ``1,5 triệu``
  is 1 500 000 and ``340,6 tỷ`` is 340.6 billion (scales ``trăm``, ``nghìn``/
  ``ngàn``, ``vạn``, ``triệu``, ``tỷ``/``tỉ``, chained as in ``nghìn tỷ``); a
  dotted number may also be an English-style decimal (``2.4 Ghz``), so
  ``10.000`` stands for 10 000 or 10. Dates (``27/10``, ``1.1.2016``, ``ngày 27
  tháng 10``), times (``9h30``, ``21:00``) and ranges (``3-5``) are their parts.
- English (target): ``10,000``, ``3.5``, ``1.5 million``, ``$2bn``, ``45m``,
  ordinals (``2nd``), decades (``1960s``), ``2016–17`` (also 2017), ``9 p.m.``
  (also 21).

Written-out numbers (``ba người`` → ``three people``, ``hai`` ↔ ``2``), month and
weekday names (``October 27``; ``thứ 2``/``thứ Hai`` ↔ ``Monday``) and Roman
numerals (``thế kỷ XX`` ↔ ``20th century``) are *soft*: they match a number
of the other side, but one left over is never reported, since a translation may
write or drop them freely. A digit number left over is: ``missing number 27/10``
(in the source only), ``extra number 5`` (in the target only), or ``number
10.000 → 1,000`` when exactly one of each is left.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from translate.qa.base import PairContext

__all__ = ["check_numbers", "extract_numbers"]

_DIGITS = re.compile(r"\d+(?:[.,]\d+)*(?:(?:[/:]|h(?=\d\d(?!\d)))\d+(?:[.,]\d+)*)*")
_ANY_DIGIT = re.compile(r"\d")
_PART_SEPARATORS = re.compile(r"[/:h]")
_VI_SCALES = {
    "trăm": 1e2,
    "nghìn": 1e3,
    "ngàn": 1e3,
    "vạn": 1e4,
    "triệu": 1e6,
    "tỷ": 1e9,
    "tỉ": 1e9,
}
_VI_SCALE = re.compile(
    r"[ \u00a0]*(trăm|nghìn|ngàn|vạn|triệu|tỷ|tỉ)(?:[ \u00a0]+(nghìn|ngàn|triệu|tỷ|tỉ))?\b"
)
# "tỷ lệ" is a rate, "tỷ phú" a billionaire: the word after the scale undoes it.
_VI_NOT_SCALE = re.compile(r"[ \u00a0]+(?:lệ|số|giá|phú|trọng|suất)\b")
_EN_SCALES = {
    "hundred": 1e2,
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "mln": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}
_EN_SCALE = re.compile(
    r"[ \u00a0]*(hundred|thousand|million|billion|trillion|mln|mn|bn|tn)s?\b|(bn|m|k|b)\b", re.I
)
# Glued "m"/"k" may be a unit ("45m" metres): the unscaled value stays a candidate.
_AMBIGUOUS_SCALES = {"m", "k", "b"}
_VI_HOUR = re.compile(r"h\b|[ \u00a0]*giờ\b")
_EN_PM = re.compile(r"[ \u00a0]*p\.?m\b", re.I)
_WORD = re.compile(r"[^\W\d_]+")
_DECADE = re.compile(r"(?:thập kỷ|thập kỉ|thập niên|những năm|năm)[ \u00a0]*$", re.I)
_UNIT_POWER = re.compile(r"m[23](?!\w|[.,]\d)")
_ARTICLE = re.compile(r"(?<![\w.,/:-])1 (?=[^\W\d_])")
_YEAR_AFTER = re.compile(
    r"[ \u00a0]+(?:\d|nay\b|ngoái\b|qua\b|tới\b|sau\b|trước\b|đó\b|ấy\b|này\b|học\b|tài\b|mới\b)",
    re.I,
)
# "1 giờ sáng" (1 a.m.), "1 tháng 10" (a date), "1 đến 4", "1-0": a time, date, range or
# score, not "a"; "1 giờ", "1 năm" alone are "an hour", "a year".
_NOT_COUNTED_AFTER = re.compile(
    r" (?:giờ (?:sáng|chiều|tối|trưa|đêm)|(?:tháng|đến|tới|và|hay|hoặc|-|–) ?\d)", re.I
)
_NOT_COUNTED_BEFORE = re.compile(
    r"(?:ngày|lúc|số|thứ|hạng|top|hiệp|tháng|chương|phần|tập)[ \u00a0]*$", re.I
)
_ROMAN = re.compile(
    r"\b(?=[MDCLXVI]{2,}\b)M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})\b"
)
_ROMAN_VALUES = {"M": 1000, "D": 500, "C": 100, "L": 50, "X": 10, "V": 5, "I": 1}

_VI_UNITS: dict[str, float] = {
    "không": 0,
    "linh": 0,
    "lẻ": 0,
    "một": 1,
    "mốt": 1,
    "hai": 2,
    "ba": 3,
    "bốn": 4,
    "tư": 4,
    "năm": 5,
    "lăm": 5,
    "nhăm": 5,
    "sáu": 6,
    "bảy": 7,
    "bẩy": 7,
    "tám": 8,
    "chín": 9,
    "mười": 10,
    "đôi": 2,
}
_VI_TENS = frozenset({"mười"})
_VI_MULTIPLIERS: dict[str, float] = {"mươi": 10, "chục": 10, "trăm": 100}
_VI_BIG: dict[str, float] = {
    "nghìn": 1e3,
    "ngàn": 1e3,
    "vạn": 1e4,
    "triệu": 1e6,
    "tỷ": 1e9,
    "tỉ": 1e9,
}

_EN_UNITS: dict[str, float] = {
    word: value
    for value, words in enumerate(
        [
            "zero",
            "one first",
            "two second",
            "three third",
            "four fourth",
            "five fifth",
            "six sixth",
            "seven seventh",
            "eight eighth",
            "nine ninth",
            "ten tenth",
            "eleven eleventh",
            "twelve twelfth dozen",
            "thirteen thirteenth",
            "fourteen fourteenth",
            "fifteen fifteenth",
            "sixteen sixteenth",
            "seventeen seventeenth",
            "eighteen eighteenth",
            "nineteen nineteenth",
        ]
    )
    for word in words.split()
}
_EN_UNITS.update(
    {
        word: 10 * tens
        for tens, words in enumerate(
            [
                "twenty twentieth",
                "thirty thirtieth",
                "forty fortieth",
                "fifty fiftieth",
                "sixty sixtieth",
                "seventy seventieth",
                "eighty eightieth",
                "ninety ninetieth",
            ],
            start=2,
        )
        for word in words.split()
    }
)
_EN_TENS = frozenset(word for word, value in _EN_UNITS.items() if value >= 20)
# Plurals ("11 fours and 2 sixes", "in his 20s" → "twenties"); "a mile" for "1 dặm".
_EN_UNITS.update(
    {
        f"{word[:-1]}ies"
        if word.endswith("y")
        else f"{word}es"
        if word.endswith("x")
        else f"{word}s": value
        for word, value in list(_EN_UNITS.items())
    }
)
_EN_UNITS.update({"a": 1, "an": 1, "once": 1, "twice": 2, "dozens": 12, "half": 0.5, "both": 2})
_EN_MULTIPLIERS: dict[str, float] = {"hundred": 100, "hundredth": 100}
_EN_BIG: dict[str, float] = {
    "thousand": 1e3,
    "thousandth": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
}
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            "January Jan",
            "February Feb",
            "March Mar",
            "April Apr",
            "May",
            "June Jun",
            "July Jul",
            "August Aug",
            "September Sep Sept",
            "October Oct",
            "November Nov",
            "December Dec",
        ],
        start=1,
    )
    for name in names.split()
}
# Vietnamese numbers the weekdays: thứ Hai (2) is Monday, thứ Bảy (7) Saturday.
_WEEKDAYS = {
    name: number
    for number, day in enumerate(
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"], start=2
    )
    for name in (day, f"{day}s")
}


@dataclass(frozen=True, slots=True)
class Number:
    """One number as written in a text.

    Attributes:
        text: How the text writes it (``27/10``, ``1,5 triệu``).
        parts: Its parts (a date has two or three), each the set of values it
            may stand for (``10.000`` in Vietnamese: 10000 or 10).
        soft: Written out, a name or an ordinal: it may match a number of the
            other side, but is never reported as missing or extra.
        article: English ``a``/``an`` (soft), or a Vietnamese digit 1 before a
            noun (``1 dặm``: "a mile"): only these two match each other, so
            that the articles of every English sentence do not stand in for
            any deleted 1.
    """

    text: str
    parts: tuple[frozenset[float], ...]
    soft: bool = False
    article: bool = False


def _key(value: float) -> float:
    """A value rounded so that 340.6e9 from two spellings compares equal."""
    return float(f"{value:.9g}")


def _values(token: str, vietnamese: bool) -> list[frozenset[float]]:
    """The parts of one digit token without ``/`` or ``:`` (``10.000``, ``1.1.2016``, ``3,5``)."""
    has_dot, has_comma = "." in token, "," in token
    if not has_dot and not has_comma:
        return [frozenset({float(token)})]
    if has_dot and has_comma:
        decimal_point = "," if token.rfind(",") > token.rfind(".") else "."
        if token.count(decimal_point) > 1:
            return [frozenset({float(g)}) for g in re.split("[.,]", token)]  # a list: "1.000,5,2"
        # The separator that comes last is the decimal point, in either convention.
        if decimal_point == ",":
            return [frozenset({_key(float(token.replace(".", "").replace(",", ".")))})]
        return [frozenset({_key(float(token.replace(",", "")))})]
    separator = "." if has_dot else ","
    groups = token.split(separator)
    thousands = len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])
    grouped = float("".join(groups))
    if len(groups) == 2:
        decimal = _key(float(f"{groups[0]}.{groups[1]}"))
        if vietnamese:
            # Vietnamese text also writes English decimals ("2.4 Ghz") and
            # thousands ("1,500"): a single separator may be either; but a
            # decimal is not written with a final zero ("5.000" is never 5).
            if thousands and groups[1].endswith("0"):
                return [frozenset({grouped})]
            return [frozenset({decimal, grouped} if thousands else {decimal})]
        # English: "10.000" is ten, "1,500" fifteen hundred, "3,5" (no group of 3) 3.5.
        return [frozenset({grouped} if thousands and separator == "," else {decimal})]
    if thousands and (vietnamese or separator == ","):
        return [frozenset({grouped})]
    # Dates (1.1.2016) and versions (3.2.1): their parts.
    return [frozenset({float(g)}) for g in groups]


def _scale(text: str, end: int, vietnamese: bool) -> tuple[float, bool, int]:
    """The scale word after a number: (factor, keep the unscaled value too, end of the word)."""
    if vietnamese:
        match = _VI_SCALE.match(text, end)
        if not match or _VI_NOT_SCALE.match(text, match.end()):
            return 1.0, False, end
        factor = _VI_SCALES[match[1]] * (_VI_SCALES[match[2]] if match[2] else 1.0)
        return factor, False, match.end()
    match = _EN_SCALE.match(text, end)
    if not match:
        return 1.0, False, end
    word = (match[1] or match[2]).lower()
    return _EN_SCALES[word], word in _AMBIGUOUS_SCALES, match.end()


def _digit_numbers(text: str, vietnamese: bool) -> list[Number]:
    numbers: list[Number] = []
    previous: re.Match[str] | None = None
    for match in _DIGITS.finditer(text):
        token = match[0]
        if _UNIT_POWER.match(text, match.start() - 1) if match.start() else False:
            continue  # km2, m3: a unit's power, said "square kilometres"
        pieces = _PART_SEPARATORS.split(token)
        parts = [
            part
            for i, piece in enumerate(pieces)
            # "05:00" is "5 a.m.": whole hours' zero minutes are not a number of their own.
            if piece and not (i and piece == "00" and token[len(pieces[0])] in ":h")
            for part in _values(piece, vietnamese)
        ]
        end = match.end()
        if len(parts) == 1:
            factor, keep, end = _scale(text, end, vietnamese)
            if factor != 1.0:
                scaled = {_key(v * factor) for v in parts[0]}
                parts = [frozenset(scaled | (parts[0] if keep else set()))]
        hour_like = ":" in token or (vietnamese and ("h" in token or _VI_HOUR.match(text, end)))
        first = set(parts[0])
        if hour_like and 13 <= max(first) <= 23:
            first |= {v - 12 for v in first if 13 <= v <= 23}
        if not vietnamese and _EN_PM.match(text, end):
            first |= {v + 12 for v in first if 1 <= v <= 11}
        if (
            previous is not None
            and previous.end() == match.start() - 1
            and text[previous.end()] in "-–/"
            and re.fullmatch(r"\d{4}", previous[0])
            and re.fullmatch(r"\d\d", token)
        ):
            # 2016–17: the second year written short.
            first.add(float(previous[0][:2] + token))
        parts[0] = frozenset(first)
        if len(parts) == 1 and end == match.end():
            first = set(parts[0])
            if vietnamese and re.fullmatch(r"1\d{3}|20\d\d", token):
                first.add(float(token[2:]))  # 1971 as "'71"
            if re.fullmatch(r"\d\d", token) and (
                _DECADE.search(text, max(0, match.start() - 12), match.start())
                if vietnamese
                else re.search(r"['’] ?$", text[max(0, match.start() - 2) : match.start()])
            ):
                first |= {1900.0 + float(token), 2000.0 + float(token)}  # thập niên 80, '71
            parts[0] = frozenset(first)
        # Informal Vietnamese writes the article as a digit ("1 câu hỏi": a question).
        article = vietnamese and token == "1" and _before_noun(text, match.start())
        soft = article and _is_article(text, match.start())
        numbers.append(Number(text[match.start() : end], tuple(parts), soft, article))
        previous = match
    return numbers


def _before_noun(text: str, start: int) -> bool:
    """Whether the digit 1 at ``start`` counts something (``1 dặm``), not a date, time or score.

    Not a time, date or range (``1 giờ sáng``, ``1 tháng 10``, ``từ 1 đến 4``) nor after
    ``ngày``, ``lúc``, ``số``, ``hiệp`` (``ngày 1``, ``số 1``).
    """
    if _ARTICLE.match(text, start) is None or _NOT_COUNTED_AFTER.match(text, start + 1):
        return False
    return _NOT_COUNTED_BEFORE.search(text, max(0, start - 12), start) is None


def _is_article(text: str, start: int) -> bool:
    """Whether the digit 1 at ``start`` is informal Vietnamese's article ("1 câu hỏi": a question).

    Not after a capitalised word inside a sentence: "Chương 1 nên" is chapter 1.
    """
    if _ARTICLE.match(text, start) is None:
        return False
    before = text[max(0, start - 40) : start].split()
    if len(before) >= 2 and before[-1][:1].isupper():
        return before[-2][-1:] in '.!?:"“”'
    return True


def _word_values(
    words: list[str],
    units: dict[str, float],
    multipliers: dict[str, float],
    big: dict[str, float],
    tens: frozenset[str],
) -> list[float]:
    """The values of a run of number words: ``hai mươi lăm`` is 25, ``two first`` is 2 and 1.

    A scale alone counts as one of it ("another billion years" for "1 tỉ năm").

    A unit after a unit starts a new number; a unit after a tens word
    (``twenty``, ``mười``/``mươi``), a multiplier or a scale adds to it.
    """
    values: list[float] = []
    total, current, seen, last = 0.0, 0.0, False, ""
    for word in words:
        kind = "tens" if word in tens else "unit" if word in units else ""
        if kind and seen and (last == kind or (last == "unit" and kind == "tens")):
            values.append(total + current)
            total, current, seen = 0.0, 0.0, False
        if word in units:
            current += units[word]
            seen, last = True, kind
        elif word in multipliers:
            current = (current or 1.0) * multipliers[word]
            seen, last = True, "multiplier"
        elif word in big:
            if current == 0 and total:
                total *= big[word]
            else:
                total += (current or 1.0) * big[word]
            current, seen, last = 0.0, True, "big"
    if seen:
        values.append(total + current)
    return values


def _word_numbers(text: str, vietnamese: bool) -> list[Number]:
    """Written-out numbers, month and weekday names, Roman numerals: all soft."""
    numbers: list[Number] = []
    units, multipliers, big = (
        (_VI_UNITS, _VI_MULTIPLIERS, _VI_BIG)
        if vietnamese
        else (_EN_UNITS, _EN_MULTIPLIERS, _EN_BIG)
    )
    run: list[str] = []
    run_start = run_end = 0
    for match in _WORD.finditer(text):
        word = match[0]
        lower = word.lower()
        is_number = lower in units or lower in multipliers or lower in big
        if lower == "a" and text.startswith(".m", match.end()):
            is_number = False  # "1 a.m."
        if not vietnamese and lower == "and" and run and _takes_and(run[-1]):
            continue  # "a hundred and fifty": one number
        # Only the gap after a run counts (slicing from a stale end would be quadratic).
        gap = text[run_end : match.start()].strip(" -\u00a0").lower() if run else ""
        joined = bool(run) and (
            gap == "" or (gap == "and" and _takes_and(run[-1]) and lower not in ("a", "an", "half"))
        )
        if vietnamese and lower == "năm" and (joined or _YEAR_AFTER.match(text, match.end())):
            is_number = False  # "ba năm" (three years), "năm 2016", "năm nay": the year
        if run and not (is_number and joined):
            numbers.extend(_soft(text[run_start:run_end], run, vietnamese))
            run = []
        if is_number:
            if not run:
                run_start = match.start()
            run.append(lower)
            run_end = match.end()
        elif not vietnamese and (word in _MONTHS or word in _WEEKDAYS):
            value = _MONTHS.get(word) or _WEEKDAYS[word]
            numbers.append(Number(word, (frozenset({float(value)}),), True))
    if run:
        numbers.extend(_soft(text[run_start:run_end], run, vietnamese))
    for match in _ROMAN.finditer(text):
        numbers.append(Number(match[0], (frozenset({float(_roman_value(match[0]))}),), True))
    return numbers


def _takes_and(word: str) -> bool:
    """Whether an English number word may go on with ``and`` (``hundred and fifty``)."""
    return word in _EN_MULTIPLIERS or word in _EN_BIG


def _soft(text: str, words: list[str], vietnamese: bool) -> list[Number]:
    tables = (
        (_VI_UNITS, _VI_MULTIPLIERS, _VI_BIG, _VI_TENS)
        if vietnamese
        else (_EN_UNITS, _EN_MULTIPLIERS, _EN_BIG, _EN_TENS)
    )
    article = not vietnamese and words in (["a"], ["an"])
    return [
        Number(text, (frozenset({_key(v)}),), True, article) for v in _word_values(words, *tables)
    ]


def _roman_value(numeral: str) -> int:
    values = [_ROMAN_VALUES[c] for c in numeral]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def extract_numbers(text: str, *, vietnamese: bool) -> list[Number]:
    """The numbers of ``text``, read with Vietnamese or English conventions.

    Args:
        text: A sentence.
        vietnamese: Read ``10.000`` as ten thousand and ``3,5`` as 3.5, and the
            Vietnamese scale and number words; otherwise English conventions.

    Returns:
        Digit numbers first (in text order), then the soft ones.
    """
    if not _ANY_DIGIT.search(text):
        digits: list[Number] = []
    else:
        digits = _digit_numbers(text, vietnamese)
    return digits + _word_numbers(text, vietnamese)


#: Above this many (unmatched left parts × right parts), the matching keeps its
#: greedy start: a pair of thousands of numbers is checked in linear time.
_AUGMENT_BUDGET = 250_000


def _match(
    left: list[frozenset[float]],
    right: list[frozenset[float]],
    taken_left: set[int],
    taken_right: set[int],
) -> None:
    """Maximum matching of free ``left`` to free ``right`` parts sharing a value.

    A greedy pass through an index of the right parts' values first (linear:
    it settles every ordinary sentence), then augmenting paths (Kuhn) from the
    left parts still free, where that work is within :data:`_AUGMENT_BUDGET`.
    """
    by_value: dict[float, list[int]] = {}
    for r, values in enumerate(right):
        if r not in taken_right:
            for value in values:
                by_value.setdefault(value, []).append(r)
    owner: dict[int, int] = {}  # right part → the left part it is matched to

    def candidates(i: int) -> list[int]:
        return sorted({r for value in left[i] for r in by_value.get(value, ())})

    free = []
    for i in range(len(left)):
        if i in taken_left:
            continue
        choice = next((r for r in candidates(i) if r not in owner), None)
        if choice is None:
            free.append(i)
        else:
            owner[choice] = i

    def augment(i: int, seen: set[int]) -> bool:
        for r in candidates(i):
            if r in seen:
                continue
            seen.add(r)
            current = owner.get(r)
            if current is None or augment(current, seen):
                owner[r] = i
                return True
        return False

    if free and len(free) * max(1, len(right)) <= _AUGMENT_BUDGET:
        for i in free:
            augment(i, set())
    for r, i in owner.items():
        taken_left.add(i)
        taken_right.add(r)


def _leftover(numbers: list[Number], parts_of: list[int], matched: set[int]) -> list[str]:
    """The digit numbers with a part left unmatched, as the text writes them."""
    unmatched = {parts_of[i] for i in range(len(parts_of)) if i not in matched}
    return [numbers[n].text for n in sorted(unmatched)]


def compare_numbers(source: str, target: str) -> tuple[list[str], list[str]]:
    """The digit numbers of a Vietnamese ``source`` missing from its English ``target``, and extra ones.

    Returns:
        (missing, extra): each as its side writes it, in text order.
    """
    if not _ANY_DIGIT.search(source) and not _ANY_DIGIT.search(target):
        return [], []
    sides = []
    for text, vietnamese in ((source, True), (target, False)):
        if "&" in text:
            text = html.unescape(text)  # "&#91;" is a bracket, not the number 91
        numbers = extract_numbers(text, vietnamese=vietnamese)
        hard = [(n, p) for n, number in enumerate(numbers) if not number.soft for p in number.parts]
        # The target's "a"/"an" are kept apart; the source's soft 1 ("1 câu hỏi") is soft.
        soft = [p for n in numbers if n.soft and (vietnamese or not n.article) for p in n.parts]
        articles = [p for n in numbers if n.soft and n.article for p in n.parts]
        sides.append((numbers, [p for _, p in hard], [n for n, _ in hard], soft, articles))
    (s_numbers, s_hard, s_owner, s_soft, _), (t_numbers, t_hard, t_owner, t_soft, t_articles) = (
        sides
    )
    s_taken: set[int] = set()
    t_taken: set[int] = set()
    _match(s_hard, t_hard, s_taken, t_taken)
    _match(s_hard, t_soft, s_taken, set())
    # Only a source 1 that counts a noun may be said "a"/"an".
    others = {i for i, n in enumerate(s_owner) if not s_numbers[n].article}
    blocked = s_taken | others
    _match(s_hard, t_articles, blocked, set())
    s_taken |= blocked - others
    _match(t_hard, s_soft, t_taken, set())
    return _leftover(s_numbers, s_owner, s_taken), _leftover(t_numbers, t_owner, t_taken)


def check_numbers(source: str, target: str, context: PairContext) -> list[str]:
    """The ``numbers`` check: ``number 10.000 → 1,000``, ``missing number 27/10``, ``extra number 5``."""
    missing, extra = compare_numbers(source, target)
    if len(missing) == 1 and len(extra) == 1:
        return [f"number {missing[0]} → {extra[0]}"]
    return [f"missing number {m}" for m in missing] + [f"extra number {e}" for e in extra]
