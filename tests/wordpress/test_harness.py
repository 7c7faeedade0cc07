"""Smoke tests of the test WordPress: it serves the seed, its comment pages and its switches."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest

from tests.wordpress.harness import WordPressSite

pytestmark = pytest.mark.wordpress


def get(url: str) -> tuple[int, str, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=20) as resp:
            return resp.status, resp.read().decode("utf-8"), {
                k.lower(): v for k, v in resp.headers.items()}
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace"), {}


COMMENT_ID = re.compile(r'<li id="comment-(\d+)"')


def test_seed_is_what_the_plan_says(wordpress_site: WordPressSite) -> None:
    seed = wordpress_site.seed
    assert len(seed.on_topic_posts) == 6 and len(seed.off_topic_posts) == 3
    flights = seed.post("flights")
    assert len(flights.comments) >= 45
    assert len({c.id for p in seed.posts for c in p.comments}) == sum(
        len(p.comments) for p in seed.posts)
    # The linked @-reply points at the comment WordPress assigned, not at a placeholder.
    linked = seed.comment("cecot-c7")
    assert f'href="#comment-{seed.comment("cecot-c6").id}"' in linked.content
    assert "use <b> tags & stuff" in seed.comment("flights-c49").text.casefold()
    assert seed.comment("flights-c1").date.utcoffset() is not None


def test_post_page_shows_its_comments_over_several_pages(wordpress_site: WordPressSite) -> None:
    flights = wordpress_site.seed.post("flights")
    seen: set[int] = set()
    for page in (1, 2, 3):
        status, html, _ = get(f"{flights.url}comment-page-{page}/")
        assert status == 200
        ids = {int(i) for i in COMMENT_ID.findall(html)}
        assert ids, f"no comments on page {page}"
        seen |= ids
    assert seen == {c.id for c in flights.comments}
    status, html, _ = get(flights.url)
    assert status == 200 and flights.title.split()[0] in html
    # 'newest' first: the post page is the last comment page, which links back to page 2.
    assert "comment-page-2" in html


def test_seeded_rendered_html_is_what_the_pages_show(wordpress_site: WordPressSite) -> None:
    flights = wordpress_site.seed.post("flights")
    shown = 0
    for page in (1, 2, 3):
        html = get(f"{flights.url}comment-page-{page}/")[1]
        on_page = {int(i) for i in COMMENT_ID.findall(html)}
        for c in flights.comments:
            if c.id in on_page:
                assert c.rendered_html.strip() in html, c.key
                if c.parent == 0 and c.key.endswith(("c1", "c49")):
                    assert wordpress_site.comment_page_of(c.id) == page
                shown += 1
    assert shown == len(flights.comments)


def test_rest_answers_and_can_be_blocked(wordpress_site_defaults: WordPressSite) -> None:
    site = wordpress_site_defaults
    post = site.seed.post("cecot")
    status, body, headers = get(f"{site.base_url}/wp-json/wp/v2/comments?post={post.id}")
    assert status == 200
    assert int(headers["x-wp-total"]) == len(post.comments)
    assert {c["id"] for c in json.loads(body)} == {c.id for c in post.comments}
    site.block_rest(True)
    assert get(f"{site.base_url}/wp-json/wp/v2/posts")[0] == 403
    assert get(f"{site.base_url}/?rest_route=/wp/v2/posts")[0] == 403
    assert get(post.url)[0] == 200
    site.block_rest(False)
    assert get(f"{site.base_url}/?rest_route=/wp/v2/posts")[0] == 200


def test_switches(wordpress_site_defaults: WordPressSite) -> None:
    site = wordpress_site_defaults
    post = site.seed.post("cecot")
    site.set_permalinks(False)
    assert site.seed.post("cecot").url == f"{site.base_url}/?p={post.id}"
    assert get(site.seed.post("cecot").url)[0] == 200
    site.set_permalinks(True)
    site.set_theme("twentytwentythree")
    assert "wp-block-comment" in get(post.url)[1]
    site.set_theme("twentytwentyone")
    flights = site.seed.post("flights")
    site.set_default_comments_page("oldest")
    first_top = next(c for c in flights.comments if c.parent == 0)
    assert f'id="comment-{first_top.id}"' in get(flights.url)[1]


def test_mutations(fresh_wordpress_site: WordPressSite) -> None:
    site = fresh_wordpress_site
    post = site.seed.post("guantanamo")
    first, second = post.comments[0], post.comments[1]
    edited = site.edit_comment(first.id, "<p>Edited: who has jurisdiction?</p>")
    assert edited.text == "Edited: who has jurisdiction?"
    site.trash_comment(second.id)
    renamed = site.rename_comment_author(post.comments[2].id, "José M.")
    new_id = site.add_comment(post.id, "Newcomer", "<p>Late reply</p>", parent=first.id)
    site.update_post(post.id, content=post.content + "<p>Update: a ruling.</p>")
    new_post = site.add_post(title="Another Guantanamo flight", content="<p>More.</p>")
    _status, body, _ = get(f"{site.base_url}/wp-json/wp/v2/comments?post={post.id}&per_page=100")
    by_id = {c["id"]: c for c in json.loads(body)}
    assert second.id not in by_id
    assert "Edited" in by_id[first.id]["content"]["rendered"]
    assert by_id[renamed.id]["author_name"] == "José M."
    assert by_id[new_id]["parent"] == first.id
    assert "Update: a ruling." in get(site.seed.post(post.id).url)[1]
    assert site.seed.post(new_post).title == "Another Guantanamo flight"
    assert [c.id for c in site.seed.post(post.id).visible_comments] == [
        c["id"] for c in sorted(by_id.values(), key=lambda c: c["id"])]
    assert site.php("return get_option('blogname');") == "Borderline Notes"


def test_trash_and_restore(fresh_wordpress_site: WordPressSite) -> None:
    site = fresh_wordpress_site
    post = site.seed.post("offer")
    comment = post.comments[0]
    site.trash_comment(comment.id)
    assert f'id="comment-{comment.id}"' not in get(post.url)[1]
    restored = site.restore_comment(comment.id)
    assert not restored.trashed
    assert f'id="comment-{comment.id}"' in get(post.url)[1]
    site.trash_post(post.id)
    assert get(post.url)[0] == 404
    assert post.id not in {p.id for p in site.seed.on_topic_posts}
    back = site.restore_post(post.id)
    assert back.url == post.url and get(post.url)[0] == 200


def test_reset_switches_puts_everything_back(wordpress_site: WordPressSite) -> None:
    site = wordpress_site
    site.set_options(comments_per_page=3, default_comments_page="oldest")
    site.set_options(comments_per_page=4)
    site.block_rest(True)
    site.set_theme("twentytwentythree")
    site.reset_switches()
    assert site.php(
        "return [(int) get_option('comments_per_page'), get_option('default_comments_page'),"
        " get_stylesheet()];") == [10, "newest", "twentytwentyone"]
    assert get(f"{site.base_url}/wp-json/wp/v2/posts")[0] == 200
