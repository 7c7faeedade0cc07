"""Scrapy downloader middlewares for polite, fault-tolerant fetching.

- `hosts.HostPolitenessMiddleware` (550, replaces RetryMiddleware): Crawl-delay,
  Retry-After, backoff, pausing a failing host, all on Scrapy's download slots.
- `guards.RedirectGuardMiddleware` (650): logs redirect loops and off-site redirects.
- `received.ReceivedBodyMiddleware` (960): the hash and size of each body as sent.
- `crawler.warc.WarcCaptureMiddleware` (950): raw capture to WARC.

`crawler.politeness.politeness_settings()` wires them in.
"""
