"""The TOML config: defaults, resolution order, and one clear error per kind of mistake."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from crawler.config import bundled_config_path, load_config, parse_config, resolve_config_path
from storage.errors import ConfigError

GOOD = """
[topic]
name = "Deportation"
keywords = ["deport*", "CECOT"]

[[sources]]
key = "otb"
name = "Outside the Beltway"
url = "https://www.outsidethebeltway.com/"
since = "2025-01-01"
aliases = [["Jay", "jay tea"]]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_config_and_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert config.topic.keywords == ("deport*", "CECOT")
    (source,) = config.sources
    assert source.key == "otb" and source.platform == "wordpress"
    assert source.since == date(2025, 1, 1)
    assert source.aliases == (("Jay", "jay tea"),)
    assert source.use_rest and source.enabled and source.warc is None
    assert config.crawl.concurrency_per_host == 2 and config.crawl.delay_seconds == 1.0
    assert config.schedule.cron == "0 3 * * *" and config.schedule.timezone == "UTC"
    assert config.schedule.jitter_seconds == 300 and config.schedule.misfire_grace_seconds == 3600
    assert config.revisit.daily_days == 14 and config.revisit.weekly_days == 90
    assert config.source("otb") is source


def test_all_tables(tmp_path: Path) -> None:
    text = GOOD + """
schedule = "30 2 * * *"
timezone = "America/New_York"
concurrency = 1
delay_seconds = 2.5
warc = true
use_rest = false
enabled = false

[crawl]
user_agent = "palimpsest-test"
contact_url = "https://example.org/contact"
warc_dir = "warc"
concurrency_per_host = 3
delay_seconds = 0.5

[schedule]
cron = "0 4 * * *"
timezone = "Europe/Berlin"
jitter_seconds = 0
misfire_grace_seconds = 60

[revisit]
daily_days = 7
weekly_days = 30
"""
    config = load_config(write(tmp_path, text))
    source = config.sources[0]
    assert (source.schedule, source.timezone, source.concurrency) == ("30 2 * * *", "America/New_York", 1)
    assert source.delay_seconds == 2.5 and source.warc is True
    assert source.use_rest is False and source.enabled is False
    assert config.enabled_sources == ()
    assert config.crawl.contact_url == "https://example.org/contact"
    assert config.crawl.concurrency_per_host == 3 and config.crawl.warc_dir == "warc"
    assert config.schedule.jitter_seconds == 0 and config.schedule.timezone == "Europe/Berlin"
    assert config.revisit.daily_days == 7 and config.revisit.weekly_days == 30


def test_bare_toml_date_is_accepted(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD.replace('"2025-01-01"', "2025-01-01")))
    assert config.sources[0].since == date(2025, 1, 1)


def test_bundled_default_loads_and_lists_real_wordpress_blogs() -> None:
    config = load_config(bundled_config_path())
    assert len(config.sources) >= 3
    assert all(s.platform == "wordpress" and s.url.startswith("https://") for s in config.sources)
    assert config.topic.keywords


def test_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    explicit = write(tmp_path, GOOD)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PALIMPSEST_CONFIG", raising=False)
    assert resolve_config_path(None) == bundled_config_path()
    (tmp_path / "palimpsest.toml").write_text(GOOD)
    assert resolve_config_path(None) == Path("palimpsest.toml")
    monkeypatch.setenv("PALIMPSEST_CONFIG", "from-env.toml")
    assert resolve_config_path(None) == Path("from-env.toml")
    assert resolve_config_path(explicit) == explicit


NO_TOPIC = '[[sources]]\nkey = "a"\nname = "A"\nurl = "https://a.example/"\n'
DUPLICATE = '\n[[sources]]\nkey = "otb"\nname = "Again"\nurl = "https://x.example/"\n'

