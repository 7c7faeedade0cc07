"""Small hand-written WordPress pages for the parser unit tests (WordPress 6.1 markup)."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.page import Page

FETCHED = datetime(2026, 1, 1, tzinfo=UTC)
SITE = "http://127.0.0.1:8080"
POST_URL = f"{SITE}/2025/01/deportation-flights/"


def page(url: str, body: str | bytes, **headers: str) -> Page:
    """A Page as the spider hands it over (UTF-8 body)."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    return Page(url=url, body=raw, fetched_at=FETCHED, headers=headers, encoding="utf-8")


def classic_comment(
    cid: int, author: str, when: str, body: str, children: str = "", url: str | None = None
) -> str:
    """One `wp_list_comments()` item as twentytwentyone renders it (html5 walker)."""
    name = (
        f'<a href="{url}" class="url" rel="ugc external nofollow">{author}</a>' if url else author
    )
    nested = f'<ol class="children">{children}</ol>' if children else ""
    return f"""<li id="comment-{cid}" class="comment even thread-even depth-1 parent">
<article id="div-comment-{cid}" class="comment-body">
<footer class="comment-meta"><div class="comment-author vcard">
<img alt='' src='https://secure.gravatar.com/avatar/x?s=60' class='avatar avatar-60 photo' height='60' width='60' loading='lazy'/>
<b class="fn">{name}</b> <span class="says">says:</span></div>
<div class="comment-metadata"><a href="{POST_URL}#comment-{cid}"><time datetime="{when}">January 3, 2025 at 10:00 am</time></a></div>
</footer>
<div class="comment-content">{body}</div>
<div class="reply"><a rel='nofollow' class='comment-reply-link' href='{POST_URL}?replytocom={cid}#respond' data-commentid="{cid}" aria-label='Reply to {author}'>Reply</a></div>
</article>{nested}</li>
"""


PAGINATION = f"""<nav class="navigation comments-pagination" aria-label="Comments">
<h2 class="screen-reader-text">Comments navigation</h2><div class="nav-links">
<a class="prev page-numbers" href="{POST_URL}comment-page-1/#comments">Older comments</a>
<a class="page-numbers" href="{POST_URL}comment-page-1/#comments">Page 1</a>
<span aria-current="page" class="page-numbers current">Page 2</span>
<span class="page-numbers dots">&hellip;</span>
<a class="page-numbers" href="{POST_URL}comment-page-4/#comments">Page 4</a>
<a class="next page-numbers" href="{POST_URL}comment-page-3/#comments">Newer comments</a>
</div></nav>"""

SIDEBAR = f"""<aside class="widget-area">
<section id="recent-comments-2" class="widget widget_recent_comments"><h2 class="widget-title">Recent Comments</h2>
<ul id="recentcomments"><li class="recentcomments"><span class="comment-author-link">Widget Person</span> on
<a href="{POST_URL}#comment-7">Deportation flights</a></li></ul></section>
<section class="widget widget_tag_cloud"><a href="{SITE}/tag/other/" class="tag-cloud-link">other</a></section>
</aside>"""


def classic_post(
    comments: str,
    *,
    pagination: str = PAGINATION,
    count_title: str = "5 comments",
    form: str = '<div id="respond" class="comment-respond"><form id="commentform">'
    '<input type="hidden" name="_wpnonce" value="NONCE"></form></div>',
    sidebar: str = SIDEBAR,
) -> str:
    """A twentytwentyone single post page around the given comment items."""
    comment_area = ""
    if comments:
        comment_area = f"""<h2 class="comments-title">{count_title}</h2>
<ol class="comment-list">{comments}</ol><!-- .comment-list -->
{pagination}"""
    return f"""<!doctype html>
<html lang="en-US" class="respond-no-js">
<head><meta charset="UTF-8"><title>Deportation flights &#8211; Test Blog</title>
<link rel="canonical" href="{POST_URL}comment-page-2/#comments" />
<link rel='shortlink' href='{SITE}/?p=42' />
<script>var x = "<li id='comment-99'>";</script>
</head>
<body class="post-template-default single single-post postid-42 single-format-standard">
<div id="page" class="site"><main id="main" class="site-main">
<article id="post-42" class="post-42 post type-post status-publish format-standard hentry category-policy tag-cecot entry">
<header class="entry-header alignwide"><h1 class="entry-title">Deportation &#8220;flights&#8221; to CECOT</h1></header>
<div class="entry-content">
<p>First paragraph about <strong>CECOT</strong>.</p>
<p>Second<br />line.</p>
</div>
<footer class="entry-footer default-max-width">
<div class="posted-by"><span class="posted-on">Published <time class="entry-date published updated" datetime="2025-01-02T05:00:00-05:00">January 2, 2025</time></span>
<span class="byline">By <a href="{SITE}/author/ad-min/" rel="author">Ad Min</a></span></div>
<div class="post-taxonomies"><span class="cat-links">Categorized as <a href="{SITE}/category/policy/" rel="category tag">Policy</a> </span>
<span class="tags-links">Tagged <a href="{SITE}/tag/cecot/" rel="tag">CECOT</a>, <a href="{SITE}/tag/bukele/" rel="tag">Bukele</a></span></div>
</footer>
</article>
<div id="comments" class="comments-area default-max-width show-avatars">
{comment_area}
{form}
</div><!-- #comments -->
</main>{sidebar}</div>
</body>
</html>
"""


