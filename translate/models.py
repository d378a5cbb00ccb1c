"""Finding a model: a local directory, a short name of the catalog, or a hub id.

Resolution never loads weights. It gives a local directory and a fingerprint, so
that the translation memory can answer before any model is loaded.

A name is, in this order: an existing local directory (so a directory called
``nllb-600m`` wins over the short name), a short name of
:mod:`translate.catalog` (``nllb-600m`` → ``facebook/nllb-200-distilled-600M``),
or a hub id. Before the first use of a catalog model whose licence restricts
use, a one-line notice naming the licence is logged once per machine.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from translate import catalog
from translate.errors import ModelLoadError

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "Helsinki-NLP/opus-mt-vi-en"
MODEL_ENV_VAR = "VI2EN_MODEL"
CACHE_ENV_VAR = "VI2EN_CACHE_DIR"

# What a seq2seq checkpoint needs; TensorFlow, Flax and Rust weights are never fetched.
_MODEL_FILE_PATTERNS = ["*.json", "*.spm", "*.model", "*.txt", "*.safetensors", "pytorch_model.bin"]
# Files above this size are fingerprinted by size and sampled bytes instead of read whole.
_FULL_HASH_LIMIT = 16 * 1024 * 1024
_SAMPLE_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ResolvedModel:
    """A model found on disk.

    Attributes:
        name: What the user asked for (hub id or directory); a short name
            becomes the hub id it stands for.
        path: The local directory holding config, weights and tokenizer files.
        revision: The hub commit for hub models, ``None`` for local directories.
        fingerprint: Short hash that changes when the model changes.
    """

    name: str
    path: Path
    revision: str | None
    fingerprint: str


def default_model_name() -> str:
    """The model used when none is given: ``$VI2EN_MODEL`` or the opus-mt default."""
    return os.environ.get(MODEL_ENV_VAR) or DEFAULT_MODEL


def cache_dir() -> Path:
    """vi2en's own cache directory (conversions, translation memory)."""
    explicit = os.environ.get(CACHE_ENV_VAR)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "vi2en"


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes", "on"}


def _fingerprint_directory(path: Path) -> str:
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        size = file.stat().st_size
        digest.update(f"{file.relative_to(path).as_posix()}\0{size}\0".encode())
        with file.open("rb") as handle:
            if size <= _FULL_HASH_LIMIT:
                digest.update(handle.read())
            else:
                digest.update(handle.read(_SAMPLE_BYTES))
                handle.seek(size - _SAMPLE_BYTES)
                digest.update(handle.read())
    return digest.hexdigest()[:16]


def _hub_unreachable(timeout: float = 3.0) -> str | None:
    """Why the hub cannot be reached (``None`` if it answers), found out in seconds.

    Without it, huggingface_hub retries for half a minute before failing.
    Proxies in the environment are honoured (urllib reads them too).
    """
    import threading
    import urllib.error
    import urllib.request

    from huggingface_hub import constants

    outcome: list[str | None] = []

    def probe() -> None:
        try:
            request = urllib.request.Request(constants.ENDPOINT, method="HEAD")
            urllib.request.urlopen(request, timeout=timeout).close()
        except urllib.error.HTTPError:
            outcome.append(None)  # an answer, even an error status, means it is reachable
        except (OSError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or exc
            outcome.append(str(getattr(reason, "strerror", None) or reason))
        else:
            outcome.append(None)

    # A thread, because a DNS lookup ignores the socket timeout.
    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout + 1)
    return outcome[0] if outcome else "no answer in time"


def _unavailable(name: str, why: str, *, hint: bool = True) -> ModelLoadError:
    if not hint:
        return ModelLoadError(
            f"cannot find model {name!r}: {why}; run `vi2en models download {name}` to fetch it"
        )
    return ModelLoadError(
        f"cannot load model {name!r}: {why}; pass --model DIR with a downloaded model, "
        f"or run `vi2en models download {name}` where a network exists"
        + (" (HF_HUB_OFFLINE=1 is set)" if _offline() else "")
    )


