"""Shared fixtures: no test reaches a network, and every cache lives in a temporary directory."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# At import, before any fixture of any scope runs and before anything imports translate or
# huggingface_hub (which reads its variables at import time): a module-scoped fixture that
# runs `vi2en` in a subprocess must not find the real ~/.cache. Each test then gets its own
# directories from `isolated_caches`.
SESSION_CACHE = Path(tempfile.mkdtemp(prefix="vi2en-tests-"))
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["XDG_CACHE_HOME"] = str(SESSION_CACHE / "xdg")
os.environ["VI2EN_CACHE_DIR"] = str(SESSION_CACHE / "vi2en")
os.environ["HF_HOME"] = str(SESSION_CACHE / "hf")
os.environ["HF_HUB_CACHE"] = str(SESSION_CACHE / "hf" / "hub")
os.environ.pop("VI2EN_CACHE", None)
os.environ.pop("VI2EN_MODEL", None)

from translate.backends import register_backend  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TINY_MODEL = ROOT / "models" / "tiny-vi-en"
SHARED = ROOT.parent / "shared"

# `--backend fake` for the CLI tests, in this process only: users never see it.
register_backend("fake", "translate.backends.fake:FakeBackend")


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(SESSION_CACHE, ignore_errors=True)


_ROOT_LEVEL = logging.getLogger().level


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """The root logger as the session began: a CLI test's ``-q`` (root level ERROR) must not
    hide later logs, even when a module-scoped fixture ran it before this fixture started."""
    root = logging.getLogger()
    handlers = root.handlers[:]
    yield
    root.setLevel(_ROOT_LEVEL)
    root.handlers[:] = handlers


@pytest.fixture(autouse=True)
def isolated_caches(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """vi2en's cache (conversions, memory) and the HF cache in a per-test directory."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("VI2EN_CACHE_DIR", str(cache / "vi2en"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache / "xdg"))
    monkeypatch.setenv("HF_HOME", str(cache / "hf"))
    monkeypatch.setenv("HF_HUB_CACHE", str(cache / "hf" / "hub"))
    monkeypatch.delenv("VI2EN_MODEL", raising=False)
    monkeypatch.delenv("VI2EN_CACHE", raising=False)
    return cache


@pytest.fixture(scope="session")
def ct2_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One CTranslate2 conversion cache for the session, so the tiny model converts once."""
    return tmp_path_factory.mktemp("ct2-cache")
