"""Tests of translate.readers: every input the CLI accepts, and every bad one."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import translate.readers.decoding
from translate.errors import InputError, UnknownNameError
from translate.readers import (
    READERS,
    ReadOptions,
    check_inputs,
    clean_paragraph,
    content_hash,
    read_documents,
    read_text,
    split_paragraphs,
)
from translate.records import Document, DocumentFailure

DATA = Path(__file__).parent / "data"
FIXTURES = DATA / "readers"
SAMPLE = DATA / "sample"


def _hash(taken: str, attempt: int = 0) -> str:
    """The suffix a colliding output path gets (see readers._OutputPaths)."""
    return hashlib.sha256(f"{taken}\0{attempt}".encode()).hexdigest()[:8]


# The two lines every encoding fixture holds (see tests/data/readers/README.md).
VIETNAMESE = (
    "Hà Nội: người dân đổ xô đi mua hoa dịp 8-3, giá tăng mạnh.",
    "Thủ tướng yêu cầu các bộ, ngành khẩn trương hoàn thiện dự thảo nghị định về thuế.",
)


def read_all(inputs: list[str | Path], **options: object) -> list[Document | DocumentFailure]:
    return list(read_documents([str(i) for i in inputs], ReadOptions(**options)))  # type: ignore[arg-type]


def read_one(path: str | Path, **options: object) -> Document | DocumentFailure:
    [result] = read_all([path], **options)
    return result


def read_doc(path: str | Path, **options: object) -> Document:
    result = read_one(path, **options)
    assert isinstance(result, Document), result
    return result


def failure_reason(path: str | Path, **options: object) -> str:
    result = read_one(path, **options)
    assert isinstance(result, DocumentFailure), result
    return result.reason


def _cp1258(text: str) -> bytes:
    """Encode in Windows-1258: â ê ô ă ơ ư đ precomposed, tone marks combining."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for ch in text:
        nfd = unicodedata.normalize("NFD", ch)
        base = "".join(c for c in nfd if c not in tones)
        out.append(unicodedata.normalize("NFC", base) + "".join(c for c in nfd if c in tones))
    return "".join(out).encode("cp1258")


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


# --- normalisation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hà Nội", "Hà Nội"),
        (unicodedata.normalize("NFD", "Hà Nội"), "Hà Nội"),  # NFD → NFC
        ("  Hà Nội \t ", "Hà Nội"),  # stripped
        ("Hà\u00a0Nội", "Hà Nội"),  # NBSP
        ("Hà\u202fNội\u2007mưa", "Hà Nội mưa"),  # narrow no-break and figure spaces
        ("Hà\tNội", "Hà Nội"),  # tab inside a line
        ("Hà   Nội", "Hà Nội"),  # runs of spaces
        ("Hà\u200bNội\u200c\u200d\u2060\ufeff", "HàNội"),  # zero-width characters
        ("Hà Nội\u00ad", "Hà Nội"),  # soft hyphen
        ("a\u200b\u0301", "á"),  # zero-width between letter and tone mark: still composed
        ("Hà\x00Nội\x07", "HàNội"),  # control characters
        ("\u200b\u00a0\ufeff", ""),  # nothing visible
        ("Cười 😀 và 👨\u200d👩\u200d👧", "Cười 😀 và 👨👩👧"),  # emoji kept, ZWJ dropped
    ],
    ids=[
        "plain",
        "nfd",
        "strip",
        "nbsp",
        "narrow-spaces",
        "tab",
        "space-run",
        "zero-width",
        "soft-hyphen",
        "zero-width-before-mark",
        "controls",
        "invisible-only",
        "emoji",
    ],
)
def test_clean_paragraph(text: str, expected: str) -> None:
    assert clean_paragraph(text) == expected


@pytest.mark.parametrize(
    ("text", "blank_lines", "expected"),
    [
        ("", False, []),
        ("Một.\nHai.\n", False, ["Một.", "Hai."]),
        ("Một.\r\nHai.\r\n", False, ["Một.", "Hai."]),  # CRLF
        ("Một.\rHai.", False, ["Một.", "Hai."]),  # old Mac CR
        ("Một.\n\n \n\u00a0\nHai.", False, ["Một.", "Hai."]),  # blank and NBSP-only lines
        ("Một\ndòng.\n\nHai.\n", True, ["Một dòng.", "Hai."]),  # hard-wrapped
        ("Một\r\ndòng.\r\n \r\nHai.", True, ["Một dòng.", "Hai."]),  # CRLF, space-only line
        ("\n\nMột.\n\n\n\nHai.\n\n", True, ["Một.", "Hai."]),  # extra blank lines
    ],
    ids=["empty", "lines", "crlf", "cr", "blank-lines", "blank-line-mode", "blank-crlf", "extra"],
)
def test_split_paragraphs(text: str, blank_lines: bool, expected: list[str]) -> None:
    assert split_paragraphs(text, blank_lines) == expected


