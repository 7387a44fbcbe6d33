"""`rasid alerts`: list the outbox (dead letters with --failed), resend given-up alerts, send a test."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click

from rasid.config import ConfigError, Settings, load_settings


def _settings(ctx: click.Context) -> Settings:
    try:
        return load_settings((ctx.obj or {}).get("config_path"))
    except ConfigError as exc:
        click.echo(f"rasid: {exc}", err=True)
        sys.exit(2)


@click.group("alerts")
def alerts_group() -> None:
    """The alert outbox: what was sent, what failed, resending, and test messages."""


@alerts_group.command("list")
@click.option("--failed", is_flag=True, help="Only alerts given up on (the dead letters).")
@click.option("--limit", default=50, show_default=True, help="At most this many, newest first.")
@click.pass_context
def list_alerts(ctx: click.Context, failed: bool, limit: int) -> None:
    """Alerts, newest first: id, status, attempts, channel, topic, outlet and headline, whether the match
    is only possible (to review), last error."""
    from rasid.storage.database import DatabaseNotReady, open_existing
    from rasid.storage.reports import recent_alerts

    settings = _settings(ctx)
    try:
        db = open_existing(settings.storage.url)  # reads only: never creates or migrates a database
    except DatabaseNotReady as exc:
        click.echo(f"rasid: {exc}", err=True)
        sys.exit(1)
    try:
        with db.session() as s:
            rows = recent_alerts(s, limit, dead_only=failed)
            if not rows:
                click.echo("no failed alerts" if failed else "no alerts")
            for a in rows:
                line = (
                    f"{a.id}\t{a.status}\t{a.attempts}\t{a.channel}\t{a.topic}\t{a.outlet}\t"
                    f"{' '.join(a.title.split())[:80]}"
                )
                if a.confidence == "review":
                    line += "\t(possible match, to review)"
                if a.parent_id:
                    line += f"\t(also reported by, story of {a.parent_id})"
                if a.last_error:
                    line += f"\t{' '.join(a.last_error.split())[:200]}"
                click.echo(line)
    finally:
        db.dispose()


@alerts_group.command("retry")
@click.option("--id", "ids", type=int, multiple=True, help="A given-up alert to resend (repeatable).")
@click.option("--all-failed", is_flag=True, help="Resend every given-up alert.")
@click.pass_context
def retry(ctx: click.Context, ids: tuple[int, ...], all_failed: bool) -> None:
    """Put given-up alerts back in the outbox; the daemon (or `rasid crawl --once`) sends them."""
    from rasid.storage import Database
    from rasid.storage.outbox import retry_dead

    if not ids and not all_failed:
        click.echo("rasid: give --id N (repeatable) or --all-failed", err=True)
        sys.exit(2)
    settings = _settings(ctx)
    db = Database(settings.storage.url)
    try:
        with db.session() as s:
            n = retry_dead(s, None if all_failed else list(ids))
    finally:
        db.dispose()
    click.echo(f"{n} alert(s) queued again")
    if ids and n < len(ids):
        click.echo("some ids were not given-up alerts and were left alone", err=True)


@alerts_group.command("test")
@click.option("--channel", "name", required=True, help="The channel to send a test message to.")
@click.pass_context
def test_channel(ctx: click.Context, name: str) -> None:
    """Send a test alert through one channel, in that channel's own format; exit 1 if it fails."""
    from rasid.alerts import AlertView, open_channel

    settings = _settings(ctx)
    try:
        channel_settings = settings.channel(name)
    except KeyError:
        click.echo(f"rasid: no channel is named {name!r}", err=True)
        sys.exit(2)
    try:
        channel = open_channel(channel_settings, (ctx.obj or {}).get("config_path"))
    except ConfigError as exc:
        click.echo(f"rasid: {exc}", err=True)
        sys.exit(2)
    now = datetime.now(UTC)
    sentence = "هذه رسالة تجريبية من راصد للتأكد من وصول التنبيهات."
    view = AlertView(
        topic="test",
        topic_title="رسالة تجريبية — test",
        headline="راصد: اختبار القناة " + name,
        outlet="rasid",
        url="https://example.org/rasid-test",
        published=now,
        fetched=now,
        modality="asserted",
        evidence=[{"sentence": sentence, "start": 0, "terms": [{"start": 4, "end": 9}]}],
    )
    tz = channel_settings.timezone or settings.alerts.timezone
    outcome = channel.send(channel.compose(view, tz))
    if outcome.ok:
        click.echo(f"test message sent to {name} [{channel.masked_url}]")
        return
    click.echo(f"rasid: test message to {name} [{channel.masked_url}] failed: {outcome.error}", err=True)
    sys.exit(1)
