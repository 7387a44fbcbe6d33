"""`mask_url` and the log set-up: no secret of a documented apprise scheme survives in any position of a
URL or any log line; human log lines carry the date; a bad log level is refused with a clear line."""

from __future__ import annotations

from typing import Any

import pytest

from rasid.redact import MASK, mask_url

SECRET = "S3cr3tV4lue"


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        (f"tgram://123456:{SECRET}/-100123456", ["tgram://"]),
        (f"tgram://{SECRET}/{SECRET}?format=html", ["format=html"]),
        (f"mailtos://user:{SECRET}@smtp.example.org?to=desk@example.org", ["smtp.example.org", "user:"]),
        (f"mailto://127.0.0.1:2525?from=a@example.org&to=b@example.org&pass={SECRET}", ["127.0.0.1:2525"]),
        (f"json://127.0.0.1:9000/rasid/{SECRET}", ["127.0.0.1:9000"]),
        (f"json://127.0.0.1:9000/hook?+X-Token={SECRET}", ["+X-Token=" + MASK]),
        (f"json://user:{SECRET}@127.0.0.1/hook?-X-Api-Key={SECRET}&format=text", ["format=text"]),
        (f"form://127.0.0.1/p?:field={SECRET}&+Authorization=Bearer%20{SECRET}", ["127.0.0.1"]),
        (f"xml://127.0.0.1/p?token={SECRET}", ["token=" + MASK]),
        (f"discord://1234567890/{SECRET}", ["discord://"]),
        (f"ntfy://user:{SECRET}@host/topic?token={SECRET}", ["host"]),
        (f"slack://T000/B000/{SECRET}", ["slack://"]),
        (f"https://hooks.example.org/services/{SECRET}?key={SECRET}", ["hooks.example.org"]),
    ],
)
def test_no_secret_survives(url: str, kept: list[str]) -> None:
    masked = mask_url(url)
    assert SECRET not in masked and SECRET.lower() not in masked.lower()
    assert "123456:" not in masked  # a Telegram bot id and token are one credential
    for part in kept:
        assert part in masked, (masked, part)


def test_headers_and_query_values_are_masked_but_keys_kept() -> None:
    masked = mask_url("json://h/p?+X-Token=abc&-Y=1&format=text&retry=2&chat=77")
    assert "+X-Token=****" in masked and "-Y=****" in masked and "chat=****" in masked
    assert "format=text" in masked and "retry=2" in masked


@pytest.mark.parametrize("bad", ["", "not a url", "::::", "json://[::1", "\x00"])
def test_never_raises(bad: str) -> None:
    assert isinstance(mask_url(bad), str)
    assert bad.strip() == "" or mask_url(bad) != bad or bad == "not a url"


def test_log_lines_are_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    from rasid.logs import setup_logging

    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    setup_logging("DEBUG")
    try:
        _log_secrets(logging)
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    err = capsys.readouterr().err
    assert SECRET not in err
    assert "https://news.example.org/a?id=7" in err and "postgresql+psycopg://u:****@db/r" in err


def _log_secrets(logging: Any) -> None:
    logging.getLogger("apprise").debug("Loaded json URL: json://h/p?+X-Token=%s", SECRET)
    logging.getLogger("rasid").info(
        "sending to %s for https://news.example.org/a?id=7 via postgresql+psycopg://u:%s@db/r", "x", SECRET
    )


def test_human_log_lines_carry_the_date(capsys: pytest.CaptureFixture[str]) -> None:
    import logging
    import re

    from rasid.logs import setup_logging

    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    setup_logging("info")
    try:
        logging.getLogger("rasid").info("hello")
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d INFO +rasid: hello", capsys.readouterr().err)


def test_bad_log_levels_are_refused_with_a_clear_line(tmp_path: Any) -> None:
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, "-m", "rasid", "--log-level", "LOUD", "status"], capture_output=True, text=True
    )
    assert run.returncode == 2 and "log level must be one of" in run.stderr and "Traceback" not in run.stderr
    config = tmp_path / "rasid.toml"
    config.write_text('[daemon]\nlog_level = "LOUD"\n', encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "rasid", "--config", str(config), "status"], capture_output=True, text=True
    )
    assert run.returncode == 2 and "daemon.log_level" in run.stderr


def test_remembered_secrets_are_masked_anywhere_in_text() -> None:
    from rasid.redact import redact_text, remember_secrets

    remember_secrets("json://127.0.0.1/hooks/T0aB1cD2/X9y8Z7w6?+X-Api-Key=k3y-v4lue&format=text")
    line = "POST http://127.0.0.1/hooks/T0aB1cD2/X9y8Z7w6 headers {'X-Api-Key': 'k3y-v4lue'} format text"
    safe = redact_text(line)
    assert "T0aB1cD2" not in safe and "X9y8Z7w6" not in safe and "k3y-v4lue" not in safe
    assert "format text" in safe
    assert redact_text("Max retries exceeded with url: /p?Authorization=abc123&retry=2") == (
        "Max retries exceeded with url: /p?Authorization=****&retry=2"
    )


def test_plain_words_of_a_path_are_not_taken_for_secrets() -> None:
    from rasid.redact import redact_text, secrets_of

    assert "rasid" not in secrets_of("json://127.0.0.1:9000/rasid")
    assert redact_text("rasid: crawl of x done") == "rasid: crawl of x done"
