"""Parsers: pure functions from a fetched Page to typed records, one module per format.

The platform adapters (`crawler.platforms`) call them; nothing else in the crawler does.
No Scrapy, no SQLAlchemy, no I/O, no clock: `fetched_at` arrives with the page.
"""
