"""A real WordPress for the tests: Debian's package behind our own php-fpm and nginx.

Each `WordPressSite` is isolated so several engineers (and several test sessions) can
run at once: its own MariaDB database (`palimpsest_wp_<token>`, dropped at stop), its
own php-fpm master (unix socket in a temp dir) and nginx master (a free port on
127.0.0.1), and its own config. Nothing under /etc/nginx or the system php-fpm is used.

Debian's /usr/share/wordpress/wp-config.php loads /etc/wordpress/config-<NAME>.php, NAME
taken from the WORDPRESS_CONFIG server variable when set; nginx passes a per-site NAME,
and the one file we write there (removed at stop) only requires the real config kept in
the temp dir. Outbound HTTP from WordPress is blocked (WP_HTTP_BLOCK_EXTERNAL), cron and
mail are off, so a site never contacts anything but MariaDB.

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
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
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

__all__ = ["PRETTY_PERMALINKS", "WordPressError", "WordPressSite", "unavailable_reason"]

WP_ROOT = Path("/usr/share/wordpress")
WP_ETC = Path("/etc/wordpress")
HELPER = Path(__file__).with_name("helper.php")
PRETTY_PERMALINKS = "/%year%/%monthnum%/%postname%/"
THEMES = ("twentytwentyone", "twentytwentythree")
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

_REST_BLOCK = """# Written by the palimpsest test harness: the REST API, blocked as many real sites do.
location ^~ /wp-json { return 403; }
if ($arg_rest_route) { return 403; }
"""


# The CGI variables PHP needs, written here rather than included from /etc/nginx (see
# the HTTP_HOST note in the server block).
_FASTCGI_PARAMS = "\n            ".join(
    f"fastcgi_param {name} ${var};" for name, var in (
        ("QUERY_STRING", "query_string"), ("REQUEST_METHOD", "request_method"),
        ("CONTENT_TYPE", "content_type"), ("CONTENT_LENGTH", "content_length"),
        ("SCRIPT_NAME", "fastcgi_script_name"), ("REQUEST_URI", "request_uri"),
        ("DOCUMENT_URI", "document_uri"), ("DOCUMENT_ROOT", "document_root"),
        ("SERVER_PROTOCOL", "server_protocol"), ("REQUEST_SCHEME", "scheme"),
        ("REMOTE_ADDR", "remote_addr"), ("REMOTE_PORT", "remote_port"),
        ("SERVER_ADDR", "server_addr"), ("SERVER_PORT", "server_port"),
        ("SERVER_NAME", "server_name"),
    )
) + "\n            fastcgi_param GATEWAY_INTERFACE CGI/1.1;" \
    "\n            fastcgi_param REDIRECT_STATUS 200;"


class WordPressError(RuntimeError):
    """The test WordPress could not be started or did not do what was asked."""


def _mariadb() -> tuple[str, str, str, int]:
    """(user, password, host, port) from PALIMPSEST_TEST_MARIADB=user[:pw]@host:port."""
    spec = os.environ.get("PALIMPSEST_TEST_MARIADB", "root@127.0.0.1:3306")
    cred, _, addr = spec.rpartition("@")
    user, _, password = (cred or "root").partition(":")
    host, _, port = addr.partition(":")
    return user, password, host or "127.0.0.1", int(port or 3306)


def _php_fpm() -> str | None:
    for name in ("php-fpm8.2", "php-fpm"):
        for d in ("/usr/sbin", "/usr/bin"):
            if os.access(f"{d}/{name}", os.X_OK):
                return f"{d}/{name}"
    return shutil.which("php-fpm")


def _mysql(sql: str, database: str | None = None) -> str:
    user, password, host, port = _mariadb()
    cmd = ["mysql", "-h", host, "-P", str(port), "-u", user, "--batch", "--skip-column-names"]
    if password:
        cmd.append(f"-p{password}")
    if database:
        cmd.append(database)
    done = subprocess.run(cmd + ["-e", sql], check=False, capture_output=True, text=True, timeout=30)
    if done.returncode:
        raise WordPressError(f"mysql {sql!r}: {done.stderr.strip()}")
    return done.stdout


def unavailable_reason() -> str | None:
    """Why a test WordPress cannot run on this machine, or None when it can."""
    missing = [p for p in ("wp-load.php", "wp-config.php") if not (WP_ROOT / p).exists()]
    if missing:
        return "Debian package 'wordpress' is not installed (/usr/share/wordpress)"
    for theme in THEMES:
        if not (WP_ROOT / "wp-content/themes" / theme).is_dir():
            return f"WordPress theme {theme} is not installed"
    for tool, hint in (("php", "php-cli"), ("nginx", "nginx"), ("mysql", "mariadb-client")):
        if not (shutil.which(tool) or os.access(f"/usr/sbin/{tool}", os.X_OK)):
            return f"{tool} not found (Debian package {hint})"
    if not _php_fpm():
        return "php-fpm not found (Debian package php-fpm)"
    for probe, lacking in (
        ("function_exists('mysqli_connect')", "PHP has no mysqli (Debian package php-mysql)"),
        # Without SimpleXML WordPress answers wp-sitemap.xml with 501.
        ("class_exists('SimpleXMLElement')", "PHP has no SimpleXML (Debian package php-xml)"),
    ):
        if subprocess.run(["php", "-r", f"exit({probe} ? 0 : 1);"], check=False).returncode:
            return lacking
    if not os.access(WP_ETC, os.W_OK):
        return f"{WP_ETC} is not writable (the harness writes a per-site config there)"
    try:
        _mysql("SELECT 1")
    except (WordPressError, OSError, subprocess.TimeoutExpired) as exc:
        return f"MariaDB not reachable ({exc})"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _utc(mysql_gmt: str) -> datetime:
    return datetime.strptime(mysql_gmt, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def _gmt(dt: datetime) -> str:
    if dt.tzinfo is None:
        raise ValueError("seed and mutation times must be aware (UTC)")
    return dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


class WordPressSite:
    """One running WordPress: nginx + php-fpm + a MariaDB database, seeded."""

    def __init__(self, workdir: Path, token: str, port: int) -> None:
        self.workdir = workdir
        self.token = token
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.db_name = f"palimpsest_wp_{token}"
        self.config_name = f"palimpsest-{token}"  # [a-zA-Z0-9-]+, as Debian's loader wants
        self.seed = Seed(posts=(), authors=AUTHORS)
        self.theme = "twentytwentyone"
        self.pretty_permalinks = True
        self.rest_blocked = False
        self._procs: list[subprocess.Popen[bytes]] = []
        self._original_options: dict[str, Any] = {}
        self._stopped = False

    # -- lifecycle ----------------------------------------------------------------------

    @classmethod
    def start(cls, *, seed: Iterable[PlannedPost] = SEED_POSTS,
              theme: str = "twentytwentyone", port: int | None = None) -> WordPressSite:
        """Install, configure, seed and serve a fresh site; stop() it when done.

        `port`: a fixed port (for captures that should not churn), else a free one.
        """
        reason = unavailable_reason()
        if reason:
            raise WordPressError(f"test WordPress unavailable: {reason}")
        _sweep_stale_sites()
        token = secrets.token_hex(4)
        workdir = Path(tempfile.mkdtemp(prefix=f"palimpsest-wp-{token}-"))
        site = cls(workdir, token, port or _free_port())
        atexit.register(site.stop)
        try:
            site._write_config()
            _mysql(f"CREATE DATABASE `{site.db_name}` CHARACTER SET utf8mb4 "
                   "COLLATE utf8mb4_unicode_ci")
            site._start_servers()
            site._install_and_seed(theme, tuple(seed))
        except BaseException:
            site.stop()
            raise
        return site

    def stop(self) -> None:
        """Stop the servers, drop the database, remove every file written."""
        if self._stopped:
            return
        self._stopped = True
        for proc in self._procs:
            if proc.poll() is None:
                # SIGQUIT: nginx's graceful stop; php-fpm treats it as a graceful stop too.
                proc.send_signal(signal.SIGQUIT)
        for proc in self._procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        try:
            _mysql(f"DROP DATABASE IF EXISTS `{self.db_name}`")
        except (WordPressError, OSError, subprocess.TimeoutExpired):
            pass  # teardown must go on; a leftover test database is harmless
        (WP_ETC / f"config-{self.config_name}.php").unlink(missing_ok=True)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _write_config(self) -> None:
        w = self.workdir
        user, password, host, port = _mariadb()
        (w / "mu-plugins").mkdir()
        (w / "nginx-tmp").mkdir()
        salts = "\n".join(
            f"define('{k}', '{secrets.token_hex(24)}');"
            for k in ("AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY",
                      "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT")
        )
        (w / "wp-config.php").write_text(f"""<?php
