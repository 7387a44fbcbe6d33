"""`rasid watchlist backtest FILE --days 30`: a new or edited watchlist applied to the articles already
stored, beside what the active watchlist fired: per topic, what would newly fire and what would no longer."""

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
    topic: str
    kept: int = 0
    new: list[dict[str, Any]] = field(default_factory=list)
    lost: list[dict[str, Any]] = field(default_factory=list)


def backtest(db: Any, matcher: Any, days: float, topic_ids: list[str]) -> dict[str, TopicDiff]:
    """Compare the candidate matcher with the stored matches over the last `days` (blocking)."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from rasid.storage import Article
    from rasid.storage.clock import utcnow

    since = utcnow() - timedelta(days=days)
    diffs = {t: TopicDiff(t) for t in topic_ids}
    with db.session() as session:
        query = (
            select(Article)
            .where(Article.fetched_at >= since)
            .options(selectinload(Article.matches), selectinload(Article.source))
            .order_by(Article.fetched_at)
        )
        for article in session.scalars(query).yield_per(500):
            before = {m.topic for m in article.matches}
            after = {m.topic: m for m in matcher.match(article.text, title=article.title)}
            row = {
                "id": article.id,
                "title": article.title,
                "outlet": article.source.name,
                "url": article.url,
                "fetched": article.fetched_at.isoformat(timespec="minutes"),
            }
            for topic in set(before) | set(after):
                diff = diffs.setdefault(topic, TopicDiff(topic))
                if topic in before and topic in after:
                    diff.kept += 1
                elif topic in after:
                    evidence = after[topic].evidence[0].sentence if after[topic].evidence else ""
                    diff.new.append({**row, "modality": after[topic].modality, "evidence": evidence})
                else:
                    diff.lost.append(row)
    return diffs


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
    have fired that did not and what would no longer fire, before you switch it on."""
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
        click.echo(
            json.dumps(
                {t: {"kept": d.kept, "new": d.new, "lost": d.lost} for t, d in diffs.items()},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    click.echo(f"backtest over the last {days:g} days of stored articles")
    for topic, d in diffs.items():
        click.secho(
            f"{topic}: {d.kept} unchanged, {len(d.new)} would newly fire, {len(d.lost)} would no longer fire",
            bold=True,
        )
        for label, rows in (("+", d.new), ("-", d.lost)):
            for row in rows[:limit]:
                click.echo(f"  {label} {row['title']} — {row['outlet']}, {row['fetched']} <{row['url']}>")
                if row.get("evidence"):
                    click.echo(f"      «{row['evidence'][:200]}»")
            if len(rows) > limit:
                click.echo(f"  {label} … and {len(rows) - limit} more (--limit, --json)")
