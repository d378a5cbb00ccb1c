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
#: One ``.links`` file per document pair (``vi2en align -f links``), below this folder.
LINKS_DIR = "links"
LINKS_SUFFIX = ".links"
#: The folders of one file per document, and the suffix of their files.
DOCUMENT_DIRS: dict[str, str] = {TXT_DIR: ".txt", LINKS_DIR: LINKS_SUFFIX}
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
#: The bilingual review page (format ``review``), named without the stem.
REVIEW_FILE = "review.html"
#: The files of each format that are not named after the stem.
FORMAT_FILES: dict[str, tuple[str, ...]] = {"review": (REVIEW_FILE,)}


def corpus_names(stem: str = CORPUS_STEM) -> list[str]:
    """The file names every format writes at the top of OUTDIR, for ``stem``.

    The corpus files (``corpus.tsv``) and the files named without the stem
    (:data:`FORMAT_FILES`: ``review.html``); a run removes those of the formats
    it does not write, and no reader takes them as input.
    """
    named = [stem + suffix for suffixes in CORPUS_SUFFIXES.values() for suffix in suffixes]
    return named + [name for names in FORMAT_FILES.values() for name in names]


def written_corpus_names(stem: str = CORPUS_STEM) -> list[str]:
    """The corpus files of every format for ``stem``, then those of the rejected pairs."""
    rejected = [
        REJECTED_STEM + suffix for suffixes in CORPUS_SUFFIXES.values() for suffix in suffixes
    ]
    return [*corpus_names(stem), *rejected]


def output_names(stem: str = CORPUS_STEM) -> frozenset[str]:
    """Every name vi2en writes at the top of an output folder (the rejected pairs' too)."""
    return frozenset(
        {STATE_DIR, *DOCUMENT_DIRS, ERRORS_FILE, MANIFEST_FILE, *written_corpus_names(stem)}
    )
