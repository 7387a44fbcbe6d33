"""`rasid status`: the state of sources, the alert queue and the last digest, read from the database."""

from __future__ import annotations

import sys

import click

from rasid.config import ConfigError, load_settings


@click.command()
@click.pass_context
def status_command(ctx: click.Context) -> None:
    """Sources (ok, failing, silent), the alert queue by state, and the last digest written."""
    from rasid.storage import counts_by_status
    from rasid.storage.database import DatabaseNotReady, open_existing
    from rasid.storage.outlets import article_totals, outlets
    from rasid.storage.states import AlertState

    try:
        settings = load_settings(ctx.obj.get("config_path"))
    except ConfigError as exc:
        click.echo(f"rasid: {exc}", err=True)
        sys.exit(2)
    try:
        db = open_existing(settings.storage.url)  # reads only: never creates or migrates a database
    except DatabaseNotReady as exc:
        click.echo(f"rasid: {exc}", err=True)
        sys.exit(1)
    with db.session() as session:
        sources = {s.name: s for s in outlets(session)}
        articles, latest = article_totals(session)
        queue = counts_by_status(session)
        click.secho("Sources", bold=True)
        for src in settings.sources:
            row = sources.get(src.name)
            if not src.enabled:
                state = "disabled"
            elif row is None or row.last_crawl_at is None:
                state = "not crawled yet"
            elif row.health != "ok":
                state = (
                    f"{row.health} since {row.health_since:%Y-%m-%d %H:%M} UTC"
                    if row.health_since
                    else row.health
                )
            elif row.last_error:
                state = f"error: {row.last_error}"
            else:
                state = "ok"
            click.echo(f"  {src.name}: {state}")
    db.dispose()
    click.secho("Articles", bold=True)
    click.echo(
        f"  {articles} stored; newest fetched {latest:%Y-%m-%d %H:%M} UTC"
        if latest
        else f"  {articles} stored"
    )
    click.secho("Alert queue", bold=True)
    for name in AlertState:
        click.echo(f"  {name}: {queue.get(name, 0)}")
    click.secho("Digest", bold=True)
    folder = settings.digest_dir
    weeks = sorted(p.name for p in folder.glob("*-W*") if p.is_dir()) if folder.is_dir() else []
    click.echo(f"  last: {folder / weeks[-1]}" if weeks else f"  none written yet in {folder}")
