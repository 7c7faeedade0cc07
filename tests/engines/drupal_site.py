"""A Drupal-like site: nodes with threaded, paged comments, in Drupal 7 (Bartik) or 10 (Olivero) markup.

Built from the core templates cited in tests/engines/README.md: D7 `<a id="comment-N">`
anchors before each `div.comment` (RDF `content` stamps), D10 `article#comment-N`,
replies in `div.indented` after their parent, the comment pager (`ul.pager` /
`nav.pager`, `?page=N` from 0), `/rss.xml`, node ids in `node-N` /
`data-history-node-id` and the shortlink.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from html import escape

__all__ = ["DComment", "DNode", "DrupalSite"]


@dataclass
class DComment:
    cid: str
    author: str
    created: datetime
    html: str
    parent: str | None = None


@dataclass
class DNode:
    nid: str
    title: str
    created: datetime
    body: str
    tags: tuple[str, ...] = ()
    comments: list[DComment] = field(default_factory=list)


class DrupalSite:
    base = ""

    def __init__(self, nodes: list[DNode], *, version: int = 10, per_page: int = 50) -> None:
        self.nodes = nodes
        self.version = version
        self.per_page = per_page
        self.failing: list[str] = []

    def node(self, nid: str) -> DNode:
        return next(n for n in self.nodes if n.nid == nid)

    def path(self, node: DNode) -> str:
        return f"node/{node.nid}" if self.version == 7 else f"articles/{node.nid}-story"

    def respond(self, path: str, query: dict[str, str]) -> tuple[int, str, bytes]:
        if path == "/rss.xml":
            items = "".join(f"<item><title>{escape(n.title)}</title><link>{self.base}{self.path(n)}</link>"
                            f"<description>x</description></item>" for n in self.nodes)
            rss = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xml:base="{self.base}">'
                   f"<channel><title>Site</title><link>{self.base}</link>{items}</channel></rss>")
            return 200, "application/rss+xml; charset=utf-8", rss.encode()
        for node in self.nodes:
            if path == f"/{self.path(node)}":
                page = int(query.get("page", "0"))
                return 200, "text/html; charset=utf-8", self.node_page(node, page).encode()
        return 404, "text/html", b"<html><body>Page not found</body></html>"

    # -- the thread, in Drupal's order: each comment followed by its replies ---------------

    def _ordered(self, node: DNode) -> list[tuple[DComment, int]]:
        kids: dict[str | None, list[DComment]] = {}
        for c in sorted(node.comments, key=lambda c: c.created):
            kids.setdefault(c.parent, []).append(c)
        out: list[tuple[DComment, int]] = []

        def walk(parent: str | None, depth: int) -> None:
            for c in kids.get(parent, []):
                out.append((c, depth))
                walk(c.cid, depth + 1)

        walk(None, 0)
        return out

    def _comments(self, node: DNode, page: int) -> str:
        shown = self._ordered(node)[page * self.per_page:(page + 1) * self.per_page]
        out: list[str] = []
        depth = 0
        for c, d in shown:
            while depth < d:
                out.append('<div class="indented">')
                depth += 1
            while depth > d:
                out.append("</div>")
                depth -= 1
            out.append(self._comment7(node, c) if self.version == 7 else self._comment10(c))
        out.append("</div>" * depth)
        return "".join(out)

    def _comment7(self, node: DNode, c: DComment) -> str:
        return f"""<a id="comment-{c.cid}"></a>
<div class="comment comment-by-anonymous clearfix" about="/comment/{c.cid}#comment-{c.cid}" typeof="sioc:Post sioct:Comment">
<div class="attribution"><div class="comment-submitted">
<p class="commenter-name"><span rel="sioc:has_creator"><span class="username" xml:lang="" typeof="sioc:UserAccount" property="foaf:name" datatype="">{escape(c.author)} (not verified)</span></span></p>
<p class="comment-time"><span property="dc:date dc:created" content="{c.created.isoformat()}" datatype="xsd:dateTime">{c.created.strftime('%a, %m/%d/%Y - %H:%M')}</span></p>
<p class="comment-permalink"><a href="/comment/{c.cid}#comment-{c.cid}" class="permalink" rel="bookmark">Permalink</a></p>
</div></div>
<div class="comment-text"><div class="comment-arrow"></div>
<h3><a href="/comment/{c.cid}#comment-{c.cid}" class="permalink" rel="bookmark">{escape(c.html[:20])}</a></h3>
<div class="content"><span rel="sioc:reply_of" resource="/node/{node.nid}" class="rdf-meta element-hidden"></span>
<div class="field field-name-comment-body field-type-text-long field-label-hidden"><div class="field-items"><div class="field-item even" property="content:encoded"><p>{c.html}</p></div></div></div></div>
</div>
<ul class="links inline"><li class="comment-reply first last"><a href="/comment/reply/{node.nid}/{c.cid}">reply</a></li></ul>
</div>
"""

    def _comment10(self, c: DComment) -> str:
        return f"""<article data-comment-user-id="0" id="comment-{c.cid}" class="comment js-comment by-anonymous" role="article" data-drupal-selector="comment-{c.cid}">
