"""Runs a Python program with every `*.rasid-bench.test` host name resolving to 127.0.0.1 (the simulated
outlets' names), other names resolved as usual. No /etc/hosts edit, no root needed:

    python bench/crawl/resolve.py -m rasid --config CFG crawl --once
    python bench/crawl/resolve.py -m trafilatura.cli --feed -i FEEDS ...
"""

from __future__ import annotations

import runpy
import socket
import sys
from typing import Any

SUFFIX = ".rasid-bench.test"
_getaddrinfo = socket.getaddrinfo
_gethostbyname = socket.gethostbyname
_gethostbyname_ex = socket.gethostbyname_ex


def _local(host: Any) -> Any:
    name = host.decode() if isinstance(host, bytes) else host
    if isinstance(name, str) and name.rstrip(".").lower().endswith(SUFFIX):
        return "127.0.0.1"
    return host


def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    return _getaddrinfo(_local(host), *args, **kwargs)


def gethostbyname(host: str) -> str:
    return _gethostbyname(_local(host))


def gethostbyname_ex(host: str) -> tuple[str, list[str], list[str]]:
    local = _local(host)
    if local != host:
        return host, [], ["127.0.0.1"]
    return _gethostbyname_ex(host)


def install() -> None:
    socket.getaddrinfo = getaddrinfo
    socket.gethostbyname = gethostbyname
    socket.gethostbyname_ex = gethostbyname_ex


def main() -> None:
    install()
    import os

    if os.environ.get("BENCH_SWITCH_INTERVAL"):  # experiments only
        sys.setswitchinterval(float(os.environ["BENCH_SWITCH_INTERVAL"]))
    if len(sys.argv) < 3 or sys.argv[1] != "-m":
        sys.exit("usage: resolve.py -m MODULE [ARGS ...]")
    module = sys.argv[2]
    sys.argv = [module, *sys.argv[3:]]
    if module == "trafilatura.cli":
        from trafilatura.cli import main as trafilatura_main

        trafilatura_main()
        return
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
