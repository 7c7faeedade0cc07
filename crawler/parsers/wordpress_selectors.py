"""Every selector the WordPress parsers use, compiled once, each with why it exists.

Classic themes (twentytwentyone and most real blogs) render comments through
`wp_list_comments()`; block themes (twentytwentythree) through the `core/comment-template`
block. Both are covered; XPath rather than CSS so that nothing is translated per call.
"""

from __future__ import annotations

import re

from lxml import etree


def _cls(name: str) -> str:
    """XPath test for a whole class token (not a substring: 'comment' must not match 'comments')."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


# --- the comment region -------------------------------------------------------------

# The list of comments itself: classic `ol.comment-list` (older themes spell it
# `commentlist`), block `ol.wp-block-comment-template`. Sidebar "recent comments" widgets
# are `ul#recentcomments`, so they never match; the comment form sits outside the list.
COMMENT_LISTS = etree.XPath(
    f"//*[(self::ol or self::ul or self::div) and ({_cls('comment-list')} or "
    f"{_cls('commentlist')} or {_cls('wp-block-comment-template')})]"
)
# A comment item: `li#comment-N` (or `div#comment-N` with style=div). Not `div-comment-N`,
# the inner article's id.
COMMENT_ID = re.compile(r"^comment-(\d+)$")
# Pingbacks and trackbacks sit in the same list but are not discussion, and the REST
# API's /comments endpoint leaves them out by default (type=comment): skip them in both.
PING_CLASSES = frozenset(("pingback", "trackback"))
# Commenter display name: classic `b.fn` in `.comment-author`, block theme's author-name div.
COMMENT_AUTHOR = etree.XPath(
    f"descendant-or-self::*[{_cls('fn')} or {_cls('wp-block-comment-author-name')}]"
)
# The comment's own time; `time[@datetime]` is machine-readable on both kinds of theme.
COMMENT_TIME = etree.XPath(
    f"descendant-or-self::*[{_cls('comment-metadata')} or {_cls('wp-block-comment-date')}]"
    "//time[@datetime]/@datetime"
)
ANY_TIME = etree.XPath("descendant-or-self::time[@datetime]/@datetime")
# The comment's text; the block theme's class is `wp-block-comment-content`.
COMMENT_CONTENT = etree.XPath(
    f"descendant-or-self::*[{_cls('comment-content')} or {_cls('wp-block-comment-content')}]"
)
# Comment pagination: classic `the_comments_pagination()` (nav.comments-pagination),
# older `nav.comment-navigation`, block `.wp-block-comments-pagination`.
COMMENT_PAGINATION = etree.XPath(
    f"//*[{_cls('comments-pagination')} or {_cls('comment-navigation')} or "
    f"{_cls('wp-block-comments-pagination')}]"
)
PAGINATION_LINKS = etree.XPath(".//a[@href]/@href")
# paginate_links() marks the page being shown with aria-current="page" / span.current.
PAGINATION_CURRENT = etree.XPath(
    f".//*[@aria-current='page' or ({_cls('page-numbers')} and {_cls('current')})]"
)
COMMENT_PAGE_IN_URL = re.compile(r"/comment-page-(\d+)/?(?=$|[?#])")
CPAGE_IN_URL = re.compile(r"[?&]cpage=(\d+)")
# "12 comments" (twentytwentyone), "12 responses to “Title”" (block), "48 thoughts on …".
COMMENTS_TITLE = etree.XPath(f"//*[{_cls('comments-title')} or {_cls('wp-block-comments-title')}]")
COUNT_IN_TITLE = re.compile(r"(\d[\d,.\u00a0\u202f ]*)")
ONE_IN_TITLE = re.compile(r"^\s*(one|a)\b", re.IGNORECASE)
# The form is present only when comments are open; `p.no-comments` says they are closed.
COMMENT_FORM = etree.XPath("//*[@id='respond' or @id='commentform']")
NO_COMMENTS = etree.XPath(f"//*[{_cls('no-comments')}]")
COMMENTS_AREA = etree.XPath("//*[@id='comments']")

# Raw-byte markers for the cheap fingerprint and the truncation check (no parse).
RAW_LIST_START = re.compile(
    rb"<(?:ol|ul|div)\b[^>]*class=[\"'][^\"']*\b(?:comment-list|commentlist|"
    rb"wp-block-comment-template)\b",
    re.IGNORECASE,
)
RAW_LIST_END = re.compile(
    rb"id=[\"'](?:respond|commentform)[\"']|<!--\s*#comments\s*-->", re.IGNORECASE
)
RAW_HTML_END = re.compile(rb"</html\s*>", re.IGNORECASE)
RAW_COMMENT_ITEM = re.compile(rb"<(?:li|div)\b[^>]*\bid=[\"']comment-\d+[\"']", re.IGNORECASE)

# --- the post -----------------------------------------------------------------------

# The queried post's id: body class `postid-N` (set only on single views), else the
# `article#post-N` wrapper, else the shortlink `?p=N` in the head.
BODY_CLASS = etree.XPath("/html/body/@class")
POSTID_CLASS = re.compile(r"(?:^|\s)postid-(\d+)(?:\s|$)")
POST_ARTICLE = etree.XPath("//article[starts-with(@id, 'post-')]")
POST_ARTICLE_ID = re.compile(r"^post-(\d+)$")
SHORTLINK = etree.XPath("//link[@rel='shortlink']/@href")
SHORTLINK_ID = re.compile(r"[?&]p=(\d+)")
CANONICAL = etree.XPath("//link[@rel='canonical']/@href")
# Title: classic `h1.entry-title`, block `.wp-block-post-title`.
POST_TITLE = etree.XPath(f"//*[{_cls('entry-title')} or {_cls('wp-block-post-title')}]")
HEAD_TITLE = etree.XPath("//title")
# Body: classic `.entry-content` inside the post's article, block `.wp-block-post-content`.
POST_CONTENT = etree.XPath(
    f"descendant::*[{_cls('wp-block-post-content')} or {_cls('entry-content')}]"
)
# Byline: twentytwentyone `a[rel=author]` (core's get_author_posts_url), block
# `.wp-block-post-author__name` (a link only when the block says so).
AUTHOR_LINK = etree.XPath("descendant::a[contains(concat(' ', @rel, ' '), ' author ')]")
AUTHOR_NAME_BLOCK = etree.XPath(f"descendant::*[{_cls('wp-block-post-author__name')}]")
AUTHOR_SLUG_IN_URL = re.compile(r"/author/([^/?#]+)/?(?:$|[?#])")
AUTHOR_ID_IN_URL = re.compile(r"[?&]author=(\d+)")
# Dates: Open Graph meta (SEO plugins) first, then the theme's visible `time` elements.
META_PUBLISHED = etree.XPath("//meta[@property='article:published_time']/@content")
META_MODIFIED = etree.XPath("//meta[@property='article:modified_time']/@content")
POSTED_ON_TIME = etree.XPath(
    f"descendant::*[{_cls('posted-on')} or {_cls('wp-block-post-date')} or "
    f"{_cls('entry-meta')} or {_cls('entry-footer')}]//time[@datetime]"
)
# Terms: core's term links carry rel="tag" (categories rel="category tag"); the block
# theme's post-terms block uses rel="tag" for both, inside `.taxonomy-<name>`.
TERM_LINKS = etree.XPath("descendant::a[contains(concat(' ', @rel, ' '), ' tag ')]")
MAIN = etree.XPath("//main")

# --- listings ------------------------------------------------------------------------

# Posts in archives: post_class() puts `type-post` on each entry (classic article,
# block `li.wp-block-post`); pages and attachments carry type-page / type-attachment.
LISTING_ENTRIES = etree.XPath(f"//*[{_cls('type-post')}]")
ENTRY_TITLE_LINK = etree.XPath(
    f"descendant::*[{_cls('entry-title')} or {_cls('wp-block-post-title')}]//a[@href]/@href"
)
BOOKMARK_LINK = etree.XPath("descendant::a[@rel='bookmark']/@href")
# Archive pagination: classic `.pagination`/`.nav-links` (paginate_links, a.page-numbers),
# older `.nav-previous`, block `.wp-block-query-pagination`.
ARCHIVE_PAGINATION = etree.XPath(
    f"//*[{_cls('pagination')} or {_cls('posts-navigation')} or {_cls('nav-links')} or "
    f"{_cls('wp-block-query-pagination')}]//a[@href]/@href"
)
HEAD_NEXT = etree.XPath("//link[@rel='next']/@href")
