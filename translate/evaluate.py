"""Score translations against references: BLEU, chrF and TER from sacrebleu, COMET optionally.

The numbers are sacrebleu's own (its metric classes with their default
options, the ones the ``sacrebleu`` command uses), printed with its signature,
so that ``vi2en evaluate HYP --ref REF`` and ``sacrebleu REF -i HYP -m bleu chrf
ter`` agree on the same files. Files are read as the ``sacrebleu`` command reads
them: one segment per line, only LF ends a line, trailing whitespace is
stripped; in addition a byte-order mark is tolerated and the text is normalised
to NFC (a reference in decomposed Unicode would otherwise miss every accented
match). The hypotheses may also be a vi2en output folder or its
``corpus.jsonl``: their targets, in corpus order, read back by the writers.

sacrebleu is imported only when a score is computed (``vi2en[eval]``), COMET
(``vi2en[comet]``, ``unbabel-comet``) only when it is asked for.
"""

from __future__ import annotations

import hashlib
import json
import os
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translate.errors import InputError, ModelLoadError, UnknownNameError, Vi2enError
from translate.layout import CORPUS_STEM, MANIFEST_FILE
from translate.readers.decoding import decode, open_input
from translate.text import LINE_SEPARATORS

__all__ = [
    "COMET_MODEL",
    "METRICS",
    "Hypotheses",
    "Score",
    "check_installed",
    "check_line_counts",
    "compute_scores",
    "one_line",
    "parse_metrics",
    "read_hypotheses",
    "read_segments",
    "translate_lines",
]

#: The COMET model ``--metrics comet`` uses unless told otherwise (reference-based, 2022).
COMET_MODEL = "Unbabel/wmt22-comet-da"
#: Metric name (as ``--metrics`` takes it) → sacrebleu's metric class (``None``: COMET).
METRICS: dict[str, str | None] = {"bleu": "BLEU", "chrf": "CHRF", "ter": "TER", "comet": None}
#: The corpus formats whose read-back gives the targets, in order of preference.
_CORPUS_FORMATS = ("jsonl", "tsv", "moses")


@dataclass(frozen=True)
class Score:
    """One metric's corpus score, as sacrebleu reports it.

    Attributes:
        metric: The name ``--metrics`` takes (``bleu``).
        name: The score's name (``BLEU``, ``chrF2``, ``TER``, ``COMET``).
        score: The score (BLEU, chrF, TER: 0–100; COMET: about 0–1).
        signature: What produced it (``nrefs:1|case:mixed|…|version:2.4.3``).
        verbose: BLEU's n-gram precisions and brevity penalty; empty otherwise.
        decimals: Decimals shown by default (COMET's scale needs more).
    """

    metric: str
    name: str
    score: float
    signature: str
    verbose: str = ""
    decimals: int = 1

    def format(self, width: int | None = None) -> str:
        """The line sacrebleu prints for this score (``BLEU|nrefs:1|… = 35.8 86.7/…``)."""
        line = f"{self.name}|{self.signature} = {self.score:.{self._width(width)}f}"
        return f"{line} {self.verbose}" if self.verbose else line

    def as_dict(self, width: int | None = None) -> dict[str, Any]:
        """The score as sacrebleu's ``--format json`` writes it, with ``metric`` added."""
        record: dict[str, Any] = {
            "metric": self.metric,
            "name": self.name,
            "score": float(f"{self.score:.{self._width(width)}f}"),
            "signature": self.signature,
        }
        if self.verbose:
            record["verbose_score"] = self.verbose
        return record

    def _width(self, width: int | None) -> int:
        return self.decimals if width is None else width


@dataclass(frozen=True)
class Hypotheses:
    """The segments to score and where they come from.

    Attributes:
        segments: One hypothesis per segment, in order.
        sources: The source of each segment when the input holds it (a corpus), else ``None``.
        path: The file the segments were read from (the corpus file of an OUTDIR).
        manifest: The OUTDIR's ``manifest.json`` (its ``model`` and ``settings``), or ``None``.
    """

    segments: list[str]
    sources: list[str] | None
    path: Path
    manifest: dict[str, Any] | None = None


