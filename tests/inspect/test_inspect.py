"""`palimpsest inspect` on a saved page, on a live post of the test WordPress, and on pages
whose comments live elsewhere or cannot be read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from cli import main
from tests.parsers.fixture_pages import ROOT, meta
from tests.parsers.pages import POST_URL, classic_post

JSON_KEYS = ["platform", "comment_system", "post", "comments", "comment_count_displayed", "problems"]
COMMENT_KEYS = ["external_id", "author", "author_url", "published_at", "published_raw",
                "threaded_parent_external_id", "body_text", "own_text"]


def _inspect(*args: str) -> Any:
    return CliRunner().invoke(main, ["inspect", *args], catch_exceptions=False)


def test_a_saved_page_as_json_has_the_documented_shape() -> None:
    saved = ROOT / "twentytwentyone" / "post-deep-thread.html"
    url = meta(saved)["url"]
    result = _inspect(str(saved), "--url", url, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data) == JSON_KEYS
    assert list(data["post"]) == ["external_id", "title", "author", "published_at"]
    assert all(list(c) == COMMENT_KEYS for c in data["comments"])
    expected = json.loads(saved.with_name("post-deep-thread.expected.json").read_text(encoding="utf-8"))
    assert [(c["external_id"], c["threaded_parent_external_id"]) for c in data["comments"]] == [
        (c["external_id"], c["threaded_parent_external_id"]) for c in expected["comments"]]
    assert (data["platform"], data["comment_system"], data["problems"]) == ("wordpress", "native", [])
    assert data["post"]["published_at"] == "2025-02-21T15:00:00Z"
    assert data["comments"][0]["published_at"] == "2025-02-21T18:00:00Z"
    # own_text is normalized as in a crawl: the leading @-reply is gone.
    at_reply = next(c for c in data["comments"] if c["body_text"].startswith("@Ana"))
    assert not at_reply["own_text"].startswith("@")


def test_the_text_report_names_site_post_comments_and_problems() -> None:
    saved = ROOT / "twentytwentyone" / "post-deep-thread.html"
    out = _inspect(str(saved), "--url", meta(saved)["url"]).output
    assert "site: WordPress 6.1.9, theme twentytwentyone, comments: native" in out
    assert "comments read: 8 (the page says 8)" in out
    assert "#52 Pete · 2025-02-21T18:23:00Z reply to 51: Staged or not" in out
    assert out.rstrip().endswith("problems: none")


DISQUS = """<div id="disqus_thread"></div><script>var disqus_shortname = 'example-forum';
(function() { var d = document, s = d.createElement('script'); s.src = '//example-forum.disqus.com/embed.js';
(d.head || d.body).appendChild(s); })();</script>"""


def test_comments_loaded_by_disqus_are_said_to_live_elsewhere(tmp_path: Path) -> None:
    saved = tmp_path / "disqus.html"
    saved.write_text(classic_post("", form=DISQUS), encoding="utf-8")
    text = _inspect(str(saved), "--url", POST_URL).output
    assert "comments are loaded by Disqus (forum 'example-forum'): not in the HTML" in text
    data = json.loads(_inspect(str(saved), "--url", POST_URL, "--json").output)
    assert (data["comment_system"], data["comments"]) == ("disqus", [])
    assert data["problems"] == [f"{POST_URL}: comments are loaded by Disqus (forum 'example-forum'): not in the HTML"]


def test_facebook_comments_are_not_archivable(tmp_path: Path) -> None:
    saved = tmp_path / "fb.html"
    saved.write_text(classic_post("", form='<div class="fb-comments" data-href="x"></div>'), encoding="utf-8")
    assert "Facebook comments: not archivable" in _inspect(str(saved), "--url", POST_URL).output


def test_closed_and_absent_comment_sections(tmp_path: Path) -> None:
    closed = tmp_path / "closed.html"
    closed.write_text(classic_post("", form='<p class="no-comments">Comments are closed.</p>'), encoding="utf-8")
    assert "comments closed" in _inspect(str(closed), "--url", POST_URL).output
    bare = tmp_path / "bare.html"
    bare.write_text(classic_post("", form=""), encoding="utf-8")
    assert "no comment section found" in _inspect(str(bare), "--url", POST_URL).output


def test_unreadable_comments_are_problems(tmp_path: Path) -> None:
    from tests.parsers.test_unread_comments import NO_AUTHOR

    saved = tmp_path / "odd.html"
    saved.write_text(classic_post(NO_AUTHOR, pagination=""), encoding="utf-8")
    data = json.loads(_inspect(str(saved), "--url", POST_URL, "--json").output)
    assert data["comments"] == []
    assert data["problems"] == [f"{POST_URL}: comment 51: no author found; not archived"]


def test_an_unknown_platform_and_an_unreachable_url_are_one_line_errors(tmp_path: Path) -> None:
    saved = ROOT / "twentytwentyone" / "post.html"
    result = CliRunner().invoke(main, ["inspect", str(saved), "--platform", "myspace"])
    assert result.exit_code == 2
    assert "unknown platform 'myspace' (known: blogger, drupal, ghost, html, wordpress)" in result.output
    result = CliRunner().invoke(main, ["inspect", "http://127.0.0.1:9/nothing/"])
    assert result.exit_code == 2
    assert "http://127.0.0.1:9/nothing/: could not be fetched" in result.output
    result = CliRunner().invoke(main, ["inspect", str(tmp_path / "missing.html")])
    assert result.exit_code == 2 and "is neither a file nor an http(s) URL" in result.output


def test_a_live_post_of_the_test_wordpress(wordpress_site_defaults: Any) -> None:
    site = wordpress_site_defaults
    post = max(site.seed.on_topic_posts, key=lambda p: len({c.parent for c in p.comments}))
    data = json.loads(_inspect(post.url, "--json").output)
    assert data["post"]["external_id"] == str(post.id)
    assert data["comment_system"] == "native"
    shown = [c for c in data["comments"]]
    seeded = {str(c.id): c for c in post.comments}
    assert {c["external_id"] for c in shown} <= set(seeded)
    for c in shown:
        s = seeded[c["external_id"]]
        assert (c["author"], c["threaded_parent_external_id"]) == (s.author or "Anonymous", str(s.parent) if s.parent else None)
        assert c["published_at"] == s.date.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_drupal_page_is_read_as_the_drupal_platform_reads_it(tmp_path: Path) -> None:
    from tests.engines.fixtures import drupal_site

    site = drupal_site(7)
    site.base = "http://127.0.0.1:9/"
    _, _, body = site.respond("/node/41", {})
    saved = tmp_path / "node.html"
    saved.write_bytes(body)
    result = CliRunner().invoke(main, ["inspect", str(saved), "--url", "http://127.0.0.1:9/node/41", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["post"]["external_id"] == "41"
    assert [(c["external_id"], c["threaded_parent_external_id"]) for c in data["comments"]] == [
        ("101", None), ("102", "101"), ("103", "102")]
    assert data["comments"][0]["published_at"] == "2025-01-03T18:00:00Z"
