"""The review page: ``review.html``, every document's pairs side by side, flagged pairs marked.

One self-contained file that loads nothing (inline CSS and script, a
Content-Security-Policy that allows only those two, by hash) and works from
``file://``. The pairs go into a ``<script type="application/json">`` block,
streamed document by document, with every ``<`` written as ``\\u003c`` so that
no text can close the element or open a comment; the page's script inserts
each text with ``textContent``, never as markup, and builds rows only for the
chunks of a document near the viewport. A second JSON block after it holds the
counts (documents, pairs, flagged pairs, pairs per check). The bytes depend
only on the segments and the run's settings: no date.

Each pair is ``[paragraph, sentence, source, target, origin, score, flags]``
with flags as ``[check, reason]`` lists; a document is ``{"id", "pairs"}``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections import Counter
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from translate.fileio import AtomicFile
from translate.layout import CORPUS_STEM, REVIEW_FILE
from translate.records import AlignedSegment, DocumentInfo
from translate.writers.base import RunInfo, Writer

#: The ids of the two JSON blocks (the pairs, the counts).
DATA_ID = "vi2en-data"
SUMMARY_ID = "vi2en-summary"

_LANGUAGE_NAMES = {"vi": "Vietnamese", "en": "English"}

_BODY = """<body>
<header>
<h1>vi2en review</h1> <p id="run"></p>
<div class="controls">
<label for="filter">Show</label> <select id="filter"></select>
<label for="search">Search</label>
<input id="search" type="search" placeholder="text in either language" autocomplete="off">
<button id="prev" type="button" title="previous flagged pair (k or p)">&#8593; previous flagged</button>
<button id="next" type="button" title="next flagged pair (j or n)">next flagged &#8595;</button>
</div>
<p id="counts"></p>
<p id="help">Keys: <kbd>j</kbd> or <kbd>n</kbd> next flagged pair, <kbd>k</kbd> or <kbd>p</kbd>
previous, <kbd>/</kbd> search, <kbd>Enter</kbd> or <kbd>Esc</kbd> leave the search box.</p>
<p id="view-count"></p>
<p id="status" role="status" aria-live="polite"></p>
</header>
<main id="docs"><noscript>This page needs JavaScript to show the pairs.</noscript></main>
"""


@cache
def _asset(name: str) -> str:
    return resources.files("translate").joinpath(f"data/{name}").read_text("utf-8")


def _csp_hash(text: str) -> str:
    return (
        "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"
    )


def _head() -> str:
    style, script = _asset("review.css"), _asset("review.js")
    policy = (
        f"default-src 'none'; style-src {_csp_hash(style)}; script-src {_csp_hash(script)}; "
        "img-src 'none'; base-uri 'none'; form-action 'none'"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>vi2en review</title>\n<style>{style}</style>\n</head>\n{_BODY}"
    )


def script_json(value: Any) -> str:
    """``value`` as compact JSON that is safe inside a ``<script>`` element.

    Every ``<`` (which JSON holds only inside strings) becomes ``\\u003c``: no
    text can then end the element (``</script>``) or open a comment
    (``<!--``), and ``JSON.parse`` reads the same value back.
    """
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def _score(value: float | None) -> float | None:
    # JSON has no NaN or infinity: JSON.parse would refuse the whole block.
    return value if value is not None and math.isfinite(value) else None


def pair_row(segment: AlignedSegment) -> list[Any]:
    """The page's record of one segment (see the module docstring)."""
    return [
        segment.paragraph,
        segment.sentence,
        segment.source,
        segment.target,
        segment.origin,
        _score(segment.score),
        [[flag.check, flag.reason] for flag in segment.flags],
    ]


class ReviewWriter(Writer):
    """``review.html``: the bilingual review page, streamed one document at a time.

    Args:
        outdir: The output directory (created if missing).
        run: The run's settings; the page names the model, the vi2en version
            and the languages.
        stem: Unused (the page is not named after the corpus); accepted like
            every writer's.
        filename: The page's name in ``outdir``.

    Raises:
        OutputError: The temporary file cannot be created.
    """

    name = "review"

    def __init__(
        self,
        outdir: Path,
        run: RunInfo,
        *,
        stem: str = CORPUS_STEM,
        filename: str = REVIEW_FILE,
    ) -> None:
        super().__init__(outdir, run, stem=stem)
        self._out = AtomicFile(outdir / filename)
        self._files.append(self._out)
        self._documents = 0
        self._pairs = 0
        self._flagged = 0
        self._checks: Counter[str] = Counter()
        self._out.write(f'{_head()}<script type="application/json" id="{DATA_ID}">')
        self._out.write('{"documents":[')

    def add_pairs(self, document: DocumentInfo, pairs: Iterable[AlignedSegment]) -> None:
        """Write the document's pairs into the data block as they come."""
        separator = "," if self._documents else ""
        self._out.write(f'{separator}{{"id":{script_json(document.doc_id)},"pairs":[')
        first = True
        for segment in pairs:
            self._out.write(("" if first else ",") + script_json(pair_row(segment)))
            first = False
            self._pairs += 1
            self._flagged += bool(segment.flags)
            self._checks.update({flag.check for flag in segment.flags})
        self._out.write("]}")
        self._documents += 1

    def summary(self) -> dict[str, Any]:
        """The counts and run settings written in the summary block (so far)."""
        source, target = self.run.source_lang, self.run.target_lang
        return {
            "documents": self._documents,
            "pairs": self._pairs,
            "flagged": self._flagged,
            "checks": sorted(self._checks.items()),
            "model": self.run.model,
            "vi2en": self.run.tool_version,
            "source_lang": source,
            "target_lang": target,
            "source_name": f"{_LANGUAGE_NAMES.get(source, source)} ({source})",
            "target_name": f"{_LANGUAGE_NAMES.get(target, target)} ({target})",
        }

    def _write_tail(self) -> None:
        self._out.write("]}</script>\n")
        self._out.write(
            f'<script type="application/json" id="{SUMMARY_ID}">'
            f"{script_json(self.summary())}</script>\n"
        )
        self._out.write(f"<script>{_asset('review.js')}</script>\n</body>\n</html>\n")
