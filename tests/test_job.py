"""Resumable jobs: parts, assembly, settings checks, error isolation."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.test_translator import Scoring
from translate.backends import DecodingOptions
from translate.backends.fake import FakeBackend
from translate.errors import ConfigMismatchError, Interrupted
from translate.job import ERRORS_FILE, MANIFEST_FILE, Job, _part_name
from translate.pipeline import Pipeline
from translate.records import AlignedSegment, Document, DocumentFailure, Flag
from translate.segment import Segmenter
from translate.translator import Translator

FORMATS = ["tsv", "jsonl", "moses", "tmx", "txt"]


def doc(doc_id: str, *paragraphs: str) -> Document:
    text = "\n".join(paragraphs)
    return Document(
        doc_id=doc_id,
        paragraphs=paragraphs,
        source=f"/in/{doc_id}",
        output_path=doc_id.removesuffix(".txt"),
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
    )


CORPUS = [
    doc("a.txt", "Tiêu đề bài một", "Câu thứ nhất. Câu thứ hai!", "Ảnh: TTXVN"),
    doc("sub/b.txt", "GS.TS Nguyễn Văn A phát biểu tại TP.HCM. Ông nói thêm."),
    doc("c.txt", "Một câu lặp lại.", "Một câu lặp lại."),
]


def make_job(
    outdir: Path, backend: FakeBackend | None = None, **kwargs: object
) -> tuple[Job, FakeBackend]:
    backend = backend or FakeBackend()
    pipeline = Pipeline(Translator(backend=backend), Segmenter(), window_sentences=3)
    return Job(pipeline, outdir, FORMATS, **kwargs), backend  # type: ignore[arg-type]


def outputs(outdir: Path) -> dict[str, bytes]:
    return {
        p.relative_to(outdir).as_posix(): p.read_bytes()
        for p in sorted(outdir.rglob("*"))
        if p.is_file() and ".vi2en" not in p.parts and p.name != MANIFEST_FILE
    }


def test_run_writes_every_format_with_equal_counts(tmp_path: Path) -> None:
    job, _ = make_job(tmp_path)
    summary = job.run(iter(CORPUS))
    assert summary.translated == 3 and not summary.failures
    tsv = (tmp_path / "corpus.tsv").read_text("utf-8").splitlines()
    jsonl = [
        json.loads(line) for line in (tmp_path / "corpus.jsonl").read_text("utf-8").splitlines()
    ]
    moses = (tmp_path / "corpus.vi").read_text("utf-8").splitlines()
    ids = (tmp_path / "corpus.ids").read_text("utf-8").splitlines()
    tmx = (tmp_path / "corpus.tmx").read_text("utf-8")
    assert (
        len(tsv) == len(jsonl) == len(moses) == len(ids) == tmx.count("<tu>") == summary.pairs == 8
    )
    assert [r["doc_id"] for r in jsonl] == [line.split("\t")[0] for line in ids]
    assert (tmp_path / "txt" / "sub" / "b.txt").read_text("utf-8").count("\n") == 1
    assert (tmp_path / "txt" / "a.txt").read_text("utf-8").splitlines()[
        1
    ] == "EN: CÂU THỨ NHẤT. EN: CÂU THỨ HAI!"
    assert (tmp_path / ERRORS_FILE).read_text() == ""
    manifest = json.loads((tmp_path / MANIFEST_FILE).read_text())
    assert manifest["counts"] == {"documents": 3, "failed": 0, "pairs": 8}


def test_rerun_resumes_and_writes_identical_bytes(tmp_path: Path) -> None:
    first_dir, second_dir = tmp_path / "one", tmp_path / "two"
    make_job(first_dir)[0].run(iter(CORPUS))
    # An interrupted run: the stop arrives while the second window is pending.
    job, _ = make_job(second_dir)

    def stop_after_first_window() -> None:
        # Called before each document and batch: the first check after a saved part stops.
        if any((second_dir / ".vi2en" / "parts").glob("*.jsonl")):
            raise Interrupted(9)

    job.pipeline.check_stop = stop_after_first_window
    with pytest.raises(Interrupted):
        job.run(iter(CORPUS))
    assert not (second_dir / "corpus.tsv").exists()  # nothing that looks complete
    resumed, _backend = make_job(second_dir)
    summary = resumed.run(iter(CORPUS))
    assert summary.resumed >= 1 and summary.translated + summary.resumed == 3
    assert outputs(first_dir) == outputs(second_dir)


def test_changed_document_is_translated_again(tmp_path: Path) -> None:
    make_job(tmp_path)[0].run(iter(CORPUS))
    changed = [CORPUS[0], doc("sub/b.txt", "Nội dung mới."), CORPUS[2]]
    job, _backend = make_job(tmp_path)
    summary = job.run(iter(changed))
    assert (summary.translated, summary.resumed) == (1, 2)
    assert "EN: NỘI DUNG MỚI." in (tmp_path / "corpus.tsv").read_text("utf-8")


def test_changed_settings_are_refused(tmp_path: Path) -> None:
    make_job(tmp_path, settings={"reader": "a"})[0].run(iter(CORPUS))
    with pytest.raises(ConfigMismatchError, match=r"reader.*--restart"):
        make_job(tmp_path, settings={"reader": "b"})[0].run(iter(CORPUS))
    summary = make_job(tmp_path, settings={"reader": "b"}, restart=True)[0].run(iter(CORPUS))
    assert summary.resumed == 0


def test_failures_are_isolated_and_recorded(tmp_path: Path) -> None:
    backend = FakeBackend(fail_on=["hỏng."])
    job, _ = make_job(tmp_path, backend)
    bad_read = DocumentFailure("x.txt", "/in/x.txt", "binary file")
    summary = job.run(iter([CORPUS[0], bad_read, doc("d.txt", "Câu hỏng."), CORPUS[2]]))
    assert summary.translated == 2
    errors = [json.loads(line) for line in (tmp_path / ERRORS_FILE).read_text().splitlines()]
    assert [e["doc_id"] for e in errors] == ["x.txt", "d.txt"]
    assert "fake failure" in errors[1]["reason"]
    ids = {line.split("\t")[0] for line in (tmp_path / "corpus.ids").read_text().splitlines()}
    assert ids == {"a.txt", "c.txt"}


def test_temporaries_of_a_killed_run_are_removed(tmp_path: Path) -> None:
    stale = tmp_path / "txt" / ".a.txt.tmp-999999999"  # no such process
    stale.parent.mkdir(parents=True)
    stale.write_text("half an article")
    make_job(tmp_path)[0].run(iter(CORPUS))
    assert not stale.exists()
    assert not list(tmp_path.rglob(".*.tmp-*"))


def test_read_failure_with_the_id_of_a_good_document_keeps_the_good_one(tmp_path: Path) -> None:
    # The reader turns a second document with an id already used into a failure of that id.
    clash = DocumentFailure("a.txt", "/other/a.txt", "document id 'a.txt' is already used")
    summary = make_job(tmp_path)[0].run(iter([CORPUS[0], clash, CORPUS[2]]))
    assert [f.source for f in summary.failures] == ["/other/a.txt"]
    ids = {line.split("\t")[0] for line in (tmp_path / "corpus.ids").read_text().splitlines()}
    assert ids == {"a.txt", "c.txt"}


# Sentences that get flags (split_long, hit_max_length), a score, a copy and a duplicate.
FLAGGED_CORPUS = [
    *CORPUS,
    doc("d.txt", "2024", "Một hai ba bốn năm sáu bảy tám chín.", "Câu thứ nhất."),
]


def flagging_pipeline() -> Pipeline:
    translator = Translator(
        backend=Scoring(max_input_tokens=6), decoding=DecodingOptions(max_length=4)
    )
    # The checks of the translator's signals only: the text checks' reasons are not this test's.
    return Pipeline(translator, Segmenter(), window_sentences=3, qa_checks=("truncated", "loop"))


def part_records(job: Job) -> dict[str, list[AlignedSegment]]:
    return {d.doc_id: list(job._part_pairs(d.doc_id)) for d in FLAGGED_CORPUS}


def test_parts_hold_whole_segments(tmp_path: Path) -> None:
    job = Job(flagging_pipeline(), tmp_path, FORMATS)
    job.run(iter(FLAGGED_CORPUS))
    direct = {
        d.doc_id: list(flagging_pipeline().translate_document(d).pairs) for d in FLAGGED_CORPUS
    }
    assert part_records(job) == direct
    segments = [s for records in direct.values() for s in records]
    # The translator's flags reach the segments as the truncated check's flags, with reasons.
    assert {f for s in segments for f in s.flags} == {
        Flag("truncated", "the decoder stopped at the length cap"),
        Flag("truncated", "over the model's input limit: translated in pieces"),
    }
    assert {s.origin for s in segments} == {"mt", "copy"}
    assert any(s.score is not None for s in segments)


def test_resume_after_an_interruption_gives_identical_records(tmp_path: Path) -> None:
    whole = Job(flagging_pipeline(), tmp_path / "one", FORMATS)
    whole.run(iter(FLAGGED_CORPUS))
    interrupted = Job(flagging_pipeline(), tmp_path / "two", FORMATS)

    def stop_after_first_window() -> None:
        # Called before each document and batch: the first check after a saved part stops.
        if any((tmp_path / "two" / ".vi2en" / "parts").glob("*.jsonl")):
            raise Interrupted(9)

    interrupted.pipeline.translator.check_stop = stop_after_first_window
    with pytest.raises(Interrupted):
        interrupted.run(iter(FLAGGED_CORPUS))
    resumed = Job(flagging_pipeline(), tmp_path / "two", FORMATS)
    summary = resumed.run(iter(FLAGGED_CORPUS))
    assert summary.resumed >= 1 and summary.translated >= 1
    assert part_records(resumed) == part_records(whole)
    assert outputs(tmp_path / "one") == outputs(tmp_path / "two")


def test_a_part_of_0_2_still_loads(tmp_path: Path) -> None:
    job = Job(flagging_pipeline(), tmp_path, FORMATS)
    job.run(iter(FLAGGED_CORPUS))
    before = outputs(tmp_path)
    fields = ["paragraph", "sentence", "source", "target", "start", "end"]
    for part in (tmp_path / ".vi2en" / "parts").glob("*.jsonl"):
        header, *lines = part.read_text("utf-8").splitlines(keepends=True)
        old = [json.dumps([json.loads(line)[f] for f in fields]) + "\n" for line in lines]
        part.write_text(header + "".join(old), "utf-8")
    again = Job(flagging_pipeline(), tmp_path, FORMATS)
    summary = again.run(iter(FLAGGED_CORPUS))
    assert (summary.translated, summary.resumed) == (0, 4)
    # 0.2 kept no scores nor translator flags: only the formats that record them differ.
    texts_only = {k: v for k, v in before.items() if not k.endswith((".jsonl", ".tmx"))}
    assert {k: v for k, v in outputs(tmp_path).items() if k in texts_only} == texts_only
    # What 0.2 did not keep takes the defaults of a 1:1 machine translation.
    [first, *_] = again._part_pairs("d.txt")
    assert (first.target, first.origin, first.flags, first.score) == ("2024", "mt", (), None)
    lines = [
        json.loads(line) for line in (tmp_path / "corpus.jsonl").read_text("utf-8").splitlines()
    ]
    assert {(line["score"], tuple(map(str, line["flags"]))) for line in lines} == {(None, ())}


@pytest.mark.parametrize(
    "damage",
    [
        {"paragraph": "0"},
        {"flags": "loop"},
        {"target_ids": [None]},
        {"score": "high"},
        {"origin": "guess"},
        {"doc_id": "other.txt"},
        {"unknown": 1},
        [0, 0, "Tiêu đề bài một"],  # a list line of the wrong length
        "a string",
    ],
    ids=[
        "paragraph",
        "flags",
        "target-ids",
        "score",
        "origin",
        "doc-id",
        "unknown-field",
        "short-list",
        "string",
    ],
)
def test_a_part_with_a_malformed_segment_is_translated_again(
    tmp_path: Path, damage: object
) -> None:
    make_job(tmp_path)[0].run(iter(CORPUS))
    before = outputs(tmp_path)
    part = tmp_path / ".vi2en" / "parts" / _part_name("a.txt")
    header, first, *rest = part.read_text("utf-8").splitlines(keepends=True)
    bad = {**json.loads(first), **damage} if isinstance(damage, dict) else damage
    part.write_text(header + json.dumps(bad) + "\n" + "".join(rest), "utf-8")
    summary = make_job(tmp_path)[0].run(iter(CORPUS))
    assert (summary.translated, summary.resumed) == (1, 2)
    assert outputs(tmp_path) == before


def test_the_jsonl_corpus_holds_the_first_seven_fields_then_score_and_flags(
    tmp_path: Path,
) -> None:
    # The origin stays out of the public files; score and flags end every line.
    Job(flagging_pipeline(), tmp_path, ["jsonl"]).run(iter(FLAGGED_CORPUS))
    lines = (tmp_path / "corpus.jsonl").read_text("utf-8").splitlines()
    keys = [*list(AlignedSegment("d", 0, 0, "", "", 0, 0).to_dict())[:7], "score", "flags"]
    assert lines and all(list(json.loads(line)) == keys for line in lines)
