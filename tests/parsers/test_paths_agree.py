"""Property: the same WordPress comment gives the same record from a theme page and from
the REST API, whatever its text, markup and author name."""

from __future__ import annotations

import dataclasses
import html
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.parsers.wordpress_html import parse_post_page
from crawler.parsers.wordpress_rest import parse_rest_comments
from tests.parsers.pages import POST_URL, SITE, classic_comment, classic_post, page

_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Co", "Cn"), blacklist_characters="\x00"
    ),
    min_size=1,
    max_size=40,
)
_INLINE = st.sampled_from(
    [
        "{}",
        "<em>{}</em>",
        "<strong>{}</strong>",
        '<a href="https://ex.org/?a=1&amp;b=2" rel="nofollow ugc">{}</a>',
        "{}<br />\n",
    ]
)


@st.composite
def comment_markup(draw: st.DrawFn) -> str:
    """Comment HTML as WordPress renders it: paragraphs of escaped text with inline
    markup, sometimes a blockquote."""
    paragraphs = []
    for _ in range(draw(st.integers(1, 3))):
        pieces = [
            draw(_INLINE).format(html.escape(draw(_TEXT), quote=False))
            for _ in range(draw(st.integers(1, 3)))
        ]
        paragraphs.append("<p>" + " ".join(pieces) + "</p>")
    if draw(st.booleans()):
        paragraphs.insert(
            0, f"<blockquote><p>{html.escape(draw(_TEXT), quote=False)}</p></blockquote>"
        )
    return "\n".join(paragraphs) + "\n"


@settings(max_examples=60, deadline=None)
@given(content=comment_markup(), name=_TEXT, reply_content=comment_markup())
def test_theme_page_and_rest_give_equal_comments(
    content: str, name: str, reply_content: str
) -> None:
    shown_name = html.escape(name, quote=False)  # stored escaped by WordPress, shown as stored
    items = classic_comment(
        7,
        shown_name,
        "2025-03-16T10:42:00-04:00",
        content,
        children=classic_comment(8, "Bo", "2025-03-16T11:00:00-04:00", reply_content),
    )
    from_page = parse_post_page(page(POST_URL, classic_post(items, pagination="")))
    rest = json.dumps(
        [
            {
                "id": 7,
                "parent": 0,
                "author_name": shown_name,
                "author_url": "",
                "date": "2025-03-16T10:42:00",
                "date_gmt": "2025-03-16T14:42:00",
                "content": {"rendered": content},
                "type": "comment",
            },
            {
                "id": 8,
                "parent": 7,
                "author_name": "Bo",
                "author_url": "",
                "date": "2025-03-16T11:00:00",
                "date_gmt": "2025-03-16T15:00:00",
                "content": {"rendered": reply_content},
                "type": "comment",
            },
        ]
    )
    from_rest = parse_rest_comments(page(f"{SITE}/wp-json/wp/v2/comments?post=42", rest))
    assert len(from_page.comments) == 2

    def shown(c):  # type: ignore[no-untyped-def]
        return dataclasses.replace(c, page=None)

    assert [shown(c) for c in from_page.comments] == [shown(c) for c in from_rest.comments]
