"""Installation: the version from metadata, the clash with translate-toolkit, missing packages."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from click.testing import CliRunner

import translate
from tests.conftest import ROOT, TINY_MODEL
from translate import _dist
from translate.cli import EXIT_DOCUMENTS_FAILED, main
from translate.readers import read_documents
from translate.records import Document, DocumentFailure

TOOLKIT_INIT = '"""Tools and API for translation and localization engineering."""\n'


def _record_line(site: Path, relative: str) -> str:
    data = (site / relative).read_bytes()
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{relative},sha256={digest},{len(data)}"


def _dist_info(site: Path, name: str, version: str, files: list[str], top_level: bool) -> None:
    """A dist-info folder as pip writes it: METADATA, RECORD (with hashes), top_level.txt."""
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    if top_level:
        (info / "top_level.txt").write_text("translate\n")
    lines = [_record_line(site, relative) for relative in files]
    (info / "RECORD").write_text("\n".join([*lines, f"{info.name}/RECORD,,"]) + "\n")


def _site_with_vi2en(tmp_path: Path, version: str = "9.8.7") -> Path:
    """A site-packages holding a copy of this package, installed as vi2en ``version``."""
    site = tmp_path / "site"
    shutil.copytree(
        ROOT / "translate", site / "translate", ignore=shutil.ignore_patterns("__pycache__")
    )
    files = sorted(
        path.relative_to(site).as_posix()
        for path in (site / "translate").rglob("*")
        if path.is_file()
    )
    _dist_info(site, "vi2en", version, files, top_level=True)
    return site


def _add_toolkit(site: Path, *, top_level: bool = True) -> None:
    """translate-toolkit installed over it: its own __init__.py replaces vi2en's."""
    (site / "translate" / "__init__.py").write_text(TOOLKIT_INIT)
    (site / "translate" / "storage").mkdir()
    (site / "translate" / "storage" / "__init__.py").write_text("")
    files = ["translate/__init__.py", "translate/storage/__init__.py"]
    _dist_info(site, "translate-toolkit", "3.20.4", files, top_level=top_level)


def _state(site: Path) -> _dist.Installation:
    init = site / "translate" / "__init__.py"
    dists = list(metadata.distributions(path=[str(site)]))
    return _dist.check_installation(str(init) if init.exists() else None, dists)


def _reinstall_vi2en_init(site: Path) -> None:
    shutil.copy(ROOT / "translate" / "__init__.py", site / "translate" / "__init__.py")


def test_vi2en_alone_is_fine(tmp_path: Path) -> None:
    assert _state(_site_with_vi2en(tmp_path)) == _dist.Installation("9.8.7")


@pytest.mark.parametrize("top_level", [True, False], ids=["top-level-txt", "record-only"])
def test_toolkit_installed_second_is_a_broken_install(tmp_path: Path, top_level: bool) -> None:
    site = _site_with_vi2en(tmp_path)
    _add_toolkit(site, top_level=top_level)
    state = _state(site)
    assert state.broken
    assert state.problem is not None and "\n" not in state.problem
    assert "translate-toolkit 3.20.4" in state.problem
    assert "overwrote vi2en's files (translate/__init__.py)" in state.problem
    assert "pipx install vi2en" in state.problem


def test_vi2en_installed_second_is_a_warning(tmp_path: Path) -> None:
    site = _site_with_vi2en(tmp_path)
    _add_toolkit(site)
    _reinstall_vi2en_init(site)
    state = _state(site)
    assert not state.broken
    assert state.problem is not None and "translate-toolkit 3.20.4" in state.problem


@pytest.mark.parametrize(
    "removed",
    ["translate/__init__.py", "translate/data/abbreviations.txt"],
    # uninstalling translate-toolkit deletes the shared __init__.py; a data file deleted by hand
    ids=["init-deleted", "data-deleted"],
)
def test_missing_files_are_a_broken_install(tmp_path: Path, removed: str) -> None:
    site = _site_with_vi2en(tmp_path)
    (site / removed).unlink()
    state = _state(site)
    assert state.broken
    assert state.problem is not None and f"missing ({removed})" in state.problem
    assert "pip install --force-reinstall vi2en" in state.problem


def test_a_copy_that_no_installed_vi2en_owns_has_an_unknown_version(tmp_path: Path) -> None:
    site = _site_with_vi2en(tmp_path)
    dists = list(metadata.distributions(path=[str(site)]))
    # a checkout on PYTHONPATH beside an installed vi2en
    assert _dist.check_installation(str(ROOT / "translate" / "__init__.py"), dists).version == (
        _dist.UNKNOWN_VERSION
    )
    assert _dist.check_installation(str(ROOT / "translate" / "__init__.py"), []).version == (
        _dist.UNKNOWN_VERSION
    )


