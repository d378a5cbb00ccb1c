"""What the installed distribution says about this copy of the package ``translate``.

The version is the ``vi2en`` distribution's metadata (written once, in
``pyproject.toml``); a copy that no installed ``vi2en`` owns (a checkout on
``PYTHONPATH``) says :data:`UNKNOWN_VERSION` rather than another copy's version.

The import name ``translate`` is shared with translate-toolkit (and the PyPI
package ``translate``). Installed in one environment, whichever comes second
overwrites the other's files (``translate/__init__.py``, ``translate/py.typed``)
and uninstalling either deletes them for both. :func:`installation_problem`
tells these states apart from the metadata that pip writes (``RECORD``: files
and their hashes; ``direct_url.json``: where an editable install lives).

Only the standard library is imported here: this runs on every ``import translate``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
import warnings
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse

DISTRIBUTION = "vi2en"
PACKAGE = "translate"
UNKNOWN_VERSION = "0+unknown"
_INIT = f"{PACKAGE}/__init__.py"
_ISOLATE = "install vi2en in its own environment: pipx install vi2en"
_REINSTALL = "pip install --force-reinstall vi2en"
# A distribution's name for a missing module, where the two differ.
_DISTRIBUTION_OF_MODULE = {"ctranslate2": "ctranslate2", "justext": "jusText"}


class InstallationWarning(UserWarning):
    """Another distribution shares the package ``translate`` with vi2en."""


@dataclass(frozen=True)
class Installation:
    """The state of this copy of ``translate``.

    Attributes:
        version: vi2en's version, or :data:`UNKNOWN_VERSION` for a copy no
            installed vi2en owns.
        problem: One line describing a clash, or ``None``.
        broken: Whether vi2en's own files are overwritten or missing (the
            command cannot run); a clash that left them intact is only a warning.
    """

    version: str
    problem: str | None = None
    broken: bool = False


def _normalised(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _editable_root(dist: metadata.Distribution) -> Path | None:
    text = dist.read_text("direct_url.json")
    if not text:
        return None
    try:
        info = json.loads(text)
    except ValueError:
        return None
    if not isinstance(info, dict) or not (info.get("dir_info") or {}).get("editable"):
        return None
    url = urlparse(str(info.get("url", "")))
    return Path(unquote(url.path)) if url.scheme == "file" else None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def _file_hash(path: Path) -> str | None:
    try:
        digest = hashlib.sha256(path.read_bytes()).digest()
    except OSError:
        return None
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _claims_package(dist: metadata.Distribution) -> bool:
    top_level = dist.read_text("top_level.txt")
    if top_level is not None:
        return PACKAGE in top_level.split()
    return any(str(path) == _INIT for path in dist.files or ())


def _others(dists: list[metadata.Distribution]) -> list[str]:
    """``name version`` of each other installed distribution that holds ``translate``."""
    found: dict[str, str] = {}
    for dist in dists:
        name = dist.metadata["Name"] or ""
        if _normalised(name) != DISTRIBUTION and _claims_package(dist):
            found.setdefault(_normalised(name), f"{name} {dist.version}")
    return sorted(found.values())


def _names(paths: list[str]) -> str:
    shown = ", ".join(paths[:3])
    return shown + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")


def check_installation(
    package_file: str | None, dists: list[metadata.Distribution] | None = None
) -> Installation:
    """The state of the copy of ``translate`` whose ``__init__.py`` is ``package_file``.

    Args:
        package_file: ``translate.__file__`` (``None`` when ``__init__.py`` is
            gone and ``translate`` imports as a namespace package).
        dists: The installed distributions (default: all on ``sys.path``).

    Returns:
        The version and, for a clash, one line naming the other distribution and the fix.
    """
    if dists is None:
        dists = list(metadata.distributions())
    ours = next((d for d in dists if _normalised(d.metadata["Name"] or "") == DISTRIBUTION), None)
    if ours is None:
        return Installation(UNKNOWN_VERSION)
    editable = _editable_root(ours)
    if editable is not None:
        # The files are the checkout's: nobody else's install touches them.
        owned = package_file is not None and _same_file(Path(package_file), editable / _INIT)
        return Installation(ours.version if owned else UNKNOWN_VERSION)
    recorded = {str(path): path for path in ours.files or () if path.parts[:1] == (PACKAGE,)}
    init = recorded.get(_INIT)
    if init is None:
        return Installation(UNKNOWN_VERSION)
    expected = Path(str(ours.locate_file(init)))
    if package_file is not None and not _same_file(Path(package_file), expected):
        return Installation(UNKNOWN_VERSION)  # another copy (a checkout) is imported
    if ours.read_text("RECORD") is None:
        # A checkout's egg-info (setuptools' file list, no hashes): the files are the checkout's.
        return Installation(ours.version)
    others = _others(dists)
    shared = " and ".join(others) if others else "another package (such as translate-toolkit)"
    missing = sorted(
        name
        for name, path in recorded.items()
        if "__pycache__" not in path.parts and not Path(str(ours.locate_file(path))).exists()
    )
    if missing:
        deleter = " and ".join(others) if others else "a package such as translate-toolkit"
        return Installation(
            ours.version,
            f"vi2en: its installed files are missing ({_names(missing)}), as when {deleter},"
            f" which shares the package 'translate', is uninstalled; reinstall vi2en:"
            f" {_REINSTALL}, best in its own environment: pipx install vi2en",
            broken=True,
        )
    changed = sorted(
        name
        for name, path in recorded.items()
        if path.hash is not None
        and f"{path.hash.mode}={path.hash.value}" != _file_hash(Path(str(ours.locate_file(path))))
    )
    if changed:
        return Installation(
            ours.version,
            f"vi2en: the package 'translate' is shared with {shared} installed in this"
            f" environment, which overwrote vi2en's files ({_names(changed)}); {_ISOLATE}"
            f" (or uninstall {others[0].split()[0] if others else 'it'} and reinstall vi2en:"
            f" {_REINSTALL})",
            broken=True,
        )
    if others:
        return Installation(
            ours.version,
            f"vi2en: the package 'translate' is shared with {shared} installed in this"
            f" environment (vi2en overwrote its files; uninstalling either deletes files of"
            f" the other); {_ISOLATE}",
        )
    return Installation(ours.version)


@cache
def installation() -> Installation:
    """:func:`check_installation` for the imported ``translate``, computed once."""
    package = sys.modules.get(PACKAGE)
    return check_installation(getattr(package, "__file__", None))


def warn_on_import() -> None:
    """Warn once about a clash, unless the ``vi2en`` command will say it itself."""
    problem = installation().problem
    if problem is not None and not _running_vi2en_command():
        warnings.warn(problem, InstallationWarning, stacklevel=3)


def _running_vi2en_command() -> bool:
    # The command prints the problem as its one line (see ``main``); a warning
    # from the import that precedes it would say it twice.
    orig_argv = getattr(sys, "orig_argv", [])
    return Path(sys.argv[0]).stem == "vi2en" or orig_argv[1:3] == ["-m", PACKAGE]


def missing_package_reason(exc: ImportError, needed_for: str) -> str:
    """One line for an ImportError of an optional or damaged dependency.

    Args:
        exc: The error (``exc.name`` is the missing module, where Python knows it).
        needed_for: What needed it, e.g. ``"reading HTML"``.

    Returns:
        "reading HTML needs the package lxml_html_clean; ..." naming the package and the fix.
    """
    text = str(exc)
    # lxml >= 5.2 raises a plain ImportError (no name) for lxml.html.clean.
    module = "lxml_html_clean" if "lxml_html_clean" in text else (exc.name or "").split(".")[0]
    if not module:
        return f"{needed_for} failed: {text.splitlines()[0] if text else type(exc).__name__}"
    package = _DISTRIBUTION_OF_MODULE.get(module, module)
    return (
        f"{needed_for} needs the package {package}; pip install vi2en again"
        f" (pip install --force-reinstall vi2en) or pip install {package}"
    )
