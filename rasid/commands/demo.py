"""`rasid demo`: the whole pipeline against bundled sample outlets on loopback, for a first look."""

from __future__ import annotations

import shutil
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from rasid.commands.init import packaged

WATCHLIST = packaged("watchlists") / "coalition.toml"
"""The shipped watchlist, from the package (a clone's config/watchlists/, or the installed copy)."""


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_demo_config(folder: Path, server: Any, outlets: list[Any], channel_url: str, poll: str) -> Path:
    """A config for the sample outlets: one announced by RSS, one by a news sitemap, the rest found
    from the homepage (the crawler discovers their feed)."""
    lines = [
        "# Written by `rasid demo`: sample outlets on loopback.",
        "[storage]",
        'url = "sqlite:///rasid.db"',
        "[crawler]",
        "allow_private_addresses = true   # the sample outlets live on 127.0.0.1",
        "obey_robots_txt = true",
        "[watch]",
        f"watchlists = [{_toml_str(str(WATCHLIST))}]",
        "[alerts]",
        'dispatch_every = "1s"',
        "[digest]",
        'dir = "digests"',
    ]
    for i, outlet in enumerate(outlets):
        lines += [
            "[[sources]]",
            f"name = {_toml_str(outlet.name)}",
            f"homepage = {_toml_str(server.base_url(outlet.slug))}",
        ]
        if i % 3 == 0:
            lines.append(f"feeds = [{_toml_str(server.feed_url(outlet.slug))}]")
        elif i % 3 == 1:
            lines.append(f"sitemaps = [{_toml_str(server.sitemap_url(outlet.slug))}]")
        lines += [f'poll = "{poll}"', 'timezone = "Asia/Damascus"']
    lines += ["[[channels]]", 'name = "demo-desk"', f"url = {_toml_str(channel_url)}", 'topics = ["*"]']
    path = folder / "rasid.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _print_alert(item: Any) -> None:
    body = item.message.strip().splitlines()
    click.secho(f"\n🔔 {item.title}", fg="yellow", bold=True)
    for line in body:
        click.echo(f"   {line}")
    sys.stdout.flush()


MARKER = ".rasid-demo"
"""A file the demo leaves in its folder: only a folder holding it is ever emptied by a later demo."""


def _prepare(folder: Path, keep: bool) -> None:
    """Make `folder` ready: a folder an earlier demo made is emptied (unless --keep), an empty one is used,
    any other is left alone with a clear message (exit 2): the demo never deletes what it did not create."""
    if folder.exists() and not folder.is_dir():
        raise click.UsageError(f"--dir {folder} is a file, not a folder")
    if folder.exists() and any(folder.iterdir()):
        if not (folder / MARKER).is_file():
            raise click.UsageError(
                f"--dir {folder} exists and was not made by `rasid demo`; it is left untouched "
                "(give an empty or new folder)"
            )
        if not keep:
            shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text("made by `rasid demo`: a later demo may empty this folder\n", "utf-8")


def _write_digest(config: Path) -> str:
    """This week's digest of what the demo matched (digest.html, .md, .json), written beside its database."""
    from rasid.alerts.digest import run_digest, topics_from_watchlist, week_of
    from rasid.config import load_settings
    from rasid.matching import load_watchlists
    from rasid.storage import Database
    from rasid.storage.clock import utcnow

    settings = load_settings(config)
    db = Database(settings.storage.url)
    try:
        topics = topics_from_watchlist(load_watchlists(settings.watchlist_paths))
        result = run_digest(settings, db, topics, None, week=week_of(utcnow(), settings.digest.timezone))
    finally:
        db.dispose()
    return str(result.files.folder / "digest.html")