BAD = [
    # (what, text, the key the message must name, words it must contain)
    ("unknown top-level key", GOOD + "\n[crawler]\nx = 1\n", "crawler", "unknown key"),
    ("unknown source key", GOOD + 'urll = "x"\n', "sources[0].urll", "unknown key"),
    ("unknown topic key", GOOD.replace("[topic]", "[topic]\nkeyword = []"), "topic.keyword", "unknown key"),
    ("unknown crawl key", GOOD + "\n[crawl]\ndelay = 1\n", "crawl.delay", "unknown key"),
    ("unknown schedule key", GOOD + "\n[schedule]\njitter = 1\n", "schedule.jitter", "unknown key"),
    ("unknown revisit key", GOOD + "\n[revisit]\nmonthly = 1\n", "revisit.monthly", "unknown key"),
    ("missing topic", NO_TOPIC, "topic", "missing"),
    ("empty keywords", GOOD.replace('["deport*", "CECOT"]', "[]"), "topic.keywords", "empty"),
    ("bad keyword star", GOOD.replace('"CECOT"', '"CE*COT"'), "topic.keywords[1]", "trailing"),
    ("missing topic name", GOOD.replace('name = "Deportation"\n', ""), "topic.name", "missing"),
    ("bad url", GOOD.replace("https://www.outsidethebeltway.com/", "ftp://x"), "sources[0].url", "not an http"),
    ("url without host", GOOD.replace("https://www.outsidethebeltway.com/", "https://"), "sources[0].url", "not an http"),
    ("missing url", GOOD.replace('url = "https://www.outsidethebeltway.com/"\n', ""), "sources[0].url", "missing"),
    ("duplicate key", GOOD + DUPLICATE, "sources[1].key", "duplicate"),
    ("bad date", GOOD.replace("2025-01-01", "2025-13-01"), "sources[0].since", "not a date"),
    ("bad key chars", GOOD.replace('key = "otb"', 'key = "O T B"'), "sources[0].key", "lower-case"),
    ("bad platform", GOOD + 'platform = "typepad"\n', "sources[0].platform", "not supported"),
    ("bad timezone", GOOD + 'timezone = "Mars/Olympus"\n', "sources[0].timezone", "time zone"),
    ("bad cron", GOOD + 'schedule = "nightly"\n', "sources[0].schedule", "cron"),
    ("bad bool", GOOD + 'use_rest = "no"\n', "sources[0].use_rest", "true or false"),
    ("bad number", GOOD + "concurrency = 0\n", "sources[0].concurrency", "integer"),
    ("bad aliases", GOOD.replace('[["Jay", "jay tea"]]', '"Jay"'), "sources[0].aliases", "array"),
    ("bad revisit order", GOOD + "\n[revisit]\ndaily_days = 30\nweekly_days = 7\n", "revisit.weekly_days", "less"),
    ("bad contact url", GOOD + '\n[crawl]\ncontact_url = "mailto:me"\n', "crawl.contact_url", "not an http"),
    ("not toml", "[topic\n", "", "not valid TOML"),
]


@pytest.mark.parametrize("what,text,key,words", BAD, ids=[b[0] for b in BAD])
def test_config_errors_name_file_key_and_problem(
    tmp_path: Path, what: str, text: str, key: str, words: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(str(path)), message
    assert f": {key}:" in message if key else True, message
    assert words in message, message


def test_missing_file() -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config("/nonexistent/palimpsest.toml")


def test_unknown_source_key_lists_known(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="known: otb"):
        parse_config(GOOD, path="x.toml").source("nope")


def test_cli_prints_config_error_and_exits_2(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "bogus = 1\n")
    done = subprocess.run(
        [sys.executable, "-m", "cli", "crawl", "--config", str(path), "--db", f"sqlite:///{tmp_path}/a.db"],
        check=False, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2], timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "sources[0].bogus" in done.stderr and str(path) in done.stderr
    assert "Traceback" not in done.stderr


def test_readme_documents_every_key_and_its_example_loads() -> None:
    """The README's example config is valid, and names every key the loader accepts."""
    import re

    from crawler.config import CrawlSettings, ScheduleDefaults, Source
    from crawler.revisit import RevisitPolicy

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    example = re.search(r"```toml\n(.*?)```", section, re.DOTALL)
    assert example, "a TOML example in the README's Configuration section"
    config = parse_config(example.group(1), path="README.md")
    assert config.sources[0].aliases == (("JohnD", "John D."),)
    documented = set(re.findall(r"^(\w+) =", example.group(1), re.MULTILINE))
    for table in (Source, CrawlSettings, ScheduleDefaults, RevisitPolicy):
        missing = set(table.__dataclass_fields__) - documented
        assert not missing, (table.__name__, missing)


def test_a_source_overrides_some_revisit_keys() -> None:
    text = GOOD.replace('[[sources]]', '[revisit]\nweekly_days = 60\n\n[[sources]]', 1)
    text = text.rstrip() + "\nrevisit = { daily_days = 3 }\n"
    config = parse_config(text)
    own = config.revisit_policy(config.sources[0])
    assert (own.daily_days, own.weekly_days) == (3, 60)  # the rest from [revisit]
    with pytest.raises(ConfigError, match=r"sources\[0\]\.revisit\.weekly_days"):
        parse_config(text.replace("daily_days = 3", "daily_days = 99"))