<span class="hidden" data-comment-timestamp="{int(c.created.timestamp())}"></span>
<div class="comment__picture-wrapper"><div class="comment__picture"><img class="comment__picture-image" src="/core/themes/olivero/images/comment-user.svg" alt="" /></div></div>
<div class="comment__text-wrapper">
<footer class="comment__meta"><p class="comment__author"><span>{escape(c.author)}</span></p>
<p class="comment__time">{c.created.strftime('%a, %m/%d/%Y - %H:%M')}</p></footer>
<div class="comment__content"><h3><a href="/comment/{c.cid}#comment-{c.cid}" class="permalink" rel="bookmark" hreflang="en">{escape(c.html[:20])}</a></h3>
<div class="clearfix text-content field field--name-comment-body field--type-text-long field--label-hidden field__item"><p>{c.html}</p></div></div>
<div class="comment__links"><ul class="links inline comment__links-list"><li class="comment-reply"><a href="/comment/reply/node/1/comment/{c.cid}">Reply</a></li></ul></div>
</div></article>
"""

    def _pager(self, node: DNode, page: int) -> str:
        pages = -(-len(node.comments) // self.per_page)
        if pages <= 1:
            return ""
        if self.version == 7:
            items = "".join(f'<li class="pager-item"><a href="/{self.path(node)}?page={p}">{p + 1}</a></li>'
                            if p != page else f'<li class="pager-current">{p + 1}</li>' for p in range(pages))
            nxt = (f'<li class="pager-next"><a href="/{self.path(node)}?page={page + 1}">next ›</a></li>'
                   if page + 1 < pages else "")
            return f'<h2 class="element-invisible">Pages</h2><div class="item-list"><ul class="pager">{items}{nxt}</ul></div>'
        nxt = (f'<li class="pager__item pager__item--next"><a href="?page={page + 1}" title="Go to next page" rel="next">Next page</a></li>'
               if page + 1 < pages else "")
        prev = (f'<li class="pager__item pager__item--previous"><a href="?page={page - 1}" rel="prev">Previous page</a></li>'
                if page > 0 else "")
        return f'<nav class="pager" role="navigation"><ul class="pager__items js-pager__items">{prev}{nxt}</ul></nav>'

    def node_page(self, node: DNode, page: int) -> str:
        tags = "".join(f'<a href="/taxonomy/term/{i}">{escape(t)}</a>' for i, t in enumerate(node.tags, 1))
        comments = self._comments(node, page)
        pager = self._pager(node, page)
        stamp = node.created.strftime("%a, %m/%d/%Y - %H:%M")
        if self.version == 7:
            return f"""<!DOCTYPE html><html lang="en" dir="ltr"><head><meta name="Generator" content="Drupal 7 (http://drupal.org)" />
<link rel="shortlink" href="/node/{node.nid}" /><link rel="canonical" href="/node/{node.nid}" /><title>{escape(node.title)} | Site</title></head>
<body class="html not-front page-node page-node- page-node-{node.nid} node-type-article"><div id="page">
<h1 class="title" id="page-title">{escape(node.title)}</h1>
<div id="node-{node.nid}" class="node node-article clearfix" about="/node/{node.nid}" typeof="sioc:Item foaf:Document">
<div class="meta submitted"><span property="dc:date dc:created" content="{node.created.isoformat()}" datatype="xsd:dateTime" rel="sioc:has_creator">Submitted by <span class="username" property="foaf:name">editor</span> on {stamp}</span></div>
<div class="content clearfix"><div class="field field-name-body field-type-text-with-summary field-label-hidden"><div class="field-items"><div class="field-item even" property="content:encoded">{node.body}</div></div></div>
<div class="field field-name-field-tags field-type-taxonomy-term-reference"><div class="field-items"><div class="field-item even">{tags}</div></div></div></div>
<div id="comments" class="comment-wrapper"><h2 class="title">Comments</h2>
{comments}{pager}
<h2 class="title comment-form">Add new comment</h2><form class="comment-form" action="/comment/reply/{node.nid}" method="post"><div><input type="text" name="name" /></div></form>
</div></div>
<div class="region region-sidebar-first"><div class="block block-comment" id="block-comment-recent"><h2>Recent comments</h2><div class="content"><ul><li><a href="/comment/1#comment-1">Old</a></li></ul></div></div></div>
</div></body></html>"""
        return f"""<!DOCTYPE html><html lang="en" dir="ltr"><head><meta name="Generator" content="Drupal 10 (https://www.drupal.org)" />
<link rel="canonical" href="/{self.path(node)}" /><link rel="shortlink" href="/node/{node.nid}" /><title>{escape(node.title)} | Site</title></head>
<body class="path-node page-node-type-article"><div class="page-wrapper"><main role="main">
<h1 class="title page-title"><span class="field field--name-title field--type-string field--label-hidden">{escape(node.title)}</span></h1>
<article data-history-node-id="{node.nid}" class="node node--type-article node--promoted node--view-mode-full">
<header><div class="node__meta"><span>By <span class="field field--name-uid field--type-entity-reference field--label-hidden"><span>editor</span></span></span>
<span class="node__meta-date"><span class="field field--name-created field--type-created field--label-hidden">{stamp}</span></span></div></header>
<div class="node__content"><div class="text-content clearfix field field--name-body field--type-text-with-summary field--label-hidden field__item">{node.body}</div>
<div class="field field--name-field-tags field--type-entity-reference field--label-above"><div class="field__label">Tags</div><ul class="links field__items"><li>{tags}</li></ul></div>
<section class="field field--name-comment field--type-comment field--label-above comments" data-drupal-selector="comments">
<h2 class="comments__title">Comments</h2>
{comments}{pager}
<h2 class="add-comment__heading">Add new comment</h2><form class="comment-comment-form comment-form" data-drupal-selector="comment-form" action="/comment/reply/node/{node.nid}/comment" method="post"><input type="text" name="name" /></form>
</section></div></article></main></div></body></html>"""
