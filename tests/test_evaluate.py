"""vi2en evaluate: sacrebleu's numbers on the same files, every kind of HYP, --src, the errors."""

from __future__ import annotations

import importlib.machinery
import json
import subprocess
import sys
import types
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import sacrebleu
from click.testing import CliRunner, Result

from tests.conftest import TINY_MODEL
from translate.cli import _TRANSLATION_PARAMETERS, main

# The real command on the fake backend (registered in conftest.py): "EN: " and upper case.
FAKE = ["--backend", "fake", "--model", str(TINY_MODEL), "--no-cache"]

HYP = ["The cat sat on the mat.", "Hanoi is beautiful today.", "It rains."]
REF = ["The cat is on the mat.", "Hanoi is very beautiful today.", "It is raining."]
REF2 = ["A cat sat on the mat.", "Today Hanoi is beautiful.", "Rain falls."]

# Harder lines for the comparison with the sacrebleu command: accents, numbers, an empty
# hypothesis, a line that is only spaces, trailing blanks and a CR (both stripped by sacrebleu).
HARD_HYP = [
    "Hà Nội's population is 8.5 million, up 2% from 2019.",
    "",
    'The Prime Minister said: "We will act."  ',
    "   ",
    "Prices rose by 3.2 percent in Q3\r",
    "Vietnam exported $371.5 billion of goods.",
]
HARD_REF = [
    "Hanoi's population is 8.5 million, 2% more than in 2019.",
    "Nothing was said.",
    'The prime minister said: "We will take action."',
    "Empty.",
    "Prices increased 3.2% in the third quarter.",
    "Viet Nam exported goods worth $371.5 billion.",
]
HARD_REF2 = [
    "The population of Hà Nội is 8.5 million, up 2 percent on 2019.",
    "Nothing.",
    'The PM said: "We shall act."',
    "",
    "In Q3, prices rose 3.2 percent.",
    "Vietnam's goods exports reached 371.5 billion dollars.",
]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_bytes("".join(f"{line}\n" for line in lines).encode("utf-8"))
    return path


