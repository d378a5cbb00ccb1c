"""The HTML reader: the article of a news page (trafilatura, corrected for Vietnamese sites).

A page is decoded like a text file, and also by its ``<meta charset>``; its
article is extracted by :func:`extract_article`, and a listing page (headline
teasers linking to other articles) is no article. trafilatura (and lxml) are
imported only when the first page is read (trafilatura takes a moment to
import); every paragraph is cleaned like the text fed to the model
(:func:`~translate.text.clean_paragraph`), since spacing in HTML is markup.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from translate._dist import missing_package_reason
from translate.errors import InputError
from translate.readers.base import InputFile, ReadOptions, _document, _no_text
from translate.readers.decoding import _HEAD_BYTES, decode
from translate.records import Document, DocumentFailure
from translate.text import clean_paragraph

if TYPE_CHECKING:
    from lxml.etree import _Element

_HTML_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _read_html(item: InputFile, options: ReadOptions) -> Iterator[Document | DocumentFailure]:
    try:
        html = item.read_text(options.encoding, _decode_html)
    except InputError as exc:
        yield item.failure(exc.reason)
        return
    if not html.strip():
        yield item.failure(_no_text(html))
        return
    try:
        extraction = extract_article(html)
    except ImportError as exc:  # a dependency missing: this document's failure, not the run's
        yield item.failure(missing_package_reason(exc, "reading HTML"))
        return
    if extraction.reason is not None:
        yield item.failure(extraction.reason)
        return
    yield _document(item, extraction.paragraphs, "\n")


def _decode_html(data: bytes, source: str, encoding: str | None) -> str:
    try:
        return decode(data, source, encoding)
    except InputError:
        # A few stray NUL bytes in a page (a crawler's or an editor's) are dropped,
        # as browsers do; UTF-16 has one in every other byte and stays refused.
        nuls = data.count(b"\x00")
        if encoding is None and 0 < nuls * 100 < len(data):
            try:
                return decode(data.replace(b"\x00", b""), source, encoding)
            except InputError:
                pass
        # A page that is not UTF-8 usually says what it is in <meta charset>.
        declared = _HTML_CHARSET.search(data[:_HEAD_BYTES]) if encoding is None else None
        if declared is not None:
            charset = declared.group(1).decode("ascii")
            try:
                return data.decode(charset)
            except (LookupError, UnicodeDecodeError):
                pass
        raise


# --- article extraction --------------------------------------------------------------


@dataclass(frozen=True)
class Extraction:
    """What :func:`extract_article` found in a page.

    Attributes:
        paragraphs: The article, as normalised paragraphs, headline first;
            empty when the page holds no article.
        reason: Why there is no article (one line that ends with what to do);
            ``None`` when there are paragraphs.
    """

    paragraphs: tuple[str, ...]
    reason: str | None = None


# libxml2 stops building the tree at this depth (and drops the rest of the page);
# with ``huge_tree`` at _HUGE_DEPTH.
_PARSER_DEPTH = 255
_HUGE_DEPTH = 2047


def extract_article(html: str) -> Extraction:
    """The article of a news page, as normalised paragraphs, headline first.

    trafilatura finds the main text and drops menus, related-news boxes,
    comments and footers. Its result is then corrected where it fails on
    Vietnamese news pages:

    * paragraphs whose text is all link text on the page are dropped (menus
      and related-news teasers it kept, such as a "Tin nóng" list);
    * subheadings (``<h2>``–``<h6>``) that sit among the article's paragraphs,
      in the same container, are put back (it drops some);
    * the headline is put first: the page's one ``<h1>`` when it matches the
      metadata title, else that title;
    * the lead paragraph (sapo), which outlets place outside the article
      container, is put after the headline: it is the short visible element
      that holds the page's meta description.

    A category or listing page (headline teasers linking to other articles)
    is no article: it gives no paragraphs and says so in the reason, and so
    does a page nested deeper than the HTML parser can build.

    Args:
        html: The page, decoded.

    Returns:
        The paragraphs, or the reason why there are none.
    """
    try:
        return _extract(html)
    except RecursionError:  # a recursive step of trafilatura's on a deep page
        return Extraction((), _too_deep(html))


def _extract(html: str) -> Extraction:
    import trafilatura  # heavy (~0.15 s to import): only when an HTML page is read

    page = _parse_page(html)
    source: str | _Element = html
    if page is not None and _depth(page) >= _PARSER_DEPTH:
        # libxml2 silently drops everything below its depth limit: parse again
        # with its larger limit, and say so when even that is not enough.
        page = _parse_page(html, huge=True)
        if page is None or _depth(page) >= _HUGE_DEPTH:
            return Extraction((), _too_deep(html))
        tree = _parse_page(html, huge=True)  # trafilatura edits the tree it is given
        source = html if tree is None else tree
    extracted = trafilatura.bare_extraction(
        source,
        include_comments=False,
        # Vietnamese outlets put photo captions and fact boxes in tables.
        include_tables=True,
        include_images=False,
        include_links=False,
        with_metadata=True,
        deduplicate=False,
    )
    if extracted is None or isinstance(extracted, dict) or extracted.body is None:
        teasers = _listing(page, []) if page is not None else 0
        return Extraction((), _listing_reason(teasers) if teasers else _no_article(page))
    body = [p for p in map(clean_paragraph, _block_texts(extracted.body)) if p]
    title = clean_paragraph(extracted.title or "")
    lead = None
    if page is not None:
        teasers = _listing(page, body)
        if teasers:
            return Extraction((), _listing_reason(teasers))
        if body:
            links = _link_only_texts(page)
            body = [p for p in body if _squeeze(p) not in links]
            body = _restore_headings(page, body, links)
            title = _headline(page, title) or title
            description = clean_paragraph(extracted.description or "")
            lead = _lead(page, description, [title, *body]) if description else None
    if body and body[0] == title:
        body = body[1:]
    if not body:
        return Extraction((), _no_article(page))
    return Extraction(tuple([p for p in (title, lead) if p] + body))


def _listing_reason(teasers: int) -> str:
    return (
        f"a listing page ({teasers} headlines linking to other articles, no article body); "
        "pass an article page"
    )


def _too_deep(html: str) -> str:
    return (
        f"the page is nested {_nesting(html)} levels deep, more than the HTML parser handles "
        f"({_HUGE_DEPTH}); save the article text as .txt"
    )


_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)[^>]*?(/?)>")
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"}
    | {"source", "track", "wbr"}
)


def _nesting(html: str) -> int:
    """How deep the page's tags nest, counted on the markup (the parser gave up)."""
    depth = deepest = 0
    for match in _TAG.finditer(html):
        closing, name, self_closing = match.groups()
        if closing:
            depth = max(depth - 1, 0)
        elif not self_closing and name.lower() not in _VOID:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def _depth(page: _Element) -> int:
    """The depth of the deepest element below ``page``."""
    depths = {page: 0}
    deepest = 0
    for element in page.iterdescendants():
        depths[element] = depth = depths[element.getparent()] + 1
        deepest = max(deepest, depth)
    return deepest


