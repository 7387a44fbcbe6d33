"""Crawl cycles inside ONE long-running rasid process (as the daemon runs them): prints one JSON line per
cycle (wall and CPU seconds of this process and its worker processes) and waits for a line on stdin
before the next, so the benchmark can read the outlets' traffic between cycles.

    python bench/crawl/cycles.py CONFIG CYCLES
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import resolve
from measure import tree


def cpu_now() -> float:
    """CPU seconds of this process, its reaped children and its living ones (e.g. a process pool)."""
    me = os.getpid()
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        r = resource.getrusage(who)
        total += r.ru_utime + r.ru_stime
    return total + sum(s.cpu for pid, s in tree(me).items() if pid != me)


def main() -> None:
    config, cycles = sys.argv[1], int(sys.argv[2])
    resolve.install()
    t0, c0 = time.monotonic(), cpu_now()
    from rasid.config import load_settings
    from rasid.crawler.reactor import run_on_reactor
    from rasid.daemon import Daemon
    from rasid.logs import setup_logging
    from rasid.services import build_services

    settings = load_settings(config)
    setup_logging("WARNING", "human")
    services = build_services(settings, config)

    async def run() -> None:
        daemon = Daemon(services)
        print(json.dumps({"startup_wall": time.monotonic() - t0, "startup_cpu": cpu_now() - c0}), flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        for i in range(cycles):
            w, c = time.monotonic(), cpu_now()
            report = await daemon.crawl(daemon.sources)
            line = {
                "cycle": i + 1,
                "wall": time.monotonic() - w,
                "cpu": cpu_now() - c,
                "requested": report.total("requested"),
                "new": report.total("new"),
                "unchanged": report.total("listings_unchanged"),
            }
            print(json.dumps(line), flush=True)
            await asyncio.to_thread(sys.stdin.readline)
        await daemon.runner.stop()

    run_on_reactor(run)
    services.close()


if __name__ == "__main__":
    main()
