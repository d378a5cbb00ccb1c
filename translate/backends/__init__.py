"""Backends: one name → implementation table, imported on first use.

Importing this package imports neither torch nor ctranslate2.
"""

from __future__ import annotations

from dataclasses import dataclass

from translate.backends.base import Backend, DecodingOptions, ResolvedDecoding
from translate.errors import ModelLoadError, UnknownNameError
from translate.models import ResolvedModel

BACKENDS = ("auto", "ctranslate2", "transformers")


@dataclass(frozen=True, slots=True)
class BackendSettings:
    """How to load a backend.

    Attributes:
        backend: ``auto`` (CTranslate2 when installed and able to run the model,
            else transformers), ``ctranslate2`` or ``transformers``.
        device: ``auto``, ``cpu`` or ``cuda``.
        compute_type: CTranslate2 compute type (``auto``, ``int8``, ...).
        threads: CPU cores to use; ``None`` = all this process may use.
    """

    backend: str = "auto"
    device: str = "auto"
    compute_type: str = "auto"
    threads: int | None = None


def choose_backend(name: str, model: ResolvedModel) -> str:
    """The concrete backend ``name`` stands for with this model."""
    if name not in BACKENDS:
        raise UnknownNameError("backend", name, list(BACKENDS))
    if name != "auto":
        return name
    from translate.backends import ct2

    return "ctranslate2" if ct2.is_available() and ct2.supports(model) else "transformers"


def load_backend(model: ResolvedModel, settings: BackendSettings) -> Backend:
    """Load ``model`` into the backend ``settings`` asks for.

    Raises:
        ModelLoadError: The backend is not installed or cannot load the model.
        UnknownNameError: ``settings.backend`` is not a backend name.
    """
    name = choose_backend(settings.backend, model)
    if name == "ctranslate2":
        from translate.backends import ct2

        if not ct2.is_available():
            raise ModelLoadError(
                "the ctranslate2 backend needs the ctranslate2 package: pip install 'vi2en[fast]'"
            )
        return ct2.CTranslate2Backend(
            model,
            device=settings.device,
            compute_type=settings.compute_type,
            threads=settings.threads,
        )
    from translate.backends.hf import TransformersBackend

    return TransformersBackend(model.path, device=settings.device, threads=settings.threads)


__all__ = [
    "BACKENDS",
    "Backend",
    "BackendSettings",
    "DecodingOptions",
    "ResolvedDecoding",
    "choose_backend",
    "load_backend",
]
