"""The settings schema: every key rasid reads, its type, default and meaning (pydantic models)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from rasid.config.durations import parse_duration

Seconds = Annotated[float, BeforeValidator(parse_duration)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Asia/Damascus)") from exc
    return value


class StorageSettings(_Section):
    """Where articles, matches and the alert outbox live."""

    url: str = "sqlite:///data/rasid.db"

    @field_validator("url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "postgresql")):
            raise ValueError("storage.url must be a sqlite:/// or postgresql+psycopg:// URL")
        return value


class CrawlerSettings(_Section):
    """How politely and how defensively outlets are fetched."""

    # false: outlets may not lead the crawler to private/loopback/link-local addresses; true: allow all;
    # or a list of networks allowed as an exception, e.g. ["127.0.0.1/32"] (tests, demo).
    allow_private_addresses: bool | list[str] = False
    user_agent: str = "rasid/0.1 (+https://github.com/rasid-news/rasid; news monitoring)"
    contact_url: str | None = None
    obey_robots_txt: bool = True
    concurrent_requests: int = Field(32, ge=1, le=512)
    concurrent_requests_per_domain: int = Field(2, ge=1, le=32)
    download_delay: Seconds = 0.0
    download_timeout: Seconds = 30.0
    max_page_bytes: int = Field(5_000_000, ge=10_000)
    max_articles_per_source: int = Field(200, ge=1)
    max_article_age: Seconds = parse_duration("3d")
    # An article a listing named is retried with backoff until stored; after this long it is given up
    # (visible in `rasid sources check`).
    give_up_pages_after: Seconds = parse_duration("1d")
    retry_times: int = Field(2, ge=0, le=10)
    autothrottle: bool = True
    # Processes that extract, store and match fetched pages beside the crawler's own (0: in its own
    # process, one thread). A page that takes longer than page_timeout stops its worker (a new one starts).
    page_processes: int = Field(1, ge=0, le=64)
    page_timeout: Seconds = parse_duration("2m")

    @field_validator("allow_private_addresses")
    @classmethod
    def _networks(cls, value: bool | list[str]) -> bool | list[str]:
        if isinstance(value, list):
            import ipaddress

            for net in value:
                try:
                    ipaddress.ip_network(net, strict=False)
                except ValueError:
                    raise ValueError(f"{net!r} is not an IP network (write e.g. 127.0.0.1/32)") from None
        return value


class ExtractionOverrides(_Section):
    """Per-outlet fixes, used only where trafilatura fails on that outlet."""

    body_selector: str | None = None
    drop_lines: list[str] = Field(default_factory=list)


class SourceSettings(_Section):
    """One outlet: where its new articles are announced and how often to look."""

    name: str = Field(min_length=1)
    homepage: str
    feeds: list[str] = Field(default_factory=list)
    sitemaps: list[str] = Field(default_factory=list)
    sections: list[str] = Field(default_factory=list)
    article_pattern: str | None = None
    poll: Seconds = parse_duration("10m")
    language: str = "ar"
    timezone: str | None = None
    country: str | None = None
    enabled: bool = True
    extraction: ExtractionOverrides = Field(default_factory=ExtractionOverrides)

    @field_validator("homepage", "feeds", "sitemaps", "sections")
    @classmethod
    def _http_urls(cls, value: str | list[str]) -> str | list[str]:
        for url in [value] if isinstance(value, str) else value:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"{url!r} is not an http(s) URL")
        return value

    @field_validator("poll")
    @classmethod
    def _sane_poll(cls, value: float) -> float:
        if value < 1:
            raise ValueError("poll must be at least 1s")
        return value

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str | None) -> str | None:
        return None if value is None else _check_timezone(value)


CHANNEL_FORMATS = ("auto", "text", "html")


class ChannelSettings(_Section):
    """One place alerts go: any apprise URL, and the topics it takes."""

    name: str = Field(min_length=1)
    url: str = Field(min_length=3)
    topics: list[str] = Field(default_factory=lambda: ["*"])
    # The form of its messages (alerts and the digest summary): "auto" (Telegram and e-mail HTML, plain
    # text elsewhere), "text", or "html".
    format: str = "auto"
    digest: bool = False
    operations: bool = False
    # Hold alerts and send them as one message every `batch` (e.g. "15m"); none: each alert at once.
    batch: Seconds | None = None
    # Hold alerts during these local hours ("22:00-07:00"), then send them as one message.
    quiet_hours: str | None = None
    # Time zone of quiet hours and of times shown on this channel (default: alerts.timezone).
    timezone: str | None = None
    # Which matches the channel gets: "alert" (confident ones only) or "review" (confident and possible
    # ones, the latter marked as such with the reason they are not confident).
    confidence: str = "alert"

    def takes(self, topic: str) -> bool:
        return "*" in self.topics or topic in self.topics

    @field_validator("confidence")
    @classmethod
    def _confidence(cls, value: str) -> str:
        if value not in ("alert", "review"):
            raise ValueError(
                f'{value!r} is not a confidence; write "alert" (confident matches only) '
                'or "review" (confident and possible matches)'
            )
        return value

    @field_validator("format")
    @classmethod
    def _format(cls, value: str) -> str:
        if value not in CHANNEL_FORMATS:
            raise ValueError(
                f'{value!r} is not a message form; write "auto" (the kind\'s own: HTML for Telegram and '
                'e-mail, plain text elsewhere), "text" or "html"'
            )
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _hours(cls, value: str | None) -> str | None:
        if value is None:
            return None
        import re

        m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", value)
        if not m or int(m[1]) > 23 or int(m[3]) > 23 or int(m[2]) > 59 or int(m[4]) > 59:
            raise ValueError(f"{value!r} is not a range of local hours such as 22:00-07:00")
        return value

    @field_validator("timezone")
    @classmethod
    def _channel_tz(cls, value: str | None) -> str | None:
        return None if value is None else _check_timezone(value)


class WatchSettings(_Section):
    """Which watchlist files define the topics."""

    watchlists: list[Path] = Field(default_factory=lambda: [Path("watchlists/coalition.toml")])


class AlertSettings(_Section):
    """How the dispatcher works the outbox."""

    dispatch_every: Seconds = 5.0
    retry_base: Seconds = 30.0
    retry_max: Seconds = parse_duration("30m")
    give_up_after: Seconds = parse_duration("24h")
    timezone: str = "Asia/Damascus"
    # How long a dispatcher owns the alerts it claimed; a dead peer's claims are taken back after this.
    claim_lease: Seconds = parse_duration("5m")
    # Alerts claimed (and sent one after another) per round.
    claim_batch: int = Field(50, ge=1, le=1000)
    # Sends in flight at once per channel (Telegram always 1). Above 1, a dispatcher killed mid-send may
    # leave up to this many alerts in flight, each possibly received twice (README "Never twice").
    concurrency: int = Field(1, ge=1, le=16)
    # One story, one alert: a later article of the same topic this close to an earlier one, and this
    # similar to it (0-1, see README "Alerts and channels"), is sent as "also reported by".
    story_window: Seconds = parse_duration("36h")
    story_similarity: float = Field(0.18, gt=0, le=1)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        return _check_timezone(value)


class DigestSettings(_Section):
    """Where and when the weekly digest is written."""

    dir: Path = Path("digests")
    timezone: str = "Asia/Damascus"
    schedule: str = "mon 07:00"  # day and local time the daemon writes the week that has just ended

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        return _check_timezone(value)

    @field_validator("schedule")
    @classmethod
    def _weekly(cls, value: str) -> str:
        import re

        m = re.fullmatch(r"\s*(mon|tue|wed|thu|fri|sat|sun)\s+([01]?\d|2[0-3]):([0-5]\d)\s*", value, re.I)
        if not m:
            raise ValueError(f'{value!r} is not a weekly time; write a day and a time, like "mon 07:00"')
        return value


class HealthSettings(_Section):
    """When an outlet counts as failing or silent, for operations alerts (channels with operations = true)."""

    failing_after: Seconds = parse_duration("1h")
    silent_factor: float = Field(4.0, ge=1.0)
    silent_min: Seconds = parse_duration("12h")
    history: Seconds = parse_duration("14d")


class ScaleSettings(_Section):
    """Scale-out: a scheduler process enqueues due sources in Redis; worker processes share the crawl
    frontier and duplicate filter through scrapy-redis, and the state through PostgreSQL."""

    redis_url: str = "redis://127.0.0.1:6379/0"
    namespace: str = Field("rasid", pattern=r"^[A-Za-z0-9_.:-]+$")
    dupefilter_window: Seconds = parse_duration("10m")
    report_every: Seconds = 15.0


class DaemonSettings(_Section):
    """The always-on process: jitter, shutdown budget, local HTTP port for health and metrics."""

    jitter: float = Field(0.1, ge=0, le=0.5)
    shutdown_timeout: Seconds = 10.0
    http_port: int | None = Field(None, ge=0, le=65535)
    log_format: Literal["human", "json"] = "human"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


class Settings(_Section):
    """The whole configuration. `base_dir` is the folder relative paths are resolved against."""

    storage: StorageSettings = Field(default_factory=StorageSettings)
    crawler: CrawlerSettings = Field(default_factory=CrawlerSettings)
    watch: WatchSettings = Field(default_factory=WatchSettings)
    sources: list[SourceSettings] = Field(default_factory=list)
    channels: list[ChannelSettings] = Field(default_factory=list)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    digest: DigestSettings = Field(default_factory=DigestSettings)
    daemon: DaemonSettings = Field(default_factory=DaemonSettings)
    health: HealthSettings = Field(default_factory=HealthSettings)
    scale: ScaleSettings = Field(default_factory=ScaleSettings)
    base_dir: Path = Path(".")

    @model_validator(mode="after")
    def _unique_names(self) -> Settings:
        for kind, names in (
            ("sources", [s.name for s in self.sources]),
            ("channels", [c.name for c in self.channels]),
        ):
            seen: set[str] = set()
            for name in names:
                if name in seen:
                    raise ValueError(f"two {kind} are named {name!r}; names must be unique")
                seen.add(name)
        return self

    def source(self, name: str) -> SourceSettings:
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(name)

    def channel(self, name: str) -> ChannelSettings:
        for channel in self.channels:
            if channel.name == name:
                return channel
        raise KeyError(name)

    @property
    def watchlist_paths(self) -> list[Path]:
        return [p if p.is_absolute() else self.base_dir / p for p in self.watch.watchlists]

    @property
    def digest_dir(self) -> Path:
        d = self.digest.dir
        return d if d.is_absolute() else self.base_dir / d
