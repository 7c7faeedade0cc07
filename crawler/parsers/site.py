"""What a page says its site is: the engine, its version and theme, and where its comments live.

    detect_site(body, doc, comments_found) -> Site

Read from the markup alone (meta generator, theme paths, the embed code of comment
services), so that `palimpsest inspect` and a source's first crawl can say "WordPress
6.3, theme GeneratePress, comments: native", or that the comments are loaded by Disqus
and are not in the HTML, instead of reporting a thread of 0 comments. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from crawler.parsers.htmltext import Element

__all__ = ["Site", "detect_site"]

_GENERATOR = etree.XPath("/html/head/meta[translate(@name, 'GENRATO', 'genrato')='generator']/@content")
_WP_THEME = re.compile(rb"/wp-content/themes/([A-Za-z0-9_.-]+)/")
_WP_MARKS = (b"/wp-content/", b"/wp-includes/", b"wp-json")
_DRUPAL_MARKS = (b"Drupal.settings", b'data-drupal-', b"/sites/default/files/", b"drupal.js")
_BLOGGER_MARKS = (b"blogger.com/", b"blogspot.com", b"'blogger'", b"_WidgetManager")
# A Substack page: its preloaded state, and its CDN (checked after WordPress's paths, as a
# blog may show Substack images).
_SUBSTACK_MARKS = (b"window._preloads", b"substackcdn.com/bundle")
_SUBSTACK_POST = re.compile(rb'\\?"post\\?":\{\\?"id\\?":(\d+)')
_DISCOURSE_URL = re.compile(rb"""discourseUrl\s*:\s*['"]([^'"]+)['"]""")
_DISCOURSE_TOPIC = re.compile(rb"""\btopicId\s*:\s*['"]?(\d+)""")
_VERSION = re.compile(r"(\d+(?:\.\d+)*)")
# Comment services that fill the page by JavaScript: (name, a marker in the body).
_SCRIPTED = (
    ("disqus", (b"disqus_thread", b".disqus.com/embed.js", b"disqus_shortname")),
    ("facebook", (b'class="fb-comments', b"class='fb-comments", b"<fb:comments")),
    ("intensedebate", (b"intensedebate.com/js/", b"IDCommentScript")),
    ("livefyre", (b"livefyre.com", b"livefyre-comments")),
    ("commento", (b"commento.io/js/", b'id="commento"')),
    ("hyvor", (b"hyvor-talk", b"talk.hyvor.com")),
    ("discourse", (b"discourse-comments", b"DiscourseEmbed")),
    # Ghost's comments-ui script: read with `platform = "ghost"` (crawler.platforms.ghost).
    ("ghost", (b"data-ghost-comments",)),
    ("coral", (b"coral-embed", b"Coral.createStreamEmbed")),
    ("giscus", (b"giscus.app/client.js",)),
    ("utterances", (b"utteranc.es/client.js",)),
    ("substack", (b"window._preloads", b"comments-for-post")),
)
# The forum as the embed code names it; the WordPress plugin's `embedVars` JSON too.
_DISQUS_FORUM = re.compile(
    rb"""(?:disqus_shortname\s*=|"disqusShortname"\s*:)\s*['"]([\w-]+)['"]|//([\w-]+)\.disqus\.com/(?:embed|count)\.js"""
)
_CLOSED = re.compile(
    rb"""class=["'][^"']*\b(?:no-comments|comments-closed|nocomments)\b|Comments are closed\.|"""
    rb"""Kommentare sind geschlossen|Los comentarios est\xc3\xa1n cerrados|Les commentaires sont ferm\xc3\xa9s"""
)
_PLUGINS = (("wpdiscuz", b"wpdiscuz"), ("epoch", b"epoch-comments"), ("thrive", b"thrive-comments"))
_NAMES = {"ghost": "Ghost's members API", "disqus": "Disqus", "intensedebate": "IntenseDebate", "livefyre": "Livefyre",
          "commento": "Commento", "hyvor": "Hyvor Talk", "discourse": "Discourse", "coral": "Coral",
          "giscus": "giscus", "utterances": "utterances", "epoch": "Epoch", "thrive": "Thrive Comments",
          "substack": "Substack's API"}
# Where palimpsest reads a service's comments from: the hint after "comments are loaded by".
_HOW = {"substack": 'crawl the publication as a source with platform = "substack"',
        "discourse": 'give the source discourse_url = "<the forum>" to read its topics'}


@dataclass(frozen=True, kw_only=True)
class Site:
    """The engine a page was made by and where its comments are."""

    platform: str | None  # "wordpress", "blogger", "drupal"; None: not recognised
    version: str | None = None
    theme: str | None = None
    # "native" (in the HTML), a plugin ("wpdiscuz"), a service ("disqus", "facebook"),
    # "closed", or "none" (no comment section found).
    comment_system: str = "none"
    forum: str | None = None  # Disqus's forum (shortname); Discourse's forum URL
    thread: str | None = None  # the service's id of this page's thread (topicId, Substack post id)
    # The comments are loaded by a script (a service, or a plugin that renders in the
    # browser): not in the HTML, so the page's 0 comments are not the thread's.
    elsewhere: bool = False

    def describe(self) -> str:
        """One line for a researcher: "WordPress 6.1.9, theme twentytwentyone, comments: native"."""
        engine = {"wordpress": "WordPress", "blogger": "Blogger", "drupal": "Drupal", "substack": "Substack",
                  "ghost": "Ghost"}.get(
            self.platform or "", "engine not recognised")
        parts = [f"{engine} {self.version}" if self.version else engine]
        if self.theme:
            parts.append(f"theme {self.theme}")
        return ", ".join(parts) + ", " + self.comments_line()

    def comments_line(self) -> str:
        system = self.comment_system
        if system == "facebook":
            return "Facebook comments: not archivable (not in the HTML)"
        if self.elsewhere:
            names = [f"forum {self.forum!r}"] if self.forum else []
            names += [f"{'topic' if system == 'discourse' else 'post'} {self.thread}"] if self.thread else []
            named = f" ({', '.join(names)})" if names else ""
            how = f"; {_HOW[system]}" if system in _HOW else ""
            return f"comments are loaded by {_NAMES.get(system, system)}{named}: not in the HTML{how}"
        if system == "closed":
            return "comments closed"
        if system == "none":
            return "no comment section found"
        return f"comments: {system}"


def detect_site(body: bytes, doc: Element, comments_found: int) -> Site:
    """The page's engine and comment system; `comments_found`: items the reader saw."""
    platform, version = _engine(body, doc)
    theme = None
    if platform == "wordpress":
        m = _WP_THEME.search(body)
        theme = m.group(1).decode("ascii", "replace") if m else None
    system, forum, elsewhere = _comment_system(body, comments_found)
    return Site(platform=platform, version=version, theme=theme, comment_system=system,
                forum=forum, elsewhere=elsewhere, thread=_thread_id(system, body) if elsewhere else None)


def _engine(body: bytes, doc: Element) -> tuple[str | None, str | None]:
    for generator in (str(g) for g in _GENERATOR(doc)):
        low = generator.lower()
        for name in ("wordpress", "blogger", "drupal", "ghost"):
            if low.startswith(name):
                m = _VERSION.search(generator)
                return name, m.group(1) if m else None
    if any(mark in body for mark in _WP_MARKS):
        return "wordpress", None
    if any(mark in body for mark in _DRUPAL_MARKS):
        return "drupal", None
    if any(mark in body for mark in _BLOGGER_MARKS):
        return "blogger", None
    if any(mark in body for mark in _SUBSTACK_MARKS):
        return "substack", None
    return None, None


def _thread_id(system: str, body: bytes) -> str | None:
    """The service's id of the page's thread, where the page names it."""
    pattern = {"discourse": _DISCOURSE_TOPIC, "substack": _SUBSTACK_POST}.get(system)
    m = pattern.search(body) if pattern is not None else None
    return m.group(1).decode("ascii") if m else None


def _comment_system(body: bytes, comments_found: int) -> tuple[str, str | None, bool]:
    """The comment system's name, Disqus's forum, and whether the comments are elsewhere."""
    plugin = next((name for name, mark in _PLUGINS if mark in body), None)
    if comments_found:
        return plugin or "native", None, False
    for name, marks in _SCRIPTED:
        if any(mark in body for mark in marks):
            forum = None
            if name == "disqus":
                m = _DISQUS_FORUM.search(body)
                forum = (m.group(1) or m.group(2)).decode("ascii") if m else None
            elif name == "discourse":
                m = _DISCOURSE_URL.search(body)
                forum = m.group(1).decode("utf-8", "replace") if m else None
            return name, forum, True
    if plugin is not None and plugin != "wpdiscuz":
        return plugin, None, True  # Epoch and Thrive render their threads in the browser
    if _CLOSED.search(body):
        return "closed", None, False
    return "none", None, False