NESTED = (
    classic_comment(
        7,
        "José Ñúñez",
        "2025-01-03T10:00:00-05:00",
        "<p>Hello &lt;script&gt;alert(1)&lt;/script&gt; world</p>\n"
        "<blockquote><p>quoted   text</p></blockquote>\n<p>After.</p>",
        url="https://example.org/",
        children=classic_comment(
            9,
            "Anon Reader",
            "2025-01-03T11:00:00-05:00",
            "<p>@José reply</p>",
            children=classic_comment(11, "Deep", "2025-01-03T12:00:00-05:00", "<p>deep</p>"),
        ),
    )
    + (
        '<li id="comment-8" class="pingback even thread-odd depth-1">'
        "<div class=\"comment-body\">Pingback: <a href='http://x/'>Other</a></div></li>"
    )
    + classic_comment(12, "Last", "2025-01-04T12:00:00-05:00", "<p>end</p>")
)


def block_post(post_url: str = POST_URL) -> str:
    """A twentytwentythree single post page (block comment template, bare nested <ol>)."""

    def item(cid: int, name: str, link: str | None, when: str, text: str, inner: str = "") -> str:
        author = (
            f'<a rel="external nofollow ugc" href="{link}" target="_self" >{name}</a>'
            if link
            else name
        )
        nested = f"<ol>{inner}</ol>" if inner else ""
        return f"""<li id="comment-{cid}" class="comment even thread-even depth-1"><div class="wp-block-columns">
<div class="wp-block-column" style="flex-basis:40px"><div class="wp-block-avatar"><img alt="" src="x" class="avatar"/></div></div>
<div class="wp-block-column"><div class="wp-block-comment-author-name">{author}</div>
<div class="wp-block-group"><div class="wp-block-comment-date"><time datetime="{when}"><a href="{post_url}#comment-{cid}">January 3, 2025</a></time></div></div>
<div class="wp-block-comment-content">{text}</div>
<div class="wp-block-comment-reply-link"><a rel='nofollow' class='comment-reply-link' href='#comment-{cid}'>Reply</a></div>
</div></div>{nested}</li>"""

    comments = item(
        21,
        "Ana",
        "https://ana.example/",
        "2025-01-03T10:00:00+00:00",
        "<p>Top</p>",
        item(
            22,
            "Bo",
            None,
            "2025-01-03T11:00:00+00:00",
            "<p>Reply</p>",
            item(23, "Cy", None, "2025-01-03T12:00:00+00:00", "<p>Deeper</p>"),
        ),
    )
    return f"""<!DOCTYPE html><html lang="en-US"><head><meta charset="UTF-8" />
<title>Block post &#8211; Test Blog</title></head>
<body class="post-template-default single single-post postid-77 single-format-standard wp-embed-responsive">
<div class="wp-site-blocks"><main class="wp-block-group">
<div class="wp-block-group"><h1 class="wp-block-post-title">Block post</h1></div>
<div class="entry-content wp-block-post-content is-layout-constrained"><p>Body of the block post.</p></div>
<div class="wp-block-group"><div class="wp-block-columns"><div class="wp-block-column">
<div class="wp-block-group"><p>Posted</p><div class="wp-block-post-date"><time datetime="2025-01-02T10:00:00+00:00">January 2, 2025</time></div>
<p>in</p><div class="taxonomy-category wp-block-post-terms"><a href="{post_url}../../category/policy/" rel="tag">Policy</a></div></div>
<div class="wp-block-group"><p>by</p><div class="wp-block-post-author"><div class="wp-block-post-author__content"><p class="wp-block-post-author__name">admin</p></div></div></div>
</div><div class="wp-block-column"><div class="wp-block-group"><p>Tags:</p>
<div class="taxonomy-post_tag wp-block-post-terms"><a href="{post_url}../../tag/cecot/" rel="tag">CECOT</a></div></div></div></div></div>
<section class="wp-block-template-part"><div class="wp-block-group"><div class="wp-block-comments"><h2>Comments</h2>
<h3 id="comments" class="wp-block-comments-title">3 responses to &#8220;Block post&#8221;</h3>
<ol class="wp-block-comment-template">{comments}</ol>
<div class="wp-block-comments-pagination"><a href="{post_url}comment-page-1/#comments" class="wp-block-comments-pagination-previous">Older Comments</a>
<div class="wp-block-comments-pagination-numbers"><a class="page-numbers" href="{post_url}comment-page-1/#comments">1</a>
<span aria-current="page" class="page-numbers current">2</span></div></div>
<div id="respond" class="comment-respond wp-block-post-comments-form"><form id="commentform"></form></div>
</div></div></section></main></div></body></html>"""
