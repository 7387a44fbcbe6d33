"""The asyncio reactor, installed before anything imports `twisted.internet.reactor`, and a way to run
one coroutine on it (the daemon's whole life, or one crawl cycle)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from scrapy.utils.reactor import install_reactor, is_asyncio_reactor_installed, is_reactor_installed

from rasid.crawler.defaults import ASYNCIO_REACTOR

T = TypeVar("T")


def ensure_asyncio_reactor() -> Any:
    if not is_reactor_installed():
        install_reactor(ASYNCIO_REACTOR)
    elif not is_asyncio_reactor_installed():
        raise RuntimeError("another Twisted reactor was installed before rasid could install the asyncio one")
    from twisted.internet import reactor

    return reactor


def run_on_reactor(main: Callable[[], Awaitable[T]]) -> T:
    """Run `main()` on the asyncio loop under the Twisted reactor; returns its result or raises its error.

    The reactor runs once per process: the daemon runs its whole life inside one call.
    """
    reactor = ensure_asyncio_reactor()
    outcome: dict[str, Any] = {}

    def start() -> None:
        task = asyncio.ensure_future(main())

        def done(fut: asyncio.Future[T]) -> None:
            if fut.cancelled():
                outcome["error"] = asyncio.CancelledError()
            elif fut.exception() is not None:
                outcome["error"] = fut.exception()
            else:
                outcome["value"] = fut.result()
            reactor.callLater(0, reactor.stop)

        task.add_done_callback(done)

    reactor.callWhenRunning(start)
    reactor.run(installSignalHandlers=False)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
