"""The catalog of known models: short names, `vi2en models list`, licence notices."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

import translate.models
from tests.conftest import ROOT, TINY_MODEL
from translate import catalog
from translate.catalog import CATALOG, LEADERBOARD_SOURCE
from translate.cli import main
from translate.errors import ModelLoadError
from translate.models import download_model, resolve_model, show_licence_notice

NLLB = "facebook/nllb-200-distilled-600M"
COMMIT = "0123456789abcdef0123456789abcdef01234567"

# What the issue asks the table to show: short name, hub id, family, licence, commercial use.
ISSUE_ROWS = [
    ("opus-mt", "Helsinki-NLP/opus-mt-vi-en", "marian", "CC-BY-4.0", "yes"),
    (
        "opus-mt-tc-big",
        "Helsinki-NLP/opus-mt-tc-bible-big-mul-deu_eng_fra_por_spa",
        "marian-multi",
        "Apache-2.0",
        "yes",
    ),
    ("nllb-600m", NLLB, "nllb", "CC-BY-NC-4.0", "no"),
    ("nllb-1.3b", "facebook/nllb-200-distilled-1.3B", "nllb", "CC-BY-NC-4.0", "no"),
    ("nllb-3.3b", "facebook/nllb-200-3.3B", "nllb", "CC-BY-NC-4.0", "no"),
    ("m2m100-418m", "facebook/m2m100_418M", "m2m100", "MIT", "yes"),
    ("m2m100-1.2b", "facebook/m2m100_1.2B", "m2m100", "MIT", "yes"),
    ("vinai-v2", "vinai/vinai-translate-vi2en-v2", "mbart", "AGPL-3.0", "yes, with conditions"),
    ("envit5", "VietAI/envit5-translation", "t5-envit5", "OpenRAIL", "yes, with conditions"),
    ("madlad-3b", "google/madlad400-3b-mt", "t5-madlad", "Apache-2.0", "yes"),
]
# The published FLORES-200 devtest vi→en BLEU the issue quotes; the other models have none.
PUBLISHED_BLEU = {
    "opus-mt": 25.3,
    "nllb-600m": 33.4,
    "nllb-1.3b": 36.6,
    "nllb-3.3b": 36.6,
    "m2m100-1.2b": 32.4,
    "m2m100-418m": 27.6,
}
RESTRICTED = {"nllb-600m", "nllb-1.3b", "nllb-3.3b", "vinai-v2", "envit5"}


# --- the table -----------------------------------------------------------------------


def test_the_catalog_is_the_issues_list() -> None:
    assert [(m.short_name, m.hub_id, m.family, m.licence) for m in CATALOG] == [
        row[:4] for row in ISSUE_ROWS
    ]


@pytest.mark.parametrize("row", ISSUE_ROWS, ids=[row[0] for row in ISSUE_ROWS])
def test_models_list_shows_each_model_with_family_licence_and_size(
    row: tuple[str, str, str, str, str],
) -> None:
    short_name, hub, family, licence, commercial = row
    result = CliRunner().invoke(main, ["models", "list"])
    assert result.exit_code == 0
    lines = [line for line in result.output.splitlines() if line.startswith(f"{short_name} ")]
    assert len(lines) == 1, result.output
    cells = lines[0].split()
    model = catalog.by_short_name(short_name)
    assert model is not None
    assert cells[:5] == [short_name, hub, family, model.parameters, model.download_size.split()[0]]
    assert f"  {licence}  " in lines[0]
    assert f"  {commercial}  " in lines[0] or lines[0].endswith(f"  {commercial}")
    bleu = PUBLISHED_BLEU.get(short_name)
    assert (cells[-1] == f"{bleu:.1f}") if bleu is not None else not cells[-1][0].isdigit()


def test_the_readme_table_is_the_catalog() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Choosing a model\n", 1)[1].split("\n## ", 1)[0]
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in section.splitlines()
        if line.startswith("| `")
    ]
    assert [
        [row[0].split()[0].strip("`"), row[1].strip("`"), *row[2:6], row[7]] for row in rows
    ] == [
        [
            m.short_name,
            m.hub_id,
            m.family,
            m.parameters,
            m.download_size,
            m.licence,
            "" if m.flores_bleu is None else f"{m.flores_bleu:.1f}",
        ]
        for m in CATALOG
    ]
    assert [row[6].strip("*") for row in rows] == [
        ("with conditions" if m.restriction else "yes") if m.commercial_use else "no"
        for m in CATALOG
    ]


def test_models_list_is_a_header_a_row_per_model_and_the_notes() -> None:
    result = CliRunner().invoke(main, ["models", "list"])
    lines = result.output.splitlines()
    assert lines[0].split() == [
        *("name", "hub", "id", "family", "params", "download", "licence", "commercial", "BLEU")
    ]
    assert [line.split()[0] for line in lines[1 : len(CATALOG) + 1]] == catalog.short_names()
    assert lines[len(CATALOG) + 1 :] == [
        "",
        f"BLEU: {LEADERBOARD_SOURCE} (empty: none published).",
        "≈: approximate. A notice names the licence before the first use of a model whose "
        "licence restricts use.",
        "Use: vi2en translate ... --model NAME; vi2en models download NAME.",
    ]
    # Aligned columns: every row starts its hub id where the header says "hub id".
    column = lines[0].index("hub id")
    rows = lines[1 : len(CATALOG) + 1]
    assert [line[column:].split()[0] for line in rows] == [m.hub_id for m in CATALOG]


def test_models_list_json_is_the_catalog() -> None:
    result = CliRunner().invoke(main, ["models", "list", "--json"])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert rows == [m.as_dict() for m in CATALOG]
    for row in rows:
        assert row["licence"] and row["download_size"] and row["parameters"]
        assert isinstance(row["commercial_use"], bool)
        assert row["url"] == f"https://huggingface.co/{row['hub_id']}"


def test_published_scores_are_the_issues_and_only_those() -> None:
    assert {m.short_name: m.flores_bleu for m in CATALOG if m.flores_bleu is not None} == (
        PUBLISHED_BLEU
    )
    assert all(
        (m.score_source == LEADERBOARD_SOURCE) == (m.flores_bleu is not None) for m in CATALOG
    )


def test_restricted_licences_are_the_ones_with_a_notice() -> None:
    assert {m.short_name for m in CATALOG if m.restriction} == RESTRICTED
    assert {m.short_name for m in CATALOG if not m.commercial_use} == {
        "nllb-600m",
        "nllb-1.3b",
        "nllb-3.3b",
    }


def test_short_names_are_unique_and_never_paths() -> None:
    names = catalog.short_names()
    assert len(set(names)) == len(names)
    assert all(name == name.lower() and "/" not in name for name in names)
    assert len({m.hub_id for m in CATALOG}) == len(CATALOG)


@pytest.mark.parametrize("model", CATALOG, ids=[m.short_name for m in CATALOG])
def test_each_family_name_is_a_row_of_the_family_table(model: catalog.CatalogModel) -> None:
    from translate.families import all_families

    assert model.family in {family.name for family in all_families()}


# --- short names resolve -------------------------------------------------------------


@pytest.fixture
def hub_cache(monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's Hugging Face cache, also for this process's huggingface_hub.

    huggingface_hub reads ``HF_HUB_CACHE`` once, when imported.
    """
    from huggingface_hub import constants

    cache = Path(os.environ["HF_HUB_CACHE"])
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    return cache


