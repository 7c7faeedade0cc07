"""Every selector the WordPress parsers use, compiled once, each with why it exists.

Classic themes (twentytwentyone and most real blogs) render comments through
`wp_list_comments()`; block themes (twentytwentythree) through the `core/comment-template`
block. Both are covered.

Speed: libxml2 evaluates `//*[...]` by visiting every node (1.5-3.5 ms on a 250 KB page),
`//ol[...]` about ten times faster; so each document-wide XPath names its element and
tests @class with a plain `contains()`, and the parsers confirm whole class tokens in
Python (`has_class`). Inside a comment, a short Python walk replaces XPath altogether.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

# --- the comment region -------------------------------------------------------------

# The list of comments itself: classic `ol.comment-list` (older themes: `commentlist`,
# some `ul`), block `ol.wp-block-comment-template`. The "recent comments" widget is
# `ul#recentcomments` with no such class, and the comment form sits outside the list.
COMMENT_LISTS = etree.XPath(
    "//ol[contains(@class, 'comment-list') or contains(@class, 'wp-block-comment-template')"
    " or contains(@class, 'commentlist')]"
)
# Rarer spellings, tried only when no <ol> matched (each `//` is a scan of the page).
OTHER_COMMENT_LISTS = etree.XPath(
    "//ul[contains(@class, 'comment')] | //div[contains(@class, 'commentlist')]"
)
COMMENT_LIST_CLASSES = frozenset(("comment-list", "commentlist", "wp-block-comment-template"))
# A comment item: `li#comment-N` (or `div#comment-N` with style=div); Twenty Ten/Eleven
# style callbacks use `li#li-comment-N` around a `div|article#comment-N` body. Not
# `div-comment-N`, the id of the html5 walker's inner article.
COMMENT_ID = re.compile(r"^(?:li-)?comment-(\d+)$")


def comment_nodes(comment_list: etree._Element) -> Iterator[tuple[etree._Element, str, str]]:
    """Everything read from the comment list, in one pass and in document order: the items
    (`li|div|article#comment-N`, `li#li-comment-N`) and the boxes holding their parts
    (`b|cite|span` with `fn` in @class, `div` with `comment-` in @class), named elements
    only (the class tokens are checked by the caller). Each comes with its @id ("" for a
    name box: never an item) and @class, read once here.

    A tag-filtered iter() with these tests in Python: the XPath union of the same seven
    alternatives costs more than twice as much.
    """
    for node in comment_list.iter(_COMMENT_NODE_TAGS):
        if node is comment_list:
            continue
        tag = node.tag
        cls = node.get("class") or ""
        if tag in _NAME_TAGS:
            if "fn" in cls:
                yield node, "", cls
            continue
        ident = node.get("id") or ""
        if (
            ident.startswith("comment-")
            or (tag == "li" and ident.startswith("li-comment-"))
            or (tag == "div" and "comment-" in cls)
        ):
            yield node, ident, cls


_NAME_TAGS = frozenset(("b", "cite", "span"))
_COMMENT_NODE_TAGS = ("li", "div", "article", "b", "cite", "span")
# The items alone (those of `comment_nodes`): which comment ids a page's tree holds, for
# a post-only parse that must still notice broken markup.
COMMENT_ITEM_NODES = etree.XPath(
    "descendant::li[starts-with(@id, 'comment-') or starts-with(@id, 'li-comment-')]"
    " | descendant::div[starts-with(@id, 'comment-')] | descendant::article[starts-with(@id, 'comment-')]"
)
# Pingbacks and trackbacks sit in the same list but are not discussion, and the REST
# API's /comments endpoint leaves them out by default (type=comment): skip them in both.
PING_CLASSES = frozenset(("pingback", "trackback"))
# The parts of a comment:
# display name: classic `b.fn` in `.comment-author`, block `.wp-block-comment-author-name`;
AUTHOR_CLASSES = frozenset(("fn", "wp-block-comment-author-name"))
# the comment's own time[datetime]: classic `.comment-metadata`, block `.wp-block-comment-date`;
TIME_CLASSES = frozenset(("comment-metadata", "wp-block-comment-date", "commentmetadata"))
# Themes without html5 comment markup (Twenty Ten and many older custom themes) put the
# text straight into `div.comment-body`, beside these:
BODY_BOX_CHROME = frozenset(
    ("comment-author", "comment-meta", "commentmetadata", "reply", "comment-awaiting-moderation")
)
# its text: classic `.comment-content`, block `.wp-block-comment-content`.
CONTENT_CLASSES = frozenset(("comment-content", "wp-block-comment-content"))


# Comment pagination: classic `the_comments_pagination()` (nav.comments-pagination),
# older themes' `nav.comment-navigation`, block `div.wp-block-comments-pagination`.
def comment_paginations(doc: etree._Element) -> list[etree._Element]:
    """Every `nav` with "comment" in @class and `div` with "comments-pagination" in @class,
    in document order (the caller confirms class tokens): a tag-filtered iter(), at half
    the cost of the XPath union `//nav[...] | //div[...]`, which walks the page twice."""
    return [
        el
        for el in doc.iter("nav", "div")
        if ("comment" if el.tag == "nav" else "comments-pagination") in (el.get("class") or "")
    ]


PAGINATION_CLASSES = frozenset(
    ("comments-pagination", "comment-navigation", "wp-block-comments-pagination")
)
PAGINATION_LINKS = etree.XPath("descendant::a[@href]/@href")
# Older themes: previous/next comment links in `div.navigation` beside the list.
NAV_LINKS = etree.XPath("descendant-or-self::a[@href]")
# paginate_links() marks the page shown with span.current[aria-current=page].
PAGINATION_CURRENT = etree.XPath(
    "descendant::span[@aria-current='page' or contains(@class, 'current')]"
)
COMMENT_PAGE_IN_URL = re.compile(r"/comment-page-(\d+)/?(?=$|[?#])")
CPAGE_IN_URL = re.compile(r"[?&]cpage=(\d+)")
PAGE_IN_QUERY = re.compile(r"[?&]page=(\d+)")  # Drupal's comment pages (0-based)
# "12 comments" (twentytwentyone h2.comments-title), "12 responses to “Title”" (block
# h3.wp-block-comments-title, level configurable), "48 thoughts on …" (many themes). It
# precedes the list, so it is looked for among the list's earlier siblings first.
TITLE_BEFORE_LIST = etree.XPath("preceding-sibling::*[contains(@class, 'comments-title')][1]")
COMMENTS_TITLES = etree.XPath(
    "//h2[contains(@class, 'comments-title')] | //h3[contains(@class, 'comments-title')]"
    " | //h1[contains(@class, 'comments-title')] | //h4[contains(@class, 'comments-title')]"
)
COUNT_IN_TITLE = re.compile(r"(\d[\d,.\u00a0\u202f]*)")
ONE_IN_TITLE = re.compile(r"^\s*(one|a)\b", re.IGNORECASE)
# Raw-byte markers for the cheap fingerprint and the raw comment count (no parse).
# bytes.find() is used to locate them: a regex with `[^>]*` over 250 KB costs ~7 ms.
RAW_LIST_MARKERS = (b"comment-list", b"commentlist", b"wp-block-comment-template")
RAW_LIST_TAGS = (b"<ol", b"<ul", b"<div")
# Where the region ends: the comment form (or, with no form, the classic theme's end
# comment) and, before it, the pagination and the closed notice. Markup a commenter
# cannot write (kses strips id and class), so a comment's text never ends the region.
RAW_FORM_MARKERS = (b'id="respond"', b"id='respond'", b"<!-- #comments -->")
RAW_BEFORE_FORM_MARKERS = (
    b'class="navigation comments-pagination"',
    b'class="wp-block-comments-pagination',
    b'class="no-comments"',
)
# Markup that follows the post's text on single views (comment area, form, the block
# theme's comments block): once one is in the body, the post itself arrived whole.
RAW_AFTER_POST = (
    b'id="comments"',
    b'id="respond"',
    b'class="wp-block-comments"',
    b'class="comments-area',
)
RAW_HTML_END = re.compile(rb"</html\s*>", re.IGNORECASE)
# Counting these (C-speed bytes.count) says whether lxml's tree holds every item; the
# regex that names them runs only when it does not.
RAW_ITEM_IDS = (b'id="comment-', b"id='comment-")
# A comment item the shared reader may read, where no list marker is found: the start of
# the comment region then (crawler.parsers.comment_markup.ITEM_ID, as raw bytes).
RAW_ANY_ITEM = re.compile(
    rb"""id=["'](?:(?:li-|div-)?comment[-_]?\d|wpd-comm-\d)|schema\.org/Comment\b"""
)
RAW_COMMENT_ITEM = re.compile(
    rb"<(?:li|div|article) [^>]*?\bid=[\"']comment-(\d+)[\"']", re.IGNORECASE
)

