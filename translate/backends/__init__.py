"""Backends: one name → implementation table, imported on first use.

Importing this package imports neither torch nor ctranslate2.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from translate.backends.base import Backend, BackendSettings, DecodingOptions, ResolvedDecoding
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


@dataclass(frozen=True, slots=True)
class ResolvedSettings:
    """What ``auto`` settings stand for on this machine, known without loading the model.

    Attributes:
        backend: The concrete backend (``ctranslate2``, ``transformers``, or an
            injected backend's name).
        device: ``cpu`` or ``cuda``.
        compute_type: The precision the backend computes in.
    """

    backend: str
    device: str
    compute_type: str


def resolve_settings(settings: BackendSettings, model: ResolvedModel) -> ResolvedSettings:
    """The backend, device and precision ``settings`` mean for ``model`` here.

    So that the same words on another machine (``auto`` on a GPU) are not taken
    for the same setup in a resume check or the translation memory.

    Raises:
        UnknownNameError: ``settings.backend`` is not a backend name.
        ModelLoadError: ``ctranslate2`` was asked for but is not installed.
    """
    backend = choose_backend(settings.backend, model)
    if backend == "ctranslate2":
        from translate.backends import ct2

        device = ct2.resolve_device(settings.device)
        return ResolvedSettings(
            backend, device, ct2.resolve_compute_type(settings.compute_type, device)
        )
    from translate.backends.hf import pick_torch_device

    device = pick_torch_device(settings.device)
    return ResolvedSettings(backend, device, "float16" if device == "cuda" else "float32")


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
    "Backend",
    "BackendSettings",
    "DecodingOptions",
    "ResolvedDecoding",
    "ResolvedSettings",
    "choose_backend",
    "load_backend",
    "register_backend",
    "resolve_settings",
]
