"""The root of a feed or sitemap, as every listing parser reads it: safely (no entities, no
network), recovering from small breakage, and with a clear error for what is not XML."""

from __future__ import annotations

from lxml import etree

from crawler.page import Page

__all__ = ["listing_root"]

_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=True)


def listing_root(page: Page) -> tuple[etree._Element, str]:
    """(root element, its local name: `urlset`, `sitemapindex`, `rss`, `feed`, ...).
    ValueError naming the URL for a body that is no XML document."""
    try:
        root = etree.fromstring(page.body, parser=_XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"{page.url}: not an XML feed or sitemap ({exc})") from None
    if root is None:
        raise ValueError(f"{page.url}: empty XML document")
    return root, etree.QName(root).localname
