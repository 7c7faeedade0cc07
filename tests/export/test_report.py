"""`palimpsest report`: one self-contained HTML page, checked in headless chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from tests.conftest import service_unavailable
from tests.export.conftest import SampleArchive
from tests.export.helpers import cli

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        service_unavailable("chromium is not installed (Debian: apt-get install chromium)")
    assert found is not None
    return found


def _run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ]
    return subprocess.run([_chromium(), *flags, *args], capture_output=True, text=True,
                          timeout=120, check=False)


def _report(sample: SampleArchive, tmp_path: Path, *extra: str) -> str:
    out = tmp_path / "thread.html"
    result = cli("report", str(sample.post_id), "--db", sample.url, "--out", str(out), *extra)
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def test_report_is_self_contained(sqlite_sample: SampleArchive, tmp_path: Path) -> None:
    page = _report(sqlite_sample, tmp_path)
    # no external resource of any kind: scripts, styles, images, fonts, frames
    assert not re.search(r"""<(script|img|iframe|link)[^>]+(src|href)=""", page)
    assert "@import" not in page and "url(http" not in page
    assert page.count("<svg") == 2 and "<style>" in page and "<script>" in page
    # the post's own URL is the one link, for the reader to follow
    assert re.findall(r'href="(http[^"]+)"', page) == ["https://blog.example/?p=100"]


def test_report_by_url_and_as_of(sample: SampleArchive, tmp_path: Path) -> None:
    page = _report(sample, tmp_path, "--as-of", "2024-03-01T23:00:00Z")
    assert "as of 2024-03-01 23:00 UTC" in page and "(edited)" not in page
    result = cli("report", "https://blog.example/?p=100/", "--db", sample.url,
                 "--out", str(tmp_path / "by-url.html"))
    assert result.exit_code == 0, result.output
    missing = cli("report", "https://nowhere.example/x", "--db", sample.url)
    assert missing.exit_code == 2 and "'https://nowhere.example/x'" in missing.output


def test_report_renders_in_chromium(sample: SampleArchive, tmp_path: Path) -> None:
    _chromium()
    _report(sample, tmp_path)
    page = tmp_path / "thread.html"
    dom = _run_chromium(tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    assert 'id="reply-graph-svg"' in html and 'id="timeline-svg"' in html
    # four commenters plus the edges between them; history rows for every version
    assert html.count('class="node') == 4
    assert len(re.findall(r'class="edge"', html)) == 3
    assert html.count('class="change"') == 9
    for kind in ("added", "edited", "deleted"):
        assert f'class="{kind}"' in html
    ARTIFACTS.mkdir(exist_ok=True)
    backend = "sqlite" if sample.url.startswith("sqlite") else "postgresql"
    shot = ARTIFACTS / f"report-{backend}.png"
    done = _run_chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,1500",
                         "--hide-scrollbars", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.stat().st_size > 10_000


def test_spellings_of_one_author_are_one_node() -> None:
    from storage.report import ThreadData, render_report

    def comment(cid: int, ext: str, name: str, key: str) -> dict[str, object]:
        return {"comment_id": cid, "external_id": ext, "author_name": name, "author_key": key,
                "published_at": "2024-03-01T10:00:00.000000Z", "first_seen_at": None,
                "parent_external_id": None, "own_text": "x", "body_text": "x"}

    data = ThreadData(
        post={"post_id": 1, "title": "T", "source_key": "s", "external_id": "1", "url": "u",
              "author_name": "Ed", "author_key": "ed", "published_at": None, "version": 1},
        comments=[comment(1, "1", "JohnD", "johnd"), comment(2, "2", "johnd", "johnd"),
                  comment(3, "3", "Pete", "pete")],
        replies=[{"comment_id": 3, "target_kind": "comment", "target_external_id": "2"},
                 {"comment_id": 1, "target_kind": "post", "target_external_id": "1"}],
        changes=[],
    )
    page = render_report(data)
    assert page.count('class="node') == 3  # JohnD (2 comments), Pete, and the post's Ed
    assert "<title>Pete → JohnD: 1</title>" in page and "<title>JohnD → Ed: 1</title>" in page
