"""`rasid alerts list/retry/test` through click, and channels that batch or keep quiet hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from click.testing import CliRunner

from alerts.helpers import dispatcher, queue
from alerts.servers import http_sink
from rasid.alerts.batching import in_quiet_hours, quiet_ends
from rasid.commands.alerts import alerts_group
from rasid.config import ChannelSettings
from rasid.storage import Alert, Database, Route
from rasid.storage.clock import utcnow


@click.group()
@click.option("--config", "config_path")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    ctx.obj = {"config_path": config_path}


cli.add_command(alerts_group)


def _config(tmp_path: Path, db_url: str, port: int) -> str:
    path = tmp_path / "rasid.toml"
    path.write_text(
        f'[storage]\nurl = "{db_url}"\n\n[[channels]]\nname = "desk"\nurl = "json://127.0.0.1:{port}/a"\n',
        encoding="utf-8",
    )
    return str(path)


def test_alerts_list_marks_possible_matches(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'r.db'}"
    db = Database(db_url)
    queue(db, 1, ["desk"], seed=1)
    queue(db, 1, [Route("desk", "review")], seed=2, confidence="review", review_reason="far apart")
    db.dispose()
    out = CliRunner().invoke(cli, ["--config", _config(tmp_path, db_url, 9), "alerts", "list"])
    assert out.exit_code == 0, out.output
    newest, oldest = out.output.strip().splitlines()
    assert "\t(possible match, to review)" in newest and "to review" not in oldest


def test_failed_alerts_are_listed_retried_and_a_test_is_sent(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'r.db'}"
    db = Database(db_url)
    queue(db, 3, ["desk"])
    with http_sink() as sink:
        config = _config(tmp_path, db_url, sink.port)
        sink.status = 500
        assert (
            dispatcher(
                db, [ChannelSettings(name="desk", url=f"json://127.0.0.1:{sink.port}/a")], give_up_after=0
            )
            .dispatch_due()
            .dead
            == 3
        )
        runner = CliRunner()
        out = runner.invoke(cli, ["--config", config, "alerts", "list", "--failed"])
        assert out.exit_code == 0, out.output
        lines = out.output.strip().splitlines()
        assert len(lines) == 3 and "\tdead\t1\tdesk\tnew_member\t" in lines[0] and "500" in lines[0]
        dead_id = int(lines[0].split("\t")[0])
        assert (
            len(runner.invoke(cli, ["--config", config, "alerts", "list"]).output.strip().splitlines()) == 3
        )
        out = runner.invoke(cli, ["--config", config, "alerts", "retry", "--id", str(dead_id)])
        assert out.exit_code == 0 and "1 alert(s) queued again" in out.output
        sink.status = 200
        assert (
            dispatcher(db, [ChannelSettings(name="desk", url=f"json://127.0.0.1:{sink.port}/a")])
            .dispatch_due()
            .sent
            == 1
        )
        with db.session() as s:
            assert s.get(Alert, dead_id).status == "sent"  # type: ignore[union-attr]
        out = runner.invoke(cli, ["--config", config, "alerts", "test", "--channel", "desk"])
        assert out.exit_code == 0, out.output
        assert sink.requests[-1].payload["message"].splitlines()[0] == "رسالة تجريبية — test"
        assert runner.invoke(cli, ["--config", config, "alerts", "test", "--channel", "nope"]).exit_code == 2
        assert (
            runner.invoke(cli, ["--config", str(tmp_path / "missing.toml"), "alerts", "list"]).exit_code == 2
        )
    db.dispose()


def test_a_batching_channel_sends_one_message_per_period(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'r.db'}")
    queue(db, 4, ["digest"])
    with http_sink() as sink:
        ch = ChannelSettings(name="digest", url=f"json://127.0.0.1:{sink.port}/d", batch="15m")  # type: ignore[arg-type]
        d = dispatcher(db, [ch])
        assert d.dispatch_due().sent == 0 and sink.requests == []  # held: the period has not passed
        with db.session() as s:
            for a in s.query(Alert):
                a.created_at = utcnow() - timedelta(minutes=16)
        assert d.dispatch_due().sent == 4
        assert len(sink.requests) == 1
        body = sink.requests[0].payload["message"]
        assert body.count("https://x.org/1/") == 4
    db.dispose()


def test_quiet_hours_across_midnight() -> None:
    at = datetime(2026, 11, 22, 20, 30, tzinfo=UTC)  # 23:30 in Damascus (UTC+3)
    assert in_quiet_hours("22:00-07:00", "Asia/Damascus", at)
    assert not in_quiet_hours("22:00-07:00", "Asia/Damascus", at - timedelta(hours=3))
    assert quiet_ends("22:00-07:00", "Asia/Damascus", at) == datetime(2026, 11, 23, 4, 0, tzinfo=UTC)
