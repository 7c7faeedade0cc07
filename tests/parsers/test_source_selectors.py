"""Per-source CSS selectors: checked at config load, and the README's worked example read."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.config import load_config
from crawler.parsers.wordpress_html import parse_post_page
from crawler.platforms import platform_for
from storage.errors import ConfigError
from tests.parsers.pages import page

URL = "https://talk.example/2024/05/post/"
# The README's worked example.
TALK = """<html><head><title>A post</title></head><body><article><h1 class="entry-title">A post</h1></article>
<div class="talk">
  <div class="note" id="note-1401"><span class="who"><a href="https://ann.example/">Ann</a></span>
    <span class="when" title="2024-05-03T10:00:00+02:00">3 May</span><div class="said"><p>First.</p></div></div>
  <div class="note" id="note-1402"><span class="who">Bo</span><a class="re" href="#note-1401">re Ann</a>
    <span class="when" title="2024-05-03T11:30:00+02:00">3 May</span><div class="said"><p>Second.</p></div></div>
  <a class="older" href="/2024/05/post/?page=1">Older comments</a>
</div></body></html>"""
SELECTORS = ('selectors = { comment = "div.talk > div.note", author = ".who", date = ".when", '
             'text = ".said", parent = "a.re", next_page = "a.older" }\n')


def _config(tmp_path: Path, selectors: str) -> Path:
    path = tmp_path / "palimpsest.toml"
    path.write_text('[topic]\nname = "t"\nkeywords = ["x"]\n\n[[sources]]\nkey = "talkblog"\nname = "T"\n'
                    f'url = "https://talk.example/"\n{selectors}', encoding="utf-8")
    return path


def test_the_worked_example_reads_authors_dates_parents_and_the_next_page(tmp_path: Path) -> None:
    source = load_config(_config(tmp_path, SELECTORS)).source("talkblog")
    route = platform_for(source).post_pages
    thread_page = route.read(page(URL, TALK))
    got = [(c.external_id, c.author_raw, c.author_url, c.published_at, c.threaded_parent_external_id, c.body_text)
           for c in thread_page.comments]
    assert got == [
        ("1401", "Ann", "https://ann.example/", datetime(2024, 5, 3, 8, 0, tzinfo=UTC), None, "First."),
        ("1402", "Bo", None, datetime(2024, 5, 3, 9, 30, tzinfo=UTC), "1401", "Second."),
    ]
    assert thread_page.links[-1] == (2, "https://talk.example/2024/05/post/?page=1")
    assert route.glimpse(page(URL, TALK)).fingerprint == thread_page.fingerprint
    edited = TALK.replace("Second.", "Second, edited.")
    assert route.glimpse(page(URL, edited)).fingerprint != thread_page.fingerprint


def test_a_source_with_selectors_is_read_from_html(tmp_path: Path) -> None:
    source = load_config(_config(tmp_path, SELECTORS)).source("talkblog")
    assert platform_for(source).discovery()[0].route == "html"


def test_items_without_ids_get_stable_ids_and_defaults_fill_the_rest(tmp_path: Path) -> None:
    source = load_config(_config(tmp_path, 'selectors = { comment = "div.note" }\n')).source("talkblog")
    html = TALK.replace(' id="note-1401"', "").replace(' id="note-1402"', "")
    first = parse_post_page(page(URL, html), source.selectors).comments
    again = parse_post_page(page(URL, html.replace("First.", "First!")), source.selectors).comments
    assert [c.external_id for c in first] == [c.external_id for c in again]
    assert [(c.author_raw, c.body_text) for c in first] == [("Ann", "First."), ("Bo", "Second.")]


@pytest.mark.parametrize(("selectors", "message"), [
    ('selectors = { author = ".who" }', "sources[0].selectors.comment: missing"),
    ('selectors = { comment = "div", autor = ".who" }', "sources[0].selectors.autor: unknown selector"),
    ('selectors = { comment = "div", author = ".who[" }', "sources[0].selectors.author: '.who[' is not a CSS selector"),
    ('selectors = { comment = "" }', "sources[0].selectors.comment: must be a non-empty CSS selector"),
    ('selectors = "div.note"', "sources[0].selectors: must be a table of CSS selectors"),
])
def test_bad_selectors_are_config_errors_naming_the_key(tmp_path: Path, selectors: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(_config(tmp_path, selectors + "\n"))
    assert f"palimpsest.toml: {message}" in str(err.value)
