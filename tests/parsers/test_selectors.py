"""Selectors written as Python walks select exactly what their XPath form would."""

from __future__ import annotations

import pytest
from lxml import etree

from crawler.parsers import wordpress_selectors as sel
from crawler.parsers.htmltext import parse_document
from tests.parsers.fixture_pages import ROOT
from tests.parsers.pages import classic_comment, classic_post

# The XPath unions the walks replaced.
COMMENT_NODES = etree.XPath(
    "descendant::li[starts-with(@id, 'comment-') or starts-with(@id, 'li-comment-')]"
    " | descendant::div[starts-with(@id, 'comment-')] | descendant::article[starts-with(@id, 'comment-')]"
    " | descendant::b[contains(@class, 'fn')] | descendant::cite[contains(@class, 'fn')]"
    " | descendant::span[contains(@class, 'fn')] | descendant::div[contains(@class, 'comment-')]"
)
COMMENT_PAGINATION = etree.XPath(
    "//nav[contains(@class, 'comment')] | //div[contains(@class, 'comments-pagination')]"
)

ODD = classic_post(
    classic_comment(1, "Ana", "2025-01-03T10:00:00+00:00", "<p>x</p>")
    + '<li id="li-comment-2"><div id="comment-2"><cite class="fn">Bo</cite>'
    '<span class="fn-x">y</span><div class="comment-content"><p>z</p></div></div></li>'
    + '<div id="comment-3" class="comment-body"><b>no fn</b></div>'
    + '<article id="comment-4"></article><span class="fn"></span>'
    + '<nav class="comment-nav"></nav><div class="x-comments-pagination"></div>'
    + '<div class="comment-navigation"></div>'
)


def _pages() -> list[bytes]:
    return [p.read_bytes() for p in sorted(ROOT.glob("*/*.html"))] + [ODD.encode("utf-8")]


@pytest.mark.parametrize("body", _pages())
def test_comment_nodes_equal_the_xpath_union(body: bytes) -> None:
    doc = parse_document(body, "utf-8")
    for context in doc.iter():
        if not isinstance(context.tag, str):
            continue
        walked = list(sel.comment_nodes(context))
        assert [n for n, _, _ in walked] == COMMENT_NODES(context)
        for node, ident, cls in walked:
            assert cls == (node.get("class") or "")
            assert ident in ("", node.get("id") or "")


@pytest.mark.parametrize("body", _pages())
def test_comment_paginations_equal_the_xpath_union(body: bytes) -> None:
    doc = parse_document(body, "utf-8")
    assert sel.comment_paginations(doc) == COMMENT_PAGINATION(doc)
