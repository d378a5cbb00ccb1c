"""The score check both model backends pass on every family's test model (a helper, not tests).

A backend's score is the mean log-probability of the tokens it generated, forced
tokens left out (see :attr:`translate.backends.base.Hypothesis.score`). The check
compares the two backends, and CTranslate2's score with the mean of
``score_batch``'s teacher-forced log-probabilities of the same tokens.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from translate.backends.base import ResolvedDecoding


def reference_score(ct2: Any, source: list[str], hypothesis: list[str], cap: int) -> float:
    """The mean teacher-forced log-probability of ``hypothesis``'s generated tokens."""
    family = ct2.family
    prefix = family.target_prefix
    # mBART's prefix is the decoder's start token: score_batch starts from the first one.
    target = prefix + hypothesis if family.target_forcing == "decoder_start" else hypothesis
    [scored] = ct2.translator.score_batch([source], [target])
    log_probs = list(scored.log_probs)  # one per target token, then the end marker
    if family.target_forcing == "forced_bos":
        log_probs = log_probs[len(prefix) :]
    if len(hypothesis) >= cap:
        log_probs = log_probs[:-1]  # no end marker was generated at the cap
    return sum(log_probs) / len(log_probs)


def assert_scores_agree(
    hf: Any, ct2: Any, sentences: Sequence[str], decoding: ResolvedDecoding
) -> None:
    """Both backends give the same translations the same score, to 1e-3 (float32)."""
    source = hf.tokenize(list(sentences))
    # An end marker forced at transformers' cap (forced_eos_token_id) takes the
    # place of the cap's last token: CTranslate2 with one token less decodes the same.
    forced_eos = hf.model.generation_config.forced_eos_token_id is not None
    cap = decoding.max_length - 1 if forced_eos else decoding.max_length
    ours = hf.translate_batch(source, decoding)
    theirs = ct2.translate_batch(source, dataclasses.replace(decoding, max_length=cap))
    prefix = ct2.family.target_prefix
    raw = ct2.translator.translate_batch(
        source,
        **({"target_prefix": [prefix] * len(source)} if prefix else {}),
        beam_size=decoding.beams,
        max_decoding_length=cap,
    )
    for tokens, hf_out, ct2_out, result in zip(source, ours, theirs, raw, strict=True):
        assert hf_out.text == ct2_out.text
        assert hf_out.score is not None and ct2_out.score is not None
        assert abs(hf_out.score - ct2_out.score) < 1e-3
        expected = reference_score(ct2, tokens, result.hypotheses[0], cap)
        assert abs(ct2_out.score - expected) < 1e-3
