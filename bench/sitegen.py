"""Synthetic WordPress site for benchmarks: N posts × M comments in twentytwentyone markup.

The pages imitate what the test WordPress renders with the classic theme: paginated
comment pages (newest page shown at the post URL), threaded replies in `ol.children`,
@-reply links to `#comment-N`, blockquotes of the post and of earlier comments, a
recent-comments widget, a comment feed per post, a home page with pagination, a feed-less
sitemap. An inline
stylesheet pads each page to about the size real theme pages reach (~250 KB).
Deterministic: the same arguments write the same bytes.
"""

from __future__ import annotations

import argparse
import html
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

__all__ = ["URLS_FILE", "SiteSpec", "generate_site", "read_urls"]

# Beside the pages: every URL a full crawl fetches, one a line, for the fetch-only limit.
URLS_FILE = "bench-urls.txt"

_WORDS = ["deportation", "flight", "detention", "CECOT", "Bukele", "Salvador", "prison", "Guantanamo", "court", "judge", "habeas", "policy", "administration", "migrants", "removal", "order", "appeal", "hearing", "evidence", "due", "process", "the", "a", "of", "to", "and", "in", "that", "is", "was", "for", "on", "with", "as", "it", "this", "by", "not", "be", "are", "from", "at", "or", "an", "argument", "point", "fact", "record", "statute", "treaty", "congress", "senate", "agency", "contract", "budget"]
_NAMES = ("Ana Ruiz", "JohnD", "Marcus Webb", "Zoë Clarke", "Paul K.", "Dana", "Hank Hill",
          "Sofía Pérez", "R. Alvarez", "ModerateMike", "Ellen", "Tom Tomlin")
_PAD = "/* " + ("theme-style-padding " * 40) + "*/\n"


@dataclass(frozen=True)
class SiteSpec:
    posts: int = 1000
    comments: int = 100
    per_page: int = 50
    page_kb: int = 250
    seed: int = 7


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(n)).capitalize() + "."


def _post_path(i: int) -> str:
    month = 1 + i % 12
    return f"/2025/{month:02d}/post-{i}/"


def _comment_li(c: dict, children: str, base: str, post_path: str) -> str:
    author = html.escape(c["author"])
    fn = (f'<a href="https://example.invalid/{c["id"]}" class="url" rel="ugc external nofollow">{author}</a>'
          if c["id"] % 3 == 0 else author)
    kids = f'<ol class="children">{children}</ol>' if children else ""
    return (
        f'<li id="comment-{c["id"]}" class="comment even thread-even depth-{c["depth"]}">'
        f'<article id="div-comment-{c["id"]}" class="comment-body"><footer class="comment-meta">'
        f'<div class="comment-author vcard"><img alt="" src="{base}/avatar.png" class="avatar avatar-60 photo" height="60" width="60" loading="lazy" decoding="async">'
        f'<b class="fn">{fn}</b> <span class="says">says:</span></div>'
        f'<div class="comment-metadata"><a href="{base}{post_path}comment-page-{c["page"]}/#comment-{c["id"]}">'
        f'<time datetime="{c["time"]}">{c["time"][:10]}</time></a></div></footer>'
        f'<div class="comment-content">{c["html"]}</div>'
        f'<div class="reply"><a rel="nofollow" class="comment-reply-link" href="#comment-{c["id"]}" '
        f'data-commentid="{c["id"]}" data-postid="{c["post"]}" data-belowelement="div-comment-{c["id"]}" '
        f'data-respondelement="respond" aria-label="Reply to {author}">Reply</a></div></article>{kids}</li>'
    )


def _mark_page(top: dict, comments: list[dict], page: int) -> None:
    """Give a top-level comment and all its replies the comment page they are shown on."""
    ids = {top["id"]}
    for c in comments:  # parents come before children, so one pass finds every descendant
        if c["id"] in ids or c["parent"] in ids:
            ids.add(c["id"])
            c["page"] = page


