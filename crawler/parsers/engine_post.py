"""The post on a non-WordPress post page (Blogger, Drupal, any other engine): id, title, byline, dates, body.

    read_engine_post(doc, url, markup) -> PostRecord

Each engine's `PostMarkup` names its own markup first; schema.org, Open Graph and the
page's <h1>/<title> are the common fallbacks. The post's id is the engine's own
(`markup.post_id`), else its canonical URL (the generic `html` platform, whose pages
may show no id: the URL is then the join key, see docs/schema.md). Pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml import etree

from crawler.normalize.authors import author_key
from crawler.parsers.htmltext import Element, inner_html, parse_time, text_of, visible_text
from storage.records import PostRecord

__all__ = ["GENERIC", "PostMarkup", "canonical_url", "read_engine_post"]


def _xp(expr: str) -> etree.XPath:
    return etree.XPath(expr)


@dataclass(frozen=True, kw_only=True)
class PostMarkup:
    """Where one engine puts a post's parts (XPaths, tried before the common ones)."""

    name: str
    post_id: Callable[[Element, str], str | None] = lambda doc, url: None
    title: tuple[etree.XPath, ...] = ()
    body: tuple[etree.XPath, ...] = ()
    author: tuple[etree.XPath, ...] = ()
    # elements whose datetime/content/title attribute (else text) is the post's date
    published: tuple[etree.XPath, ...] = ()
    tags: tuple[etree.XPath, ...] = field(default=())


# The common fallbacks, most specific first.
_TITLE = (_xp("/html/head/meta[@property='og:title']/@content"), _xp("//h1"), _xp("/html/head/title"))
_BODY = (_xp("//*[@itemprop='articleBody']"), _xp("//div[contains(@class, 'entry-content')]"),
         _xp("//article"))
_AUTHOR = (_xp("/html/head/meta[@name='author']/@content"), _xp("//a[@rel='author']"),
           _xp("//*[@itemprop='author']//*[@itemprop='name']"))
_PUBLISHED = (_xp("/html/head/meta[@property='article:published_time']/@content"),
              _xp("//*[@itemprop='datePublished']"), _xp("//time[@datetime]"))
_MODIFIED = _xp("/html/head/meta[@property='article:modified_time']/@content")
_CANONICAL = (_xp("/html/head/link[@rel='canonical']/@href"),
              _xp("/html/head/meta[@property='og:url']/@content"))

GENERIC = PostMarkup(name="html")


def canonical_url(doc: Element, url: str) -> str:
    """The page's canonical URL (rel=canonical, og:url), else its own; without fragment,
    and without the comment pager's `page` query."""
    for xpath in _CANONICAL:
        found = [str(v).strip() for v in xpath(doc) if str(v).strip()]
        if found:
            url = urljoin(url, found[0])
            break
    parts = urlsplit(url)
    query = "&".join(q for q in parts.query.split("&") if q and not re.match(r"(?:page|cpage)=", q))
    return urlunsplit(parts._replace(query=query, fragment=""))


def _first(xpaths: tuple[etree.XPath, ...], doc: Element, skip: Callable[[Element], bool]) -> str | Element | None:
    for xpath in xpaths:
        for found in xpath(doc):
            if found.strip() if isinstance(found, str) else not skip(found):
                return str(found) if isinstance(found, str) else found
    return None


def _in_comments(el: Element) -> bool:
    """Inside the comment section (the body's classes say nothing: "has-comments")."""
    for a in el.iterancestors():
        if a.tag in ("body", "html"):
            return False
        if "comment" in f"{a.get('class') or ''} {a.get('id') or ''}":
            return True
    return False


def _text(found: str | Element | None) -> str:
    if found is None:
        return ""
    return " ".join(str(found).split()) if isinstance(found, str) else text_of(found)


def _stamp(found: str | Element | None) -> str | None:
    if found is None:
        return None
    if isinstance(found, str):
        return found.strip() or None
    for name in ("datetime", "content", "title"):
        value = (found.get(name) or "").strip()
        if value:
            return value
    return text_of(found) or None


def read_engine_post(doc: Element, url: str, markup: PostMarkup) -> PostRecord:
    """The post of a single-post page, read with `markup` first, then the common markup."""
    title = _text(_first(markup.title + _TITLE, doc, _in_comments))
    body = _first(markup.body + _BODY, doc, _in_comments)
    body_el = body if body is not None and not isinstance(body, str) else None
    author = _first(markup.author + _AUTHOR, doc, _in_comments)
    author_raw = _text(author)
    author_url = author.get("href") if author is not None and not isinstance(author, str) else None
    published = _stamp(_first(markup.published + _PUBLISHED, doc, _in_comments))
    modified = next((str(v) for v in _MODIFIED(doc)), None)
    tags = sorted({_text(t) for xp in markup.tags for t in xp(doc) if _text(t)}, key=str.casefold)
    post_url = canonical_url(doc, url)
    return PostRecord(
        external_id=markup.post_id(doc, url) or post_url,
        url=post_url,
        title=title,
        author_raw=author_raw,
        author_key=author_key(author_raw) if author_raw else "",
        author_url=urljoin(url, author_url) if author_url else None,
        published_raw=published,
        published_at=parse_time(published),
        modified_raw=modified,
        modified_at=parse_time(modified),
        tags=tuple(tags),
        body_html=inner_html(body_el) if body_el is not None else "",
        body_text=visible_text(body_el) if body_el is not None else "",
    )
