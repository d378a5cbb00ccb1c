r"""Read existing parallel corpora (TSV, Moses, JSONL, TMX) as sentence pairs, for ``vi2en qa``.

Any tool's files, not only vi2en's: each input yields
:class:`~translate.records.AlignedSegment` records in file order, and a
:class:`MalformedRecord` for each record it cannot read (the others still
come). A file whose records carry no document id is one document named by the
path as given; each of its records is its own paragraph (``paragraph`` is the
record's index from 0), as :func:`~translate.writers.read_tsv` reads a TSV.

Formats (chosen by extension, or by :attr:`CorpusOptions.input_format`):
    tsv: ``source<TAB>target`` lines; more columns are ignored. Texts are
        unescaped as vi2en writes them (``\t``, ``\n``, ``\\``) unless
        :attr:`CorpusOptions.escaped` is false; a text without a backslash reads
        the same either way.
    moses: ``X.vi`` and ``X.en`` (the options' languages), line-aligned, given
        as either file or as the prefix ``X``; vi2en's ``X.ids`` is read when
        present. Escaped like TSV.
    jsonl: one object per line: vi2en's segments (``doc_id``, ``paragraph``,
        ``sentence``, ``source``, ``target``, ``start``, ``end``...), or any
        record with its texts in :attr:`CorpusOptions.source_field` and
        :attr:`CorpusOptions.target_field` (by default ``source``/``target``,
        then the language codes ``vi``/``en``, then ``translation.vi`` and
        ``translation.en``); ``doc_id`` or ``id`` names the document.
    tmx: any TMX; a ``<tuv>``'s ``xml:lang`` (or TMX 1.1 ``lang``) matches a
        language by its primary subtag, in any case (``vi``, ``vi-VN``, ``VI``);
        inline codes (``<bpt>``, ``<ept>``, ``<ph>``, ``<it>``, ``<ut>``) are left
        out of the text, ``<hi>`` kept. vi2en's props (``x-doc-id``...) are read
        when present.
"""

from __future__ import annotations

import itertools
import json
import math
import unicodedata
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translate.errors import InputError, UnknownNameError
from translate.records import AlignedSegment
from translate.writers.escape import unescape
from translate.writers.jsonl import segment_from_record
from translate.writers.tmx import UnsafeXmlError, flag_of_prop, iterparse_tmx, unescape_tmx

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Inline codes of TMX 1.4: native markup of the original document, not text.
_TMX_CODES = frozenset({"bpt", "ept", "ph", "it", "ut"})
# The keys that make a JSONL line one of vi2en's segments.
_SEGMENT_KEYS = frozenset({"doc_id", "paragraph", "sentence", "source", "target", "start", "end"})


@dataclass(frozen=True, slots=True)
class CorpusOptions:
    """How parallel corpora are read.

    Attributes:
        source_lang: The source language (Moses suffix, TMX and JSONL language code).
        target_lang: The target language.
        source_field: JSONL field of the source text; ``None`` tries the defaults.
        target_field: JSONL field of the target text; ``None`` tries the defaults.
        escaped: TSV and Moses texts are escaped as vi2en writes them.
        input_format: ``auto`` (by extension) or one of :data:`CORPUS_READERS`.

    Raises:
        UnknownNameError: ``input_format`` is not ``auto`` or a corpus format.
        ValueError: Only one of the two JSONL fields is given.
    """

    source_lang: str = "vi"
    target_lang: str = "en"
    source_field: str | None = None
    target_field: str | None = None
    escaped: bool = True
    input_format: str = "auto"

    def __post_init__(self) -> None:
        if self.input_format != "auto" and self.input_format not in CORPUS_READERS:
            raise UnknownNameError("corpus format", self.input_format, ["auto", *CORPUS_READERS])
        if (self.source_field is None) != (self.target_field is None):
            raise ValueError(
                "give both JSONL fields (--source-field and --target-field) or neither"
            )


@dataclass(frozen=True, slots=True)
class MalformedRecord:
    """A record of a corpus file that could not be read.

    Attributes:
        doc_id: The document it would have belonged to (the file's label).
        source: Where it is: ``path:LINE``, or ``path: <tu> N`` for TMX.
        reason: What is wrong with it and what to do.
    """

    doc_id: str
    source: str
    reason: str


