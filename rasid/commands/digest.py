"""`rasid digest [--week 2026-W47] [--send]`: write a week's digest now (default: the last complete week)."""

from __future__ import annotations

import sys

import click


@click.command()
@click.option(
    "--week", "week_text", default=None, help="ISO week, e.g. 2026-W47 (default: the last complete week)."
)
@click.option("--send/--no-send", default=False, help="Also deliver it to the channels with `digest = true`.")
@click.pass_context
def digest_command(ctx: click.Context, week_text: str | None, send: bool) -> None:
    """Write the weekly digest (digest.html, digest.md, digest.json, activity.png) into the digest folder."""
    from rasid.alerts import open_channels
    from rasid.alerts.digest import last_complete_week, parse_week, run_digest, topics_from_watchlist
    from rasid.config import ConfigError, load_settings, resolve_config_path
    from rasid.matching import WatchlistError, load_watchlists
    from rasid.storage import Database
    from rasid.storage.clock import utcnow
    from rasid.storage.database import DatabaseNotReady, open_existing

    config_path = ctx.obj.get("config_path") if ctx.obj else None
    try:
        settings = load_settings(config_path)
        watchlist = load_watchlists(settings.watchlist_paths)
        channels = open_channels(settings.channels, str(resolve_config_path(config_path))) if send else None
    except (ConfigError, WatchlistError) as exc:
        click.echo(f"rasid: {exc}", err=True)
        sys.exit(2)
    tz = settings.digest.timezone
    try:
        week = parse_week(week_text, tz) if week_text else last_complete_week(utcnow(), tz)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--week") from None
    if send:
        db = Database(settings.storage.url)
    else:
        try:
            db = open_existing(settings.storage.url)  # writing a digest only reads the database
        except DatabaseNotReady as exc:
            click.echo(f"rasid: {exc}", err=True)
            sys.exit(1)
    try:
        result = run_digest(settings, db, topics_from_watchlist(watchlist), channels, week=week)
    finally:
        db.dispose()
    d = result.files.digest
    click.echo(
        f"digest {week.label} written to {result.files.folder}: {d.totals.stories} stories in "
        f"{d.totals.articles} matched articles, {len(d.troubled)} outlets failed or silent"
    )
    if result.delivery is not None:
        delivery = result.delivery
        if not delivery.sent and not delivery.failed:
            click.echo("no channel has `digest = true`; nothing sent")
        for name in delivery.sent:
            click.echo(f"  sent to {name}")
        for name, error in delivery.failed.items():
            click.echo(f"  NOT sent to {name}: {error}", err=True)
        if delivery.failed:
            sys.exit(1)
