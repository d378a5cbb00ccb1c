"""Finding models: local directories, the hub cache, and what is said when neither works."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import ROOT, TINY_MODEL
from translate.cli import main
from translate.models import DEFAULT_MODEL, _hub_unreachable


@pytest.mark.slow
def test_offline_without_hf_hub_offline_fails_fast_with_one_line(tmp_path: Path) -> None:
    # No HF_HUB_OFFLINE, an empty cache, and a hub that refuses connections (never a real network).
    article = tmp_path / "x.txt"
    article.write_text("Xin chào.\n", encoding="utf-8")
    env = {
        k: v for k, v in os.environ.items() if k not in {"HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"}
    }
    env.update(HF_ENDPOINT="http://127.0.0.1:9", HF_HOME=str(tmp_path / "hf"), PYTHONPATH=str(ROOT))
    env.pop("HF_HUB_CACHE", None)
    result = subprocess.run(
        [sys.executable, "-m", "translate", "translate", str(article), "-o", str(tmp_path / "o")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(
        f"Error: cannot load model '{DEFAULT_MODEL}': it is not in the local cache "
        "and the hub cannot be reached ("
    )
    assert "HF_HUB_OFFLINE" not in lines[0]


@pytest.fixture
def answering_hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A loopback server that answers every request with 404."""
    from huggingface_hub import constants

    class NotFound(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self) -> None:
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), NotFound)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setattr(constants, "ENDPOINT", endpoint)
    yield endpoint
    server.shutdown()


def test_a_hub_answering_with_an_error_status_is_reachable(answering_hub: str) -> None:
    assert _hub_unreachable() is None


def test_a_refused_connection_is_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "ENDPOINT", "http://127.0.0.1:9")
    assert _hub_unreachable() == "Connection refused"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["models", "info"],
            f"Error: cannot find model '{DEFAULT_MODEL}': it is not in the local cache; "
            f"`vi2en models info` does not download; run `vi2en models download {DEFAULT_MODEL}` "
            "to fetch it\n",
        ),
        (
            ["models", "download", "models/tiny-vi-en"],
            "Error: 'models/tiny-vi-en' is a local directory: it needs no download; "
            "pass --model models/tiny-vi-en to use it\n",
        ),
        (
            ["models", "download", "./local/dir"],
            "Error: no such directory './local/dir'; `vi2en models download` takes a hub id "
            f"such as {DEFAULT_MODEL} or a short name such as nllb-600m (`vi2en models list`)\n",
        ),
        (
            ["models", "info", "not a model"],
            "Error: cannot load model 'not a model': it is neither a model directory nor a hub id "
            "(like Helsinki-NLP/opus-mt-vi-en)\n",
        ),
    ],
    ids=["info-not-cached", "download-local-dir", "download-missing-dir", "info-bad-name"],
)
def test_models_commands_say_the_truth(
    args: list[str], expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("HF_HUB_OFFLINE")  # what the user set: nothing
    result = CliRunner().invoke(main, args)
    assert (result.exit_code, result.output) == (1, expected)
    assert "HF_HUB_OFFLINE" not in os.environ  # `models info` sets nothing behind the user's back


def test_models_info_on_a_local_directory() -> None:
    result = CliRunner().invoke(main, ["models", "info", str(TINY_MODEL)])
    assert result.exit_code == 0
    assert f'"path": "{TINY_MODEL}"' in result.output


def test_a_failed_download_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub
    from huggingface_hub.errors import LocalEntryNotFoundError

    import translate.models
    from translate.errors import ModelLoadError

    def snapshot_download(name: str, **kwargs: object) -> str:
        if kwargs.get("local_files_only"):
            raise LocalEntryNotFoundError("not cached")
        raise RuntimeError("Server error '500' for url 'http://hub/x'\nFor more information: ...")

    monkeypatch.setattr(translate.models, "_offline", lambda: False)
    monkeypatch.setattr(translate.models, "_hub_unreachable", lambda: None)
    monkeypatch.setattr(translate.models, "_download_patterns", lambda name, revision: ["*"])
    monkeypatch.setattr(huggingface_hub, "snapshot_download", snapshot_download)
    with pytest.raises(ModelLoadError) as caught:
        translate.models.resolve_model("org/model")
    assert str(caught.value) == (
        "cannot load model 'org/model': download failed (RuntimeError: Server error '500' "
        "for url 'http://hub/x'); pass --model DIR with a downloaded model, "
        "or run `vi2en models download org/model` where a network exists"
    )


def test_hub_library_warnings_are_silenced_below_vv(monkeypatch: pytest.MonkeyPatch) -> None:
    # huggingface_hub reads its level when imported and prints retries through its own handler.
    monkeypatch.delenv("HF_HUB_VERBOSITY", raising=False)
    CliRunner().invoke(main, ["models", "info", str(TINY_MODEL)])
    assert os.environ["HF_HUB_VERBOSITY"] == "error"
