"""Document pairs for ``vi2en align``: a Vietnamese text and its existing English translation.

Four forms of input, each a stream of :class:`DocumentPair` (or
:class:`~translate.records.DocumentFailure` for a pair that cannot be read,
the others still read):

* two files, ``VI EN`` (text or HTML): one pair;
* one folder holding ``NAME.vi`` and ``NAME.en`` (or ``NAME.vi.txt`` and
  ``NAME.en.txt``, ``NAME.vi.html`` and ``NAME.en.html``) at any depth: a pair
  per ``NAME`` (its relative path), other files ignored, a file without its
  partner a failure;
* two folders (``--vi DIR1 --en DIR2``): a pair per relative path found in
  both, a file found in one only a failure;
* a JSONL file with a Vietnamese and an English field per record.

Each side is read like ``vi2en translate`` reads a file (decoding, NFC, HTML
extraction: the readers of this package). With ``presegmented``, each
non-blank line of a side is one sentence and blank lines separate
paragraphs; nothing is split again (the paragraph's text is its sentences
joined by spaces, and each sentence's span in it is recorded).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from translate.errors import InputError
from translate.readers.base import READERS, InputFile, ReadOptions, _document, content_hash
from translate.readers.decoding import _undecodable, decode
from translate.readers.folders import _Excluded, _is_hidden, _is_vi2en_output, _path_name
from translate.readers.jsonl import _json_type, _jsonl_lines, _safe_name
from translate.records import Document, DocumentFailure, Span
from translate.text import clean_paragraph, input_paragraph

__all__ = ["DocumentPair", "PairOptions", "count_pairs", "pair_input_files", "read_pairs"]

# The language suffixes of the single-folder form, longest first: NAME.vi.txt before NAME.vi.
_SIDE_SUFFIXES = tuple(
    (lang, f".{lang}{ext}") for ext in (".txt", ".html", ".htm", "") for lang in ("vi", "en")
)
_TEXT_EXTENSIONS = (".txt", ".html", ".htm")
_HTML_EXTENSIONS = (".html", ".htm")


@dataclass(frozen=True, slots=True)
class DocumentPair(Document):
    """A Vietnamese document (the inherited fields) and its English counterpart.

    The job treats it as a document: its id, output path and content hash
    (of both sides) are the pair's.

    Attributes:
        target_paragraphs: The English paragraphs, none empty.
        target_source: Where the English side came from, for messages.
        source_spans: With ``presegmented``, each Vietnamese paragraph's
            sentences as spans of it; ``None`` to segment the paragraphs.
        target_spans: The same for the English side.
    """

    target_paragraphs: tuple[str, ...] = ()
    target_source: str = ""
    source_spans: tuple[tuple[Span, ...], ...] | None = None
    target_spans: tuple[tuple[Span, ...], ...] | None = None


@dataclass(frozen=True)
class PairOptions:
    """How document pairs are read.

    Attributes:
        read: How each side is read (encoding, paragraphs, the JSONL id field).
        presegmented: One sentence per line, blank lines between paragraphs.
        vi_field: JSONL field holding the Vietnamese text.
        en_field: JSONL field holding the English text.
    """

    read: ReadOptions = field(default_factory=ReadOptions)
    presegmented: bool = False
    vi_field: str = "vi"
    en_field: str = "en"


@dataclass(frozen=True)
class _Side:
    paragraphs: tuple[str, ...]
    spans: tuple[tuple[Span, ...], ...] | None


@dataclass(frozen=True)
class _PairFiles:
    """A pair to read: its id and output path, and each side's file (``None``: missing)."""

    doc_id: str
    vi: Path | None
    en: Path | None
    jsonl: Path | None = None


def _strip_side(name: str) -> tuple[str, str] | None:
    """``("vi", "a/b")`` for ``a/b.vi.txt``; ``None`` for a file of no side."""
    lower = name.lower()
    for lang, suffix in _SIDE_SUFFIXES:
        if lower.endswith(suffix) and len(name) > len(suffix):
            return lang, name[: -len(suffix)]
    return None


def _files(folder: str, excluded: _Excluded) -> Iterator[str]:
    """Relative POSIX paths of the regular, non-hidden files under ``folder``, sorted.

    A ``folder`` that is itself an output folder (``-o`` = the input folder) is
    read without its vi2en outputs (``corpus.vi``/``corpus.en`` are no pair).
    """
    own_outputs = excluded.why(folder) is not None
    for root, dirs, names in os.walk(folder):
        top = root == folder
        dirs[:] = sorted(
            d
            for d in dirs
            if not _is_hidden(d)
            and not excluded.skips(os.path.join(root, d))
            and not (top and own_outputs and _is_vi2en_output(d))
        )
        relative = os.path.relpath(root, folder)
        for name in sorted(n for n in names if not _is_hidden(n)):
            if top and own_outputs and _is_vi2en_output(name):
                continue
            yield name if relative == "." else f"{Path(relative).as_posix()}/{name}"