_ARROW = ('<svg class="svg-icon" width="24" height="24" aria-hidden="true" role="img" focusable="false" '
          'viewBox="0 0 24 24" fill="none" xmlns="http://www.w3.org/2000/svg"><path fill-rule="evenodd" '
          'clip-rule="evenodd" d="m4 13v-2h12l-4-4 1-2 7 7-7 7-1-2 4-4z" fill="currentColor"/></svg>')


def _comment_nav(base: str, path: str, page: int, n_pages: int) -> str:
    """paginate_comments_links() as twentytwentyone prints it: prev/next plus page numbers.

    Only the page links count for the parser; the prev/next arrows repeat two of them,
    which is what makes deduplication of comment-page URLs matter on real sites.
    """
    if n_pages < 2:
        return ""

    def href(q: int) -> str:
        return f"{base}{path}comment-page-{q}/#comments"

    links = []
    if page > 1:
        links.append(f'<a class="prev page-numbers" href="{href(page - 1)}">{_ARROW} '
                     '<span class="nav-prev-text">Older comments</span></a>')
    for q in range(1, n_pages + 1):
        links.append(f'<span aria-current="page" class="page-numbers current">Page {q}</span>' if q == page
                     else f'<a class="page-numbers" href="{href(q)}">Page {q}</a>')
    if page < n_pages:
        links.append(f'<a class="next page-numbers" href="{href(page + 1)}">'
                     f'<span class="nav-next-text">Newer comments</span> {_ARROW}</a>')
    return ('<nav class="navigation comments-pagination" aria-label="Comments">'
            '<h2 class="screen-reader-text">Comments navigation</h2><div class="nav-links">'
            + "\n".join(links) + "</div></nav>")


def _thread(rng: random.Random, post_id: int, spec: SiteSpec, body: str, start: datetime) -> list[dict]:
    comments: list[dict] = []
    for k in range(spec.comments):
        cid = post_id * 1000 + k + 1
        author = rng.choice(_NAMES)
        parent = 0
        text = f"<p>{html.escape(_sentence(rng, rng.randint(15, 60)))}</p>"
        if comments and rng.random() < 0.25:
            target = rng.choice(comments[-10:])
            if target["depth"] < 4 and rng.random() < 0.5:
                parent = target["id"]
            else:
                text = (f'<p><a href="#comment-{target["id"]}">@{html.escape(target["author"])}</a>: '
                        f"{html.escape(_sentence(rng, 20))}</p>")
        if rng.random() < 0.1:
            text = f"<blockquote><p>{html.escape(body[:120])}</p></blockquote>" + text
        depth = 1 + next((c["depth"] for c in comments if c["id"] == parent), 0)
        when = start + timedelta(minutes=7 * k)
        comments.append({"id": cid, "author": author, "parent": parent, "depth": depth,
                         "time": when.strftime("%Y-%m-%dT%H:%M:%S+00:00"), "html": text})
    return comments


def _render_comments(top: list[dict], all_comments: list[dict], base: str, path: str) -> str:
    by_parent: dict[int, list[dict]] = {}
    for c in all_comments:
        by_parent.setdefault(c["parent"], []).append(c)

    def render(c: dict) -> str:
        return _comment_li(c, "".join(render(k) for k in by_parent.get(c["id"], [])), base, path)

    return "".join(render(c) for c in top)


