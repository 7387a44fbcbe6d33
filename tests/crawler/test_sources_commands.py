"""`rasid sources add` discovers an outlet from its homepage (feed, sitemap, or sections) against outlets
on loopback and writes it to the config; `rasid sources check` reports each source's state."""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from rasid.cli import main
from rasid.config import load_settings
from rasid.demo.outlets import Outlet, SampleArticle, load_sample_outlets
from rasid.demo.server import LoggedRequest, OutletServer, Response

REPO = Path(__file__).resolve().parents[2]


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "rasid.toml"
    path.write_text(
        '# my config\n[storage]\nurl = "sqlite:///rasid.db"\n'
        '[crawler]\nallow_private_addresses = ["127.0.0.1/32"]\n'
        f'[watch]\nwatchlists = ["{REPO / "config" / "watchlists" / "coalition.toml"}"]\n',
        encoding="utf-8",
    )
    return path


def test_add_finds_the_feed_and_writes_the_source(tmp_path: Path) -> None:
    outlet = load_sample_outlets()[0]
    config = _config(tmp_path)
    with OutletServer([outlet]) as server:
        result = CliRunner().invoke(
            main, ["--config", str(config), "sources", "add", server.base_url(outlet.slug)]
        )
        assert result.exit_code == 0, result.output
        settings = load_settings(config)
        (source,) = settings.sources
        assert source.feeds == [server.feed_url(outlet.slug)]
        assert source.sitemaps == [server.sitemap_url(outlet.slug)]  # from robots.txt
        assert source.name == outlet.name and source.language == "ar"
        assert config.read_text(encoding="utf-8").startswith("# my config")  # comments kept
        again = CliRunner().invoke(
            main, ["--config", str(config), "sources", "add", server.base_url(outlet.slug)]
        )
        assert again.exit_code == 2 and "already configured" in again.output


def test_add_falls_back_to_section_pages(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    paragraphs = ["فقرة أولى من خبر محلي طويل بما يكفي ليعد مقالاً في الموقع الإخباري."] * 3
    outlet = Outlet(
        "موقع بلا خلاصات",
        "nofeed",
        [
            SampleArticle(f"a-{i}", f"خبر {i}", paragraphs, now - timedelta(hours=i), section="سياسة")
            for i in range(8)
        ],
    )
    config = _config(tmp_path)
    gone = Response(status=404, body=b"not here")

    def no_listings(r: LoggedRequest) -> Response | None:
        path = r.path.split("?")[0]
        if path in ("/feed.xml", "/sitemap.xml", "/robots.txt") or path.startswith(
            ("/rss", "/feed", "/sitemap")
        ):
            return gone
        if path == "/":  # a homepage without <link rel=alternate>
            return None
        return None

    with OutletServer([outlet]) as server:
        server.set_hook("nofeed", "*", no_listings)
        page = server.base_url("nofeed")
        # a homepage without <link rel="alternate">
        home = urllib.request.urlopen(page).read().replace(b'rel="alternate"', b'rel="x-none"')
        server.set_hook("nofeed", "/", lambda r: Response(body=home))
        result = CliRunner().invoke(main, ["--config", str(config), "sources", "add", page, "--name", "بلا"])
        assert result.exit_code == 0, result.output
        (source,) = load_settings(config).sources
        assert source.feeds == [] and source.sitemaps == [] and source.sections


def test_add_refuses_private_addresses_by_default(tmp_path: Path) -> None:
    config = tmp_path / "rasid.toml"
    config.write_text("", encoding="utf-8")
    with OutletServer(load_sample_outlets()[:1]) as server:
        url = server.base_url(load_sample_outlets()[0].slug)
        result = CliRunner().invoke(main, ["--config", str(config), "sources", "add", url])
    assert result.exit_code == 1 and "non-public address" in result.output


def test_check_reports_state_after_a_crawl(tmp_path: Path) -> None:
    outlets = load_sample_outlets()[:2]
    config = _config(tmp_path)
    with OutletServer(outlets) as server:
        server.set_hook(outlets[1].slug, "/feed.xml", lambda r: Response(status=503))
        text = config.read_text(encoding="utf-8")
        for o in outlets:
            text += f'[[sources]]\nname = "{o.name}"\nhomepage = "{server.base_url(o.slug)}"\n'
            text += f'feeds = ["{server.feed_url(o.slug)}"]\n'
        text = text.replace("[crawler]\n", "[crawler]\nretry_times = 0\n")
        config.write_text(text, encoding="utf-8")
        crawl = subprocess.run(
            [sys.executable, "-m", "rasid", "--config", str(config), "crawl", "--once"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert crawl.returncode == 0, crawl.stderr
    result = CliRunner().invoke(main, ["--config", str(config), "sources", "check"])
    assert result.exit_code == 1  # one source is in error
    assert f"{len(outlets[0].articles)} articles stored" in result.output
    assert "HTTP 503" in result.output and "HTTP 200" in result.output
