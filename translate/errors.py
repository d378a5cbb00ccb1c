"""Typed exceptions raised by the library.

The library never prints or exits; the CLI turns these into one-line messages
and exit codes at its boundary.
"""

from __future__ import annotations


class Vi2enError(Exception):
    """Base class of every error the library raises on purpose."""


class InputError(Vi2enError):
    """An input cannot be read (missing, undecodable, malformed).

    Attributes:
        source: The file (or ``-`` for stdin) the problem is in.
    """

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.reason = message


class ModelLoadError(Vi2enError):
    """A model or its tokenizer cannot be found, downloaded or loaded."""


class UnsupportedModelError(ModelLoadError):
    """A model's ``config.json`` names no ``model_type`` vi2en has a family for.

    Attributes:
        model: The model (its name or directory).
        model_type: The ``model_type`` it names (``None`` when it names none).
        supported: The model types vi2en supports.
    """

    def __init__(
        self, model: str, model_type: str | None, supported: list[str], why: str | None = None
    ) -> None:
        why = why or f"its model_type {model_type!r} is not a model family vi2en knows"
        super().__init__(
            f"cannot load model {model!r}: {why}; supported model types: {', '.join(supported)}"
        )
        self.model = model
        self.model_type = model_type
        self.supported = supported


class BackendError(Vi2enError):
    """A backend failed while translating a batch."""


class OutputError(Vi2enError):
    """An output cannot be written (unwritable directory, full disk)."""


class CacheError(Vi2enError):
    """A cache vi2en keeps (the translation memory) is damaged, locked or unusable.

    Attributes:
        path: The cache file.
    """

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path


class ConfigMismatchError(Vi2enError):
    """An output directory holds a run made with other settings."""


class UnknownNameError(Vi2enError):
    """A name is not in a plug-in table (format, backend, reader)."""

    def __init__(self, kind: str, name: str, choices: list[str]) -> None:
        super().__init__(f"unknown {kind} {name!r}; choose one of: {', '.join(sorted(choices))}")
        self.kind = kind
        self.name = name
        self.choices = sorted(choices)


class Interrupted(Vi2enError):
    """A run was asked to stop (SIGINT or SIGTERM) and stopped after a batch.

    Attributes:
        signal_number: The signal that asked for the stop.
    """

    def __init__(self, signal_number: int) -> None:
        super().__init__(f"interrupted by signal {signal_number}")
        self.signal_number = signal_number


class InputOverwriteError(Vi2enError):
    """An output of the run would replace or delete one of its input files (a usage error)."""


class OutputDirLockedError(Vi2enError):
    """Another vi2en run holds the output directory."""
