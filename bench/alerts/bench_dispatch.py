"""Dispatch benchmark: 10,000 pending alerts to a loopback HTTP sink (json://) through the dispatcher,
beside apprise called directly in a loop (the baseline), and end-to-end latency from article stored to
alert received while articles keep arriving.

    .venv/bin/python bench/alerts/bench_dispatch.py [--alerts 10000] [--latency 1000] [--rate 100] [--db URL]
        [--concurrency 1,4] [--repeat 1]

Each round runs the baseline, then the dispatcher once per `--concurrency` value (alerts.concurrency; 1 is
the default, one send at a time) over the same backlog (put back to pending, deliveries dropped and stories
to be grouped again between runs, with a fresh dispatcher). Wall time is the figure; the process CPU time
is printed beside it because other work on the machine inflates wall time. With several rounds the median
of each measure is reported. The latency run uses the first concurrency value.

Each round also runs apprise in a loop with `async_mode` off, as rasid's channels use it (one service,
sent from the calling thread), and the dispatcher's overhead over that loop is reported too.

The sink runs in a process of its own, as a receiver does (until 2026-11-23 it ran in the benchmark's
process, where its threads took the GIL from both the baseline and the dispatcher).

Interleaved (`--interleave 500`, the default; 0 turns it off): on a host whose speed drifts by tens of per
cent from one minute to the next, runs of 20-40 s each compare the machine's moods as much as the code.
So each round also works the backlog once more with the baselines run in between: after every 500
alerts the dispatcher sends (its `on_sent` hook), 500 sends of each baseline loop run and are timed
apart. The dispatcher's time is the round's time without them; each stretch of 500 alerts gives a ratio
to the baselines run right after it, and the median ratio over the stretches is reported with the pooled
figure (sum over sum).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path

import apprise
from sqlalchemy import delete, update

from rasid.alerts import Dispatcher, open_channels
from rasid.config import ChannelSettings
from rasid.config.schema import AlertSettings
from rasid.storage import (
    Alert,
    Database,
    Delivery,
    NewArticle,
    NewMatch,
    ensure_sources,
    insert_article,
    record_matches,
)

LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


def _pin(cpu: int) -> None:
    """This process on one core (the sink on the second, the benchmark on the first), as a receiver on
    another machine would be: the scheduler no longer moves them around or onto one core together."""
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {cpu})


def _serve_sink(conn: Connection) -> None:
    """The sink's process: answers POSTs, keeps each alert id's arrival time, reports on request."""
    _pin(1)
    arrived: dict[str, float] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            key = self.headers.get("X-Rasid-Alert-Id")
            if key:
                arrived[key] = time.time()
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    conn.send(httpd.server_address[1])
    while True:
        keys = conn.recv()
        if keys is None:
            return
        conn.send({k: arrived[k] for k in keys if k in arrived})


class Sink:
    """A json:// receiver on loopback in its own process (as a real receiver is: its CPU is not the
    dispatcher's), keeping the arrival time of each alert id (X-Rasid-Alert-Id)."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self._conn, child = mp.get_context("fork").Pipe()
        self._proc = mp.get_context("fork").Process(target=_serve_sink, args=(child,), daemon=True)
        self._proc.start()
        self.url = f"json://127.0.0.1:{self._conn.recv()}/alerts"

    def fetch(self, keys: list[str]) -> dict[str, float]:
        """Arrival times of these alert ids, for those that arrived (also kept in `arrived`)."""
        self._conn.send(keys)
        got: dict[str, float] = self._conn.recv()
        self.arrived.update(got)
        return got

    def close(self) -> None:
        self._conn.send(None)
        self._proc.join(5)


def words(rng: random.Random, n: int) -> str:
    return " ".join("".join(rng.choice(LETTERS) for _ in range(rng.randint(4, 7))) for _ in range(n))


def store(db: Database, n: int, rng: random.Random, tag: str) -> dict[int, float]:
    """n unrelated articles matching one topic, each with one alert; returns alert id -> stored time."""
    stored: dict[int, float] = {}
    with db.session() as s:
        sid = ensure_sources(s, [("bench", "https://bench.example/")])["bench"]
        for i in range(n):
            art_id = insert_article(
                s,
                sid,
                NewArticle(
                    f"https://bench.example/{tag}/{i}",
                    words(rng, 9),
                    words(rng, 80),
                    published=datetime.now(UTC),
                ),
            )
            assert art_id is not None
            evidence = [{"sentence": words(rng, 12), "start": 0, "terms": [{"start": 0, "end": 4}]}]
            for aid in record_matches(s, art_id, [NewMatch("t", 2.0, "asserted", evidence)], {"t": ["sink"]}):
                stored[aid] = time.time()
    return stored


