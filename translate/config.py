"""One description of a pipeline: everything that shapes its output, frozen and picklable.

A :class:`PipelineConfig` is what the CLI makes of its options, what ``vi2en
bench`` gives each of its systems and what a distributed worker receives;
:func:`translate.build_pipeline` turns it into a :class:`~translate.Pipeline`.
Its canonical JSON (:meth:`PipelineConfig.to_json`) round-trips; two views of
it are the run's signature: :meth:`PipelineConfig.settings` is the record a
run's manifest holds and a resumed run must match, and
:meth:`PipelineConfig.memory_namespace` is the part of it that shapes each
translation, the translation memory's key.

Example:
    >>> from translate import PipelineConfig
    >>> config = PipelineConfig(model="models/tiny-vi-en")  # doctest: +SKIP
    >>> PipelineConfig.from_json(config.to_json()) == config  # doctest: +SKIP
    True
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import translate.segment
import translate.translator
from translate.backends import BackendSettings, DecodingOptions, resolve_settings
from translate.errors import ConfigMismatchError, UnknownNameError
from translate.memory import TranslationMemory
from translate.models import ResolvedModel, default_model_name, resolve_model
from translate.qa import CHECKS, QA_VERSION
from translate.readers import ReadOptions

#: The layout of :meth:`PipelineConfig.to_json` and :meth:`PipelineConfig.settings`.
#: Bump it when either changes meaning, so that a run made with another layout is
#: refused on resume instead of mixed with this one.
CONFIG_VERSION = 1


def _segmenter_version() -> str:
    # Read when a config is made, not when this module is imported.
    return translate.segment.SEGMENTER_VERSION


def _preprocess_version() -> str:
    return translate.translator.PREPROCESS_VERSION


def all_checks() -> tuple[str, ...]:
    """Every QA check of :data:`translate.qa.CHECKS`, in table order: the default of ``qa``."""
    return tuple(CHECKS)


def _normalise_model(name: str) -> str:
    """A local directory as its resolved absolute path; a hub id as it is."""
    local = Path(name).expanduser()
    return str(local.resolve()) if local.is_dir() else name


@dataclass(frozen=True)
class PipelineConfig:
    """Everything that shapes a pipeline's output, as plain values.

    Made from how a user names things and normalised at once: a model directory
    becomes its absolute path (``models/tiny-vi-en`` and ``./models/tiny-vi-en/``
    make equal configs), the default model is named, abbreviations are sorted.
    :meth:`resolved` adds what needs the disk: the model's fingerprint and
    revision, and what ``auto`` backend settings stand for on this machine.

    Attributes:
        model: Hub id or absolute model directory (``None``: ``$VI2EN_MODEL``
            or opus-mt-vi-en).
        model_name: How the model was named, for display (the manifest, the
            TMX header); not part of the config's identity.
        model_revision: The hub commit (hub models, once resolved).
        model_fingerprint: The model's fingerprint, once resolved.
        backend: Which backend, device, precision and threads.
        decoding: Decoding options; ``None`` values mean the model's defaults.
        max_batch_tokens: Token budget of one batch; ``None``: the backend's.
        max_batch_size: Sentences in one batch at most; ``None``: the backend's.
        window_sentences: Sentences translated together (bounds memory).
        abbreviations: Extra abbreviations that never end a sentence.
        segmenter_version: The segmentation rules' version.
        reader: How inputs are read.
        memory: The translation memory file; ``None`` disables the memory.
        preprocess_version: The version of the text cleaning before the model.
        qa: The QA checks run on every pair (:data:`translate.qa.CHECKS`
            names, kept in table order); empty: none. Default: all.
        version: The config's layout (:data:`CONFIG_VERSION`).
    """

    model: str | None = None
    model_name: str | None = field(default=None, compare=False)
    model_revision: str | None = None
    model_fingerprint: str | None = None
    backend: BackendSettings = field(default_factory=BackendSettings)
    decoding: DecodingOptions = field(default_factory=DecodingOptions)
    max_batch_tokens: int | None = None
    max_batch_size: int | None = None
    window_sentences: int = 4096
    abbreviations: tuple[str, ...] = ()
    segmenter_version: str = field(default_factory=_segmenter_version)
    reader: ReadOptions = field(default_factory=ReadOptions)
    memory: str | None = None
    preprocess_version: str = field(default_factory=_preprocess_version)
    qa: tuple[str, ...] = field(default_factory=all_checks)
    version: int = CONFIG_VERSION

    def __post_init__(self) -> None:
        name = self.model or default_model_name()
        # Frozen: the normalised values are set the way dataclasses set fields.
        object.__setattr__(self, "model", _normalise_model(name))
        object.__setattr__(self, "model_name", self.model_name or name)
        object.__setattr__(self, "abbreviations", tuple(sorted(self.abbreviations)))
        unknown = sorted(set(self.qa) - set(CHECKS))
        if unknown:
            raise UnknownNameError("QA check", unknown[0], list(CHECKS))
        object.__setattr__(self, "qa", tuple(name for name in CHECKS if name in self.qa))
        if self.memory is not None:
            # As given (a path-like becomes a string): error messages name it as the user did.
            object.__setattr__(self, "memory", os.fspath(self.memory))

    @property
    def is_resolved(self) -> bool:
        """Whether :meth:`resolved` filled in the model's fingerprint."""
        return self.model_fingerprint is not None

    def resolved(self) -> PipelineConfig:
        """This config with the model found (fingerprint, revision) and ``auto`` settings resolved.

        A hub model missing from the cache is downloaded; nothing is loaded.

        Raises:
            ModelLoadError: The model cannot be found.
            UnknownNameError: The backend is not a backend name.
        """
        model = self.find_model()
        settings = resolve_settings(self.backend, model)
        backend = BackendSettings(
            backend=settings.backend,
            device=settings.device,
            compute_type=settings.compute_type,
            threads=self.backend.threads,
        )
        return dataclasses.replace(
            self,
            model_revision=model.revision,
            model_fingerprint=model.fingerprint,
            backend=backend,
        )

    def find_model(self) -> ResolvedModel:
        """The model on disk; for a resolved config, checked against its fingerprint.

        Raises:
            ModelLoadError: The model cannot be found.
            ConfigMismatchError: The model changed since the config was resolved.
        """
        assert self.model is not None
        model = resolve_model(self.model, revision=self.model_revision)
        if self.model_fingerprint is not None and model.fingerprint != self.model_fingerprint:
            raise ConfigMismatchError(
                f"model {self.model_name!r} has changed since this config was resolved "
                f"(fingerprint {model.fingerprint}, config {self.model_fingerprint}); "
                "resolve the config again"
            )
        return model

    def model_reference(self) -> str | ResolvedModel:
        """What a :class:`~translate.Translator` is given: the resolved model, or its name.

        A resolved config names its model fully (no directory is hashed again);
        an unresolved one leaves the translator to find it on first use.
        """
        assert self.model is not None
        if self.model_fingerprint is None:
            return self.model
        if self.model_revision is None:
            return ResolvedModel(self.model, Path(self.model), None, self.model_fingerprint)
        return self.find_model()

    def build_translator(
        self, memory: TranslationMemory | None = None
    ) -> translate.translator.Translator:
        """A translator for this config (the model is loaded on first use)."""
        return translate.translator.Translator(
            self.model_reference(),
            settings=self.backend,
            decoding=self.decoding,
            memory=memory,
            max_batch_tokens=self.max_batch_tokens,
            max_batch_size=self.max_batch_size,
        )

    def memory_namespace(self) -> dict[str, Any]:
        """What shapes each translation: the translation memory's key, as plain JSON values.

        The model's fingerprint, the resolved backend, device and precision,
        the decoding options with the model's defaults filled in, and the
        preprocessing version; never reader or segmentation options, which
        change which sentences there are, not how one is translated. It is
        :meth:`Translator.configuration` of this config's translator: one
        definition for both.
        """
        return self.build_translator().configuration()

    def settings(self) -> dict[str, Any]:
        """The record a run's manifest holds and a resumed run must match.

        The memory namespace, the reader options, the abbreviations, the
        segmenter's version, the QA checks (``qa``) and their behaviour's
        version (``qa_version``), and the config's layout version. The job reads
        a run recorded before ``qa`` existed as one that chose the default,
        every check, and one before ``qa_version`` as one of this version.
        """
        return {
            **self.memory_namespace(),
            "reader": dataclasses.asdict(self.reader),
            "abbreviations": list(self.abbreviations),
            "segmenter": self.segmenter_version,
            "qa": list(self.qa),
            "qa_version": QA_VERSION,
            "config_version": self.version,
        }

    def as_dict(self) -> dict[str, Any]:
        """Every field as plain JSON values (nested records as objects)."""
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def to_json(self) -> str:
        """The canonical JSON: sorted keys, no spaces, plain values only."""
        return json.dumps(self.as_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> PipelineConfig:
        """The config :meth:`to_json` wrote.

        Raises:
            ConfigMismatchError: The text is no vi2en pipeline config, or one of
                another layout version.
        """
        try:
            data = json.loads(text)
            version = data.get("version")
            if version != CONFIG_VERSION:
                raise ConfigMismatchError(
                    f"the pipeline config has layout version {version!r}, this vi2en reads "
                    f"{CONFIG_VERSION}; make the config again with this vi2en"
                )
            nested: dict[str, Any] = {
                "backend": BackendSettings(**data.pop("backend")),
                "decoding": DecodingOptions(**data.pop("decoding")),
                "reader": ReadOptions(**data.pop("reader")),
                "abbreviations": tuple(data.pop("abbreviations")),
                # A config of before QA (no "qa") ran every check.
                "qa": tuple(data.pop("qa", all_checks())),
            }
            return cls(**data, **nested)
        except ConfigMismatchError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise ConfigMismatchError(
                f"not a vi2en pipeline config ({type(exc).__name__}: {exc}); "
                "make it with PipelineConfig.to_json"
            ) from exc

    def check_versions(self) -> None:
        """Refuse a config whose versions this vi2en does not implement.

        A config made by another vi2en (a distributed worker's config comes from
        the driver) would otherwise be built into a pipeline that does something
        else under the same name.

        Raises:
            ConfigMismatchError: The layout, segmenter or preprocessing version differs.
        """
        expected = {
            "version": CONFIG_VERSION,
            "segmenter_version": translate.segment.SEGMENTER_VERSION,
            "preprocess_version": translate.translator.PREPROCESS_VERSION,
        }
        for name, value in expected.items():
            if getattr(self, name) != value:
                raise ConfigMismatchError(
                    f"the pipeline config has {name} {getattr(self, name)!r} but this vi2en "
                    f"implements {value!r}; make the config again with this vi2en"
                )


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, tuple):
        return list(value)
    return value
