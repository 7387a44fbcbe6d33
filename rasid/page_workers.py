"""Page workers: the page pipeline (extract, store, match, outbox) in child processes, so extraction runs on
another core than the crawler's event loop, and a page that hangs or crashes its worker costs that page
only (the worker is replaced; the page is reported as an error and fetched again at the next poll, since
nothing of it was stored).

Each worker is a Python process (`python -m rasid.page_workers FD`: a fresh interpreter, never a fork of a
process with threads and an event loop, and never a re-run of the parent's main script) with its own
`Pipeline` and database connection, fed one page at a time over a socket pair by one thread of the
parent. PageWorkers is a `PageHandler` like the Pipeline it runs in each child (a page in, its result out),
so the crawler is handed one or the other; `crawler.page_processes = 0` keeps the pipeline in the
crawler's process instead (one thread).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import subprocess
import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from rasid.config import ChannelSettings, SourceSettings
from rasid.pipeline import FetchedPage, PageResult, Pipeline

log = logging.getLogger(__name__)

JOIN_SECONDS = 2.0


@dataclass(frozen=True)
class PipelineRecipe:
    """What a worker needs to build the same pipeline as the parent (all picklable)."""

    database_url: str
    watchlist_paths: list[Path]
    sources: list[SourceSettings]
    channels: list[ChannelSettings]
    log_level: str = "INFO"
    log_format: str = "human"


def _serve(recipe: PipelineRecipe, conn: Connection) -> None:
    """A worker's life: build the pipeline, then answer pages until the pipe closes or None arrives.

    SIGINT is ignored (a terminal's Ctrl-C reaches the whole process group; the parent decides). SIGTERM
    (systemd signals every process of the unit) ends an idle worker at once and a busy one after its page.
    """
    busy = False
    leaving = False

    def on_term(_signum: int, _frame: object) -> None:
        nonlocal leaving
        if not busy:
            raise SystemExit(0)
        leaving = True

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, on_term)
    from rasid.logs import setup_logging
    from rasid.matching import Matcher, load_watchlists
    from rasid.storage import Database

    setup_logging(recipe.log_level, recipe.log_format)
    watchlist = load_watchlists(recipe.watchlist_paths)
    pipeline = Pipeline(
        Database(recipe.database_url, migrate=False),
        Matcher(watchlist),
        recipe.sources,
        recipe.channels,
        [t.id for t in watchlist.topics],
    )
    conn.send("ready")
    while not leaving:
        try:
            page = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            break
        if page is None:
            break
        busy = True
        result = pipeline.process(page)
        busy = False
        try:
            conn.send(result)
        except (BrokenPipeError, OSError):
            break
    pipeline.db.dispose()


class _Worker:
    """One child process (`python -m rasid.page_workers FD`) and the parent's end of its socket."""

    def __init__(self, recipe: PipelineRecipe) -> None:
        ours, theirs = socket.socketpair()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "rasid.page_workers", str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
        theirs.close()
        self.conn = Connection(ours.detach())
        self.conn.send(recipe)

    def _reap(self) -> None:
        try:
            self.process.wait(JOIN_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(JOIN_SECONDS)

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self._reap()
        self.conn.close()

    def kill(self) -> None:
        self.process.kill()
        self._reap()
        self.conn.close()


class PageWorkers:
    """`processes` worker processes, each running a Pipeline built from `recipe`; `process_async(page)`
    (or `submit(page)`, a Future) -> its PageResult."""

    def __init__(self, recipe: PipelineRecipe, processes: int, page_timeout: float) -> None:
        self.recipe = recipe
        self.page_timeout = page_timeout
        self._threads = ThreadPoolExecutor(max_workers=processes, thread_name_prefix="rasid-pages")
        self._local = threading.local()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self._closed = False

    async def process_async(self, page: FetchedPage) -> PageResult:
        """The page worked by one of the workers, awaited from the crawler's event loop."""
        result: PageResult = await asyncio.wrap_future(self.submit(page))
        return result

    def submit(self, page: Any) -> Future[Any]:
        """The PageResult of `page`, worked by one of the workers (an error result once closed)."""
        if not self._closed:
            with contextlib.suppress(RuntimeError):  # closed in between
                return self._threads.submit(self._remote, page)
        done: Future[Any] = Future()
        done.set_result(PageResult("error", page.url, error="rasid is stopping"))
        return done

    def _worker(self) -> _Worker:
        worker: _Worker | None = getattr(self._local, "worker", None)
        if worker is None:
            with self._lock:
                if self._closed:
                    raise RuntimeError("the page workers are closed")
                worker = _Worker(self.recipe)
                self._all.append(worker)
            try:
                ready = worker.conn.poll(120) and worker.conn.recv() == "ready"
            except (EOFError, OSError):
                ready = False
            if not ready:
                worker.kill()  # a worker that cannot start is not kept for the next page
                self._forget(worker)
                raise RuntimeError("a page worker did not start")
            self._local.worker = worker
        return worker

    def _forget(self, worker: _Worker) -> None:
        self._local.worker = None
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)

    def _remote(self, page: Any) -> Any:
        try:
            worker = self._worker()
        except (RuntimeError, EOFError, OSError) as exc:
            return PageResult("error", page.url, error=f"no page worker: {exc}")
        try:
            worker.conn.send(page)
            if not worker.conn.poll(self.page_timeout):
                log.error(
                    "page %s from %s took over %.0fs; its worker was stopped, a new one takes the next page",
                    page.url,
                    page.source,
                    self.page_timeout,
                )
                worker.kill()
                self._forget(worker)
                return PageResult("error", page.url, error=f"took over {self.page_timeout:.0f}s")
            return worker.conn.recv()
        except (EOFError, OSError) as exc:
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.process.wait(JOIN_SECONDS)
            code = worker.process.returncode
            self._forget(worker)
            if not self._closed:
                log.error(
                    "the page worker died on %s from %s (exit code %s); a new one takes the next page",
                    page.url,
                    page.source,
                    code,
                )
            return PageResult("error", page.url, error=f"page worker died (exit code {code}): {exc}")

    def close(self) -> None:
        """Stop every worker (each finishes the page in hand, bounded) and the feeding threads."""
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop()
        self._threads.shutdown(wait=True, cancel_futures=True)


def main() -> None:
    """Entry point of a worker process: the recipe, then pages, over the socket inherited as argv[1]."""
    conn = Connection(int(sys.argv[1]))
    try:
        recipe = conn.recv()
    except (EOFError, OSError):
        return
    _serve(recipe, conn)


if __name__ == "__main__":
    main()
