"""Discovery pages: only posts of the same site, and the pages that lead to more."""

from __future__ import annotations

from crawler.parsers.wordpress_listing import parse_listing
from tests.parsers.pages import SITE, page


def test_archive_keeps_posts_only_and_follows_pagination() -> None:
    html = f"""<html><head></head><body><main>
    <article id="post-4" class="post-4 post type-post"><h2 class="entry-title"><a href="{SITE}/2025/03/a/">A</a></h2>
      <a href="{SITE}/tag/x/" rel="tag">x</a></article>
    <article id="post-9" class="post-9 page type-page"><h2 class="entry-title"><a href="{SITE}/about/">About</a></h2></article>
    <article id="post-5" class="post-5 post type-post"><h2 class="entry-title"><a href="https://other.example/2025/b/">B</a></h2></article>
    <article id="post-6" class="post-6 post type-post"><h2 class="entry-title"><a href="/2025/03/c/#more-6">C</a></h2></article>
    <nav class="navigation pagination"><div class="nav-links"><span class="page-numbers current">1</span>
      <a class="page-numbers" href="{SITE}/page/2/">2</a><a class="next page-numbers" href="{SITE}/page/2/">Older</a></div></nav>
    </main><aside><ul><li><a href="{SITE}/2025/01/widget-post/">recent</a></li></ul></aside></body></html>"""
    listing = parse_listing(page(f"{SITE}/", html))
    assert listing.post_urls == (f"{SITE}/2025/03/a/", f"{SITE}/2025/03/c/")
    assert listing.next_urls == (f"{SITE}/page/2/",)


def test_rss_items_and_the_next_older_feed_page() -> None:
    rss = f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>
    <item><title>A</title><link>{SITE}/2025/03/a/</link></item>
    <item><title>B</title><link>{SITE}/2025/03/b/</link></item></channel></rss>"""
    listing = parse_listing(
        page(f"{SITE}/feed/?paged=2", rss, **{"content-type": "application/rss+xml"})
    )
    assert listing.post_urls == (f"{SITE}/2025/03/a/", f"{SITE}/2025/03/b/")
    assert listing.next_urls == (f"{SITE}/feed/?paged=3",)
    empty = """<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>"""
    assert parse_listing(page(f"{SITE}/feed/", empty)).next_urls == ()


def test_atom_entries() -> None:
    atom = f"""<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">
    <entry><link rel="replies" href="{SITE}/2025/03/a/#comments"/><link rel="alternate" href="{SITE}/2025/03/a/"/></entry>
    </feed>"""
    assert parse_listing(page(f"{SITE}/feed/atom/", atom)).post_urls == (f"{SITE}/2025/03/a/",)


def test_sitemap_index_follows_post_sitemaps_only_pretty_and_plain() -> None:
    index = f"""<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sitemap><loc>{SITE}/wp-sitemap-posts-post-1.xml</loc></sitemap>
    <sitemap><loc>{SITE}/wp-sitemap-posts-page-1.xml</loc></sitemap>
    <sitemap><loc>{SITE}/wp-sitemap-taxonomies-category-1.xml</loc></sitemap>
    <sitemap><loc>{SITE}/?sitemap=posts&amp;sitemap-subtype=post&amp;paged=2</loc></sitemap>
    <sitemap><loc>{SITE}/wp-sitemap-users-1.xml</loc></sitemap></sitemapindex>"""
    listing = parse_listing(page(f"{SITE}/wp-sitemap.xml", index))
    assert listing.next_urls == (
        f"{SITE}/wp-sitemap-posts-post-1.xml",
        f"{SITE}/?sitemap=posts&sitemap-subtype=post&paged=2",
    )
    assert listing.post_urls == ()


def test_posts_sitemap() -> None:
    urlset = f"""<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <url><loc>{SITE}/2025/03/a/</loc></url><url><loc>{SITE}/?p=12</loc></url></urlset>"""
    assert parse_listing(page(f"{SITE}/wp-sitemap-posts-post-1.xml", urlset)).post_urls == (
        f"{SITE}/2025/03/a/",
        f"{SITE}/?p=12",
    )