_ALPHABET = st.sampled_from(
    [
        *"aeoudđĐHàNộiươăâêô .,:\"'“”-0123456789",
        *"\u0300\u0301\u0303\u0309\u0323\u0302\u031b",  # combining marks
        *"\n\r\t\u00a0\u202f\u200b\ufeff\u2060\u00ad😀",
    ]
)
_INVISIBLE = set("\u200b\u200c\u200d\u2060\ufeff\u00ad")


def _visible(text: str) -> str:
    return unicodedata.normalize(
        "NFC", "".join(c for c in text if not c.isspace() and c not in _INVISIBLE)
    )


@given(st.text(_ALPHABET, max_size=80), st.booleans())
def test_split_paragraphs_loses_no_visible_character(text: str, blank_lines: bool) -> None:
    paragraphs = split_paragraphs(text, blank_lines)
    assert _visible("".join(paragraphs)) == _visible(text)
    nfc = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    for paragraph in paragraphs:
        assert paragraph == paragraph.strip() and clean_paragraph(paragraph) != ""
        assert "\n" not in paragraph
        assert unicodedata.is_normalized("NFC", paragraph)
        # The input's text, only NFC and (blank-line mode) line breaks made spaces.
        assert paragraph in (nfc.replace("\n", " ") if blank_lines else nfc)
        assert split_paragraphs(paragraph, blank_lines) == [paragraph]  # idempotent


# --- encodings -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "vietnamese-utf8-bom.txt",
        "vietnamese-utf16-le-bom.txt",
        "vietnamese-utf16-be-bom.txt",
        "vietnamese-utf32-le-bom.txt",
        "vietnamese-nfd.txt",
        "vietnamese-crlf.txt",
        "vietnamese-invisible.txt",
    ],
    ids=["utf8-bom", "utf16-le-bom", "utf16-be-bom", "utf32-le-bom", "nfd", "crlf", "invisible"],
)
def test_fixture_reads_as_nfc_vietnamese(name: str) -> None:
    paragraphs = read_doc(FIXTURES / name).paragraphs
    # Invisible characters and odd spaces stay in the document; the model sees them cleaned.
    assert tuple(map(clean_paragraph, paragraphs)) == VIETNAMESE


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("vietnamese-utf8-bom.txt", lambda b: b.startswith(b"\xef\xbb\xbf")),
        ("vietnamese-utf16-le-bom.txt", lambda b: b.startswith(b"\xff\xfeH\x00")),
        ("vietnamese-utf16-be-bom.txt", lambda b: b.startswith(b"\xfe\xff\x00H")),
        ("vietnamese-utf32-le-bom.txt", lambda b: b.startswith(b"\xff\xfe\x00\x00H\x00\x00\x00")),
        ("vietnamese-nfd.txt", lambda b: "a\u0300" in b.decode()),
        ("vietnamese-crlf.txt", lambda b: b.count(b"\r\n") == 2),
        ("vietnamese-invisible.txt", lambda b: "\u200b" in b.decode() and "\xa0" in b.decode()),
        ("vietnamese-cp1258.txt", lambda b: b.startswith(b"Ha\xcc N\xf4\xf2i")),
    ],
    ids=["utf8-bom", "utf16-le", "utf16-be", "utf32-le", "nfd", "crlf", "invisible", "cp1258"],
)
def test_fixture_bytes_are_what_they_claim(name: str, check: Callable[[bytes], bool]) -> None:
    assert check((FIXTURES / name).read_bytes())


def test_cp1258_suggests_the_encoding() -> None:
    assert failure_reason(FIXTURES / "vietnamese-cp1258.txt") == (
        "not valid UTF-8 (byte 0xCC at offset 2, line 1); it looks like Vietnamese in the "
        "Windows-1258 code page: pass --encoding cp1258"
    )


def test_cp1258_with_the_encoding_reads_nfc() -> None:
    paragraphs = read_doc(FIXTURES / "vietnamese-cp1258.txt", encoding="cp1258").paragraphs
    assert paragraphs == VIETNAMESE
    assert all(unicodedata.is_normalized("NFC", p) for p in paragraphs)


def test_invalid_utf8_names_the_byte_and_the_option(tmp_path: Path) -> None:
    path = write(tmp_path / "latin1.txt", "Crème brûlée\ncafé au lait\n".encode("latin-1"))
    assert failure_reason(path) == (
        "not valid UTF-8 (byte 0xE8 at offset 2, line 1); pass --encoding ENC with the "
        "file's encoding (for example --encoding cp1258 for Windows Vietnamese), or convert "
        "it to UTF-8"
    )


