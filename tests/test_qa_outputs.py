"""QA flags in the outputs: ``vi2en translate --qa/--qa-drop``, the manifest's counts, resume.

The tests choose their checks: ``truncated`` and ``loop`` (what the translator
signals) for ``translate``, and a check of their own (``bang``, registered in
:data:`CHECKS` for the test) for ``vi2en qa``, so that the text
checks' reasons, which are not these tests' subject, never show in the
exact outputs.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from tests.conftest import TINY_MODEL
from tests.test_cli import FAKE, timeless
from translate.cli import main
from translate.config import PipelineConfig
from translate.errors import UnknownNameError
from translate.job import QaSummary
from translate.qa import CHECKS, QA_VERSION
from translate.records import AlignedSegment, Flag

TMX_DTD = etree.DTD(str(Path(__file__).parent / "data" / "tmx14.dtd"))
ARTICLE = (
    "Tin tức hôm nay\nHà Nội là thủ đô của Việt Nam. Thành phố có hơn 8 triệu dân.\nẢnh: TTXVN\n"
)
# With the fake backend and --max-length 5, the two sentences of paragraph 1 are cut short.
CUT = ["--max-length", "5", "--qa", "truncated,loop"]
TRUNCATED = {"check": "truncated", "reason": "the decoder stopped at the length cap"}


def line(paragraph: int, sentence: int, source: str, target: str, start: int, flags: list) -> dict:
    return {
        "doc_id": "bai.txt",
        "paragraph": paragraph,
        "sentence": sentence,
        "source": source,
        "target": target,
        "start": start,
        "end": start + len(source),
        "score": None,
        "flags": flags,
    }


LINES = [
    line(0, 0, "Tin tức hôm nay", "EN: TIN TỨC HÔM NAY", 0, []),
    line(1, 0, "Hà Nội là thủ đô của Việt Nam.", "EN: HÀ NỘI LÀ THỦ", 0, [TRUNCATED]),
    line(1, 1, "Thành phố có hơn 8 triệu dân.", "EN: THÀNH PHỐ CÓ HƠN", 31, [TRUNCATED]),
    line(2, 0, "Ảnh: TTXVN", "EN: ẢNH: TTXVN", 0, []),
]
ARTICLE_EN = "EN: TIN TỨC HÔM NAY\nEN: HÀ NỘI LÀ THỦ EN: THÀNH PHỐ CÓ HƠN\nEN: ẢNH: TTXVN\n"


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "in" / "bai.txt"
    path.parent.mkdir()
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def run_translate(article: Path, out: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["translate", str(article), "-o", str(out), *FAKE, "-f", "jsonl,tmx,tsv,txt", *args]
    )
    return result.exit_code, timeless(result.stderr)


def jsonl(path: Path) -> list[dict]:
    return [json.loads(text) for text in path.read_text("utf-8").splitlines()]


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text("utf-8"))


def outputs(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and ".vi2en" not in p.parts and p.name != "manifest.json"
    }


# --- the config -------------------------------------------------------------------------


def test_the_config_keeps_checks_in_table_order_and_in_its_settings() -> None:
    config = PipelineConfig(model=str(TINY_MODEL), qa=("truncated", "loop"))
    assert config.qa == ("loop", "truncated")
    assert config.settings()["qa"] == ["loop", "truncated"]
    assert config.settings()["qa_version"] == QA_VERSION == "3"
    assert PipelineConfig(model=str(TINY_MODEL)).qa == tuple(CHECKS)
    assert PipelineConfig.from_json(config.to_json()) == config


def test_a_config_of_before_qa_runs_every_check() -> None:
    data = json.loads(PipelineConfig(model=str(TINY_MODEL), qa=()).to_json())
    del data["qa"]
    assert PipelineConfig.from_json(json.dumps(data)).qa == tuple(CHECKS)


def test_an_unknown_check_is_refused_with_the_known_ones() -> None:
    with pytest.raises(UnknownNameError, match="unknown QA check 'speling'; choose one of: "):
        PipelineConfig(model=str(TINY_MODEL), qa=("speling",))


def flagged(count: int) -> list[AlignedSegment]:
    pair = AlignedSegment("d", 0, 0, "a", "b", 0, 1)
    return [replace(pair, flags=(Flag("loop"),))] * count


def test_worst_documents_rank_by_share_then_count_then_order() -> None:
    qa = QaSummary(("truncated", "loop"), ("loop",))
    plain = [AlignedSegment("d", 0, 0, "a", "b", 0, 1)]
    qa.add_document("clean", plain * 3)  # not listed: nothing flagged
    qa.add_document("half", flagged(1) + plain)
    qa.add_document("all-one", flagged(1))
    qa.add_document("all-two", flagged(2))
    qa.add_document("half-too", flagged(1) + plain)
    summary = qa.as_dict()
    assert [d["doc_id"] for d in summary["worst_documents"]] == [
        "all-two",
        "all-one",
        "half",
        "half-too",
    ]
    assert (summary["pairs"], summary["flagged_pairs"], summary["dropped_pairs"]) == (10, 5, 5)
    assert summary["flags"] == {"truncated": 0, "loop": 5}


# --- vi2en translate ----------------------------------------------------------------------


def test_translate_writes_flags_and_score_in_jsonl_and_tmx(article: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, stderr = run_translate(article, out, *CUT)
    assert code == 0
    assert stderr.splitlines()[1] == "vi2en: QA: 2 flagged pairs (truncated 2)"
    assert jsonl(out / "corpus.jsonl") == LINES
    tmx = (out / "corpus.tmx").read_text("utf-8")
    assert tmx.count('<prop type="x-vi2en-flags">') == 2
    assert (
        '      <prop type="x-sentence">1</prop>\n'
        '      <prop type="x-vi2en-flags">truncated: the decoder stopped at the length cap</prop>\n'
        '      <tuv xml:lang="vi"><seg>Thành phố có hơn 8 triệu dân.</seg></tuv>\n'
    ) in tmx
    assert TMX_DTD.validate(etree.parse(str(out / "corpus.tmx"))), TMX_DTD.error_log
    # TSV stays two clean columns.
    assert (out / "corpus.tsv").read_text("utf-8").splitlines()[1] == (
        "Hà Nội là thủ đô của Việt Nam.\tEN: HÀ NỘI LÀ THỦ"
    )


def test_the_manifest_counts_flags_per_check_and_the_worst_documents(
    article: Path, tmp_path: Path
) -> None:
    other = article.parent / "sach.txt"
    other.write_text("Một.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["translate", str(article.parent), "-o", str(out), *FAKE, "-f", "jsonl", *CUT]
    )
    assert result.exit_code == 0, result.output
    assert manifest(out)["qa"] == {
        "checks": ["loop", "truncated"],
        "drop": [],
        "pairs": 5,
        "flagged_pairs": 2,
        "dropped_pairs": 0,
        "flags": {"loop": 0, "truncated": 2},
        "worst_documents": [{"doc_id": "bai.txt", "flagged": 2, "pairs": 4}],
    }


def test_qa_none_writes_no_flags(article: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, stderr = run_translate(article, out, "--max-length", "5", "--qa", "none")
    assert code == 0 and "QA" not in stderr
    assert [record["flags"] for record in jsonl(out / "corpus.jsonl")] == [[], [], [], []]
    assert "x-vi2en-flags" not in (out / "corpus.tmx").read_text("utf-8")
    assert manifest(out)["qa"]["checks"] == [] and manifest(out)["qa"]["flags"] == {}


def test_qa_drop_writes_flagged_pairs_to_rejected_and_keeps_the_article_whole(
    article: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    code, stderr = run_translate(article, out, *CUT, "-f", "moses", "--qa-drop", "truncated")
    assert code == 0
    assert stderr.splitlines()[1] == (
        "vi2en: QA: 2 flagged pairs (truncated 2); 2 dropped to rejected.*"
    )
    assert jsonl(out / "corpus.jsonl") == [LINES[0], LINES[3]]
    assert jsonl(out / "rejected.jsonl") == LINES[1:3]
    assert (out / "rejected.tsv").read_text("utf-8") == (
        "Hà Nội là thủ đô của Việt Nam.\tEN: HÀ NỘI LÀ THỦ\n"
        "Thành phố có hơn 8 triệu dân.\tEN: THÀNH PHỐ CÓ HƠN\n"
    )
    assert (out / "rejected.ids").read_text("utf-8") == "bai.txt\t1\t0\nbai.txt\t1\t1\n"
    assert (out / "rejected.en").read_text("utf-8") == "EN: HÀ NỘI LÀ THỦ\nEN: THÀNH PHỐ CÓ HƠN\n"
    assert (out / "corpus.vi").read_text("utf-8") == "Tin tức hôm nay\nẢnh: TTXVN\n"
    assert TMX_DTD.validate(etree.parse(str(out / "rejected.tmx"))), TMX_DTD.error_log
    assert (out / "txt" / "bai.txt").read_text("utf-8") == ARTICLE_EN
    assert manifest(out)["qa"]["dropped_pairs"] == 2
    assert manifest(out)["qa"]["drop"] == ["truncated"]
    assert "rejected.tsv" in manifest(out)["outputs"]
    # The drop is applied at publication: without it, the same parts publish whole and
    # the rejected files go.
    code, _ = run_translate(article, out, *CUT, "-f", "moses")
    assert code == 0
    assert jsonl(out / "corpus.jsonl") == LINES
    assert not list(out.glob("rejected.*"))


def test_qa_drop_names_checks_that_run_even_if_qa_leaves_them_out(
    article: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    code, _ = run_translate(
        article, out, "--max-length", "5", "--qa", "none", "--qa-drop", "truncated"
    )
    assert code == 0
    assert manifest(out)["qa"]["checks"] == ["truncated"]
    assert len(jsonl(out / "rejected.jsonl")) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--qa", "speling"], "Invalid value for '--qa': unknown QA check 'speling'; known: "),
        (["--qa-drop", "x"], "Invalid value for '--qa-drop': unknown QA check 'x'; known: "),
    ],
    ids=["qa", "qa-drop"],
)
def test_unknown_checks_are_usage_errors(
    article: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    result = CliRunner().invoke(main, ["translate", str(article), "-o", str(tmp_path), *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_qa_drop_needs_an_output_directory(article: Path) -> None:
    result = CliRunner().invoke(main, ["translate", str(article), *FAKE, "--qa-drop", "loop"])
    assert result.exit_code == 2
    assert "--qa-drop writes rejected.* files; pass -o OUTPUT" in result.stderr


def test_resume_refuses_other_checks(article: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_translate(article, out, *CUT)[0] == 0
    code, stderr = run_translate(article, out, "--max-length", "5", "--qa", "loop")
    assert code == 1
    assert f"{out} holds a run made with other settings (qa)" in stderr
    # The same checks resume.
    assert run_translate(article, out, *CUT)[0] == 0


def test_an_outdir_of_before_qa_version_resumes_and_another_version_is_refused(
    article: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert run_translate(article, out, *CUT)[0] == 0
    settings = out / ".vi2en" / "settings.json"
    recorded = json.loads(settings.read_text("utf-8"))
    assert recorded["qa_version"] == QA_VERSION
    del recorded["qa_version"]
    settings.write_text(json.dumps(recorded), "utf-8")
    code, stderr = run_translate(article, out, *CUT)
    assert code == 0 and "(0 translated, 1 resumed, 0 failed)" in stderr
    assert json.loads(settings.read_text("utf-8"))["qa_version"] == QA_VERSION
    recorded["qa_version"] = "1"
    settings.write_text(json.dumps(recorded), "utf-8")
    code, stderr = run_translate(article, out, *CUT)
    assert code == 1
    assert f"{out} holds a run made with other settings (qa_version)" in stderr


def test_an_outdir_of_before_qa_resumes_with_every_check(article: Path, tmp_path: Path) -> None:
    fresh, old = tmp_path / "fresh", tmp_path / "old"
    assert run_translate(article, fresh, "--max-length", "5")[0] == 0
    assert run_translate(article, old, "--max-length", "5")[0] == 0
    # Make `old` a run of before QA: no "qa" in its settings nor in its parts' headers,
    # and the translator's flag names as the parts' flags.
    settings = old / ".vi2en" / "settings.json"
    recorded = json.loads(settings.read_text("utf-8"))
    del recorded["qa"]
    settings.write_text(json.dumps(recorded), "utf-8")
    for part in (old / ".vi2en" / "parts").glob("*.jsonl"):
        header, *lines = [json.loads(text) for text in part.read_text("utf-8").splitlines()]
        del header["qa"]
        for segment in lines:
            cut = any(flag["check"] == "truncated" for flag in segment["flags"])
            segment["flags"] = ["hit_max_length"] if cut else []
        part.write_text("".join(json.dumps(x) + "\n" for x in [header, *lines]), "utf-8")
    code, stderr = run_translate(article, old, "--max-length", "5")
    assert code == 0
    assert "(0 translated, 1 resumed, 0 failed)" in stderr
    assert outputs(old) == outputs(fresh)


@pytest.mark.slow  # loads the tiny model (about 8 s)
def test_the_tiny_models_scores_reach_jsonl_and_tmx_rounded(article: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["--model", str(TINY_MODEL), "--backend", "transformers", "--no-cache"]
    result = CliRunner().invoke(
        main, ["translate", str(article), "-o", str(out), "-f", "jsonl,tmx", *args, "-q"]
    )
    assert result.exit_code == 0, result.output
    scores = [record["score"] for record in jsonl(out / "corpus.jsonl")]
    assert len(scores) == 4
    # A mean log-probability per token, kept to 4 decimals.
    assert all(isinstance(s, float) and -20 < s < 0 and round(s, 4) == s for s in scores)
    tree = etree.parse(str(out / "corpus.tmx"))
    assert TMX_DTD.validate(tree), TMX_DTD.error_log
    assert [float(p.text) for p in tree.iter("prop") if p.get("type") == "x-vi2en-score"] == scores