def _cache_snapshot(cache: Path, hub: str) -> Path:
    """A model in the Hugging Face cache as huggingface_hub lays it out (no download)."""
    repo = cache / f"models--{hub.replace('/', '--')}"
    snapshot = repo / "snapshots" / COMMIT
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text('{"model_type": "m2m_100"}', encoding="utf-8")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(COMMIT, encoding="utf-8")
    return snapshot


@pytest.mark.parametrize(
    "spelling", ["nllb-600m", "NLLB-600M", NLLB], ids=["short", "upper", "hub"]
)
def test_a_short_name_resolves_to_its_hub_model(spelling: str, hub_cache: Path) -> None:
    snapshot = _cache_snapshot(hub_cache, NLLB)
    model = resolve_model(spelling)
    assert (model.name, model.path, model.revision) == (NLLB, snapshot, COMMIT)


def test_a_short_name_and_its_hub_id_share_a_fingerprint(hub_cache: Path) -> None:
    # The same translation memory and resume key, however the model was named.
    _cache_snapshot(hub_cache, NLLB)
    assert resolve_model("nllb-600m").fingerprint == resolve_model(NLLB).fingerprint


def test_models_info_by_short_name_shows_the_catalog_row(hub_cache: Path) -> None:
    snapshot = _cache_snapshot(hub_cache, NLLB)
    result = CliRunner().invoke(main, ["models", "info", "nllb-600m"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert (info["name"], info["path"], info["revision"]) == (NLLB, str(snapshot), COMMIT)
    assert info["catalog"]["short_name"] == "nllb-600m"
    assert info["catalog"]["licence"] == "CC-BY-NC-4.0"


def test_models_download_takes_a_short_name(monkeypatch: pytest.MonkeyPatch) -> None:
    fetched: list[tuple[str, Path | None]] = []

    def snapshot(
        name: str, revision: str | None, local_dir: Path | None = None, **_: object
    ) -> Path:
        fetched.append((name, local_dir))
        return Path("/fetched") / name

    monkeypatch.setattr(translate.models, "_snapshot", snapshot)
    result = CliRunner().invoke(main, ["models", "download", "m2m100-1.2b"])
    assert (result.exit_code, result.output) == (0, "/fetched/facebook/m2m100_1.2B\n")
    assert fetched == [("facebook/m2m100_1.2B", None)]


def test_the_model_option_takes_a_short_name_in_the_env(
    hub_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot = _cache_snapshot(hub_cache, "facebook/m2m100_418M")
    monkeypatch.setenv("VI2EN_MODEL", "m2m100-418m")
    assert resolve_model().path == snapshot


# --- a directory wins ----------------------------------------------------------------


def test_an_existing_directory_wins_over_a_short_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(TINY_MODEL, tmp_path / "nllb-600m")
    monkeypatch.chdir(tmp_path)
    model = resolve_model("nllb-600m")
    assert (model.path, model.revision) == ((tmp_path / "nllb-600m").resolve(), None)
    with pytest.raises(ModelLoadError, match="is a local directory: it needs no download"):
        download_model("nllb-600m")


def test_a_directory_that_shadows_a_short_name_says_how_to_reach_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "envit5").mkdir()
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ModelLoadError) as caught:
        resolve_model("envit5")
    assert str(caught.value) == (
        "cannot load model 'envit5': the directory has no config.json (it shadows the short "
        "name envit5; pass --model VietAI/envit5-translation for that model)"
    )


def test_a_directory_run_shows_no_licence_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    shutil.copytree(TINY_MODEL, tmp_path / "nllb-600m")
    monkeypatch.chdir(tmp_path)
    with caplog.at_level(logging.INFO, logger="translate"):
        resolve_model("nllb-600m")
    assert [r.levelno for r in caplog.records] == [logging.INFO]
    assert "is a local directory: using it" in caplog.text


# --- unknown names are what they were --------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["models", "info", "nllb-601m"],
            "Error: cannot find model 'nllb-601m': it is not in the local cache; `vi2en models "
            "info` does not download; run `vi2en models download nllb-601m` to fetch it\n",
        ),
        (
            ["translate", "-", "--model", "nllb-601m"],
            "Error: cannot load model 'nllb-601m': it is not in the local cache and the hub "
            "cannot be reached; pass --model DIR with a downloaded model, or run "
            "`vi2en models download nllb-601m` where a network exists (HF_HUB_OFFLINE=1 is set)\n",
        ),
    ],
    ids=["info", "translate"],
)
def test_an_unknown_short_looking_name_gives_the_usual_hub_error(
    args: list[str], expected: str
) -> None:
    result = CliRunner().invoke(main, args, input="Xin chào.\n")
    assert (result.exit_code, result.output) == (1, expected)


