"""Model families: what differs between seq2seq checkpoints besides their weights.

One row per family, keyed by the ``model_type`` of the model's ``config.json``
(as CTranslate2's converter registers one loader per model type), and, where
several families share a model type (NLLB-200 and M2M100 are both ``m2m_100``),
by the ``tokenizer_class`` its tokenizer files name: how to build
its tokenizer, what goes around the source text, how the target language is
forced, what to strip from the outputs, which decoding defaults to pin, and how
long an input may be. The backends implement each of these once, generically;
a new family is a new row, not a new branch in the backends.

This module is plain data: it imports neither a framework nor the backends.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from translate.errors import UnsupportedModelError

# How the target language is forced in the transformers backend:
#   none           nothing to force (one target language, or a text prefix does it);
#   forced_bos     generate with ``forced_bos_token_id`` = the target token (NLLB, M2M100);
#   decoder_start  generate with ``decoder_start_token_id`` = the target token (mBART).
# CTranslate2 forces either one with ``target_prefix=[[target_token]]``.
# The forced token is never part of the translation: both backends drop it.
TargetForcing = Literal["none", "forced_bos", "decoder_start"]
TARGET_FORCINGS: tuple[TargetForcing, ...] = ("none", "forced_bos", "decoder_start")

# The input limit of a model whose config says nothing (and the cap vi2en has always used).
DEFAULT_MAX_INPUT_TOKENS = 512


@dataclass(frozen=True, slots=True)
class ModelFamily:
    """One row of the family table.

    Attributes:
        name: The family's name, for messages (``marian``).
        model_types: The ``config.json`` ``model_type`` values it stands for.
        tokenizer: The tokenizer class, as ``"module:Class"`` (imported on first
            use); it is built as ``Class(model_dir)``, or
            ``Class(model_dir, source_language=...)`` when the family has one.
        source_language: The tokenizer's source-language setting (``src_lang``,
            e.g. ``vie_Latn``), for tokenizers that place a language token.
        source_token: The token that setting puts in every source, when it is
            not ``source_language`` itself (M2M100: ``vi`` puts ``__vi__``).
        tokenizer_classes: The ``tokenizer_class`` values (tokenizer_config.json,
            else config.json) that select this row among the rows of its model
            type; empty for a row chosen by ``model_type`` alone.
        source_prefix: Text put before every source sentence (``>>eng<< ``, ``vi: ``).
        prefix_tokens: Tokens of ``source_prefix`` the tokenizer must keep whole
            (``>>eng<<``, ``<2en>``): language tokens, checked like the others; for
            a row that shares its ``model_type`` the first is the marker that
            selects the row (:func:`variant_for`).
        source_suffix: Text put after every source sentence.
        target_forcing: How the transformers backend forces ``target_token``
            (see :data:`TargetForcing`); CTranslate2 uses ``target_prefix``.
        target_token: The target-language token (``eng_Latn``, ``__en__``).
        strip_tokens: Tokens dropped from the start of every output (language
            tokens a tokenizer does not treat as special).
        strip_prefix: Text dropped from the start of every output (``en: ``).
        beams: Beam size that replaces the model files' ``num_beams`` (upstream
            defaults are often greedy); ``None`` keeps the files' value.
        max_length: Target-length cap that replaces the files' ``max_length``;
            ``None`` keeps the files' value.
        max_input_tokens: A cap on source tokens below the config's
            ``max_position_embeddings`` (relative positions have no such entry).
        ctranslate2: Whether CTranslate2's ``TransformersConverter`` converts it.
    """

    name: str
    model_types: tuple[str, ...]
    tokenizer: str
    source_language: str | None = None
    source_token: str | None = None
    tokenizer_classes: tuple[str, ...] = ()
    source_prefix: str = ""
    prefix_tokens: tuple[str, ...] = ()
    source_suffix: str = ""
    target_forcing: TargetForcing = "none"
    target_token: str | None = None
    strip_tokens: tuple[str, ...] = ()
    strip_prefix: str = ""
    beams: int | None = None
    max_length: int | None = None
    max_input_tokens: int | None = None
    ctranslate2: bool = True

    def __post_init__(self) -> None:
        if not self.model_types:
            raise ValueError(f"family {self.name!r} names no model type")
        if ":" not in self.tokenizer:
            raise ValueError(f"family {self.name!r}: tokenizer must be 'module:Class'")
        if self.target_forcing not in TARGET_FORCINGS:
            raise ValueError(
                f"family {self.name!r}: unknown target forcing {self.target_forcing!r}; "
                f"choose one of: {', '.join(TARGET_FORCINGS)}"
            )
        if (self.target_forcing == "none") != (self.target_token is None):
            raise ValueError(
                f"family {self.name!r}: a target token needs a target forcing, and the reverse"
            )
        if self.source_token is not None and self.source_language is None:
            raise ValueError(f"family {self.name!r}: a source token needs a source language")
        for token in self.prefix_tokens:
            if token not in self.source_prefix.split():
                raise ValueError(
                    f"family {self.name!r}: prefix token {token!r} is not in the prefix"
                )

    @property
    def source_language_token(self) -> str | None:
        """The language token the tokenizer puts in every source (``None``: it puts none)."""
        return self.source_token or self.source_language

    @property
    def source_tokens(self) -> tuple[str, ...]:
        """The language tokens every encoded source must hold, each as one token."""
        placed = () if self.source_language_token is None else (self.source_language_token,)
        return (*placed, *self.prefix_tokens)

    @property
    def language_tokens(self) -> tuple[str, ...]:
        """Every language token the family needs: each must be one known token of the tokenizer."""
        target = () if self.target_token is None else (self.target_token,)
        return (*self.source_tokens, *target)

    @property
    def target_prefix(self) -> list[str]:
        """The tokens every output starts with by force (CTranslate2's ``target_prefix``)."""
        return [] if self.target_token is None else [self.target_token]

    def source_text(self, text: str) -> str:
        """``text`` as the model expects it: with the family's prefix and suffix."""
        if not (self.source_prefix or self.source_suffix):
            return text
        return f"{self.source_prefix}{text}{self.source_suffix}"

    def strip_output(self, tokens: list[str]) -> list[str]:
        """Output tokens without the forced target token and the leading strip tokens."""
        start = 0
        if self.target_token is not None and tokens[:1] == [self.target_token]:
            start = 1
        while start < len(tokens) and tokens[start] in self.strip_tokens:
            start += 1
        return tokens[start:]

    def output_text(self, text: str) -> str:
        """A detokenised output without the family's text prefix."""
        if self.strip_prefix and text.startswith(self.strip_prefix):
            return text[len(self.strip_prefix) :].lstrip()
        return text

    def decoding_defaults(self, from_files: Mapping[str, int]) -> dict[str, int]:
        """The model files' decoding defaults with the family's pinned values over them."""
        defaults = dict(from_files)
        if self.beams is not None:
            defaults["num_beams"] = self.beams
        if self.max_length is not None:
            defaults["max_length"] = self.max_length
        return defaults

    def input_limit(self, config: Mapping[str, Any]) -> int:
        """The longest source (in tokens, end marker included) the model accepts."""
        limit = int(config.get("max_position_embeddings") or DEFAULT_MAX_INPUT_TOKENS)
        if self.max_input_tokens is not None:
            limit = min(limit, self.max_input_tokens)
        return limit


MARIAN = ModelFamily(
    name="marian",
    model_types=("marian",),
    # SentencePiece read directly: what MarianTokenizer does, without importing torch.
    tokenizer="translate.backends.tokenizers:MarianSentencePiece",
)

# Decoding caps of the fairseq families below. Upstream decodes greedily up to 200
# tokens (generation_config.json), which cuts long news sentences short; the cap
# that follows the input is DecodingOptions.max_length_ratio (3 x source + 10).
_FAIRSEQ_MAX_LENGTH = 512

NLLB = ModelFamily(
    name="nllb",
    model_types=("m2m_100",),
    tokenizer="translate.backends.tokenizers:AutoTokenizerAdapter",
    tokenizer_classes=("NllbTokenizer", "NllbTokenizerFast"),
    # transformers >= 4.38 puts the code first (``vie_Latn … </s>``), as NLLB was trained.
    source_language="vie_Latn",
    target_forcing="forced_bos",
    target_token="eng_Latn",
    beams=4,
    max_length=_FAIRSEQ_MAX_LENGTH,
    # The model card: trained on inputs of at most 512 tokens (the config allows 1024).
    max_input_tokens=512,
)

M2M100 = ModelFamily(
    name="m2m100",
    model_types=("m2m_100",),
    tokenizer="translate.backends.tokenizers:AutoTokenizerAdapter",
    tokenizer_classes=("M2M100Tokenizer",),
    source_language="vi",
    source_token="__vi__",
    target_forcing="forced_bos",
    target_token="__en__",
    beams=5,
    max_length=_FAIRSEQ_MAX_LENGTH,
)

# model_type → family, like CTranslate2's loader registry; the next families are new rows.
FAMILIES: dict[str, ModelFamily] = {}
# model_type → tokenizer_class → family, for the rows a model type alone does not tell apart.
TOKENIZER_FAMILIES: dict[str, dict[str, ModelFamily]] = {}


def register_family(family: ModelFamily) -> ModelFamily:
    """Add ``family`` to the table under each of its model types (a later row replaces one).

    A row with ``tokenizer_classes`` is filed under each (model type, tokenizer
    class) pair; one without is the row of its model types.
    """
    for model_type in family.model_types:
        if family.tokenizer_classes:
            by_class = TOKENIZER_FAMILIES.setdefault(model_type, {})
            by_class.update(dict.fromkeys(family.tokenizer_classes, family))
        else:
            FAMILIES[model_type] = family
    return family


register_family(MARIAN)
register_family(NLLB)
register_family(M2M100)


def supported_model_types() -> list[str]:
    """The ``model_type`` values vi2en can translate with, sorted."""
    return sorted(set(FAMILIES) | set(TOKENIZER_FAMILIES))


def read_model_config(model_dir: Path) -> dict[str, Any]:
    """A model directory's ``config.json``.

    Raises:
        UnsupportedModelError: The file is missing or not a JSON object.
    """
    path = Path(model_dir) / "config.json"
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UnsupportedModelError(
            str(model_dir), None, supported_model_types(), "it has no config.json"
        ) from None
    except (OSError, ValueError) as exc:
        raise UnsupportedModelError(
            str(model_dir), None, supported_model_types(), f"its config.json is unreadable ({exc})"
        ) from exc
    if not isinstance(config, dict):
        raise UnsupportedModelError(
            str(model_dir), None, supported_model_types(), "its config.json is not an object"
        )
    return config


def read_tokenizer_class(model_dir: Path, config: Mapping[str, Any]) -> str | None:
    """The ``tokenizer_class`` a model's files name: tokenizer_config.json's, else config.json's.

    tokenizer_config.json comes first because it is what ``AutoTokenizer`` builds.
    """
    path = Path(model_dir) / "tokenizer_config.json"
    try:
        tokenizer_config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        tokenizer_config = {}
    for source in (tokenizer_config, config):
        value = source.get("tokenizer_class") if isinstance(source, Mapping) else None
        if isinstance(value, str) and value:
            return value
    return None


def family_for(model: Path | str | Mapping[str, Any], *, name: str | None = None) -> ModelFamily:
    """The family of a model directory, or of its parsed ``config.json``.

    The ``model_type`` picks the row; where several rows share it (NLLB-200
    and M2M100 are both ``m2m_100``) the ``tokenizer_class`` decides (see
    :func:`read_tokenizer_class`; a mapping has only config.json's), and a
    model whose files name none of theirs is refused rather than guessed.

    Args:
        model: The model directory, or its config as a mapping.
        name: How to name the model in an error (default: the directory).

    Raises:
        UnsupportedModelError: No config.json, no ``model_type`` in it, a
            ``model_type`` without a row in the table, or a shared
            ``model_type`` with an unknown or missing ``tokenizer_class``.
    """
    if isinstance(model, Mapping):
        config, label = model, name or "the model"
        tokenizer_class = config.get("tokenizer_class")
    else:
        config, label = read_model_config(Path(model)), name or str(model)
        tokenizer_class = read_tokenizer_class(Path(model), config)
    model_type = config.get("model_type")
    if not isinstance(model_type, str) or not model_type:
        raise UnsupportedModelError(
            label, None, supported_model_types(), "its config.json has no model_type"
        )
    by_class = TOKENIZER_FAMILIES.get(model_type, {})
    family = by_class.get(tokenizer_class) if isinstance(tokenizer_class, str) else None
    family = family or FAMILIES.get(model_type)
    if family is not None:
        return variant_for(family, None if isinstance(model, Mapping) else Path(model))
    if by_class:
        known = ", ".join(f"{cls} ({row.name})" for cls, row in sorted(by_class.items()))
        raise UnsupportedModelError(
            label,
            model_type,
            supported_model_types(),
            f"its tokenizer_class {tokenizer_class!r} does not tell which {model_type} family "
            f"it is (known: {known}); set tokenizer_class in its tokenizer_config.json",
        )
    raise UnsupportedModelError(label, model_type, supported_model_types())


# --- mBART-25 (VinAI), T5 with prefixes (envit5, MADLAD), multi-target Marian -------------

MBART_VINAI = register_family(
    ModelFamily(
        name="mbart",
        model_types=("mbart",),
        tokenizer="translate.backends.tokenizers:AutoTokenizerAdapter",
        # MBartTokenizer puts the language code after the end marker: `… </s> vi_VN`.
        source_language="vi_VN",
        # The VinAI config has no decoder_start_token_id: without one transformers decodes
        # from <s>. Its SentencePiece is trimmed, so en_XX's id is read from the tokenizer.
        target_forcing="decoder_start",
        target_token="en_XX",
        beams=5,
        max_length=1024,
        max_input_tokens=1024,
    )
)

# No generation config upstream: transformers would decode 20 tokens greedily. Relative
# positions have no max_position_embeddings, so the input cap is explicit.
ENVIT5 = register_family(
    ModelFamily(
        name="t5-envit5",
        model_types=("t5",),
        tokenizer="translate.backends.tokenizers:AutoTokenizerAdapter",
        source_prefix="vi: ",
        strip_prefix="en:",
        beams=4,
        max_length=512,
        max_input_tokens=512,
    )
)

MADLAD = ModelFamily(
    name="t5-madlad",
    model_types=("t5",),
    tokenizer="translate.backends.tokenizers:AutoTokenizerAdapter",
    source_prefix="<2en> ",
    prefix_tokens=("<2en>",),
    beams=4,
    max_length=512,
    max_input_tokens=512,
)

MARIAN_MULTI = ModelFamily(
    name="marian-multi",
    model_types=("marian",),
    # Splits the leading >>eng<< off as one token, as MarianTokenizer does.
    tokenizer="translate.backends.tokenizers:MarianTargetCode",
    source_prefix=">>eng<< ",
    prefix_tokens=(">>eng<<",),
    max_input_tokens=512,
)

# model_type → rows that share it with the FAMILIES row, each told apart by its marker
# token in the model's vocabulary (the first whose token is there wins).
VARIANTS: dict[str, list[ModelFamily]] = {}


def variant_marker(family: ModelFamily) -> str | None:
    """The token that tells a variant's models apart: its prefix token, else its target token."""
    return family.prefix_tokens[0] if family.prefix_tokens else family.target_token


def register_variant(family: ModelFamily) -> ModelFamily:
    """Add ``family`` as a variant of its model types, chosen by :func:`variant_marker`."""
    if variant_marker(family) is None:
        raise ValueError(f"family {family.name!r}: a variant needs a prefix or target token")
    for model_type in family.model_types:
        VARIANTS.setdefault(model_type, []).append(family)
    return family


register_variant(MADLAD)
register_variant(MARIAN_MULTI)


def variant_for(family: ModelFamily, model_dir: Path | None) -> ModelFamily:
    """The variant of ``family`` whose marker token the model's vocabulary has, else ``family``.

    A parsed config alone (``model_dir`` ``None``) has no vocabulary: ``family`` it is.
    """
    if model_dir is None:
        return family
    for model_type in family.model_types:
        for variant in VARIANTS.get(model_type, ()):
            marker = variant_marker(variant)
            if marker is not None and vocabulary_has(model_dir, marker):
                return variant
    return family


def vocabulary_has(model_dir: Path, token: str) -> bool:
    """Whether a model directory's vocabulary files name ``token``, read without a tokenizer.

    ``vocab.json`` and ``tokenizer.json`` are JSON (the token appears as a quoted string);
    a SentencePiece model stores each piece as a protobuf string (tag, length, bytes).
    """
    quoted = json.dumps(token, ensure_ascii=False)
    for name in ("vocab.json", "tokenizer.json", "added_tokens.json"):
        path = model_dir / name
        if path.is_file() and quoted in path.read_text(encoding="utf-8", errors="replace"):
            return True
    piece = token.encode("utf-8")
    framed = b"\x0a" + bytes([len(piece)]) + piece if len(piece) < 128 else piece
    for path in (*model_dir.glob("*.model"), *model_dir.glob("*.spm")):
        if path.is_file() and framed in path.read_bytes():
            return True
    return False


def all_families() -> list[ModelFamily]:
    """Every row of the table, those chosen by tokenizer class and the variants included."""
    rows = [
        *FAMILIES.values(),
        *(row for by_class in TOKENIZER_FAMILIES.values() for row in by_class.values()),
        *(row for variants in VARIANTS.values() for row in variants),
    ]
    return list(dict.fromkeys(rows))