def parse_metrics(values: Sequence[str]) -> list[str]:
    """Parse ``--metrics``: comma-separated names, the option repeatable, repeats dropped.

    Raises:
        UnknownNameError: A name is not in :data:`METRICS`.
    """
    metrics: list[str] = []
    for value in values:
        for item in value.split(","):
            name = item.strip().lower()
            if not name:
                continue
            if name not in METRICS:
                raise UnknownNameError("metric", item.strip(), list(METRICS))
            if name not in metrics:
                metrics.append(name)
    if not metrics:
        raise UnknownNameError("metric", ",".join(values), list(METRICS))
    return metrics


def one_line(text: str) -> str:
    """A segment as a line of a hypothesis file holds it: line breaks as spaces, NFC, rstripped.

    What :func:`read_segments` makes of a line, so that a translation scored at
    once and the same translation written and read back score the same.
    """
    return unicodedata.normalize("NFC", LINE_SEPARATORS.sub(" ", text)).rstrip()


def read_segments(path: Path, encoding: str | None = None) -> list[str]:
    """The segments of a text file, one per line, read the way the ``sacrebleu`` command reads.

    Only LF ends a line (a CR or U+2028 inside a line stays in it), a final
    LF ends the last line rather than starting an empty one, and trailing
    whitespace (CR included) is stripped. A byte-order mark is dropped and the
    text normalised to NFC.

    Args:
        path: The file.
        encoding: A codec name; ``None`` reads UTF-8 (UTF-16/32 detected by their BOM).

    Raises:
        InputError: The file cannot be read, is binary, undecodable or empty.
    """
    source = str(path)
    with open_input(path, source) as file:
        try:
            data = file.read()
        except OSError as exc:
            raise InputError(source, f"cannot read the file: {exc.strerror or exc}") from exc
    text = decode(data, source, encoding)
    if not text:
        raise InputError(source, "the file is empty; give one segment per line")
    lines = text.removesuffix("\n").split("\n")
    return [unicodedata.normalize("NFC", line).rstrip() for line in lines]


def read_hypotheses(path: Path, encoding: str | None = None) -> Hypotheses:
    """The hypotheses in ``path``: a text file, a vi2en OUTDIR, or a ``corpus.jsonl``.

    An OUTDIR gives the targets of its corpus (the first of its formats that
    stores them: jsonl, tsv, moses), in corpus order, once the corpus file is
    checked against ``manifest.json`` (size and SHA-256: a complete set).

    Raises:
        InputError: A folder that is no complete vi2en output, a corpus that does
            not read back, or a text file that :func:`read_segments` refuses.
    """
    if path.is_dir():
        return _read_outdir(path)
    if path.suffix == ".jsonl":
        return _read_corpus(path, "jsonl", None)
    return Hypotheses(read_segments(path, encoding), None, path)


