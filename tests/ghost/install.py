"""Ghost 5 from npm, installed once into a cache outside the repo and reused by every run.

The recipe (checked on this machine, see ../shared/research/platforms.md, "Ghost"):
`npm install ghost` fails on its `file:components/...` dependencies, and Ghost 6 wants
Node 22, so the tarball of `ghost@5.130.4` is unpacked, its devDependencies (one is a
codeload.github.com tarball, unreachable) are dropped, and its production dependencies
installed with `npm install --omit=dev --legacy-peer-deps` (about 6 minutes: it builds
sqlite3). The result lives in `$PALIMPSEST_GHOST_CACHE` or ~/.cache/palimpsest, in a
directory named for the version, and is used only once complete (an interrupted
install is started again from nothing). A lock keeps two sessions from installing at
once.

    python -m tests.ghost.install        # install now (CI does, before the tests)
    ghost_dir() -> Path                  # installed Ghost, installing it if needed
    unavailable_reason() -> str | None   # why Ghost cannot run here (no node/npm)

`$PALIMPSEST_GHOST_DIR` names another Ghost installed by hand (its package directory,
holding index.js), to run the same tests against it: a newer Ghost with the Node it
needs first on PATH (docs/ghost.md says which were tried).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

__all__ = ["GHOST_VERSION", "GhostInstallError", "ghost_dir", "unavailable_reason"]

GHOST_VERSION = "5.130.4"
# Ghost 5.130's own `engines.node`: ^18.12.1 || ^20.11.1 || ^22.13.1.
_NODE_MAJORS = (18, 20, 22)
_DONE = ".palimpsest-installed"
OTHER_GHOST = "PALIMPSEST_GHOST_DIR"
INSTALL_TIMEOUT_S = 45 * 60


class GhostInstallError(RuntimeError):
    """npm could not install Ghost (the message holds the end of npm's output)."""


def cache_root() -> Path:
    root = os.environ.get("PALIMPSEST_GHOST_CACHE")
    return Path(root) if root else Path.home() / ".cache" / "palimpsest"


def install_dir() -> Path:
    return cache_root() / f"ghost-{GHOST_VERSION}"


def unavailable_reason() -> str | None:
    """Why no Ghost can be installed or run here, or None."""
    named = os.environ.get(OTHER_GHOST)
    if named:
        return None if (Path(named) / "index.js").is_file() else f"${OTHER_GHOST}={named} holds no index.js"
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Ghost {GHOST_VERSION} needs Node {'/'.join(map(str, _NODE_MAJORS))})"
    try:
        version = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True,
                                 timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        return f"node --version failed: {exc}"
    major = int(version.lstrip("v").split(".")[0]) if version.lstrip("v")[:1].isdigit() else 0
    if major not in _NODE_MAJORS:
        return f"node {version}: Ghost {GHOST_VERSION} supports Node {'/'.join(map(str, _NODE_MAJORS))} only"
    return None


def ghost_dir() -> Path:
    """The installed Ghost's directory (holding index.js), installed now if absent."""
    if os.environ.get(OTHER_GHOST):
        return Path(os.environ[OTHER_GHOST])
    target = install_dir()
    if (target / _DONE).exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f"ghost-{GHOST_VERSION}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another session may be installing it right now
        if not (target / _DONE).exists():
            _install(target)
    return target


def _run(cmd: list[str], cwd: Path, log: Path) -> None:
    with open(log, "ab") as out:
        done = subprocess.run(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, check=False,
                              timeout=INSTALL_TIMEOUT_S)
    if done.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:]
        raise GhostInstallError(f"{' '.join(cmd)} failed (exit {done.returncode}) in {cwd}:\n{tail}")


def _install(target: Path) -> None:
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix=f"ghost-{GHOST_VERSION}-", dir=target.parent))
    log = work / "install.log"
    try:
        _run(["npm", "pack", f"ghost@{GHOST_VERSION}", "--silent"], work, log)
        with tarfile.open(work / f"ghost-{GHOST_VERSION}.tgz") as tar:
            tar.extractall(work, filter="data")
        package = work / "package"
        manifest = package / "package.json"
        data = json.loads(manifest.read_text(encoding="utf-8"))
        data.pop("devDependencies", None)
        manifest.write_text(json.dumps(data, indent=2), encoding="utf-8")
        _run(["npm", "install", "--omit=dev", "--legacy-peer-deps", "--no-audit", "--no-fund"], package, log)
        (package / _DONE).write_text(f"{time.monotonic() - started:.0f} s\n", encoding="utf-8")
        shutil.rmtree(target, ignore_errors=True)
        package.rename(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    why = unavailable_reason()
    if why:
        sys.exit(f"Ghost cannot be installed here: {why}")
    t0 = time.monotonic()
    print(ghost_dir(), f"({time.monotonic() - t0:.0f} s)")
