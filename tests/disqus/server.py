"""Two small HTTP servers on loopback for the Disqus tests: a WordPress-like blog whose
post pages embed Disqus, and Disqus itself (its embed page and API 3.0 listPosts).

The blog (127.0.0.1) serves a home page listing its posts (and, asked to, the REST API's
/wp/v2/posts) and each post page with the
markup the Disqus WordPress plugin and Disqus's universal embed code write
(`<div id="disqus_thread">`, `disqus_config` with `this.page.url` / `this.page.identifier`,
`//<forum>.disqus.com/embed.js`). Disqus (127.0.0.2, another host) answers

    /embed/comments/?base=default&f=F&t_u=URL&t_i=ID&s_o=default
        an HTML page with <script type="text/json" id="disqus-threadData"> holding
        {"cursor": {...}, "code": 0, "response": {"thread": {...}, "posts": [...]}}
        (the first `embed_page` posts, as Disqus embeds its first page);
    /api/3.0/threads/listPosts.json?api_key=K&forum=F&thread:ident=ID&limit=N&cursor=C
        {"cursor": {"hasNext", "next", "hasPrev", "prev", "total", ...}, "code": 0,
         "response": [posts]}; a wrong key is Disqus's {"code": 5, ...} with HTTP 400.

Faults a test sets: `throttle_once` (the next API request answers 429 with Retry-After),
`fail_cursor` (a request with this cursor answers 500; "" for a thread's first page, the
one without a cursor), `empty_cursor` (answers an empty page that still says hasNext).
Every request is logged (`requests`).
"""

from __future__ import annotations

import html
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.disqus.threads import DisqusThread

__all__ = ["BlogPost", "DisqusState", "serve_blog", "serve_disqus"]

API_KEY = "TestSourceOwnKey0123456789abcdef"


@dataclass
class BlogPost:
    """A post of the WordPress-like blog."""

    post_id: int
    slug: str
    title: str
    body: str
    published: str  # ISO with offset, as WordPress prints it
    forum_in_page: bool = True  # False: the page loads Disqus without naming the forum


@dataclass
class DisqusState:
    """What the Disqus server holds and how it misbehaves."""

    threads: list[DisqusThread] = field(default_factory=list)
    embed_page: int = 50
    api_page: int = 100  # posts a listPosts page holds at most (Disqus: `limit`, at most 100)
    throttle_once: float | None = None
    fail_cursor: str | None = None
    empty_cursor: str | None = None
    requests: list[str] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)  # time.monotonic() of each request
    lock: threading.Lock = field(default_factory=threading.Lock)

    def find(self, forum: str, ident: str | None, link: str | None) -> DisqusThread | None:
        for t in self.threads:
            if t.forum == forum and ((ident and t.identifier == ident) or (not ident and t.link == link)):
                return t
        return None


def _cursor(offset: int, count: int, total: int) -> dict[str, Any]:
    has_next = offset + count < total
    return {"hasPrev": offset > 0, "prev": f"{offset}:0:1" if offset else None,
            "hasNext": has_next, "next": f"{offset + count}:0:0", "total": total,
            "id": f"{offset}:0:0", "more": has_next}


def _answer(handler: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str,
            headers: dict[str, str] | None = None) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", ctype)
    handler.send_header("Content-Length", str(len(body)))
    for k, v in (headers or {}).items():
        handler.send_header(k, v)
    handler.end_headers()
    handler.wfile.write(body)