@dataclass(frozen=True, slots=True)
class CorpusInput:
    """One corpus to read: its format and files.

    Attributes:
        format: A name of :data:`CORPUS_READERS`.
        label: The input as the user named it (the document id of id-less records).
        paths: The files: one, or a Moses pair's source, target and (when
            present) ids file.
    """

    format: str
    label: str
    paths: tuple[Path, ...]


CorpusItem = AlignedSegment | MalformedRecord


def _pair(doc_id: str, index: int, source: str, target: str) -> AlignedSegment:
    """The segment of a record without positions: its own paragraph, the whole source as span."""
    return AlignedSegment(doc_id, index, 0, source, target, 0, len(source))


#: The longest record (line) read, in bytes: a sentence pair is far shorter; a longer line
#: (a whole file without line breaks, binary data) is reported, never held in memory.
MAX_RECORD_BYTES = 1 << 20


class _TooLong:
    """A line over :data:`MAX_RECORD_BYTES` (its size in bytes)."""

    def __init__(self, size: int) -> None:
        self.size = size


_Line = str | None | _TooLong


def _lines(path: Path) -> Iterator[tuple[int, _Line]]:
    """``(line number, text)`` of each LF-terminated line.

    The text is ``None`` for a line that is not UTF-8, a :class:`_TooLong` for
    one over :data:`MAX_RECORD_BYTES` (read in pieces and dropped).
    """
    with path.open("rb") as handle:
        for number in itertools.count(1):
            raw = handle.readline(MAX_RECORD_BYTES + 1)
            if not raw:
                return
            if len(raw) > MAX_RECORD_BYTES:
                size = len(raw)
                while not raw.endswith(b"\n") and raw:
                    raw = handle.readline(MAX_RECORD_BYTES)
                    size += len(raw)
                yield number, _TooLong(size)
                continue
            data = raw.removesuffix(b"\n").removesuffix(b"\r")
            if number == 1:
                data = data.removeprefix(b"\xef\xbb\xbf")
            try:
                yield number, data.decode("utf-8")
            except UnicodeDecodeError:
                yield number, None


def _bad_line(line: _Line) -> str | None:
    """The reason a line cannot be read, or None when it is text."""
    if line is None:
        return f"line {_NOT_UTF8}"
    if isinstance(line, _TooLong):
        return (
            f"line of {line.size} bytes, over the {MAX_RECORD_BYTES} bytes of a record; "
            "split it (one pair per line)"
        )
    return None


_NOT_UTF8 = "is not UTF-8; convert the file (iconv -t UTF-8)"


def _text(field: str, escaped: bool) -> str:
    return unescape(field) if escaped else field


def _read_tsv(corpus: CorpusInput, options: CorpusOptions) -> Iterator[CorpusItem]:
    [path] = corpus.paths
    for number, line in _lines(path):
        where = f"{corpus.label}:{number}"
        if line == "":
            continue  # a blank line (a trailing one, say) holds no pair
        if not isinstance(line, str):
            yield MalformedRecord(corpus.label, where, str(_bad_line(line)))
            continue
        fields = line.split("\t")
        if len(fields) < 2:
            yield MalformedRecord(
                corpus.label, where, "one column; a TSV line is source<TAB>target"
            )
            continue
        try:
            source, target = (_text(f, options.escaped) for f in fields[:2])
        except ValueError as exc:
            yield MalformedRecord(
                corpus.label, where, f"{exc}; pass --raw if the file is not escaped as vi2en's"
            )
            continue
        yield _pair(corpus.label, number - 1, source, target)


def _line_count(path: Path) -> int:
    """The number of lines of a file (a last line without LF counts), read in blocks."""
    count, last = 0, b"\n"
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