def cp1258(text: str) -> bytes:
    """Windows-1258, as legacy Vietnamese files hold it: tone marks as combining characters."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for char in text:
        nfd = unicodedata.normalize("NFD", char)
        base = "".join(c for c in nfd if c not in tones)
        out.append(unicodedata.normalize("NFC", base) + "".join(c for c in nfd if c in tones))
    return "".join(out).encode("cp1258")


def evaluate(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(main, ["evaluate", *args])


def scores(result: Result) -> list[float]:
    assert result.exit_code == 0, result.output
    return [score["score"] for score in json.loads(result.stdout)["scores"]]


def sacrebleu_command(*args: str) -> str:
    completed = subprocess.run(
        [sys.executable, "-m", "sacrebleu", *args], capture_output=True, text=True, check=True
    )
    return completed.stdout


# --- the same numbers as the sacrebleu command --------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("hyp", "refs"),
    [
        (HYP, [REF]),
        (HYP, [REF, REF2]),
        (HARD_HYP, [HARD_REF]),
        (HARD_HYP, [HARD_REF, HARD_REF2]),
    ],
    ids=["one-ref", "two-refs", "hard-one-ref", "hard-two-refs"],
)
def test_scores_equal_the_sacrebleu_command(
    runner: CliRunner, tmp_path: Path, hyp: list[str], refs: list[list[str]]
) -> None:
    hyp_file = write_lines(tmp_path / "hyp.en", hyp)
    ref_files = [str(write_lines(tmp_path / f"ref{i}.en", ref)) for i, ref in enumerate(refs)]
    ref_args = [arg for ref in ref_files for arg in ("--ref", ref)]
    expected = json.loads(
        sacrebleu_command(*ref_files, "-i", str(hyp_file), "-m", "bleu", "chrf", "ter", "-w", "6")
    )
    result = evaluate(runner, str(hyp_file), *ref_args, "--json", "--width", "6")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)["scores"]
    assert [(s["name"], s["score"], s["signature"]) for s in got] == [
        (s["name"], s["score"], s["signature"]) for s in expected
    ]
    # The text lines are sacrebleu's text lines (which it pads to align the signatures).
    text = sacrebleu_command(
        *ref_files, "-i", str(hyp_file), "-m", "bleu", "chrf", "ter", "-f", "text"
    )
    plain = evaluate(runner, str(hyp_file), *ref_args)
    assert plain.stdout.splitlines() == [line.strip() for line in text.splitlines()]
    # -b prints the scores alone, at one decimal: vi2en's default width.
    alone = [
        float(n)
        for n in json.loads(
            sacrebleu_command(*ref_files, "-i", str(hyp_file), "-m", "bleu", "chrf", "ter", "-b")
        )
    ]
    assert scores(evaluate(runner, str(hyp_file), *ref_args, "--json")) == alone


def test_exact_stdout_of_a_small_case(runner: CliRunner, tmp_path: Path) -> None:
    hyp = write_lines(tmp_path / "hyp.en", HYP)
    ref = write_lines(tmp_path / "ref.en", REF)
    result = evaluate(runner, str(hyp), "--ref", str(ref))
    version = sacrebleu.__version__
    assert result.exit_code == 0
    assert result.stdout == (
        f"BLEU|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:{version} = 35.8 "
        "86.7/58.3/33.3/16.7 (BP = 0.875 ratio = 0.882 hyp_len = 15 ref_len = 17)\n"
        f"chrF2|nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:{version} = 62.8\n"
        f"TER|nrefs:1|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:{version} = 28.6\n"
    )
    assert result.stderr == ""


def test_metrics_are_chosen_and_ordered_as_given(runner: CliRunner, tmp_path: Path) -> None:
    hyp = write_lines(tmp_path / "hyp.en", HYP)
    ref = write_lines(tmp_path / "ref.en", REF)
    result = evaluate(
        runner, str(hyp), "-r", str(ref), "--metrics", "TER, bleu", "--metrics", "ter"
    )
    assert [line.split("|")[0] for line in result.stdout.splitlines()] == ["TER", "BLEU"]


@pytest.mark.parametrize(
    "variant",
    [
        lambda text: "\ufeff" + text,  # a UTF-8 byte-order mark
        lambda text: unicodedata.normalize("NFD", text),  # decomposed accents
        lambda text: text.replace("\n", "\r\n"),  # Windows line ends
        lambda text: text.removesuffix("\n"),  # no final line end
    ],
    ids=["bom", "nfd", "crlf", "no-final-newline"],
)
def test_files_read_alike_whatever_their_form(
    runner: CliRunner, tmp_path: Path, variant: Any
) -> None:
    hyp = write_lines(tmp_path / "hyp.en", HARD_HYP)
    text = "".join(f"{line}\n" for line in HARD_REF2)
    plain = tmp_path / "plain.en"
    plain.write_text(text, encoding="utf-8", newline="")
    other = tmp_path / "other.en"
    other.write_text(variant(text), encoding="utf-8", newline="")
    assert scores(evaluate(runner, str(hyp), "-r", str(other), "--json", "-w", "6")) == scores(
        evaluate(runner, str(hyp), "-r", str(plain), "--json", "-w", "6")
    )


def test_encoding_option_reads_legacy_vietnamese(runner: CliRunner, tmp_path: Path) -> None:
    lines = ["Hà Nội đẹp.", "Trời mưa."]
    utf8 = write_lines(tmp_path / "ref.txt", lines)
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes(cp1258("".join(f"{line}\n" for line in lines)))
    # --encoding applies to every file: the hypotheses are ASCII, the same in both codecs.
    hyp = write_lines(tmp_path / "hyp.txt", ["Ha Noi dep.", "Troi mua."])
    assert scores(
        evaluate(runner, str(hyp), "-r", str(legacy), "--encoding", "cp1258", "--json")
    ) == scores(evaluate(runner, str(hyp), "-r", str(utf8), "--json"))


# --- OUTDIR and corpus.jsonl ----------------------------------------------------------------

ARTICLE = "Hà Nội là thủ đô. Thành phố có 8 triệu dân.\nTrời mưa.\n"
# What the fake backend makes of ARTICLE's sentences, in corpus order.
ARTICLE_EN = ["EN: HÀ NỘI LÀ THỦ ĐÔ.", "EN: THÀNH PHỐ CÓ 8 TRIỆU DÂN.", "EN: TRỜI MƯA."]
ARTICLE_REF = ["Hanoi is the capital.", "The city has 8 million people.", "It rains."]


def translate_to(runner: CliRunner, tmp_path: Path, formats: str) -> Path:
    source = tmp_path / "in" / "bai.txt"
    source.parent.mkdir(exist_ok=True)
    source.write_text(ARTICLE, encoding="utf-8")
    outdir = tmp_path / f"out-{formats.replace(',', '-')}"
    result = runner.invoke(
        main, ["translate", str(source), "-o", str(outdir), "-f", formats, "-q", *FAKE]
    )
    assert result.exit_code == 0, result.output
    return outdir


@pytest.mark.parametrize("formats", ["jsonl,tsv,moses,tmx", "tsv", "moses,txt", "jsonl"])
def test_an_outdir_is_scored_on_its_targets(
    runner: CliRunner, tmp_path: Path, formats: str
) -> None:
    outdir = translate_to(runner, tmp_path, formats)
    ref = write_lines(tmp_path / "ref.en", ARTICLE_REF)
    expected = write_lines(tmp_path / "expected.en", ARTICLE_EN)
    result = evaluate(runner, str(outdir), "-r", str(ref), "--json", "-w", "6")
    assert scores(result) == scores(
        evaluate(runner, str(expected), "-r", str(ref), "--json", "-w", "6")
    )
    record = json.loads(result.stdout)
    assert record["segments"] == 3
    assert record["translation"]["model"]["name"] == str(TINY_MODEL)
    assert record["translation"]["settings"]["backend"] == "fake"


def test_corpus_jsonl_is_scored_on_its_targets(runner: CliRunner, tmp_path: Path) -> None:
    outdir = translate_to(runner, tmp_path, "jsonl")
    ref = write_lines(tmp_path / "ref.en", ARTICLE_REF)
    expected = write_lines(tmp_path / "expected.en", ARTICLE_EN)
    assert scores(
        evaluate(runner, str(outdir / "corpus.jsonl"), "-r", str(ref), "--json")
    ) == scores(evaluate(runner, str(expected), "-r", str(ref), "--json"))


@pytest.mark.slow
def test_an_outdir_scores_as_the_sacrebleu_command_scores_its_corpus_en(
    runner: CliRunner, tmp_path: Path
) -> None:
    outdir = translate_to(runner, tmp_path, "moses")
    ref = write_lines(tmp_path / "ref.en", ARTICLE_REF)
    expected = json.loads(
        sacrebleu_command(
            str(ref), "-i", str(outdir / "corpus.en"), "-m", "bleu", "chrf", "ter", "-b", "-w", "6"
        )
    )
    assert scores(evaluate(runner, str(outdir), "-r", str(ref), "--json", "-w", "6")) == expected


# --- --src: translate, then score ----------------------------------------------------------

SOURCE = ["Xin chào. Tạm biệt.", "", "Hà Nội  đẹp."]
# One line is one segment: two sentences stay one hypothesis, an empty line an empty one.
SOURCE_EN = ["EN: XIN CHÀO. TẠM BIỆT.", "", "EN: HÀ NỘI ĐẸP."]


def test_src_is_translated_line_by_line_and_scored(runner: CliRunner, tmp_path: Path) -> None:
    src = write_lines(tmp_path / "src.vi", SOURCE)
    ref = write_lines(tmp_path / "ref.en", ["Hello. Goodbye.", "", "Hanoi is beautiful."])
    out = tmp_path / "hyp.en"
    result = evaluate(
        runner, "--src", str(src), "-r", str(ref), "-o", str(out), "--json", "-q", *FAKE
    )
    assert result.exit_code == 0, result.output
    assert out.read_text("utf-8") == "".join(f"{line}\n" for line in SOURCE_EN)
    record = json.loads(result.stdout)
    assert record["hypotheses"] == str(out) and record["source"] == str(src)
    assert record["translation"]["model"]["backend"] == "fake"
    assert record["translation"]["settings"]["backend"] == "fake"
    # The written hypotheses score the same when evaluated as a file.
    again = evaluate(runner, str(out), "-r", str(ref), "--json")
    assert scores(result) == scores(again)


def test_src_summary_goes_to_stderr(runner: CliRunner, tmp_path: Path) -> None:
    src = write_lines(tmp_path / "src.vi", SOURCE)
    ref = write_lines(tmp_path / "ref.en", REF)
    result = evaluate(runner, "--src", str(src), "-r", str(ref), "--metrics", "bleu", *FAKE)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("BLEU|nrefs:1|")
    assert result.stderr.startswith(
        f"vi2en: translated 3 lines of {src} with {TINY_MODEL} (fake) in "
    )


def test_evaluate_takes_the_translation_options_of_translate() -> None:
    commands = main.commands  # type: ignore[attr-defined]
    names = {param.name for param in commands["evaluate"].params}
    assert set(_TRANSLATION_PARAMETERS) <= names
    assert set(_TRANSLATION_PARAMETERS) <= {param.name for param in commands["translate"].params}


# --- errors ------------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "hyp": write_lines(tmp_path / "hyp.en", HYP),
        "ref": write_lines(tmp_path / "ref.en", REF),
        "short": write_lines(tmp_path / "short.en", REF[:2]),
        "empty": write_lines(tmp_path / "empty.en", []),
        "cp1258": tmp_path / "legacy.en",
        "src": write_lines(tmp_path / "src.vi", SOURCE),
        "bad-jsonl": tmp_path / "notes.jsonl",
        "plain-dir": tmp_path / "plain",
    }


def _setup_error_files(files: dict[str, Path]) -> None:
    files["cp1258"].write_bytes(cp1258("Hà Nội đẹp lắm.\nTrời mưa to.\nỞ đây.\n"))
    files["bad-jsonl"].write_text('{"text": "not a corpus"}\n', encoding="utf-8")
    files["plain-dir"].mkdir()


ERRORS = [
    # A reference with fewer lines than the hypotheses: both counts.
    (
        ["{hyp}", "-r", "{short}"],
        1,
        "{short}: 2 lines, but {hyp} has 3; give one reference line per hypothesis",
    ),
    # The second reference is checked too.
    (["{hyp}", "-r", "{ref}", "-r", "{short}"], 1, "{short}: 2 lines, but {hyp} has 3"),
    # --src is checked against the references before anything is translated.
    (["--src", "{src}", "-r", "{short}", *FAKE], 1, "{short}: 2 lines, but {src} has 3"),
    (["{empty}", "-r", "{ref}"], 1, "{empty}: the file is empty; give one segment per line"),
    (["{hyp}", "-r", "{empty}"], 1, "{empty}: the file is empty"),
    (["{hyp}", "-r", "{cp1258}"], 1, "{cp1258}: not valid UTF-8 (byte 0x"),
    (["{hyp}", "-r", "{hyp}.missing"], 2, "'--ref': File '{hyp}.missing' does not exist"),
    (["{hyp}.missing", "-r", "{ref}"], 2, "Path '{hyp}.missing' does not exist"),
    (
        ["{plain-dir}", "-r", "{ref}"],
        1,
        "{plain-dir}: not a finished vi2en output folder (no manifest.json)",
    ),
    (["{bad-jsonl}", "-r", "{ref}"], 1, "{bad-jsonl}: not a corpus.jsonl that vi2en wrote"),
    (
        ["{hyp}", "-r", "{ref}", "--metrics", "bleu,meteor"],
        2,
        "unknown metric 'meteor'; choose one of: bleu, chrf, comet, ter",
    ),
    (["-r", "{ref}"], 2, "give HYP (a file of hypotheses or a vi2en OUTDIR), or --src SRC.vi"),
    (
        ["{hyp}", "-r", "{ref}", "--model", "x"],
        2,
        "--model: only for translating --src without HYP",
    ),
    (["{hyp}", "-r", "{ref}", "-o", "{hyp}.out"], 2, "--output: only for translating --src"),
    (
        ["{hyp}", "-r", "{ref}", "--metrics", "comet"],
        2,
        "COMET reads the source sentences: pass --src",
    ),
    (
        ["{hyp}", "-r", "{ref}", "-r", "{ref}", "--src", "{src}", "--metrics", "comet"],
        2,
        "COMET scores against one reference",
    ),
    (["{hyp}", "-r", "{ref}", "--src", "{short}"], 1, "{src_short}: 2 lines, but {hyp} has 3"),
]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    ERRORS,
    ids=[
        "line-count",
        "second-ref-line-count",
        "src-line-count",
        "empty-hyp",
        "empty-ref",
        "undecodable",
        "missing-ref",
        "missing-hyp",
        "folder-not-outdir",
        "jsonl-not-corpus",
        "unknown-metric",
        "nothing-to-score",
        "model-with-hyp",
        "output-with-hyp",
        "comet-without-source",
        "comet-two-refs",
        "src-with-hyp-line-count",
    ],
)
def test_errors(
    runner: CliRunner, files: dict[str, Path], args: list[str], code: int, message: str
) -> None:
    _setup_error_files(files)
    names = {key.replace("-", "_"): str(path) for key, path in files.items()}
    names["src_short"] = names["short"]

    def fill(text: str) -> str:
        for key, value in names.items():
            text = text.replace("{" + key.replace("_", "-") + "}", value).replace(
                "{" + key + "}", value
            )
        return text

    result = evaluate(runner, *(fill(arg) for arg in args))
    assert result.exit_code == code, result.output
    assert fill(message) in result.stderr
    assert result.stdout == ""
    if code == 1:  # one line, from the library
        assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("formats", "damage", "message"),
    [
        (
            "txt",
            None,
            "the run wrote no corpus with targets (formats: txt); translate again with -f jsonl",
        ),
        (
            "jsonl",
            "edit",
            "corpus.jsonl: does not match manifest.json (edited, or from an unfinished run)",
        ),
        ("tsv", "manifest", "manifest.json: damaged manifest"),
        ("moses", "unlist", "corpus.ids: not listed in manifest.json"),
    ],
    ids=["no-corpus", "edited-corpus", "damaged-manifest", "unlisted-file"],
)
def test_outdir_errors(
    runner: CliRunner, tmp_path: Path, formats: str, damage: str | None, message: str
) -> None:
    outdir = translate_to(runner, tmp_path, formats)
    manifest = outdir / "manifest.json"
    if damage == "edit":
        (outdir / "corpus.jsonl").write_text("{}\n", encoding="utf-8")
    elif damage == "manifest":
        manifest.write_text("{", encoding="utf-8")
    elif damage == "unlist":
        record = json.loads(manifest.read_text("utf-8"))
        record["files"] = [f for f in record["files"] if f["path"] != "corpus.ids"]
        manifest.write_text(json.dumps(record), encoding="utf-8")
    ref = write_lines(tmp_path / "ref.en", ARTICLE_REF)
    result = evaluate(runner, str(outdir), "-r", str(ref))
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


# --- packages: sacrebleu only here, COMET only when asked for -----------------------------


@pytest.mark.slow
def test_import_and_help_do_not_load_sacrebleu() -> None:
    code = (
        "import sys; import translate, translate.cli; from click.testing import CliRunner; "
        "r1 = CliRunner().invoke(translate.cli.main, ['--help']); "
        "r2 = CliRunner().invoke(translate.cli.main, ['evaluate', '--help']); "
        "assert r1.exit_code == r2.exit_code == 0; "
        "print(sorted({'sacrebleu', 'comet', 'torch'} & set(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "[]\n"


def test_without_sacrebleu_it_says_which_extra_to_install(
    runner: CliRunner, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "sacrebleu", None)
    result = evaluate(runner, str(files["hyp"]), "-r", str(files["ref"]))
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: vi2en evaluate needs the sacrebleu package: pip install 'vi2en[eval]'\n"
    )


def test_without_comet_it_says_which_extra_to_install(
    runner: CliRunner, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "comet", None)
    result = evaluate(
        runner,
        str(files["hyp"]),
        "-r",
        str(files["ref"]),
        "--src",
        str(files["src"]),
        "--metrics",
        "bleu,comet",
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: --metrics comet needs the unbabel-comet package: pip install 'vi2en[comet]' "
        "(if pip finds no unbabel-comet that allows transformers 5, score COMET in an "
        "environment of its own: comet-score -s SRC -t HYP -r REF)\n"
    )
    assert result.stdout == ""  # nothing is scored before the check


class _Prediction:
    system_score = 0.81234


class _CometModel:
    def __init__(self, calls: list[Any]) -> None:
        self.calls = calls

    def predict(self, data: list[dict[str, str]], **kwargs: Any) -> _Prediction:
        self.calls.append(data)
        return _Prediction()


def _stub_comet(monkeypatch: pytest.MonkeyPatch, calls: list[Any]) -> None:
    """A stand-in for unbabel-comet's two functions that vi2en calls."""
    module = types.ModuleType("comet")
    module.__spec__ = importlib.machinery.ModuleSpec("comet", None)
    module.load_from_checkpoint = lambda path: (calls.append(path), _CometModel(calls))[1]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "comet", module)