def _folder_pairs(folder: str, excluded: _Excluded) -> list[_PairFiles]:
    sides: dict[str, dict[str, Path]] = {}
    for relative in _files(folder, excluded):
        found = _strip_side(relative)
        if found is not None:
            lang, key = found
            sides.setdefault(_path_name(key), {}).setdefault(lang, Path(folder, relative))
    return [
        _PairFiles(key, found.get("vi"), found.get("en")) for key, found in sorted(sides.items())
    ]


def _two_folder_pairs(vi_dir: str, en_dir: str, excluded: _Excluded) -> list[_PairFiles]:
    def texts(folder: str) -> set[str]:
        return {f for f in _files(folder, excluded) if f.lower().endswith(_TEXT_EXTENSIONS)}

    vi, en = texts(vi_dir), texts(en_dir)
    return [
        _PairFiles(
            _path_name(os.path.splitext(name)[0]),
            Path(vi_dir, name) if name in vi else None,
            Path(en_dir, name) if name in en else None,
        )
        for name in sorted(vi | en)
    ]


def _check_path(name: str, what: str) -> None:
    if not os.path.exists(name):
        raise InputError(name, f"no such {what}; check the path")


def _pair_files(
    inputs: Sequence[str], vi_dir: str | None, en_dir: str | None, excluded: _Excluded
) -> list[_PairFiles]:
    """The pairs the inputs name, before any is read.

    Raises:
        InputError: The inputs are missing, or not one of the four forms.
    """
    if vi_dir is not None or en_dir is not None:
        if inputs or vi_dir is None or en_dir is None:
            raise InputError(
                "--vi/--en", "give both --vi DIR and --en DIR, and no other input, to pair folders"
            )
        for folder in (vi_dir, en_dir):
            _check_path(folder, "folder")
            if not os.path.isdir(folder):
                raise InputError(folder, "not a folder; --vi and --en name folders")
        if os.path.samefile(vi_dir, en_dir):
            raise InputError(
                en_dir, f"is the same folder as --vi {vi_dir}; --en names the English folder"
            )
        return _two_folder_pairs(vi_dir, en_dir, excluded)
    for name in inputs:
        _check_path(name, "file or folder")
    if len(inputs) == 2 and not any(os.path.isdir(name) for name in inputs):
        vi, en = (Path(name) for name in inputs)
        if os.path.samefile(vi, en):
            raise InputError(
                inputs[1],
                f"is the same file as {inputs[0]}; give the Vietnamese file, then its English "
                "translation",
            )
        found = _strip_side(vi.name)
        stem = found[1] if found else os.path.splitext(vi.name)[0]
        return [_PairFiles(_path_name(stem) or "document", vi, en)]
    if len(inputs) == 1 and os.path.isdir(inputs[0]):
        pairs = _folder_pairs(inputs[0], excluded)
        if not pairs:
            raise InputError(
                inputs[0],
                "the folder holds no NAME.vi/NAME.en (or NAME.vi.txt/NAME.en.txt) files to pair",
            )
        return pairs
    if len(inputs) == 1 and inputs[0].lower().endswith(".jsonl"):
        path = Path(inputs[0])
        return [_PairFiles(_path_name(os.path.splitext(path.name)[0]), None, None, path)]
    raise InputError(
        " ".join(inputs) or "INPUT",
        "give VI EN (two files), a folder of NAME.vi/NAME.en pairs, a JSONL file, "
        "or --vi DIR1 --en DIR2",
    )


def pair_input_files(
    inputs: Sequence[str],
    *,
    vi_dir: str | None = None,
    en_dir: str | None = None,
    exclude: Sequence[str | os.PathLike[str]] = (),
) -> list[Path]:
    """Every file the pairs of ``inputs`` read (for the check that no output overwrites one).

    Raises:
        InputError: The inputs are missing, or not one of the four forms.
    """
    pairs = _pair_files(inputs, vi_dir, en_dir, _Excluded.of(exclude, warn=False))
    return [path for p in pairs for path in (p.vi, p.en, p.jsonl) if path is not None]


def count_pairs(
    inputs: Sequence[str],
    *,
    vi_dir: str | None = None,
    en_dir: str | None = None,
    exclude: Sequence[str | os.PathLike[str]] = (),
) -> int:
    """About how many pairs :func:`read_pairs` yields (a JSONL file: its non-blank lines)."""
    total = 0
    for pair in _pair_files(inputs, vi_dir, en_dir, _Excluded.of(exclude, warn=False)):
        if pair.jsonl is None:
            total += 1
            continue
        try:
            with pair.jsonl.open("rb") as handle:
                total += sum(1 for line in handle if line.strip())
        except OSError:
            total += 1
    return total


