"""`rasid sources add URL` (discover an outlet's feeds, sitemaps or sections and add it to the config) and
`rasid sources check` (what each source yielded, its last success, last new article and current error)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from rasid.config import ConfigError, Settings, load_settings, resolve_config_path


def _load(ctx: click.Context) -> tuple[Settings, Path]:
    path = resolve_config_path(ctx.obj.get("config_path"))
    try:
        return load_settings(path), path
    except ConfigError as exc:
        click.echo(f"rasid: {exc}", err=True)
        sys.exit(2)


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + "]"


def source_block(
    name: str,
    homepage: str,
    feeds: list[str],
    sitemaps: list[str],
    sections: list[str],
    poll: str,
    language: str | None,
) -> str:
    lines = [
        "",
        "[[sources]]  # added by `rasid sources add`",
        f"name = {json.dumps(name, ensure_ascii=False)}",
        f"homepage = {json.dumps(homepage, ensure_ascii=False)}",
        f"feeds = {_toml_list(feeds)}",
        f"sitemaps = {_toml_list(sitemaps)}",
    ]
    if sections:
        lines.append(f"sections = {_toml_list(sections)}")
    lines.append(f'poll = "{poll}"')
    if language:
        lines.append(f"language = {json.dumps(language.split('-')[0].lower())}")
    return "\n".join(lines) + "\n"


@click.group()
def sources_group() -> None:
    """Add outlets and check how each one is doing."""


@sources_group.command("add")
@click.argument("homepage")
@click.option("--name", default=None, help="Name of the source (default: the site's own name).")
@click.option("--poll", default="10m", show_default=True, help="How often to look for new articles.")
@click.option("--dry-run", is_flag=True, help="Show what was found without changing the config.")
@click.pass_context
def add(ctx: click.Context, homepage: str, name: str | None, poll: str, dry_run: bool) -> None:
    """Discover HOMEPAGE's feeds, sitemaps or section pages and add it to the configuration."""
    from rasid.config.durations import parse_duration
    from rasid.crawler.fetch import Fetcher, FetchError
    from rasid.crawler.source_discovery import discover

    settings, path = _load(ctx)
    try:
        parse_duration(poll)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--poll") from None
    try:
        found = discover(homepage, Fetcher(settings.crawler))
    except FetchError as exc:
        click.echo(f"rasid: cannot read {homepage}: {exc}", err=True)
        sys.exit(1)
    name = name or found.name
    for note in found.notes:
        click.echo(f"  {note}")
    click.echo(
        f"{name}: {len(found.feeds)} feeds, {len(found.sitemaps)} sitemaps, {len(found.sections)} sections"
    )
    if any(s.name == name for s in settings.sources):
        click.echo(f"rasid: a source named {name!r} is already configured (use --name)", err=True)
        sys.exit(2)
    if any(s.homepage.rstrip("/") == found.homepage.rstrip("/") for s in settings.sources):
        click.echo(f"rasid: {found.homepage} is already configured", err=True)
        sys.exit(2)
    if not found.found_anything:
        click.echo("rasid: found no feed, sitemap or section page with article links; not added", err=True)
        sys.exit(1)
    block = source_block(
        name, found.homepage, found.feeds, found.sitemaps, found.sections, poll, found.language
    )
    if dry_run:
        click.echo(block)
        return
    original = path.read_text(encoding="utf-8")
    path.write_text(original.rstrip("\n") + "\n" + block, encoding="utf-8")
    try:
        load_settings(path)
    except ConfigError as exc:
        path.write_text(original, encoding="utf-8")
        click.echo(f"rasid: the new entry would break the config, left unchanged: {exc}", err=True)
        sys.exit(2)
    click.echo(f"added {name!r} to {path}")


@sources_group.command("check")
@click.pass_context
def check(ctx: click.Context) -> None:
    """Per source: what its feeds/sitemaps answered, last success, last new article, current error."""
    from rasid.storage.database import DatabaseNotReady, open_existing
    from rasid.storage.frontier import frontier_counts
    from rasid.storage.outlets import Feed, article_counts, feeds, outlets

    settings, _ = _load(ctx)
    try:
        db = open_existing(settings.storage.url)  # reads only: never creates or migrates a database
    except DatabaseNotReady as exc:
        click.echo(f"rasid: {exc}", err=True)
        sys.exit(1)
    with db.session() as session:
        rows = {s.name: s for s in outlets(session)}
        counts = article_counts(session)
        states: dict[int, list[Feed]] = {}
        for state in feeds(session):
            states.setdefault(state.source_id, []).append(state)
        frontier = frontier_counts(session, [r.id for r in rows.values()])

        def when(value: object) -> str:
            return value.strftime("%Y-%m-%d %H:%M UTC") if value else "never"  # type: ignore[attr-defined]

        bad = 0
        for source in settings.sources:
            row = rows.get(source.name)
            configured = len(source.feeds) + len(source.sitemaps) + len(source.sections)
            how = f"{configured} listings configured" if configured else "discovery from homepage"
            click.secho(f"{source.name}  <{source.homepage}>", bold=True)
            if row is None:
                click.echo(f"  {how}; never crawled")
                continue
            health = row.health if row.health != "ok" else ("ok" if not row.last_error else "error")
            bad += health != "ok"
            click.echo(f"  state: {health}; {counts.get(row.id, 0)} articles stored; {how}")
            click.echo(
                f"  last success: {when(row.last_success_at)}; "
                f"last new article: {when(row.last_new_article_at)}"
            )
            if row.last_error:
                click.echo(f"  current error ({row.consecutive_failures} failed crawls): {row.last_error}")
            for state in states.get(row.id, []):
                click.echo(f"  {state.url}: HTTP {state.last_status} at {when(state.last_fetched_at)}")
            pending = frontier.get(row.id)
            if pending and pending.pending:
                click.echo(f"  {pending.pending} listed articles not stored yet (asked again with backoff)")
            if pending and pending.given_up:
                click.echo(f"  {pending.given_up} listed articles given up, e.g. {pending.last_given_up}")
    db.dispose()
    if bad:
        sys.exit(1)
