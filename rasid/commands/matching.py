"""Click commands `rasid match`, `rasid eval` and `rasid watchlist check`, registered by the main group."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import click

from rasid.config import ConfigError, load_settings
from rasid.matching import Matcher, Watchlist, WatchlistError, check_examples, load_watchlists
from rasid.matching.evaluation import (
    LevelScores,
    Passage,
    evaluate_levels,
    load_labelled,
    load_seeds,
    review_on_negatives,
    split,
)

_WATCHLIST_OPTION = click.option(
    "--watchlist",
    "watchlists",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Watchlist TOML file to use instead of the configured ones (repeatable).",
)


def configured_watchlist(ctx: click.Context, paths: tuple[Path, ...] = (), check: bool = True) -> Watchlist:
    """The watchlist from `paths`, else from the config (`ctx.obj["config_path"]`); exits 2 on a bad one."""
    try:
        if not paths:
            config_path = ctx.obj.get("config_path") if isinstance(ctx.obj, dict) else None
            paths = tuple(load_settings(config_path).watchlist_paths)
        return load_watchlists(list(paths), check_examples=check)
    except (ConfigError, WatchlistError) as exc:
        click.echo(f"error: {exc}", err=True)
        ctx.exit(2)
        raise AssertionError("unreachable") from None


def _records(name: str, stream: TextIO) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(stream, 1):
        if line.strip():
            yield number, line


def _parse(line: str) -> tuple[Any, dict[str, Any] | None, str | None]:
    """(id, record, problem) for one input line."""
    try:
        record = json.loads(line)
    except ValueError as exc:
        return None, None, f"not JSON ({exc})"
    if not isinstance(record, dict):
        return None, None, "not a JSON object"
    rid = record.get("id")
    if rid is None:
        return None, None, 'missing "id"'
    if not isinstance(record.get("text"), str):
        return rid, None, '"text" must be a string'
    if record.get("title") is not None and not isinstance(record["title"], str):
        return rid, None, '"title" must be a string or null'
    return rid, record, None


@click.command("match")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--explain", is_flag=True, help="Add, for every topic, why it fired or did not.")
@_WATCHLIST_OPTION
@click.pass_context
def match_command(
    ctx: click.Context, files: tuple[Path, ...], explain: bool, watchlists: tuple[Path, ...]
) -> None:
    """Match JSON Lines articles ({"id", "text", "title"?}) from FILES or standard input.

    Writes one JSON line per input: {"id", "topics", "review", "matches"}: "topics" the confident matches,
    "review" the possible ones (a topic is in one list at most), "matches" all of them, each with its
    "confidence" (and "review_reason"). A bad line gives {"id", "error"} and a message with file:line on
    standard error, and the run goes on.
    """
    matcher = Matcher(configured_watchlist(ctx, watchlists))
    unreadable = False
    for path in files or (Path("-"),):
        name = "<stdin>" if str(path) == "-" else str(path)
        try:
            stream = sys.stdin if str(path) == "-" else path.open(encoding="utf-8")
        except OSError as exc:
            click.echo(f"{name}: cannot read: {exc.strerror}", err=True)
            unreadable = True
            continue
        try:
            for number, line in _records(name, stream):
                rid, record, problem = _parse(line)
                if record is None:
                    click.echo(f"{name}:{number}: {problem}", err=True)
                    out: dict[str, Any] = {"id": rid, "error": problem}
                else:
                    out = _match_one(matcher, record, explain)
                click.echo(json.dumps(out, ensure_ascii=False))
        except UnicodeDecodeError:
            click.echo(f"{name}: not UTF-8 text", err=True)
            unreadable = True
        finally:
            if stream is not sys.stdin:
                stream.close()
    if unreadable:
        ctx.exit(1)


def _match_one(matcher: Matcher, record: dict[str, Any], explain: bool) -> dict[str, Any]:
    text, title = record["text"], record.get("title")
    if explain:
        explanations = matcher.explain(text, title)
        matches = [e.match for e in explanations if e.match is not None]
    else:
        matches = matcher.match(text, title)
    confident = list(dict.fromkeys(m.topic for m in matches if m.confidence == "alert"))
    possible = [t for t in dict.fromkeys(m.topic for m in matches if m.confidence == "review")]
    out: dict[str, Any] = {
        "id": record["id"],
        "topics": confident,
        "review": [t for t in possible if t not in confident],
        "matches": [m.to_dict() for m in matches],
    }
    if explain:
        out["explain"] = [{"topic": e.topic, "fired": e.fired, "reasons": e.reasons} for e in explanations]
    return out


@click.command("eval")
@click.argument("files", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--seeds",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A seeds folder: labels.json plus one .txt per article (the whole file is the body).",
)
@click.option(
    "--part",
    type=click.Choice(["tune", "score", "all"]),
    default="all",
    show_default=True,
    help="Score only the tune or the held-out score part of the passages (split by outlet).",
)
@click.option("--json", "as_json", is_flag=True, help="Write the scores as one JSON object.")
@_WATCHLIST_OPTION
@click.pass_context
def eval_command(
    ctx: click.Context,
    files: tuple[Path, ...],
    seeds: Path | None,
    part: str,
    as_json: bool,
    watchlists: tuple[Path, ...],
) -> None:
    """Score the watch topics on labelled passages: precision, recall and F1 of the confident ("alert")
    matches alone and of confident and possible ("review") ones together, how often review fires on
    negative passages, and the false positives and misses with their cause (the first line of explain).

    FILES are JSON Lines ({"id", "text", "title"?, "url"?, "labels": {topic: 1|0|"B"}}) or seeds folders;
    "B" (borderline) labels are left out. --part keeps the passages of one part of the outlet split (those
    without an address are in the tune part).
    """
    if not files and seeds is None:
        raise click.UsageError("give labelled JSON Lines files and/or --seeds DIR")
    matcher = Matcher(configured_watchlist(ctx, watchlists))
    passages: list[Passage] = []
    try:
        for path in files:
            passages.extend(load_labelled(path))
        if seeds is not None:
            passages.extend(load_seeds(seeds))
    except (OSError, ValueError, KeyError) as exc:
        click.echo(f"error: cannot read labelled passages: {exc}", err=True)
        ctx.exit(2)
    loaded = len(passages)
    if part != "all":
        passages = split(passages)["tune" if part == "tune" else "score"]
    levels = evaluate_levels(matcher, passages)
    fired, negatives = review_on_negatives(levels)
    if as_json:
        out = {
            "passages": len(passages),
            "part": part,
            "loaded": loaded,
            "review_on_negatives": {
                "fired": fired,
                "negatives": negatives,
                "share": round(fired / negatives, 4) if negatives else 0.0,
            },
            "topics": [v.to_dict() for v in levels.values()],
        }
        click.echo(json.dumps(out, ensure_ascii=False))
        return
    _print_levels(levels, len(passages), loaded, part, fired, negatives)


def _print_levels(
    levels: dict[str, LevelScores], count: int, loaded: int, part: str, fired: int, negatives: int
) -> None:
    scope = "" if part == "all" else f" (part {part} of {loaded})"
    click.echo(f"{count} passages{scope}")
    head = f"{'P':>6} {'R':>6} {'F1':>6} {'TP':>4} {'FP':>4} {'FN':>4}"
    click.echo(f"{'':<16} {'alert only':<35} {'':>4}   {'alert + review':<35} review on negatives")
    click.echo(f"{'topic':<16} {head} {'B':>4}   {head} fired/negatives")
    for v in levels.values():
        a, b = v.alert.to_dict(), v.any.to_dict()
        review = f"{len(v.review_on_negatives)}/{v.negatives} ({v.review_negative_share:.1%})"
        click.echo(f"{v.topic:<16} {_row(a)} {a['borderline_skipped']:>4}   {_row(b)} {review}")
        if v.alert.false_positives:
            click.echo(f"  false positives: {', '.join(v.alert.false_positives)}")
        if v.alert.misses:
            click.echo(f"  misses: {', '.join(v.alert.misses)}")
        if v.review_on_negatives:
            click.echo(f"  review on negatives: {', '.join(v.review_on_negatives)}")
        errors = v.errors()
        if errors:
            click.echo("  by cause:")
            for kind, pid, cause in errors:
                click.echo(f"    {_KINDS[kind]:<6} {pid}: {cause or '(explain gives no reason)'}")
    share = f" ({fired / negatives:.1%})" if negatives else ""
    click.echo(f"review fired on {fired} of {negatives} negative labels{share}")


_KINDS = {"fp": "FP", "fn": "miss", "review": "review"}


def _row(d: dict[str, Any]) -> str:
    return (
        f"{d['precision']:>6.3f} {d['recall']:>6.3f} {d['f1']:>6.3f} {d['tp']:>4} {d['fp']:>4} {d['fn']:>4}"
    )


@click.group("watchlist")
def watchlist_group() -> None:
    """Work with watchlists: check their examples, backtest changes on stored articles."""


@watchlist_group.command("check")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def check_command(ctx: click.Context, files: tuple[Path, ...]) -> None:
    """Load watchlists (FILES, else the configured ones) and check the examples; exit 1 on failure."""
    watchlist = configured_watchlist(ctx, files, check=False)
    failures = check_examples(watchlist)
    failed_topics = {f.topic for f in failures}
    for topic in watchlist.topics:
        count = len(topic.examples.match) + len(topic.examples.no_match) + len(topic.examples.planned)
        status = "FAIL" if topic.id in failed_topics else "ok"
        click.echo(f"{status:<4} {topic.id} ({count} examples) [{topic.source}]")
    for failure in failures:
        click.echo(f"{failure.source}: topic {failure.topic!r}: {failure.problem}", err=True)
    if failures:
        ctx.exit(1)
