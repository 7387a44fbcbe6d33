"""Scale-out on loopback, as real processes: one scheduler and three workers share the frontier and the
duplicate filter through Redis (scrapy-redis) and the state through PostgreSQL. 50 outlets: every article
stored once, every alert delivered once, and a worker killed mid-crawl loses nothing."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import need
from sqlalchemy import create_engine, text

from rasid.demo.desk import AlertDesk
from rasid.demo.outlets import Outlet, SampleArticle, load_sample_outlets
from rasid.demo.server import LoggedRequest, OutletServer, Response

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def _outlets() -> list[Outlet]:
    """50 outlets: the demo's articles (some match topics) spread over them, plus local news."""
    demo = [a for o in load_sample_outlets() for a in o.articles]
    now = datetime.now(UTC)
    filler = [
        "قال مسؤول محلي إن أعمال صيانة الطرق في المدينة ستستمر حتى نهاية الشهر الجاري وفق الخطة المعلنة."
    ] * 3
    outlets = []
    for i in range(50):
        articles = [
            SampleArticle(f"local-{i}-{j}", f"أخبار محلية {i}-{j}", filler, now - timedelta(hours=j + 1))
            for j in range(3)
        ]
        if i < len(demo):
            articles.append(demo[i])
        outlets.append(Outlet(f"منفذ {i:02d}", f"o{i:02d}", articles))
    return outlets


def test_scheduler_and_three_workers(pg_url: str, tmp_path: Path) -> None:
    need(_redis_up(), "Redis is not running on 127.0.0.1:6379")
    outlets = _outlets()
    expected_articles = sum(len(o.articles) for o in outlets)
    namespace = f"rasid-test-{uuid.uuid4().hex[:8]}"
    with OutletServer(outlets) as server, AlertDesk() as desk:
        for o in outlets:  # article pages answer slowly, so a crawl is still going when a worker dies

            def hook(r: LoggedRequest, slug: str = o.slug) -> Response | None:
                if r.path.startswith("/articles/"):
                    time.sleep(0.3)
                return None

            server.set_hook(o.slug, "*", hook)
        sources = "".join(
            f'[[sources]]\nname = "{o.name}"\nhomepage = "{server.base_url(o.slug)}"\n'
            f'feeds = ["{server.feed_url(o.slug)}"]\npoll = "4s"\n'
            for o in outlets
        )
        config = tmp_path / "rasid.toml"
        config.write_text(
            f'[storage]\nurl = "{pg_url}"\n[crawler]\nallow_private_addresses = true\n'
            f'[scale]\nnamespace = "{namespace}"\ndupefilter_window = "3s"\nreport_every = "2s"\n'
            f'[alerts]\ndispatch_every = "1s"\n'
            f'[watch]\nwatchlists = ["{REPO / "config" / "watchlists" / "coalition.toml"}"]\n'
            + sources
            + f'[[channels]]\nname = "desk"\nurl = "{desk.apprise_url()}"\n',
            encoding="utf-8",
        )
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}

        def start(role: str, n: int) -> subprocess.Popen[str]:
            return subprocess.Popen(
                [sys.executable, "-m", "rasid", "--config", str(config), "run", "--role", role],
                stdout=subprocess.DEVNULL,
                stderr=open(tmp_path / f"{role}{n}.log", "w"),
                text=True,
                env=env,
            )

        procs = [start("worker", i) for i in range(3)] + [start("scheduler", 0)]
        engine = create_engine(pg_url)
        try:

            def count(sql: str) -> int:
                with engine.connect() as c:
                    try:
                        return int(c.execute(text(sql)).scalar() or 0)
                    except Exception:
                        return 0

            deadline = time.monotonic() + 60
            while count("select count(*) from articles") < 10 and time.monotonic() < deadline:
                time.sleep(0.2)
            procs[0].kill()  # SIGKILL a worker mid-crawl
            procs[0].wait()
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                done = count("select count(*) from articles") >= expected_articles
                alerts = count("select count(*) from alerts")
                if done and alerts and count("select count(*) from alerts where status <> 'sent'") == 0:
                    break
                time.sleep(0.5)
            time.sleep(2)
            for p in procs[1:]:
                p.send_signal(signal.SIGTERM)
            for p in procs[1:]:
                assert p.wait(timeout=30) == 0, (tmp_path / "worker1.log").read_text()[-2000:]
            with engine.connect() as c:
                stored = c.execute(text("select count(*), count(distinct url) from articles")).one()
                sent = c.execute(text("select count(*) from alerts where status = 'sent'")).scalar()
                matched = c.execute(text("select count(*) from matches")).scalar()
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
            engine.dispose()
            import redis

            client = redis.Redis(host="127.0.0.1", port=6379)
            for key in client.scan_iter(f"{namespace}*"):
                client.delete(key)
            client.close()
        assert stored[0] == stored[1] == expected_articles
        assert matched and sent
        # one message per sent alert that is not folded into an earlier one ("also reported by")
        assert len(desk.received) <= sent and len(desk.received) == len(
            {r.payload.get("message") for r in desk.received}
        )
        worker_logs = [(tmp_path / f"worker{i}.log").read_text() for i in range(1, 3)]
        assert all("worker stored" in log for log in worker_logs), "a worker did no work"
