"""Shared fixtures: no test reaches a network, and every cache lives in a temporary directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Before anything imports huggingface_hub: it reads the variable at import time.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

ROOT = Path(__file__).resolve().parents[1]
TINY_MODEL = ROOT / "models" / "tiny-vi-en"
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def isolated_caches(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """vi2en's cache (conversions, memory) and the HF cache in a per-test directory."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("VI2EN_CACHE_DIR", str(cache / "vi2en"))
    monkeypatch.setenv("HF_HOME", str(cache / "hf"))
    monkeypatch.setenv("HF_HUB_CACHE", str(cache / "hf" / "hub"))
    monkeypatch.delenv("VI2EN_MODEL", raising=False)
    monkeypatch.delenv("VI2EN_CACHE", raising=False)
    return cache


@pytest.fixture(scope="session")
def ct2_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One CTranslate2 conversion cache for the session, so the tiny model converts once."""
    return tmp_path_factory.mktemp("ct2-cache")