def test_comet_offline_is_one_line(
    runner: CliRunner, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Any] = []
    _stub_comet(monkeypatch, calls)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    result = evaluate(
        runner,
        str(files["hyp"]),
        "-r",
        str(files["ref"]),
        "--src",
        str(files["src"]),
        "--metrics",
        "comet",
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: cannot load COMET model 'Unbabel/wmt22-comet-da': it is not in the local cache "
        "and the hub cannot be reached; run once with a network to download it, or pass "
        "--comet-model with a downloaded checkpoint (HF_HUB_OFFLINE=1 is set)\n"
    )
    assert calls == []


def test_comet_scores_sources_hypotheses_and_reference(
    runner: CliRunner, files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Any] = []
    _stub_comet(monkeypatch, calls)
    checkpoint = tmp_path / "comet" / "checkpoints" / "model.ckpt"
    checkpoint.parent.mkdir(parents=True)
    checkpoint.write_bytes(b"")
    result = evaluate(
        runner,
        str(files["hyp"]),
        "-r",
        str(files["ref"]),
        "--src",
        str(files["src"]),
        "--metrics",
        "comet",
        "--comet-model",
        str(tmp_path / "comet"),
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == f"COMET|model:{tmp_path / 'comet'}|nrefs:1|version:unknown = 0.8123\n"
    assert calls[0] == str(checkpoint)
    assert calls[1] == [
        {"src": s, "mt": h, "ref": r} for s, h, r in zip(SOURCE, HYP, REF, strict=True)
    ]


def test_a_refusal_of_sacrebleu_is_one_line(
    runner: CliRunner, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("Empty or `None` reference sentence found.")

    monkeypatch.setattr(sacrebleu.metrics.BLEU, "corpus_score", refuse)
    result = evaluate(runner, str(files["hyp"]), "-r", str(files["ref"]))
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: --ref: sacrebleu cannot score these files: "
        "Empty or `None` reference sentence found.\n"
    )