def _page(title: str, body_class: str, main: str, sidebar: str, spec: SiteSpec) -> str:
    head = (f'<!doctype html><html lang="en-US"><head><meta charset="UTF-8"><title>{html.escape(title)} – Bench Blog</title>'
            f'<style id="twenty-twenty-one-style-inline-css">')
    tail = (f'</style></head><body class="{body_class}"><div id="page" class="site"><header id="masthead" class="site-header">'
            f'<p class="site-title"><a href="/">Bench Blog</a></p></header><div id="content" class="site-content">'
            f'<div id="primary" class="content-area"><main id="main" class="site-main">{main}</main></div></div>'
            f'<aside class="widget-area">{sidebar}</aside><footer id="colophon" class="site-footer"></footer></div></body></html>')
    pad_needed = max(0, spec.page_kb * 1024 - len(head) - len(tail))
    return head + (_PAD * (pad_needed // len(_PAD) + 1))[:pad_needed] + tail


def generate_site(out: Path, spec: SiteSpec, base: str = "") -> int:
    """Write the site under `out`; return the number of post and comment pages written.

    `base` prefixes absolute links; empty keeps them root-relative so any server origin works.
    """
    rng = random.Random(spec.seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    pages = 0
    entries: list[tuple[str, str]] = []
    thread_urls: list[str] = []  # the post URL, then every comment page but the one it shows
    recent = ""
    for i in range(1, spec.posts + 1):
        path = _post_path(i)
        title = f"Deportation flights and CECOT, part {i}"
        body = " ".join(_sentence(rng, 25) for _ in range(6))
        when = start + timedelta(hours=6 * i)
        comments = _thread(rng, i, spec, body, when)
        tops = [c for c in comments if c["parent"] == 0]
        n_pages = max(1, -(-len(tops) // spec.per_page))
        for c in comments:  # the comment page each thread lands on, for permalinks
            c["post"] = i
        for n, top in enumerate(tops):
            _mark_page(top, comments, 1 + n // spec.per_page)
        article = (
            f'<article id="post-{i}" class="post-{i} post type-post status-publish format-standard hentry category-immigration tag-cecot entry">'
            f'<header class="entry-header"><h1 class="entry-title">{html.escape(title)}</h1></header>'
            f'<div class="entry-content"><p>{html.escape(body)}</p></div>'
            f'<footer class="entry-footer default-max-width"><div class="posted-by"><span class="posted-on">Published '
            f'<time class="entry-date published updated" datetime="{when.isoformat()}">{when:%B %d, %Y}</time></span>'
            f'<span class="byline">By <a href="/author/editor/" rel="author">Editor</a></span></div>'
            f'<div class="post-taxonomies"><span class="cat-links">Categorized as <a href="/category/immigration/" rel="category tag">Immigration</a></span>'
            f'<span class="tags-links">Tagged <a href="/tag/cecot/" rel="tag">CECOT</a></span></div></footer></article>'
        )
        for p in range(1, n_pages + 1):
            chunk = tops[(p - 1) * spec.per_page: p * spec.per_page]
            nav = _comment_nav(base, path, p, n_pages)
            main = (article + f'<div id="comments" class="comments-area default-max-width show-avatars">'
                    f'<h2 class="comments-title">{len(comments)} comments</h2><ol class="comment-list">'
                    f'{_render_comments(chunk, comments, base, path)}</ol>'
                    f'{nav}'
                    f'<div id="respond" class="comment-respond"><form action="/wp-comments-post.php" method="post" id="commentform">'
                    f'<textarea id="comment" name="comment"></textarea></form></div></div>')
            doc = _page(title, f"post-template-default single single-post postid-{i} single-format-standard", main, recent, spec)
            target = out / path.strip("/") / f"comment-page-{p}" / "index.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(doc, encoding="utf-8")
            if p == n_pages:  # WordPress shows the newest comment page at the post URL
                (out / path.strip("/") / "index.html").write_text(doc, encoding="utf-8")
                thread_urls.append(f"{base}{path}")
            else:
                thread_urls.append(f"{base}{path}comment-page-{p}/")
            pages += 1
        _write_comment_feed(out, base, path, title, comments)
        last = comments[-1]
        recent = ('<section id="recent-comments-2" class="widget widget_recent_comments"><h2 class="widget-title">Recent Comments</h2>'
                  f'<ul id="recentcomments"><li class="recentcomments"><span class="comment-author-link">{html.escape(last["author"])}</span> on '
                  f'<a href="{base}{path}#comment-{last["id"]}">{html.escape(title)}</a></li></ul></section>')
        entries.append((path, title))
    urls = _write_listings(out, entries, base) + thread_urls
    (out / URLS_FILE).write_text("\n".join(urls) + "\n")
    return pages


def _write_comment_feed(out: Path, base: str, path: str, title: str, comments: list[dict]) -> None:
    """The post's comment feed (`POST/feed/`): its ten newest comments, newest first, as
    WordPress serves it; the HTML route's revisit policy asks it for new activity."""
    items = "".join(
        f"<item><title>By: {html.escape(c['author'])}</title>"
        f"<link>{base}{path}comment-page-{c['page']}/#comment-{c['id']}</link>"
        f"<pubDate>{format_datetime(datetime.fromisoformat(c['time']), usegmt=True)}</pubDate></item>"
        for c in sorted(comments, key=lambda c: c["time"], reverse=True)[:10]
    )
    target = out / path.strip("/") / "feed" / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Comments on: {html.escape(title)}</title><link>{base}{path}</link>{items}"
        "</channel></rss>",
        encoding="utf-8",
    )


def _write_listings(out: Path, entries: list[tuple[str, str]], base: str) -> list[str]:
    """Home page with its pagination, wp-sitemap.xml (2,000 posts per sub-sitemap, as
    WordPress does) and robots.txt; return their URLs in the order a crawl meets them."""
    per = 10
    n = max(1, -(-len(entries) // per))
    urls = [f"{base}/robots.txt"]
    newest_first = list(reversed(entries))
    for p in range(1, n + 1):
        items = "".join(
            f'<article id="post-{pid}" class="post-{pid} post type-post status-publish format-standard hentry entry">'
            f'<header class="entry-header"><h2 class="entry-title default-max-width"><a href="{base}{path}">'
            f"{html.escape(t)}</a></h2></header></article>"
            for path, t in newest_first[(p - 1) * per: p * per] for pid in (_post_id(path),))
        links = [f'<span aria-current="page" class="page-numbers current">Page {p}</span>']
        if p < n:
            links.append(f'<a class="next page-numbers" href="{base}/page/{p + 1}/"><span class="nav-next-text">'
                         f'Older <span class="nav-short">posts</span></span> {_ARROW}</a>')
        nav = ('<nav class="navigation pagination" aria-label="Posts"><h2 class="screen-reader-text">Posts navigation</h2>'
               f'<div class="nav-links">{"".join(links)}</div></nav>')
        doc = (f'<!doctype html><html lang="en-US"><head><meta charset="UTF-8"></head><body class="home blog">'
               f'<main id="main" class="site-main">{items}{nav}</main></body></html>')
        rel = "" if p == 1 else f"page/{p}/"
        target = out / rel / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(doc, encoding="utf-8")
        urls.append(f"{base}/{rel}")
    chunk = 2000
    subs = []
    for k in range(0, len(entries), chunk):
        name = f"wp-sitemap-posts-post-{k // chunk + 1}.xml"
        locs = "".join(f"<url><loc>{base}{path}</loc></url>" for path, _ in entries[k: k + chunk])
        (out / name).write_text('<?xml version="1.0" encoding="UTF-8"?>'
                                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>')
        subs.append(f"{base}/{name}")
    (out / "wp-sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in subs) + "</sitemapindex>")
    (out / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    return urls + [f"{base}/wp-sitemap.xml"] + subs


def _post_id(path: str) -> int:
    return int(path.rstrip("/").rsplit("-", 1)[1])


def read_urls(out: Path) -> list[str]:
    """The URLs a full crawl of the site fetches (written by generate_site), in order."""
    return (out / URLS_FILE).read_text().split()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--posts", type=int, default=SiteSpec.posts)
    ap.add_argument("--comments", type=int, default=SiteSpec.comments)
    ap.add_argument("--base", default="http://127.0.0.1:8080")
    args = ap.parse_args()
    n = generate_site(args.out, SiteSpec(posts=args.posts, comments=args.comments), args.base)
    print(f"wrote {n} thread pages under {args.out}")


if __name__ == "__main__":
    main()