def reset(db: Database) -> None:
    """The backlog as it was stored: every alert pending, ungrouped, never attempted."""
    with db.session() as s:
        s.execute(delete(Delivery))
        s.execute(
            update(Alert).values(
                status="pending",
                attempts=0,
                claim_token=None,
                sent_at=None,
                sent_with=None,
                parent_id=None,
                story_checked=False,
                last_error=None,
                next_attempt_at=datetime.now(UTC),
            )
        )


def settle_writes(db: Database) -> None:
    """Write the set-up's pages back to the database file now (SQLite: a WAL checkpoint), so that copying
    the backlog's 10,000 rewritten rows is not charged to the first sends measured after it."""
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def timed(fn):  # type: ignore[no-untyped-def]
    """(wall seconds, process CPU seconds, result) of fn()."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, out


def baseline(url: str, n: int, body: str, async_mode: bool = True) -> float:
    """apprise in a loop: with its defaults (the issue's baseline), or with async_mode off as rasid's
    channels use it (a single service sent from the calling thread)."""
    send = _loop(url, async_mode)
    started = time.perf_counter()
    send(n, body, "b")
    return time.perf_counter() - started


class Interleaved:
    """The dispatcher's `on_sent` hook that runs the baselines between stretches of `every` alerts."""

    def __init__(self, every: int, url: str, body: str) -> None:
        self.every, self.sent = every, 0
        self.loops = {"baseline": _loop(url, True), "sync_baseline": _loop(url, False)}
        self.body = body
        self.stretches: list[dict[str, tuple[float, float]]] = []  # per stretch: name -> (wall, cpu)
        self._mark = (time.perf_counter(), time.process_time())

    def __call__(self, *_: object) -> None:
        self.sent += 1
        if self.sent % self.every:
            return
        stretch = {"dispatcher": (time.perf_counter() - self._mark[0], time.process_time() - self._mark[1])}
        for name, send in self.loops.items():
            wall, cpu, _ = timed(lambda send=send: send(self.every, self.body, f"i{self.sent}-"))
            stretch[name] = (wall, cpu)
        self.stretches.append(stretch)
        self._mark = (time.perf_counter(), time.process_time())

    def summary(self) -> dict[str, object]:
        return summarize(self.stretches, self.every)


def summarize(stretches: list[dict[str, tuple[float, float]]], every: int) -> dict[str, object]:
    """The interleaved figures of these stretches (of one round or of all), against each baseline loop."""
    out: dict[str, object] = {"stretches": len(stretches), "alerts_per_stretch": every}
    disp = [s["dispatcher"] for s in stretches]
    for name in (n for n in stretches[0] if n != "dispatcher"):
        base = [s[name] for s in stretches]
        ratios = [d[0] / b[0] for d, b in zip(disp, base, strict=True)]
        out[f"{name}_per_s"] = round(every * len(base) / sum(b[0] for b in base), 1)
        out[f"overhead_vs_{name}_pooled_pct"] = round(
            100 * (sum(d[0] for d in disp) / sum(b[0] for b in base) - 1), 1
        )
        out[f"overhead_vs_{name}_median_pct"] = round(100 * (statistics.median(ratios) - 1), 1)
        out[f"overhead_vs_{name}_per_stretch_pct"] = [round(100 * (r - 1)) for r in ratios]
        out[f"cpu_overhead_vs_{name}_pooled_pct"] = round(
            100 * (sum(d[1] for d in disp) / sum(b[1] for b in base) - 1), 1
        )
        cpu = sum(b[1] for b in base) / (every * len(base))
        out[f"{name}_cpu_ms_per_alert"] = round(1000 * cpu, 3)
    out["dispatcher_per_s"] = round(every * len(disp) / sum(d[0] for d in disp), 1)
    cpu = sum(d[1] for d in disp) / (every * len(disp))
    out["dispatcher_cpu_ms_per_alert"] = round(1000 * cpu, 3)
    return out


def _loop(url: str, async_mode: bool):  # type: ignore[no-untyped-def]
    """A baseline loop on one apprise object: send(n, body, tag) sends n alerts (ids tag0, tag1, ...)."""
    asset = apprise.AppriseAsset(async_mode=async_mode)
    app = apprise.Apprise(asset=asset)
    app.add(url, asset=asset)

    def send(n: int, body: str, tag: str) -> None:
        for i in range(n):
            app[0].headers["X-Rasid-Alert-Id"] = f"{tag}{i}"  # type: ignore[attr-defined]
            assert app.notify(body=body, title="[موضوع] عنوان", body_format="text")

    return send


def separate(
    n: int,
    base: list[tuple[float, float]],
    same: list[tuple[float, float]],
    runs: dict[int, list[tuple[float, float]]],
    widths: list[int],
) -> dict[str, object]:
    """The figures of whole runs one after another (medians over the rounds)."""
    base_s = statistics.median(w for w, _ in base)
    base_cpu = statistics.median(c for _, c in base)
    result: dict[str, object] = {
        "baseline_apprise_loop_s": round(base_s, 2),
        "baseline_per_s": round(n / base_s, 1),
        "baseline_cpu_s": round(base_cpu, 2),
    }
    for width in widths:
        disp_s = statistics.median(w for w, _ in runs[width])
        disp_cpu = statistics.median(c for _, c in runs[width])
        key = "dispatcher" if width == 1 else f"dispatcher_x{width}"
        result[f"{key}_s"] = round(disp_s, 2)
        result[f"{key}_per_s"] = round(n / disp_s, 1)
        result[f"{key}_cpu_s"] = round(disp_cpu, 2)
        result[f"{key}_overhead_pct" if width != 1 else "overhead_pct"] = round(
            100 * (disp_s - base_s) / base_s, 1
        )
        result[f"{key}_rounds_s"] = [round(w, 2) for w, _ in runs[width]]
        # CPU beside wall (less disturbed by other work on the machine): per alert, and over the baseline.
        result[f"{key}_cpu_ms_per_alert"] = round(1000 * disp_cpu / n, 3)
        result[f"{key}_cpu_overhead_pct"] = round(100 * (disp_cpu - base_cpu) / base_cpu, 1)
    result["baseline_rounds_s"] = [round(w, 2) for w, _ in base]
    same_s = statistics.median(w for w, _ in same)
    same_cpu = statistics.median(c for _, c in same)
    result["sync_baseline_s"] = round(same_s, 2)
    result["sync_baseline_per_s"] = round(n / same_s, 1)
    result["sync_baseline_cpu_ms_per_alert"] = round(1000 * same_cpu / n, 3)
    result["sync_baseline_rounds_s"] = [round(w, 2) for w, _ in same]
    disp1_s = statistics.median(w for w, _ in runs[widths[0]])
    disp1_cpu = statistics.median(c for _, c in runs[widths[0]])
    result["overhead_vs_sync_baseline_pct"] = round(100 * (disp1_s - same_s) / same_s, 1)
    result["cpu_overhead_vs_sync_baseline_pct"] = round(100 * (disp1_cpu - same_cpu) / same_cpu, 1)
    result["baseline_cpu_ms_per_alert"] = round(1000 * base_cpu / n, 3)
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--latency", type=int, default=1000, help="articles stored while dispatching")
    parser.add_argument("--rate", type=float, default=100.0, help="articles per second in the latency run")
    parser.add_argument("--db", default=None, help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--concurrency", default="1", help="alerts.concurrency values to run, e.g. 1,4")
    parser.add_argument("--repeat", type=int, default=1, help="rounds (baseline + each concurrency)")
    parser.add_argument("--interleave", type=int, default=500, help="alerts per interleaved stretch (0: off)")
    parser.add_argument(
        "--separate",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also time whole runs of each loop one after another (the figures before --interleave)",
    )
    args = parser.parse_args()
    widths = [int(c) for c in args.concurrency.split(",")]
    tmp = tempfile.mkdtemp(prefix="rasid-bench-")
    db = Database(args.db or f"sqlite:///{Path(tmp) / 'bench.db'}")
    sink = Sink()
    _pin(0)
    titles = {"t": "موضوع"}

    def make(width: int, on_sent: Interleaved | None = None) -> Dispatcher:
        channels = open_channels([ChannelSettings(name="sink", url=sink.url)])
        return Dispatcher(db, channels, AlertSettings(claim_batch=100, concurrency=width), titles, on_sent)

    rng = random.Random(7)

    t0 = time.perf_counter()
    store(db, args.alerts, rng, "backlog")
    print(f"stored {args.alerts} articles+alerts in {time.perf_counter() - t0:.1f}s", file=sys.stderr)

    sample = (
        "موضوع\n"
        + words(rng, 9)
        + "\nbench · 2026-11-24 10:00\n\n"
        + words(rng, 12)
        + "\n\nhttps://b.example/x"
    )
    base: list[tuple[float, float]] = []
    same: list[tuple[float, float]] = []  # apprise with async_mode off, as rasid's channels use it
    runs: dict[int, list[tuple[float, float]]] = {w: [] for w in widths}
    hooks: list[Interleaved] = []
    for rnd in range(args.repeat):
        if args.interleave:
            reset(db)
            settle_writes(db)
            hook = Interleaved(args.interleave, sink.url, sample)
            worker = make(widths[0], hook)
            wall, _, stats = timed(worker.dispatch_due)
            worker.close()
            assert stats.sent == args.alerts, stats
            hooks.append(hook)
            got = hook.summary()
            print(
                f"round {rnd + 1}: interleaved, {got['stretches']} stretches in {wall:.1f}s: overhead vs "
                f"baseline {got['overhead_vs_baseline_pooled_pct']}% pooled, "
                f"{got['overhead_vs_baseline_median_pct']}% median; vs sync baseline "
                f"{got['overhead_vs_sync_baseline_pooled_pct']}% / "
                f"{got['overhead_vs_sync_baseline_median_pct']}%; cpu (ms per alert) "
                f"{got['dispatcher_cpu_ms_per_alert']} vs {got['baseline_cpu_ms_per_alert']} / "
                f"{got['sync_baseline_cpu_ms_per_alert']}",
                file=sys.stderr,
            )
        if not args.separate:
            continue
        wall, cpu, _ = timed(lambda: baseline(sink.url, args.alerts, sample))
        base.append((wall, cpu))
        print(f"round {rnd + 1}: baseline {wall:.1f}s (cpu {cpu:.1f}s)", file=sys.stderr)
        wall, cpu, _ = timed(lambda: baseline(sink.url, args.alerts, sample, async_mode=False))
        same.append((wall, cpu))
        print(f"round {rnd + 1}: baseline, async_mode off {wall:.1f}s (cpu {cpu:.1f}s)", file=sys.stderr)
        for width in widths:
            reset(db)
            settle_writes(db)
            worker = make(width)
            wall, cpu, stats = timed(worker.dispatch_due)
            worker.close()
            assert stats.sent == args.alerts, stats
            runs[width].append((wall, cpu))
            print(f"round {rnd + 1}: dispatcher x{width} {wall:.1f}s (cpu {cpu:.1f}s)", file=sys.stderr)
    dispatcher = make(widths[0])

    # Latency: articles arrive at `rate` while the dispatcher works the outbox in a loop (as the daemon
    # does after each crawl), measured from the article's commit to the sink's receipt.
    stored: dict[int, float] = {}
    done = threading.Event()

    def produce() -> None:
        prng = random.Random(11)
        for i in range(args.latency):
            stored.update(store(db, 1, prng, f"live{i}"))
            time.sleep(1 / args.rate)
        done.set()

    producer = threading.Thread(target=produce)
    producer.start()
    while not done.is_set() or len(sink.fetch([str(k) for k in stored])) < len(stored):
        if dispatcher.dispatch_due().sent == 0:
            time.sleep(0.02)
    producer.join()
    lat = sorted(sink.arrived[str(k)] - t for k, t in stored.items())
    result: dict[str, object] = {
        "alerts": args.alerts,
        "database": db.engine.dialect.name,
        "apprise": apprise.__version__,
        "rounds": args.repeat,
    }
    if base:
        result["separate"] = separate(args.alerts, base, same, runs, widths)
    if hooks:
        result["interleaved"] = summarize([s for h in hooks for s in h.stretches], args.interleave)
    result.update(
        {
            "latency_concurrency": widths[0],
            "latency_articles": len(lat),
            "latency_rate_per_s": args.rate,
            "latency_median_ms": round(1000 * statistics.median(lat), 1),
            "latency_p95_ms": round(1000 * lat[int(0.95 * (len(lat) - 1))], 1),
            "latency_max_ms": round(1000 * lat[-1], 1),
        }
    )
    print(json.dumps(result, indent=2))
    dispatcher.close()
    sink.close()
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