# --- the post -----------------------------------------------------------------------

# The queried post's id: body class `postid-N` (set only on single views), else the
# `article#post-N` wrapper, else the shortlink `?p=N` in the head.
BODY_CLASS = etree.XPath("/html/body/@class")
POSTID_CLASS = re.compile(r"(?:^|\s)postid-(\d+)(?:\s|$)")
POST_ARTICLE = etree.XPath("//article[starts-with(@id, 'post-')]")
POST_ARTICLE_ID = re.compile(r"^post-(\d+)$")
SHORTLINK = etree.XPath("/html/head/link[@rel='shortlink']/@href")
SHORTLINK_ID = re.compile(r"[?&]p=(\d+)")
# Canonical URL; on comment pages WordPress puts /comment-page-N/ in it (stripped later).
CANONICAL = etree.XPath("/html/head/link[@rel='canonical']/@href")
# Title: classic `h1.entry-title`, block `h1.wp-block-post-title`; <title> as a last resort.
# (AMP's legacy Reader template: `h1.amp-wp-title`, `div.amp-wp-article-content`.)
POST_TITLE = etree.XPath(
    "descendant-or-self::h1[contains(@class, 'entry-title') or contains(@class, 'wp-block-post-title')"
    " or contains(@class, 'amp-wp-title')]"
    " | descendant-or-self::h2[contains(@class, 'wp-block-post-title')]"
)
HEAD_TITLE = etree.XPath("/html/head/title")
# Body: classic `div.entry-content` inside the post's article, block
# `div.entry-content.wp-block-post-content`.
POST_CONTENT = etree.XPath(
    "descendant-or-self::div[contains(@class, 'entry-content') or contains(@class, 'wp-block-post-content')"
    " or contains(@class, 'amp-wp-article-content')]"
)
POST_CONTENT_CLASSES = frozenset(("entry-content", "wp-block-post-content", "amp-wp-article-content"))
# Byline: twentytwentyone `a[rel=author]` (core's get_author_posts_url), block
# `p.wp-block-post-author__name` (a link only when the block is set to link).
AUTHOR_LINK = etree.XPath("descendant-or-self::a[contains(concat(' ', @rel, ' '), ' author ')]")
AUTHOR_NAME_BLOCK = etree.XPath(
    "descendant-or-self::*[self::p or self::div][contains(@class, 'wp-block-post-author__name')]"
)
AUTHOR_SLUG_IN_URL = re.compile(r"/author/([^/?#]+)/?(?:$|[?#])")
AUTHOR_ID_IN_URL = re.compile(r"[?&]author=(\d+)")
# Dates: Open Graph meta (SEO plugins) first, then the theme's visible post date
# (twentytwentyone `.posted-on time`, block `.wp-block-post-date time`), never a
# comment's time (block themes put comments inside the same <main>).
META_PUBLISHED = etree.XPath("/html/head/meta[@property='article:published_time']/@content")
META_MODIFIED = etree.XPath("/html/head/meta[@property='article:modified_time']/@content")
POSTED_ON_TIME = etree.XPath(
    "descendant-or-self::time[@datetime][ancestor::*[contains(@class, 'posted-on') or "
    "contains(@class, 'wp-block-post-date') or contains(@class, 'entry-meta') or "
    "contains(@class, 'entry-date')]]"
)
# Terms: core's term links carry rel="tag", categories rel="category tag", but under
# plain permalinks rel="category" alone; the block theme's post-terms block uses
# rel="tag" for both, inside `.taxonomy-<name>`.
TERM_LINKS = etree.XPath(
    "descendant-or-self::a[contains(concat(' ', @rel, ' '), ' tag ')"
    " or contains(concat(' ', @rel, ' '), ' category ')]"
)
MAIN = etree.XPath("//main")

