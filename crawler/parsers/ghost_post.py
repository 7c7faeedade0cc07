"""A Ghost post page: the post, and the comments-ui script that says where its thread is.

    parse_post_page(page) -> GhostPost

The post is read from what Ghost's `{{ghost_head}}` writes on every theme (its JSON-LD
Article, the `article:*` meta tags, the canonical link) and from the theme's content
section (`.gh-content` in Source and Casper, `.post-content` in older themes). The
`{{comments}}` helper writes a script with `data-ghost-comments` (the site URL the
members API lives under), `data-post-id` and `data-comments-enabled` (all or paid); it
writes nothing when comments are off or the reader has no access to the post. Such a
page names no post id (the site's RSS feed, linked from every page, does: an item's
`guid`; the Content API would too, but robots.txt disallows /ghost/), and what the page
shows says why there are no comments (`GhostPost.closed`). Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from lxml import etree

from crawler.normalize.authors import author_key
from crawler.page import Page
from crawler.parsers.htmltext import (
    Element,
    detect_encoding,
    inner_html,
    parse_document,
    parse_time,
    visible_text,
)
from crawler.parsers.wordpress_common import author_external_id, term_sort_key
from storage.records import PostRecord

__all__ = ["COMMENTS_OFF", "MEMBERS_ONLY", "CommentsEmbed", "GhostPost", "comments_embed", "parse_post_page"]

# The comments-ui script of Ghost's {{comments}} helper (Ghost 5).
_EMBED = etree.XPath("//script[@data-ghost-comments][@data-post-id]")
_LD_JSON = etree.XPath("//script[@type='application/ld+json']/text()")
_META = etree.XPath("//meta[@property=$p or @name=$p]/@content")
_CANONICAL = etree.XPath("//link[@rel='canonical']/@href")
_TITLE = etree.XPath("//title/text()")
_GENERATOR = etree.XPath("//meta[@name='generator']/@content")
# The site's feed, which ghost_head links from every page.
_FEED = etree.XPath("//link[@rel='alternate'][@type='application/rss+xml']/@href")
# ghost_head writes the comment-counts script unless comments_enabled is off (Ghost 5.130).
_COUNTS = etree.XPath("//script[@data-ghost-comments-counts-api]")
# The content helper's call to action, written in place of a post the reader may not see.
_UPGRADE_CTA = etree.XPath("//aside[contains(concat(' ', normalize-space(@class), ' '), ' gh-post-upgrade-cta ')]")
MEMBERS_ONLY = "this post is for members only: Ghost shows its comments to members alone"
COMMENTS_OFF = "comments are off on this site (Ghost writes neither comments nor comment counts)"
# Where themes put the post's text: Source and Casper (gh-content), older ones (post-content).
_CONTENT = etree.XPath(
    "(//*[contains(concat(' ', normalize-space(@class), ' '), ' gh-content ')]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' post-content ')])[1]"
)


@dataclass(frozen=True, kw_only=True)
class CommentsEmbed:
    """The comments-ui script's data attributes."""

    post_id: str  # data-post-id: the post's Ghost id
    site: str  # data-ghost-comments: the site URL, with a trailing slash
    enabled: str  # data-comments-enabled: "all" or "paid" (who may write; anyone may read)


@dataclass(frozen=True, kw_only=True)
class GhostPost:
    """What a Ghost post page says."""

    post: PostRecord  # external_id "" when the page names no post id (no embed)
    embed: CommentsEmbed | None  # None: no comments-ui script (comments off, or no access)
    generator: str | None  # "Ghost 5.130"
    # Of the comments-ui script (or its absence): unchanged while the thread's place is.
    fingerprint: str
    # Without an embed: why the post has no comments (MEMBERS_ONLY, COMMENTS_OFF), None
    # when the page does not say (comments on, but the theme shows none).
    closed: str | None = None
    # Without an embed: the site's RSS feed, whose items name their posts' ids.
    feed_url: str | None = None


