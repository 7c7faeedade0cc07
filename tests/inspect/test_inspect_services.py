"""`palimpsest inspect` on pages whose comments a service holds: Substack's API, a Discourse topic."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cli import main
from tests.parsers.pages import POST_URL, classic_post

SUBSTACK_PAGE = Path(__file__).resolve().parents[1] / "substack" / "pages" / "post.html"


def _inspect(*args: str) -> str:
    result = CliRunner().invoke(main, ["inspect", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_a_substack_post_page_says_its_comments_are_in_the_api() -> None:
    url = "https://letter.substack.com/p/cecot-flights"
    text = _inspect(str(SUBSTACK_PAGE), "--url", url)
    assert "site: Substack, comments are loaded by Substack's API (post 101)" in text
    assert 'crawl the publication as a source with platform = "substack"' in text
    data = json.loads(_inspect(str(SUBSTACK_PAGE), "--url", url, "--json"))
    assert (data["comment_system"], data["comments"]) == ("substack", [])


def test_a_blog_page_embedding_discourse_names_the_forum_and_topic(tmp_path: Path) -> None:
    saved = tmp_path / "embed.html"
    embed = ("<div id='discourse-comments'></div><script>DiscourseEmbed = { discourseUrl: "
             "'https://forum.example/', topicId: 304 };</script>")
    saved.write_text(classic_post("", form=embed), encoding="utf-8")
    text = _inspect(str(saved), "--url", POST_URL)
    assert ("comments are loaded by Discourse (forum 'https://forum.example/', topic 304): not in the HTML; "
            'give the source discourse_url = "<the forum>" to read its topics') in text