def _looks_like_path(name: str) -> bool:
    return (
        Path(name).expanduser().exists() or name.count("/") > 1 or name.startswith((".", "/", "~"))
    )


def resolve_model(
    name: str | None = None, *, revision: str | None = None, download: bool = True
) -> ResolvedModel:
    """Find a model's files, downloading them into the Hugging Face cache if needed.

    Args:
        name: A local directory, a short name (``nllb-600m``, see
            :mod:`translate.catalog`) or a hub id; ``None`` means
            :func:`default_model_name`. An existing directory wins over a
            short name of the same spelling.
        revision: A hub branch, tag or commit (hub models only).
        download: Fetch a hub model missing from the cache; ``False`` only
            looks (and shows no licence notice: nothing is used).

    Returns:
        The model's local directory and fingerprint. A short name and its hub
        id give the same fingerprint (the same translation memory and resume key).

    Raises:
        ModelLoadError: The directory is not a model, or the hub id is neither
            cached nor downloadable.
    """
    name = name or default_model_name()
    local = Path(name).expanduser()
    if local.is_dir():
        if not (local / "config.json").is_file():
            shadowed = catalog.by_short_name(name)
            hint = (
                f" (it shadows the short name {shadowed.short_name}; "
                f"pass --model {shadowed.hub_id} for that model)"
                if shadowed is not None
                else ""
            )
            raise ModelLoadError(
                f"cannot load model {name!r}: the directory has no config.json{hint}"
            )
        if catalog.by_short_name(name) is not None:
            logger.info("%s is a local directory: using it, not the catalog's model", name)
        return ResolvedModel(name, local.resolve(), None, _fingerprint_directory(local))
    name = hub_id(name)
    if _looks_like_path(name):
        raise ModelLoadError(f"cannot load model {name!r}: no such model directory")
    if download:
        show_licence_notice(name)
    path = _snapshot(name, revision, download=download)
    commit = path.name
    return ResolvedModel(
        name, path, commit, hashlib.sha256(f"{name}@{commit}".encode()).hexdigest()[:16]
    )


