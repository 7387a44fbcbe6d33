"""The `rasid` command: wiring of settings, services and the daemon behind each subcommand."""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from rasid import __version__
from rasid.config import ConfigError, Settings, load_settings, resolve_config_path
from rasid.logs import setup_logging

log = logging.getLogger("rasid")


def fail(message: str, code: int = 2) -> None:
    click.echo(f"rasid: {message}", err=True)
    sys.exit(code)


def settings_from(ctx: click.Context) -> Settings:
    try:
        return load_settings(ctx.obj.get("config_path"))
    except ConfigError as exc:
        fail(str(exc))
        raise  # unreachable


GLOBAL_OPTIONS = ("--config", "--log-level", "--log-format")


def hoist_global_options(args: list[str], commands: set[str]) -> list[str]:
    """The global options written after the subcommand (`rasid run --config FILE`) moved before it, where
    click reads them (`rasid --config FILE run`); no subcommand has options of these names."""
    first = next((i for i, a in enumerate(args) if a in commands), None)
    if first is None:
        return args
    head, tail, moved = args[:first], [], []
    rest = args[first:]
    i = 0
    while i < len(rest):
        arg = rest[i]
        name = arg.split("=", 1)[0]
        if name in GLOBAL_OPTIONS and (arg != name or i + 1 < len(rest)):
            moved += [arg] if arg != name else [arg, rest[i + 1]]
            i += 1 if arg != name else 2
            continue
        if arg == "--":
            tail += rest[i:]
            break
        tail.append(arg)
        i += 1
    return head + moved + tail


