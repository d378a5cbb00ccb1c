"""HTML pages that are no article: listings, hostile markup; and the shared real pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from translate.readers import ReadOptions, read_documents
from translate.readers.html import extract_article
from translate.records import Document, DocumentFailure

SHARED = next(
    (
        folder / "shared" / "data" / "articles"
        for folder in Path(__file__).resolve().parents[1:4]
        if (folder / "shared" / "data" / "articles" / "html_listing").is_dir()
    ),
    None,
)
needs_shared = pytest.mark.skipif(
    SHARED is None, reason="../shared/data/articles (the real news pages) is not here"
)

SENTENCE = "Đây là một câu văn tiếng Việt đủ dài để làm nội dung bài báo chính thức. "
HEADLINE = "Kế hoạch chống ngập mùa mưa năm nay của thành phố"
PROSE = [
    "Thành phố vừa công bố kế hoạch chống ngập cho mùa mưa năm nay với nhiều hạng mục mới. "
    + SENTENCE.strip() * 1,
    "Theo sở xây dựng, các tuyến cống chính sẽ được nạo vét trước ngày 30-4 để kịp mùa mưa. "
    + SENTENCE.strip(),
]


def _teaser(i: int, sapo_sentences: int) -> str:
    return (
        f'<div class="item"><h3><a href="/tin-{i}.html">Tin thời sự số {i}: giá xăng dầu '
        f"tăng mạnh trong tuần</a></h3><p>Sapo của tin số {i}. {SENTENCE * sapo_sentences}</p></div>"
    )


def _page(body: str, *, title: str = HEADLINE, head: str = "") -> str:
    return (
        f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title>'
        f"{head}</head><body>{body}</body></html>"
    )


ARTICLE_JSON_LD = '<script type="application/ld+json">{"@type": "NewsArticle"}</script>'
RELATED = '<div class="related">' + "".join(_teaser(i, 1) for i in range(5)) + "</div>"
SIDEBAR = "<aside>" + "".join(_teaser(i, 1) for i in range(12)) + "</aside>"
MENU = (
    "<nav><ul>"
    + "".join(f'<li><a href="/m{i}">Mục {i}</a></li>' for i in range(15))
    + "</ul></nav>"
)


def _article(paragraphs: list[str], *, extra: str = "", head: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return _page(f"{MENU}<article><h1>{HEADLINE}</h1>{body}</article>{extra}", head=head)


def _listing(teasers: int, sapo_sentences: int, *, h1: str = "Kinh doanh") -> str:
    items = "".join(_teaser(i, sapo_sentences) for i in range(teasers))
    return _page(f"{MENU}<h1>{h1}</h1><section>{items}</section>", title="Kinh doanh - Báo X")


LISTING = "a listing page ("


@pytest.mark.parametrize(
    ("html", "listing"),
    [
        (_article(PROSE), False),
        # a short article beside a sidebar of teasers that have sapos
        (_article(PROSE, extra=SIDEBAR), False),
        (_article(PROSE[:1], extra=SIDEBAR, head=ARTICLE_JSON_LD), False),
        # related-news teasers with sapos inside the article
        (_article(PROSE, extra="").replace("</article>", RELATED + "</article>"), False),
        (_listing(20, 1), True),
        # long sapos: more text than most articles' paragraphs, still teasers
        (_listing(12, 8), True),
        # headlines only, no sapo
        (_listing(25, 0), True),
        # a listing whose JSON-LD lists its items as NewsArticle is still a listing
        (
            _listing(15, 2).replace(
                "</head>",
                '<script type="application/ld+json">{"@type": "ItemList", "itemListElement":'
                ' [{"@type": "NewsArticle"}]}</script></head>',
            ),
            True,
        ),
        # a section page whose extracted text is a pop-up's prose, not its teasers
        (
            _page(
                f"{MENU}<h1>Kinh doanh</h1>"
                + "".join(
                    f'<a href="/t{i}">Tin thời sự số {i}: giá vàng lại tăng</a><br>'
                    for i in range(12)
                )
                + "<div class='modal'>"
                + "".join(f"<p>{p}</p>" for p in PROSE)
                + "</div>"
            ),
            True,
        ),
    ],
    ids=[
        "article",
        "short-article-with-teaser-sidebar",
        "one-paragraph-article-with-json-ld",
        "article-with-related-teasers-inside",
        "listing",
        "listing-with-long-teasers",
        "headlines-only",
        "listing-with-itemlist-json-ld",
        "section-page-with-popup-prose",
    ],
)
def test_listing_pages_are_no_article(html: str, listing: bool) -> None:
    extraction = extract_article(html)
    if listing:
        assert extraction.paragraphs == ()
        assert extraction.reason is not None and extraction.reason.startswith(LISTING)
        assert extraction.reason.endswith("no article body); pass an article page")
    else:
        assert extraction.reason is None
        assert extraction.paragraphs[0] == HEADLINE
        assert all(any(p in q for q in extraction.paragraphs) for p in PROSE if p in html)


def _nested(depth: int, tag: str = "div") -> str:
    return _page(
        f"<{tag}>" * depth
        + f"<h1>{HEADLINE}</h1><p>{PROSE[0]}</p><p>{PROSE[1]}</p>"
        + f"</{tag}>" * depth
    )


TOO_DEEP = "levels deep, more than the HTML parser handles (2047); save the article text as .txt"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        # libxml2 drops what lies deeper than 255 levels unless asked for its larger limit
        (_nested(300), [HEADLINE, *PROSE]),
        (_nested(2000), [HEADLINE, *PROSE]),
        (_nested(1500, "ul"), [HEADLINE, *PROSE]),
        (_nested(5000), f"the page is nested 5003 {TOO_DEEP}"),
        (_nested(100_000, "span"), f"the page is nested 100003 {TOO_DEEP}"),
        (_page(""), "no text in the page (no visible element holds any); nothing to translate"),
        (
            _page('<div id="root"></div><script>' + "render();" * 500 + "</script>"),
            "no article text found: the page has 0 characters of text and 4 KB of scripts, "
            "so it is probably rendered by JavaScript; save the article text (as shown in a "
            "browser) as .txt",
        ),
        (
            _page(MENU + "<footer><p>Liên hệ</p></footer>"),
            "no article text found in the page's 71 characters of text (menus, links and "
            "labels only); pass an article page or save the article text as .txt",
        ),
        (
            "<!-- nothing -->",
            "no text in the page (no visible element holds any); nothing to translate",
        ),
        (
            _page(
                "<ul>"
                + "".join(
                    f'<li><a href="/{i}">Tin số {i} về thời sự hôm nay</a></li>' for i in range(30)
                )
                + "</ul>"
            ),
            "a listing page (30 headlines linking to other articles, no article body); pass an "
            "article page",
        ),
        # the page says ISO-8859-1 but is UTF-8: UTF-8 wins, as it decodes
        (_article(PROSE).replace('charset="utf-8"', 'charset="iso-8859-1"'), [HEADLINE, *PROSE]),
        # stray NUL bytes in a UTF-8 page are dropped, as browsers do
        (_article(PROSE).replace("Thành", "Th\x00ành").encode("utf-8"), [HEADLINE, *PROSE]),
        (b"\x00\xff\xfe garbage \x00\x13" * 100, "binary file (NUL byte at offset 0), not text"),
    ],
    ids=[
        "nested-300",
        "nested-2000",
        "nested-lists-1500",
        "nested-5000",
        "nested-100000",
        "empty-body",
        "javascript-app",
        "boilerplate-only",
        "comment-only",
        "links-only",
        "wrong-meta-charset",
        "nul-bytes",
        "binary-garbage",
    ],
)
def test_hostile_pages(tmp_path: Path, content: str | bytes, expected: list[str] | str) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    [result] = read_documents([str(path)], ReadOptions())
    if isinstance(expected, list):
        assert isinstance(result, Document), result
        assert list(result.paragraphs) == expected
    else:
        assert isinstance(result, DocumentFailure)
        assert result.reason.startswith(expected), result.reason


def test_a_listing_fails_alone(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text(_listing(20, 1), "utf-8")
    (tmp_path / "b.html").write_text(_article(PROSE), "utf-8")
    results = list(read_documents([str(tmp_path)], ReadOptions()))
    assert [type(r) for r in results] == [DocumentFailure, Document]


@needs_shared
@pytest.mark.parametrize("folder", ["html", "html_listing"])
def test_shared_pages(folder: str) -> None:
    assert SHARED is not None
    pages = sorted((SHARED / folder).glob("*.htm*"))
    assert pages
    for page in pages:
        extraction = extract_article(page.read_text("utf-8"))
        if folder == "html":
            assert extraction.reason is None and len(extraction.paragraphs) >= 5, page.name
        else:
            assert extraction.paragraphs == (), page.name
            assert extraction.reason is not None and extraction.reason.startswith(LISTING), (
                page.name
            )


def test_recursion_in_the_extractor_is_a_too_deep_page(monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    def recurse(*args: object, **kwargs: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(trafilatura, "bare_extraction", recurse)
    extraction = extract_article(_nested(1200))
    assert extraction.paragraphs == ()
    assert extraction.reason == f"the page is nested 1203 {TOO_DEEP}"
