"""The dispatcher: claims due alerts from the outbox, composes each message, sends it through its channel
with apprise, and tells the outbox what became of it (sent, failed with a retry time, postponed). The
states, the retry times, the records of each attempt and the recovery after a dead dispatcher are the
outbox's (rasid.storage.outbox). Claims carry a token and a lease, so a restarted or parallel dispatcher
never sends an alert another one holds."""

from __future__ import annotations

import logging
import threading
from collections import defaultdict, deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rasid.alerts.batching import holds, release_now
from rasid.alerts.channels import Channel, SendOutcome, open_channel
from rasid.alerts.message import AlertView, Also, Message
from rasid.alerts.stories import StoryLinker
from rasid.config.schema import AlertSettings
from rasid.storage import Database
from rasid.storage.clock import utcnow
from rasid.storage.outbox import AlertRow, Claimed, Outbox, RetryPolicy

log = logging.getLogger(__name__)

# What one attempt gave: its counts, the channel's retry time after a failure, whether it went out.
Attempt = tuple["DispatchStats", datetime | None, bool]


@dataclass
class DispatchStats:
    sent: int = 0
    failed: int = 0
    dead: int = 0
    by_channel: dict[str, list[int]] = field(default_factory=dict)
    """channel -> [sent, failed, dead], for metrics labelled by channel."""

    def __iadd__(self, other: DispatchStats) -> DispatchStats:
        self.sent += other.sent
        self.failed += other.failed
        self.dead += other.dead
        for name, counts in other.by_channel.items():
            mine = self.by_channel.setdefault(name, [0, 0, 0])
            for i, n in enumerate(counts):
                mine[i] += n
        return self

    def count(self, channel: str, sent: int = 0, failed: int = 0, dead: int = 0) -> None:
        self.sent += sent
        self.failed += failed
        self.dead += dead
        mine = self.by_channel.setdefault(channel, [0, 0, 0])
        mine[0] += sent
        mine[1] += failed
        mine[2] += dead


@dataclass
class _Job:
    alert_id: int
    channel: str
    view: AlertView
    folded: list[int]  # later alerts of the story carried in this message

    @property
    def ids(self) -> list[int]:
        return [self.alert_id, *self.folded]


