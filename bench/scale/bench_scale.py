"""Scale-out throughput: one scheduler and 1, 2 and 4 workers (real processes) crawling the same simulated
outlets on loopback into a fresh PostgreSQL database, sharing the frontier through Redis. Reports the time
until every article is stored and articles per second, per worker count.

    .venv/bin/python bench/scale/bench_scale.py [--outlets 100] [--articles 20] [--workers 1 2 4]
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from rasid.demo.outlets import Outlet, SampleArticle, load_sample_outlets
from rasid.demo.server import OutletServer

REPO = Path(__file__).resolve().parents[2]
ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def outlets(n: int, per: int) -> list[Outlet]:
    paragraphs = [p for o in load_sample_outlets() for a in o.articles for p in a.paragraphs]
    now = datetime.now(UTC)
    out = []
    for i in range(n):
        arts = [
            SampleArticle(
                f"a{j}",
                f"خبر {i}-{j}",
                [paragraphs[(i * per + j + k) % len(paragraphs)] for k in range(4)],
                now - timedelta(minutes=j + 1),
            )
            for j in range(per)
        ]
        out.append(Outlet(f"outlet-{i:03d}", f"o{i:03d}", arts))
    return out


def run(workers: int, sites: list[Outlet], server: OutletServer) -> dict[str, float]:
    name = f"rasid_scale_{uuid.uuid4().hex[:8]}"
    admin = create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = ADMIN.rsplit("/", 1)[0] + "/" + name
    tmp = Path(tempfile.mkdtemp(prefix="rasid-scale-"))
    sources = "".join(
        f'[[sources]]\nname = "{o.name}"\nhomepage = "{server.base_url(o.slug)}"\n'
        f'feeds = ["{server.feed_url(o.slug)}"]\npoll = "10m"\n'
        for o in sites
    )
    config = tmp / "rasid.toml"
    config.write_text(
        f'[storage]\nurl = "{url}"\n[crawler]\nallow_private_addresses = true\nconcurrent_requests = 32\n'
        f'[scale]\nnamespace = "bench-{uuid.uuid4().hex[:8]}"\nreport_every = "2s"\n'
        f'[watch]\nwatchlists = ["{REPO / "config" / "watchlists" / "coalition.toml"}"]\n' + sources,
        encoding="utf-8",
    )
    total = sum(len(o.articles) for o in sites)
    engine = create_engine(url)
    cmd = [sys.executable, "-m", "rasid", "--config", str(config), "--log-level", "WARNING", "run", "--role"]
    # workers first, fully started (imports, migrations), then the scheduler: the clock starts with it
    procs = [
        subprocess.Popen([*cmd, "worker"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(workers)
    ]
    time.sleep(6)
    started = time.monotonic()
    procs.append(subprocess.Popen([*cmd, "scheduler"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    stored = 0
    while time.monotonic() - started < 600:
        with engine.connect() as c:
            try:
                stored = int(c.execute(text("select count(*) from articles")).scalar() or 0)
            except Exception:
                stored = 0
        if stored >= total:
            break
        time.sleep(0.2)
    took = time.monotonic() - started
    for p in procs:
        p.send_signal(signal.SIGTERM)
    for p in procs:
        p.wait(timeout=30)
    engine.dispose()
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
    return {
        "workers": workers,
        "articles": stored,
        "seconds": round(took, 1),
        "articles_per_s": round(stored / took, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--outlets", type=int, default=100)
    ap.add_argument("--articles", type=int, default=20)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = ap.parse_args()
    sites = outlets(args.outlets, args.articles)
    results = []
    with OutletServer(sites) as server:
        for n in args.workers:
            results.append(run(n, sites, server))
            print(json.dumps(results[-1]), flush=True)
    (REPO / "bench" / "scale" / "last.json").write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