def _no_article(page: _Element | None) -> str:
    """Why a page gave no article: JavaScript only when it looks rendered by scripts."""
    text = scripts = 0
    if page is not None:
        body = page.find("body")
        for element in (page if body is None else body).iter():
            if not isinstance(element.tag, str):
                continue
            if element.tag == "script":
                scripts += len(element.text or "")
            elif element.tag != "style":
                text += len(_squeeze(element.text or ""))
            text += len(_squeeze(element.tail or ""))
    if text < _JS_TEXT and scripts > _JS_SCRIPT:
        return (
            f"no article text found: the page has {text} characters of text and "
            f"{scripts // 1000} KB of scripts, so it is probably rendered by JavaScript; "
            "save the article text (as shown in a browser) as .txt"
        )
    if not text:
        return "no text in the page (no visible element holds any); nothing to translate"
    return (
        f"no article text found in the page's {text} characters of text (menus, links "
        "and labels only); pass an article page or save the article text as .txt"
    )


_JS_TEXT = 200  # characters of page text under which a script-heavy page is an app shell
_JS_SCRIPT = 2000  # characters of inline script above which it is one

# A headline is a link of at least this many words (Vietnamese headlines have 10 to
# 20 syllables; menu entries and "Xem thêm" have fewer).
_HEADLINE_WORDS = 5
# An extracted paragraph of fewer words is a label ("06/03/2026 - 00:05", "Đóng lại"),
# neither article prose nor a teaser.
_PROSE_WORDS = 8
# How far up from a paragraph its teaser's headline link may sit.
_TEASER_LEVELS = 6
# A section page with no article body: its <h1> is the section's name ("Kinh doanh").
_SECTION_NAME_WORDS = 4
_SECTION_HEADLINES = 10
_ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "BlogPosting",
        "OpinionNewsArticle",
        "ReviewNewsArticle",
        "BackgroundNewsArticle",
        "Report",
    }
)


