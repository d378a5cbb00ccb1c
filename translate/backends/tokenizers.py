"""Source tokenisation and target detokenisation shared by the model backends.

Marian checkpoints (``source.spm``, ``target.spm``, ``vocab.json``) are read with
SentencePiece directly: it is what ``MarianTokenizer`` does inside, without
importing transformers and torch, which the CTranslate2 backend never needs.
Other checkpoints go through ``AutoTokenizer``.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from translate.errors import ModelLoadError
from translate.families import ModelFamily, family_for

Tokens = list[str]
_WORD_MARK = "\u2581"  # SentencePiece's word-boundary mark


class Tokenizer(Protocol):
    """What the backends need from a tokenizer."""

    eos_token: str

    def tokenize(self, texts: Sequence[str]) -> list[Tokens]:
        """Source tokens of each text, the end marker included."""
        ...

    def token_ids(self, tokens: Sequence[str]) -> list[int]:
        """Vocabulary ids of source tokens."""
        ...

    def detokenize(self, tokens: Sequence[str]) -> str:
        """Text of target tokens (special tokens dropped)."""
        ...

    def decode_ids(self, ids: Sequence[int]) -> str:
        """Text of target token ids (special tokens dropped)."""
        ...

    def ids_to_tokens(self, ids: Sequence[int]) -> Tokens:
        """Vocabulary tokens of ids."""
        ...


class MarianSentencePiece:
    """Marian's tokenisation: Moses punctuation normalisation, then SentencePiece.

    transformers 5's ``MarianTokenizer`` no longer applies the punctuation
    normalisation opus-mt was trained with (its ``normalize`` exists but is
    never called), so it is applied here.
    """

    def __init__(self, model_dir: Path) -> None:
        import sentencepiece
        from sacremoses import MosesPunctNormalizer

        config = _read_json(model_dir / "tokenizer_config.json")
        self.source = sentencepiece.SentencePieceProcessor(model_file=str(model_dir / "source.spm"))
        self.target = sentencepiece.SentencePieceProcessor(model_file=str(model_dir / "target.spm"))
        self.vocab: dict[str, int] = _read_json(model_dir / "vocab.json")
        self.id_to_token = {index: token for token, index in self.vocab.items()}
        self.eos_token = str(config.get("eos_token", "</s>"))
        self.unk_token = str(config.get("unk_token", "<unk>"))
        self.pad_token = str(config.get("pad_token", "<pad>"))
        self.specials = {self.eos_token, self.unk_token, self.pad_token}
        self.normalize = MosesPunctNormalizer(str(config.get("source_lang") or "vi")).normalize

    def tokenize(self, texts: Sequence[str]) -> list[Tokens]:
        pieces = self.source.encode([self.normalize(t) if t else t for t in texts], out_type=str)
        return [[*p, self.eos_token] for p in pieces]

    def token_ids(self, tokens: Sequence[str]) -> list[int]:
        unk = self.vocab[self.unk_token]
        return [self.vocab.get(t, unk) for t in tokens]

    def detokenize(self, tokens: Sequence[str]) -> str:
        text = str(self.target.decode_pieces([t for t in tokens if t not in self.specials]))
        # Pieces the target model does not know (the vocabulary is shared with the
        # source) come back verbatim, word-boundary marks included.
        if _WORD_MARK in text:
            text = " ".join(text.replace(_WORD_MARK, " ").split())
        return text

    def decode_ids(self, ids: Sequence[int]) -> str:
        return self.detokenize(self.ids_to_tokens(ids))

    def ids_to_tokens(self, ids: Sequence[int]) -> Tokens:
        return [self.id_to_token.get(i, self.unk_token) for i in ids]


class UnknownSourceLanguage(LookupError):
    """A tokenizer refuses a ``src_lang`` it has no language token for (M2M100's ``KeyError``)."""


# A multi-target Marian model's target-language code at the start of a source: `>>eng<< `.
_TARGET_CODE = re.compile(r"(>>[^\s<>]+<<)\s*")


class MarianTargetCode(MarianSentencePiece):
    """Multi-target Marian: a leading ``>>xxx<<`` code is one token, the rest SentencePiece.

    The code is no SentencePiece piece (only ``vocab.json`` has it): split it off
    first, as ``MarianTokenizer`` does.
    """

    def tokenize(self, texts: Sequence[str]) -> list[Tokens]:
        matches = [_TARGET_CODE.match(text) for text in texts]
        rests = [text[m.end() :] if m else text for text, m in zip(texts, matches, strict=True)]
        return [
            [m.group(1), *tokens] if m else tokens
            for m, tokens in zip(matches, super().tokenize(rests), strict=True)
        ]


class AutoTokenizerAdapter:
    """Any Hugging Face tokenizer (``AutoTokenizer``: the class its files name).

    ``source_language`` becomes the tokenizer's ``src_lang`` (NLLB, M2M100, mBART),
    set after loading so that a code the tokenizer lacks is one clear error.
    """

    def __init__(self, model_dir: Path, source_language: str | None = None) -> None:
        from transformers import AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
        if source_language is not None:
            try:
                self.tokenizer.src_lang = source_language
            except KeyError as exc:
                raise UnknownSourceLanguage(source_language) from exc
        self.eos_token = str(self.tokenizer.eos_token)

    def tokenize(self, texts: Sequence[str]) -> list[Tokens]:
        ids = self.tokenizer(list(texts)).input_ids
        return [list(self.tokenizer.convert_ids_to_tokens(i)) for i in ids]

    def token_ids(self, tokens: Sequence[str]) -> list[int]:
        ids = self.tokenizer.convert_tokens_to_ids(list(tokens))
        return [ids] if isinstance(ids, int) else list(ids)

    def detokenize(self, tokens: Sequence[str]) -> str:
        return self.decode_ids(self.token_ids(tokens))

    def decode_ids(self, ids: Sequence[int]) -> str:
        return str(self.tokenizer.decode(list(ids), skip_special_tokens=True))

    def ids_to_tokens(self, ids: Sequence[int]) -> Tokens:
        return list(self.tokenizer.convert_ids_to_tokens(list(ids)))


class FamilyTokenizer:
    """A model's tokenizer with its family's source prefix/suffix and output stripping.

    For a family with none of these (Marian) every method is its tokenizer's own.

    Attributes:
        family: The model's family.
        inner: The tokenizer the family names.
    """

    def __init__(self, inner: Tokenizer, family: ModelFamily, name: str) -> None:
        self.inner = inner
        self.family = family
        self.name = name
        self.eos_token = inner.eos_token
        self._strips = bool(family.target_token or family.strip_tokens or family.strip_prefix)
        for token in family.language_tokens:
            self.known_token_id(token)
        self._check_source_tokens()
        self.target_id: int | None = None
        if family.target_token is not None:
            self.target_id = self.known_token_id(family.target_token)

    def known_token_id(self, token: str) -> int:
        """The id of ``token``, which must be a token of the vocabulary (never ``<unk>``).

        Raises:
            ModelLoadError: The tokenizer does not know ``token``.
        """
        [token_id] = self.inner.token_ids([token])
        if self.inner.ids_to_tokens([token_id]) != [token]:
            raise language_token_error(
                self.name, self.family, f"its tokenizer has no token {token!r}"
            )
        return token_id

    def _check_source_tokens(self) -> None:
        """Each source language token is one token of an encoded source (not split, not lost).

        Raises:
            ModelLoadError: A sample source lacks one of them as a whole token.
        """
        if not self.family.source_tokens:
            return
        [sample] = self.tokenize(["Xin chào"])
        for token in self.family.source_tokens:
            if sample.count(token) != 1:
                raise language_token_error(
                    self.name,
                    self.family,
                    f"its tokenizer does not keep {token!r} whole in a source (it encodes {sample})",
                )

    def tokenize(self, texts: Sequence[str]) -> list[Tokens]:
        return self.inner.tokenize([self.family.source_text(t) for t in texts])

    def token_ids(self, tokens: Sequence[str]) -> list[int]:
        return self.inner.token_ids(tokens)

    def detokenize(self, tokens: Sequence[str]) -> str:
        if not self._strips:
            return self.inner.detokenize(tokens)
        return self.family.output_text(
            self.inner.detokenize(self.family.strip_output(list(tokens)))
        )

    def decode_ids(self, ids: Sequence[int]) -> str:
        if not self._strips:
            return self.inner.decode_ids(ids)
        tokens = self.inner.ids_to_tokens(ids)
        dropped = len(tokens) - len(self.family.strip_output(tokens))
        return self.family.output_text(self.inner.decode_ids(list(ids)[dropped:]))

    def ids_to_tokens(self, ids: Sequence[int]) -> Tokens:
        return self.inner.ids_to_tokens(ids)


def _read_json(path: Path) -> Any:
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def language_token_error(name: str, family: ModelFamily, why: str) -> ModelLoadError:
    """The one-line refusal of a model whose tokenizer lacks a language token of its family."""
    return ModelLoadError(
        f"cannot load model {name!r}: {why}, a language token the {family.name} family needs "
        "as one token (vi2en never translates with <unk>); use the model's own tokenizer files"
    )


def load_tokenizer(
    model_dir: Path, family: ModelFamily | None = None, *, name: str | None = None
) -> FamilyTokenizer:
    """The tokenizer of a model directory, as its family builds it, its language tokens checked.

    Every language token the family needs (:attr:`ModelFamily.language_tokens`)
    must be one known token, and every source language token must come out of
    the tokenizer whole: an unknown code would become ``<unk>`` silently.

    Args:
        model_dir: The model's directory.
        family: The model's family; ``None`` reads it from ``config.json``.
        name: How to name the model in an error (default: the directory).

    Raises:
        UnsupportedModelError: The model's ``model_type`` has no family.
        ModelLoadError: The tokenizer files are missing or unreadable, or lack
            a language token the family needs.
    """
    label = name or str(model_dir)
    family = family or family_for(model_dir, name=label)
    module, _, class_name = family.tokenizer.partition(":")
    options = {} if family.source_language is None else {"source_language": family.source_language}
    try:
        inner: Tokenizer = getattr(importlib.import_module(module), class_name)(
            model_dir, **options
        )
    except UnknownSourceLanguage:
        token = family.source_language_token or str(family.source_language)
        why = f"its tokenizer has no token {token!r}"
        raise language_token_error(label, family, why) from None
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise ModelLoadError(f"cannot load the tokenizer of {model_dir}: {exc}") from exc
    return FamilyTokenizer(inner, family, label)
