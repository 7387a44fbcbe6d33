"""Speed benchmark: compiled matcher vs a naive one-regex-per-term baseline (run by hand, not by pytest).

    .venv/bin/python bench/matching/bench_matcher.py [--articles 10000] [--naive-articles 40]

Cases, each in a fresh subprocess (so peak memory, ru_maxrss, belongs to that case alone):
  shipped        config/watchlists/coalition.toml (3 topics), Matcher.match on every article
  synthetic      1,000 generated topics x 20 terms (two groups of 10, rule all=[a, b] near=10)
  naive-*        the same terms, one compiled regular expression per term (clitics and endings as
                 alternations, word boundaries as lookarounds) searched in the same normalised text;
                 it only finds terms (no rules), on a subset of articles, extrapolated.
Rates are wall-clock (perf_counter) articles per second over the whole loop; `articles_per_cpu_s` divides by
the process CPU time instead, which is less disturbed when other jobs share the machine.
Articles: deterministic Arabic-looking text (~800 words from a 40,000-word generated vocabulary plus
real news words), with some watch-term hits planted in one article in four.

Real text (`--real`), the shipped topics, one process per tree (single-threaded: one core):

    .venv/bin/python bench/matching/bench_matcher.py --real [--baseline-tree /tmp/rasid-base] [--rounds 5]

  ordinary   the ground-truth texts of the Arabic pages of ../shared/benchmarks/extraction (manifest.tsv,
             language ar, truth_kind full: 11 pages), each matched as an article with its og:title
  dense      articles about as long as the ordinary ones (their mean length), built by joining passages of
             ../shared/matching (dev + train, shuffled with a fixed seed) until that length is reached
  generated  1,000 of the generated 800-word articles above (the existing figure's texts)
Each case is measured in a fresh subprocess per tree (PYTHONPATH=<tree>, that tree's
config/watchlists/coalition.toml); the matcher is built and run once over the articles untimed, then each
timed round goes over them again and again for at least --min-seconds; the trees take turns round by round,
so a change in the machine's load falls on both. Reported: the best round (articles/s wall and per CPU
second) and every round. Texts from ../shared are read at run time, never copied here; a case whose texts are
absent is skipped with a message. JSON goes to bench/matching/results-speed.json.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
REAL = [
    *("انضمام", "سوريا", "إلى", "التحالف", "الدولي", "ضد", "داعش", "وزراء", "الخارجية", "بيان", "ختامي"),
    *("مخيم", "الهول", "تسلمت", "القوات", "إدارة", "السجن", "المعتقلين", "العراق", "الحكومة", "اجتماع"),
    *("الرياض", "واشنطن", "أكد", "أعلن", "قال"),
]
PLANTED = [
    "وانضمت سوريا إلى التحالف الدولي ضد داعش.",
    "وتسلمت القوات الحكومية إدارة مخيم الهول من قسد.",
    "وأكد وزراء خارجية التحالف الدولي ضد داعش في بيانهم الختامي التزامهم.",
]


def vocabulary(size: int = 40000, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(LETTERS) for _ in range(rng.randint(3, 7))))
    return sorted(words)


def article(i: int, vocab: list[str], words: int = 800) -> str:
    rng = random.Random(1000 + i)
    out = []
    for n in range(words):
        w = rng.choice(REAL) if rng.random() < 0.05 else rng.choice(vocab)
        if rng.random() < 0.2:
            w = rng.choice(("و", "ال", "بال", "لل", "ف")) + w
        out.append(w)
        if n % 25 == 24:
            out[-1] += "."
    if i % 4 == 0:
        out.insert(rng.randrange(len(out)), rng.choice(PLANTED))
    return " ".join(out)


def synthetic_watchlist(vocab: list[str], topics: int = 1000, terms: int = 20):  # type: ignore[no-untyped-def]
    from rasid.matching.terms import parse_term
    from rasid.matching.watchlist import Group, Rule, Topic, Watchlist

    rng = random.Random(11)
    result = []
    for t in range(topics):
        chosen = []
        for k in range(terms):
            w = rng.choice(vocab)
            if k % 5 == 4:
                w += " " + rng.choice(vocab)  # a fifth of the terms are two-word phrases
            elif k % 7 == 6:
                w += "*"
            chosen.append(w)
        a = Group("a", tuple(parse_term(x) for x in chosen[:10]))
        b = Group("b", tuple(parse_term(x) for x in chosen[10:]))
        rule = Rule(all=(("a",), ("b",)), near=10)
        result.append(Topic(f"t{t}", "م", "t", "", {"a": a, "b": b}, (rule,)))
    return Watchlist(result)


def _watchlist(case: str, vocab: list[str]):  # type: ignore[no-untyped-def]
    from rasid.matching import load_watchlist

    if case.endswith("shipped"):
        return load_watchlist(REPO / "config" / "watchlists" / "coalition.toml")
    return synthetic_watchlist(vocab)


def _naive_regexes(watchlist) -> list[re.Pattern[str]]:  # type: ignore[no-untyped-def]
    patterns = []
    for topic in watchlist.topics:
        for group in topic.groups.values():
            for term in group.terms:
                parts = []
                for w in term.words:
                    pre = "|".join(sorted((re.escape(p) for p in w.prefixes), key=len, reverse=True))
                    if w.suffixes is None:
                        suf = r"\w*"
                    else:
                        alternatives = sorted((re.escape(s) for s in w.suffixes), key=len, reverse=True)
                        suf = "(?:" + "|".join(alternatives) + ")"
                    parts.append(f"(?:{pre}){re.escape(w.core)}{suf}")
                patterns.append(re.compile(r"(?<!\w)" + r"\W+".join(parts) + r"(?!\w)"))
    return patterns


def run_case(case: str, count: int) -> dict[str, object]:
    from rasid.matching import Matcher, normalize

    vocab = vocabulary()
    texts = [article(i, vocab) for i in range(count)]
    rss_articles = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    watchlist = _watchlist(case, vocab)
    t0 = time.perf_counter()
    fired = 0
    cpu0 = 0.0
    if case.startswith("naive"):
        regexes = _naive_regexes(watchlist)
        build = time.perf_counter() - t0
        t1, cpu0 = time.perf_counter(), time.process_time()
        for text in texts:
            norm = normalize(text)
            fired += sum(1 for rx in regexes if rx.search(norm))
    else:
        matcher = Matcher(watchlist)
        build = time.perf_counter() - t0
        t1, cpu0 = time.perf_counter(), time.process_time()
        for text in texts:
            fired += len(matcher.match(text))
    elapsed = time.perf_counter() - t1
    cpu = time.process_time() - cpu0
    return {
        "case": case,
        "articles": count,
        "words_per_article": 800,
        "build_s": round(build, 3),
        "seconds": round(elapsed, 3),
        "articles_per_s": round(count / elapsed, 1),
        "cpu_seconds": round(cpu, 3),
        "articles_per_cpu_s": round(count / cpu, 1),
        "fired": fired,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rss_before_matcher_mb": round(rss_articles / 1024, 1),
    }


# -- real text: ordinary news, articles dense with watch words, generated text; best of N rounds ------------

SPEED_CASES = ("ordinary", "dense", "generated")
SHARED = REPO.parent / "shared"
_OG_TITLE = re.compile(
    r"""<meta[^>]*?property=["']og:title["'][^>]*?content=(?:"([^"]*)"|'([^']*)')"""
    r"""|<meta[^>]*?content=(?:"([^"]*)"|'([^']*)')[^>]*?property=["']og:title["']""",
    re.IGNORECASE,
)

Article = tuple[str, str | None]
"""(text, title)"""


def ordinary_articles(shared: Path) -> list[Article]:
    """The Arabic full-text truths of the extraction benchmark, each with its page's og:title."""
    folder = shared / "benchmarks" / "extraction"
    articles: list[Article] = []
    for line in (folder / "manifest.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) < 6 or cols[1] != "ar" or cols[5] != "full":
            continue
        text = (folder / "truth" / f"{cols[0]}.txt").read_text(encoding="utf-8")
        page = folder / "pages" / f"{cols[0]}.html"
        found = (
            _OG_TITLE.search(page.read_text(encoding="utf-8", errors="replace")) if page.exists() else None
        )
        title = html.unescape(next(g for g in found.groups() if g is not None)).strip() if found else None
        articles.append((text, title or None))
    return articles


def dense_articles(shared: Path, length: int, count: int = 60) -> list[Article]:
    """`count` articles of at least `length` characters, each joining shuffled passages of ../shared/matching
    (one paragraph each; the first passage's title, if any, is the article's title)."""
    rows = []
    for name in ("dev.jsonl", "train.jsonl"):
        for line in (shared / "matching" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                rows.append((row["text"], row.get("title") or None))
    rng = random.Random(5)
    order: list[tuple[str, str | None]] = []
    articles: list[Article] = []
    for _ in range(count):
        parts: list[str] = []
        title = None
        while sum(len(x) + 1 for x in parts) < length:
            if not order:
                order = rows[:]
                rng.shuffle(order)
            text, passage_title = order.pop()
            title = title if parts else passage_title
            parts.append(text)
        articles.append(("\n".join(parts), title))
    return articles


def speed_articles(case: str, shared: Path) -> list[Article]:
    """The articles of a speed case; FileNotFoundError when its texts are not in `shared`."""
    if case == "generated":
        vocab = vocabulary()
        return [(article(i, vocab), None) for i in range(1000)]
    ordinary = ordinary_articles(shared)
    if case == "ordinary":
        return ordinary
    mean = sum(len(text) for text, _ in ordinary) // len(ordinary)
    return dense_articles(shared, mean)


def serve(case: str, tree: Path, shared: Path, min_seconds: float) -> None:
    """Worker: build the matcher of `tree`, print a set-up line, then time a round per line read on stdin."""
    import rasid
    from rasid.matching import Matcher, load_watchlists

    articles = speed_articles(case, shared)
    t0 = time.perf_counter()
    matcher = Matcher(load_watchlists([tree / "config" / "watchlists" / "coalition.toml"]))
    build = time.perf_counter() - t0
    fired = sum(len(matcher.match(text, title)) for text, title in articles)  # warm-up, untimed
    setup = {
        "rasid": str(Path(rasid.__file__).resolve().parent),
        "articles": len(articles),
        "chars_per_article": round(sum(len(t) + len(h or "") for t, h in articles) / len(articles)),
        "build_s": round(build, 4),
        "fired": fired,
    }
    print(json.dumps(setup), flush=True)
    for _ in sys.stdin:
        done = 0
        w0, c0 = time.perf_counter(), time.process_time()
        while True:
            for text, title in articles:
                matcher.match(text, title)
            done += len(articles)
            wall = time.perf_counter() - w0
            if wall >= min_seconds:
                break
        cpu = time.process_time() - c0
        print(json.dumps({"articles": done, "wall_s": round(wall, 4), "cpu_s": round(cpu, 4)}), flush=True)


class _Worker:
    """A `serve` subprocess for one (case, tree)."""

    def __init__(self, case: str, tree: Path, args: argparse.Namespace) -> None:
        env = {**os.environ, "PYTHONPATH": str(tree)}
        cmd = [sys.executable, str(Path(__file__).resolve()), "--serve", case, "--tree", str(tree)]
        cmd += ["--shared", str(args.shared), "--min-seconds", str(args.min_seconds)]
        self.proc = subprocess.Popen(
            cmd,
            cwd=tree,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.setup = self._read()
        if Path(self.setup["rasid"]) != (tree / "rasid").resolve():
            self.close()
            raise RuntimeError(f"imported rasid from {self.setup['rasid']}, not from {tree}")
        self.rounds: list[dict[str, Any]] = []

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None and self.proc.stderr is not None
        line = self.proc.stdout.readline()
        if not line:
            err = self.proc.stderr.read().strip().splitlines()
            self.proc.wait()
            raise RuntimeError(err[-1] if err else f"exit status {self.proc.returncode}")
        result: dict[str, Any] = json.loads(line)
        return result

    def round(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("round\n")
        self.proc.stdin.flush()
        r = self._read()
        r["per_s"] = round(r["articles"] / r["wall_s"], 1)
        r["per_cpu_s"] = round(r["articles"] / r["cpu_s"], 1) if r["cpu_s"] else None
        self.rounds.append(r)

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait()

    def summary(self) -> dict[str, Any]:
        best = max(self.rounds, key=lambda r: r["per_s"])
        return {
            **self.setup,
            "best_per_s": best["per_s"],
            "best_per_cpu_s": max(r["per_cpu_s"] or 0 for r in self.rounds),
            "rounds_per_s": [r["per_s"] for r in self.rounds],
            "rounds_per_cpu_s": [r["per_cpu_s"] for r in self.rounds],
            "rounds": self.rounds,
        }


def real_text(args: argparse.Namespace) -> None:
    """Every speed case on each tree (current, then baseline), rounds taking turns; a table side by side."""
    trees = {"current": args.tree.resolve()}
    if args.baseline_tree:
        trees["baseline"] = args.baseline_tree.resolve()
    results: dict[str, Any] = {"trees": {k: str(v) for k, v in trees.items()}, "cases": {}}
    load0 = os.getloadavg()[0]
    for case in args.cases:
        try:
            speed_articles(case, args.shared)
        except FileNotFoundError as exc:
            print(f"{case}: skipped, its texts are not there ({exc.filename})", flush=True)
            continue
        workers: dict[str, _Worker] = {}
        for name, tree in trees.items():
            try:
                workers[name] = _Worker(case, tree, args)
            except (RuntimeError, ValueError) as exc:
                print(f"{case} / {name} ({tree}): not measured, it failed: {exc}", flush=True)
        for r in range(args.rounds):
            for name in list(workers) if r % 2 == 0 else list(reversed(workers)):
                workers[name].round()
        results["cases"][case] = {}
        for name, worker in workers.items():
            worker.close()
            results["cases"][case][name] = worker.summary()
            print(json.dumps({"case": case, "tree": name, **worker.summary(), "rounds": None}), flush=True)
    results["load_average"] = [round(load0, 2), round(os.getloadavg()[0], 2)]
    args.real_out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    names = list(trees)
    load1 = os.getloadavg()[0]
    print(f"\nLoad average {load0:.2f} at the start, {load1:.2f} at the end. JSON: {args.real_out}\n")
    head = "| case | articles | chars/article | " + " | ".join(
        f"{n}: best articles/s (per CPU s) | {n}: rounds" for n in names
    )
    print(head + (" | current / baseline |" if len(names) == 2 else " |"))
    print("|---" * (3 + 2 * len(names) + (len(names) == 2)) + "|")
    for case, by_tree in results["cases"].items():
        first = next(iter(by_tree.values()))
        cells = [case, str(first["articles"]), str(first["chars_per_article"])]
        for n in names:
            s = by_tree.get(n)
            if s is None:
                cells += ["not measured", ""]
                continue
            cells.append(f"{s['best_per_s']:,.0f} ({s['best_per_cpu_s']:,.0f})")
            cells.append(" / ".join(f"{x:,.0f}" for x in s["rounds_per_s"]))
        if len(names) == 2:
            both = [by_tree.get(n) for n in names]
            cells.append(f"{both[0]['best_per_s'] / both[1]['best_per_s']:.2f}x" if all(both) else "")
        print("| " + " | ".join(cells) + " |")


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--case")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--naive-articles", type=int, default=40)
    parser.add_argument("--real", action="store_true", help="real Arabic text, best of --rounds (see above)")
    parser.add_argument("--baseline-tree", type=Path, help="with --real: also measure the rasid of this tree")
    parser.add_argument(
        "--tree", type=Path, default=REPO, help="with --real: the tree measured (default: here)"
    )
    parser.add_argument("--cases", nargs="+", choices=SPEED_CASES, default=list(SPEED_CASES))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--min-seconds", type=float, default=1.0)
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--real-out", type=Path, default=REPO / "bench" / "matching" / "results-speed.json")
    parser.add_argument("--serve", choices=SPEED_CASES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.shared = args.shared.resolve()
    if args.serve:
        serve(args.serve, args.tree.resolve(), args.shared, args.min_seconds)
        return
    if args.real:
        real_text(args)
        return
    if args.case:
        print(json.dumps(run_case(args.case, args.articles)))
        return
    results = {}
    for case, count in (
        ("shipped", args.articles),
        ("naive-shipped", min(args.articles, 2000)),
        ("synthetic", args.articles),
        ("naive-synthetic", args.naive_articles),
    ):
        out = subprocess.run(
            [sys.executable, __file__, "--case", case, "--articles", str(count)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        results[case] = json.loads(out)
        print(json.dumps(results[case]), flush=True)
    for kind in ("shipped", "synthetic"):
        ratio = results[kind]["articles_per_s"] / results[f"naive-{kind}"]["articles_per_s"]
        cpu_rate = results[kind]["articles_per_cpu_s"]
        print(
            f"{kind}: {results[kind]['articles_per_s']} articles/s ({cpu_rate} per CPU second), "
            f"{ratio:.1f}x the naive baseline"
        )


if __name__ == "__main__":
    main()