// Written by the palimpsest test harness for one test site; removed at stop.
define('DB_NAME', '{self.db_name}');
define('DB_USER', '{user}');
define('DB_PASSWORD', '{password}');
define('DB_HOST', '{host}:{port}');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
define('WP_HOME', '{self.base_url}');
define('WP_SITEURL', '{self.base_url}');
// Themes are read where Debian installs them; nothing is written there.
define('WP_CONTENT_DIR', '{WP_ROOT}/wp-content');
define('WP_CONTENT_URL', '{self.base_url}/wp-content');
define('WPMU_PLUGIN_DIR', '{w}/mu-plugins');
define('WP_ALLOW_MULTISITE', false);
define('DISABLE_WP_CRON', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_AUTO_UPDATE_CORE', false);
define('WP_DEBUG', false);
{salts}
$table_prefix = 'wp_';
""", encoding="utf-8")
        (w / "mu-plugins" / "palimpsest-test.php").write_text("""<?php
// No mail leaves a test site (there is no MTA, and there must be no traffic).
add_filter('pre_wp_mail', '__return_false');
""", encoding="utf-8")
        (WP_ETC / f"config-{self.config_name}.php").write_text(
            f"<?php\n// palimpsest test harness, removed at stop\nrequire '{w}/wp-config.php';\n",
            encoding="utf-8")
        (w / "rest.conf").write_text("", encoding="utf-8")
        as_root = "user root;" if os.geteuid() == 0 else ""
        t = w / "nginx-tmp"
        (w / "nginx.conf").write_text(f"""
{as_root}
daemon off;
worker_processes 2;
pid {w}/nginx.pid;
error_log {w}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {w}/nginx-access.log;
    client_body_temp_path {t}/body;
    fastcgi_temp_path {t}/fastcgi;
    proxy_temp_path {t}/proxy;
    uwsgi_temp_path {t}/uwsgi;
    scgi_temp_path {t}/scgi;
    server {{
        listen 127.0.0.1:{self.port};
        server_name 127.0.0.1;
        root {WP_ROOT};
        index index.php;
        include {w}/rest.conf;
        location / {{ try_files $uri $uri/ /index.php?$args; }}
        location ~ \\.php$ {{
            try_files $uri =404;
            {_FASTCGI_PARAMS}
            # Debian's fastcgi_params pass HTTP_HOST without the port, and WordPress then
            # redirects every URL to itself (redirect_canonical); our site has one port.
            fastcgi_param HTTP_HOST $host:{self.port};
            fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
            fastcgi_param WORDPRESS_CONFIG {self.config_name};
            fastcgi_pass unix:{w}/php-fpm.sock;
        }}
    }}
}}
""", encoding="utf-8")
        pool_user = "user = root\ngroup = root" if os.geteuid() == 0 else ""
        (w / "php-fpm.conf").write_text(f"""