class _Main(click.Group):
    """The `rasid` group: global options are accepted after the subcommand too."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(list(args), set(self.commands)))


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="rasid", message="%(prog)s %(version)s")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Configuration file (default: $RASID_CONFIG or config/rasid.toml).",
)
@click.option("--log-level", default=None, help="DEBUG, INFO, WARNING or ERROR (default from config).")
@click.option("--log-format", type=click.Choice(["human", "json"]), default=None)
@click.pass_context
def main(ctx: click.Context, config_path: str | None, log_level: str | None, log_format: str | None) -> None:
    """rasid (راصد) watches Arabic news outlets and alerts you when your watch topics are reported."""
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path
    ctx.obj["log_level"] = log_level
    ctx.obj["log_format"] = log_format
    try:
        setup_logging(log_level or "INFO", log_format or "human")
    except ValueError as exc:
        fail(f"--log-level: {exc}")


def _logging_from(ctx: click.Context, settings: Settings) -> None:
    setup_logging(
        ctx.obj.get("log_level") or settings.daemon.log_level,
        ctx.obj.get("log_format") or settings.daemon.log_format,
    )


def _services(ctx: click.Context, settings: Settings) -> Any:
    from rasid.matching import WatchlistError
    from rasid.services import build_services

    try:
        return build_services(settings, str(resolve_config_path(ctx.obj.get("config_path"))))
    except (ConfigError, WatchlistError) as exc:
        fail(str(exc))


@main.command()
@click.option(
    "--role",
    type=click.Choice(["all", "scheduler", "worker"]),
    default="all",
    show_default=True,
    help="all: one process does everything. scheduler/worker: scale-out through Redis ([scale] in config).",
)
@click.option(
    "--http-port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Serve /healthz and /metrics on this local port (default: daemon.http_port).",
)
@click.pass_context
def run(ctx: click.Context, role: str, http_port: int | None) -> None:
    """Run the daemon: crawl every source on its schedule and deliver alerts, until stopped."""
    from rasid.crawler.reactor import run_on_reactor
    from rasid.runtime import Role, Runtime

    settings = settings_from(ctx)
    _logging_from(ctx, settings)
    services = _services(ctx, settings)
    if not [s for s in settings.sources if s.enabled]:
        fail("no enabled [[sources]] in the configuration")
    plugged: Role
    holder = None
    if role == "all":
        from rasid.runtime import CrawlHere
        from rasid.storage.holder import DatabaseHeld, Holder

        holder = Holder(services.db)
        try:
            holder.acquire()
        except DatabaseHeld as exc:
            services.close()
            fail(str(exc))
        plugged = CrawlHere(services)
    else:
        from rasid.runtime import shared

        try:
            shared.redis_client(settings).ping()
        except Exception as exc:
            fail(f"cannot reach Redis at {settings.scale.redis_url}: {exc}")
        if settings.storage.url.startswith("sqlite"):
            log.warning("scale-out with SQLite works on one machine only; use PostgreSQL across machines")
        plugged = shared.SchedulerRole(services) if role == "scheduler" else shared.WorkerRole(services)
    try:
        totals = run_on_reactor(lambda: Runtime(services, plugged, http_port=http_port).run())
    finally:
        if holder is not None:
            holder.release()
        services.close()
    label = "rasid stopped" if role == "all" else f"rasid {role} stopped"
    click.echo(
        f"{label}: {totals.crawls} crawls; {totals.crawl.summary()}; "
        f"{totals.dispatch.sent} alerts sent, {totals.dispatch.failed} failed"
    )


@main.command()
@click.option("--once", is_flag=True, default=True, help="One full cycle over every source, then exit.")
@click.option("--source", "only", multiple=True, help="Crawl only the named source(s).")
@click.pass_context
def crawl(ctx: click.Context, once: bool, only: tuple[str, ...]) -> None:
    """One cycle: fetch, extract, store, match, deliver due alerts, then a summary.

    Exit 0 when at least one source worked, 1 when every source failed, 2 when the configuration cannot
    be used."""
    from rasid.crawler.reactor import run_on_reactor
    from rasid.daemon import Daemon

    settings = settings_from(ctx)
    _logging_from(ctx, settings)
    if only:
        missing = [n for n in only if n not in {s.name for s in settings.sources}]
        if missing:
            fail(f"no source named {missing[0]!r} in the configuration")
        settings = settings.model_copy(update={"sources": [s for s in settings.sources if s.name in only]})
    services = _services(ctx, settings)
    show = _Progress(sys.stdout.isatty())
    try:
        totals = run_on_reactor(lambda: Daemon(services).crawl_once(show, every=show.every))
    except Exception as exc:
        log.exception("the crawl cycle could not run")
        fail(f"the crawl cycle could not run: {exc}", 1)
    finally:
        services.close()
    show.done()
    report = totals.crawl
    for src in sorted(report.sources.values(), key=lambda s: s.name):
        state = "ok" if src.ok else f"FAILED: {src.error}"
        click.echo(
            f"  {src.name}: {src.requested} fetched, {src.new} new, {src.matched} matched, "
            f"{len(src.page_errors)} page errors — {state}"
        )
    d = totals.dispatch
    click.echo(f"cycle done: {report.summary()}; alerts: {d.sent} sent, {d.failed} failed, {d.dead} given up")
    if report.sources and not any(src.ok for src in report.sources.values()):
        fail("every source failed (see each one's error above)", 1)


class _Progress:
    """Where a one-shot crawl stands: one line redrawn on a terminal, a plain line every 10 s otherwise."""

    def __init__(self, tty: bool) -> None:
        self.tty = tty
        self.every = 0.5 if tty else 10.0
        self.shown = False

    def __call__(self, report: Any, total: int) -> None:
        answered = sum(1 for s in report.sources.values() if s.ok or s.listing_errors)
        failed = sum(1 for s in report.sources.values() if s.listing_errors and not s.ok)
        line = (
            f"sources {answered}/{total} answered ({failed} failing), {report.total('requested')} pages, "
            f"{report.total('new')} new articles, {report.total('matched')} matched"
        )
        if self.tty:
            click.echo("\r" + line.ljust(100), nl=False)
            self.shown = True
        else:
            click.echo(f"progress: {line}")

    def done(self) -> None:
        if self.tty and self.shown:
            click.echo()


def _register() -> None:
    import rasid.commands.backtest  # noqa: F401  (adds `watchlist backtest`)
    from rasid.commands.alerts import alerts_group
    from rasid.commands.demo import demo_command
    from rasid.commands.digest import digest_command
    from rasid.commands.extract import extract_command
    from rasid.commands.init import init_command
    from rasid.commands.matching import eval_command, match_command, watchlist_group
    from rasid.commands.sources import sources_group
    from rasid.commands.status import status_command

    main.add_command(demo_command, "demo")
    main.add_command(alerts_group, "alerts")
    main.add_command(digest_command, "digest")
    main.add_command(match_command, "match")
    main.add_command(eval_command, "eval")
    main.add_command(watchlist_group, "watchlist")
    main.add_command(extract_command, "extract")
    main.add_command(sources_group, "sources")
    main.add_command(status_command, "status")
    main.add_command(init_command, "init")


_register()