def _disqus_handler(state: DisqusState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            q = {k: v[0] for k, v in parse_qs(parts.query).items()}
            with state.lock:
                state.requests.append(self.path)
                state.arrivals.append(time.monotonic())
                if parts.path == "/embed/comments/":
                    self._embed(q)
                elif parts.path == "/api/3.0/threads/listPosts.json":
                    self._list_posts(q)
                else:
                    _answer(self, 404, b"not found", "text/plain")

        def _embed(self, q: dict[str, str]) -> None:
            thread = state.find(q.get("f", ""), q.get("t_i"), q.get("t_u"))
            if thread is None:
                _answer(self, 404, b"no such thread", "text/plain")
                return
            first = thread.posts[: state.embed_page]
            data = {"cursor": _cursor(0, len(first), len(thread.posts)), "code": 0,
                    "response": {"thread": thread.thread_object(), "posts": first,
                                 "forum": {"id": thread.forum, "name": thread.forum},
                                 "order": "popular", "lastModified": 0}}
            script = json.dumps(data).replace("</", "<\\/")
            page = ("<!DOCTYPE html><html><head><title>Disqus Comments</title></head><body>"
                    f'<div id="postCompatContainer"></div><script type="text/json" '
                    f'id="disqus-threadData">{script}</script>'
                    '<script type="text/json" id="disqus-forumData">{}</script></body></html>')
            _answer(self, 200, page.encode("utf-8"), "text/html; charset=utf-8")

        def _list_posts(self, q: dict[str, str]) -> None:
            if state.throttle_once is not None:
                wait, state.throttle_once = state.throttle_once, None
                body = json.dumps({"code": 13, "response": "You have exceeded your hourly limit of requests"})
                _answer(self, 429, body.encode(), "application/json", {"Retry-After": f"{wait:g}"})
                return
            if q.get("api_key") != API_KEY:
                body = json.dumps({"code": 5, "response": "Invalid API key"})
                _answer(self, 400, body.encode(), "application/json")
                return
            cursor = q.get("cursor")
            if (cursor or "") == state.fail_cursor:
                _answer(self, 500, b'{"code": 15, "response": "Internal error"}', "application/json")
                return
            thread = state.find(q.get("forum", ""), q.get("thread:ident"), q.get("thread:link"))
            if thread is None:
                _answer(self, 400, b'{"code": 2, "response": "Invalid argument, \'thread\'"}', "application/json")
                return
            limit = min(int(q.get("limit", "25")), 100, state.api_page)
            offset = int(cursor.split(":")[0]) if cursor else 0
            posts = thread.posts[offset: offset + limit]
            page_cursor = _cursor(offset, len(posts), len(thread.posts))
            if cursor is not None and cursor == state.empty_cursor:
                posts, page_cursor = [], {**page_cursor, "hasNext": True}
            body = json.dumps({"cursor": page_cursor, "code": 0, "response": posts})
            _answer(self, 200, body.encode("utf-8"), "application/json")

    return Handler


def post_page(post: BlogPost, base: str, forum: str) -> str:
    url = f"{base}/{post.slug}/"
    ident = f"{post.post_id} {base}/?p={post.post_id}"
    embed = f"//{forum}.disqus.com/embed.js" if post.forum_in_page else "/wp-content/plugins/disqus/embed.js"
    return f"""<!DOCTYPE html>
<html lang="en-US"><head><meta charset="UTF-8"><title>{html.escape(post.title)}</title>
<meta name="generator" content="WordPress 6.4.2">
<link rel="canonical" href="{url}"><link rel="shortlink" href="{base}/?p={post.post_id}">
</head>
<body class="post-template-default single single-post postid-{post.post_id}">
<main id="main"><article id="post-{post.post_id}" class="post-{post.post_id} post type-post status-publish">
<header class="entry-header"><h1 class="entry-title">{html.escape(post.title)}</h1>
<div class="entry-meta"><span class="posted-on"><time class="entry-date published" datetime="{post.published}">{post.published[:10]}</time></span>
<span class="byline"><a href="{base}/author/editor/" rel="author">Editor</a></span></div></header>
<div class="entry-content">{post.body}</div>
</article>
<div id="disqus_thread"></div>
<script>
var disqus_config = function () {{
this.page.url = '{url}';
this.page.identifier = '{ident}';
this.page.title = '{html.escape(post.title)}';
}};
(function() {{ var d = document, s = d.createElement('script');
s.src = '{embed}'; s.setAttribute('data-timestamp', +new Date());
(d.head || d.body).appendChild(s); }})();
</script>
</main></body></html>"""


def _blog_handler(posts: list[BlogPost], forum: str, base: list[str],
                  rest: bool) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if path == "/":
                links = "".join(f'<article class="post-{p.post_id} post type-post"><h2 class="entry-title">'
                                f'<a href="{base[0]}/{p.slug}/">{html.escape(p.title)}</a></h2></article>'
                                for p in posts)
                page = f'<!DOCTYPE html><html><head><meta name="generator" content="WordPress 6.4.2"></head><body class="home blog"><main>{links}</main></body></html>'
                _answer(self, 200, page.encode(), "text/html; charset=UTF-8")
                return
            if path == "/wp-json/wp/v2/posts" and rest:
                items = [{"id": p.post_id, "link": f"{base[0]}/{p.slug}/", "date": p.published[:19],
                          "date_gmt": p.published[:19], "modified": p.published[:19],
                          "modified_gmt": p.published[:19], "title": {"rendered": p.title},
                          "content": {"rendered": p.body}, "comment_status": "open",
                          "_embedded": {"author": [{"name": "Editor", "link": f"{base[0]}/author/editor/"}]}}
                         for p in posts]
                _answer(self, 200, json.dumps(items).encode(), "application/json; charset=UTF-8",
                        {"X-WP-Total": str(len(items)), "X-WP-TotalPages": "1"})
                return
            for p in posts:
                if path == f"/{p.slug}/":
                    _answer(self, 200, post_page(p, base[0], forum).encode(), "text/html; charset=UTF-8")
                    return
            _answer(self, 404, b"<html><body>Not found</body></html>", "text/html")

    return Handler


@contextmanager
def _serve(handler: type[BaseHTTPRequestHandler], host: str) -> Iterator[str]:
    server = ThreadingHTTPServer((host, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serve_disqus(state: DisqusState, host: str = "127.0.0.2") -> Iterator[str]:
    """The Disqus server; yields its base URL (a source's disqus_base)."""
    with _serve(_disqus_handler(state), host) as url:
        yield url


@contextmanager
def serve_blog(posts: list[BlogPost], forum: str = "testforum", host: str = "127.0.0.1",
               rest: bool = False) -> Iterator[str]:
    """The blog; yields its base URL. `posts` may be changed while it runs; `rest`: it
    also answers /wp-json/wp/v2/posts (its posts, as WordPress's REST API lists them)."""
    base: list[str] = []
    handler = _blog_handler(posts, forum, base, rest)
    with _serve(handler, host) as url:
        base.append(url)
        yield url
