"""Soak: the daemon against 100 simulated outlets that keep publishing, on a fast schedule, for N minutes,
with a SIGKILL and restart in the middle. Reports resident memory at start and end of each half, CPU per
crawl cycle, and alerts delivered versus expected (all, none twice).

    .venv/bin/python bench/soak/soak.py --minutes 30 [--outlets 100] [--poll 20s] [--out bench/soak/last.json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rasid.demo.desk import AlertDesk
from rasid.demo.outlets import Outlet, load_expected, load_sample_outlets
from rasid.demo.server import OutletServer

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def crawls(port: int) -> int:
    try:
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    except OSError:
        return -1
    return int(
        sum(float(v) for v in re.findall(r"^rasid_crawl_duration_seconds_count\{[^}]*\} (\S+)$", body, re.M))
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--outlets", type=int, default=100)
    ap.add_argument("--poll", default="20s")
    ap.add_argument("--publish-every", type=float, default=2.0, help="seconds between new articles")
    ap.add_argument("--out", default=str(REPO / "bench" / "soak" / "last.json"))
    args = ap.parse_args()
    rng = random.Random(7)
    demo = load_sample_outlets()
    keyed = {(e.outlet, e.slug): e for e in load_expected()}
    matching = [
        (a, keyed[(o.slug, a.slug)].topics)
        for o in demo
        for a in o.articles
        if keyed[(o.slug, a.slug)].topics
    ]
    plain = [a for o in demo for a in o.articles if not keyed[(o.slug, a.slug)].topics]
    now = datetime.now(UTC)
    outlets = [
        Outlet(
            f"soak-{i:03d}",
            f"s{i:03d}",
            [replace(plain[i % len(plain)], slug=f"seed-{i}", published=now - timedelta(hours=1))],
        )
        for i in range(args.outlets)
    ]
    tmp = Path(tempfile.mkdtemp(prefix="rasid-soak-"))
    port = free_port()
    published: list[tuple[str, frozenset[str]]] = []
    stop = threading.Event()

    with OutletServer(outlets) as server, AlertDesk() as desk:

        def publisher() -> None:
            n = 0
            while not stop.wait(args.publish_every):
                n += 1
                outlet = outlets[rng.randrange(len(outlets))]
                if rng.random() < 0.3:
                    base, topics = matching[rng.randrange(len(matching))]
                else:
                    base, topics = plain[rng.randrange(len(plain))], frozenset()
                # a distinct event each time: a new headline and a first paragraph of its own
                article = replace(
                    base,
                    slug=f"n{n}",
                    title=f"{base.title} ({n})",
                    paragraphs=[f"تحديث رقم {n} من مراسلنا في الموقع {outlet.slug}.", *base.paragraphs],
                    published=datetime.now(UTC),
                )
                server.publish(outlet.slug, article)
                published.append((server.article_url(outlet.slug, article.slug), frozenset(topics)))

        sources = "".join(
            f'[[sources]]\nname = "{o.name}"\nhomepage = "{server.base_url(o.slug)}"\n'
            f'feeds = ["{server.feed_url(o.slug)}"]\npoll = "{args.poll}"\n'
            for o in outlets
        )
        config = tmp / "rasid.toml"
        config.write_text(
            f'[storage]\nurl = "sqlite:///rasid.db"\n[crawler]\nallow_private_addresses = true\n'
            f'[daemon]\nhttp_port = {port}\n[alerts]\ndispatch_every = "2s"\nstory_window = "1s"\n'
            f'[watch]\nwatchlists = ["{REPO / "config" / "watchlists" / "coalition.toml"}"]\n'
            + sources
            + f'[[channels]]\nname = "desk"\nurl = "{desk.apprise_url()}"\n',
            encoding="utf-8",
        )

        def start() -> subprocess.Popen[bytes]:
            return subprocess.Popen(
                [sys.executable, "-m", "rasid", "--config", str(config), "--log-level", "WARNING", "run"],
                stdout=subprocess.DEVNULL,
                stderr=open(tmp / "daemon.log", "ab"),
            )

        def half(proc: subprocess.Popen[bytes], seconds: float) -> dict[str, float]:
            deadline = time.monotonic() + 60
            while crawls(port) < args.outlets and time.monotonic() < deadline:  # first full cycle done
                time.sleep(0.5)
            c0, cpu0, rss0 = crawls(port), cpu_seconds(proc.pid), rss_mb(proc.pid)
            t0 = time.monotonic()
            while time.monotonic() - t0 < seconds:
                time.sleep(5)
            c1, cpu1, rss1 = crawls(port), cpu_seconds(proc.pid), rss_mb(proc.pid)
            cycles = (c1 - c0) / args.outlets
            return {
                "rss_start_mb": round(rss0, 1),
                "rss_end_mb": round(rss1, 1),
                "rss_growth_pct": round(100 * (rss1 - rss0) / rss0, 1),
                "cycles": round(cycles, 1),
                "cpu_s_per_cycle": round((cpu1 - cpu0) / max(cycles, 1e-9), 3),
                "seconds": round(time.monotonic() - t0),
            }

        threading.Thread(target=publisher, daemon=True).start()
        seconds = args.minutes * 60 / 2
        proc = start()
        first = half(proc, seconds)
        proc.kill()  # SIGKILL in the middle
        proc.wait()
        proc = start()
        second = half(proc, seconds)
        stop.set()
        time.sleep(float(args.poll.rstrip("s")) * 2 + 10)  # let the last articles be crawled and sent
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)

    import sqlite3

    db = sqlite3.connect(tmp / "rasid.db")
    stored = {row[0] for row in db.execute("select url from articles")}
    matches = set(db.execute("select a.url, m.topic from matches m join articles a on a.id = m.article_id"))
    statuses = dict(db.execute("select status, count(*) from alerts group by status"))
    expected = {(url, t) for url, topics in published for t in topics}
    pairs = []
    titles = {}
    for item in desk.received:
        lines = item.message.strip().splitlines()
        pairs.append((lines[-1].strip(), lines[0]))
        titles[lines[0]] = True
    dupes = [p for p, n in Counter(pairs).items() if n > 1]
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "minutes": args.minutes,
        "outlets": args.outlets,
        "poll": args.poll,
        "published": len(published),
        "stored_of_published": sum(1 for u, _ in published if u in stored),
        "expected_alerts": len(expected),
        "matched_expected": len(expected & matches),
        "unexpected_matches": len(matches - expected - {(u, t) for u in stored for t in ("x",)}),
        "alerts_by_status": statuses,
        "messages_received": len(desk.received),
        "delivered_twice": len(dupes),
        "before_kill": first,
        "after_restart": second,
    }
    Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
