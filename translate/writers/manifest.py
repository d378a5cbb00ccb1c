"""The run's ``manifest.json``: what the job records about a published set of outputs."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from translate.fileio import atomic_write


def write_manifest(path: Path, manifest: Mapping[str, object]) -> None:
    """Write the run's manifest atomically as JSON (indent 2, sorted keys)."""
    with atomic_write(path) as out:
        out.write(json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
