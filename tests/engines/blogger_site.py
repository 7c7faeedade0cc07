"""A Blogger-like site: the GData feeds (Atom, and `alt=json`) and the post pages of a blog.

Built field for field from the formats cited in tests/engines/README.md: the posts feed
`/feeds/posts/default`, each post's comment feed `/feeds/<postId>/comments/default`
(`start-index`/`max-results` paging, openSearch totals, `related` links to a reply's
parent, `thr:in-reply-to` naming the post, `blogger.contentRemoved` on a deleted
comment), the blog's comment feed `/feeds/comments/default`, and post pages in the
markup of Blogger's threaded-comments layout (`li.comment#c<id>`, replies in
`div.comment-replies`, `meta[itemprop=postId]`, `span.deleted-comment`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from typing import Any

__all__ = ["BComment", "BPost", "BloggerSite"]

BLOG = "7001"
TAG = "tag:blogger.com,1999:blog-" + BLOG


@dataclass
class BComment:
    cid: str
    author: str
    published: datetime
    html: str
    parent: str | None = None
    uri: str | None = None
    removed: bool = False


@dataclass
class BPost:
    pid: str
    slug: str
    title: str
    author: str
    published: datetime
    body: str
    labels: tuple[str, ...] = ()
    comments: list[BComment] = field(default_factory=list)


def _iso(when: datetime) -> str:
    return when.isoformat(timespec="milliseconds")


class BloggerSite:
    base = ""
    removed_text = "This comment has been removed by the author."

    def __init__(self, posts: list[BPost]) -> None:
        self.posts = posts
        self.failing: list[str] = []
        self.feeds = True  # False: a blog that turned its feeds off (404)
        self.load_more = False  # True: the post page shows "Load more..." (a script's)

    def post(self, pid: str) -> BPost:
        return next(p for p in self.posts if p.pid == pid)

    def url(self, post: BPost) -> str:
        return f"{self.base}2025/01/{post.slug}.html"

    # -- routing -------------------------------------------------------------------

    def respond(self, path: str, query: dict[str, str]) -> tuple[int, str, bytes]:
        start = int(query.get("start-index", "1"))
        size = int(query.get("max-results", "25"))
        as_json = query.get("alt") == "json"
        if path.startswith("/feeds/") and not self.feeds:
            return 404, "text/html", b"<html><body>Not found</body></html>"
        if path == "/feeds/posts/default":
            return self._feed(self._post_entries(), start, size, as_json, "/feeds/posts/default")
        if path == "/feeds/comments/default":
            entries = [(p, c) for p in self.posts for c in p.comments]
            entries.sort(key=lambda pc: pc[1].published, reverse=True)
            return self._feed([self._comment_entry(p, c) for p, c in entries], start, size, as_json, path)
        parts = path.strip("/").split("/")
        if len(parts) == 4 and parts[0] == "feeds" and parts[2:] == ["comments", "default"]:
            post = next((p for p in self.posts if p.pid == parts[1]), None)
            if post is None:
                return 404, "text/html", b"<html><body>No such post</body></html>"
            entries = [self._comment_entry(post, c) for c in sorted(post.comments, key=lambda c: c.published)]
            return self._feed(entries, start, size, as_json, path)
        for post in self.posts:
            if path == f"/2025/01/{post.slug}.html":
                return 200, "text/html; charset=UTF-8", self.post_page(post).encode()
        if path == "/":
            links = "".join(f"<h3 class='post-title entry-title'><a href='{self.url(p)}'>{escape(p.title)}</a></h3>"
                            for p in self.posts)
            return 200, "text/html; charset=UTF-8", f"<html><body>{links}</body></html>".encode()
        return 404, "text/html", b"<html><body>Not found</body></html>"

    # -- feeds: one entry shape, two encodings ---------------------------------------------

    def _post_entries(self) -> list[dict[str, Any]]:
        return [{
            "id": f"{TAG}.post-{p.pid}", "published": _iso(p.published), "updated": _iso(p.published),
            "title": p.title, "content": p.body, "categories": list(p.labels),
            "links": [("alternate", self.url(p)),
                      ("replies", f"{self.base}feeds/{p.pid}/comments/default")],
            "author": (p.author, f"https://www.blogger.com/profile/{abs(hash(p.author)) % 10**6}"),
            "total": len(p.comments), "props": [],
        } for p in self.posts]

    def _comment_entry(self, post: BPost, c: BComment) -> dict[str, Any]:
        feed = f"https://www.blogger.com/feeds/{BLOG}/{post.pid}/comments/default"
        links = [("edit", f"{feed}/{c.cid}"), ("self", f"{feed}/{c.cid}"),
                 ("alternate", f"{self.url(post)}?showComment={int(c.published.timestamp() * 1000)}#c{c.cid}")]
        if c.parent:
            links.append(("related", f"{feed}/{c.parent}"))
        props = [("blogger.itemClass", "pid-1234"), ("blogger.displayTime", c.published.strftime("%B %d, %Y"))]
        if c.removed:
            props.append(("blogger.contentRemoved", "true"))
        return {
            "id": f"{TAG}.post-{c.cid}", "published": _iso(c.published), "updated": _iso(c.published),
            "title": "", "content": self.removed_text if c.removed else c.html, "categories": [],
            "links": links, "author": (c.author, c.uri), "props": props,
            "reply_to": (f"{TAG}.post-{post.pid}", self.url(post),
                         f"http://www.blogger.com/feeds/{BLOG}/posts/default/{post.pid}"),
        }

    def _feed(self, entries: list[dict[str, Any]], start: int, size: int, as_json: bool,
              path: str) -> tuple[int, str, bytes]:
        page = entries[start - 1: start - 1 + size]
        nxt = f"{self.base}{path.lstrip('/')}?start-index={start + size}&max-results={size}" \
            if start - 1 + size < len(entries) else None
        if as_json:
            return 200, "application/json; charset=UTF-8", self._json(page, len(entries), start, size, nxt)
        return 200, "application/atom+xml; charset=UTF-8", self._atom(page, len(entries), start, size, nxt)

    def _atom(self, entries: list[dict[str, Any]], total: int, start: int, size: int, nxt: str | None) -> bytes:
        out = [("<?xml version='1.0' encoding='UTF-8'?><feed xmlns='http://www.w3.org/2005/Atom'"
                " xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/'"
                " xmlns:gd='http://schemas.google.com/g/2005' xmlns:thr='http://purl.org/syndication/thread/1.0'>"),
               f"<id>{TAG}</id><updated>2026-12-06T10:00:00.000-08:00</updated><title type='text'>Blog</title>",
               f"<link rel='self' type='application/atom+xml' href='{self.base}feeds/posts/default'/>",
               f"<link rel='next' type='application/atom+xml' href='{escape(nxt)}'/>" if nxt else "",
               "<generator version='7.00' uri='http://www.blogger.com'>Blogger</generator>",
               (f"<openSearch:totalResults>{total}</openSearch:totalResults>"
                f"<openSearch:startIndex>{start}</openSearch:startIndex>"
                f"<openSearch:itemsPerPage>{size}</openSearch:itemsPerPage>")]
        for e in entries:
            out.append(f"<entry><id>{e['id']}</id><published>{e['published']}</published>"
                       f"<updated>{e['updated']}</updated>")
            out += [f"<category scheme='http://www.blogger.com/atom/ns#' term='{escape(t)}'/>" for t in e["categories"]]
            out.append(f"<title type='text'>{escape(e['title'])}</title><content type='html'>{escape(e['content'])}</content>")
            out += [f"<link rel='{r}' type='text/html' href='{escape(h)}'/>" for r, h in e["links"]]
            name, uri = e["author"]
            out.append(f"<author><name>{escape(name)}</name>" + (f"<uri>{escape(uri)}</uri>" if uri else "")
                       + "<email>noreply@blogger.com</email></author>")
            if "reply_to" in e:
                ref, href, source = e["reply_to"]
                out.append(f"<thr:in-reply-to href='{escape(href)}' ref='{ref}' source='{source}' type='text/html'/>")
            if "total" in e:
                out.append(f"<thr:total>{e['total']}</thr:total>")
            out += [f"<gd:extendedProperty name='{n}' value='{escape(v)}'/>" for n, v in e["props"]]
            out.append("</entry>")
        out.append("</feed>")
        return "".join(out).encode()

    def _json(self, entries: list[dict[str, Any]], total: int, start: int, size: int, nxt: str | None) -> bytes:
        def t(value: object) -> dict[str, object]:
            return {"$t": value}

        feed: dict[str, Any] = {
            "id": t(TAG), "openSearch$totalResults": t(str(total)), "openSearch$startIndex": t(str(start)),
            "openSearch$itemsPerPage": t(str(size)),
            "link": [{"rel": "next", "href": nxt}] if nxt else [], "entry": [],
        }
        for e in entries:
            name, uri = e["author"]
            entry: dict[str, Any] = {
                "id": t(e["id"]), "published": t(e["published"]), "updated": t(e["updated"]),
                "title": {"type": "text", "$t": e["title"]}, "content": {"type": "html", "$t": e["content"]},
                "link": [{"rel": r, "type": "text/html", "href": h} for r, h in e["links"]],
                "author": [{"name": t(name), **({"uri": t(uri)} if uri else {}), "email": t("noreply@blogger.com")}],
                "category": [{"term": c} for c in e["categories"]],
                "gd$extendedProperty": [{"name": n, "value": v} for n, v in e["props"]],
            }
            if "reply_to" in e:
                ref, href, source = e["reply_to"]
                entry["thr$in-reply-to"] = {"ref": ref, "href": href, "source": source, "type": "text/html"}
            if "total" in e:
                entry["thr$total"] = t(str(e["total"]))
            feed["entry"].append(entry)
        return json.dumps({"version": "1.0", "encoding": "UTF-8", "feed": feed}).encode()

    # -- the post page ---------------------------------------------------------------------

    def post_page(self, post: BPost) -> str:
        children: dict[str | None, list[BComment]] = {}
        for c in sorted(post.comments, key=lambda c: c.published):
            children.setdefault(c.parent, []).append(c)

        def item(c: BComment) -> str:
            name = f"<a href='{c.uri}' rel='nofollow'>{escape(c.author)}</a>" if c.uri else escape(c.author)
            text = f"<span class='deleted-comment'>{self.removed_text}</span>" if c.removed else c.html
            replies = "".join(item(r) for r in children.get(c.cid, []))
            thread = (f"<div class='comment-replies'><div id='c{c.cid}-rt' class='comment-thread inline-thread'>"
                      f"<ol id='c{c.cid}-ra' class='thread-chrome thread-expanded'><div>{replies}</div></ol></div></div>"
                      if replies else "")
            stamp = int(c.published.timestamp() * 1000)
            return (f"<li class='comment' id='c{c.cid}'><div class='avatar-image-container'><img src='//x/a.png'/></div>"
                    f"<div class='comment-block'><div class='comment-header'><cite class='user'>{name}</cite>"
                    f"<span class='icon user'></span><span class='datetime secondary-text'>"
                    f"<a rel='nofollow' href='{self.url(post)}?showComment={stamp}#c{c.cid}'>"
                    f"{c.published.strftime('%B %-d, %Y at %-I:%M %p')}</a></span></div>"
                    f"<p class='comment-content'>{text}</p><span class='comment-actions secondary-text'>"
                    f"<a class='comment-reply' target='_self' data-comment-id='{c.cid}'>Reply</a></span></div>"
                    f"{thread}<div class='comment-replybox-single' id='c{c.cid}-ce'></div></li>")

        top = "".join(item(c) for c in children.get(None, []))
        labels = ", ".join(f"<a href='{self.base}search/label/{escape(t)}' rel='tag'>{escape(t)}</a>" for t in post.labels)
        return f"""<!DOCTYPE html><html lang='en'><head><meta content='blogger' name='generator'/>