[global]
pid = {w}/php-fpm.pid
error_log = {w}/php-fpm.log
daemonize = no
[palimpsest]
{pool_user}
listen = {w}/php-fpm.sock
pm = static
pm.max_children = 4
php_admin_value[error_log] = {w}/php-error.log
php_admin_flag[log_errors] = on
php_admin_flag[display_errors] = off
""", encoding="utf-8")

    def _start_servers(self) -> None:
        w = self.workdir
        fpm = [_php_fpm() or "php-fpm", "--nodaemonize", "--fpm-config", str(w / "php-fpm.conf")]
        if os.geteuid() == 0:
            fpm.append("--allow-to-run-as-root")
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        # The child keeps its own copy of the log descriptor; ours can close at once.
        with open(w / "php-fpm.out", "wb") as fpm_log, open(w / "nginx.out", "wb") as nginx_log:
            self._procs.append(subprocess.Popen(_die_with_parent(fpm), stdout=subprocess.DEVNULL,
                                                stderr=fpm_log))
            self._procs.append(subprocess.Popen(
                _die_with_parent([nginx, "-p", str(w), "-e", str(w / "nginx-error.log"),
                                  "-c", str(w / "nginx.conf")]),
                stdout=subprocess.DEVNULL, stderr=nginx_log))
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            for proc, log in zip(self._procs, ("php-fpm.out", "nginx.out")):
                if proc.poll() is not None:
                    raise WordPressError(f"{log.split('.')[0]} exited: "
                                         + (w / log).read_text(errors="replace")[-2000:])
            if (w / "php-fpm.sock").exists():
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                    return
                except OSError:
                    pass
            time.sleep(0.05)
        raise WordPressError("nginx/php-fpm did not come up within 15 s")

    # -- PHP ----------------------------------------------------------------------------

    def run_ops(self, ops: list[dict[str, Any]]) -> list[Any]:
        """Run helper.php operations in one PHP process; return their results."""
        env = dict(os.environ, WORDPRESS_CONFIG=self.config_name,
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
        """Block (or allow) the REST API at the nginx level, and wait until it applies."""
        (self.workdir / "rest.conf").write_text(_REST_BLOCK if blocked else "", encoding="utf-8")
        nginx = self._procs[1]
        old_workers = _children(nginx.pid)
        nginx.send_signal(signal.SIGHUP)
        # A reload is asynchronous: until every old worker has exited, one of them may
        # still answer with the old configuration.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if not (old_workers & _children(nginx.pid)) and (
                    self._status("/?rest_route=/") == 403) == blocked:
                self.rest_blocked = blocked
                return
            time.sleep(0.05)
        raise WordPressError(f"nginx reload did not apply (REST blocked={blocked})")

    def _status(self, path: str) -> int:
        try:
            with urllib.request.urlopen(self.base_url + path, timeout=10) as resp:
                return int(resp.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)

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


def _die_with_parent(cmd: list[str]) -> list[str]:
    """`cmd`, made to get SIGTERM if the test process dies without stop() (util-linux)."""
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "TERM", "--", *cmd] if setpriv else cmd


def _alive(pid_file: Path) -> bool:
    try:
        os.kill(int(pid_file.read_text().strip()), 0)
    except (OSError, ValueError):
        return False
    return True


def _sweep_stale_sites() -> None:
    """Remove what killed harness runs left: configs, databases and temp dirs.

    A site is stale when its nginx is gone and its config is older than a start-up
    could take; sites of other running sessions are left alone.
    """
    now = time.time()
    live_tokens = set()
    # Listed before the configs: a site writes its config before creating its database,
    # so every database listed here has its config visible below unless it is stale.
    databases = _mysql("SHOW DATABASES LIKE 'palimpsest\\_wp\\_%'").split()
    for conf in WP_ETC.glob("config-palimpsest-*.php"):
        token = conf.stem.removeprefix("config-palimpsest-")
        workdirs = list(Path(tempfile.gettempdir()).glob(f"palimpsest-wp-{token}-*"))
        try:
            young = now - conf.stat().st_mtime < 120
        except OSError:
            continue  # removed by its own harness meanwhile
        if young or any(_alive(w / "nginx.pid") for w in workdirs):
            live_tokens.add(token)
            continue
        conf.unlink(missing_ok=True)
        for w in workdirs:
            shutil.rmtree(w, ignore_errors=True)
    for db in databases:
        if db.removeprefix("palimpsest_wp_") not in live_tokens:
            _mysql(f"DROP DATABASE IF EXISTS `{db}`")


def _children(pid: int) -> set[int]:
    """Live child process ids of `pid` (nginx workers), from /proc."""
    kids = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process exited while we looked
        if int(fields[1]) == pid and fields[0] != "Z":
            kids.add(int(stat.parent.name))
    return kids


def _display_name(login: str) -> str:
    for a in AUTHORS:
        if a.login == login:
            return a.display_name
    raise KeyError(f"unknown author login {login!r}")


def _email(name: str) -> str:
    # require_name_email is on, as on most blogs; a stable fake address per name.
    slug = "".join(ch for ch in name.casefold() if ch.isascii() and ch.isalnum()) or "anon"
    return f"{slug}@example.invalid"
