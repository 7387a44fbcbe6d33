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
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

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


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--case")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--naive-articles", type=int, default=40)
    args = parser.parse_args()
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
