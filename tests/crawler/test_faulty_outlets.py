"""One crawl against outlets that misbehave on purpose, beside a healthy one, in a real `rasid crawl --once`
process: every fault gives a clear log line and an error state for its source, none stops the crawl, and the
healthy outlet loses nothing."""

from __future__ import annotations

import gzip
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from rasid.demo.outlets import Outlet, SampleArticle
from rasid.demo.server import LoggedRequest, OutletServer, Response

REPO = Path(__file__).resolve().parents[2]
WATCHLIST = REPO / "config" / "watchlists" / "coalition.toml"
pytestmark = pytest.mark.slow

PARAGRAPHS = [
    "أعلنت وزارة الزراعة اليوم عن خطة جديدة لدعم مزارعي القمح في المحافظات الشمالية خلال الموسم المقبل.",
    "وقال المتحدث باسم الوزارة إن الخطة تشمل توزيع البذور المحسنة والأسمدة بأسعار مدعومة على المزارعين.",
    "وأضاف أن الوزارة ستتابع تنفيذ الخطة ميدانياً بالتعاون مع الجمعيات الفلاحية والمجالس المحلية.",
]


def _articles(prefix: str, n: int) -> list[SampleArticle]:
    now = datetime.now(UTC)
    return [
        SampleArticle(
            f"{prefix}-{i}", f"خبر محلي رقم {i} عن الزراعة", PARAGRAPHS, now - timedelta(hours=i + 1)
        )
        for i in range(n)
    ]


def _rss(base: str, links: list[str]) -> bytes:
    now = format_datetime(datetime.now(UTC))
    items = "".join(
        f"<item><title>خبر</title><link>{link}</link><guid>{link}</guid><pubDate>{now}</pubDate></item>"
        for link in links
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()
    )


def _bomb() -> bytes:
    return gzip.compress(b"<html><body>" + b"\x00" * 60_000_000, compresslevel=9)


# name -> (hook path, hook factory given the outlet's base URL and the server, expected words in last_error)
Fault = tuple[str, Callable[[str, OutletServer], Callable[[LoggedRequest], Response | None]], str]
FAULTS: dict[str, Fault] = {
    "slow": ("/feed.xml", lambda base, s: lambda r: Response(delay=4, body=b"<rss/>"), "TimeoutError"),
    "stalled": ("/feed.xml", lambda base, s: lambda r: Response(stall=4, body=_rss(base, [])), ""),
    "http500": ("/feed.xml", lambda base, s: lambda r: Response(status=500, body=b"oops"), "HTTP 500"),
    "loop": (
        "/feed.xml",
        lambda base, s: lambda r: Response(status=302, headers={"Location": base + "feed.xml?x=1"}),
        "redirect",
    ),
    "malformed": ("/feed.xml", lambda base, s: lambda r: Response(body=b"<rss><<<>>>\xff\xfe"), "malformed"),
    "not_a_feed": (
        "/feed.xml",
        lambda base, s: lambda r: Response(body=b"<html><body>hi</body></html>"),
        "not a feed",
    ),
    "ratelimited": (
        "/feed.xml",
        lambda base, s: lambda r: Response(status=429, headers={"Retry-After": "3600"}),
        "HTTP 429",
    ),
    "private_link": (
        "/feed.xml",
        lambda base, s: (
            lambda r: Response(body=_rss(base, [base.replace("127.0.0.1", "127.0.0.2") + "x.html"]))
        ),
        "",
    ),
}


def _page_faults(server: OutletServer, slug: str) -> None:
    """Article-level faults on the 'pages' outlet: its listing is fine, some pages are not."""
    base = server.base_url(slug)

    def hook(r: LoggedRequest) -> Response | None:
        path = r.path.split("?")[0]
        if path.endswith("pages-0.html"):
            return Response(body=b"<html>" + b"x" * 2_000_000 + b"</html>")  # over the size limit
        if path.endswith("pages-1.html"):
            return Response(body=_bomb(), headers={"Content-Encoding": "gzip"})
        if path.endswith("pages-2.html"):
            return Response(
                status=302, headers={"Location": base.replace("127.0.0.1", "127.0.0.2") + "p.html"}
            )
        if path.endswith("pages-3.html"):
            return Response(stall=5, body=b"<html><body>" + "نص ".encode() * 1000 + b"</body></html>")
        return None

    server.set_hook(slug, "*", hook)


def _dupes_and_bytes(server: OutletServer, slug: str) -> None:
    """Duplicate GUIDs and tracking parameters in the feed, invalid byte sequences in a page."""
    base = server.base_url(slug)
    links = [
        base + "articles/dupes-0.html",
        base + "articles/dupes-0.html",
        base + "articles/dupes-0.html?utm_source=x",
        base + "articles/dupes-1.html#c",
        base + "articles/dupes-1.html",
    ]

    def hook(r: LoggedRequest) -> Response | None:
        if r.path == "/feed.xml":
            return Response(body=_rss(base, links), content_type="application/rss+xml")
        if r.path.startswith("/articles/dupes-1.html"):
            html = (
                "<html lang='ar'><head><title>خبر</title></head><body><article><h1>خبر الزراعة</h1>"
                + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
                + "</article></body></html>"
            ).encode()
            return Response(body=html[:200] + b"\xff\xfe\xc3" + html[200:])
        return None

    server.set_hook(slug, "*", hook)


