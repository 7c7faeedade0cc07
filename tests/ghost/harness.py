"""A real Ghost 5 for the tests, on 127.0.0.1, with its own SQLite database.

Ghost is installed once into a cache (tests/ghost/install.py). Each site gets a run
directory of its own: `current` (a symlink to the installed Ghost: Ghost finds its root
through it), `config.development.json` (sqlite3, url and host 127.0.0.1, a free port)
and a copy of Ghost's `content/`. The first boot creates the database; the seed
(tests/ghost/seed.py) then goes straight into it, comments switched on
(`settings.comments_enabled = 'all'`), and Ghost boots again to serve it. Comments are
read from the database on every request, so the mutations below need no restart.

    site = GhostSite.start()            # two boots, some 20-40 s
    site.base_url                       # "http://127.0.0.1:PORT" (no trailing slash)
    site.comments                       # the seeded comments, kept current by:
    site.edit_comment(id, "<p>new</p>") # html changed, edited_at set
    site.set_status(id, "deleted")      # or "hidden"
    site.add_reply(parent_id, in_reply_to_id, member, html, created) -> SeedComment
    site.add_post(post, visibility="members")  # a post more; Ghost knows it after:
    site.set_setting("comments_enabled", "off")  # settings are cached at boot, so:
    site.restart()                      # some 10-20 s
    site.stop()
"""

from __future__ import annotations

import atexit
import json
import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from tests.ghost.install import ghost_dir
from tests.ghost.seed import (
    MEMBERS,
    POSTS,
    SeedComment,
    SeedMember,
    SeedPost,
    ghost_id,
    seed_comments,
)

__all__ = ["AUTHOR", "GhostError", "GhostSite"]

AUTHOR = "Marta Alvarez"  # the staff user who writes every post
BOOT_TIMEOUT_S = 180