def _listing(page: _Element, body: list[str]) -> int:
    """The number of headline links when the page is a listing, else 0.

    An extracted paragraph is a *teaser* when its text is mostly link text (a
    headline, or headlines glued together), when it begins with a headline
    link's text (headline and sapo run together), or when the nearest
    container that also holds a headline link holds no other extracted
    paragraph and one headline (a sapo paired with its headline). A page is a listing when
    teasers (at least three) make up more of the extracted text than prose;
    when it links many headlines and has no prose; or when it does not call
    itself an article, its ``<h1>`` is a section name of a few words and it
    links many headlines.
    """
    sizes: dict[_Element, tuple[int, int, int]] = {}  # (text, inside <a>, headline links)
    wanted = {_squeeze(p) for p in body}
    lengths = {len(p) for p in wanted}
    located: dict[str, _Element] = {}
    headlines: set[str] = set()
    for element in reversed(list(page.iter())):  # children before their parents
        if not isinstance(element.tag, str) or element.tag in {"script", "style"}:
            sizes[element] = (0, 0, 0)
            continue
        own = len(_squeeze(element.text or "")) + sum(
            len(_squeeze(child.tail or "")) for child in element
        )
        total = own + sum(sizes[child][0] for child in element)
        linked = total if element.tag == "a" else sum(sizes[child][1] for child in element)
        count = sum(sizes[child][2] for child in element)
        if element.tag == "a" and len(text := _text_of(element).split()) >= _HEADLINE_WORDS:
            count += 1
            headlines.add("".join(text))
        sizes[element] = (total, linked, count)
        if total in lengths and (squeezed := _squeeze(_text_of(element))) in wanted:
            located[squeezed] = element  # the outermost element with that text
    sizes_of_headlines = {len(h) for h in headlines}
    kinds: list[str] = []
    for paragraph in body:
        element = located.get(squeezed := _squeeze(paragraph))
        if element is None:
            glued = any(
                squeezed[:size] in headlines for size in sizes_of_headlines if size < len(squeezed)
            )
            kinds.append("teaser" if glued else "prose")
        else:
            total, linked, _ = sizes[element]
            kinds.append("link" if linked * 2 >= total else "prose")
    # The containers of the extracted paragraphs that are not link text.
    holding: dict[_Element, int] = {}
    for paragraph, kind in zip(body, kinds, strict=True):
        if kind == "prose" and (element := located.get(_squeeze(paragraph))) is not None:
            for ancestor in element.iterancestors():
                holding[ancestor] = holding.get(ancestor, 0) + 1
    for i, paragraph in enumerate(body):
        if kinds[i] == "prose" and (element := located.get(_squeeze(paragraph))) is not None:
            own = sizes[element][2]
            for level, ancestor in enumerate(element.iterancestors()):
                if level == _TEASER_LEVELS:
                    break
                if sizes[ancestor][2] > own:  # the nearest container with a headline link
                    # A teaser's box holds its headline (twice at most, on the
                    # photo too) and no other paragraph.
                    if holding[ancestor] == 1 and sizes[ancestor][2] - own <= 2:
                        kinds[i] = "teaser"
                    break
    teaser = prose = teasers = 0
    for paragraph, kind in zip(body, kinds, strict=True):
        words = len(paragraph.split())
        if kind != "prose":
            teaser += len(paragraph)
            teasers += words >= _HEADLINE_WORDS
        elif words >= _PROSE_WORDS:
            prose += len(paragraph)
    if teasers >= 3 and teaser > prose:
        return max(len(headlines), teasers)
    if not prose and len(headlines) >= _SECTION_HEADLINES:  # headlines and nothing else
        return len(headlines)
    names = [clean_paragraph(_text_of(h)) for h in page.iter("h1")]
    names = [name for name in names if name]
    if (
        names
        and all(len(name.split()) <= _SECTION_NAME_WORDS for name in names)
        and len(headlines) >= _SECTION_HEADLINES
        and not _declares_article(page)
    ):
        return len(headlines)
    return 0


