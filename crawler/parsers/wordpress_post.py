"""The post on a WordPress post page (HTML): id, title, byline, dates, terms, body."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from lxml import etree

from crawler.normalize.authors import author_key
from crawler.parsers import wordpress_selectors as sel
from crawler.parsers.htmltext import (
    Element,
    has_class,
    inner_html,
    parse_time,
    text_of,
    visible_text,
)
from crawler.parsers.wordpress_common import (
    author_external_id,
    strip_comment_page,
    term_sort_key,
)
from storage.records import PostRecord

__all__ = ["read_post"]


def _text(el: Element) -> str:
    return text_of(el)


def read_post(doc: Element, url: str, comment_list: Element | None) -> PostRecord:
    """The post shown on a single-post page; `comment_list` (if any) is left out of the
    search for the post's parts."""
    article = sel.POST_ARTICLE(doc)
    scopes = _post_scopes(article[0] if article else (sel.MAIN(doc) or [doc])[0], comment_list)
    titles = _find(sel.POST_TITLE, scopes) or sel.POST_TITLE(doc)
    title = _text(titles[0]) if titles else ""
    if not title:
        head = sel.HEAD_TITLE(doc)
        title = _text(head[0]) if head else ""
    content = next(
        (
            c
            for c in _find(sel.POST_CONTENT, scopes)
            if sel.POST_CONTENT_CLASSES.intersection((c.get("class") or "").split())
        ),
        None,
    )
    author_raw, author_url = _post_author(scopes)
    published_raw, modified_raw = _post_times(doc, scopes)
    tags, categories = _terms(scopes)
    canonical = sel.CANONICAL(doc)
    post_url = strip_comment_page(urljoin(url, str(canonical[0])) if canonical else url)
    return PostRecord(
        external_id=_post_id(doc, article),
        url=post_url,
        title=title,
        author_raw=author_raw,
        author_key=author_key(author_raw),
        author_external_id=author_external_id(author_url),
        author_url=author_url,
        published_raw=published_raw,
        published_at=parse_time(published_raw),
        modified_raw=modified_raw,
        modified_at=parse_time(modified_raw),
        tags=tags,
        categories=categories,
        body_html=inner_html(content) if content is not None else "",
        body_text=visible_text(content) if content is not None else "",
        comment_count_displayed=_displayed_count(doc, comment_list),
    )


def _post_scopes(container: Element, comment_list: Element | None) -> list[Element]:
    """Where the post's own parts are: `container` (the post's article, else <main>) minus
    the comment list's subtree. Block themes put the comments inside <main>; searching
    them for the byline, dates and terms would cost more than the comments themselves,
    and a commenter's rel=tag or rel=author link is not the post's."""
    if comment_list is None or not any(a is container for a in comment_list.iterancestors()):
        return [container]
    chain = set(comment_list.iterancestors())
    scopes: list[Element] = []
    stack = [container]
    while stack:
        for child in stack.pop():
            if child is comment_list or not isinstance(child.tag, str):
                continue
            (stack if child in chain else scopes).append(child)
    scopes.sort(key=lambda el: el.sourceline or 0)  # page order, for "first" lookups
    return scopes


def _find(xpath: etree.XPath, scopes: list[Element]) -> list[Element]:
    return [found for scope in scopes for found in xpath(scope)]


def _post_id(doc: Element, article: list[Element]) -> str:
    body_class = sel.BODY_CLASS(doc)
    if body_class:
        m = sel.POSTID_CLASS.search(str(body_class[0]))
        if m:
            return m.group(1)
    if article:
        m = sel.POST_ARTICLE_ID.match(article[0].get("id") or "")
        if m:
            return m.group(1)
    for href in sel.SHORTLINK(doc):
        m = sel.SHORTLINK_ID.search(str(href))
        if m:
            return m.group(1)
    return ""


def _post_author(scopes: list[Element]) -> tuple[str, str | None]:
    links = _find(sel.AUTHOR_LINK, scopes)
    if links:
        return _text(links[0]), links[0].get("href")
    names = _find(sel.AUTHOR_NAME_BLOCK, scopes)
    if names:
        link = next(names[0].iter("a"), None)
        return _text(names[0]), (link.get("href") if link is not None else None)
    return "", None


def _post_times(doc: Element, scopes: list[Element]) -> tuple[str | None, str | None]:
    published = sel.META_PUBLISHED(doc)
    modified = sel.META_MODIFIED(doc)
    published_raw = str(published[0]) if published else None
    modified_raw = str(modified[0]) if modified else None
    if published_raw is None:
        for t in _find(sel.POSTED_ON_TIME, scopes):
            # Themes that show both mark the modified one `updated` without `published`.
            if has_class(t, "updated") and not has_class(t, "published"):
                modified_raw = modified_raw or t.get("datetime")
            elif published_raw is None:
                published_raw = t.get("datetime")
    return published_raw, modified_raw


def _terms(scopes: list[Element]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    tags: dict[str, None] = {}
    categories: dict[str, None] = {}
    for a in _find(sel.TERM_LINKS, scopes):
        name = _text(a)
        if name:
            (categories if _is_category(a) else tags)[name] = None
    return tuple(sorted(tags, key=term_sort_key)), tuple(sorted(categories, key=term_sort_key))


def _is_category(a: Element) -> bool:
    if "category" in (a.get("rel") or "").split():
        return True
    href = a.get("href") or ""
    if "/category/" in href or re.search(r"[?&]cat=", href):
        return True
    for parent in a.iterancestors():
        if has_class(parent, "taxonomy-category") or has_class(parent, "cat-links"):
            return True
        if has_class(parent, "taxonomy-post_tag") or has_class(parent, "tags-links"):
            return False
    return False


def _displayed_count(doc: Element, comment_list: Element | None) -> int | None:
    titles = sel.TITLE_BEFORE_LIST(comment_list) if comment_list is not None else []
    for title in titles or sel.COMMENTS_TITLES(doc):
        text = _text(title)
        if sel.ONE_IN_TITLE.match(text):
            return 1
        m = sel.COUNT_IN_TITLE.search(text)
        if m:
            digits = re.sub(r"\D", "", m.group(1))
            if digits:
                return int(digits)
    return None
