"""The article of a news page: trafilatura, corrected where it fails on Vietnamese news sites.

Imported by the HTML reader on the first page it reads (trafilatura takes a
moment to import); every paragraph is normalised like the other readers' text.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from translate.readers import clean_paragraph

if TYPE_CHECKING:
    from lxml.etree import _Element


def extract_article(html: str) -> list[str]:
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

    Args:
        html: The page, decoded.

    Returns:
        The paragraphs; empty when the page has no article text.
    """
    import trafilatura  # heavy (~0.15 s to import): only when an HTML page is read

    extracted = trafilatura.bare_extraction(
        html,
        include_comments=False,
        # Vietnamese outlets put photo captions and fact boxes in tables.
        include_tables=True,
        include_images=False,
        include_links=False,
        with_metadata=True,
        deduplicate=False,
    )
    if extracted is None or isinstance(extracted, dict) or extracted.body is None:
        return []
    body = [p for p in map(clean_paragraph, _block_texts(extracted.body)) if p]
    title = clean_paragraph(extracted.title or "")
    lead = None
    page = _parse_page(html) if body else None
    if page is not None:
        links = _link_only_texts(page)
        body = [p for p in body if _squeeze(p) not in links]
        body = _restore_headings(page, body, links)
        title = _headline(page, title) or title
        description = clean_paragraph(extracted.description or "")
        lead = _lead(page, description, [title, *body]) if description else None
    if body and body[0] == title:
        body = body[1:]
    if not body:
        return []
    return [p for p in (title, lead) if p] + body


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


def _parse_page(html: str) -> _Element | None:
    import lxml.html

    try:
        page: _Element = lxml.html.document_fromstring(html)
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
