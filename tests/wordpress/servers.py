"""The servers behind one test WordPress: config files, database, php-fpm and nginx.

Each `SiteServers` is isolated so several engineers (and several test sessions) can
run at once: its own MariaDB database (`palimpsest_wp_<token>`, dropped at stop), its
own php-fpm master (unix socket in a temp dir) and nginx master (a free port on
127.0.0.1), and its own config. Nothing under /etc/nginx or the system php-fpm is used.

Debian's /usr/share/wordpress/wp-config.php loads /etc/wordpress/config-<NAME>.php, NAME
taken from the WORDPRESS_CONFIG server variable when set; nginx passes a per-site NAME,
and the one file we write there (removed at stop) only requires the real config kept in
the temp dir. Outbound HTTP from WordPress is blocked (WP_HTTP_BLOCK_EXTERNAL), cron and
mail are off, so a site never contacts anything but MariaDB and itself.

Servers die with the test process (setpriv --pdeathsig); what a killed run leaves
behind (config, database, temp dir) is swept by the next start.
"""

from __future__ import annotations

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
from pathlib import Path

__all__ = ["THEMES", "WP_ETC", "WP_ROOT", "SiteServers", "WordPressError", "unavailable_reason"]

WP_ROOT = Path("/usr/share/wordpress")
WP_ETC = Path("/etc/wordpress")
THEMES = ("twentytwentyone", "twentytwentythree")

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



class SiteServers:
    """The files and processes of one site; `start()` them, `stop()` removes everything."""

    def __init__(self, port: int | None = None) -> None:
        self.token = secrets.token_hex(4)
        self.workdir = Path(tempfile.mkdtemp(prefix=f"palimpsest-wp-{self.token}-"))
        self.port = port or _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.db_name = f"palimpsest_wp_{self.token}"
        self.config_name = f"palimpsest-{self.token}"  # [a-zA-Z0-9-]+, as Debian wants
        self.rest_blocked = False
        self._procs: list[subprocess.Popen[bytes]] = []
        self._stopped = False

    @classmethod
    def start(cls, port: int | None = None) -> SiteServers:
        """Write the configs, create the (empty) database, start php-fpm and nginx."""
        reason = unavailable_reason()
        if reason:
            raise WordPressError(f"test WordPress unavailable: {reason}")
        _sweep_stale_sites()
        servers = cls(port)
        try:
            servers._write_config()
            _mysql(f"CREATE DATABASE `{servers.db_name}` CHARACTER SET utf8mb4 "
                   "COLLATE utf8mb4_unicode_ci")
            servers._start_servers()
        except BaseException:
            servers.stop()
            raise
        return servers

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

    def set_rest_blocked(self, blocked: bool) -> None:
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