def read_pairs(
    inputs: Sequence[str],
    options: PairOptions | None = None,
    *,
    vi_dir: str | None = None,
    en_dir: str | None = None,
    exclude: Sequence[str | os.PathLike[str]] = (),
) -> Iterator[DocumentPair | DocumentFailure]:
    """Read the document pairs that ``inputs`` (or ``vi_dir`` and ``en_dir``) name, one at a time.

    Args:
        inputs: ``[VI, EN]`` files, ``[FOLDER]`` or ``[FILE.jsonl]``; empty
            with ``vi_dir`` and ``en_dir``.
        options: How to read them.
        vi_dir: The folder of Vietnamese files (with ``en_dir``).
        en_dir: The folder of English files, at the same relative paths.
        exclude: Folders never read (the run's output folder).

    Yields:
        A :class:`DocumentPair` per pair, or a failure that says what is
        wrong with it (a side missing, empty or undecodable, a bad record).

    Raises:
        InputError: The inputs are missing, or not one of the four forms
            (before anything is yielded).
    """
    options = options or PairOptions()
    pairs = _pair_files(inputs, vi_dir, en_dir, _Excluded.of(exclude, warn=True))
    for pair in pairs:
        if pair.jsonl is not None:
            yield from _read_jsonl_pairs(pair, options)
        else:
            yield _read_file_pair(pair, options)


def _read_file_pair(pair: _PairFiles, options: PairOptions) -> DocumentPair | DocumentFailure:
    source = str(pair.vi if pair.vi is not None else pair.en)
    for lang, path, other in (("Vietnamese", pair.vi, pair.en), ("English", pair.en, pair.vi)):
        if path is None:
            return DocumentFailure(
                pair.doc_id,
                str(other),
                f"no {lang} partner for {other}; add it beside it with the same name "
                f"({pair.doc_id}.{'vi' if lang == 'Vietnamese' else 'en'}), or remove the file",
            )
    assert pair.vi is not None and pair.en is not None
    sides = []
    for lang, path in (("Vietnamese", pair.vi), ("English", pair.en)):
        side = _read_file_side(path, pair.doc_id, options)
        if isinstance(side, str):
            # The readers' reasons are worded for translation.
            reason = side.replace("nothing to translate", "nothing to align")
            return DocumentFailure(pair.doc_id, str(path), f"the {lang} side: {reason}")
        sides.append(side)
    return _make_pair(pair.doc_id, pair.doc_id, source, str(pair.en), sides[0], sides[1], options)


def _read_file_side(path: Path, doc_id: str, options: PairOptions) -> _Side | str:
    """One side of a file pair, or the reason it cannot be read."""
    item = InputFile(_path_name(str(path)), doc_id, doc_id, path)
    is_html = path.name.lower().endswith(_HTML_EXTENSIONS)
    if options.presegmented:
        if is_html:
            return "an HTML page holds no sentence lines; --presegmented reads text files"
        try:
            text = item.read_text(options.read.encoding, decode)
        except InputError as exc:
            return exc.reason
        return _presegmented_side(text)
    reader = READERS["html" if is_html else "txt"]
    try:
        result = next(iter(reader.read(item, replace(options.read, input_format="auto"))))
    except (OSError, ValueError) as exc:
        return f"cannot be read ({exc})"
    if isinstance(result, DocumentFailure):
        return result.reason
    return _Side(result.paragraphs, None)