def test_wrong_explicit_encoding(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", b"abc\xff")
    assert failure_reason(path, encoding="ascii") == (
        "not valid ascii (byte 0xFF at offset 3, line 1); check --encoding"
    )


def test_utf16_without_bom_reads_with_the_encoding(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "\n".join(VIETNAMESE).encode("utf-16-le"))
    assert "NUL byte" in failure_reason(path)
    assert read_doc(path, encoding="utf-16-le").paragraphs == VIETNAMESE


def test_damaged_utf16(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", b"\xff\xfeH\x00\x00\xd8")  # lone surrogate at the end
    assert failure_reason(path) == (
        "not valid UTF-16 (at offset 4) although it starts with a UTF-16 byte-order mark; "
        "the file is damaged, or pass --encoding ENC"
    )


def test_unknown_encoding_is_refused_before_reading() -> None:
    with pytest.raises(InputError, match=r"^--encoding: unknown encoding 'vni'; use a Python"):
        ReadOptions(encoding="vni")


def test_unknown_input_format_lists_the_choices() -> None:
    with pytest.raises(UnknownNameError, match=r"choose one of: auto, html, jsonl, txt$"):
        ReadOptions(input_format="docx")


# --- bad files -----------------------------------------------------------------------


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file; nothing to translate"),
        (
            "blank.txt",
            " \n\t\n\u00a0\u200b\n\r\n".encode(),
            "contains only whitespace or invisible characters; nothing to translate",
        ),
        (
            "image.txt",
            PNG,
            "binary file (a PNG image), not text; save the article as .txt (or .html or "
            ".jsonl) and read that",
        ),
        (
            "program.txt",
            ELF,
            "binary file (an ELF executable), not text; save the article as .txt (or .html "
            "or .jsonl) and read that",
        ),
        (
            "nul.txt",
            b"Ha Noi\x00\x00\x01",
            "binary file (NUL byte at offset 6), not text; if it is UTF-16 or UTF-32 text "
            "without a byte-order mark, pass --encoding utf-16-le (or the right one)",
        ),
        (
            "doc.txt",
            b"%PDF-1.7\n",
            "binary file (a PDF document), not text; extract its text into a .txt file and "
            "read that",
        ),
        ("empty.html", b"", "empty file; nothing to translate"),
        (
            "image.html",
            PNG,
            "binary file (a PNG image), not text; save the article as .txt (or .html or "
            ".jsonl) and read that",
        ),
        ("empty.jsonl", b"", "empty file; nothing to translate"),
        ("blank.jsonl", b"\n  \n\r\n", "no JSON lines in the file; nothing to translate"),
        (
            "image.jsonl",
            PNG,
            "binary file (a PNG image), not text; save the article as .txt (or .html or "
            ".jsonl) and read that",
        ),
    ],
    ids=[
        "empty",
        "whitespace-only",
        "png",
        "elf",
        "nul-bytes",
        "pdf",
        "empty-html",
        "png-html",
        "empty-jsonl",
        "blank-jsonl",
        "png-jsonl",
    ],
)
def test_bad_file_fails_with_reason(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = write(tmp_path / name, content)
    result = read_one(path)
    assert result == DocumentFailure(name, str(path), reason)


def test_bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.txt", PNG)
    good = write(tmp_path / "good.txt", "Xin chào.\n")
    results = read_all([bad, good])
    assert isinstance(results[0], DocumentFailure)
    assert isinstance(results[1], Document) and results[1].paragraphs == ("Xin chào.",)


def test_unreadable_file_in_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        write(tmp_path / name, f"Bài {name}.\n")
    real_open = os.open

    def os_open(path: str | Path, flags: int, *args: Any) -> int:
        if Path(path).name == "b.txt":  # tests run as root, so chmod would not stop the read
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(translate.readers.decoding.os, "open", os_open)
    results = read_all([tmp_path])
    assert [type(r).__name__ for r in results] == ["Document", "DocumentFailure", "Document"]
    assert results[1] == DocumentFailure(
        "b.txt",
        str(tmp_path / "b.txt"),
        "cannot read the file: permission denied; check its permissions",
    )


def test_unreadable_subfolder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "a.txt", "Một.\n")
    write(tmp_path / "locked" / "b.txt", "Hai.\n")
    write(tmp_path / "z.txt", "Ba.\n")
    real_scandir = os.scandir

    def scandir(path: str) -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr("translate.readers.folders.os.scandir", scandir)
    results = read_all([tmp_path])
    assert [r.doc_id for r in results] == ["a.txt", "locked", "z.txt"]
    assert results[1] == DocumentFailure(
        "locked",
        str(tmp_path / "locked"),
        "cannot read the folder: permission denied; check its permissions",
    )


