"""`rasid watchlist backtest FILE --days 30`: a new or edited watchlist applied to the articles already
stored, beside what the active watchlist fired: per topic, what would newly alert, what would newly go to
review (possible matches), and what would no longer fire."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from rasid.commands.matching import configured_watchlist, watchlist_group
from rasid.config import ConfigError, load_settings


@dataclass
class TopicDiff:
    """One topic's changes. `new`: would alert where it did not (nothing stored, or a review match, "was"
    says which); `review`: would go to review where it did not (nothing stored, or an alert, which then
    stops alerting); `lost`: would no longer fire at all. `kept` and `kept_review`: unchanged alerts and
    unchanged review matches."""

    topic: str
    kept: int = 0
    new: list[dict[str, Any]] = field(default_factory=list)
    lost: list[dict[str, Any]] = field(default_factory=list)
    kept_review: int = 0
    review: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kept": self.kept,
            "kept_review": self.kept_review,
            "new": self.new,
            "review": self.review,
            "lost": self.lost,
        }


def backtest(db: Any, matcher: Any, days: float, topic_ids: list[str]) -> dict[str, TopicDiff]:
    """Compare the candidate matcher with the stored matches over the last `days` (blocking), alert and
    review matches apart."""
    from rasid.storage.clock import utcnow
    from rasid.storage.reports import articles_since

    since = utcnow() - timedelta(days=days)
    diffs = {t: TopicDiff(t) for t in topic_ids}
    with db.session() as session:
        for article in articles_since(session, since):
            before = article.matches
            after = {m.topic: m for m in matcher.match(article.text, title=article.title)}
            row = {
                "id": article.id,
                "title": article.title,
                "outlet": article.outlet,
                "url": article.url,
                "fetched": article.fetched_at.isoformat(timespec="minutes"),
            }
            for topic in set(before) | set(after):
                diff = diffs.setdefault(topic, TopicDiff(topic))
                was, match = before.get(topic), after.get(topic)
                if match is None:
                    diff.lost.append({**row, "was": was})
                    continue
                now = match.confidence
                if was == now:
                    if now == "alert":
                        diff.kept += 1
                    else:
                        diff.kept_review += 1
                    continue
                evidence = match.evidence[0].sentence if match.evidence else ""
                change = {**row, "was": was, "modality": match.modality, "evidence": evidence}
                if now == "alert":
                    diff.new.append(change)
                else:
                    diff.review.append({**change, "review_reason": match.review_reason})
    return diffs


_CHANGES = (
    ("+", "new", "would newly alert"),
    ("?", "review", "would newly go to review"),
    ("-", "lost", "would no longer fire"),
)


@watchlist_group.command("backtest")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--days", type=float, default=30.0, show_default=True, help="How far back to look.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option(
    "--limit", type=int, default=20, show_default=True, help="Articles listed per topic and change."
)
@click.pass_context
def backtest_command(
    ctx: click.Context, files: tuple[Path, ...], days: float, as_json: bool, limit: int
) -> None:
    """Apply the watchlist FILES to the articles stored in the last --days and show, per topic, what would
    newly alert (+), what would newly go to review as a possible match (?), and what would no longer fire
    (-), before you switch it on."""
    from rasid.matching import Matcher
    from rasid.storage import Database

    watchlist = configured_watchlist(ctx, files)
    try:
        settings = load_settings(ctx.obj.get("config_path") if isinstance(ctx.obj, dict) else None)
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    db = Database(settings.storage.url)
    diffs = backtest(db, Matcher(watchlist), days, [t.id for t in watchlist.topics])
    db.dispose()
    if as_json:
        click.echo(json.dumps({t: d.to_dict() for t, d in diffs.items()}, ensure_ascii=False, indent=2))
        return
    click.echo(f"backtest over the last {days:g} days of stored articles")
    for topic, d in diffs.items():
        counts = ", ".join(f"{len(getattr(d, key))} {words}" for _, key, words in _CHANGES)
        unchanged = f"{d.kept} unchanged" + (f" (+{d.kept_review} to review)" if d.kept_review else "")
        click.secho(f"{topic}: {unchanged}, {counts}", bold=True)
        for mark, key, _ in _CHANGES:
            rows = getattr(d, key)
            for row in rows[:limit]:
                shown = row.get("was") and not (key == "lost" and row["was"] == "alert")
                was = f" [was {row['was']}]" if shown else ""
                click.echo(f"  {mark} {row['title']} — {row['outlet']}, {row['fetched']} <{row['url']}>{was}")
                if row.get("evidence"):
                    click.echo(f"      «{row['evidence'][:200]}»")
                if row.get("review_reason"):
                    click.echo(f"      to review because: {row['review_reason'][:200]}")
            if len(rows) > limit:
                click.echo(f"  {mark} … and {len(rows) - limit} more (--limit, --json)")
