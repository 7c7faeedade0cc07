"""`palimpsest demo`: crawl the bundled sample blog into an archive and show two queries.

The sample blog (crawler/demo_site/, served by `crawler.demo_server` on 127.0.0.1) is a
snapshot of a small WordPress without its REST API, so the demo exercises the HTML
route: discovery, topic filter, every comment page. Nothing leaves this machine.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Callable
from pathlib import Path

from crawler.config import bundled_config_path, load_config
from crawler.runner import format_summary, run_crawl

__all__ = ["EXAMPLE_QUERIES", "demo_config_text", "run_demo"]

DEMO_SOURCE = "demo"

# What a researcher asks next: who talks most, and how the conversation is threaded.
EXAMPLE_QUERIES = (
    (
        "Who comments most on the topic?",
        (
            "SELECT author_name, count(*) AS comments FROM current_comments "
            "GROUP BY author_name ORDER BY comments DESC, author_name LIMIT 5"
        ),
    ),
    (
        "Which posts drew the most replies to other commenters?",
        (
            "SELECT p.title, count(*) AS comments, count(c.parent_external_id) AS replies "
            "FROM current_comments c JOIN current_posts p ON p.post_id = c.post_id "
            "GROUP BY p.title ORDER BY replies DESC, p.title"
        ),
    ),
)


def _toml_string(value: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes.
    return json.dumps(value, ensure_ascii=False)


def demo_config_text(base_url: str) -> str:
    """A config for the sample blog, with the bundled default's topic."""
    topic = load_config(bundled_config_path()).topic
    keywords = ", ".join(_toml_string(k) for k in topic.keywords)
    tags = ", ".join(_toml_string(t) for t in topic.tags)
    return (
        f"[topic]\nname = {_toml_string(topic.name)}\nkeywords = [{keywords}]\ntags = [{tags}]\n\n"
        "[crawl]\ndelay_seconds = 0\nconcurrency_per_host = 4\n\n"
        f'[[sources]]\nkey = "{DEMO_SOURCE}"\nname = "Borderline Notes (bundled sample blog)"\n'
        f"url = {_toml_string(base_url.rstrip('/') + '/')}\n"
    )


def run_demo(db_url: str, *, echo: Callable[[str], None] = print) -> int:
    """Serve, crawl, summarize, query; return the exit status."""
    from crawler.demo_server import serve_demo_site

    with (
        tempfile.TemporaryDirectory(prefix="palimpsest-demo-") as tmp,
        serve_demo_site() as base_url,
    ):
        config = Path(tmp) / "demo.toml"
        config.write_text(demo_config_text(base_url), encoding="utf-8")
        echo(f"Serving the sample blog at {base_url}; crawling it into {db_url}\n")
        summary = run_crawl(
            DEMO_SOURCE, config_path=str(config), db_url=db_url, trigger="demo", progress=echo
        )
    echo("")
    echo(format_summary(summary))
    if summary.status == "failed":
        return 1
    echo("\nTwo questions a researcher might ask next:")
    # Run in this process through the same functions as `palimpsest sql`: same output,
    # without starting Python twice more.
    from storage.engine import open_engine
    from storage.query import run_query, write_result

    engine = open_engine(db_url, read_only=True)
    try:
        for question, query in EXAMPLE_QUERIES:
            echo(f"\n# {question}\n$ palimpsest sql {_shell_quote(query)}")
            out = io.StringIO()
            write_result(run_query(engine, query), "table", out)
            echo(out.getvalue().rstrip())
    finally:
        engine.dispose()
    echo("\nMore: `palimpsest sql --help`, the views in docs/schema.md, `palimpsest export --help`.")
    return 0


def _shell_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