def comments_embed(doc: Element) -> CommentsEmbed | None:
    """The page's comments-ui script, or None."""
    found = _EMBED(doc)
    if not found:
        return None
    script = found[0]
    site = (script.get("data-ghost-comments") or "").strip()
    post_id = (script.get("data-post-id") or "").strip()
    if not site or not post_id:
        return None
    return CommentsEmbed(post_id=post_id, site=site if site.endswith("/") else site + "/",
                         enabled=(script.get("data-comments-enabled") or "").strip() or "all")


def _article(doc: Element) -> dict[str, Any]:
    for text in _LD_JSON(doc):
        try:
            data = json.loads(str(text))
        except ValueError:
            continue
        if isinstance(data, dict) and data.get("@type") == "Article":
            return data
    return {}


def _meta(doc: Element, prop: str) -> list[str]:
    return [str(v).strip() for v in _META(doc, p=prop) if str(v).strip()]


def parse_post_page(page: Page) -> GhostPost:
    """The post and its comments embed. ValueError when the page shows no Ghost post id."""
    if not page.body.strip():
        raise ValueError(f"{page.url}: empty page")
    doc = parse_document(page.body, detect_encoding(page.body, page.encoding, page.headers.get("content-type")))
    embed = comments_embed(doc)
    feeds = [urljoin(page.url, str(f)) for f in _FEED(doc)] if embed is None else []
    if embed is None and not feeds:
        # The post's identity in the archive is its Ghost id: nothing is read rather than a
        # post under another key.
        raise ValueError(f"{page.url}: no Ghost comments-ui script (data-post-id) and no RSS feed "
                         "linked: the post's id cannot be known")
    article = _article(doc)
    found = article.get("author")
    author: dict[str, Any] = found if isinstance(found, dict) else {}
    author_raw = " ".join(str(author.get("name") or "").split()) or next(iter(_meta(doc, "twitter:data1")), "")
    author_url = str(author.get("url")) if author.get("url") else None
    published_raw = str(article.get("datePublished") or "") or next(iter(_meta(doc, "article:published_time")), None)
    modified_raw = str(article.get("dateModified") or "") or next(iter(_meta(doc, "article:modified_time")), None)
    title = str(article.get("headline") or "") or next(iter(_meta(doc, "og:title")), "") \
        or " ".join(str(t) for t in _TITLE(doc)).strip()
    canonical = _CANONICAL(doc)
    content = _CONTENT(doc)
    body = content[0] if content else None
    tags = sorted(set(_meta(doc, "article:tag")), key=term_sort_key)
    post = PostRecord(
        external_id=embed.post_id if embed is not None else "",
        url=urljoin(page.url, str(canonical[0])) if canonical else page.url,
        title=" ".join(title.split()),
        author_raw=author_raw,
        author_key=author_key(author_raw),
        author_external_id=author_external_id(author_url),
        author_url=author_url,
        published_raw=published_raw,
        published_at=parse_time(published_raw),
        modified_raw=modified_raw,
        modified_at=parse_time(modified_raw),
        tags=tuple(tags),
        body_html=inner_html(body) if body is not None else "",
        body_text=visible_text(body) if body is not None else "",
    )
    generator = next((str(g) for g in _GENERATOR(doc) if str(g).lower().startswith("ghost")), None)
    closed = None
    if embed is None:
        closed = MEMBERS_ONLY if _UPGRADE_CTA(doc) else None if _COUNTS(doc) else COMMENTS_OFF
    return GhostPost(post=post, embed=embed, generator=generator, fingerprint=embed_fingerprint(embed),
                     closed=closed, feed_url=feeds[0] if feeds else None)


def embed_fingerprint(embed: CommentsEmbed | None) -> str:
    key = "none" if embed is None else f"{embed.post_id}\0{embed.site}\0{embed.enabled}"
    return hashlib.sha256(b"ghost-embed-v1\0" + key.encode()).hexdigest()
