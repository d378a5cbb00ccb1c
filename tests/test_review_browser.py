"""The review page in a real browser: headless Chromium (Debian's) driven by selenium.

The tests load ``review.html`` from a ``file://`` URL and assert on the DOM after
the page's script ran. One browser serves the whole module. They skip where
selenium, chromium or chromedriver is missing (``.ci/run`` installs them).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.review_pages import (
    CLOSE,
    DOCUMENTS,
    FLAGGED,
    IMG,
    SCRIPT,
    SEGMENTS,
    load,
    missing_browser,
    segment,
    start_chromium,
    write_page,
)
from translate.records import Flag

_MISSING = missing_browser()
pytestmark = pytest.mark.skipif(_MISSING is not None, reason=_MISSING or "")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    driver = start_chromium(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_page(tmp_path_factory.mktemp("page"))


@pytest.fixture
def loaded(browser: Any, page: Path) -> Iterator[Any]:
    """The known page, freshly loaded; afterwards, the console must hold no error."""
    browser.get_log("browser")  # what earlier tests left
    load(browser, page)
    yield browser
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []


def shown_rows(driver: Any) -> list[int]:
    """The pair indices of the rows in the page, in order."""
    return [
        int(i)
        for i in driver.execute_script(
            "return Array.from(document.querySelectorAll('.pair'), r => r.dataset.index)"
        )
    ]


def current_row(driver: Any) -> int | None:
    """The current pair (highlighted and focused), after checking it is on screen."""
    state = driver.execute_script(
        """const rows = document.querySelectorAll('.pair.current');
        if (rows.length !== 1) return [rows.length, null, false, false];
        const box = rows[0].getBoundingClientRect();
        return [1, Number(rows[0].dataset.index), document.activeElement === rows[0],
                box.bottom > 0 && box.top < window.innerHeight];"""
    )
    if state[0] == 0:
        return None
    assert state[0] == 1 and state[2] and state[3], state  # one, focused, on screen
    return int(state[1])


def press(driver: Any, keys: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).send_keys(keys).perform()


def choose(driver: Any, value: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(By.ID, "filter")).select_by_value(value)


def text_of(driver: Any, element_id: str) -> str:
    return str(driver.execute_script(f"return document.getElementById('{element_id}').textContent"))


def test_one_row_per_pair_with_its_texts(loaded: Any) -> None:
    assert shown_rows(loaded) == list(range(len(SEGMENTS)))
    texts = loaded.execute_script(
        "return Array.from(document.querySelectorAll('.pair'),"
        " r => [r.querySelector('.src').textContent, r.querySelector('.tgt').textContent])"
    )
    assert texts == [[s.source, s.target] for s in SEGMENTS]
    assert text_of(loaded, "view-count") == "Showing 11 of 11 pairs in 3 documents, 4 flagged."
    assert text_of(loaded, "counts") == (
        "3 documents · 11 pairs · 4 flagged: loop 1numbers 3untranslated 1"
    )


def test_documents_keep_their_paragraphs(loaded: Any) -> None:
    structure = loaded.execute_script(
        "return Array.from(document.querySelectorAll('.doc'), d => [d.querySelector('h2')"
        ".textContent, Array.from(d.querySelectorAll('.para'), p => p.querySelectorAll('.pair')"
        ".length)])"
    )
    assert structure == [
        [doc_id, counts]
        for doc_id, counts in [
            (DOCUMENTS[0][0], [2, 2, 1]),
            (DOCUMENTS[1][0], [2, 1]),
            (DOCUMENTS[2][0], [3]),
        ]
    ]


def test_flagged_rows_show_their_reasons(loaded: Any) -> None:
    flagged = loaded.execute_script(
        "return Array.from(document.querySelectorAll('.pair.flagged'), r => [Number(r.dataset"
        ".index), Array.from(r.querySelectorAll('.flags li'), li => li.textContent)])"
    )
    assert flagged == [
        [1, ["numbersnumber 10.000 → 1,000"]],
        [4, ["loop“the the the” repeats", "numbersnumber 10.000 → 1,000"]],
        [5, ["untranslatedthe target is Vietnamese <b>bold</b>"]],
        [9, ["numbersnumber 10.000 → 1,000"]],
    ]


@pytest.mark.parametrize(
    ("value", "rows"),
    [
        ("flagged", FLAGGED),
        ("check:numbers", [1, 4, 9]),
        ("check:loop", [4]),
        ("all", list(range(len(SEGMENTS)))),
    ],
    ids=["any-flag", "numbers", "loop", "all"],
)
def test_the_filter_shows_only_the_pairs_of_a_check(
    loaded: Any, value: str, rows: list[int]
) -> None:
    choose(loaded, value)
    assert shown_rows(loaded) == rows


def test_keys_move_to_the_next_and_previous_flagged_pair(loaded: Any) -> None:
    assert current_row(loaded) is None
    visited = []
    for key in "jjjjj":  # the fifth wraps around to the first
        press(loaded, key)
        visited.append(current_row(loaded))
    assert visited == [*FLAGGED, FLAGGED[0]]
    press(loaded, "k")
    assert current_row(loaded) == FLAGGED[-1]
    press(loaded, "p")
    assert current_row(loaded) == FLAGGED[-2]
    press(loaded, "n")
    assert current_row(loaded) == FLAGGED[-1]
    assert (
        text_of(loaded, "status") == "Flagged pair 4 of 4: van-hoa.txt, ¶ 1, sentence 2 — numbers"
    )


def test_navigation_follows_the_filter(loaded: Any) -> None:
    choose(loaded, "check:numbers")
    press(loaded, "jj")
    assert current_row(loaded) == 4


def test_search_narrows_both_sides_and_marks_the_hits(loaded: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    press(loaded, "/")  # the key focuses the search box
    assert loaded.switch_to.active_element == loaded.find_element(By.ID, "search")
    press(loaded, "HÀ NỘI" + Keys.ENTER)
    assert shown_rows(loaded) == [7, 10]  # Hà Nội in the sources; case does not matter
    marks = loaded.execute_script(
        "return Array.from(document.querySelectorAll('mark'), m => m.textContent)"
    )
    assert marks == ["Hà Nội", "Hà Nội"]
    assert text_of(loaded, "view-count") == "Showing 2 of 11 pairs in 2 documents, 0 flagged."
    search = loaded.find_element(By.ID, "search")
    search.clear()
    search.send_keys("FESTIVAL" + Keys.ENTER)  # a word of a target
    assert shown_rows(loaded) == [8]
    search.clear()
    search.send_keys("no such text" + Keys.ENTER)
    assert shown_rows(loaded) == []
    assert text_of(loaded, "docs") == "No pair matches."


def test_injected_markup_does_nothing_and_shows_as_text(loaded: Any) -> None:
    state = loaded.execute_script(
        "return [typeof window.pwned, document.title, document.querySelectorAll('#docs img,"
        " #docs script, #docs b').length, document.scripts.length]"
    )
    assert state == ["undefined", "vi2en review", 0, 3]
    row3 = loaded.execute_script("return document.getElementById('pair-3').textContent")
    assert f"Mã độc {SCRIPT} ở đây." in row3 and f"Malware {IMG} here." in row3
    row6 = loaded.execute_script("return document.getElementById('pair-6').textContent")
    assert f"Đóng {CLOSE} thẻ." in row6
    heading = loaded.execute_script("return document.querySelectorAll('.doc h2')[1].textContent")
    assert heading == f"doc {IMG}.txt"


def test_a_phone_width_stacks_the_two_sides(browser: Any, page: Path) -> None:
    size = browser.get_window_size()
    try:
        browser.set_window_size(400, 800)
        load(browser, page)
        columns = browser.execute_script(
            "return getComputedStyle(document.querySelector('.pair')).gridTemplateColumns"
        )
        assert len(columns.split()) == 1
        width = browser.execute_script("return document.documentElement.scrollWidth")
        assert width <= browser.execute_script("return window.innerWidth")  # no sideways scroll
    finally:
        browser.set_window_size(size["width"], size["height"])
    load(browser, page)
    columns = browser.execute_script(
        "return getComputedStyle(document.querySelector('.pair')).gridTemplateColumns"
    )
    assert len(columns.split()) == 2


@pytest.fixture(scope="module")
def large_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,000 pairs in one document; only pairs 2,500 and 2,999 are flagged."""
    flag = (Flag("numbers", "3 → 4"),)
    segments = [
        segment(
            "big", i // 5, i % 5, f"Câu {i}.", f"Sentence {i}.", flag if i in (2500, 2999) else ()
        )
        for i in range(3000)
    ]
    return write_page(tmp_path_factory.mktemp("large"), [("big", segments)])


def test_a_large_page_builds_rows_only_near_the_screen(browser: Any, large_page: Path) -> None:
    browser.get_log("browser")
    load(browser, large_page)
    built = len(shown_rows(browser))
    assert 0 < built < 3000
    press(browser, "j")
    assert current_row(browser) == 2500  # its chunk is built on the way
    press(browser, "j")
    assert current_row(browser) == 2999
    assert (
        text_of(browser, "view-count") == "Showing 3,000 of 3,000 pairs in 1 document, 2 flagged."
    )
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