# --- listings ------------------------------------------------------------------------

# Posts in archives: post_class() puts `type-post` on each entry (classic article,
# block `li.wp-block-post`); pages and attachments carry type-page / type-attachment.
LISTING_ENTRIES = etree.XPath(
    "//article[contains(@class, 'type-post')] | //li[contains(@class, 'type-post')]"
    " | //div[contains(@class, 'type-post')]"
)
ENTRY_TITLE_LINK = etree.XPath(
    "descendant::*[self::h1 or self::h2 or self::h3][contains(@class, 'entry-title') or "
    "contains(@class, 'wp-block-post-title')]//a[@href]/@href"
)
BOOKMARK_LINK = etree.XPath("descendant::a[@rel='bookmark']/@href")
# Archive pagination: classic `nav.pagination`/`.nav-links` (paginate_links), older
# `.nav-previous`, block `.wp-block-query-pagination`.
ARCHIVE_PAGINATION = etree.XPath(
    "//nav[contains(@class, 'pagination') or contains(@class, 'posts-navigation') or "
    "contains(@class, 'navigation')]//a[@href]/@href"
    " | //div[contains(@class, 'nav-links') or contains(@class, 'wp-block-query-pagination')]"
    "//a[@href]/@href"
)
HEAD_NEXT = etree.XPath("/html/head/link[@rel='next']/@href")
