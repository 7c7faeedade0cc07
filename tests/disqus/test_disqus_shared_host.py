"""disqus.com is one host for every source: two crawls of two blogs that both embed one
Disqus keep the crawl delay between all their Disqus requests together (the shared host
pace, PostgreSQL), measured on the Disqus server's own clock."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import ExitStack
from itertools import pairwise
from pathlib import Path

import pytest

from storage.engine import open_engine
from tests.crawler.crawling import REPO, TOPIC
from tests.disqus.server import BlogPost, DisqusState, serve_blog, serve_disqus
from tests.disqus.threads import DisqusThread, disqus_post

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

DELAY = 0.4


def _posts(n: int) -> list[BlogPost]:
    return [BlogPost(200 + i, f"2025/01/1{i}/deportation-{i}", f"Deportation report {i}",
                     "<p>About deportation.</p>", f"2025-01-1{i}T09:00:00+00:00") for i in range(n)]


def test_two_sources_sharing_disqus_keep_its_delay_between_all_their_requests(pg_url: str, tmp_path: Path) -> None:
    open_engine(pg_url).dispose()  # migrated before the crawls race to it
    state = DisqusState()
    posts = _posts(6)
    with ExitStack() as stack:
        dq = stack.enter_context(serve_disqus(state))
        blogs = {key: stack.enter_context(serve_blog(posts, host=host))
                 for key, host in (("blog-a", "127.0.0.3"), ("blog-b", "127.0.0.4"))}
        lines = [TOPIC, f"[crawl]\ndelay_seconds = {DELAY}\nconcurrency_per_host = 2\n"]
        for key, blog in blogs.items():
            lines.append(f'[[sources]]\nkey = "{key}"\nname = "{key}"\nurl = "{blog}/"\nuse_rest = false\n'
                         f'comments = "disqus"\ndisqus_base = "{dq}"\n')
            for p in posts:
                state.threads.append(DisqusThread(
                    thread_id=f"{key}-{p.post_id}", forum="testforum", identifier=f"{p.post_id} {blog}/?p={p.post_id}",
                    link=f"{blog}/{p.slug}/", posts=[disqus_post(
                        f"{p.post_id}1", name="Ana", created="2025-01-20T10:00:00", message="<p>Hi</p>")]))
        config = tmp_path / "sources.toml"
        config.write_text("\n".join(lines), encoding="utf-8")
        env = {**os.environ, "PALIMPSEST_SHARED_PACE": "1"}
        env.pop("PALIMPSEST_CRAWL_COMMAND", None)
        procs = [subprocess.Popen([sys.executable, "-m", "cli", "crawl", "--source", key, "--db", pg_url,
                                   "--config", str(config)], cwd=REPO, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True) for key in blogs]
        for proc in procs:
            out, _ = proc.communicate(timeout=180)
            assert proc.returncode == 0, out
    embeds = [(t, p) for t, p in zip(state.arrivals, state.requests, strict=True) if p.startswith("/embed/")]
    assert len(embeds) == 12, embeds
    # Both crawls asked Disqus over the same stretch of time, and never closer than the delay.
    by_source = [[t for t, p in embeds if "127.0.0.3" in p], [t for t, p in embeds if "127.0.0.4" in p]]
    assert by_source[0][0] < by_source[1][-1] and by_source[1][0] < by_source[0][-1], by_source
    gaps = [b - a for a, b in pairwise(sorted(t for t, _ in embeds))]
    assert min(gaps) >= DELAY * 0.95, gaps
