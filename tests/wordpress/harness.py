"""A real WordPress for the tests: Debian's package behind our own php-fpm and nginx.

The servers and files behind it are in tests/wordpress/servers.py; content goes in
and out through WordPress's own PHP API (helper.php, run with the php CLI).

API (see also tests/wordpress/fixtures.py for the pytest fixtures)::

    site = WordPressSite.start()          # installs, configures, seeds; a few seconds
    site.base_url                         # "http://127.0.0.1:PORT" (no trailing slash)
    site.seed                             # tests.wordpress.seed.Seed, with WordPress ids;
                                          # kept current by the mutations below
    site.block_rest(True)                 # /wp-json/ and ?rest_route= answer 403
    site.set_permalinks(pretty=False)     # plain ?p=N links; pretty: /%year%/%monthnum%/%postname%/
    site.set_theme("twentytwentythree")   # or "twentytwentyone" (the default)
    site.set_default_comments_page("oldest")  # or "newest" (the default)
    site.set_options(comments_per_page=5)     # any WordPress option
    site.reset_switches()                 # all of the above back to how the site started
    site.edit_comment(id, "<p>new</p>")   # -> SeededComment
    site.trash_comment(id)                # -> SeededComment (trashed=True)
    site.restore_comment(id)              # out of the trash again
    site.trash_post(id) / site.restore_post(id)   # the post URL answers 404 / 200
    site.add_comment(post_id, "Name", "<p>text</p>", parent=0, date=None, url="") -> int
    site.rename_comment_author(id, "New Name")
    site.update_post(id, content="<p>...</p>", title=None)
    site.add_post(title=..., content=..., author_login="malvarez", tags=(), categories=(),
                  date=None, slug="", on_topic=True) -> int
    site.comment_page_of(id)              # which comment-page-N shows that comment
    site.php("return get_option('blogname');")   # escape hatch: runs after wp-load
    site.stop()

`unavailable_reason()` says why no site can run here (missing packages, no MariaDB,
/etc/wordpress not writable), or None.
"""

from __future__ import annotations

import atexit
import dataclasses
import json
import os
import secrets
import subprocess
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from tests.wordpress.seed import (
    AUTHORS,
    SEED_POSTS,
    SITE_TIMEZONE,
    PlannedPost,
    Seed,
    SeededComment,
    SeededPost,
    visible_text,
)
from tests.wordpress.servers import SiteServers, WordPressError, unavailable_reason

__all__ = ["PRETTY_PERMALINKS", "WordPressError", "WordPressSite", "unavailable_reason"]

HELPER = Path(__file__).with_name("helper.php")
PRETTY_PERMALINKS = "/%year%/%monthnum%/%postname%/"
_OPCACHE_DIR = Path(tempfile.gettempdir()) / "palimpsest-wordpress-opcache"

# What a fresh site is set to; tests switch some of these through the methods above.
BASE_OPTIONS: dict[str, Any] = {
    "blogname": "Borderline Notes",
    "blogdescription": "Courts, borders, and the people between them",
    "timezone_string": SITE_TIMEZONE,
    "gmt_offset": "",
    "date_format": "F j, Y",
    "time_format": "g:i a",
    "posts_per_page": 5,  # so the home page and archives paginate
    "thread_comments": 1,
    "thread_comments_depth": 5,
    "page_comments": 1,
    "comments_per_page": 10,
    "default_comments_page": "newest",
    "comment_order": "asc",
    "comment_moderation": 0,
    "comment_previously_approved": 0,
    "require_name_email": 1,
    "comment_registration": 0,
    "close_comments_for_old_posts": 0,
    "blog_public": 1,  # wp-sitemap.xml exists only on public sites
    "default_pingback_flag": 0,
    "default_ping_status": "closed",
    "ping_sites": "",
    "show_avatars": 1,
}