# --- the licence notice ----------------------------------------------------------------


def _vi2en(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "translate", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


NOTICE = (
    f"vi2en: {NLLB} (nllb-600m) is licensed CC-BY-NC-4.0: non-commercial use only; read "
    f"https://huggingface.co/{NLLB} before you use its translations (shown once on this machine)"
)
OFFLINE_ERROR = (
    f"Error: cannot load model '{NLLB}': it is not in the local cache and the hub cannot be "
    f"reached; pass --model DIR with a downloaded model, or run `vi2en models download {NLLB}` "
    "where a network exists (HF_HUB_OFFLINE=1 is set)"
)


@pytest.mark.slow
def test_offline_translate_by_short_name_notice_then_error_then_error_only(
    tmp_path: Path,
) -> None:
    article = tmp_path / "x.txt"
    article.write_text("Xin chào.\n", encoding="utf-8")
    args = ("translate", str(article), "-o", str(tmp_path / "out"), "--model", "nllb-600m")
    first = _vi2en(*args, cwd=tmp_path)
    assert (first.returncode, first.stdout) == (1, "")
    assert first.stderr.splitlines() == [NOTICE, OFFLINE_ERROR]
    second = _vi2en(*args, cwd=tmp_path)
    assert (second.returncode, second.stderr.splitlines()) == (1, [OFFLINE_ERROR])


def test_the_notice_is_shown_once_per_cache_dir(isolated_caches: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["translate", "-", "--model", "nllb-1.3b"], input="Xin chào.\n")
    assert first.output.splitlines()[0].startswith(
        "vi2en: facebook/nllb-200-distilled-1.3B (nllb-1.3b) is licensed CC-BY-NC-4.0"
    )
    assert len(first.output.splitlines()) == 2
    marker = isolated_caches / "vi2en" / "licence-notices" / "facebook--nllb-200-distilled-1.3B"
    assert marker.read_text(encoding="utf-8") == "facebook/nllb-200-distilled-1.3B\tCC-BY-NC-4.0\n"
    assert [p.name for p in marker.parent.iterdir()] == [marker.name]  # no temporary left
    second = runner.invoke(main, ["translate", "-", "--model", "nllb-1.3b"], input="Xin chào.\n")
    assert len(second.output.splitlines()) == 1
    assert second.output.startswith("Error: cannot load model 'facebook/nllb-200-distilled-1.3B'")


@pytest.mark.parametrize("name", ["m2m100-418m", "opus-mt", "madlad-3b", "org/unknown-model"])
def test_permissive_and_unknown_models_show_no_notice(name: str) -> None:
    result = CliRunner().invoke(main, ["translate", "-", "--model", name], input="Xin chào.\n")
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot load model")
    assert len(result.output.splitlines()) == 1


@pytest.mark.parametrize("name", sorted(RESTRICTED))
def test_the_library_logs_each_restricted_licence_as_a_warning(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    model = catalog.by_short_name(name)
    assert model is not None
    with caplog.at_level(logging.WARNING, logger="translate"):
        assert show_licence_notice(model.hub_id) is True
        assert show_licence_notice(name) is False
    [record] = caplog.records
    assert (record.name, record.levelno) == ("translate.models", logging.WARNING)
    assert f"is licensed {model.licence}: {model.restriction};" in record.getMessage()
    assert "\n" not in record.getMessage()


def test_models_info_shows_no_notice() -> None:
    # Looking is not using: `models info` never downloads or loads.
    result = CliRunner().invoke(main, ["models", "info", "vinai-v2"])
    assert result.output.startswith("Error: cannot find model 'vinai/vinai-translate-vi2en-v2'")
    assert len(result.output.splitlines()) == 1


def test_models_download_shows_the_notice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(translate.models, "_snapshot", lambda *a, **k: Path("/fetched"))
    result = CliRunner().invoke(main, ["models", "download", "envit5"])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "vi2en: VietAI/envit5-translation (envit5) is licensed OpenRAIL: use-based restrictions "
        "that you must pass on to your users (the card names no OpenRAIL variant); read "
        "https://huggingface.co/VietAI/envit5-translation before you use its translations "
        "(shown once on this machine)",
        "/fetched",
    ]


def test_a_hidden_notice_is_not_marked_as_shown() -> None:
    # -q hides warnings: the notice must still appear on the next run that shows them.
    runner = CliRunner()
    quiet = runner.invoke(main, ["translate", "-", "-q", "--model", "vinai-v2"], input="x\n")
    assert len(quiet.output.splitlines()) == 1
    loud = runner.invoke(main, ["translate", "-", "--model", "vinai-v2"], input="x\n")
    assert loud.output.startswith("vi2en: vinai/vinai-translate-vi2en-v2 (vinai-v2) is licensed")


def test_an_unwritable_cache_still_shows_the_notice_once_per_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "file").write_text("", encoding="utf-8")
    monkeypatch.setenv("VI2EN_CACHE_DIR", str(tmp_path / "file" / "vi2en"))  # under a file
    with caplog.at_level(logging.WARNING, logger="translate"):
        assert show_licence_notice("nllb-3.3b") is True
        assert show_licence_notice("nllb-3.3b") is False
    assert len(caplog.records) == 1


def test_racing_first_runs_show_the_notice_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each thread stands for a process: none has seen the notice in memory.
    monkeypatch.setattr(translate.models, "_NOTICES_SHOWN", set())
    model = catalog.by_short_name("nllb-600m")
    assert model is not None
    marker = translate.models._notice_marker(model)
    barrier = threading.Barrier(8)
    won: list[bool] = []

    def first_run() -> None:
        barrier.wait()
        won.append(translate.models._claim(marker, model))

    threads = [threading.Thread(target=first_run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(won) == [False] * 7 + [True]
    assert [p.name for p in marker.parent.iterdir()] == [marker.name]