@click.command()
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("rasid-demo"),
    show_default=True,
    help="Where the demo keeps its config, database and digests.",
)
@click.option(
    "--keep", is_flag=True, help="Keep the database of an earlier demo run (nothing new is alerted)."
)
@click.option(
    "--timeout", type=float, default=90.0, show_default=True, help="Give up after this many seconds."
)
@click.pass_context
def demo_command(ctx: click.Context, folder: Path, keep: bool, timeout: float) -> None:
    """Run the real daemon against bundled Arabic sample outlets on 127.0.0.1, show each alert as it is
    delivered, then print a summary and exit. Needs no network."""
    from rasid.config import load_settings
    from rasid.crawler.reactor import run_on_reactor
    from rasid.daemon import Daemon
    from rasid.demo.desk import AlertDesk
    from rasid.demo.outlets import load_expected, load_sample_outlets
    from rasid.demo.server import OutletServer
    from rasid.logs import setup_logging
    from rasid.services import build_services

    setup_logging(ctx.obj.get("log_level") or "WARNING", ctx.obj.get("log_format") or "human")
    _prepare(folder, keep)

    outlets = load_sample_outlets()
    expected = {(e.outlet, e.slug): e for e in load_expected()}
    # Hold one alerting article back: it is published while the daemon runs, and the next poll finds it.
    late_outlet, late = next(
        (o, a)
        for o in outlets
        for a in reversed(o.articles)
        if (e := expected.get((o.slug, a.slug))) is not None and e.topics
    )
    outlets = [
        replace(o, articles=[a for a in o.articles if a is not late]) if o is late_outlet else o
        for o in outlets
    ]
    total_articles = sum(len(o.articles) for o in outlets) + 1

    lock = threading.Lock()
    with OutletServer(outlets) as server, AlertDesk(on_alert=lambda item: _locked_print(lock, item)) as desk:
        config = write_demo_config(folder, server, outlets, desk.apprise_url("demo"), poll="4s")
        settings = load_settings(config)
        services = build_services(settings, str(config))
        click.secho("rasid demo — راصد", bold=True)
        for o in outlets:
            click.echo(f"  outlet {o.name}: {server.base_url(o.slug)} ({len(o.articles)} articles)")
        click.echo(f"  alerts go to a local desk at {desk.apprise_url('demo')}")
        click.echo(f"  data in {folder.resolve()}\n")

        state = {"published": False, "started": time.monotonic()}

        def stop_when(daemon: Daemon) -> bool:
            names = {s.name for s in daemon.sources}
            if not state["published"] and daemon.crawled_once >= names:
                server.publish(late_outlet.slug, late)
                state["published"] = True
                click.secho(f"\n📰 {late_outlet.name} publishes a new article: {late.title}", fg="cyan")
            crawl, sent = daemon.totals.crawl, daemon.totals.dispatch
            done = (
                state["published"]
                and crawl.total("new") >= total_articles
                and sent.sent + sent.dead >= crawl.total("alerts")
            )
            late_enough = time.monotonic() - float(state["started"]) > timeout
            return bool(done or late_enough)

        daemon = Daemon(services, stop_when=stop_when)
        started = time.monotonic()
        totals = run_on_reactor(daemon.run)
        took = time.monotonic() - started
        time.sleep(0.2)
        services.close()

    crawl = totals.crawl
    click.secho("\nSummary", bold=True)
    for name, src in sorted(crawl.sources.items()):
        click.echo(
            f"  {name}: {src.new} articles stored, {src.matched} matched a topic"
            + ("" if src.ok else f" — failed: {src.error}")
        )
    click.echo(
        f"  {len(desk.received)} alerts delivered in {took:.1f}s "
        f"({totals.dispatch.failed} failed attempts, {totals.dispatch.dead} given up)"
    )
    click.echo(f"  database: {folder.resolve() / 'rasid.db'}; config: {config}")
    click.echo(f"  this week's digest: {_write_digest(config)}")
    click.echo("  Next: `rasid init mydesk`, then watch real outlets: `rasid --config mydesk/rasid.toml run`")
    if crawl.total("new") < total_articles:
        sys.exit(1)


def _locked_print(lock: threading.Lock, item: Any) -> None:
    with lock:
        _print_alert(item)