def _read_moses(corpus: CorpusInput, options: CorpusOptions) -> Iterator[CorpusItem]:
    source_path, target_path, *ids_path = corpus.paths
    counts = {path: _line_count(path) for path in corpus.paths}
    if len(set(counts.values())) > 1:
        sizes = ", ".join(f"{path} {count}" for path, count in counts.items())
        yield MalformedRecord(
            corpus.label,
            str(source_path),
            f"the files of the Moses pair have different line counts ({sizes}): they are not "
            "line-aligned, so no pair of them is read; realign them (one pair per line)",
        )
        return
    ids = _lines(ids_path[0]) if ids_path else None
    for number, ((_, source), (_, target)) in enumerate(
        zip(_lines(source_path), _lines(target_path), strict=True), start=1
    ):
        where = f"{source_path}:{number}"
        id_line = next(ids, (number, ""))[1] if ids is not None else ""
        reason = next(filter(None, map(_bad_line, (source, target, id_line))), None)
        if reason is not None:
            yield MalformedRecord(corpus.label, where, f"a {reason}")
            continue
        assert isinstance(source, str) and isinstance(target, str) and isinstance(id_line, str)
        try:
            yield _moses_pair(corpus, number, source, target, id_line if ids else None, options)
        except ValueError as exc:
            yield MalformedRecord(corpus.label, where, str(exc))


def _moses_pair(
    corpus: CorpusInput,
    number: int,
    source: str,
    target: str,
    id_line: str | None,
    options: CorpusOptions,
) -> AlignedSegment:
    """One line of a Moses pair (with its vi2en ids line, if any); ValueError when malformed."""
    try:
        texts = _text(source, options.escaped), _text(target, options.escaped)
    except ValueError as exc:
        raise ValueError(f"{exc}; pass --raw if the files are not escaped as vi2en's") from exc
    if id_line is None:
        return _pair(corpus.label, number - 1, *texts)
    fields = id_line.split("\t")
    if len(fields) not in (3, 5):
        raise ValueError(
            f"{len(fields)} tab-separated ids instead of 3 or 5; fix or remove the .ids"
        )
    doc_id, paragraph, sentence, *links = fields
    count, target_ids = links or ("1", "")
    numbers = _whole_numbers(
        "the .ids line", {"paragraph": paragraph, "sentence": sentence, "source count": count}
    )
    return AlignedSegment(
        unescape(doc_id),
        numbers["paragraph"],
        numbers["sentence"],
        *texts,
        0,
        len(texts[0]),
        source_count=numbers["source count"],
        target_ids=_whole_numbers("the .ids line", {"target ids": target_ids})["target ids"],
    )


def _whole_numbers(where: str, values: Mapping[str, str]) -> dict[str, Any]:
    """Each value as an int (``target ids``/``x-target-ids``: a tuple of ints).

    Raises:
        ValueError: A value is not a (list of) whole number(s), naming it and the fix.
    """
    numbers: dict[str, Any] = {}
    for name, text in values.items():
        try:
            if "target" in name:
                numbers[name] = tuple(int(i) for i in text.split())
            else:
                numbers[name] = int(text)
        except ValueError:
            raise ValueError(
                f"{where} has {name} {text[:40]!r}, not a whole number; fix or remove it"
            ) from None
    return numbers


def _field_texts(record: Mapping[str, Any], options: CorpusOptions) -> tuple[str, str] | None:
    """The source and target text of a foreign JSONL record, or None when it has none."""
    if options.source_field is not None and options.target_field is not None:
        candidates = [(record, options.source_field, options.target_field)]
    else:
        nested = record.get("translation")
        candidates = [
            (record, "source", "target"),
            (record, options.source_lang, options.target_lang),
        ]
        if isinstance(nested, Mapping):
            candidates.append((nested, options.source_lang, options.target_lang))
    for holder, source, target in candidates:
        if isinstance(holder.get(source), str) and isinstance(holder.get(target), str):
            return holder[source], holder[target]
    return None


def _jsonl_record(
    corpus: CorpusInput, index: int, record: object, options: CorpusOptions
) -> AlignedSegment:
    """The segment of one JSONL value; ValueError or TypeError with the reason."""
    if not isinstance(record, dict):
        raise TypeError("not a JSON object")
    if set(record) >= _SEGMENT_KEYS:
        return segment_from_record(record)
    texts = _field_texts(record, options)
    if texts is None:
        fields = (
            f"{options.source_field!r}/{options.target_field!r}"
            if options.source_field
            else f"'source'/'target' or {options.source_lang!r}/{options.target_lang!r}"
        )
        raise ValueError(
            f"no text fields {fields}; name them with --source-field and --target-field"
        )
    doc_id = record.get("doc_id", record.get("id"))
    if isinstance(doc_id, bool) or not isinstance(doc_id, str | int):
        doc_id = corpus.label
    return _pair(str(doc_id), index, *texts)


