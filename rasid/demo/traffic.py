"""Counting what simulated outlets exchange with their clients: requests, bytes read and written."""

from __future__ import annotations

from typing import Any, NamedTuple, Protocol


class Counter(Protocol):
    """What the streams report to: an outlet's running totals."""

    def add_in(self, n: int) -> None: ...

    def add_out(self, n: int) -> None: ...


class Traffic(NamedTuple):
    """What outlets exchanged with their clients: requests answered, bytes read and bytes written."""

    requests: int = 0
    bytes_in: int = 0
    bytes_out: int = 0

    def plus(self, other: Traffic) -> Traffic:
        return Traffic(*(a + b for a, b in zip(self, other, strict=True)))

    def since(self, earlier: Traffic) -> Traffic:
        """The traffic between an earlier reading and this one."""
        return Traffic(*(a - b for a, b in zip(self, earlier, strict=True)))


class CountingReader:
    """A request stream that adds up the bytes read from it (request line, headers, body)."""

    def __init__(self, raw: Any, site: Counter) -> None:
        self._raw = raw
        self._site = site

    def readline(self, limit: int = -1) -> bytes:
        data = self._raw.readline(limit)
        self._site.add_in(len(data))
        return data

    def read(self, n: int = -1) -> bytes:
        data = self._raw.read(n)
        self._site.add_in(len(data))
        return data

    def __getattr__(self, name: str) -> object:
        return getattr(self._raw, name)


class CountingWriter:
    """A response stream that adds up the bytes written to it (status line, headers, body)."""

    def __init__(self, raw: Any, site: Counter) -> None:
        self._raw = raw
        self._site = site

    def write(self, data: bytes) -> int:
        n = self._raw.write(data)
        self._site.add_out(len(data))
        return n

    def __getattr__(self, name: str) -> object:
        return getattr(self._raw, name)