def _read_outdir(outdir: Path) -> Hypotheses:
    manifest_path = outdir / MANIFEST_FILE
    if not manifest_path.is_file():
        raise InputError(
            str(outdir),
            f"not a finished vi2en output folder (no {MANIFEST_FILE}); pass the OUTDIR of a "
            "finished `vi2en translate -o` run (run it again to finish it) or a text file "
            "with one hypothesis per line",
        )
    try:
        manifest = json.loads(manifest_path.read_text("utf-8"))
        formats = list(manifest["formats"])
        listed = {entry["path"]: entry for entry in manifest["files"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(
            str(manifest_path),
            "damaged manifest (not the JSON a vi2en run writes); run the translate command again",
        ) from exc
    chosen = next((name for name in _CORPUS_FORMATS if name in formats), None)
    if chosen is None:
        raise InputError(
            str(outdir),
            f"the run wrote no corpus with targets (formats: {', '.join(formats) or 'none'}); "
            "translate again with -f jsonl (or tsv, moses)",
        )
    names = {"jsonl": [".jsonl"], "tsv": [".tsv"], "moses": [".vi", ".en", ".ids"]}[chosen]
    for name in (CORPUS_STEM + suffix for suffix in names):
        _check_listed(outdir, name, listed.get(name))
    return _read_corpus(outdir / (CORPUS_STEM + names[0]), chosen, manifest)


def _check_listed(outdir: Path, name: str, entry: dict[str, Any] | None) -> None:
    """A corpus file is the run's only if it has the size and SHA-256 the manifest lists."""
    path = outdir / name
    if entry is None:
        raise InputError(
            str(path), f"not listed in {MANIFEST_FILE}; run the translate command again"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(
            str(path),
            f"cannot read the corpus file ({exc.strerror or exc}); run the translate command again",
        ) from exc
    if len(data) != entry.get("size") or hashlib.sha256(data).hexdigest() != entry.get("sha256"):
        raise InputError(
            str(path),
            f"does not match {MANIFEST_FILE} (edited, or from an unfinished run); "
            "run the translate command again",
        )


def _read_corpus(path: Path, kind: str, manifest: dict[str, Any] | None) -> Hypotheses:
    from translate.writers import read_jsonl, read_moses, read_tsv

    readers: dict[str, Callable[[Path], list[Any]]] = {
        "jsonl": read_jsonl,
        "tsv": read_tsv,
        "moses": lambda p: read_moses(p.with_suffix("")),
    }
    try:
        segments = readers[kind](path)
    except FileNotFoundError as exc:
        raise InputError(str(path), "no such file") from exc
    except (OSError, UnicodeDecodeError, ValueError, TypeError) as exc:
        what = "a corpus.jsonl that vi2en wrote" if kind == "jsonl" else f"a vi2en {kind} corpus"
        first = next(iter(str(exc).splitlines()), type(exc).__name__)
        raise InputError(
            str(path),
            f"not {what} ({first}); pass a text file with one hypothesis per line instead",
        ) from exc
    if not segments:
        raise InputError(str(path), "the corpus holds no segments; nothing to score")
    return Hypotheses(
        [one_line(s.target) for s in segments],
        [one_line(s.source) for s in segments],
        path,
        manifest,
    )


def check_line_counts(references: dict[Path, list[str]], count: int, against: Path) -> None:
    """Every reference has one line per segment of ``against`` (the hypotheses or the source).

    Raises:
        InputError: A reference has another number of lines (both counts named).
    """
    for path, lines in references.items():
        if len(lines) != count:
            raise InputError(
                str(path),
                f"{len(lines)} lines, but {against} has {count}; give one reference line "
                "per hypothesis, in the same order",
            )


def check_installed(metrics: Sequence[str]) -> None:
    """Fail before any work when a metric's package is missing.

    Raises:
        ModelLoadError: sacrebleu (BLEU, chrF, TER) or unbabel-comet (COMET) is not installed.
    """
    from importlib.util import find_spec

    if any(METRICS[m] is not None for m in metrics) and find_spec("sacrebleu") is None:
        raise ModelLoadError(_missing("vi2en evaluate", "sacrebleu", "eval"))
    if "comet" in metrics and find_spec("comet") is None:
        raise ModelLoadError(_missing("--metrics comet", "unbabel-comet", "comet"))


def _missing(what: str, package: str, extra: str) -> str:
    message = f"{what} needs the {package} package: pip install 'vi2en[{extra}]'"
    if extra == "comet":
        # No unbabel-comet release allows transformers 5 yet: pip then refuses the extra.
        message += (
            " (if pip finds no unbabel-comet that allows transformers 5, score COMET in an "
            "environment of its own: comet-score -s SRC -t HYP -r REF)"
        )
    return message


def compute_scores(
    metrics: Sequence[str],
    hypotheses: Sequence[str],
    references: Sequence[Sequence[str]],
    *,
    sources: Sequence[str] | None = None,
    comet_model: str = COMET_MODEL,
) -> list[Score]:
    """Score ``hypotheses`` against one or more reference streams.

    Args:
        metrics: Names from :data:`METRICS`, in the order the scores are wanted.
        hypotheses: One segment each.
        references: Each a stream of as many segments as ``hypotheses``.
        sources: The source segments (COMET needs them).
        comet_model: The COMET model (a hub id or a local checkpoint).

    Raises:
        ModelLoadError: sacrebleu or COMET is not installed, or COMET's model
            cannot be found or loaded.
        InputError: COMET without sources or with several references.
    """
    scores = []
    for metric in metrics:
        if metric == "comet":
            scores.append(_comet_score(hypotheses, references, sources, comet_model))
        else:
            scores.append(_sacrebleu_score(metric, hypotheses, references))
    return scores


def _sacrebleu_score(
    metric: str, hypotheses: Sequence[str], references: Sequence[Sequence[str]]
) -> Score:
    try:
        from sacrebleu import metrics as sacrebleu_metrics
    except ImportError as exc:
        raise ModelLoadError(_missing("vi2en evaluate", "sacrebleu", "eval")) from exc
    scorer = getattr(sacrebleu_metrics, str(METRICS[metric]))()
    try:
        result = scorer.corpus_score(list(hypotheses), [list(r) for r in references])
    except (RuntimeError, ValueError, EOFError) as exc:
        # sacrebleu checks its inputs with these (counts, empty references in old versions).
        raise InputError("--ref", f"sacrebleu cannot score these files: {exc}") from exc
    return Score(
        metric,
        result.name,
        result.score,
        scorer.get_signature().format(),
        getattr(result, "_verbose", "") or "",
    )


def _comet_score(
    hypotheses: Sequence[str],
    references: Sequence[Sequence[str]],
    sources: Sequence[str] | None,
    model: str,
) -> Score:
    if sources is None:
        raise InputError(
            "--metrics comet",
            "COMET reads the source sentences; pass --src SRC.vi (one line per hypothesis) "
            "or a vi2en OUTDIR",
        )
    if len(references) != 1:
        raise InputError(
            "--metrics comet", f"COMET scores against one reference, not {len(references)}"
        )
    try:
        import comet
    except ImportError as exc:
        raise ModelLoadError(_missing("--metrics comet", "unbabel-comet", "comet")) from exc
    checkpoint = _comet_checkpoint(model)
    try:
        scorer = comet.load_from_checkpoint(str(checkpoint))
        data = [
            {"src": s, "mt": h, "ref": r}
            for s, h, r in zip(sources, hypotheses, references[0], strict=True)
        ]
        output = scorer.predict(data, batch_size=8, gpus=_gpus(), progress_bar=False)
    except Vi2enError:
        raise
    except Exception as exc:
        first = next(iter(str(exc).splitlines()), "")
        raise ModelLoadError(
            f"cannot score with COMET model {model!r} ({type(exc).__name__}: {first}); its "
            "encoder is downloaded from the hub on first use: run once with a network"
            + (" (HF_HUB_OFFLINE=1 is set)" if _offline() else "")
        ) from exc
    return Score(
        "comet",
        "COMET",
        float(output.system_score),
        f"model:{model}|nrefs:1|version:{_version('unbabel-comet')}",
        decimals=4,
    )


def _comet_checkpoint(model: str) -> Path:
    """The checkpoint of a COMET model: a local file, or the hub's, from the cache first."""
    local = Path(model).expanduser()
    if local.is_file():
        return local
    if (local / "checkpoints" / "model.ckpt").is_file():
        return local / "checkpoints" / "model.ckpt"
    from huggingface_hub import snapshot_download

    try:
        try:
            folder = snapshot_download(model, local_files_only=True)
        except Exception:
            if _offline():
                raise
            folder = snapshot_download(model)
    except Exception as exc:
        why = "it is not in the local cache and the hub cannot be reached"
        if not _offline():
            first = next(iter(str(exc).splitlines()), "")
            why = f"download failed ({type(exc).__name__}: {first})"
        raise ModelLoadError(
            f"cannot load COMET model {model!r}: {why}; run once with a network to download "
            "it, or pass --comet-model with a downloaded checkpoint"
            + (" (HF_HUB_OFFLINE=1 is set)" if _offline() else "")
        ) from exc
    return Path(folder) / "checkpoints" / "model.ckpt"


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes", "on"}


def _gpus() -> int:
    import torch

    return 1 if torch.cuda.is_available() else 0


def _version(distribution: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"


def translate_lines(
    pipeline: Any, lines: Sequence[str], window: int, progress: Callable[[int], None] | None = None
) -> list[str]:
    """Translate each line as one sentence (no segmentation, no merging), a window at a time.

    Args:
        pipeline: A :class:`~translate.pipeline.Pipeline` (``build_pipeline(config)``).
        lines: Source segments.
        window: Lines translated together (sorted by length within the window).
        progress: Called with the number of lines done after each window.

    Returns:
        One translation per line, each as :func:`one_line` makes it.
    """
    translations: list[str] = []
    for start in range(0, len(lines), window):
        chunk = lines[start : start + window]
        translations += [one_line(text) for text in pipeline.translate_sentences(chunk)]
        if progress is not None:
            progress(len(chunk))
    return translations