class GhostError(RuntimeError):
    """Ghost did not start (the message holds the end of its log)."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _sql_time(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


class GhostSite:
    def __init__(self, run_dir: Path, port: int) -> None:
        self.run_dir = run_dir
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.db_path = run_dir / "content" / "data" / "ghost.db"
        self.log_path = run_dir / "ghost.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.comments: dict[str, SeedComment] = {}

    @classmethod
    def start(cls) -> Self:
        ghost = ghost_dir()
        run_dir = Path(tempfile.mkdtemp(prefix="palimpsest-ghost-"))
        site = cls(run_dir, _free_port())
        atexit.register(site.stop)  # no Ghost left running after an interrupted session
        try:
            (run_dir / "current").symlink_to(ghost)
            shutil.copytree(ghost / "content", run_dir / "content")
            site._write_config()
            site._boot()  # creates and migrates the database
            site._stop_process()
            site._seed()
            site._boot()
        except BaseException:
            site.stop()
            raise
        return site

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the process ------------------------------------------------------------------

    def _write_config(self) -> None:
        config = {
            "url": self.base_url,
            "server": {"host": "127.0.0.1", "port": self.port},
            "database": {"client": "sqlite3", "connection": {"filename": str(self.db_path)},
                         "useNullAsDefault": True},
            "paths": {"contentPath": str(self.run_dir / "content")},
            "logging": {"level": "warn", "transports": ["stdout"]},
            "privacy": {"useUpdateCheck": False, "useGravatar": False, "useRpcPing": False},
            "caching": {"frontend": {"maxAge": 0}, "commentsCountAPI": {"maxAge": 0}},
        }
        (self.run_dir / "config.development.json").write_text(json.dumps(config), encoding="utf-8")

    def _boot(self) -> None:
        env = {**os.environ, "NODE_ENV": "development"}
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(["node", "current/index.js"], cwd=self.run_dir, env=env,
                                            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + BOOT_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise GhostError(f"Ghost exited ({self.process.returncode}):\n{self._log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        raise GhostError(f"Ghost did not answer within {BOOT_TIMEOUT_S} s:\n{self._log_tail()}")

    def _log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:] if self.log_path.exists() else ""

    def _stop_process(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def stop(self) -> None:
        self._stop_process()
        shutil.rmtree(self.run_dir, ignore_errors=True)

    # -- content ----------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.db_path, timeout=30)

    def _seed(self) -> None:
        now = _sql_time(datetime.now(UTC))
        with self._db() as db:
            # The owner Ghost creates: id '1' in Ghost 5, an object id in Ghost 6.
            owner = db.execute("SELECT ru.user_id FROM roles_users ru JOIN roles r ON r.id = ru.role_id"
                               " WHERE r.name = 'Owner'").fetchone()[0]
            db.execute("UPDATE users SET name = ?, slug = 'marta' WHERE id = ?", (AUTHOR, owner))
            db.execute("UPDATE settings SET value = 'all' WHERE key = 'comments_enabled'")
            for member in MEMBERS.values():
                _insert(db, "members", id=member.id, uuid=member.uuid, transient_id=secrets.token_hex(12),
                        email=member.email, name=member.name, status="free", created_at=now, created_by=owner)
            tags: dict[str, str] = {}
            for post in POSTS.values():
                at = _sql_time(post.published)
                # comment_id: what the {{comments}} helper needs to render (Ghost sets it to the id)
                _insert(db, "posts", id=post.id, uuid=str(uuid.uuid4()), title=post.title, slug=post.slug,
                        html=post.html, plaintext="", status="published", visibility="public",
                        email_recipient_filter="all", created_at=at, created_by=owner, updated_at=at,
                        updated_by=owner, published_at=at, published_by=owner, type="post", comment_id=post.id)
                db.execute("INSERT INTO posts_authors (id, post_id, author_id, sort_order) VALUES (?, ?, ?, 0)",
                           (ghost_id("64d0"), post.id, owner))
                for order, name in enumerate(post.tags):
                    if name not in tags:
                        tags[name] = ghost_id("64e0")
                        _insert(db, "tags", id=tags[name], name=name, slug="-".join(name.lower().split()),
                                created_at=now, created_by=owner)
                    db.execute("INSERT INTO posts_tags (id, post_id, tag_id, sort_order) VALUES (?, ?, ?, ?)",
                               (ghost_id("64f0"), post.id, tags[name], order))
            for comment in seed_comments():
                self._insert_comment(db, comment)

    def _insert_comment(self, db: sqlite3.Connection, c: SeedComment) -> None:
        db.execute(
            "INSERT INTO comments (id, post_id, member_id, parent_id, in_reply_to_id, status, html,"
            " edited_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (c.id, c.post, c.member.id, c.parent, c.in_reply_to, c.status, c.html,
             _sql_time(c.edited) if c.edited else None, _sql_time(c.created), _sql_time(c.edited or c.created)),
        )
        self.comments[c.id] = c

    def add_post(self, post: SeedPost, visibility: str = "public") -> None:
        """A post more (`visibility`: public, members or paid), by the owner, with its tags;
        Ghost's URL service and sitemaps know it after `restart()`."""
        at, now = _sql_time(post.published), _sql_time(datetime.now(UTC))
        with self._db() as db:
            owner = db.execute("SELECT ru.user_id FROM roles_users ru JOIN roles r ON r.id = ru.role_id"
                               " WHERE r.name = 'Owner'").fetchone()[0]
            db.execute(
                "INSERT INTO posts (id, uuid, title, slug, html, plaintext, status, visibility,"
                " email_recipient_filter, created_at, created_by, updated_at, updated_by, published_at,"
                " published_by, type, comment_id) VALUES (?, ?, ?, ?, ?, '', 'published', ?, 'all',"
                " ?, ?, ?, ?, ?, ?, 'post', ?)",
                (post.id, str(uuid.uuid4()), post.title, post.slug, post.html, visibility,
                 at, owner, at, owner, at, owner, post.id),
            )
            db.execute("INSERT INTO posts_authors (id, post_id, author_id, sort_order) VALUES (?, ?, ?, 0)",
                       (ghost_id("64d0"), post.id, owner))
            for order, name in enumerate(post.tags):
                found = db.execute("SELECT id FROM tags WHERE name = ?", (name,)).fetchone()
                tag = found[0] if found else ghost_id("64e0")
                if not found:
                    db.execute("INSERT INTO tags (id, name, slug, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
                               (tag, name, "-".join(name.lower().split()), now, owner))
                db.execute("INSERT INTO posts_tags (id, post_id, tag_id, sort_order) VALUES (?, ?, ?, ?)",
                           (ghost_id("64f0"), post.id, tag, order))

    def set_setting(self, key: str, value: str) -> None:
        """One of Ghost's settings (comments_enabled: all, paid or off); Ghost reads its
        settings at boot, so it takes effect after `restart()`."""
        with self._db() as db:
            db.execute("UPDATE settings SET value = ? WHERE key = ?", (value, key))

    def restart(self) -> None:
        self._stop_process()
        self._boot()

    def edit_comment(self, comment_id: str, html: str, at: datetime | None = None) -> SeedComment:
        c = self.comments[comment_id]
        c.html, c.edited = html, at or datetime.now(UTC).replace(microsecond=0)
        with self._db() as db:
            db.execute("UPDATE comments SET html = ?, edited_at = ?, updated_at = ? WHERE id = ?",
                       (html, _sql_time(c.edited), _sql_time(c.edited), comment_id))
        return c

    def set_status(self, comment_id: str, status: str) -> SeedComment:
        c = self.comments[comment_id]
        c.status = status
        with self._db() as db:
            db.execute("UPDATE comments SET status = ? WHERE id = ?", (status, comment_id))
        return c

    def add_reply(self, parent: str, in_reply_to: str, member: SeedMember, html: str,
                  created: datetime | None = None) -> SeedComment:
        top = self.comments[parent]
        c = SeedComment(ghost_id(), top.post, member, html, created or datetime.now(UTC).replace(microsecond=0),
                        parent=parent, in_reply_to=in_reply_to)
        with self._db() as db:
            self._insert_comment(db, c)
        return c


def _insert(db: sqlite3.Connection, table: str, **row: object) -> None:
    """One row into Ghost's table, without the columns this Ghost's schema lacks
    (Ghost 6 dropped `created_by` and `updated_by`)."""
    columns = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
    kept = {k: v for k, v in row.items() if k in columns}
    db.execute(f"INSERT INTO {table} ({', '.join(kept)}) VALUES ({', '.join('?' * len(kept))})", tuple(kept.values()))
