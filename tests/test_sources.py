"""A pair's source is the input's text and its span indexes the input's paragraph.

Only what the model is fed is cleaned (spaces collapsed, invisible and control
characters dropped); documents, sources and spans keep the input's text.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from translate.backends.fake import FakeBackend
from translate.cli import main
from translate.job import Job
from translate.memory import TranslationMemory
from translate.pipeline import Pipeline
from translate.readers import clean_paragraph, read_text
from translate.segment import Segmenter
from translate.translator import Translator

# Vietnamese words and sentence ends, with the characters readers used to clean away.
_WORDS = st.sampled_from(
    ["Hà", "Nội", "người", "dân", "Ông", "TP.HCM", "GS.", "8-3", "Vie\u0302\u0323t", "“Tôi", "nói”"]
)
# Invisible characters next to a space (inside a word they make another word).
_GLUE = st.sampled_from(
    [" ", "  ", "\t", "\x01 ", " \x07", "\u00a0", " \u200b", "\ufeff ", "\u200b ", " \u00a0 "]
)
_ENDS = st.sampled_from([".", "!", "?", "…", ".\u200b", "", "."])


@st.composite
def paragraphs(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        words = draw(st.lists(_WORDS, min_size=1, max_size=5))
        glue = [draw(_GLUE) for _ in words]
        # (An invisible character inside a run of periods, "GS.\x01.", is left out:
        # the segmenter reads such a run as two.)
        sentence = "".join(w + g for w, g in zip(words, glue, strict=True))
        parts.append(sentence.rstrip(" \t\u00a0\u200b\ufeff\x01\x07") + draw(_ENDS))
        parts.append(draw(_GLUE))
    return "".join(parts)


def fake_pipeline(memory: TranslationMemory | None = None) -> tuple[Pipeline, FakeBackend]:
    backend = FakeBackend()
    return Pipeline(Translator(backend=backend, memory=memory)), backend


@settings(deadline=None)
@given(st.lists(paragraphs(), min_size=1, max_size=3))
def test_sources_and_spans_are_the_input_text(texts: list[str]) -> None:
    text = "\n".join(texts)
    document = read_text(text)
    pipeline, backend = fake_pipeline()
    translated = pipeline.translate_document(document)
    nfc = unicodedata.normalize("NFC", text)
    for pair in translated.pairs:
        assert document.paragraphs[pair.paragraph][pair.start : pair.end] == pair.source
        assert pair.source in nfc  # the input's text (NFC), not a cleaned copy
    # Nothing visible is lost between the input and the sources.
    assert "".join(clean_paragraph(p.source) for p in translated.pairs).replace(" ", "") == (
        clean_paragraph(nfc).replace(" ", "")
    )
    # The model never sees the invisible characters.
    assert all("\u200b" not in t and "\ufeff" not in t for b in backend.calls for x in b for t in x)


@settings(deadline=None)
@given(paragraphs())
def test_segmentation_of_the_raw_paragraph_matches_the_cleaned_one(paragraph: str) -> None:
    """Keeping the input's spacing moves no sentence boundary."""
    segmenter = Segmenter()
    raw = unicodedata.normalize("NFC", paragraph).strip()
    cleaned = clean_paragraph(raw)
    raw_sentences = [clean_paragraph(raw[s.start : s.end]) for s in segmenter.split(raw)]
    assert raw_sentences == [cleaned[s.start : s.end] for s in segmenter.split(cleaned)]


def test_spacing_variants_share_one_memory_entry(tmp_path: Path) -> None:
    memory = TranslationMemory(tmp_path / "memory.sqlite")
    pipeline, backend = fake_pipeline(memory)
    first = pipeline.translate_document(read_text("Hà\u00a0Nội  đẹp.", "a"))
    second = pipeline.translate_document(read_text("Hà Nội\u200b đẹp.", "b"))
    assert [p.source for p in first.pairs] == ["Hà\u00a0Nội  đẹp."]
    assert [p.source for p in second.pairs] == ["Hà Nội\u200b đẹp."]
    assert first.pairs[0].target == second.pairs[0].target
    assert len(backend.calls) == 1  # the second came from the memory


def test_corpus_spans_index_the_input_paragraphs(tmp_path: Path) -> None:
    article = "Hà\u00a0Nội  đẹp.\tÔng nói.\ufeff\nVie\u0302\u0323t\u200b Nam thắng!\n"
    out = tmp_path / "out"
    pipeline, _ = fake_pipeline()
    Job(pipeline, out, ["jsonl", "txt"]).run([read_text(article, "bai")])
    lines = (out / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    paragraphs = unicodedata.normalize("NFC", article).splitlines()
    assert [r["source"] for r in records] == [
        "Hà\u00a0Nội  đẹp.",
        "Ông nói.\ufeff",
        "Việt\u200b Nam thắng!",
    ]
    for record in records:
        assert paragraphs[record["paragraph"]][record["start"] : record["end"]] == record["source"]
    # The translated article is the model's output, as before.
    assert (out / "txt" / "bai.txt").read_text(encoding="utf-8") == (
        "EN: HÀ NỘI ĐẸP. EN: ÔNG NÓI.\nEN: VIỆT NAM THẮNG!\n"
    )


def test_segment_command_prints_the_input_text_one_sentence_a_line(tmp_path: Path) -> None:
    path = tmp_path / "bai.txt"
    path.write_text("Hà\u00a0Nội  đẹp.\u2028Ông\x0bnói.\n", encoding="utf-8")
    plain = CliRunner().invoke(main, ["segment", str(path)])
    assert plain.exit_code == 0, plain.output
    # No-break and doubled spaces kept; line separators inside a sentence become spaces.
    assert plain.output == "Hà\u00a0Nội  đẹp.\nÔng nói.\n"
    spans = CliRunner().invoke(main, ["segment", "--json", str(path)])
    records = [json.loads(line) for line in spans.output.splitlines()]
    assert [r["text"] for r in records] == ["Hà\u00a0Nội  đẹp.", "Ông\x0bnói."]
