"""Quality benchmark: rasid's matcher beside the plain keyword rule, in one run (by hand, not by pytest).

    .venv/bin/python bench/matching/bench_quality.py [--baseline-tree /tmp/rasid-base] [--shared ../shared]

Labelled sets, read at run time from ../shared (never copied into the repository; skipped with a message if
absent): `dev` = matching/dev.jsonl + seeds/ (the five seed articles); `train/tune` and `train/score` =
matching/train.jsonl split by outlet with `rasid.matching.evaluation.split()` (the score part was written by
outlets the matcher is not tuned on).

Systems: `keyword` (bench/matching/keyword_baseline.py); `current`: rasid's matcher on
config/watchlists/coalition.toml at `alert` level (matches whose confidence is "alert") and at `alert+review`
(every match returned); with `--baseline-tree DIR`, the same for the matcher and watchlist of that tree (a
`git worktree` of an older commit). Each matcher runs in a subprocess with PYTHONPATH=<tree> and that tree's
watchlist; this process only loads the labels, splits and scores. Labels "B" (borderline) and missing labels
are left out. Precision is 1.0 when a system fires on nothing (rasid.matching.evaluation's convention).

`review on 0`: the share of (passage, topic) pairs labelled 0 on which the matcher returns a `review` match.
Output: a Markdown table per set, and JSON (with the ids of false positives and misses) written to
bench/matching/results-quality.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
TOPICS = ("new_member", "camp_handover", "communique")
WATCHLIST = Path("config") / "watchlists" / "coalition.toml"


# -- worker: run one tree's matcher on every passage ---------------------------------------------------------


def emit_matches(tree: Path, shared: Path) -> dict[str, Any]:
    """{set: {passage id: {topic: confidence}}} for the matcher and watchlist of `tree` (imported from it)."""
    import rasid
    from rasid.matching import Matcher, load_watchlists
    from rasid.matching.evaluation import load_jsonl, load_seeds

    matcher = Matcher(load_watchlists([tree / WATCHLIST]))
    sets = {
        "dev": load_jsonl(shared / "matching" / "dev.jsonl"),
        "seeds": load_seeds(shared / "seeds"),
        "train": load_jsonl(shared / "matching" / "train.jsonl"),
    }
    out: dict[str, dict[str, dict[str, str]]] = {}
    t0 = time.process_time()
    for name, passages in sets.items():
        out[name] = {
            p.id: {m.topic: getattr(m, "confidence", "alert") for m in matcher.match(p.text, p.title)}
            for p in passages
        }
    return {
        "rasid": str(Path(rasid.__file__).resolve().parent),
        "watchlist": str(tree / WATCHLIST),
        "cpu_s": round(time.process_time() - t0, 3),
        "matches": out,
    }


def run_tree(tree: Path, shared: Path) -> dict[str, Any]:
    """`emit_matches` in a subprocess that imports rasid from `tree`."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    cmd = [sys.executable, __file__, "--emit", str(tree), "--shared", str(shared)]
    done = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "no output")
    result: dict[str, Any] = json.loads(done.stdout)
    if Path(result["rasid"]) != (tree / "rasid").resolve():
        raise RuntimeError(f"imported rasid from {result['rasid']}, not from {tree}")
    return result


# -- scoring ------------------------------------------------------------------------------------------------


def _label(value: Any) -> int | None:
    if value in (1, "1", True):
        return 1
    if value in (0, "0", False):
        return 0
    return None  # "B" or missing


def score(
    passages: list[Any], fired: dict[str, set[str]], review: dict[str, set[str]] | None
) -> dict[str, Any]:
    """Per topic and micro P/R/F1 of `fired` (passage id -> topics); `review` (passage id -> topics with a
    review match) gives the share of label-0 pairs on which review fires."""
    topics: dict[str, Any] = {}
    totals = {"tp": 0, "fp": 0, "fn": 0, "tn": 0, "review_on_0": 0}
    for topic in TOPICS:
        c: dict[str, Any] = {"tp": 0, "fp": 0, "fn": 0, "tn": 0, "b": 0, "review_on_0": 0}
        fps, misses = [], []
        for p in passages:
            label = _label(p.labels.get(topic))
            if label is None:
                c["b"] += p.labels.get(topic) == "B"
                continue
            hit = topic in fired.get(p.id, set())
            if label == 1:
                c["tp" if hit else "fn"] += 1
                if not hit:
                    misses.append(p.id)
            else:
                c["fp" if hit else "tn"] += 1
                if hit:
                    fps.append(p.id)
                if review is not None and topic in review.get(p.id, set()):
                    c["review_on_0"] += 1
        for key in totals:
            totals[key] += c[key]
        topics[topic] = {**_prf(c), **c, "false_positives": fps, "misses": misses}
        if review is None:
            del topics[topic]["review_on_0"]
    micro = {**_prf(totals), **totals}
    negatives = totals["fp"] + totals["tn"]
    if review is None:
        del micro["review_on_0"]
    else:
        micro["review_on_0_share"] = round(totals["review_on_0"] / negatives, 4) if negatives else 0.0
    return {"topics": topics, "micro": micro}