def _read_jsonl(corpus: CorpusInput, options: CorpusOptions) -> Iterator[CorpusItem]:
    [path] = corpus.paths
    index = 0
    for number, line in _lines(path):
        where = f"{corpus.label}:{number}"
        if isinstance(line, str) and not line.strip():
            continue
        try:
            if not isinstance(line, str):
                raise ValueError(_bad_line(line))
            yield _jsonl_record(corpus, index, json.loads(line), options)
        except json.JSONDecodeError as exc:
            yield MalformedRecord(corpus.label, where, f"not JSON ({exc}); one object per line")
        except (ValueError, TypeError, RecursionError) as exc:
            reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            yield MalformedRecord(corpus.label, where, reason)
        index += 1


def _language(tuv: ElementTree.Element) -> str:
    lang = tuv.get(_XML_LANG) or tuv.get("lang") or ""
    return lang.replace("_", "-").split("-")[0].lower()


def _seg_text(element: ElementTree.Element) -> str:
    """The text of a ``<seg>`` (or ``<hi>``): inline codes left out, highlighted text kept."""
    parts = [element.text or ""]
    for child in element:
        if child.tag not in _TMX_CODES:
            parts.append(_seg_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _tmx_unit(
    corpus: CorpusInput, index: int, unit: ElementTree.Element, options: CorpusOptions
) -> AlignedSegment:
    """The segment of one ``<tu>``; ValueError with the reason."""
    texts: dict[str, str] = {}
    for tuv in unit.iter("tuv"):
        seg = tuv.find("seg")
        texts.setdefault(_language(tuv), "" if seg is None else _seg_text(seg))
    wanted = (options.source_lang.lower(), options.target_lang.lower())
    if not all(lang in texts for lang in wanted):
        found = ", ".join(sorted(texts)) or "none"
        raise ValueError(
            f"no {wanted[0]!r} and {wanted[1]!r} <tuv> (languages: {found}); "
            "set --source-lang and --target-lang"
        )
    props = [(prop.get("type") or "", prop.text or "") for prop in unit.findall("prop")]
    values = dict(props)
    escaped = set(values.get("x-escaped", "").split())
    doc_id = values.get("x-doc-id", corpus.label)
    source, target = (texts[lang] for lang in wanted)
    if "doc-id" in escaped:
        doc_id = unescape_tmx(doc_id)
    if options.source_lang in escaped:
        source = unescape_tmx(source)
    if options.target_lang in escaped:
        target = unescape_tmx(target)
    flags = tuple(flag_of_prop(text) for kind, text in props if kind == "x-vi2en-flags")
    numbers = _whole_numbers(
        "the <tu>",
        {
            "x-paragraph": values.get("x-paragraph", str(index)),
            "x-sentence": values.get("x-sentence", "0"),
            "x-source-count": values.get("x-source-count", "1"),
            "x-target-ids": values.get("x-target-ids", ""),
        },
    )
    return AlignedSegment(
        doc_id,
        numbers["x-paragraph"],
        numbers["x-sentence"],
        source,
        target,
        0,
        len(source),
        source_count=numbers["x-source-count"],
        target_ids=numbers["x-target-ids"],
        score=_score_prop(values.get("x-vi2en-score")),
        flags=flags,
    )


def _score_prop(text: str | None) -> float | None:
    """The ``x-vi2en-score`` prop as a finite number, None when absent.

    Raises:
        ValueError: The prop is no finite number, naming it and the fix.
    """
    if text is None:
        return None
    try:
        score = float(text)
    except ValueError:
        score = math.nan
    if not math.isfinite(score):
        raise ValueError(
            f"the <tu> has x-vi2en-score {text[:40]!r}, not a number; fix or remove it"
        )
    return score


def _read_tmx(corpus: CorpusInput, options: CorpusOptions) -> Iterator[CorpusItem]:
    [path] = corpus.paths
    index = 0
    try:
        for element in iterparse_tmx(path):
            if element.tag != "tu":
                continue
            try:
                yield _tmx_unit(corpus, index, element, options)
            except ValueError as exc:
                yield MalformedRecord(corpus.label, f"{corpus.label}: <tu> {index + 1}", str(exc))
            index += 1
            element.clear()  # memory stays flat on a large file
    except ElementTree.ParseError as exc:
        line = exc.position[0]
        yield MalformedRecord(
            corpus.label,
            f"{corpus.label}:{line}",
            f"not well-formed XML ({exc}); the rest of the file is skipped",
        )
    except UnsafeXmlError:
        yield MalformedRecord(
            corpus.label,
            corpus.label,
            "declares XML entities, which vi2en never expands (an entity bomb or an external "
            "file); remove the <!ENTITY> declarations. The rest of the file is skipped",
        )


#: Corpus format → reader of one input, in the order formats are listed.
CORPUS_READERS: dict[str, Callable[[CorpusInput, CorpusOptions], Iterator[CorpusItem]]] = {
    "jsonl": _read_jsonl,
    "moses": _read_moses,
    "tmx": _read_tmx,
    "tsv": _read_tsv,
}

_EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".tmx": "tmx", ".tsv": "tsv"}