def _run(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run(
        [sys.executable, *args], cwd=site.parent, env=env, capture_output=True, text=True
    )


@pytest.mark.slow
def test_version_comes_from_the_metadata(tmp_path: Path) -> None:
    site = _site_with_vi2en(tmp_path, "9.8.7")
    assert _run(site, "-c", "import translate; print(translate.__version__)").stdout == "9.8.7\n"
    result = _run(site, "-m", "translate", "--version")
    assert (result.returncode, result.stdout, result.stderr) == (0, "vi2en, version 9.8.7\n", "")


def test_installed_version_agrees_with_pyproject() -> None:
    installed = _dist.check_installation(translate.__file__).version
    if installed == _dist.UNKNOWN_VERSION:
        pytest.skip("this checkout is not the installed vi2en (pip install -e . to check)")
    pyproject = (ROOT / "pyproject.toml").read_text()
    match = re.search(r'^version = "([^"]+)"$', pyproject, re.MULTILINE)
    assert match is not None
    assert translate.__version__ == metadata.version("vi2en") == match.group(1)
    result = CliRunner().invoke(main, ["--version"])
    assert result.stdout == f"vi2en, version {match.group(1)}\n"


@pytest.mark.slow
def test_command_with_toolkit_installed_second_is_one_line_and_exit_1(tmp_path: Path) -> None:
    site = _site_with_vi2en(tmp_path)
    _add_toolkit(site)
    result = _run(site, "-m", "translate", "--version")
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert "translate-toolkit 3.20.4" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_command_with_deleted_init_is_one_line_and_exit_1(tmp_path: Path) -> None:
    site = _site_with_vi2en(tmp_path)
    (site / "translate" / "__init__.py").unlink()  # translate becomes a namespace package
    result = _run(site, "-m", "translate", "--version")
    assert (result.returncode, result.stdout) == (1, "")
    assert len(result.stderr.splitlines()) == 1
    assert "missing (translate/__init__.py)" in result.stderr


@pytest.mark.slow
def test_vi2en_installed_second_warns_once(tmp_path: Path) -> None:
    site = _site_with_vi2en(tmp_path)
    _add_toolkit(site)
    _reinstall_vi2en_init(site)
    command = _run(site, "-m", "translate", "--version")
    assert command.returncode == 0
    assert command.stdout == "vi2en, version 9.8.7\n"
    assert len(command.stderr.splitlines()) == 1 and "translate-toolkit" in command.stderr
    code = (
        "import warnings\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    import translate\n"
        "print([type(w.message).__name__ for w in caught if 'translate-toolkit' in str(w.message)])"
    )
    assert _run(site, "-c", code).stdout == "['InstallationWarning']\n"


@pytest.mark.parametrize(
    ("error", "package"),
    [
        (ModuleNotFoundError("No module named 'trafilatura'", name="trafilatura"), "trafilatura"),
        (ModuleNotFoundError("No module named 'lxml.html'", name="lxml.html"), "lxml"),
        # lxml >= 5.2 without lxml_html_clean: a plain ImportError on two lines, no name
        (
            ImportError(
                "lxml.html.clean module is now a separate project lxml_html_clean.\n"
                "Install lxml[html-clean] or lxml_html_clean directly."
            ),
            "lxml_html_clean",
        ),
        (ModuleNotFoundError("No module named 'justext'", name="justext"), "jusText"),
    ],
    ids=["trafilatura", "lxml", "lxml-html-clean", "justext"],
)
def test_missing_package_reason_names_the_package(error: ImportError, package: str) -> None:
    reason = _dist.missing_package_reason(error, "reading HTML")
    assert reason.startswith(f"reading HTML needs the package {package};")
    assert reason.endswith(f"pip install {package}")
    assert "\n" not in reason


# What reading HTML imports, up to the module a test makes missing.
_HTML_STACK = ("trafilatura", "justext", "lxml.html.clean", "lxml_html_clean")


def _block_import(monkeypatch: pytest.MonkeyPatch, module: str) -> None:
    """As if ``module`` were not installed: importing it raises ImportError.

    The HTML stack is imported first, so that every module the test makes Python
    import again is restored afterwards.
    """
    import translate.readers.html  # noqa: F401

    pytest.importorskip("trafilatura")
    for name in list(sys.modules):
        if any(name == prefix or name.startswith(prefix + ".") for prefix in _HTML_STACK):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, module, None)


@pytest.mark.parametrize("module", ["trafilatura", "justext", "lxml_html_clean"])
def test_missing_html_dependency_fails_only_the_html_documents(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, module: str
) -> None:
    (tmp_path / "a.html").write_text(
        "<html><body><article><p>Xin chào.</p></article></body></html>"
    )
    (tmp_path / "b.txt").write_text("Xin chào.\n")
    _block_import(monkeypatch, module)
    results = list(read_documents([str(tmp_path)]))
    assert [type(result) for result in results] == [DocumentFailure, Document]
    failure = results[0]
    assert isinstance(failure, DocumentFailure)
    package = {"justext": "jusText"}.get(module, module)
    assert failure.reason.startswith(f"reading HTML needs the package {package};")


def test_missing_html_dependency_is_exit_3_with_other_documents_translated(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.html").write_text("<html><body><article><p>Xin chào.</p></article></body></html>")
    (inputs / "b.txt").write_text("Xin chào.\n")
    _block_import(monkeypatch, "trafilatura")
    out = tmp_path / "out"
    args = ["translate", str(inputs), "-o", str(out), "--model", str(TINY_MODEL), "--no-cache"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == EXIT_DOCUMENTS_FAILED, result.output
    assert "Traceback" not in result.output
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert [error["doc_id"] for error in errors] == ["a.html"]
    assert "trafilatura" in errors[0]["reason"]
    assert (out / "txt" / "b.txt").exists()
