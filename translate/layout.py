"""The names vi2en writes in an output folder (OUTDIR), defined once.

The job writes them, the readers recognise them (an output folder is never read
as input), and the tests check both against these constants.
"""

from __future__ import annotations

#: The job's state: parts, the lock and the publication journal (hidden).
STATE_DIR = ".vi2en"
ERRORS_FILE = "errors.jsonl"
MANIFEST_FILE = "manifest.json"
#: One translated ``.txt`` per document, below this folder.
TXT_DIR = "txt"
LOCK_FILE = "lock"
LOCK_HOLDER_FILE = "lock-holder.json"
JOURNAL_FILE = "publish.json"
#: The name the corpus files share before their suffix (``corpus.tsv``).
CORPUS_STEM = "corpus"
#: The stem of the pairs that ``--qa-drop`` keeps out of the corpus (``rejected.tsv``).
REJECTED_STEM = "rejected"
#: The corpus files of each format, as suffixes of the stem (``corpus.tsv``).
CORPUS_SUFFIXES: dict[str, tuple[str, ...]] = {
    "jsonl": (".jsonl",),
    "moses": (".vi", ".en", ".ids"),
    "tmx": (".tmx",),
    "tsv": (".tsv",),
}


def corpus_names(stem: str = CORPUS_STEM) -> list[str]:
    """The corpus file names of every format, for ``stem``."""
    return [stem + suffix for suffixes in CORPUS_SUFFIXES.values() for suffix in suffixes]


def written_corpus_names(stem: str = CORPUS_STEM) -> list[str]:
    """The corpus files of every format for ``stem``, then those of the rejected pairs."""
    return [*corpus_names(stem), *corpus_names(REJECTED_STEM)]


def output_names(stem: str = CORPUS_STEM) -> frozenset[str]:
    """Every name vi2en writes at the top of an output folder (the rejected pairs' too)."""
    return frozenset({STATE_DIR, TXT_DIR, ERRORS_FILE, MANIFEST_FILE, *written_corpus_names(stem)})
