"""Backends: one name → implementation table, imported on first use.

Importing this package imports neither torch nor ctranslate2.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from translate.backends.base import Backend, BackendSettings, DecodingOptions, ResolvedDecoding
from translate.errors import ModelLoadError, UnknownNameError
from translate.models import ResolvedModel

# name → implementation ("module:Class"), imported on first use: the table feeds
# --backend's choices and the "unknown backend" error.
IMPLEMENTATIONS = {
    "ctranslate2": "translate.backends.ct2:CTranslate2Backend",
    "transformers": "translate.backends.hf:TransformersBackend",
}
BACKENDS = ("auto", *IMPLEMENTATIONS)


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
    "choose_backend",
    "load_backend",
]