def test_unreadable_folder_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "news" / "a.txt", "Một.\n")

    def scandir(path: str) -> object:
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr("translate.readers.folders.os.scandir", scandir)
    assert read_all([tmp_path / "news"]) == [
        DocumentFailure(
            ".",
            str(tmp_path / "news"),
            "cannot read the folder: permission denied; check its permissions",
        )
    ]


# --- inputs: check_inputs, folders, ids ----------------------------------------------


def test_check_inputs_names_the_missing_path(tmp_path: Path) -> None:
    good = write(tmp_path / "a.txt", "Một.\n")
    missing = tmp_path / "nope" / "b.txt"
    with pytest.raises(InputError) as info:
        check_inputs([str(good), str(missing), "-"])
    assert str(info.value) == f"{missing}: no such file or folder; check the path"
    assert info.value.source == str(missing)


def test_check_inputs_refuses_a_folder_without_inputs(tmp_path: Path) -> None:
    write(tmp_path / "notes.md", "Một.\n")
    write(tmp_path / ".hidden.txt", "Hai.\n")
    with pytest.raises(InputError) as info:
        check_inputs([str(tmp_path)])
    assert info.value.reason == (
        "the folder has no input files (.htm, .html, .jsonl, .txt; hidden files and folders, "
        "and vi2en output folders, are skipped)"
    )


def test_check_inputs_accepts_good_inputs(tmp_path: Path) -> None:
    write(tmp_path / "deep" / "er" / "a.TXT", "Một.\n")
    check_inputs([str(tmp_path), str(tmp_path / "deep" / "er" / "a.TXT"), "-"])


def test_read_documents_raises_for_a_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        list(read_documents([str(tmp_path / "missing.txt")]))


def test_folder_order_ids_and_filters(tmp_path: Path) -> None:
    files = {
        "b.txt": "B",
        "a/z.txt": "AZ",
        "a.txt": "A",  # sorts before a/z.txt: "." < "/"
        "a/b/c.HTM": "<html><body><article><p>" + "Câu văn. " * 40 + "</p></article></body></html>",
        "a-b.jsonl": '{"id": "x1", "text": "X"}\n',
        "notes.md": "skipped: unknown extension",
        ".git/config.txt": "skipped: hidden folder",
        "a/.draft.txt": "skipped: hidden file",
    }
    for name, text in files.items():
        write(tmp_path / name, text)
    results = read_all([tmp_path])
    assert all(isinstance(r, Document) for r in results), results
    assert [r.doc_id for r in results] == ["x1", "a.txt", "a/b/c.HTM", "a/z.txt", "b.txt"]
    assert [r.output_path for r in results] == ["a-b/x1", "a", "a/b/c", "a/z", "b"]
    assert [r.source for r in results] == [
        f"{tmp_path}/a-b.jsonl:1",
        f"{tmp_path}/a.txt",
        f"{tmp_path}/a/b/c.HTM",
        f"{tmp_path}/a/z.txt",
        f"{tmp_path}/b.txt",
    ]


def test_file_arguments_use_the_file_name(tmp_path: Path) -> None:
    write(tmp_path / "a" / "x.txt", "Một.\n")
    write(tmp_path / "b" / "y.txt", "Hai.\n")
    results = read_all([tmp_path / "a" / "x.txt", tmp_path / "b" / "y.txt"])
    assert [(r.doc_id, r.output_path) for r in results] == [("x.txt", "x"), ("y.txt", "y")]


def test_unknown_extension_given_by_name_is_read_as_text(tmp_path: Path) -> None:
    path = write(tmp_path / "article.md", "Một.\nHai.\n")
    assert read_doc(path).paragraphs == ("Một.", "Hai.")


def test_duplicate_ids_fail_the_later_document(tmp_path: Path) -> None:
    first = write(tmp_path / "a" / "x.txt", "Một.\n")
    second = write(tmp_path / "b" / "x.txt", "Hai.\n")
    results = read_all([first, second])
    assert isinstance(results[0], Document)
    assert results[1] == DocumentFailure(
        "x.txt",
        str(second),
        f"document id 'x.txt' is already used by {first}; ids must be unique: rename one of "
        "the files, pass their common folder instead, or give the JSONL lines distinct ids",
    )


def test_duplicate_jsonl_ids_across_files(tmp_path: Path) -> None:
    one = write(tmp_path / "one.jsonl", '{"id": 7, "text": "Một."}\n')
    two = write(tmp_path / "two.jsonl", '{"id": "7", "text": "Hai."}\n')
    results = read_all([one, two])
    assert isinstance(results[1], DocumentFailure)
    assert results[1].source == f"{two}:1"
    assert f"document id '7' is already used by {one}:1" in results[1].reason


