"""What a page says its site is: engine, version, theme, and where the comments live."""

from __future__ import annotations

from crawler.parsers.htmltext import parse_document
from crawler.parsers.site import detect_site


def _site(html: str, found: int = 0):  # type: ignore[no-untyped-def]
    body = html.encode()
    return detect_site(body, parse_document(body, "utf-8"), found)


WP_HEAD = ('<html><head><meta name="generator" content="WordPress 6.3.2" />'
           '<link rel="stylesheet" href="https://b.example/wp-content/themes/generatepress/style.css" /></head>')


def test_wordpress_version_theme_and_native_comments() -> None:
    site = _site(WP_HEAD + "<body></body></html>", found=3)
    assert site.describe() == "WordPress 6.3.2, theme generatepress, comments: native"
    assert not site.elsewhere


def test_disqus_with_its_forum_is_elsewhere() -> None:
    site = _site(WP_HEAD + '<body><div id="disqus_thread"></div>'
                 '<script src="https://bloggy.disqus.com/embed.js"></script></body></html>')
    assert (site.comment_system, site.forum, site.elsewhere) == ("disqus", "bloggy", True)
    assert site.comments_line() == "comments are loaded by Disqus (forum 'bloggy'): not in the HTML"


def test_native_comments_win_over_a_stray_service_marker() -> None:
    site = _site(WP_HEAD + '<body><div class="fb-comments"></div></body></html>', found=2)
    assert (site.comment_system, site.elsewhere) == ("native", False)


def test_drupal_blogger_closed_and_nothing() -> None:
    drupal = _site('<html><head><meta name="Generator" content="Drupal 9 (https://www.drupal.org)" /></head>'
                   '<body><p class="comments-closed">x</p></body></html>')
    assert drupal.describe() == "Drupal 9, comments closed"
    blogger = _site("<html><head><meta content='blogger' name='generator'/></head><body></body></html>")
    assert blogger.describe() == "Blogger, no comment section found"
    assert _site("<html><body>Plain</body></html>").describe() == (
        "engine not recognised, no comment section found")


def test_thrive_and_epoch_render_in_the_browser() -> None:
    site = _site(WP_HEAD + '<body><div id="thrive-comments"></div></body></html>')
    assert site.comments_line() == "comments are loaded by Thrive Comments: not in the HTML"
