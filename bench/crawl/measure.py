"""Measuring a process tree from outside (CPU, resident memory, via /proc) and scoring extracted text."""

from __future__ import annotations

import os
import re
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class ProcSample:
    """One process: parent id, CPU seconds (user+system) so far, resident bytes."""

    ppid: int
    cpu: float
    rss: int


def _read(pid: int) -> ProcSample | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
        with open(f"/proc/{pid}/statm", "rb") as f:
            statm = f.read().split()
    except OSError:
        return None
    fields = stat[stat.rindex(b")") + 2 :].split()
    # fields[0] is state (field 3): ppid is field 4, utime 14, stime 15
    return ProcSample(int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK, int(statm[1]) * PAGE)


def tree(root: int) -> dict[int, ProcSample]:
    """The process `root` and all its living descendants."""
    procs = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            sample = _read(int(name))
            if sample is not None:
                procs[int(name)] = sample
    members = {root} if root in procs else set()
    grew = True
    while grew:
        grew = False
        for pid, s in procs.items():
            if pid not in members and s.ppid in members:
                members.add(pid)
                grew = True
    return {pid: procs[pid] for pid in members}


def tree_cpu(root: int) -> float:
    """CPU seconds used so far by `root` and its living descendants (not counting reaped ones twice:
    a reaped child's time is in its parent's cumulative counters, which /proc/stat leaves out)."""
    return sum(s.cpu for s in tree(root).values())


class TreeSampler:
    """Samples a process tree every `every` seconds in a thread: peak summed RSS and the last CPU reading
    of each process (so the CPU of workers that exit before their parent is still counted)."""

    def __init__(self, root: int, every: float = 0.1) -> None:
        self.root = root
        self.every = every
        self.peak_rss = 0
        self.peak_rss_main = 0
        self.cpu_by_pid: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.every)

    def sample(self) -> None:
        procs = tree(self.root)
        if procs:
            self.peak_rss = max(self.peak_rss, sum(s.rss for s in procs.values()))
            if self.root in procs:
                self.peak_rss_main = max(self.peak_rss_main, procs[self.root].rss)
            for pid, s in procs.items():
                self.cpu_by_pid[pid] = s.cpu

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def token_f1(extracted: str, truth: Iterable[str]) -> tuple[float, float, float]:
    """Precision, recall and F1 of the extracted text's word tokens against the true paragraphs'
    (bags of words: each true token can be matched once)."""
    got = Counter(tokens(extracted))
    want = Counter(t for p in truth for t in tokens(p))
    common = sum((got & want).values())
    if not got or not want or not common:
        return 0.0, 0.0, 0.0
    p = common / sum(got.values())
    r = common / sum(want.values())
    return p, r, 2 * p * r / (p + r)


def now() -> float:
    return time.monotonic()
