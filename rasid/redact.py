"""Masking secrets in URLs before they are printed or logged: the one function every output goes through.

Channel URLs (apprise) carry secrets in many places: the password, a token standing as the host
(tgram://TOKEN/chat), path tokens (discord://id/token, json://host/hooks/T/B/X), query values (?token=,
?pass=) and custom headers (json://host?+X-Token=...). apprise's own `url(privacy=True)` masks the places
its plugin knows, but keeps query values and headers as written. `mask_url` masks all of them: userinfo,
path segments, every query value except apprise's harmless switches, every header; the host is kept unless the
scheme puts a token there. It never raises: a URL it cannot parse is masked whole. Imports nothing of rasid.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote, unquote, urlsplit

MASK = "****"
SAFE_OPTIONS = frozenset(
    {
        "format", "overflow", "method", "retry", "wait", "optional", "mode", "image", "detect", "silent",
        "preview", "album", "content", "mdv", "tts", "avatar", "footer", "footer_logo", "fields", "batch",
        "priority", "auth", "cto", "rto", "verify", "timeout", "lang", "emojis", "store", "discovery",
    }
)  # fmt: skip
"""Query keys whose values are behaviour, never secrets (apprise's common switches): shown as written."""
_TOKEN_HOST = frozenset(
    {
        "tgram", "discord", "slack", "msteams", "pover", "pushover", "gotify", "gotifys", "pbul", "join",
        "ifttt", "matrix", "matrixs", "rocket", "rockets", "signal", "signals", "twilio", "kumulos",
        "zulip", "line", "opsgenie", "pagerduty", "spush", "ryver", "webexteams",
    }
)  # fmt: skip
"""Schemes whose "host" is (or may be) a credential rather than a server name."""


def _shown(key: str) -> bool:
    """Whether a query value under `key` is shown as written: apprise's behaviour switches only, never a
    header (+name, -name, :name); every other value may be a secret."""
    key = unquote(key)
    return key[:1] not in "+-:" and key.lower() in SAFE_OPTIONS


def _hide(value: str) -> str:
    """A short secret becomes ****; a longer one keeps its first and last character (t...k), as apprise does,
    so two channels can still be told apart."""
    return MASK if len(value) < 8 else f"{value[0]}...{value[-1]}"


def mask_url(url: str) -> str:
    """`url` with every secret masked (see the module's docstring); safe to print and log."""
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        if not scheme or (not parts.netloc and not parts.path):
            return MASK
        netloc = parts.netloc
        hostport = netloc.rpartition("@")[2]
        userinfo = netloc.rpartition("@")[0] if "@" in netloc else ""
        masked_user = ""
        if userinfo:
            user, _, password = userinfo.partition(":")
            masked_user = _hide(user) if scheme in _TOKEN_HOST else user
            masked_user += f":{MASK}" if password or ":" in userinfo else ""
            masked_user += "@"
        host, _, port = hostport.partition(":")
        if scheme in _TOKEN_HOST and host:
            host = _hide(host)
            port = _hide(port) if port and not port.isdigit() else port  # tgram://123456:ABC... is a token
        masked_netloc = masked_user + host + (f":{port}" if port else "")
        if scheme in {"mailto", "mailtos"}:
            path = parts.path  # the mailbox addresses: not secrets, and needed to tell channels apart
        else:
            path = "/".join(_hide(seg) if seg else seg for seg in parts.path.split("/"))
        query = []
        for pair in filter(None, parts.query.split("&")):
            raw_key, _, raw_value = pair.partition("=")
            key, value = unquote(raw_key), unquote(raw_value)  # "+" starts a header: not a space here
            shown = value if _shown(key) else MASK
            query.append(f"{quote(key, safe='+-:')}={quote(shown, safe='*@.,')}")
        out = f"{scheme}://{masked_netloc}{path}"
        if query:
            out += "?" + "&".join(query)
        return out
    except (ValueError, TypeError):
        return MASK


_URL = re.compile(r"\b([a-z][a-z0-9+.-]{1,20})://[^\s'\"<>]+", re.IGNORECASE)
_WEB = frozenset({"http", "https"})


_SECRETS: set[str] = set()
"""Secret values of the channel URLs this process opened (`remember_secrets`): masked wherever they appear."""
_SECRETS_MIN = 4
"""Shorter values (a port, "no") are not taken for secrets: masking them would garble ordinary text."""


def secrets_of(url: str) -> set[str]:
    """The values in `url` that may be secret: password, user of a token scheme, token host, path segments,
    every query and header value but apprise's behaviour switches (each also as it is URL-encoded)."""
    found: set[str] = set()
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return found
    scheme = parts.scheme.lower()
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    found.update({password, *([user] if scheme in _TOKEN_HOST else [])})
    if scheme in _TOKEN_HOST:
        found.update(hostport.split(":"))
    if scheme not in {"mailto", "mailtos"}:
        found.update(seg for seg in parts.path.split("/") if _token_like(seg))
    for pair in parts.query.split("&"):
        key, _, value = pair.partition("=")
        if not _shown(key):
            found.add(unquote(value))
            found.add(value)
    found = {v for v in found if len(v) >= _SECRETS_MIN}
    return found | {quote(v, safe="") for v in found}


def _token_like(segment: str) -> bool:
    """A path segment that looks like a credential (8+ characters with a digit), not a word such as the
    `rasid` of json://host/rasid: masking words would garble every log line that says them."""
    return len(segment) >= 8 and any(c.isdigit() for c in segment)


def remember_secrets(url: str) -> None:
    """Mask the secrets of `url` in every later log line and `redact_text` result of this process."""
    _SECRETS.update(secrets_of(url))


def redact_text(text: str) -> str:
    """`text` with every URL in it safe to show: channel URLs through `mask_url`; web addresses (articles,
    feeds) kept, but for a password in them; database URLs keep all but their password."""

    def one(m: re.Match[str]) -> str:
        url, scheme = m.group(), m.group(1).lower()
        if scheme in _WEB or scheme.startswith(("postgresql", "sqlite", "mysql", "redis")):
            return _USERINFO_PASSWORD.sub(r"\1****@", url)
        return mask_url(url)

    if "://" in text:
        text = _URL.sub(one, text)
    if "?" in text:
        text = _BARE_QUERY.sub(lambda m: m.group(1) + "?" + _mask_query(m.group(2)), text)
    for secret in sorted((s for s in _SECRETS if s in text), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


_BARE_QUERY = re.compile(r"(?<![\w:/.])(/[^\s?'\"]*)\?([^\s'\"()]+)")
"""A path with a query standing alone in a message (an HTTP library's "url: /hook?token=..."), not inside a
full URL: its values are masked like a channel URL's."""


def _mask_query(query: str) -> str:
    out = []
    for pair in query.split("&"):
        key, sep, value = pair.partition("=")
        out.append(key + sep + (value if _shown(key) else MASK) if sep else pair)
    return "&".join(out)


_USERINFO_PASSWORD = re.compile(r"^([a-z][a-z0-9+.-]*://[^/@:\s]*:)[^/@\s]*@", re.IGNORECASE)


class RedactingFilter(logging.Filter):
    """A log filter that makes every record's message safe (`redact_text`) before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        safe = redact_text(message)
        if safe != message:
            record.msg, record.args = safe, None
        return True
