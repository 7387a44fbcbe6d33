"""The simulated outlets served from a few child processes (rasid.demo.server.OutletServer in each), so
the GIL of one Python server is not the benchmark's bottleneck; traffic and CPU reported on request."""

from __future__ import annotations

import multiprocessing as mp
import resource
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from rasid.demo.outlets import Outlet
from rasid.demo.server import OutletServer, Traffic


@dataclass(frozen=True)
class ServerStats:
    """Traffic answered by all server processes, and the CPU seconds they used."""

    traffic: Traffic
    cpu: float

    def since(self, earlier: ServerStats) -> ServerStats:
        return ServerStats(self.traffic.since(earlier.traffic), self.cpu - earlier.cpu)


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _child(outlets: list[Outlet], url_host: str, conn: Connection) -> None:
    import os

    # one OutletServer per outlet: each has its own host name (url_host is a pattern with {slug})
    servers = [OutletServer([o], url_host=url_host.format(slug=o.slug)).start() for o in outlets]
    conn.send({o.slug: s.base_url(o.slug) for o, s in zip(outlets, servers, strict=True)})
    while True:
        command = conn.recv()
        if command == "stats":
            traffic = Traffic()
            for server in servers:
                traffic = traffic.plus(server.traffic())
            conn.send((tuple(traffic), _cpu()))
        elif command == "stop":
            conn.send(None)
            conn.close()
            os._exit(0)  # the threads of 100 idle servers need no orderly shutdown


class ServerPool:
    """`processes` child processes, each serving a share of the outlets on its own loopback ports, under
    the host name `url_host` (a pattern with {slug}; such names resolve through bench/crawl/resolve.py)."""

    def __init__(
        self, outlets: list[Outlet], processes: int = 2, url_host: str = "{slug}.rasid-bench.test"
    ) -> None:
        ctx = mp.get_context("fork")
        self.bases: dict[str, str] = {}
        self._children: list[tuple[Any, Connection]] = []
        for k in range(processes):
            share = outlets[k::processes]
            if not share:
                continue
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=_child, args=(share, url_host, child), daemon=True)
            proc.start()
            child.close()
            self._children.append((proc, parent))
        for _proc, conn in self._children:
            self.bases.update(conn.recv())

    @property
    def pids(self) -> list[int]:
        return [proc.pid for proc, _ in self._children]

    def feed_url(self, slug: str) -> str:
        return self.bases[slug] + "feed.xml"

    def stats(self) -> ServerStats:
        traffic, cpu = Traffic(), 0.0
        for _proc, conn in self._children:
            conn.send("stats")
            t, c = conn.recv()
            traffic, cpu = traffic.plus(Traffic(*t)), cpu + c
        return ServerStats(traffic, cpu)

    def close(self) -> None:
        for proc, conn in self._children:
            try:
                conn.send("stop")
                conn.recv()
            except (EOFError, OSError):
                pass
            proc.join(timeout=5)
        self._children = []

    def __enter__(self) -> ServerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
