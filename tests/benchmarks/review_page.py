"""The review page in headless Chromium: load time of a large page, and the README's screenshot.

Usage:
    python tests/benchmarks/review_page.py load [--pairs 50000] [--per-document 25] [--runs 5]
    python tests/benchmarks/review_page.py screenshot tests/data/review.png

``load`` writes a page of synthetic pairs (every 17th flagged), opens it from
``file://`` ``--runs`` times in one headless Chromium and prints, per run and
as the median: the wall time of ``driver.get`` (it returns after the load
event), the page's own ``performance.now()`` when its script had built the
first rows and when it was done, the load event's end (all three from
navigation start), and the time of a filter change and of a search (each a
synchronous rebuild of the view).

``screenshot`` writes a small demo page (hand-written pairs with flags, as
the QA checks would raise them) and saves a PNG of it. Needs selenium,
chromium and chromedriver (``apt-get install chromium chromium-driver``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.review_pages import load, missing_browser, segment, start_chromium, write_page
from translate.records import AlignedSegment, Flag


def synthetic(pairs: int, per_document: int) -> list[tuple[str, list[AlignedSegment]]]:
    """``pairs`` pairs of news-like length, ``per_document`` to a document, 4 to a paragraph."""
    documents = []
    for start in range(0, pairs, per_document):
        doc_id = f"tin/{start // per_document:05d}.txt"
        segments = []
        for i in range(start, min(start + per_document, pairs)):
            local = i - start
            flags = (Flag("numbers", "number 10.000 → 1,000"),) if i % 17 == 0 else ()
            segments.append(
                segment(
                    doc_id,
                    local // 4,
                    local % 4,
                    f"Câu thứ {i}: thành phố Hà Nội có hơn 10.000 người tham gia lễ hội năm nay.",
                    f"Sentence {i}: more than 1,000 people in Hanoi took part in this year's "
                    "festival.",
                    flags,
                )
            )
        documents.append((doc_id, segments))
    return documents


def measure_load(pairs: int, per_document: int, runs: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="vi2en-review-"))
    page = write_page(work / "out", synthetic(pairs, per_document))
    documents = -(-pairs // per_document)
    print(
        f"page: {pairs:,} pairs in {documents:,} document{'s' * (documents != 1)}, "
        f"{page.stat().st_size / 2**20:.1f} MiB"
    )
    driver = start_chromium(work / "profile")
    rows: list[tuple[float, ...]] = []
    try:
        for run in range(runs):
            started = time.perf_counter()
            load(driver, page)
            get = (time.perf_counter() - started) * 1000
            first, ready = (
                float(driver.execute_script(f"return document.body.dataset.{name}"))
                for name in ("firstRowsMs", "readyMs")
            )
            loaded = driver.execute_script(
                "return performance.getEntriesByType('navigation')[0].loadEventEnd"
            )
            filtered = driver.execute_script(
                "const t = performance.now(); const f = document.getElementById('filter');"
                " f.value = 'flagged'; f.dispatchEvent(new Event('change'));"
                " return performance.now() - t;"
            )
            searched = driver.execute_script(
                "const t = performance.now(); const s = document.getElementById('search');"
                " s.value = 'sentence 4999'; s.dispatchEvent(new KeyboardEvent('keydown',"
                " {key: 'Enter'})); return performance.now() - t;"
            )
            rows.append((get, first, ready, loaded, filtered, searched))
            print(
                f"run {run + 1}: get {get:.0f} ms, first rows {first:.0f} ms, ready "
                f"{ready:.0f} ms, load event {loaded:.0f} ms, filter {filtered:.0f} ms, "
                f"search {searched:.0f} ms"
            )
    finally:
        driver.quit()
    medians = [statistics.median(column) for column in zip(*rows, strict=True)]
    print(
        "median: get {:.0f} ms, first rows {:.0f} ms, ready {:.0f} ms, load event {:.0f} ms, "
        "filter {:.0f} ms, search {:.0f} ms".format(*medians)
    )


DEMO = [
    (
        "tin/kinh-te/gia-vang.txt",
        [
            (
                0,
                0,
                "Giá vàng trong nước tăng mạnh trong phiên sáng nay.",
                "Domestic gold prices rose sharply this morning.",
                (),
            ),
            (
                0,
                1,
                "Mỗi lượng vàng SJC được bán ra ở mức 10.000.000 đồng.",
                "Each tael of SJC gold sold for 1,000,000 dong.",
                (Flag("numbers", "number 10.000.000 → 1,000,000"),),
            ),
            (
                1,
                0,
                "Theo các chuyên gia, xu hướng này có thể kéo dài đến cuối năm.",
                "According to experts, this trend may last until the end of the year.",
                (),
            ),
            (
                1,
                1,
                "Ngân hàng Nhà nước chưa đưa ra bình luận.",
                "Ngân hàng Nhà nước chưa đưa ra bình luận.",
                (Flag("untranslated", "the target is a copy of the source"),),
            ),
            (
                2,
                0,
                "Thị trường chứng khoán cũng tăng 3,5% trong tuần qua.",
                "The stock market also rose 3.5% last week.",
                (),
            ),
        ],
    ),
    (
        "tin/the-thao/bong-da.txt",
        [
            (
                0,
                0,
                "Đội tuyển Việt Nam thắng 2-0 trong trận giao hữu tối qua.",
                "Vietnam won 2-0 in last night's friendly match.",
                (),
            ),
            (
                0,
                1,
                "Huấn luyện viên cho biết đội sẽ tiếp tục tập luyện tại Hà Nội.",
                "The coach said the team will continue training in Hanoi Hanoi Hanoi Hanoi Hanoi.",
                (Flag("loop", "“Hanoi” repeats 5 times"),),
            ),
            (
                1,
                0,
                "Trận đấu tiếp theo diễn ra vào ngày 27/10.",
                "The next match takes place on October 27.",
                (),
            ),
        ],
    ),
]


def screenshot(path: Path) -> None:
    work = Path(tempfile.mkdtemp(prefix="vi2en-review-"))
    documents = [
        (
            doc_id,
            [
                segment(doc_id, p, s, src, tgt, flags, -0.31 if not flags else -1.87)
                for p, s, src, tgt, flags in rows
            ],
        )
        for doc_id, rows in DEMO
    ]
    page = write_page(work / "out", documents)
    driver = start_chromium(work / "profile", width=1000, height=820)
    try:
        load(driver, page)
        driver.execute_script(
            "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'j'}));"
            "window.scrollTo(0, 0);"
        )
        driver.save_screenshot(str(path))
    finally:
        driver.quit()
    print(f"{path}: {path.stat().st_size / 1024:.0f} KiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    timing = commands.add_parser("load", help="time a large page")
    timing.add_argument("--pairs", type=int, default=50_000)
    timing.add_argument("--per-document", type=int, default=25)
    timing.add_argument("--runs", type=int, default=5)
    shot = commands.add_parser("screenshot", help="save a PNG of a demo page")
    shot.add_argument("png", type=Path)
    args = parser.parse_args()
    if (missing := missing_browser()) is not None:
        sys.exit(f"review_page.py: {missing}")
    if args.command == "load":
        measure_load(args.pairs, args.per_document, args.runs)
    else:
        screenshot(args.png)


if __name__ == "__main__":
    main()
