"""Crawl benchmark: rasid vs `trafilatura --feed` over simulated Arabic outlets on loopback (see RESULTS.md).

.venv/bin/python bench/crawl/bench_crawl.py --outlets 200 --articles 50
.venv/bin/python bench/crawl/bench_crawl.py --quick          # 20 x 20, a smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

from corpus import Truth, make_outlets, truths  # noqa: E402
from measure import TreeSampler, token_f1  # noqa: E402
from serve import ServerPool, ServerStats  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
RESOLVE = str(HERE / "resolve.py")  # *.rasid-bench.test -> 127.0.0.1 in the child
WATCHLIST = ROOT / "config" / "watchlists" / "coalition.toml"


@dataclass
class Run:
    """One measured child process (and everything it started)."""

    name: str
    wall: float = 0.0
    cpu: float = 0.0
    peak_rss_mb: float = 0.0
    main_rss_mb: float = 0.0
    returncode: int = 0
    server: dict[str, float] = field(default_factory=dict)
    articles: int = 0
    f1: float = 0.0
    precision: float = 0.0
    recall: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.articles / self.wall if self.wall else 0.0

    @property
    def cpu_per_article_ms(self) -> float:
        return 1000 * self.cpu / self.articles if self.articles else 0.0


def _server_dict(delta: ServerStats) -> dict[str, float]:
    t = delta.traffic
    return {"requests": t.requests, "bytes_in": t.bytes_in, "bytes_out": t.bytes_out, "cpu": delta.cpu}


def measure(name: str, cmd: list[str], pool: ServerPool, log: Path, env: dict[str, str] | None = None) -> Run:
    """Run `cmd` to its end; wall time, CPU of the whole process tree (wait4 includes reaped
    descendants), peak summed RSS of the tree (sampled at 10 Hz) and the outlets' traffic."""
    run = Run(name)
    before = pool.stats()
    started = time.monotonic()
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        with TreeSampler(proc.pid) as sampler:
            _pid, status, usage = os.wait4(proc.pid, 0)
    run.wall = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    run.returncode = proc.returncode
    # wait4 counts the child and the descendants it reaped; worker processes whose parent is not the
    # child (a fork server's) are counted from the samples instead; the larger of the two is taken
    sampled = sum(cpu for pid, cpu in sampler.cpu_by_pid.items())
    run.cpu = max(usage.ru_utime + usage.ru_stime, sampled)
    run.peak_rss_mb = max(sampler.peak_rss, usage.ru_maxrss * 1024) / 2**20
    run.main_rss_mb = max(sampler.peak_rss_main, usage.ru_maxrss * 1024) / 2**20
    run.server = _server_dict(pool.stats().since(before))
    if run.returncode:
        print(f"  ! {name} exited {run.returncode}; see {log}", file=sys.stderr)
    return run


# -- rasid --------------------------------------------------------------------------------------------
def write_config(folder: Path, pool: ServerPool, slugs: list[str], names: dict[str, str], args: Any) -> Path:
    lines = [
        "# Written by bench/crawl/bench_crawl.py: simulated outlets on loopback.",
        "[storage]",
        'url = "sqlite:///rasid.db"',
        "[crawler]",
        "allow_private_addresses = true   # the outlets live on 127.0.0.1",
        f"concurrent_requests = {args.concurrency}",
        "max_articles_per_source = 100",
        "[watch]",
        f'watchlists = ["{WATCHLIST}"]',
    ]
    for slug in slugs:
        lines += [
            "[[sources]]",
            f'name = "{names[slug]}"',
            f'homepage = "{pool.bases[slug]}"',
            f'feeds = ["{pool.feed_url(slug)}"]',
            'poll = "10m"',
        ]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "rasid.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def key_of(url: str, slug_of_base: dict[str, str]) -> tuple[str, str] | None:
    parts = urlsplit(url)
    base = f"{parts.scheme}://{parts.netloc}/"
    path = parts.path
    if base not in slug_of_base or not path.startswith("/articles/") or not path.endswith(".html"):
        return None
    return slug_of_base[base], path[len("/articles/") : -len(".html")]


def score(
    texts: dict[tuple[str, str], str], truth: dict[tuple[str, str], Truth], run: Run
) -> list[dict[str, Any]]:
    """Mean token P/R/F1 over ALL true articles (an article the tool did not deliver scores 0)."""
    rows = []
    p_sum = r_sum = f_sum = 0.0
    for key, t in truth.items():
        text = texts.get(key)
        p, r, f = token_f1(text, t.paragraphs) if text is not None else (0.0, 0.0, 0.0)
        p_sum, r_sum, f_sum = p_sum + p, r_sum + r, f_sum + f
        if text is not None and f < 0.9:
            rows.append({"article": "/".join(key), "p": round(p, 3), "r": round(r, 3), "f1": round(f, 3)})
    n = len(truth) or 1
    run.articles = sum(1 for k in truth if k in texts)
    run.precision, run.recall, run.f1 = p_sum / n, r_sum / n, f_sum / n
    return rows