def _declares_article(page: _Element) -> bool:
    """Whether the page's schema.org JSON-LD calls it an article.

    Only the page's own items count, not those it lists (an ItemList of
    NewsArticle is a listing). og:type is no evidence: outlets set it to
    "article" on their section pages too.
    """
    for script in page.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except ValueError:  # broken JSON-LD is common; it just says nothing
            continue
        items = data if isinstance(data, list) else [data]
        items += [
            x for item in items if isinstance(item, dict) for x in _as_list(item.get("@graph"))
        ]
        for item in items:
            if isinstance(item, dict) and set(_as_list(item.get("@type"))) & _ARTICLE_TYPES:
                return True
    return False


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


_BLOCKS = frozenset({"p", "head", "quote", "item", "cell", "code", "list", "table", "row"})


def _block_texts(element: _Element) -> Iterator[str]:
    """The text of every block of a trafilatura body, in order.

    A line break (``<br>``) starts a new paragraph, as it does on the page:
    trafilatura merges ``<br><br>`` into one break, so a paragraph separator
    cannot be told from a break inside a paragraph.
    """
    parts = [element.text or ""]
    for child in element:
        if child.tag in _BLOCKS or child.tag == "lb":
            yield "".join(parts)
            if child.tag != "lb":
                yield from _block_texts(child)
            parts = []
        else:
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    yield "".join(parts)


def _parse_page(html: str, *, huge: bool = False) -> _Element | None:
    import lxml.html

    # trafilatura's parser options, so that both see one tree.
    parser = lxml.html.HTMLParser(
        huge_tree=huge,
        collect_ids=False,
        default_doctype=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        page: _Element = lxml.html.document_fromstring(html, parser=parser if huge else None)
    except Exception:  # lxml raises ParserError and others for pages with no elements
        return None
    return page


def _squeeze(text: str) -> str:
    """Text without whitespace, to compare texts that the HTML and trafilatura space differently."""
    return "".join(text.split())


def _link_only_texts(page: _Element) -> set[str]:
    """The texts (squeezed) of the page's elements whose visible text is all inside links.

    These are menus, "Tin liên quan" lists and teaser headlines; an extracted
    paragraph with the same text is boilerplate that trafilatura kept.
    """
    sizes: dict[_Element, tuple[int, int]] = {}  # element → (text size, size inside <a>)
    texts: set[str] = set()
    for element in reversed(list(page.iter())):  # children before their parents
        if not isinstance(element.tag, str) or element.tag in {"script", "style"}:
            sizes[element] = (0, 0)
            continue
        own = len(_squeeze(element.text or "")) + sum(
            len(_squeeze(child.tail or "")) for child in element
        )
        total = own + sum(sizes[child][0] for child in element)
        linked = total if element.tag == "a" else sum(sizes[child][1] for child in element)
        sizes[element] = (total, linked)
        if total and linked == total:
            texts.add(_squeeze(_text_of(element)))
    return texts


_PARAGRAPH_TAGS = frozenset({"p", "li", "blockquote", "td", "h2", "h3", "h4", "h5", "h6"})
_HEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})