class Dispatcher:
    def __init__(
        self,
        db: Database,
        channels: dict[str, Channel],
        settings: AlertSettings,
        topic_titles: dict[str, str],
        on_sent: Callable[[AlertView, Channel], None] | None = None,
    ) -> None:
        self.db = db
        self.channels = channels
        self.settings = settings
        self.topic_titles = topic_titles
        self.on_sent = on_sent
        policy = RetryPolicy(settings.retry_base, settings.retry_max, settings.give_up_after)
        self.outbox = Outbox(db, timedelta(seconds=settings.claim_lease), policy)
        self.token = self.outbox.token
        self.stories = StoryLinker(settings.story_window, settings.story_similarity)
        self._pool: ThreadPoolExecutor | None = None
        self._local = threading.local()
        self._halt = threading.Event()

    def halt(self) -> None:
        """Stop sending (at shutdown, from any thread): the send in flight finishes and is recorded; the
        alerts claimed but not yet sent go back to pending, their attempt not counted, and `dispatch_due`
        returns. Final: a halted dispatcher sends nothing more."""
        self._halt.set()

    def recover(self) -> int:
        """Alerts a killed dispatcher left in `sending` become pending again (run at start-up): those of
        dead processes of this host at once, any other claimant's when its lease has run out."""
        return self.outbox.recover()

    def _housekeeping(self) -> None:
        limit = max(500, self.settings.claim_batch * 4)
        released, linked = self.outbox.release_expired(lambda s: self.stories.link_new(s, limit=limit))
        if released:
            log.warning("%d alerts whose dispatcher's lease ran out are pending again", released)
        if linked:
            log.info("%d alerts joined an earlier alert's story (also reported by)", linked)

    # -- claim ------------------------------------------------------------------------------------------

    def dispatch_due(self, limit: int | None = None) -> DispatchStats:
        """Send every due alert (blocking: run it in a worker thread); returns what happened."""
        limit = limit or self.settings.claim_batch
        stats = DispatchStats()
        at_once = [name for name, ch in self.channels.items() if not holds(ch.settings)]
        held = [name for name, ch in self.channels.items() if holds(ch.settings)]
        try:
            while not self._halt.is_set():
                self._housekeeping()
                jobs = self._claim(at_once, limit) if at_once else []
                if jobs:
                    stats += self._send_jobs(jobs)
                if len(jobs) < limit:
                    break
            for name in held:
                if not self._halt.is_set():
                    stats += self._send_held(self.channels[name])
        finally:
            self.outbox.end_round()
        return stats

    def _claim(
        self, channels: list[str], limit: int, when: Callable[[datetime | None], bool] | None = None
    ) -> list[_Job]:
        return [self._job(c) for c in self.outbox.claim(channels, limit, when)]

    def _job(self, claim: Claimed) -> _Job:
        also = tuple(Also(r.outlet, r.title, r.url) for r in claim.also)
        return _Job(
            claim.alert.id, claim.alert.channel, self._view(claim.alert, also, claim.followup), claim.folded
        )

    def _view(self, row: AlertRow, also: tuple[Also, ...] = (), followup: bool = False) -> AlertView:
        return AlertView(
            topic=row.topic,
            topic_title=self.topic_titles.get(row.topic, row.topic),
            headline=row.title,
            outlet=row.outlet,
            url=row.url,
            published=row.published_at,
            fetched=row.fetched_at,
            modality=row.modality,
            evidence=list(row.evidence or []),
            alert_id=row.id,
            also=also,
            followup=followup,
            confidence=row.confidence or "alert",
            review_reason=row.review_reason,
        )

    # -- compose and send -------------------------------------------------------------------------------

    def _width(self, channel: Channel) -> int:
        """Sends in flight at once on a channel: `alerts.concurrency`, but Telegram one at a time (its
        flood limits answer 429 with a retry_after that holds the whole channel)."""
        return 1 if channel.kind.one_at_a_time else self.settings.concurrency

    def _compose(self, channel: Channel, job: _Job) -> Message:
        return channel.compose(job.view, channel.settings.timezone or self.settings.timezone)

    def _compose_or_none(self, channel: Channel, job: _Job) -> Message | None:
        try:
            return self._compose(channel, job)
        except Exception:
            return None

    def _attempt(self, channel: Channel, job: _Job, message: Message | None = None) -> Attempt:
        """Compose (unless done), send, and tell the outbox right after the answer."""
        outcome = channel.send(message or self._compose(channel, job), job.alert_id)
        stats, retry_at = self._record(channel, [job.alert_id], job.folded, outcome)
        return stats, retry_at, outcome.ok

    def _send_jobs(self, jobs: list[_Job]) -> DispatchStats:
        stats = DispatchStats()
        waiting: dict[str, datetime] = {}  # channel -> retry time after a failure in this round
        postponed: dict[str, list[int]] = defaultdict(list)
        halted: list[int] = []  # claimed, not sent: the dispatcher was halted
        if all(self._width(self.channels[j.channel]) == 1 for j in jobs):
            # The batch's messages composed together first: in one tight loop they cost about a third of
            # what they do between sends (whose HTTP work leaves the CPU caches cold). One that fails is
            # composed again at its turn, so it fails there, as it would have.
            messages = [self._compose_or_none(self.channels[job.channel], job) for job in jobs]
            for job, message in zip(jobs, messages, strict=True):  # one after another: one in flight
                if self._halt.is_set():
                    halted += job.ids
                elif job.channel in waiting:
                    postponed[job.channel] += job.ids
                else:
                    self._done(job, self._attempt(self.channels[job.channel], job, message), stats, waiting)
        else:
            self._send_concurrently(jobs, stats, waiting, postponed, halted)
        self.outbox.settle()
        for name, ids in postponed.items():
            self.outbox.postpone(ids, waiting[name])
        if halted:
            self.outbox.postpone(halted, utcnow())
            log.info("stopped sending: %d claimed alerts are pending again", len(halted))
        return stats

    def _done(self, job: _Job, attempt: Attempt, stats: DispatchStats, waiting: dict[str, datetime]) -> None:
        result, retry_at, ok = attempt
        stats += result
        if ok and self.on_sent:
            self.on_sent(job.view, self.channels[job.channel])
        if not ok and retry_at is not None:
            waiting[job.channel] = max(retry_at, waiting.get(job.channel, retry_at))

    def _send_concurrently(
        self,
        jobs: list[_Job],
        stats: DispatchStats,
        waiting: dict[str, datetime],
        postponed: dict[str, list[int]],
        halted: list[int],
    ) -> None:
        """Up to `_width` sends in flight per channel (each told to the outbox by its worker right after
        its answer); after a failure the channel's jobs not yet started wait with it."""
        queues: dict[str, deque[_Job]] = defaultdict(deque)
        for job in jobs:
            queues[job.channel].append(job)
        busy: dict[str, int] = defaultdict(int)
        flying: dict[Future[Attempt], _Job] = {}
        pool = self._executor()
        while queues or flying:
            for name in list(queues):
                queue = queues[name]
                while queue and busy[name] < self._width(self.channels[name]):
                    job = queue.popleft()
                    if self._halt.is_set():
                        halted += job.ids
                    elif name in waiting:
                        postponed[name] += job.ids
                    else:
                        busy[name] += 1
                        flying[pool.submit(self._attempt_here, name, job)] = job
                if not queue:
                    del queues[name]
            if flying:
                done, _ = wait(list(flying), return_when=FIRST_COMPLETED)
                for future in done:
                    job = flying.pop(future)
                    busy[job.channel] -= 1
                    self._done(job, future.result(), stats, waiting)

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            workers = sum(self._width(c) for c in self.channels.values())
            self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="rasid-send")
        return self._pool

    def _attempt_here(self, name: str, job: _Job) -> Attempt:
        """`_attempt` in a worker thread, with this thread's own apprise object for the channel (the
        idempotency header lives on the plugin, so plugins are never shared between threads)."""
        mine: dict[str, Channel] = self._local.__dict__.setdefault("channels", {})
        channel = mine.get(name)
        if channel is None:
            channel = mine[name] = open_channel(self.channels[name].settings)
        return self._attempt(channel, job)

    def _send_held(self, channel: Channel) -> DispatchStats:
        """A batching or quiet channel: when its time has come, every due alert in one message."""
        tz = channel.settings.timezone or self.settings.timezone
        jobs = self._claim(
            [channel.name], 500, lambda oldest: release_now(channel.settings, tz, oldest, utcnow())
        )
        if not jobs:
            return DispatchStats()
        views = [j.view for j in jobs]
        outcome = channel.send(channel.compose_batch(views, tz), jobs[0].alert_id)
        folded = [f for j in jobs for f in j.folded]
        stats, _ = self._record(channel, [j.alert_id for j in jobs], folded, outcome)
        if outcome.ok and self.on_sent:
            for view in views:
                self.on_sent(view, channel)
        return stats

    # -- tell the outbox --------------------------------------------------------------------------------

    def _record(
        self, channel: Channel, ids: list[int], folded: list[int], outcome: SendOutcome
    ) -> tuple[DispatchStats, datetime | None]:
        """Tell the outbox what one message did: `ids` were attempted; `folded` rode along inside it."""
        stats = DispatchStats()
        where = f"{channel.name} [{channel.masked_url}]"
        if outcome.ok:  # the common case: recorded before the next send
            held = self.outbox.sent(ids, folded, outcome.duration_ms)
            stats.count(channel.name, sent=len(ids))
            for alert_id in ids:
                if alert_id not in held:
                    log.warning("alert %d was taken back from this dispatcher (lease ran out)", alert_id)
                log.info("alert %d (%s) delivered to %s", alert_id, channel.name, where)
            return stats, None
        failures = self.outbox.failed(
            ids, folded, error=outcome.error, duration_ms=outcome.duration_ms, wait=outcome.retry_after
        )
        for f in failures:
            stats.count(channel.name, failed=1, dead=int(f.retry_at is None))
            if not f.kept:
                log.warning("alert %d was taken back from this dispatcher (lease ran out)", f.alert_id)
            later = (
                " (giving up)"
                if f.retry_at is None
                else f" (retry at {f.retry_at.isoformat(timespec='seconds')})"
            )
            log.warning("alert %d to %s failed: %s%s", f.alert_id, where, outcome.error, later)
        return stats, failures[-1].retry_at if failures else None

    def close(self) -> None:
        """Stop the send workers (if `alerts.concurrency` started any) and give back any connection."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        self.outbox.close()
