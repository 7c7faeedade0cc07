"""The `ghost` adapter, page by page, on bodies shaped field for field like Ghost 5.130.4's.

Shapes taken from the test Ghost (tests/ghost/harness.py): its post page's head and
comments-ui script, /members/api/comments/post/ID/ and /comments/ID/replies/ (a
tombstone: `status` hidden, `html` null, member kept), sitemaps and RSS feed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from crawler.config import Source
from crawler.page import Page
from crawler.parsers import ghost_comments
from crawler.platforms import platform_for
from crawler.platforms.base import ListingRequest
from crawler.platforms.ghost import Ghost, GhostRoute, comments_url, replies_url, thread_page_number
from storage.records import RemovalRecord

SITE = "http://127.0.0.1:9/"
POST_ID = "64c000000000000000000005"
T = datetime(2025, 3, 1, tzinfo=UTC)


def _page(url: str, body: str | bytes, ctype: str = "text/html; charset=utf-8") -> Page:
    data = body.encode() if isinstance(body, str) else body
    return Page(url=url, body=data, fetched_at=T, status=200, headers={"content-type": ctype})


def post_html(script: bool = True) -> str:
    embed = (f'<script defer src="https://cdn.jsdelivr.net/ghost/comments-ui@~1.2/umd/comments-ui.min.js" '
             f'data-ghost-comments="{SITE}" data-api="{SITE}ghost/api/content/" data-key="k" '
             f'data-post-id="{POST_ID}" data-comments-enabled="paid" crossorigin="anonymous"></script>')
    ld = {"@context": "https://schema.org", "@type": "Article",
          "author": {"@type": "Person", "name": "Marta Alvarez", "url": f"{SITE}author/marta/"},
          "headline": "Deportation flights to CECOT", "url": f"{SITE}flights-to-cecot/",
          "datePublished": "2025-03-01T09:00:00.000Z", "dateModified": "2025-03-02T09:00:00.000Z"}
    return f"""<!DOCTYPE html><html><head><title>Deportation flights to CECOT</title>