def _truncated_and_entities(server: OutletServer) -> None:
    """A feed cut mid-item keeps its complete items; a feed with entity bombs and an external entity is read
    without expanding either."""
    base = server.base_url("truncated")
    full = _rss(base, [base + "articles/truncated-0.html", base + "articles/truncated-1.html"])
    cut = full[: full.index(b"</item>", full.index(b"truncated-1")) - 10]
    server.set_hook(
        "truncated", "/feed.xml", lambda r: Response(body=cut, content_type="application/rss+xml")
    )
    base = server.base_url("entities")
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY x SYSTEM "file:///etc/passwd">]><rss><channel>'
        + b"".join(
            f"<item><title>&c;&x;</title><link>{base}articles/entities-{i}.html</link></item>".encode()
            for i in range(2)
        )
        + b"</channel></rss>"
    )
    server.set_hook(
        "entities", "/feed.xml", lambda r: Response(body=bomb, content_type="application/rss+xml")
    )


def _thousands(server: OutletServer, slug: str) -> None:
    base = server.base_url(slug)
    links = [f"{base}articles/many-{i}.html" for i in range(5000)]
    body = _rss(base, links)
    server.set_hook(slug, "/feed.xml", lambda r: Response(body=body, content_type="application/rss+xml"))


def test_faulty_outlets_do_not_hurt_the_healthy_one(tmp_path: Path) -> None:
    healthy = Outlet("سليم", "healthy", _articles("ok", 6))
    outlets = [healthy] + [Outlet(name, name, _articles(name, 2)) for name in FAULTS]
    outlets += [
        Outlet("pages", "pages", _articles("pages", 6)),
        Outlet("dupes", "dupes", _articles("dupes", 2)),
        Outlet("thousands", "thousands", []),
        Outlet("truncated", "truncated", _articles("truncated", 2)),
        Outlet("entities", "entities", _articles("entities", 2)),
    ]
    with OutletServer(outlets) as server:
        for name, (path, factory, _) in FAULTS.items():
            server.set_hook(name, path, factory(server.base_url(name), server))
        _page_faults(server, "pages")
        _dupes_and_bytes(server, "dupes")
        _thousands(server, "thousands")
        _truncated_and_entities(server)
        sources = "".join(
            f'[[sources]]\nname = "{o.name}"\nhomepage = "{server.base_url(o.slug)}"\n'
            f'feeds = ["{server.feed_url(o.slug)}"]\n'
            for o in outlets
        )
        config = tmp_path / "rasid.toml"
        config.write_text(
            '[storage]\nurl = "sqlite:///rasid.db"\n'
            '[crawler]\nallow_private_addresses = ["127.0.0.1/32"]\ndownload_timeout = "2s"\n'
            "max_page_bytes = 1000000\nretry_times = 0\nmax_articles_per_source = 50\n"
            f'[watch]\nwatchlists = ["{WATCHLIST}"]\n' + sources,
            encoding="utf-8",
        )
        run = subprocess.run(
            [sys.executable, "-m", "rasid", "--config", str(config), "crawl", "--once"],
            capture_output=True,
            text=True,
            timeout=180,
        )
        thousands_requests = len(server.requests("thousands"))
        private_requests = server.requests("private_link")
    assert run.returncode == 0, run.stderr[-3000:]
    db = sqlite3.connect(tmp_path / "rasid.db")
    stored = dict(
        db.execute(
            "select s.name, count(a.id) from sources s"
            " left join articles a on a.source_id = s.id group by s.name"
        )
    )
    errors = dict(db.execute("select name, coalesce(last_error, '') from sources"))
    assert stored["سليم"] == 6 and errors["سليم"] == ""
    for name, (_, _, words) in FAULTS.items():
        if name == "private_link":
            continue
        assert stored[name] == 0, name
        assert errors[name], f"{name} has no error state"
        assert words.lower() in errors[name].lower(), (name, errors[name])
        assert name in run.stderr, f"no log line names {name}"
    # the feed pointing at 127.0.0.2 is read, but the link is blocked before any connection
    assert "127.0.0.2" in run.stderr and "blocked" in run.stderr
    assert all("x.html" not in r.path for r in private_requests)
    # 6 pages: too big, bomb, redirect to a private address, stalled -> lost; the other two stored
    assert stored["pages"] == 2
    # duplicate GUIDs and tracking parameters: each article fetched and stored once; bad bytes survive
    assert stored["dupes"] == 2
    # the complete item of a truncated feed is fetched; entity tricks are neither expanded nor fatal
    assert stored["truncated"] >= 1 and stored["entities"] == 2
    assert "root:" not in (tmp_path / "rasid.db").read_bytes().decode("latin-1")
    # thousands of items: bounded by max_articles_per_source (plus the feed itself and robots.txt)
    assert thousands_requests <= 50 + 3
    assert "cycle done" in run.stdout
