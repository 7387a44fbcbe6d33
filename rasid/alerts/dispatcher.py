"""The dispatcher: works the outbox, sends each due alert through its channel with apprise, records every
attempt, retries with exponential backoff (Telegram's retry_after honoured), and gives up into the
dead-letter state after a set time. Claims carry a token and a lease, so a restarted or parallel
dispatcher never sends an alert another one holds."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from rasid.alerts.batching import holds, release_now
from rasid.alerts.channels import Channel, SendOutcome, open_channel
from rasid.alerts.journal import SendJournal, leftovers, read
from rasid.alerts.message import AlertView, Also, Message, compose_batch, composer
from rasid.alerts.stories import StoryLinker
from rasid.config.schema import AlertSettings
from rasid.storage import Alert, Article, Database, Match, Source, release_stale, settle
from rasid.storage.clock import utcnow
from rasid.storage.outbox import (
    PENDING,
    SENDING,
    SENT,
    SentLog,
    claim_due_ids,
    claimants,
    not_indexed,
    take,
)

log = logging.getLogger(__name__)


@dataclass
class DispatchStats:
    sent: int = 0
    failed: int = 0
    dead: int = 0

    def __iadd__(self, other: DispatchStats) -> DispatchStats:
        self.sent += other.sent
        self.failed += other.failed
        self.dead += other.dead
        return self


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _dead_here(token: str, me: str) -> bool:
    """A claimant token ("host:pid:nonce") of a process of this host that no longer runs."""
    parts = token.split(":")
    if len(parts) != 3 or token == me:
        return False
    host, pid = parts[0], parts[1]
    return host == socket.gethostname() and pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid))


@dataclass
class _Job:
    alert_id: int
    channel: str
    view: AlertView
    folded: list[int]  # later alerts of the story carried in this message


# What a message says about an alert, in one joined SELECT (alert, match, article, outlet); built once.
_VIEW = (
    select(
        Alert.id,
        Alert.topic,
        Alert.parent_id,
        Article.title,
        Article.url,
        Article.published_at,
        Article.fetched_at,
        Source.name,
        Match.modality,
        Match.evidence,
        Alert.channel,
        Match.confidence,
        Match.review_reason,
    )
    .join(Match, Match.id == Alert.match_id)
    .join(Article, Article.id == Match.article_id)
    .join(Source, Source.id == Article.source_id)
)
# The statements of every claim, built once: executing the very same statement object each round spares
# SQLAlchemy rebuilding it and adapting its cached compiled form to a new one.
_VIEWS = _VIEW.where(Alert.id.in_(bindparam("b_ids", expanding=True)))
_KIDS = _VIEW.where(  # found by ix_alerts_parent_id, not by walking every pending alert
    Alert.parent_id.in_(bindparam("b_ids", expanding=True)), not_indexed(Alert.status) == PENDING
).order_by(Alert.id)
_STATUSES = select(Alert.id, Alert.status).where(Alert.id.in_(bindparam("b_ids", expanding=True)))


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
        self.token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        self.lease = timedelta(seconds=settings.claim_lease)
        self.stories = StoryLinker(settings.story_window, settings.story_similarity)
        self._pool: ThreadPoolExecutor | None = None
        self._local = threading.local()
        # Attempts are recorded on a plain DB-API connection per sending thread, held for one
        # `dispatch_due` (each attempt still commits on its own before the next send).
        self._sent_log = SentLog(db.engine.dialect)
        self._raw: dict[int, Any] = {}  # thread -> pooled connection
        self._drivers: dict[int, Any] = {}  # thread -> its driver connection
        self._raw_lock = threading.Lock()
        # Alerts sent alone and recorded (in the send journal on SQLite, as a delivery row otherwise),
        # not yet marked sent: (id, stored time, duration if the delivery row is still to be written).
        # Settled at the end of each batch (`_settle_sent`).
        self._unsettled: list[tuple[int, Any, float | None]] = []
        self._journal = SendJournal.beside(db.engine.url, self.token)
        self._next_replay = 0.0
        self._halt = threading.Event()

    def halt(self) -> None:
        """Stop sending (at shutdown, from any thread): the send in flight finishes and is recorded; the
        alerts claimed but not yet sent go back to pending, their attempt not counted, and `dispatch_due`
        returns. Final: a halted dispatcher sends nothing more."""
        self._halt.set()

    # -- start-up and housekeeping -------------------------------------------------------------------

    def recover(self) -> int:
        """Alerts a killed dispatcher left in `sending` become pending again (run at start-up): those of
        dead processes of this host at once, any other claimant's when its lease has run out."""
        self._replay_journals()
        with self.db.session() as session:
            dead = [t for t in claimants(session) if _dead_here(t, self.token)]
            n = release_stale(session, timedelta(0), dead_claimants=dead)
        if n:
            log.warning(
                "%d alerts were being sent when a dispatcher stopped; they will be sent again "
                "(receivers that honour the X-Rasid-Alert-Id header see them once)",
                n,
            )
        return n

    def _replay_journals(self) -> None:
        """Record what dispatchers of this host that died had sent but not yet committed (their send
        journals), before their claims are released: those alerts are marked sent, not sent again."""
        if self._journal is None:
            return
        for token, path in leftovers(self._journal, lambda t: _dead_here(t, self.token)):
            try:
                entries = read(path)
            except OSError as exc:
                log.error("cannot read the send journal %s: %s", path, exc)
                continue
            if entries:
                raw = self.db.engine.raw_connection()
                try:
                    lost = self._sent_log.settle_batch(raw.driver_connection, entries, token, replay=True)
                finally:
                    raw.close()
                if len(lost) < len(entries):
                    log.warning(
                        "%d alerts sent by a dispatcher that stopped before recording them are marked sent",
                        len(entries) - len(lost),
                    )
            path.unlink(missing_ok=True)

    def _housekeeping(self) -> None:
        if time.monotonic() >= self._next_replay:  # a look at the directory now and then, not every batch
            self._next_replay = time.monotonic() + 30
            self._replay_journals()
        with self.db.session() as session:
            released = release_stale(session, timedelta(0))
            linked = self.stories.link_new(session, limit=max(500, self.settings.claim_batch * 4))
        if released:
            log.warning("%d alerts whose dispatcher's lease ran out are pending again", released)
        if linked:
            log.info("%d alerts joined an earlier alert's story (also reported by)", linked)

    def _retry_at(self, alert: Alert, wait: float | None = None) -> datetime | None:
        age = (utcnow() - alert.created_at).total_seconds()
        if age >= self.settings.give_up_after:
            return None
        delay = min(self.settings.retry_base * 2 ** max(alert.attempts - 1, 0), self.settings.retry_max)
        if wait:  # the service said when (Telegram 429 retry_after): no sooner, and no later than needed
            delay = wait
        return utcnow() + timedelta(seconds=delay)

    # -- the work --------------------------------------------------------------------------------------

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
            try:
                self._settle_sent()
            finally:
                self._release_raw()
        return stats

    def _settle_sent(self) -> None:
        """Commit what this batch's sends recorded: their delivery rows (those kept in the journal) and
        their "sent" marks, in one transaction; then empty the journal. If this fails, the sends stay in
        the journal (or as delivery rows) and in `_unsettled` for the next try; a dispatcher that dies
        meanwhile has them replayed (`_replay_journals`) or marked by `release_stale`: never resent."""
        if not self._unsettled:
            return
        sent = list(self._unsettled)
        conn = self._raw_connection()
        try:
            lost = self._sent_log.settle_batch(conn, sent, self.token)
        except Exception:
            self._release_raw(threading.get_ident())
            raise
        del self._unsettled[: len(sent)]
        if self._journal is not None and not self._unsettled:
            self._journal.clear()
        for alert_id in lost:
            log.warning("alert %d was taken back from this dispatcher (lease ran out)", alert_id)

    def _raw_connection(self) -> Any:
        """This thread's DB-API connection for recording attempts, checked out of the pool once per round
        (the driver's own connection object: going through the pool's proxy for each cursor and commit
        cost ~35 us an attempt)."""
        me = threading.get_ident()
        driver = self._drivers.get(me)
        if driver is None:
            conn = self.db.engine.raw_connection()
            driver = conn.driver_connection
            self._sent_log.fast_commits(driver)
            with self._raw_lock:
                self._raw[me] = conn
                self._drivers[me] = driver
        return driver

    def _release_raw(self, thread: int | None = None) -> None:
        """Give the recording connections back to the pool (all, or one thread's after an error). A
        dispatcher works one round at a time (the daemon and the scale-out roles never overlap them)."""
        with self._raw_lock:
            if thread is None:
                conns = list(self._raw.values())
                self._raw.clear()
                self._drivers.clear()
            else:
                conns = [c for c in [self._raw.pop(thread, None)] if c is not None]
                self._drivers.pop(thread, None)
        for conn in conns:
            try:
                conn.rollback()  # after an error it may be inside a failed transaction
                self._sent_log.fast_commits(conn.driver_connection, on=False)
            except Exception:  # not to be reused with its settings unknown
                log.debug("resetting a recording connection failed; dropping it", exc_info=True)
                conn.invalidate()
            try:
                conn.close()
            except Exception:  # pragma: no cover - a broken connection is dropped by the pool
                log.debug("closing a recording connection failed", exc_info=True)

    def _claim(self, channels: list[str], limit: int) -> list[_Job]:
        with self.db.session() as session:
            claimed = claim_due_ids(
                session,
                limit=limit,
                channels=channels,
                token=self.token,
                lease=self.lease,
                stories_checked=True,
            )
            return self._jobs(session, claimed)

    def _jobs(self, session: Session, ids: list[int]) -> list[_Job]:
        """Jobs for claimed alerts, loaded in a few queries for the whole batch (the columns the views
        need, joined: no ORM objects per alert), with the pending later alerts of each story folded in."""
        if not ids:
            return []
        conn = session.connection()  # plain rows: no ORM result machinery per row
        rows = {r[0]: r for r in conn.execute(_VIEWS, {"b_ids": ids})}
        kids: dict[int, list[Any]] = defaultdict(list)
        for r in conn.execute(_KIDS, {"b_ids": ids}):
            kids[r[2]].append(r)
        parents = [r[2] for r in rows.values() if r[2] is not None]
        parent_status: dict[int, str] = {}
        if parents:
            for pid, status in conn.execute(_STATUSES, {"b_ids": list(set(parents))}):
                parent_status[pid] = status
        jobs = []
        for alert_id in ids:
            row = rows[alert_id]
            held: list[int] = []
            also: tuple[Also, ...] = ()
            children = kids.get(alert_id)
            if children:
                held = take(session, [c[0] for c in children], token=self.token, lease=self.lease)
                also = tuple(Also(c[7], c[3], c[4]) for c in children if c[0] in held)
            followup = row[2] is not None and parent_status.get(row[2]) == SENT
            jobs.append(_Job(alert_id, row[10], self._row_view(row, also, followup), held))
        return jobs

    def _row_view(self, row: Any, also: tuple[Also, ...] = (), followup: bool = False) -> AlertView:
        alert_id, topic, _parent, title, url, published, fetched, outlet, modality, evidence, _ch = row[:11]
        confidence, review_reason = row[11], row[12]
        return AlertView(
            topic=topic,
            topic_title=self.topic_titles.get(topic, topic),
            headline=title,
            outlet=outlet,
            url=url,
            published=published,
            fetched=fetched,
            modality=modality,
            evidence=list(evidence or []),
            alert_id=alert_id,
            also=also,
            followup=followup,
            confidence=confidence or "alert",
            review_reason=review_reason,
        )

    # -- sending ---------------------------------------------------------------------------------------

    def _width(self, channel: Channel) -> int:
        """Sends in flight at once on a channel: `alerts.concurrency`, but Telegram one at a time (its
        flood limits answer 429 with a retry_after that holds the whole channel)."""
        return 1 if channel.scheme == "tgram" else self.settings.concurrency

    def _compose(self, channel: Channel, job: _Job) -> Message:
        return composer(channel.scheme)(job.view, channel.settings.timezone or self.settings.timezone)

    def _compose_or_none(self, channel: Channel, job: _Job) -> Message | None:
        try:
            return self._compose(channel, job)
        except Exception:
            return None

    def _attempt(
        self, channel: Channel, job: _Job, message: Message | None = None
    ) -> tuple[DispatchStats, datetime | None, bool]:
        """Compose (unless done), send, and record one job (its own short transaction right after the
        answer)."""
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
                    halted += [job.alert_id, *job.folded]
                    continue
                if job.channel in waiting:
                    postponed[job.channel] += [job.alert_id, *job.folded]
                    continue
                channel = self.channels[job.channel]
                result, retry_at, ok = self._attempt(channel, job, message)
                stats += result
                if ok and self.on_sent:
                    self.on_sent(job.view, channel)
                if not ok and retry_at is not None:
                    waiting[job.channel] = retry_at
        else:
            stats += self._send_concurrently(jobs, waiting, postponed, halted)
        self._settle_sent()
        for name, ids in postponed.items():
            self._postpone(ids, waiting[name])
        if halted:
            self._postpone(halted, utcnow())
            log.info("stopped sending: %d claimed alerts are pending again", len(halted))
        return stats

    def _send_concurrently(
        self,
        jobs: list[_Job],
        waiting: dict[str, datetime],
        postponed: dict[str, list[int]],
        halted: list[int],
    ) -> DispatchStats:
        """Up to `_width` sends in flight per channel (each recorded by its worker right after its
        answer); after a failure the channel's jobs not yet started wait with it."""
        stats = DispatchStats()
        queues: dict[str, deque[_Job]] = defaultdict(deque)
        for job in jobs:
            queues[job.channel].append(job)
        busy: dict[str, int] = defaultdict(int)
        flying: dict[Future[tuple[DispatchStats, datetime | None, bool]], _Job] = {}
        pool = self._executor()
        while queues or flying:
            for name in list(queues):
                queue = queues[name]
                while queue and busy[name] < self._width(self.channels[name]):
                    job = queue.popleft()
                    if self._halt.is_set():
                        halted += [job.alert_id, *job.folded]
                        continue
                    if name in waiting:
                        postponed[name] += [job.alert_id, *job.folded]
                        continue
                    busy[name] += 1
                    flying[pool.submit(self._attempt_here, name, job)] = job
                if not queue:
                    del queues[name]
            if not flying:
                continue
            done, _ = wait(list(flying), return_when=FIRST_COMPLETED)
            for future in done:
                job = flying.pop(future)
                busy[job.channel] -= 1
                result, retry_at, ok = future.result()
                stats += result
                if ok and self.on_sent:
                    self.on_sent(job.view, self.channels[job.channel])
                if not ok and retry_at is not None:
                    waiting[job.channel] = max(retry_at, waiting.get(job.channel, retry_at))
        return stats

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            workers = sum(self._width(c) for c in self.channels.values())
            self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="rasid-send")
        return self._pool

    def _attempt_here(self, name: str, job: _Job) -> tuple[DispatchStats, datetime | None, bool]:
        """`_attempt` in a worker thread, with this thread's own apprise object for the channel (the
        idempotency header lives on the plugin, so plugins are never shared between threads)."""
        mine: dict[str, Channel] = self._local.__dict__.setdefault("channels", {})
        channel = mine.get(name)
        if channel is None:
            channel = mine[name] = open_channel(self.channels[name].settings)
        return self._attempt(channel, job)

    def close(self) -> None:
        """Stop the send workers (if `alerts.concurrency` started any) and give back any connection."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        self._release_raw()
        if self._journal is not None:
            self._journal.close()

    def _send_held(self, channel: Channel) -> DispatchStats:
        """A batching or quiet channel: when its time has come, every due alert in one message."""
        tz = channel.settings.timezone or self.settings.timezone
        now = utcnow()
        with self.db.session() as session:
            oldest = session.scalar(
                select(func.min(Alert.created_at)).where(
                    Alert.channel == channel.name, Alert.status == PENDING, Alert.next_attempt_at <= now
                )
            )
            if not release_now(channel.settings, tz, oldest, now):
                return DispatchStats()
            claimed = claim_due_ids(
                session,
                limit=500,
                channels=[channel.name],
                token=self.token,
                lease=self.lease,
                stories_checked=True,
            )
            jobs = self._jobs(session, claimed)
        if not jobs:
            return DispatchStats()
        views = [j.view for j in jobs]
        message = compose_batch(views, channel.scheme, tz)
        outcome = channel.send(message, jobs[0].alert_id)
        ids = [j.alert_id for j in jobs]
        folded = [f for j in jobs for f in j.folded]
        stats, _ = self._record(channel, ids, folded, outcome)
        if outcome.ok and self.on_sent:
            for view in views:
                self.on_sent(view, channel)
        return stats

    def _postpone(self, ids: list[int], at: datetime) -> None:
        """Claimed alerts not tried (their channel just failed) go back to pending, attempt not counted."""
        with self.db.session() as session:
            session.execute(
                update(Alert)
                .where(Alert.id.in_(ids), Alert.status == SENDING, Alert.claim_token == self.token)
                .values(status=PENDING, claim_token=None, next_attempt_at=at, attempts=Alert.attempts - 1)
                .execution_options(synchronize_session=False)
            )

    def _journaled(self, alert_id: int, duration_ms: float) -> bool:
        """An alert sent alone, recorded in the send journal (SQLite); False if there is none or it
        cannot be written."""
        if self._journal is None:
            return False
        at = self._sent_log.stamp()
        if not self._journal.append(alert_id, at, duration_ms):
            return False
        self._unsettled.append((alert_id, at, duration_ms))
        return True

    def _record_sent(self, ids: list[int], folded: list[int], duration_ms: float) -> list[int]:
        """Record a successful message in the database (committed now); returns the ids still held."""
        conn = self._raw_connection()
        try:
            if len(ids) == 1 and not folded:  # its delivery row now, the "sent" mark with the batch
                at = self._sent_log.logged(conn, ids[0], duration_ms=duration_ms, token=self.token)
                if at is not None:
                    self._unsettled.append((ids[0], at, None))
                return ids
            return self._sent_log(conn, ids, duration_ms=duration_ms, token=self.token, carried=folded)
        except Exception:
            self._release_raw(threading.get_ident())
            raise

    def _record(
        self, channel: Channel, ids: list[int], folded: list[int], outcome: SendOutcome
    ) -> tuple[DispatchStats, datetime | None]:
        """Settle what one message carried: `ids` were attempted; `folded` rode along inside it."""
        stats = DispatchStats()
        retry_at: datetime | None = None
        if outcome.ok:  # the common case: recorded before the next send
            if len(ids) == 1 and not folded and self._journaled(ids[0], outcome.duration_ms):
                held = ids
            else:
                held = self._record_sent(ids, folded, outcome.duration_ms)
            stats.sent += len(ids)
            for alert_id in ids:
                if alert_id not in held:
                    log.warning("alert %d was taken back from this dispatcher (lease ran out)", alert_id)
                log.info(
                    "alert %d (%s) delivered to %s [%s]",
                    alert_id,
                    channel.name,
                    channel.name,
                    channel.masked_url,
                )
            return stats, None
        with self.db.session() as session:  # a failure: each attempted alert waits for its retry
            for alert_id in ids:
                alert = session.get(Alert, alert_id)
                assert alert is not None
                retry_at = self._retry_at(alert, outcome.retry_after)
                kept = settle(
                    session,
                    alert_id,
                    ok=False,
                    error=outcome.error,
                    retry_at=retry_at,
                    duration_ms=outcome.duration_ms,
                    token=self.token,
                )
                stats.failed += 1
                stats.dead += retry_at is None
                if not kept:
                    log.warning("alert %d was taken back from this dispatcher (lease ran out)", alert_id)
            if folded:
                session.flush()
        if folded:
            # The story's later alerts wait for its first one (or go alone if it is given up).
            self._postpone(folded, retry_at or utcnow())
        for alert_id in ids:
            log.warning(
                "alert %d to %s [%s] failed: %s%s",
                alert_id,
                channel.name,
                channel.masked_url,
                outcome.error,
                " (giving up)"
                if retry_at is None
                else f" (retry at {retry_at.isoformat(timespec='seconds')})",
            )
        return stats, retry_at


def counts(session: Session) -> dict[str, dict[str, int]]:
    """channel -> status -> number of alerts (for reports)."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for channel, status, n in session.execute(
        select(Alert.channel, Alert.status, func.count()).group_by(Alert.channel, Alert.status)
    ):
        out[channel][status] = int(n)
    return dict(out)