def test_output_path_clash_gets_a_unique_name(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Một.\n")
    write(tmp_path / "a.html", "<html><body><p>" + "Câu văn. " * 40 + "</p></body></html>")
    results = read_all([tmp_path])
    assert [type(r).__name__ for r in results] == ["Document", "Document"]
    assert [r.output_path for r in results] == ["a", f"a-{_hash('a')}"]


def test_folder_is_read_lazily(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(5):
        write(tmp_path / f"{i}.txt", f"Bài {i}.\n")
    opened: list[str] = []
    real_open = os.open

    def os_open(path: str | Path, flags: int, *args: Any) -> int:
        opened.append(Path(path).name)
        return real_open(path, flags, *args)

    monkeypatch.setattr(translate.readers.decoding.os, "open", os_open)
    documents = read_documents([str(tmp_path)])
    assert opened == []
    next(documents)
    assert opened == ["0.txt"]


# --- txt -----------------------------------------------------------------------------


def test_txt_document_fields(tmp_path: Path) -> None:
    path = write(tmp_path / "bai-bao.txt", "Tiêu đề\n\nĐoạn một.\nĐoạn hai.\n")
    document = read_doc(path)
    assert document == Document(
        doc_id="bai-bao.txt",
        paragraphs=("Tiêu đề", "Đoạn một.", "Đoạn hai."),
        source=str(path),
        output_path="bai-bao",
        content_hash=content_hash(("Tiêu đề", "Đoạn một.", "Đoạn hai."), "\n"),
        paragraph_break="\n",
    )


def test_txt_blank_line_paragraphs(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "Tiêu đề\n\nDòng một\ncủa đoạn.\n\nĐoạn hai.\n")
    document = read_doc(path, blank_line_paragraphs=True)
    assert document.paragraphs == ("Tiêu đề", "Dòng một của đoạn.", "Đoạn hai.")
    assert document.paragraph_break == "\n\n"


def test_content_hash_reflects_text_and_paragraph_mode(tmp_path: Path) -> None:
    one = read_doc(write(tmp_path / "1.txt", "Một.\nHai.\n"))
    same = read_doc(write(tmp_path / "2.txt", "Một.\r\n\r\nHai. "))
    other = read_doc(write(tmp_path / "3.txt", "Một.\nBa.\n"))
    blank = read_doc(tmp_path / "1.txt", blank_line_paragraphs=True)
    assert one.content_hash == same.content_hash  # same text, line ends and strip aside
    spaced = read_doc(write(tmp_path / "4.txt", "Một.\nHai.\u200b\n"))
    assert spaced.content_hash != one.content_hash  # the input's text is hashed
    assert len({one.content_hash, other.content_hash}) == 2
    assert blank.paragraphs == ("Một. Hai.",) and blank.content_hash != one.content_hash
    assert len(one.content_hash) == 64 and int(one.content_hash, 16) >= 0


def test_large_single_line_file(tmp_path: Path) -> None:
    sentence = "Người dân Hà Nội\u00a0đổ xô đi mua hoa dịp 8-3.\u200b "
    path = write(tmp_path / "big.txt", (sentence * 100_000).encode())  # ~5 MB, one line
    document = read_doc(path)
    [paragraph] = document.paragraphs
    assert paragraph == (sentence * 100_000).strip()


def test_read_text() -> None:
    document = read_text("Một.\n\n  Hai\u00a0ba.  \n", doc_id="t")
    assert document.paragraphs == ("Một.", "Hai\u00a0ba.")
    assert (document.doc_id, document.output_path, document.paragraph_break) == ("t", "t", "\n")
    assert read_text(" \n").paragraphs == ()


# --- stdin ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stream",
    [lambda: io.BytesIO("Một.\nHai.\n".encode()), lambda: io.StringIO("Một.\nHai.\n")],
    ids=["bytes", "text"],
)
def test_stdin_txt(stream: Callable[[], io.IOBase]) -> None:
    [document] = read_documents(["-"], stdin=stream())  # type: ignore[arg-type]
    assert isinstance(document, Document)
    assert (document.doc_id, document.source, document.output_path) == ("stdin", "-", "stdin")
    assert document.paragraphs == ("Một.", "Hai.")


def test_stdin_cp1258() -> None:
    stream = io.BytesIO((FIXTURES / "vietnamese-cp1258.txt").read_bytes())
    [document] = read_documents(["-"], ReadOptions(encoding="cp1258"), stdin=stream)
    assert isinstance(document, Document) and document.paragraphs == VIETNAMESE


def test_stdin_jsonl() -> None:
    stream = io.BytesIO(b'{"id": "a", "text": "M\xe1\xbb\x99t."}\n{"id": "b", "text": "Hai."}\n')
    results = list(read_documents(["-"], ReadOptions(input_format="jsonl"), stdin=stream))
    assert [(r.doc_id, r.source, r.output_path) for r in results] == [  # type: ignore[union-attr]
        ("a", "-:1", "stdin/a"),
        ("b", "-:2", "stdin/b"),
    ]


def test_stdin_jsonl_is_streamed() -> None:
    def lines() -> Iterator[bytes]:
        yield b'{"id": "a", "text": "Mot."}\n'
        raise AssertionError("read past the first document")

    documents = read_documents(["-"], ReadOptions(input_format="jsonl"), stdin=lines())  # type: ignore[arg-type]
    assert next(documents).doc_id == "a"


# --- jsonl ---------------------------------------------------------------------------


def test_jsonl_documents(tmp_path: Path) -> None:
    lines = [
        {"id": "vnx-1", "text": "Tiêu đề\nĐoạn một.\n\nĐoạn hai."},
        {"id": 42, "title": "Tiêu đề", "body": "Thân bài."},
        {"text": "Không có id."},
        {"id": "a/b c", "title": "  ", "text": "Id lạ."},
    ]
    path = write(
        tmp_path / "news.jsonl", "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines)
    )
    results = read_all([path])
    assert all(isinstance(r, Document) for r in results), results
    documents = [r for r in results if isinstance(r, Document)]
    assert [(d.doc_id, d.output_path, d.source) for d in documents] == [
        ("vnx-1", "news/vnx-1", f"{path}:1"),
        ("42", "news/42", f"{path}:2"),
        ("news.jsonl:3", "news/news.jsonl_3-9896f0ee", f"{path}:3"),  # no id: file and line
        ("a/b c", "news/a_b_c-0af99a60", f"{path}:4"),  # unsafe id: sanitised + hash
    ]
    assert [d.paragraphs for d in documents] == [
        ("Tiêu đề", "Đoạn một.", "Đoạn hai."),
        ("Tiêu đề", "Thân bài."),
        ("Không có id.",),
        ("Id lạ.",),  # a blank title is left out
    ]


def test_jsonl_custom_fields_and_blank_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path / "x.jsonl",
        '\n{"url": "u1", "content": "Dòng\\nhai.\\n\\nĐoạn sau.", "headline": "Tít"}\n\n',
    )
    [document] = read_all(
        [path],
        id_field="url",
        text_field="content",
        title_field="headline",
        blank_line_paragraphs=True,
    )
    assert isinstance(document, Document)
    assert document.doc_id == "u1" and document.source == f"{path}:2"
    assert document.paragraphs == ("Tít", "Dòng hai.", "Đoạn sau.")
    assert document.paragraph_break == "\n\n"