def _utc(mysql_gmt: str) -> datetime:
    return datetime.strptime(mysql_gmt, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def _gmt(dt: datetime) -> str:
    if dt.tzinfo is None:
        raise ValueError("seed and mutation times must be aware (UTC)")
    return dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


class WordPressSite:
    """One running WordPress: nginx + php-fpm + a MariaDB database, seeded."""

    def __init__(self, servers: SiteServers) -> None:
        self.servers = servers
        self.port = servers.port
        self.base_url = servers.base_url
        self.seed = Seed(posts=(), authors=AUTHORS)
        self.theme = "twentytwentyone"
        self.pretty_permalinks = True
        self._original_options: dict[str, Any] = {}

    # -- lifecycle ----------------------------------------------------------------------

    @classmethod
    def start(cls, *, seed: Iterable[PlannedPost] = SEED_POSTS,
              theme: str = "twentytwentyone", port: int | None = None) -> WordPressSite:
        """Install, configure, seed and serve a fresh site; stop() it when done.

        `port`: a fixed port (for captures that should not churn), else a free one.
        """
        site = cls(SiteServers.start(port))
        atexit.register(site.stop)
        try:
            site._install_and_seed(theme, tuple(seed))
        except BaseException:
            site.stop()
            raise
        return site

    def stop(self) -> None:
        """Stop the servers, drop the database, remove every file written."""
        self.servers.stop()

    @property
    def rest_blocked(self) -> bool:
        return self.servers.rest_blocked

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- PHP ----------------------------------------------------------------------------

    def run_ops(self, ops: list[dict[str, Any]]) -> list[Any]:
        """Run helper.php operations in one PHP process; return their results."""
        env = dict(os.environ, WORDPRESS_CONFIG=self.servers.config_name,
                   PALIMPSEST_WP_HOST=f"127.0.0.1:{self.port}")
        # WordPress's own files compiled once, shared by every run and every site: a
        # helper run takes ~0.1 s instead of ~0.4 s (opcache checks file timestamps).
        _OPCACHE_DIR.mkdir(exist_ok=True)
        php = ["php", "-d", "display_errors=stderr", "-d", "opcache.enable_cli=1",
               "-d", f"opcache.file_cache={_OPCACHE_DIR}", "-d", "opcache.file_cache_only=1"]
        done = subprocess.run([*php, str(HELPER)],
                              input=json.dumps(ops).encode(), capture_output=True, env=env, check=False,
                              timeout=120)
        out = done.stdout.decode("utf-8", "replace")
        if done.returncode:
            raise WordPressError(
                f"helper.php failed ({done.returncode}): "
                f"{done.stderr.decode('utf-8', 'replace')[-3000:]} {out[-1000:]}")
        # Notices may precede the JSON; the result is the last line.
        try:
            return list(json.loads(out.strip().splitlines()[-1])["results"])
        except (ValueError, IndexError, KeyError) as exc:
            raise WordPressError(f"helper.php output not JSON: {out[-2000:]!r}") from exc

    def comment_page_of(self, comment_id: int) -> int:
        """The comment page (1-based) WordPress puts a comment on, under current settings."""
        return int(self.php(f"return get_page_of_comment({int(comment_id)});"))

    def php(self, code: str) -> Any:
        """Run PHP code after wp-load.php; what it returns comes back JSON-decoded."""
        return self.run_ops([{"op": "eval", "code": code}])[0]

    # -- set-up -------------------------------------------------------------------------

    def _install_and_seed(self, theme: str, plan: tuple[PlannedPost, ...]) -> None:
        """Install, configure and seed in one PHP run (each run costs a WordPress load)."""
        ops: list[dict[str, Any]] = [
            {"op": "install", "title": BASE_OPTIONS["blogname"],
             "password": secrets.token_hex(12)},
            {"op": "options", "values": BASE_OPTIONS},
            {"op": "permalinks", "structure": PRETTY_PERMALINKS},
            {"op": "theme", "name": theme},
        ]
        setup = len(ops)
        self.theme = theme
        ops += [
            {"op": "user", "login": a.login, "display_name": a.display_name} for a in AUTHORS
        ]
        for p in plan:
            ops.append(self._post_op(p.key, p.title, p.content, p.author_login, p.date,
                                     p.tags, p.categories, p.slug))
            for c in p.comments:
                ops.append({"op": "add_comment", "key": c.key, "post_id": p.key,
                            "parent": c.parent or 0, "author": c.author, "url": c.url,
                            "email": c.email or _email(c.author), "content": c.content,
                            "date_gmt": _gmt(c.date)})
        results = iter(self.run_ops(ops)[setup + len(AUTHORS):])
        posts = []
        for p in plan:
            view = next(results)
            comments = tuple(_seeded_comment(c.key, next(results)) for c in p.comments)
            posts.append(SeededPost(
                key=p.key, id=view["id"], url=view["url"], slug=view["slug"], title=p.title,
                author=_display_name(p.author_login), author_login=p.author_login,
                on_topic=p.on_topic, tags=p.tags, categories=p.categories, content=p.content,
                rendered_html=view["rendered"], date=_utc(view["date_gmt"]),
                comments=comments))
        self.seed = Seed(posts=tuple(posts), authors=AUTHORS)

    @staticmethod
    def _post_op(key: str, title: str, content: str, author_login: str, date: datetime,
                 tags: Iterable[str], categories: Iterable[str], slug: str) -> dict[str, Any]:
        return {"op": "add_post", "key": key, "title": title, "content": content,
                "author_login": author_login, "date_gmt": _gmt(date), "tags": list(tags),
                "categories": list(categories), "slug": slug}

    # -- switches -----------------------------------------------------------------------

    def block_rest(self, blocked: bool = True) -> None:
        """Block (or allow) the REST API at the nginx level: /wp-json/ and ?rest_route= 403."""
        self.servers.set_rest_blocked(blocked)

    def set_permalinks(self, pretty: bool = True) -> None:
        """Pretty /%year%/%monthnum%/%postname%/ links, or plain ?p=N ones."""
        self.run_ops([{"op": "permalinks", "structure": PRETTY_PERMALINKS if pretty else ""}])
        self.pretty_permalinks = pretty
        views = self.run_ops([{"op": "post_view", "id": p.id} for p in self.seed.posts])
        self.seed = dataclasses.replace(self.seed, posts=tuple(
            dataclasses.replace(p, url=v["url"]) for p, v in zip(self.seed.posts, views)))

    def set_theme(self, name: str) -> None:
        """Switch theme: 'twentytwentyone' (classic) or 'twentytwentythree' (block)."""
        self.run_ops([{"op": "theme", "name": name}])
        self.theme = name

    def set_default_comments_page(self, which: str) -> None:
        """Which comment page a post shows first: 'newest' (the last) or 'oldest'."""
        if which not in ("newest", "oldest"):
            raise ValueError("default comments page is 'newest' or 'oldest'")
        self.set_options(default_comments_page=which)

    def set_options(self, **values: Any) -> None:
        """Set WordPress options; reset_switches() puts the first-seen values back."""
        before = self.run_ops([{"op": "options", "values": values}])[0]
        for name, value in before.items():
            self._original_options.setdefault(name, value)

    def reset_switches(self) -> None:
        """Undo block_rest, set_permalinks, set_theme and every set_options (not content)."""
        if self.rest_blocked:
            self.block_rest(False)
        if not self.pretty_permalinks:
            self.set_permalinks(True)
        if self.theme != "twentytwentyone":
            self.set_theme("twentytwentyone")
        if self._original_options:
            self.run_ops([{"op": "options", "values": self._original_options}])
            self._original_options = {}

    # -- mutations (the versioning tests) -------------------------------------------------

    def edit_comment(self, comment_id: int, new_text: str) -> SeededComment:
        view = self.run_ops([{"op": "edit_comment", "id": comment_id, "content": new_text}])[0]
        return self._replace_comment(comment_id, view)

    def rename_comment_author(self, comment_id: int, new_name: str) -> SeededComment:
        view = self.run_ops([{"op": "edit_comment", "id": comment_id, "author": new_name}])[0]
        return self._replace_comment(comment_id, view)

    def trash_comment(self, comment_id: int) -> SeededComment:
        view = self.run_ops([{"op": "trash_comment", "id": comment_id}])[0]
        return self._replace_comment(comment_id, view)

    def restore_comment(self, comment_id: int) -> SeededComment:
        """Take a comment out of the trash (approved again)."""
        view = self.run_ops([{"op": "restore_comment", "id": comment_id}])[0]
        return self._replace_comment(comment_id, view)

    def trash_post(self, post_id: int) -> SeededPost:
        """Move a post to the trash: its URL answers 404 from now on."""
        self.run_ops([{"op": "trash_post", "id": post_id}])
        new = dataclasses.replace(self.seed.post(post_id), trashed=True)
        self._replace_post(new)
        return new

    def restore_post(self, post_id: int) -> SeededPost:
        """Take a post out of the trash, published again at its old URL."""
        view = self.run_ops([{"op": "restore_post", "id": post_id}])[0]
        new = dataclasses.replace(self.seed.post(post_id), trashed=False, url=view["url"])
        self._replace_post(new)
        return new

    def add_comment(self, post_id: int, author: str, text: str, parent: int = 0,
                    date: datetime | None = None, url: str = "") -> int:
        """Add an approved comment (kses applied as for a submitted one); returns its id."""
        date = date or datetime.now(UTC).replace(microsecond=0)
        view = self.run_ops([{"op": "add_comment", "post_id": post_id, "parent": parent,
                              "author": author, "url": url, "email": _email(author),
                              "content": text, "date_gmt": _gmt(date)}])[0]
        post = self.seed.post(post_id)
        key = f"{post.key}-added-{view['id']}"
        new = _seeded_comment(key, view)
        self._replace_post(dataclasses.replace(post, comments=post.comments + (new,)))
        return int(view["id"])

    def update_post(self, post_id: int, content: str | None = None, title: str | None = None,
                    modified: datetime | None = None) -> SeededPost:
        op: dict[str, Any] = {"op": "update_post", "id": post_id}
        if content is not None:
            op["content"] = content
        if title is not None:
            op["title"] = title
        if modified is not None:
            op["modified_gmt"] = _gmt(modified)
        view = self.run_ops([op])[0]
        post = self.seed.post(post_id)
        new = dataclasses.replace(post, content=content if content is not None else post.content,
                                  title=title if title is not None else post.title,
                                  rendered_html=view["rendered"], url=view["url"])
        self._replace_post(new)
        return new

    def add_post(self, *, title: str, content: str, author_login: str = "malvarez",
                 tags: Iterable[str] = (), categories: Iterable[str] = (),
                 date: datetime | None = None, slug: str = "", on_topic: bool = True) -> int:
        """Publish a post; `on_topic` is what the test expects the filter to decide."""
        date = date or datetime.now(UTC).replace(microsecond=0)
        key = f"added-{len(self.seed.posts)}"
        view = self.run_ops([self._post_op(key, title, content, author_login, date, tags,
                                           categories, slug)])[0]
        new = SeededPost(key=key, id=view["id"], url=view["url"], slug=view["slug"],
                         title=title, author=_display_name(author_login),
                         author_login=author_login, on_topic=on_topic, tags=tuple(tags),
                         categories=tuple(categories), content=content,
                         rendered_html=view["rendered"], date=_utc(view["date_gmt"]))
        self.seed = dataclasses.replace(self.seed, posts=self.seed.posts + (new,))
        return int(view["id"])

    def _replace_post(self, new: SeededPost) -> None:
        self.seed = dataclasses.replace(self.seed, posts=tuple(
            new if p.id == new.id else p for p in self.seed.posts))

    def _replace_comment(self, comment_id: int, view: dict[str, Any]) -> SeededComment:
        old = self.seed.comment(comment_id)
        new = _seeded_comment(old.key, view)
        post = self.seed.post(old.post_id)
        self._replace_post(dataclasses.replace(post, comments=tuple(
            new if c.id == comment_id else c for c in post.comments)))
        return new


def _seeded_comment(key: str, view: dict[str, Any]) -> SeededComment:
    return SeededComment(
        key=key, id=int(view["id"]), post_id=int(view.get("post_id", 0)),
        author=view["author"], author_url=view["author_url"], parent=int(view["parent"]),
        content=view["content"], rendered_html=view["rendered"],
        text=visible_text(view["rendered"]), date=_utc(view["date_gmt"]),
        trashed=view["status"] == "trash")


def _display_name(login: str) -> str:
    for a in AUTHORS:
        if a.login == login:
            return a.display_name
    raise KeyError(f"unknown author login {login!r}")


def _email(name: str) -> str:
    # require_name_email is on, as on most blogs; a stable fake address per name.
    slug = "".join(ch for ch in name.casefold() if ch.isascii() and ch.isalnum()) or "anon"
    return f"{slug}@example.invalid"