<title>Blog: {escape(post.title)}</title><link href='{self.url(post)}' rel='canonical'/></head>
<body><div class='widget Blog' id='Blog1'><div class='blog-posts hfeed'>
<div class='post hentry uncustomized-post-template' itemprop='blogPost' itemscope='itemscope' itemtype='http://schema.org/BlogPosting'>
<meta content='{BLOG}' itemprop='blogId'/><meta content='{post.pid}' itemprop='postId'/>
<a name='{post.pid}'></a><h3 class='post-title entry-title' itemprop='name'>{escape(post.title)}</h3>
<div class='post-body entry-content' id='post-body-{post.pid}' itemprop='description articleBody'>{post.body}</div>
<div class='post-footer'><span class='post-author vcard'>Posted by <span class='fn' itemprop='author' itemscope='itemscope' itemtype='http://schema.org/Person'>
<a class='g-profile' href='https://www.blogger.com/profile/1' rel='author' title='author profile'><span itemprop='name'>{escape(post.author)}</span></a></span></span>
<span class='post-timestamp'>at <a class='timestamp-link' href='{self.url(post)}' rel='bookmark' title='permanent link'>
<abbr class='published' itemprop='datePublished' title='{_iso(post.published)}'>{post.published.strftime('%-I:%M %p')}</abbr></a></span>
<span class='post-labels'>Labels: {labels}</span></div></div>
<div class='comments threaded' id='comments'><a name='comments'></a><h4>{len(post.comments)} comments:</h4>
<div class='comments-content'><div class='comment-thread toplevel-thread'><ol id='top-ra'>{top}</ol></div>
<div class='loadmore{"" if self.load_more else " hidden"}' data-post-id='{post.pid}'><a target='_parent' href='javascript:;'>Load more...</a></div></div>
<p class='comment-footer'><a href='https://www.blogger.com/comment/fullpage/post/{BLOG}/{post.pid}'>Post a Comment</a></p>
</div></div></div>
<script type='text/javascript'>window['__wavt'] = 'x'; _WidgetManager._SetDataContext([{{'name': 'view', 'data': {{'postId': '{post.pid}'}}}}]);</script>
</body></html>"""
