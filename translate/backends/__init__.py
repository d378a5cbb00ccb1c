"""Backends: one name → implementation table, imported on first use.

Importing this package imports neither torch nor ctranslate2.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any

from translate.backends.base import (
    Backend,
    BackendSettings,
    DecodingOptions,
    ResolvedDecoding,
    ResolvedSettings,
)
from translate.errors import ModelLoadError, UnknownNameError
from translate.models import ResolvedModel

# name → implementation ("module:Class"), imported on first use: the table feeds
# --backend's choices and the "unknown backend" error.
IMPLEMENTATIONS = {
    "ctranslate2": "translate.backends.ct2:CTranslate2Backend",
    "transformers": "translate.backends.hf:TransformersBackend",
}


class _BackendNames(Sequence[str]):
    """``auto`` and the table's names, read at each use: a registered backend counts."""

    def __getitem__(self, index: Any) -> Any:
        return ("auto", *IMPLEMENTATIONS)[index]

    def __len__(self) -> int:
        return 1 + len(IMPLEMENTATIONS)

    def __repr__(self) -> str:
        return repr(tuple(self))


BACKENDS: Sequence[str] = _BackendNames()


def register_backend(name: str, implementation: str) -> None:
    """Add a backend to the table, as ``--backend name`` and ``BackendSettings(backend=name)``.

    Args:
        name: The backend's name (not ``auto``).
        implementation: ``"module:Class"``, imported on first use; the class is
            constructed as ``Class(model, settings)`` with a
            :class:`~translate.models.ResolvedModel` and :class:`BackendSettings`.
            The tests register ``translate.backends.fake:FakeBackend`` as ``fake``.
    """
    IMPLEMENTATIONS[name] = implementation


def choose_backend(name: str, model: ResolvedModel) -> str:
    """The concrete backend ``name`` stands for with this model.

    Raises:
        UnknownNameError: ``name`` is not a backend.
        ModelLoadError: ``ctranslate2`` was asked for but is not installed.
    """
    if name not in BACKENDS:
        raise UnknownNameError("backend", name, list(BACKENDS))
    from translate.backends import ct2

    if name == "ctranslate2" and not ct2.is_available():
        raise ModelLoadError(
            "the ctranslate2 backend needs the ctranslate2 package: pip install 'vi2en[fast]'"
        )
    if name != "auto":
        return name
    return "ctranslate2" if ct2.is_available() and ct2.supports(model) else "transformers"


def backend_class(name: str) -> type[Backend]:
    """The class of the concrete backend ``name``, imported on first use.

    Importing a backend's module imports neither torch nor ctranslate2; its
    class answers questions (compute types, what ``auto`` means) before loading.

    Raises:
        UnknownNameError: ``name`` is not a concrete backend.
    """
    if name not in IMPLEMENTATIONS:
        raise UnknownNameError("backend", name, list(IMPLEMENTATIONS))
    module, _, cls = IMPLEMENTATIONS[name].partition(":")
    found: type[Backend] = getattr(importlib.import_module(module), cls)
    return found


def compute_types() -> tuple[str, ...]:
    """Every ``--compute-type`` some backend accepts, in table order (``auto`` first)."""
    names: dict[str, None] = {"auto": None}
    for name in IMPLEMENTATIONS:
        names.update(dict.fromkeys(backend_class(name).compute_types))
    return tuple(names)


def resolve_settings(settings: BackendSettings, model: ResolvedModel) -> ResolvedSettings:
    """The backend, device and precision ``settings`` mean for ``model`` here.

    So that the same words on another machine (``auto`` on a GPU) are not taken
    for the same setup in a resume check or the translation memory. Each
    backend's class says what its ``auto`` means.

    Raises:
        UnknownNameError: ``settings.backend`` is not a backend name.
        ModelLoadError: ``ctranslate2`` was asked for but is not installed.
    """
    return backend_class(choose_backend(settings.backend, model)).resolve_settings(settings)


def __getattr__(name: str) -> tuple[str, ...]:
    # COMPUTE_TYPES is asked of the backend classes, so only on first use.
    if name == "COMPUTE_TYPES":
        return compute_types()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load_backend(model: ResolvedModel, settings: BackendSettings) -> Backend:
    """Load ``model`` into the backend ``settings`` asks for.

    Raises:
        ModelLoadError: The backend is not installed or cannot load the model.
        UnknownNameError: ``settings.backend`` is not a backend name.
    """
    module, _, cls = IMPLEMENTATIONS[choose_backend(settings.backend, model)].partition(":")
    implementation: Callable[[ResolvedModel, BackendSettings], Backend]
    implementation = getattr(importlib.import_module(module), cls)
    return implementation(model, settings)


__all__ = [
    "BACKENDS",
    "COMPUTE_TYPES",
    "Backend",
    "BackendSettings",
    "DecodingOptions",
    "ResolvedDecoding",
    "ResolvedSettings",
    "backend_class",
    "choose_backend",
    "compute_types",
    "load_backend",
    "register_backend",
    "resolve_settings",
]
