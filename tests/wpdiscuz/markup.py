"""wpDiscuz markup built field for field from the facts in platforms.md (wpDiscuz row).

A comment is `div#wpd-comm-<ID>_<parentID>.wpd-comment` with `wpd_comment_level-N` (and
`wpd-reply` on replies); its date box `.wpd-comment-date` shows relative "x ago" text,
the absolute time in its `title` where the site gives one; a reply names its parent in
`.wpd-reply-to` with a `#comment-<parent>` link. The post page shows the first comments
and a "load more" button carrying `data-lastparentid`; the load-more answer is JSON with
`data.comment_list` (HTML) and `data.is_show_load_more`. Sources in README.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

__all__ = ["Comment", "load_more_answer", "post_page", "thread_html"]


@dataclass(frozen=True)
class Comment:
    cid: int
    author: str
    ago: str  # the visible relative date ("5 days ago")
    title: str | None  # the absolute time in the date box's title, where given
    text: str
    parent: int = 0
    parent_author: str = ""


def _item(c: Comment, level: int, replies: str) -> str:
    reply_cls = " wpd-reply" if c.parent else ""
    reply_to = (f'<div class="wpd-reply-to"><i class="fas fa-reply"></i> Reply to '
                f'<a href="#comment-{c.parent}">{c.parent_author}</a></div>') if c.parent else ""
    title = f' title="{c.title}"' if c.title else ""
    return f"""<div id="wpd-comm-{c.cid}_{c.parent}" class="comment even thread-even depth-{level} wpd-comment{reply_cls} wpd_comment_level-{level}">
<div class="wpd-comment-wrap wpd-blog-guest">
<div class="wpd-comment-left"><div class="wpd-avatar"><img alt="{c.author}" src="/avatar.png" class="avatar avatar-64 photo" height="64" width="64"></div></div>
<div id="comment-{c.cid}" class="wpd-comment-right">
<div class="wpd-comment-header"><div class="wpd-comment-author">{c.author}</div>
<div class="wpd-comment-date"{title}><i class="far fa-clock" aria-hidden="true"></i> {c.ago}</div></div>
{reply_to}<div class="wpd-comment-text"><p>{c.text}</p></div>
<div class="wpd-comment-footer"><div class="wpd-reply-button"><span>Reply</span></div></div>
</div></div>
<div class="wpd-thread-list">{replies}</div></div>
"""


def thread_html(comments: list[Comment]) -> str:
    """The comments as wpDiscuz renders them, replies inside their parent's item."""
    def render(parent: int, level: int) -> str:
        return "".join(_item(c, level, render(c.cid, level + 1)) for c in comments if c.parent == parent)
    return render(0, 1)


def post_page(base: str, post_id: int, title: str, comments: list[Comment], *,
              last_parent: int | None) -> str:
    """A WordPress post page whose comment area is wpDiscuz's, with the load-more button
    when `last_parent` is given (the last top-level comment shown)."""
    button = (f'<div class="wpdiscuz-comment-pagination"><div class="wpd-load-more-submit-wrap">'
              f'<button name="submit" data-lastparentid="{last_parent}" class="wpd-load-more-submit '
              f'wpd-loaded wpd-prim-button" type="submit">Load more comments</button></div></div>'
              if last_parent is not None else "")
    return f"""<!DOCTYPE html>
<html lang="en-US"><head><meta charset="UTF-8"><title>{title}</title>
<meta name="generator" content="WordPress 6.1.9" />
<link rel="canonical" href="{base}/?p={post_id}" /></head>
<body class="post-template-default single single-post postid-{post_id}">
<article id="post-{post_id}" class="post-{post_id} post type-post status-publish">
<h1 class="entry-title">{title}</h1>
<div class="entry-content"><p>Deportation flights resumed this week.</p></div></article>
<div id="comments" class="comments-area"><div id="respond" style="width:0;height:0;clear:both;margin:0;padding:0;"></div>
<div id="wpdcom" class="wpdiscuz_unauth wpd-default wpd-layout-2 wpd-comments-open">
<div class="wpd-form-wrap"><form class="wpd_comm_form wpd_main_comm_form" method="post"><textarea name="wc_comment"></textarea></form></div>
<div id="wpd-threads" class="wpd-thread-wrapper"><div class="wpd-thread-head"><div class="wpd-thread-info">{len(comments)} Comments</div></div>
<div class="wpd-thread-list">{thread_html(comments)}{button}</div></div></div></div>
</body></html>"""


def load_more_answer(comments: list[Comment], *, more: bool) -> bytes:
    """The JSON of a load-more answer (admin-ajax.php, action=wpdLoadMoreComments)."""
    return json.dumps({"success": True, "data": {"comment_list": thread_html(comments),
                                                 "is_show_load_more": more}}).encode()