@pytest.mark.parametrize(
    ("line", "doc_id", "reason"),
    [
        (
            '{"id": "a", "text": "x"',
            "f.jsonl:2",
            "invalid JSON (Expecting ',' delimiter at character 24); every line must be one JSON "
            'object such as {"id": "1", "text": "..."}',
        ),
        (
            '["a", "b"]',
            "f.jsonl:2",
            'the line is an array, not a JSON object; every line must be one object such as {"id": '
            '"1", "text": "..."}',
        ),
        (
            '"just text"',
            "f.jsonl:2",
            'the line is a string, not a JSON object; every line must be one object such as {"id": '
            '"1", "text": "..."}',
        ),
        (
            '{"id": "a", "content": "x", "lang": "vi"}',
            "a",
            'no "text" (or "body") field; fields found: "id", "content", "lang"; name the text '
            "field with --text-field",
        ),
        ('{"id": "a", "text": ["x"]}', "a", 'the "text" field is an array, not a string'),
        ('{"id": "a", "text": null}', "a", 'the "text" field is null, not a string'),
        ('{"id": "a", "text": " \\n "}', "a", 'the "text" field has no text; nothing to translate'),
        (
            '{"id": "a", "title": 3, "text": "x"}',
            "a",
            'the "title" field is a number, not a string',
        ),
        (
            '{"id": true, "text": "x"}',
            "f.jsonl:2",
            'the "id" field is a boolean; use a non-empty string or an integer, unique in the '
            "input (or leave it out to use the line number)",
        ),
        (
            '{"id": "", "text": "x"}',
            "f.jsonl:2",
            'the "id" field is a string; use a non-empty string or an integer, unique in the '
            "input (or leave it out to use the line number)",
        ),
        (
            b'{"id": "a", "text": "caf\xe9"}',
            "f.jsonl:2",
            "not valid UTF-8 (byte 0xE9 at offset 24 of the line); pass --encoding ENC with the "
            "file's encoding (for example --encoding cp1258 for Windows Vietnamese), or convert "
            "it to UTF-8",
        ),
    ],
    ids=[
        "invalid-json",
        "array",
        "string",
        "missing-text",
        "text-not-string",
        "text-null",
        "text-blank",
        "title-not-string",
        "id-boolean",
        "id-empty",
        "invalid-utf8",
    ],
)
def test_jsonl_bad_line(tmp_path: Path, line: str | bytes, doc_id: str, reason: str) -> None:
    raw = line.encode() if isinstance(line, str) else line
    good = '{"id": "ok%d", "text": "Tốt."}\n'
    path = write(tmp_path / "f.jsonl", (good % 1).encode() + raw + b"\n" + (good % 3).encode())
    results = read_all([path])
    assert [type(r).__name__ for r in results] == ["Document", "DocumentFailure", "Document"]
    assert results[1] == DocumentFailure(doc_id, f"{path}:2", reason)