def _presegmented_side(text: str) -> _Side | str:
    """Paragraphs of sentence lines: blank lines between paragraphs, one sentence per line."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs: list[str] = []
    spans: list[tuple[Span, ...]] = []
    block: list[str] = []
    for line in [*text.split("\n"), ""]:
        sentence = input_paragraph(line)
        if sentence:
            block.append(sentence)
            continue
        if block:
            paragraph, offsets = " ".join(block), []
            start = 0
            for sentence in block:
                offsets.append(Span(start, start + len(sentence)))
                start += len(sentence) + 1
            paragraphs.append(paragraph)
            spans.append(tuple(offsets))
            block = []
    if not paragraphs:
        return (
            "empty; nothing to align" if not text.strip() else "no visible text; nothing to align"
        )
    return _Side(tuple(paragraphs), tuple(spans))


def _text_side(text: str, options: PairOptions) -> _Side | str:
    if options.presegmented:
        return _presegmented_side(text)
    from translate.text import split_paragraphs

    paragraphs = split_paragraphs(text, options.read.blank_line_paragraphs)
    if not paragraphs:
        return "empty; nothing to align"
    return _Side(tuple(paragraphs), None)


def _make_pair(
    doc_id: str,
    output_path: str,
    source: str,
    target_source: str,
    vi: _Side,
    en: _Side,
    options: PairOptions,
) -> DocumentPair | DocumentFailure:
    paragraph_break = "\n" if options.presegmented else options.read.paragraph_break
    item = InputFile(source, doc_id, output_path)
    document = _document(item, vi.paragraphs, paragraph_break)
    if isinstance(document, DocumentFailure):
        return document
    english = _document(item, en.paragraphs, paragraph_break)
    if isinstance(english, DocumentFailure):
        return DocumentFailure(doc_id, target_source, f"the English side: {english.reason}")
    marker = "presegmented" if options.presegmented else "split"
    digest = content_hash([*vi.paragraphs, f"\0{marker}\0", *en.paragraphs], paragraph_break)
    return DocumentPair(
        doc_id=doc_id,
        paragraphs=vi.paragraphs,
        source=source,
        output_path=output_path,
        content_hash=digest,
        paragraph_break=paragraph_break,
        target_paragraphs=en.paragraphs,
        target_source=target_source,
        source_spans=vi.spans,
        target_spans=en.spans,
    )


def _read_jsonl_pairs(
    pair: _PairFiles, options: PairOptions
) -> Iterator[DocumentPair | DocumentFailure]:
    assert pair.jsonl is not None
    path = pair.jsonl
    item = InputFile(_path_name(str(path)), path.name, pair.doc_id, path)
    records = 0
    seen: dict[str, str] = {}
    try:
        for number, raw in _jsonl_lines(item, options.read.encoding):
            line_source = f"{item.source}:{number}"
            fallback_id = f"{path.name}:{number}"
            if isinstance(raw, bytes):
                try:
                    text = raw.decode(options.read.encoding or "utf-8")
                except UnicodeDecodeError as exc:
                    records += 1
                    reason = _undecodable(raw, exc, "in the line", options.read.encoding)
                    yield DocumentFailure(fallback_id, line_source, reason)
                    continue
            else:
                text = raw
            line = text.removeprefix("\ufeff")
            if not line.strip():
                continue
            records += 1
            result = _jsonl_pair(pair.doc_id, line, line_source, fallback_id, options)
            if isinstance(result, DocumentPair) and result.doc_id in seen:
                result = DocumentFailure(
                    result.doc_id,
                    line_source,
                    f"document id {result.doc_id!r} is already used by {seen[result.doc_id]}; "
                    "give the JSONL lines distinct ids",
                )
            elif isinstance(result, DocumentPair):
                seen[result.doc_id] = line_source
            yield result
    except InputError as exc:
        yield DocumentFailure(pair.doc_id, item.source, exc.reason)
        return
    if records == 0:
        yield DocumentFailure(
            pair.doc_id, item.source, "no JSON lines in the file; nothing to align"
        )


def _jsonl_pair(
    stem: str, line: str, source: str, fallback_id: str, options: PairOptions
) -> DocumentPair | DocumentFailure:
    fields = (options.read.id_field, options.vi_field, options.en_field)
    example = f'{{"{fields[0]}": "1", "{fields[1]}": "...", "{fields[2]}": "..."}}'
    try:
        record = json.loads(line)
    except (ValueError, RecursionError) as exc:
        return DocumentFailure(
            fallback_id,
            source,
            f"invalid JSON ({type(exc).__name__}); every line must be one object such as {example}",
        )
    if not isinstance(record, dict):
        return DocumentFailure(
            fallback_id, source, f"the line is {_json_type(record)}, not an object like {example}"
        )
    raw_id = record.get(fields[0])
    if isinstance(raw_id, int) and not isinstance(raw_id, bool):
        raw_id = str(raw_id)
    doc_id = raw_id if isinstance(raw_id, str) and clean_paragraph(raw_id) else fallback_id
    sides = []
    for lang, name in (("Vietnamese", fields[1]), ("English", fields[2])):
        text = record.get(name)
        if not isinstance(text, str):
            found = "missing" if name not in record else _json_type(text)
            return DocumentFailure(
                doc_id,
                source,
                f'the {lang} field "{name}" is {found}, not a string; name it with '
                f"--{'vi' if lang == 'Vietnamese' else 'en'}-field",
            )
        side = _text_side(text, options)
        if isinstance(side, str):
            return DocumentFailure(doc_id, source, f'the {lang} field "{name}" is {side}')
        sides.append(side)
    return _make_pair(
        doc_id, f"{stem}/{_safe_name(doc_id)}", source, source, sides[0], sides[1], options
    )