def rasid_texts(db: Path, slug_of_base: dict[str, str]) -> dict[tuple[str, str], str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT url, text FROM articles").fetchall()
    out = {}
    for url, text in rows:
        key = key_of(url, slug_of_base)
        if key is not None:
            out[key] = text
    return out


def in_process_cycles(config: Path, cycles: int, pool: ServerPool, log: Path) -> list[dict[str, Any]]:
    """Cycles inside one rasid process (the daemon's case): start-up, then each cycle's cost."""
    results: list[dict[str, Any]] = []
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [PYTHON, str(HERE / "cycles.py"), str(config), str(cycles)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            cwd=config.parent,
        )
        assert proc.stdin is not None and proc.stdout is not None
        with TreeSampler(proc.pid) as sampler:
            for _ in range(cycles + 1):
                before = pool.stats()
                if results:  # the previous line was read: let the next cycle run
                    proc.stdin.write(b"go\n")
                    proc.stdin.flush()
                line = proc.stdout.readline()
                if not line:
                    break
                item = json.loads(line)
                item["server"] = _server_dict(pool.stats().since(before))
                item["peak_rss_mb"] = sampler.peak_rss / 2**20
                results.append(item)
            proc.stdin.write(b"go\n")
            proc.stdin.close()
            proc.wait(timeout=60)
    return results


# -- trafilatura --------------------------------------------------------------------------------------
def trafilatura_settings(folder: Path) -> Path:
    """trafilatura's own settings.cfg with its politeness pause and its SSRF guard off (loopback)."""
    import trafilatura

    text = (Path(trafilatura.__file__).parent / "settings.cfg").read_text()
    text = text.replace("SLEEP_TIME = 5.0", "SLEEP_TIME = 0").replace(
        "SSRF_PROTECTION = on", "SSRF_PROTECTION = off"
    )
    assert "SLEEP_TIME = 0\n" in text and "SSRF_PROTECTION = off" in text, (
        "trafilatura's settings.cfg changed"
    )
    path = folder / "trafilatura.cfg"
    path.write_text(text)
    return path


def trafilatura_texts(
    outdir: Path, slug_of_base: dict[str, str], truth: dict[tuple[str, str], Truth]
) -> dict[tuple[str, str], str]:
    """Its JSON carries the URL only with --with-metadata: otherwise each output is matched to its
    article by its lines (every generated paragraph belongs to one article)."""
    owner = {p: key for key, t in truth.items() for p in t.paragraphs}
    out = {}
    for path in outdir.rglob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        text = data.get("text") or ""
        key = key_of(data.get("source") or "", slug_of_base)
        if key is None:
            votes = Counter(owner[line.strip()] for line in text.splitlines() if line.strip() in owner)
            key = votes.most_common(1)[0][0] if votes else None
        if key is not None:
            out[key] = text
    return out


# -- report -------------------------------------------------------------------------------------------
def table(runs: list[Run]) -> str:
    head = (
        "| tool | wall s | articles | articles/s | CPU s | CPU ms/article | peak RSS MB (tree / main) "
        "| F1 (P / R) | requests | MB served |\n|---|---|---|---|---|---|---|---|---|---|"
    )
    rows = [
        f"| {r.name} | {r.wall:.1f} | {r.articles} | {r.per_second:.0f} | {r.cpu:.1f} | "
        f"{r.cpu_per_article_ms:.1f} | {r.peak_rss_mb:.0f} / {r.main_rss_mb:.0f} | "
        f"{r.f1:.3f} ({r.precision:.3f} / {r.recall:.3f}) | {r.server['requests']:.0f} | "
        f"{r.server['bytes_out'] / 1e6:.1f} |"
        for r in runs
    ]
    return "\n".join([head, *rows])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--outlets", type=int, default=200)
    ap.add_argument("--articles", type=int, default=50)
    ap.add_argument("--quick", action="store_true", help="20 outlets x 20 articles")
    ap.add_argument("--concurrency", type=int, default=64, help="rasid's [crawler] concurrent_requests")
    ap.add_argument("--parallel", type=int, default=4, help="trafilatura --parallel")
    ap.add_argument("--server-procs", type=int, default=2, help="processes serving the outlets")
    ap.add_argument("--cycles", type=int, default=3, help="cycles in the long-running rasid process")
    ap.add_argument(
        "--trafilatura-metadata", action="store_true", help="also run trafilatura with --with-metadata"
    )
    ap.add_argument(
        "--wrap",
        default="",
        help="prefix of rasid's first crawl, e.g. 'py-spy record -r 50 -o prof.txt -f raw --'",
    )
    ap.add_argument("--skip", action="append", default=[], choices=["rasid", "inprocess", "trafilatura"])
    ap.add_argument("--dir", type=Path, default=None, help="work folder (default: a temporary one)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args()
    if args.quick:
        args.outlets, args.articles = 20, 20

    work = args.dir or Path(tempfile.mkdtemp(prefix="rasid-bench-crawl-"))
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    started = time.monotonic()
    outlets = make_outlets(args.outlets, args.articles, now=datetime.now(UTC))
    truth = truths(outlets)
    names = {o.slug: o.name for o in outlets}
    print(f"{len(outlets)} outlets x {args.articles} articles = {len(truth)} articles; work folder {work}")
    results: dict[str, Any] = {"outlets": len(outlets), "articles": len(truth), "cpus": os.cpu_count()}
    runs: list[Run] = []

    with ServerPool(outlets, processes=args.server_procs) as pool:
        slug_of_base = {base: slug for slug, base in pool.bases.items()}
        idle = pool.stats()
        time.sleep(1.0)
        results["server_idle_cpu_per_s"] = pool.stats().since(idle).cpu

        if "rasid" not in args.skip:
            config = write_config(work / "rasid", pool, [o.slug for o in outlets], names, args)
            cmd = [PYTHON, RESOLVE, "-m", "rasid", "--config", str(config), "crawl", "--once"]
            full = measure(
                "rasid crawl --once (first)", args.wrap.split() + cmd, pool, work / "rasid-first.log"
            )
            score(rasid_texts(work / "rasid" / "rasid.db", slug_of_base), truth, full)
            runs.append(full)
            same = measure("rasid crawl --once (unchanged)", cmd, pool, work / "rasid-unchanged.log")
            results["unchanged_process"] = asdict(same)
            print(table([full]))
            print(
                f"unchanged cycle as a process: {same.wall:.2f} s wall, {same.cpu:.2f} s CPU "
                f"({100 * same.cpu / full.cpu:.1f}% of the first), {same.server['requests']:.0f} requests, "
                f"{same.server['bytes_in'] + same.server['bytes_out']:.0f} bytes"
            )

        if "inprocess" not in args.skip and "rasid" not in args.skip:
            # the daemon's case: one process, started once, polling outlets where nothing changed
            config = write_config(work / "daemon", pool, [o.slug for o in outlets], names, args)
            shutil.copy(work / "rasid" / "rasid.db", work / "daemon" / "rasid.db")
            cycles = in_process_cycles(config, args.cycles, pool, work / "rasid-cycles.log")
            results["in_process"] = cycles
            for c in cycles:
                print("  in-process", json.dumps(c))

        if "trafilatura" not in args.skip:
            tdir = work / "trafilatura"
            tdir.mkdir()
            feeds = tdir / "feeds.txt"
            feeds.write_text("".join(pool.feed_url(o.slug) + "\n" for o in outlets))
            cfg = trafilatura_settings(tdir)
            cmd = [PYTHON, RESOLVE, "-m", "trafilatura.cli", "--feed", "-i", str(feeds), "--json"]
            cmd += ["--parallel", str(args.parallel)]
            cmd += ["-o", str(tdir / "out"), "--config-file", str(cfg)]
            traf = measure("trafilatura --feed", cmd, pool, work / "trafilatura.log")
            low = score(trafilatura_texts(tdir / "out", slug_of_base, truth), truth, traf)
            results["trafilatura_low_f1_examples"] = low[:10]
            runs.append(traf)
            if args.trafilatura_metadata:
                cmd[cmd.index("--json")] = "--json --with-metadata"
                cmd = " ".join(cmd).split()
                cmd[cmd.index("-o") + 1] = str(tdir / "out-metadata")
                meta = measure("trafilatura --feed --with-metadata", cmd, pool, work / "trafilatura-meta.log")
                score(trafilatura_texts(tdir / "out-metadata", slug_of_base, truth), truth, meta)
                runs.append(meta)
        results["server_total"] = _server_dict(pool.stats())

    results["runs"] = [{**asdict(r), "per_second": r.per_second} for r in runs]
    print()
    print(table(runs))
    by = {r.name: r for r in runs}
    full_run, traf_run = by.get("rasid crawl --once (first)"), by.get("trafilatura --feed")
    if full_run and traf_run and traf_run.per_second:
        ratio = full_run.per_second / traf_run.per_second
        results["speed_ratio"] = ratio
        print(f"\nrasid / trafilatura articles per second: {ratio:.2f}x (target >= 2x)")
    if "in_process" in results and len(results["in_process"]) > 1 and full_run:
        c = results["in_process"]
        full_cpu = full_run.cpu - c[0]["startup_cpu"]  # the first crawl without its process start-up
        results["full_cycle_cpu_without_startup"] = full_cpu
        for later in c[1:]:
            s = later["server"]
            print(
                f"unchanged cycle {later['cycle']} in a long-running process: {later['cpu']:.3f} s CPU "
                f"({100 * later['cpu'] / full_cpu:.2f}% of the first crawl's {full_cpu:.1f} s without "
                f"start-up), "
                f"{later['wall']:.2f} s wall, {s['requests']:.0f} requests, "
                f"{s['bytes_in']:.0f} B in + {s['bytes_out']:.0f} B out"
            )
    print(f"\nbenchmark took {time.monotonic() - started:.0f} s; logs in {work}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
