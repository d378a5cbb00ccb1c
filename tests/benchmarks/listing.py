"""Listing-page detection on the shared pages: which pages are articles, which listings.

Reads ../shared/data/articles/html (article pages: each must stay an article) and
../shared/data/articles/html_listing (section pages: each must be a listing), and prints
one row per page. With ``--save FILE`` it writes every page's extracted paragraphs as
JSON; with ``--compare FILE`` it says for each page whether they are the same as in FILE
(a file saved before a change of the extractor).

    python tests/benchmarks/listing.py [--save FILE | --compare FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from translate.readers.html import extract_article

# ../shared next to the checkout (or next to the folder of worktrees that holds it).
ARTICLES = next(
    (
        folder / "shared" / "data" / "articles"
        for folder in Path(__file__).resolve().parents[3:5]
        if (folder / "shared" / "data" / "articles").is_dir()
    ),
    Path(__file__).resolve().parents[3] / "shared" / "data" / "articles",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ARTICLES, help="the articles folder")
    parser.add_argument("--save", type=Path, help="write the paragraphs of every page here")
    parser.add_argument("--compare", type=Path, help="compare the paragraphs with this file")
    args = parser.parse_args()
    if not (args.data / "html_listing").is_dir():
        print(f"{args.data}: no html/ and html_listing/ folders; pass --data", file=sys.stderr)
        return 2
    before = json.loads(args.compare.read_text("utf-8")) if args.compare else {}
    saved: dict[str, list[str]] = {}
    right = 0
    pages = [
        (folder, path)
        for folder in ("html", "html_listing")
        for path in sorted((args.data / folder).glob("*.htm*"))
    ]
    print(f"{'page':52} {'expected':8} {'found':8} {'paras':>5} {'s':>5}  same as before")
    for folder, path in pages:
        start = time.perf_counter()
        extraction = extract_article(path.read_text("utf-8"))
        seconds = time.perf_counter() - start
        key = f"{folder}/{path.name}"
        saved[key] = list(extraction.paragraphs)
        expected = "listing" if folder == "html_listing" else "article"
        found = (
            "listing"
            if (extraction.reason or "").startswith("a listing page")
            else ("article" if extraction.paragraphs else "none")
        )
        right += found == expected
        same = "-" if key not in before else ("yes" if before[key] == saved[key] else "NO")
        if expected == "listing":
            same = "-"  # a listing's paragraphs are meant to go
        print(
            f"{key:52} {expected:8} {found:8} {len(extraction.paragraphs):5} {seconds:5.2f}  {same}"
        )
        if extraction.reason:
            print(f"    {extraction.reason}")
    print(f"{right} of {len(pages)} pages detected as expected")
    if args.save:
        args.save.write_text(json.dumps(saved, ensure_ascii=False, indent=1), "utf-8")
    return 0 if right == len(pages) else 1


if __name__ == "__main__":
    sys.exit(main())