def _restore_headings(page: _Element, body: list[str], links: set[str]) -> list[str]:
    """Put back the subheadings that lie among the article's paragraphs.

    A heading counts when it is a sibling of at least two extracted paragraphs
    and lies between them, or is the last heading before the first paragraph
    of its container; a heading in a "Tin liên quan" box inside the article has
    no extracted paragraph beside it and does not count. A heading goes before
    the paragraph that follows it on the page.
    """
    located: dict[str, tuple[int, _Element]] = {}
    headings: list[tuple[int, _Element]] = []
    for position, element in enumerate(page.iter()):
        if element.tag in _PARAGRAPH_TAGS:
            located.setdefault(clean_paragraph(_text_of(element)), (position, element))
        if element.tag in _HEADING_TAGS:
            headings.append((position, element))
    places = [located[p][0] if p in located else None for p in body]
    spans: dict[_Element, list[int]] = {}
    for paragraph in body:
        if paragraph in located:
            position, element = located[paragraph]
            spans.setdefault(element.getparent(), []).append(position)
    # The heading right before the first paragraph of a container opens it.
    openers = {}
    for position, element in headings:
        siblings = spans.get(element.getparent(), [])
        if siblings and position < min(siblings):
            openers[element.getparent()] = position
    known = set(body)
    before: dict[int, list[str]] = {}
    for position, element in headings:
        siblings = spans.get(element.getparent(), [])
        inside = len(siblings) >= 2 and min(siblings) < position < max(siblings)
        if not inside and openers.get(element.getparent()) != position:
            continue
        text = clean_paragraph(_text_of(element))
        following = [i for i, place in enumerate(places) if place is not None and place > position]
        if text and text not in known and _squeeze(text) not in links and following:
            index = min(following, key=lambda i: places[i] or 0)
            before.setdefault(index, []).append(text)
            known.add(text)
    if not before:
        return body
    return [text for i, p in enumerate(body) for text in [*before.get(i, []), p]]


def _headline(page: _Element, title: str) -> str | None:
    """The page's single <h1>, when it is the headline and not, say, the site logo."""
    headings = [h for h in (clean_paragraph(_text_of(e)) for e in page.iter("h1")) if h]
    if len(headings) != 1:
        return None
    if not title:
        return headings[0]
    words = set(headings[0].lower().split())
    title_words = set(title.lower().split())
    overlap = len(words & title_words) / len(words | title_words)
    return headings[0] if overlap >= 0.5 else None


def _lead(page: _Element, description: str, known: list[str]) -> str | None:
    """The lead paragraph if trafilatura left it out: the visible element that holds the description."""
    if any(description in p for p in known):
        return None
    limit = len(description) + 80  # room for a dateline such as "(Chinhphu.vn) - "
    body = page.find("body")
    for element in (page if body is None else body).iter():
        if not isinstance(element.tag, str) or element.tag in {"script", "style"}:
            continue
        text = _bounded_text(element, limit)
        if text is not None and description in (cleaned := clean_paragraph(text)):
            return None if cleaned in known else cleaned
    return None


def _bounded_text(element: _Element, limit: int) -> str | None:
    """The element's text, or None as soon as it is longer than ``limit``."""
    parts: list[str] = []
    size = 0
    for piece in element.itertext():
        size += len(piece)
        if size > limit:
            return None
        parts.append(piece)
    return "".join(parts)


def _text_of(element: _Element) -> str:
    return "".join(element.itertext())