@pytest.mark.parametrize(
    ("bom", "codec"),
    [(b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")],
    ids=["utf8-bom", "utf16-le-bom", "utf16-be-bom"],
)
def test_jsonl_with_bom_and_crlf(tmp_path: Path, bom: bytes, codec: str) -> None:
    text = "".join(
        json.dumps({"id": str(i), "text": line}, ensure_ascii=False) + "\r\n"
        for i, line in enumerate(VIETNAMESE)
    )
    path = write(tmp_path / "x.jsonl", bom + text.encode(codec))
    documents = [r for r in read_all([path]) if isinstance(r, Document)]
    assert [d.paragraphs for d in documents] == [(VIETNAMESE[0],), (VIETNAMESE[1],)]


def test_jsonl_cp1258(tmp_path: Path) -> None:
    data = (FIXTURES / "vietnamese-cp1258.txt").read_bytes().split(b"\n")
    path = write(
        tmp_path / "x.jsonl", b"".join(b'{"text": "' + line + b'"}\n' for line in data if line)
    )
    failures = [r for r in read_all([path]) if isinstance(r, DocumentFailure)]
    assert len(failures) == 2 and all("pass --encoding cp1258" in f.reason for f in failures)
    documents = [r for r in read_all([path], encoding="cp1258") if isinstance(r, Document)]
    assert [d.paragraphs for d in documents] == [(VIETNAMESE[0],), (VIETNAMESE[1],)]


# --- html ----------------------------------------------------------------------------


def test_sample_html_gives_exactly_the_article() -> None:
    expected = (SAMPLE / "ntrex-article.vi.txt").read_text(encoding="utf-8").splitlines()
    document = read_doc(SAMPLE / "ntrex-article.vi.html")
    assert list(document.paragraphs) == expected
    assert document.doc_id == "ntrex-article.vi.html"
    assert document.output_path == "ntrex-article.vi"


def test_sample_txt_is_the_ntrex_document() -> None:
    document = read_doc(SAMPLE / "ntrex-article.vi.txt")
    assert len(document.paragraphs) == 21
    assert document.paragraphs[0] == "Sinh viên Harvard tham gia khóa học về nghỉ ngơi đầy đủ"
    assert document.output_path == "ntrex-article.vi"


def test_sample_html_and_txt_hash_the_same() -> None:
    html = read_doc(SAMPLE / "ntrex-article.vi.html")
    txt = read_doc(SAMPLE / "ntrex-article.vi.txt")
    assert html.content_hash == txt.content_hash


PARAGRAPHS = [
    "Ủy ban nhân dân thành phố vừa ban hành kế hoạch chống ngập cho mùa mưa năm nay, với nhiều giải pháp mới.",
    "Theo kế hoạch, các quận trung tâm sẽ được lắp thêm trạm bơm và nạo vét hệ thống cống thoát nước.",
    "Người dân được khuyến cáo theo dõi thông tin thời tiết và hạn chế di chuyển khi có mưa lớn kéo dài.",
    "Kinh phí thực hiện kế hoạch dự kiến hơn 500 tỷ đồng, lấy từ ngân sách thành phố và các nguồn hợp pháp khác.",
]


def _page(article: str, head: str = "", before: str = "") -> str:
    return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>Kế hoạch chống ngập - Báo Thử</title>{head}</head><body>
<nav><ul><li><a href="/">Trang chủ</a></li><li><a href="/xa-hoi">Xã hội</a></li></ul></nav>
<main><h1>Kế hoạch chống ngập mùa mưa</h1>{before}<article>{article}</article></main>
<footer><p>© Báo Thử. Giấy phép số 1/GP.</p><a href="/lien-he">Liên hệ</a></footer>
</body></html>"""


def _paragraphs(items: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in items)


def _extract(tmp_path: Path, html: str) -> list[str]:
    return list(read_doc(write(tmp_path / "page.html", html)).paragraphs)


def test_html_headline_first(tmp_path: Path) -> None:
    paragraphs = _extract(tmp_path, _page(_paragraphs(PARAGRAPHS)))
    assert paragraphs == ["Kế hoạch chống ngập mùa mưa", *PARAGRAPHS]


def test_html_lead_outside_the_article_is_kept(tmp_path: Path) -> None:
    lead = "Thành phố chi hơn 500 tỷ đồng cho các giải pháp chống ngập trong mùa mưa năm nay."
    html = _page(
        _paragraphs(PARAGRAPHS),
        head=f'<meta name="description" content="{lead}">',
        before=f'<h2 class="sapo"><span>(Báo Thử) - </span>{lead}</h2>',
    )
    paragraphs = _extract(tmp_path, html)
    assert paragraphs == ["Kế hoạch chống ngập mùa mưa", f"(Báo Thử) - {lead}", *PARAGRAPHS]


def test_html_subheadings_are_kept_and_related_boxes_dropped(tmp_path: Path) -> None:
    article = (
        "<h2>Giải pháp kỹ thuật</h2>"
        + _paragraphs(PARAGRAPHS[:2])
        + "<h2>Khuyến cáo người dân</h2>"
        + '<div class="related"><h3>Tin liên quan</h3><ul>'
        + '<li><a href="/1">Mưa lớn gây ngập nhiều tuyến phố</a></li>'
        + '<li><a href="/2">Dự báo thời tiết tuần tới</a></li></ul></div>'
        + _paragraphs(PARAGRAPHS[2:])
    )
    paragraphs = _extract(tmp_path, _page(article))
    assert paragraphs == [
        "Kế hoạch chống ngập mùa mưa",
        "Giải pháp kỹ thuật",
        *PARAGRAPHS[:2],
        "Khuyến cáo người dân",
        *PARAGRAPHS[2:],
    ]


def test_html_line_breaks_and_entities(tmp_path: Path) -> None:
    article = (
        _paragraphs(PARAGRAPHS[:2])
        + "<p>Ngập n&agrave;y&nbsp;kéo dài<br>ba ngày.<br><br>Đoạn &quot;mới&quot;.</p>"
        + _paragraphs(PARAGRAPHS[2:])
    )
    paragraphs = _extract(tmp_path, _page(article))
    # Every <br> starts a paragraph, as in the outlets' own text exports.
    assert paragraphs[3:6] == ["Ngập này kéo dài", "ba ngày.", 'Đoạn "mới".']


def test_html_meta_charset_is_honoured(tmp_path: Path) -> None:
    html = _page(_paragraphs(PARAGRAPHS)).replace('charset="utf-8"', 'charset="windows-1258"')
    path = write(tmp_path / "page.html", _cp1258(html))
    assert read_doc(path).paragraphs == ("Kế hoạch chống ngập mùa mưa", *PARAGRAPHS)


# The pages without an article (listings, scripts only, boilerplate) are in test_html.py.


# --- the table and the package -------------------------------------------------------


# One small input per reader; a reader added to the table needs its line here.
_SAMPLE_INPUT = {
    "txt": "Câu văn.\n",
    "jsonl": '{"id": "j", "text": "Câu văn."}\n',
    "html": "<html><body><article><p>" + "Câu văn. " * 40 + "</p></article></body></html>",
}


@pytest.mark.parametrize(
    ("name", "extension"),
    [(name, ext) for name, reader in READERS.items() for ext in reader.extensions],
)
def test_every_extension_in_the_table_reaches_its_reader(
    tmp_path: Path, name: str, extension: str
) -> None:
    assert READERS[name].name == name
    write(tmp_path / f"doc{extension.upper()}", _SAMPLE_INPUT[name])  # extensions match any case
    [result] = read_all([tmp_path])
    assert isinstance(result, Document), result
    assert "Câu văn." in result.paragraphs[0]


def test_input_format_overrides_the_extension(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", '{"id": "x", "text": "Một."}\n')
    assert read_doc(path).paragraphs == ('{"id": "x", "text": "Một."}',)
    assert read_doc(path, input_format="jsonl").doc_id == "x"


@pytest.mark.slow
def test_importing_readers_does_not_import_trafilatura() -> None:
    code = "import sys, translate.readers; sys.exit('trafilatura' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_count_documents_counts_files_and_jsonl_lines(tmp_path: Path) -> None:
    from translate.readers import count_documents

    (tmp_path / "a.txt").write_text("Một.\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.html").write_text("<p>Hai.</p>", encoding="utf-8")
    (tmp_path / "c.jsonl").write_text(
        '{"id": 1, "text": "x"}\n\n{"id": 2, "text": "y"}\n', encoding="utf-8"
    )
    (tmp_path / "notes.md").write_text("not an input", encoding="utf-8")
    assert count_documents([str(tmp_path)]) == 4
    assert count_documents([str(tmp_path / "a.txt"), "-"]) is None
