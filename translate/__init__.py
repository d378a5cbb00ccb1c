"""vi2en: Vietnamese→English translation of news, with bilingual outputs.

The stages, one module each: :mod:`translate.readers` → :mod:`translate.segment`
→ :mod:`translate.translator` (on a backend from :mod:`translate.backends`) →
:mod:`translate.pipeline` (alignment) → :mod:`translate.writers`;
:mod:`translate.job` runs them resumably over a corpus, :mod:`translate.cli`
is the ``vi2en`` command. A :class:`PipelineConfig` describes a pipeline,
:func:`build_pipeline` builds it.

Importing this package loads neither torch, transformers nor ctranslate2; the
model is loaded on the first sentence that needs it.

Example:
    >>> import translate
    >>> translate.translate_text("Hà Nội là thủ đô của Việt Nam.")  # doctest: +SKIP
    'Hanoi is the capital of Vietnam.'
"""

from __future__ import annotations

import logging

from translate import _dist
from translate.backends import BackendSettings, DecodingOptions
from translate.config import PipelineConfig
from translate.errors import (
    BackendError,
    ConfigMismatchError,
    InputError,
    Interrupted,
    ModelLoadError,
    OutputError,
    UnknownNameError,
    Vi2enError,
)
from translate.models import DEFAULT_MODEL, download_model, resolve_model
from translate.pipeline import Pipeline, build_pipeline
from translate.records import (
    AlignedSegment,
    Document,
    DocumentFailure,
    Pair,
    Sentence,
    Span,
    TranslatedDocument,
)
from translate.segment import Segmenter, split_sentences
from translate.translator import Translator

# One source for the version: the installed distribution's metadata (see translate._dist).
__version__ = _dist.installation().version
_dist.warn_on_import()

# A library logs but never prints: without a handler set up by the application,
# its warnings go nowhere (the CLI sets one up).
logging.getLogger(__name__).addHandler(logging.NullHandler())


def translate_text(
    text: str,
    model: str | None = None,
    *,
    backend: str = "auto",
    device: str = "auto",
    beams: int | None = None,
) -> str:
    """Translate Vietnamese text into English, keeping its paragraphs (one per line).

    Args:
        text: Vietnamese text; each non-empty line is a paragraph.
        model: Hub id or local model directory (default: ``$VI2EN_MODEL`` or
            Helsinki-NLP/opus-mt-vi-en).
        backend: ``auto``, ``ctranslate2`` or ``transformers``.
        device: ``auto``, ``cpu`` or ``cuda``.
        beams: Beam size; ``None`` uses the model's default.

    Returns:
        The English text, one line per input paragraph.

    Raises:
        ModelLoadError: The model cannot be found or loaded.
    """
    from translate.readers import read_text

    config = PipelineConfig(
        model=model,
        backend=BackendSettings(backend=backend, device=device),
        decoding=DecodingOptions(beams=beams),
    )
    pipeline = build_pipeline(config)
    return pipeline.translate_document(read_text(text)).translated_text().rstrip("\n")


__all__ = [
    "DEFAULT_MODEL",
    "AlignedSegment",
    "BackendError",
    "BackendSettings",
    "ConfigMismatchError",
    "DecodingOptions",
    "Document",
    "DocumentFailure",
    "InputError",
    "Interrupted",
    "ModelLoadError",
    "OutputError",
    "Pair",
    "Pipeline",
    "PipelineConfig",
    "Segmenter",
    "Sentence",
    "Span",
    "TranslatedDocument",
    "Translator",
    "UnknownNameError",
    "Vi2enError",
    "__version__",
    "build_pipeline",
    "download_model",
    "resolve_model",
    "split_sentences",
    "translate_text",
]
