"""wpDiscuz's "load more" requests and their answers: the comments a post page does not show.

wpDiscuz (a WordPress comment plugin) shows the first comments in the post page, in its
own markup (`div#wpd-comm-ID_PARENT.wpd-comment`, read by `comment_reader`), and a "load
more" button (`button.wpd-load-more-submit[data-lastparentid]`) whose click POSTs

    /wp-admin/admin-ajax.php  action=wpdLoadMoreComments&postId=&offset=&lastParentId=
                              &sorting=newest&isFirstLoad=0&wpdType=

and gets JSON: `data.comment_list` (the next comments' HTML) and `data.is_show_load_more`
(whether more remain). Facts: /work/shared/research/platforms.md, wpDiscuz row. Pure.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin

from crawler.page import Page, form_post_body, form_post_url
from crawler.parsers.comment_reader import page_clock, read_any_comments
from crawler.parsers.htmltext import parse_fragment
from crawler.parsers.unread import UnreadComment
from storage.records import CommentRecord

__all__ = ["ACTION", "LoadMore", "first_load_more", "is_load_more", "read_load_more"]

ACTION = "wpdLoadMoreComments"
# The button, and the last top-level comment the page shows (where the next load starts).
_BUTTON = b"wpd-load-more-submit"
_LAST_PARENT = re.compile(rb"""data-lastparentid=["'](\d+)["']""")
# The site's own admin-ajax.php where the page names it (a WordPress in a subfolder);
# JSON in inline scripts escapes its slashes.
_AJAX_URL = re.compile(rb"""https?:(?:\\?/){2}[^"'\s<>]*?/wp-admin(?:\\?/)admin-ajax\.php""")
_TOP_LEVEL = re.compile(r"^wpd-comm-(\d+)_0$")


def _form(post_id: str, offset: int, last_parent: str) -> str:
    # The fields in the order the plugin's script sends them; "newest" is its default
    # order (a site set to another order: docs/wordpress-plugins.md, known limits).
    return urlencode([("action", ACTION), ("postId", post_id), ("offset", str(offset)),
                      ("lastParentId", last_parent), ("sorting", "newest"),
                      ("isFirstLoad", "0"), ("wpdType", "")])


def first_load_more(page: Page, post_id: str) -> str | None:
    """The first "load more" request of a post page that shows the button, as a thread
    page URL (crawler.page.form_post_url), else None."""
    if _BUTTON not in page.body:
        return None
    last = _LAST_PARENT.search(page.body)
    if last is None:
        return None
    named = _AJAX_URL.search(page.body)
    endpoint = (named.group(0).decode("ascii").replace("\\/", "/") if named
                else urljoin(page.url, "/wp-admin/admin-ajax.php"))
    return form_post_url(endpoint, _form(post_id, 1, last.group(1).decode("ascii")))


def is_load_more(url: str) -> bool:
    body = form_post_body(url)
    return body is not None and ("action", ACTION) in parse_qsl(body, keep_blank_values=True)


@dataclass(frozen=True)
class LoadMore:
    """One "load more" answer, read: its comments, the items not read, what comes next."""

    number: int  # its place in the thread: the post page is 1, the first load 2
    comments: tuple[CommentRecord, ...]
    unread: tuple[UnreadComment, ...]
    next_url: str | None  # the next load, when the answer says more remain
    fingerprint: str


def read_load_more(page: Page) -> LoadMore:
    """The answer to a `first_load_more` request (or a later one). Raises ValueError when
    it is not the plugin's JSON with a `comment_list`: the thread is then partial."""
    try:
        answer = json.loads(page.body)
    except ValueError as exc:
        raise ValueError(f"{page.url}: wpDiscuz load-more answer is not JSON") from exc
    data = answer.get("data") if isinstance(answer, dict) else None
    markup = data.get("comment_list") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(markup, str) or answer.get("success") is False:
        raise ValueError(f"{page.url}: wpDiscuz load-more answer has no data.comment_list")
    sent = dict(parse_qsl(form_post_body(page.url) or "", keep_blank_values=True))
    offset = int(sent.get("offset") or "1")
    number = offset + 1
    box = parse_fragment(markup)
    read = read_any_comments(box, number, page_clock(box, page.fetched_at))
    next_url = None
    if data.get("is_show_load_more"):
        tops = [m.group(1) for el in box.iter("div") if (m := _TOP_LEVEL.match(el.get("id") or ""))]
        last = str(data.get("last_parent_id") or (tops[-1] if tops else ""))
        if not last:
            raise ValueError(f"{page.url}: wpDiscuz says more comments remain but names no last one")
        endpoint = page.url.split("?", 1)[0]
        next_url = form_post_url(endpoint, _form(sent.get("postId", ""), offset + 1, last))
    return LoadMore(number=number, comments=tuple(read.comments), unread=tuple(read.unread),
                    next_url=next_url,
                    fingerprint=hashlib.sha256(b"wpdiscuz-v1\0" + page.body).hexdigest())