def _prf(c: dict[str, int]) -> dict[str, float]:
    fired, wanted = c["tp"] + c["fp"], c["tp"] + c["fn"]
    p = c["tp"] / fired if fired else 1.0
    r = c["tp"] / wanted if wanted else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def _systems(name: str, matches: dict[str, dict[str, str]]) -> dict[str, tuple[dict[str, set[str]], Any]]:
    alert = {pid: {t for t, conf in found.items() if conf == "alert"} for pid, found in matches.items()}
    every = {pid: set(found) for pid, found in matches.items()}
    review = {pid: {t for t, conf in found.items() if conf == "review"} for pid, found in matches.items()}
    return {f"{name} alert": (alert, review), f"{name} alert+review": (every, review)}


def markdown(set_name: str, count: int, rows: dict[str, dict[str, Any]]) -> str:
    head = f"\n**{set_name}** ({count} passages; cells P / R / F1, tp-fp-fn)\n\n"
    head += "| system | " + " | ".join(TOPICS) + " | micro P / R / F1 | review on label 0 |\n"
    head += "|---" * (len(TOPICS) + 3) + "|\n"
    lines = []
    for system, res in rows.items():
        cells = []
        for topic in TOPICS:
            t = res["topics"][topic]
            cells.append(
                f"{t['precision']:.2f} / {t['recall']:.2f} / {t['f1']:.2f} ({t['tp']}-{t['fp']}-{t['fn']})"
            )
        m = res["micro"]
        micro = f"{m['precision']:.3f} / {m['recall']:.3f} / **{m['f1']:.3f}**"
        review = "—"
        if "review_on_0_share" in m:
            review = f"{m['review_on_0_share']:.1%} ({m['review_on_0']}/{m['fp'] + m['tn']})"
        lines.append(f"| {system} | " + " | ".join(cells) + f" | {micro} | {review} |")
    return head + "\n".join(lines)


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--tree", type=Path, default=REPO, help="the tree whose matcher is measured")
    parser.add_argument("--baseline-tree", type=Path, help="a checkout of the matcher to compare with")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "matching" / "results-quality.json")
    parser.add_argument("--emit", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    shared = args.shared.resolve()
    if args.emit:
        print(json.dumps(emit_matches(args.emit.resolve(), shared), ensure_ascii=False))
        return
    needed = [shared / "matching" / "dev.jsonl", shared / "matching" / "train.jsonl", shared / "seeds"]
    missing = [str(p) for p in needed if not p.exists()]
    if missing:
        print(f"skipped: the labelled passages are not there ({', '.join(missing)})")
        return

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from keyword_baseline import classify

    try:
        from rasid.matching.evaluation import load_jsonl, load_seeds, split
    except Exception as exc:  # the tree may be mid-edit
        sys.exit(f"rasid.matching.evaluation (labels, split) does not import from {REPO}: {exc!r}")

    train = split(load_jsonl(shared / "matching" / "train.jsonl"))
    sets = {
        "dev + seeds": load_jsonl(shared / "matching" / "dev.jsonl") + load_seeds(shared / "seeds"),
        "train/tune": train["tune"],
        "train/score": train["score"],
    }
    trees = {"current": args.tree.resolve()}
    if args.baseline_tree:
        trees["baseline"] = args.baseline_tree.resolve()
    runs: dict[str, Any] = {}
    for name, tree in trees.items():
        try:
            runs[name] = run_tree(tree, shared)
        except (RuntimeError, ValueError) as exc:
            print(f"{name} ({tree}): not measured, the matcher failed: {exc}")
    systems: dict[str, tuple[dict[str, set[str]], Any]] = {}
    all_passages = [p for passages in sets.values() for p in passages]
    systems["keyword"] = ({p.id: classify(p.text, p.title) for p in all_passages}, None)
    for name, run in runs.items():
        merged = {pid: found for per_set in run["matches"].values() for pid, found in per_set.items()}
        systems.update(_systems(name, merged))

    results: dict[str, Any] = {
        "trees": {name: {k: v for k, v in run.items() if k != "matches"} for name, run in runs.items()},
        "sets": {},
    }
    print("# Matching quality: keyword rule vs rasid's matcher")
    for name, run in runs.items():
        print(f"{name}: rasid from {run['rasid']}, watchlist {run['watchlist']}, {run['cpu_s']} s CPU")
    for set_name, passages in sets.items():
        rows = {system: score(passages, fired, review) for system, (fired, review) in systems.items()}
        outlets = sorted({p.outlet for p in passages if p.outlet})
        results["sets"][set_name] = {"passages": len(passages), "outlets": outlets, "systems": rows}
        print(markdown(set_name, len(passages), rows))
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"\nJSON: {args.out}")


if __name__ == "__main__":
    main()