def _moses_input(name: str, path: Path, options: CorpusOptions) -> CorpusInput | None:
    """The Moses pair ``name`` names (``X.vi``, ``X.en`` or the prefix ``X``), or None."""
    stem = path
    for lang in (options.source_lang, options.target_lang):
        if path.name.endswith(f".{lang}"):
            stem = path.with_name(path.name[: -len(lang) - 1])
    pair = [
        stem.with_name(f"{stem.name}.{lang}") for lang in (options.source_lang, options.target_lang)
    ]
    if not all(p.is_file() for p in pair):
        return None
    ids = stem.with_name(f"{stem.name}.ids")
    return CorpusInput("moses", str(stem), (*pair, *([ids] if ids.is_file() else [])))


def corpus_input(name: str, options: CorpusOptions) -> CorpusInput:
    """The corpus an input names: its format (by extension or the options) and files.

    Raises:
        InputError: The file is missing, or its format cannot be told.
    """
    path = Path(name)
    kind = options.input_format
    if kind == "moses" or (kind == "auto" and path.suffix not in _EXTENSIONS):
        moses = _moses_input(name, path, options)
        if moses is not None:
            return moses
        if kind == "moses":
            raise InputError(
                name,
                f"no Moses pair: need {path.stem}.{options.source_lang} and "
                f"{path.stem}.{options.target_lang}; name one of them or their prefix",
            )
    if path.is_dir():
        raise InputError(name, "is a folder; name the corpus files in it")
    if not path.is_file():
        raise InputError(name, "no such file; give a .tsv, .jsonl, .tmx file or a Moses pair")
    if kind == "auto":
        if path.suffix not in _EXTENSIONS:
            raise InputError(
                name,
                "cannot tell the corpus format; name it .tsv, .jsonl or .tmx, give a Moses "
                f"pair (X.{options.source_lang} and X.{options.target_lang}), or pass "
                "--input-format",
            )
        kind = _EXTENSIONS[path.suffix]
    return CorpusInput(kind, name, (path,))


def corpus_inputs(names: Sequence[str], options: CorpusOptions) -> list[CorpusInput]:
    """:func:`corpus_input` of each name, a Moses pair named twice (``X.vi X.en``) once.

    Raises:
        InputError: An input is missing or of unknown format.
    """
    inputs: list[CorpusInput] = []
    for name in names:
        corpus = corpus_input(name, options)
        if corpus not in inputs:
            inputs.append(corpus)
    return inputs


def read_corpus(corpus: CorpusInput, options: CorpusOptions) -> Iterator[CorpusItem]:
    """The pairs of one corpus in file order, and a :class:`MalformedRecord` for each bad record.

    A file that cannot be opened yields one :class:`MalformedRecord` for the file.
    """
    try:
        yield from CORPUS_READERS[corpus.format](corpus, options)
    except OSError as exc:
        yield MalformedRecord(
            corpus.label, corpus.label, f"cannot be read ({exc.strerror or exc}); check the file"
        )


def check_text(text: str) -> str:
    """A text as the QA checks see it: NFC (decomposed Vietnamese is composed)."""
    return unicodedata.normalize("NFC", text)