def _snapshot(
    name: str, revision: str | None, local_dir: Path | None = None, *, download: bool = True
) -> Path:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import (
        GatedRepoError,
        HFValidationError,
        LocalEntryNotFoundError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    try:
        try:
            # The cache first: an offline machine with the model cached needs no network.
            return Path(
                snapshot_download(
                    name,
                    revision=revision,
                    allow_patterns=_MODEL_FILE_PATTERNS,
                    local_files_only=True,
                    local_dir=local_dir,
                )
            )
        except LocalEntryNotFoundError:
            if not download:
                raise _unavailable(
                    name,
                    "it is not in the local cache; `vi2en models info` does not download",
                    hint=False,
                ) from None
            if _offline():
                raise
            unreachable = _hub_unreachable()
            if unreachable is not None:
                raise _unavailable(
                    name,
                    f"it is not in the local cache and the hub cannot be reached ({unreachable})",
                ) from None
        patterns = _download_patterns(name, revision)
        return Path(
            snapshot_download(name, revision=revision, allow_patterns=patterns, local_dir=local_dir)
        )
    except ModelLoadError:
        raise
    except HFValidationError as exc:
        raise ModelLoadError(
            f"cannot load model {name!r}: it is neither a model directory nor a hub id "
            "(like Helsinki-NLP/opus-mt-vi-en)"
        ) from exc
    except (RepositoryNotFoundError, GatedRepoError) as exc:
        raise _unavailable(name, "no such model on the hub (or it is private)") from exc
    except RevisionNotFoundError as exc:
        raise _unavailable(name, f"no revision {revision!r}") from exc
    except (LocalEntryNotFoundError, OfflineModeIsEnabled) as exc:
        raise _unavailable(
            name, "it is not in the local cache and the hub cannot be reached"
        ) from exc
    except Exception as exc:
        # Some messages run over several lines (a URL, then advice); the first says it.
        first_line = next(iter(str(exc).splitlines()), "")
        raise _unavailable(name, f"download failed ({type(exc).__name__}: {first_line})") from exc


def _download_patterns(name: str, revision: str | None) -> list[str]:
    """Skip ``pytorch_model.bin`` when the repository also has safetensors weights."""
    from huggingface_hub import list_repo_files

    files = list_repo_files(name, revision=revision)
    if any(f.endswith(".safetensors") for f in files):
        return [p for p in _MODEL_FILE_PATTERNS if p != "pytorch_model.bin"]
    return _MODEL_FILE_PATTERNS


def download_model(name: str | None = None, target: Path | None = None) -> Path:
    """Fetch a hub model for offline use.

    Args:
        name: Hub id or short name; ``None`` means the default model.
        target: A directory to place the files in (usable as ``--model DIR``);
            ``None`` keeps them in the Hugging Face cache.

    Returns:
        The directory holding the model.

    Raises:
        ModelLoadError: The model cannot be downloaded, or ``name`` is a path
            (a local directory needs no download).
    """
    name = name or default_model_name()
    local = Path(name).expanduser()
    if local.is_dir():
        # A directory wins over a short name here too: the same rule as resolve_model.
        raise ModelLoadError(
            f"{name!r} is a local directory: it needs no download; pass --model {name} to use it"
        )
    if _looks_like_path(name):
        raise ModelLoadError(
            f"no such directory {name!r}; `vi2en models download` takes a hub id "
            f"such as {DEFAULT_MODEL} or a short name such as nllb-600m (`vi2en models list`)"
        )
    name = hub_id(name)
    show_licence_notice(name)
    if target is not None:
        target.mkdir(parents=True, exist_ok=True)
    return _snapshot(name, None, target)


def hub_id(name: str) -> str:
    """The hub id a short name stands for; any other name unchanged.

    Example:
        >>> hub_id("nllb-600m")
        'facebook/nllb-200-distilled-600M'
    """
    model = catalog.by_short_name(name)
    return name if model is None else model.hub_id


def _notice_marker(model: catalog.CatalogModel) -> Path:
    return cache_dir() / "licence-notices" / model.hub_id.replace("/", "--")


# Markers this process has seen or failed to write: one notice per run even where
# the cache directory is read-only (the model is resolved several times per run).
_NOTICES_SHOWN: set[Path] = set()


def show_licence_notice(name: str) -> bool:
    """Log the licence of a catalog model whose licence restricts use, once per machine.

    The notice is a ``logging.warning`` (the CLI shows it as a ``vi2en: ...``
    line on stderr). A marker file under :func:`cache_dir` remembers that it
    was shown; it is created atomically, so of two concurrent first runs only
    one shows it. A notice the logging configuration would hide (``-q``) is
    not marked as shown.

    Args:
        name: A short name or hub id; other names (directories, models the
            catalog does not know, permissive licences) show nothing.

    Returns:
        Whether the notice was shown now.
    """
    model = catalog.lookup(name)
    if model is None or model.restriction is None or not logger.isEnabledFor(logging.WARNING):
        return False
    marker = _notice_marker(model)
    if marker in _NOTICES_SHOWN or marker.exists() or not _claim(marker, model):
        return False
    _NOTICES_SHOWN.add(marker)
    logger.warning(
        "%s (%s) is licensed %s: %s; read %s before you use its translations "
        "(shown once on this machine)",
        model.hub_id,
        model.short_name,
        model.licence,
        model.restriction,
        model.url,
    )
    return True


def _claim(marker: Path, model: catalog.CatalogModel) -> bool:
    """Create ``marker`` whole, unless another process did; ``True`` if this one did.

    Written under a temporary name and hard-linked into place: a link never
    replaces an existing file, so exactly one of several racing runs wins.
    An unwritable cache directory still shows the notice (every run then).
    """
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=".notice-", dir=marker.parent)
    except OSError:
        return True
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(f"{model.hub_id}\t{model.licence}\n")
        try:
            os.link(temporary, marker)
        except FileExistsError:
            return False
        except OSError:
            os.replace(temporary, marker)  # a file system without hard links
            temporary = ""
        return True
    except OSError:
        return True
    finally:
        if temporary:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
