"""WordPress AMP post pages, built from the AMP plugin's conventions (README.md here)."""

from __future__ import annotations

__all__ = ["AMP_COMMENTS", "amp_page", "canonical_page"]

AMP_COMMENTS = """<section class="amp-wp-comments"><h2>2 Comments</h2><ul>
<li id="comment-71" class="amp-wp-comment depth-1">
<div class="amp-wp-comment-author"><span class="fn">Ann Example</span></div>
<div class="amp-wp-comment-date"><time datetime="2025-11-03T10:00:00+00:00">November 3, 2025</time></div>
<div class="amp-wp-comment-content"><p>On the AMP page.</p></div>
<ul class="children"><li id="comment-72" class="amp-wp-comment depth-2">
<div class="amp-wp-comment-author"><span class="fn">Bo Reader</span></div>
<div class="amp-wp-comment-date"><time datetime="2025-11-03T11:30:00+00:00">November 3, 2025</time></div>
<div class="amp-wp-comment-content"><p>A reply.</p></div></li></ul>
</li></ul></section>"""


def amp_page(base: str, post_id: int, canonical: str, *, comments: str = "", html_attr: str = "amp") -> str:
    """An AMP Reader-template post page: the thread (`comments`) or only the link to the
    canonical page's comments."""
    link = (f'<div class="amp-wp-comments-link"><a href="{canonical}#comments">Leave a Comment</a></div>'
            if not comments else comments)
    return f"""<!doctype html>
<html {html_attr} lang="en-US"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,minimum-scale=1,initial-scale=1">
<title>Deportation flights</title><link rel="canonical" href="{canonical}">
<script async src="https://cdn.ampproject.org/v0.js"></script>
<style amp-custom>.amp-wp-article{{margin:0}}</style></head>
<body class="amp-wp-single postid-{post_id}">
<article class="amp-wp-article"><header class="amp-wp-article-header">
<h1 class="amp-wp-title">Deportation flights</h1></header>
<div class="amp-wp-article-content"><p>Deportation flights resumed this week.</p></div>
<footer class="amp-wp-article-footer">{link}</footer></article></body></html>"""


def canonical_page(base: str, post_id: int, amp_url: str) -> str:
    """The canonical post page (classic theme markup), naming its AMP version."""
    return f"""<!DOCTYPE html><html lang="en-US"><head><meta charset="UTF-8"><title>Deportation flights</title>
<link rel="canonical" href="{base}/deportation-flights/"><link rel="amphtml" href="{amp_url}"></head>
<body class="single single-post postid-{post_id}">
<article id="post-{post_id}" class="post type-post"><h1 class="entry-title">Deportation flights</h1>
<div class="entry-content"><p>Deportation flights resumed this week.</p></div></article>
<div id="comments" class="comments-area"><h2 class="comments-title">1 comment</h2><ol class="comment-list">
<li id="comment-80" class="comment even thread-even depth-1"><article id="div-comment-80" class="comment-body">
<footer class="comment-meta"><div class="comment-author vcard"><b class="fn">Cy Writer</b> <span class="says">says:</span></div>
<div class="comment-metadata"><a href="{base}/deportation-flights/#comment-80"><time datetime="2025-11-04T09:00:00+00:00">November 4, 2025</time></a></div>
</footer><div class="comment-content"><p>On the canonical page.</p></div></article></li></ol></div></body></html>"""