<link rel="canonical" href="{SITE}flights-to-cecot/">
<meta property="article:tag" content="Deportation Policy"><meta property="article:tag" content="CECOT">
<script type="application/ld+json">{json.dumps(ld)}</script>
<meta name="generator" content="Ghost 5.130"></head><body class="post-template">
<main><article><section class="gh-content gh-canvas is-body"><p>Planes left for El Salvador.</p></section>
</article><div class="gh-comments gh-canvas">{embed if script else ""}</div></main></body></html>"""


def member(n: int, name: str | None = "Ana Reyes") -> dict[str, Any]:
    return {"id": f"64b0{n:020x}", "uuid": f"uuid-{n}", "name": name, "expertise": None, "avatar_image": None}


def comment(cid: str, *, html: str | None = "<p>Hi</p>", status: str = "published", reply_to: str | None = None,
            who: dict[str, Any] | None = None, replies: list[dict[str, Any]] | None = None,
            count: int | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": cid, "in_reply_to_id": reply_to, "in_reply_to_snippet": None, "status": status, "html": html,
        "created_at": "2025-03-01T10:00:00.000Z", "edited_at": None, "member": who or member(1), "liked": False,
    }
    if replies is not None:
        item["replies"] = replies
        item["count"] = {"replies": len(replies) if count is None else count, "likes": 0}
    return item


def api(items: list[dict[str, Any]], *, page: int = 1, pages: int = 1, total: int | None = None) -> str:
    pagination = {"page": page, "limit": 100, "pages": pages, "total": len(items) if total is None else total,
                  "next": None, "prev": None}
    return json.dumps({"comments": items, "meta": {"pagination": pagination}})


def test_ghost_is_registered() -> None:
    platform = platform_for(Source(key="g", name="G", url=SITE.rstrip("/"), platform="ghost"))
    assert isinstance(platform, Ghost)
    assert platform.discovery()[0].url == f"{SITE}sitemap.xml"
    assert platform.fallback(platform.discovery()[0])[0].url == f"{SITE}rss/"


def test_post_page_gives_the_post_and_its_first_api_page() -> None:
    read = GhostRoute().read(_page(f"{SITE}flights-to-cecot/", post_html()))
    post = read.post
    assert post is not None
    assert (post.external_id, post.title, post.author_raw, post.author_external_id) == (
        POST_ID, "Deportation flights to CECOT", "Marta Alvarez", "marta")
    assert post.published_at == datetime(2025, 3, 1, 9, tzinfo=UTC)
    assert post.tags == ("CECOT", "Deportation Policy") and post.body_text == "Planes left for El Salvador."
    assert read.links == ((3, comments_url(SITE, POST_ID, 1)),)
    assert "order=created_at%20asc" in read.links[0][1]
    assert read.site is not None and "Ghost native (paid)" in read.site


def test_a_post_page_without_the_comments_script_nor_a_feed_is_not_read() -> None:
    with pytest.raises(ValueError, match="the post's id cannot be known"):
        GhostRoute().read(_page(f"{SITE}flights-to-cecot/", post_html(script=False)))


def _feed(*items: tuple[str, str]) -> str:
    body = "".join(f"<item><title>t</title><link>{SITE}{slug}/</link><guid isPermaLink=\"false\">{gid}</guid>"
                   "</item>" for slug, gid in items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>G</title>{body}</channel></rss>'


@pytest.mark.parametrize(("extra", "why"), [
    ("", "comments are off on this site"),
    ('<aside class="gh-post-upgrade-cta"><h2>This post is for subscribers only</h2></aside>', "members only"),
])
def test_a_post_page_without_the_comments_script_gets_its_id_from_the_feed_and_says_why(
    extra: str, why: str,
) -> None:
    route = GhostRoute()
    html = post_html(script=False).replace(
        "</head>", f'<link rel="alternate" type="application/rss+xml" href="{SITE}rss/"></head>').replace(
        "</main>", f"{extra}</main>")
    first = route.read(_page(f"{SITE}flights-to-cecot/", html))
    assert first.post is None and first.post_at is not None and first.post_at.startswith(f"{SITE}rss/#")
    # Page 1 of the feed does not name it: page 2 is asked next, for the same post.
    one = route.read(_page(first.post_at, _feed(("other", "64c0aa")), "application/rss+xml"))
    assert one.post is None and one.post_at is not None and one.post_at.startswith(f"{SITE}rss/2/#")
    two = route.read(_page(one.post_at, _feed(("flights-to-cecot", POST_ID)), "application/rss+xml"))
    assert two.post is not None and two.post.external_id == POST_ID and two.comments == ()
    assert two.closed is not None and two.closed.startswith("comments closed: ") and why in two.closed
    assert two.problems == () and two.site is not None and "comments closed" in two.site
    # Another such post the feed already named is read without asking the feed again.
    again = route.read(_page(f"{SITE}other/", html.replace("flights-to-cecot", "other")))
    assert again.post is not None and again.post.external_id == "64c0aa" and again.post_at is None


def test_a_thread_page_reads_replies_tombstones_and_members() -> None:
    top, r1, r2 = "64a0" + "1" * 20, "64a0" + "2" * 20, "64a0" + "3" * 20
    hidden, r3 = "64a0" + "4" * 20, "64a0" + "5" * 20
    many = "64a0" + "6" * 20
    body = api([
        comment(top, replies=[comment(r1, reply_to=top, who=member(2, "Ben Ortiz")),
                              comment(r2, reply_to=r1, html="<p>@Ben Ortiz source?</p>")]),
        comment(hidden, status="hidden", html=None, replies=[comment(r3, reply_to=hidden)]),
        comment(many, replies=[comment(f"{many[:-1]}{n}", reply_to=many) for n in range(3)], count=5),
    ])
    url = comments_url(SITE, POST_ID, 1)
    read = GhostRoute().read(_page(url, body, "application/json"))
    by_id = {c.external_id: c for c in read.comments}
    assert hidden not in by_id, "a tombstone is history, not a comment with empty text"
    assert by_id[top].threaded_parent_external_id is None
    assert by_id[r1].threaded_parent_external_id == top
    assert by_id[r2].threaded_parent_external_id == r1, "in_reply_to_id is the comment answered"
    assert by_id[r3].threaded_parent_external_id == hidden
    assert (by_id[r1].author_raw, by_id[r1].author_external_id) == ("Ben Ortiz", "uuid-2")
    assert by_id[top].published_at == datetime(2025, 3, 1, 10, tzinfo=UTC)
    assert read.links == ((thread_page_number(replies_url(SITE, many, 1)), replies_url(SITE, many, 1)),)
    assert not read.cut_off and not read.unread
    assert read.removals == (RemovalRecord(external_id=hidden, removed_as="hidden"),)
    assert (by_id[top].edited, by_id[top].edited_at) == (False, None)  # edited_at null: not edited
    page = _page(url, body, "application/json")
    assert ghost_comments.parse_comments(page).tombstones == read.removals
    edited = json.loads(body)
    edited["comments"][0]["edited_at"] = "2025-03-02T08:30:00.000Z"
    again = ghost_comments.parse_comments(_page(url, json.dumps(edited), "application/json"))
    assert (again.comments[0].edited, again.comments[0].edited_at) == (True, datetime(2025, 3, 2, 8, 30, tzinfo=UTC))
    glimpse = GhostRoute().glimpse(page)
    assert (glimpse.fingerprint, glimpse.links) == (read.fingerprint, read.links)


def test_a_comment_without_a_member_name_is_unread_and_a_short_page_is_cut_off() -> None:
    body = api([comment("64a0" + "7" * 20, who=member(3, None))], total=2)
    read = GhostRoute().read(_page(comments_url(SITE, POST_ID, 1), body, "application/json"))
    assert read.comments == () and [u.missing for u in read.unread] == [("author",)]
    assert read.cut_off, "one of the two comments the pagination promises is missing"


def test_replies_pages_and_later_thread_pages_are_linked_with_distinct_numbers() -> None:
    many = "64a0" + "6" * 20
    read = GhostRoute().read(_page(replies_url(SITE, many, 1), api([comment("x" * 24)], pages=3, total=201)))
    assert [u for _, u in read.links] == [replies_url(SITE, many, 2), replies_url(SITE, many, 3)]
    assert read.comments[0].threaded_parent_external_id == many
    first = GhostRoute().read(_page(comments_url(SITE, POST_ID, 1), api([comment("y" * 24)], pages=2, total=101)))
    assert first.links == ((4, comments_url(SITE, POST_ID, 2)),)
    numbers = {thread_page_number(u) for u in (f"{SITE}p/", comments_url(SITE, POST_ID, 2),
                                                replies_url(SITE, many, 1), replies_url(SITE, "z" * 24, 1))}
    assert len(numbers) == 4


def test_sitemaps_and_feeds_list_posts_only() -> None:
    route = GhostRoute()
    index = ('<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             f'<sitemap><loc>{SITE}sitemap-pages.xml</loc></sitemap><sitemap><loc>{SITE}sitemap-posts.xml</loc>'
             '</sitemap></sitemapindex>')
    listing = route.read_listing(ListingRequest(url=f"{SITE}sitemap.xml", route="ghost"),
                                 _page(f"{SITE}sitemap.xml", index, "text/xml"))
    assert [m.url for m in listing.more] == [f"{SITE}sitemap-posts.xml"]
    urlset = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
              'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"><url>'
              f'<loc>{SITE}flights-to-cecot/</loc><image:image><image:loc>{SITE}content/images/a.jpg</image:loc>'
              '</image:image></url></urlset>')
    listing = route.read_listing(ListingRequest(url=f"{SITE}sitemap-posts.xml", route="ghost"),
                                 _page(f"{SITE}sitemap-posts.xml", urlset, "text/xml"))
    assert listing.post_urls == (f"{SITE}flights-to-cecot/",)
    rss = f'<?xml version="1.0"?><rss version="2.0"><channel><item><link>{SITE}a/</link></item></channel></rss>'
    listing = route.read_listing(ListingRequest(url=f"{SITE}rss/", route="ghost"), _page(f"{SITE}rss/", rss))
    assert listing.post_urls == (f"{SITE}a/",) and [m.url for m in listing.more] == [f"{SITE}rss/2/"]
