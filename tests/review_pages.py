"""What the review-page tests and benchmarks share: known pages, reading them back, Chromium."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from translate.records import AlignedSegment, DocumentInfo, Flag
from translate.writers import ReviewWriter, RunInfo
from translate.writers.review import DATA_ID, SUMMARY_ID

RUN = RunInfo("0.2.0", "tiny-vi-en", None)

# Texts that would run, load or hide something if they ever reached the page as markup.
SCRIPT = "<script>window.pwned = 1; document.title = 'pwned'</script>"
IMG = "<img src=x onerror=\"window.pwned = 2; document.title = 'pwned'\">"
CLOSE = "</script><script>window.pwned = 3</script><!-- "


def segment(
    doc_id: str,
    paragraph: int,
    sentence: int,
    source: str,
    target: str,
    flags: tuple[Flag, ...] = (),
    score: float | None = -0.42,
) -> AlignedSegment:
    """A machine-translated segment with the given flags."""
    return AlignedSegment(
        doc_id, paragraph, sentence, source, target, 0, len(source), score=score, flags=flags
    )


NUMBERS = Flag("numbers", "number 10.000 → 1,000")
LOOP = Flag("loop", "“the the the” repeats")
UNTRANSLATED = Flag("untranslated", "the target is Vietnamese <b>bold</b>")

#: Three documents, 11 pairs; pairs 1, 4, 5 and 9 (corpus order) are flagged.
DOCUMENTS: list[tuple[str, list[AlignedSegment]]] = [
    (
        "tin/kinh-te.txt",
        [
            segment("tin/kinh-te.txt", 0, 0, "Giá vàng tăng.", "Gold prices rose."),
            segment(
                "tin/kinh-te.txt",
                0,
                1,
                "Có 10.000 người mua.",
                "There were 1,000 buyers.",
                (NUMBERS,),
            ),
            segment("tin/kinh-te.txt", 1, 0, "Thị trường ổn định.", "The market is stable."),
            segment("tin/kinh-te.txt", 1, 1, f"Mã độc {SCRIPT} ở đây.", f"Malware {IMG} here."),
            segment(
                "tin/kinh-te.txt",
                2,
                0,
                "Họ nói rằng.",
                "They said that the the the.",
                (LOOP, NUMBERS),
                score=-3.5,
            ),
        ],
    ),
    (
        f"doc {IMG}.txt",
        [
            segment(f"doc {IMG}.txt", 0, 0, "Xin chào.", "Xin chào.", (UNTRANSLATED,), None),
            segment(f"doc {IMG}.txt", 0, 1, f"Đóng {CLOSE} thẻ.", f"Close {CLOSE} tag."),
            segment(f"doc {IMG}.txt", 1, 0, "Hà Nội đẹp.", "Hanoi is beautiful."),
        ],
    ),
    (
        "van-hoa.txt",
        [
            segment("van-hoa.txt", 0, 0, "Lễ hội bắt đầu.", "The festival begins."),
            segment(
                "van-hoa.txt", 0, 1, "Có 3,5 triệu khách.", "There were 35 million.", (NUMBERS,)
            ),
            segment("van-hoa.txt", 0, 2, "Hà Nội vui.", "Hanoi is fun."),
        ],
    ),
]
SEGMENTS = [s for _, segments in DOCUMENTS for s in segments]
FLAGGED = [i for i, s in enumerate(SEGMENTS) if s.flags]


def write_page(
    outdir: Path,
    documents: Iterable[tuple[str, Iterable[AlignedSegment]]] = DOCUMENTS,
    run: RunInfo = RUN,
) -> Path:
    """Write ``outdir/review.html`` for ``documents`` and return its path."""
    writer = ReviewWriter(outdir, run)
    for doc_id, segments in documents:
        writer.add_pairs(DocumentInfo(doc_id, doc_id, "\n", 1), segments)
    [path] = writer.commit()
    return path


def json_block(html: str, block_id: str) -> str:
    """The text of the ``<script type="application/json" id=block_id>`` element."""
    match = re.search(
        rf'<script type="application/json" id="{block_id}">(.*?)</script>', html, re.S
    )
    assert match is not None, block_id
    return match.group(1)


def page_data(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The page's two JSON blocks, parsed: the documents and the summary."""
    html = path.read_text("utf-8")
    return json.loads(json_block(html, DATA_ID)), json.loads(json_block(html, SUMMARY_ID))


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
# Without the background-networking flags Chromium keeps calling home on a closed network.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "needs selenium (pip install 'vi2en[test]')"
    for name, path in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER)):
        if not Path(path).is_file():
            return f"needs {name} (apt-get install chromium chromium-driver)"
    return None


def start_chromium(user_data_dir: Path, width: int = 1200, height: int = 900) -> Any:
    """A headless Chromium under selenium that keeps the browser console's log."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={user_data_dir}")
    options.add_argument(f"--window-size={width},{height}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))


def load(driver: Any, path: Path) -> None:
    """Open the page and wait until its script has run."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(path.resolve().as_uri())
    WebDriverWait(driver, 30).until(
        lambda d: d.execute_script("return document.body.hasAttribute('data-ready-ms')")
    )
