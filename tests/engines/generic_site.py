"""A site of an engine nothing recognises: its comments found only by the source's `selectors`.

`div.note#note-N` items (author `.who`, date `.when[title]`, text `.said`, parent
`a.re[href="#note-N"]`), two comments a page, the next page linked by `a.more-comments`
(`?cpage=N`), no post id anywhere but the canonical URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from html import escape

__all__ = ["SELECTORS", "GComment", "GenericSite"]

SELECTORS = ('selectors = { comment = "div.note", author = ".who", date = ".when", text = ".said",'
             ' parent = "a.re", next_page = "a.more-comments" }\n')


@dataclass
class GComment:
    cid: str
    author: str
    at: datetime
    text: str
    parent: str | None = None


@dataclass
class GenericSite:
    title: str
    body: str
    comments: list[GComment] = field(default_factory=list)
    per_page: int = 2
    base: str = ""
    failing: list[str] = field(default_factory=list)

    def respond(self, path: str, query: dict[str, str]) -> tuple[int, str, bytes]:
        if path == "/":
            home = ('<html><body><main><article><h2><a href="/posts/cecot">Post</a></h2></article>'
                    '<article><h2><a href="/about">About</a></h2></article></main></body></html>')
            return 200, "text/html; charset=utf-8", home.encode()
        if path == "/posts/cecot":
            return 200, "text/html; charset=utf-8", self.page(int(query.get("cpage", "1"))).encode()
        return 404, "text/html", b"<html><body>Not found</body></html>"

    def page(self, n: int) -> str:
        shown = self.comments[(n - 1) * self.per_page: n * self.per_page]
        notes = "".join(
            f'<div class="note" id="note-{c.cid}"><span class="who">{escape(c.author)}</span> '
            f'<span class="when" title="{c.at.isoformat()}">{c.at:%b %d}</span>'
            + (f' <a class="re" href="#note-{c.parent}">re</a>' if c.parent else "")
            + f'<div class="said"><p>{escape(c.text)}</p></div></div>'
            for c in shown)
        more = (f'<a class="more-comments" href="/posts/cecot?cpage={n + 1}">Older comments</a>'
                if n * self.per_page < len(self.comments) else "")
        return f"""<!DOCTYPE html><html lang="en"><head><title>{escape(self.title)} - Zeno</title>
<link rel="canonical" href="/posts/cecot" /><meta name="author" content="Editor" />
<meta property="article:published_time" content="2025-01-02T09:00:00-08:00" /></head>
<body><main><h1>{escape(self.title)}</h1><article><div class="entry-content">{self.body}</div></article>
<section class="talk">{notes}{more}</section></main></body></html>"""
