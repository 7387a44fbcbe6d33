"""One story, one alert: finds, for each new alert, an earlier alert of the same channel and topic about
the same event (same text, or similar Arabic title and lead within a time window) and links it there."""

from __future__ import annotations

import re
from collections import OrderedDict, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rasid.storage import Alert, Article

try:
    from rasid.matching.normalize import normalize
except ImportError:  # pragma: no cover - the matcher's normaliser is the reference; this is its core

    def normalize(text: str) -> str:
        text = re.sub("[\u064b-\u065f\u0670\u0640]", "", text)
        return text.translate(str.maketrans("أإآٱىة", "اااايه"))


LOCK_KEY = 0x72617369  # PostgreSQL advisory lock: one linker at a time across dispatchers
LEAD_WORDS = 60
MAX_CANDIDATES = 100  # earlier alerts of the same channel and topic compared with a new one
TITLE_FLOOR = 0.04  # titles sharing less than this are not compared further (fast path)
_WORD = re.compile(r"[^\W\d_]+")
_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل")
_STOP = {
    normalize(w)
    for w in [
        "في",
        "من",
        "إلى",
        "الى",
        "على",
        "عن",
        "مع",
        "بعد",
        "قبل",
        "أن",
        "ان",
        "إن",
        "التي",
        "الذي",
        "الذين",
        "هذا",
        "هذه",
        "ذلك",
        "تلك",
        "كان",
        "كانت",
        "قد",
        "لم",
        "لن",
        "ما",
        "لا",
        "هو",
        "هي",
        "هم",
        "أو",
        "او",
        "ثم",
        "حتى",
        "عند",
        "بين",
        "كما",
        "أي",
        "اي",
        "كل",
        "بعض",
        "غير",
        "منذ",
        "خلال",
        "حول",
        "ضد",
        "عبر",
        "لدى",
        "يوم",
        "أمس",
        "اليوم",
        "وفق",
        "إلا",
        "الا",
        "لها",
        "له",
        "لهم",
    ]
}


def _tokens(text: str) -> list[str]:
    out = []
    for word in _WORD.findall(normalize(text).lower()):
        if word in _STOP:
            continue
        for p in _PREFIXES:
            if word.startswith(p) and len(word) - len(p) >= 3:
                word = word[len(p) :]
                break
        if len(word) >= 3 and word not in _STOP:
            out.append(word)
    return out


def grams(text: str, n: int = 4) -> frozenset[str]:
    """Character n-grams of the normalised words (blind to clitics, tashkeel and spelling variants)."""
    out: set[str] = set()
    for word in _tokens(text):
        w = f"_{word}_"
        out.update(w[i : i + n] for i in range(max(1, len(w) - n + 1)))
    return frozenset(out)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)


@dataclass(frozen=True)
class Features:
    story_id: int | None
    title: frozenset[str]
    lead: frozenset[str]
    when: datetime | None = None  # when the event was reported: publication time, else first seen


def features(title: str, text: str, story_id: int | None = None, when: datetime | None = None) -> Features:
    # n-grams are taken word by word, so those of "title lead" are those of the title and of the lead
    title_grams = grams(title)
    return Features(story_id, title_grams, title_grams | grams(_lead(text)), when)


def _lead(text: str) -> str:
    return " ".join(text.split()[:LEAD_WORDS])


class LazyFeatures:
    """`Features` computed on first use: the title's n-grams when the article is first compared, the
    lead's only when the titles share enough (most pairs stop at the title; an article with nothing to
    be compared with costs nothing)."""

    __slots__ = ("_lead_grams", "_text", "_title", "_title_grams", "story_id", "when")

    def __init__(self, title: str, text: str, story_id: int | None = None, when: datetime | None = None):
        self.story_id = story_id
        self.when = when
        self._title = title
        self._text: str | None = text
        self._title_grams: frozenset[str] | None = None
        self._lead_grams: frozenset[str] | None = None

    @property
    def title(self) -> frozenset[str]:
        if self._title_grams is None:
            self._title_grams = grams(self._title)
        return self._title_grams

    @property
    def lead(self) -> frozenset[str]:
        if self._lead_grams is None:
            self._lead_grams = self.title | grams(_lead(self._text or ""))
            self._text = None  # no longer needed
        return self._lead_grams


def similarity(a: Features | LazyFeatures, b: Features | LazyFeatures) -> float:
    """1 for the same text (same story id); else the mean of title and title+lead n-gram Jaccard."""
    if a.story_id is not None and a.story_id == b.story_id:
        return 1.0
    t = _jaccard(a.title, b.title)
    if t < TITLE_FLOOR:
        return t
    return (t + _jaccard(a.lead, b.lead)) / 2


class _Near:
    """Which known articles share a title n-gram (or the same text) with a given one: an inverted index
    over the candidates' title n-grams, so unrelated candidates are skipped without a comparison."""

    LIMIT = 4 * MAX_CANDIDATES  # more hits than this: not worth it, compare with every candidate

    def __init__(self, feats: dict[int, LazyFeatures]) -> None:
        self.feats = feats
        self.by_gram: dict[str, list[int]] = defaultdict(list)
        self.by_story: dict[int, list[int]] = defaultdict(list)

    def add(self, article_id: int) -> None:
        f = self.feats[article_id]
        for g in f.title:
            self.by_gram[g].append(article_id)
        if f.story_id is not None:
            self.by_story[f.story_id].append(article_id)

    def of(self, mine: LazyFeatures) -> set[int] | None:
        hits: list[list[int]] = [self.by_story.get(mine.story_id, [])] if mine.story_id is not None else []
        hits += [self.by_gram[g] for g in mine.title if g in self.by_gram]
        if sum(map(len, hits)) > self.LIMIT:
            return None
        return {a for hit in hits for a in hit}


class StoryLinker:
    """Links new alerts to the first alert of their story; keeps article features in a small cache."""

    def __init__(self, window: float, threshold: float, cache_size: int = 20_000) -> None:
        self.window = timedelta(seconds=window)
        self.threshold = threshold
        self.cache_size = cache_size
        self._cache: OrderedDict[int, LazyFeatures] = OrderedDict()

    def _features(self, session: Session, article_ids: set[int]) -> dict[int, LazyFeatures]:
        found = {i: self._cache[i] for i in article_ids if i in self._cache}
        missing = [i for i in article_ids if i not in found]
        for i in range(0, len(missing), 500):
            rows = session.execute(
                select(
                    Article.id,
                    Article.title,
                    func.substr(Article.text, 1, 2000),
                    Article.story_id,
                    Article.published_at,
                    Article.fetched_at,
                ).where(Article.id.in_(missing[i : i + 500]))
            )
            for aid, title, text, story, published, fetched in rows:
                when = _aware(published or fetched)
                found[aid] = self._cache[aid] = LazyFeatures(title or "", text or "", story, when)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return found

    def link_new(self, session: Session, limit: int = 500) -> int:
        """Group alerts not yet checked; returns how many became "also reported by" of an earlier one."""
        if session.get_bind().dialect.name == "postgresql":
            session.execute(select(func.pg_advisory_xact_lock(LOCK_KEY)))
        new = list(
            session.scalars(
                select(Alert).where(Alert.story_checked.is_(False)).order_by(Alert.id).limit(limit)
            )
        )
        if not new:
            return 0
        groups: dict[tuple[str, str], list[Alert]] = defaultdict(list)
        for alert in new:
            groups[(alert.channel, alert.topic)].append(alert)
        linked = 0
        for (channel, topic), alerts in groups.items():
            since = min(a.created_at for a in alerts) - self.window
            earlier = list(
                session.execute(
                    select(Alert.id, Alert.parent_id, Alert.article_id, Alert.created_at)
                    .where(
                        Alert.channel == channel,
                        Alert.topic == topic,
                        Alert.created_at >= since,
                        Alert.id < max(a.id for a in alerts),
                        Alert.story_checked.is_(True),
                    )
                    .order_by(Alert.id.desc())
                    .limit(MAX_CANDIDATES + len(alerts))
                )
            )
            known = [(r.id, r.parent_id, r.article_id, r.created_at) for r in earlier]
            if not known and len(alerts) == 1:  # nothing earlier to compare with: no features needed
                alerts[0].parent_id = None
                alerts[0].story_checked = True
                continue
            feats = self._features(session, {k[2] for k in known} | {a.article_id for a in alerts})
            near = _Near(feats)
            for k in known:
                near.add(k[2])
            for alert in alerts:  # oldest first, so a batch of twins links to its first member
                alert_id, alert_article, alert_created = alert.id, alert.article_id, alert.created_at
                mine = feats[alert_article]
                # Only reports sharing a title n-gram or the text can reach the threshold (> 0); the
                # rest score 0 and are passed over without computing anything (None: look at all).
                close = near.of(mine)
                best, best_score = None, self.threshold
                for n, (aid, parent, article_id, created) in enumerate(k for k in known if k[0] < alert_id):
                    if n >= MAX_CANDIDATES:
                        break
                    if close is not None and article_id not in close:
                        continue
                    if created < alert_created - self.window or article_id == alert_article:
                        continue
                    theirs = feats[article_id]
                    if mine.when and theirs.when and abs(mine.when - theirs.when) > self.window:
                        continue  # reported on different days: crawled together (a backlog), not one story
                    score = similarity(mine, theirs)
                    if score >= best_score:
                        best, best_score = parent or aid, score
                alert.parent_id = best
                alert.story_checked = True
                linked += best is not None
                known.insert(0, (alert_id, best, alert_article, alert_created))
                near.add(alert_article)
        return linked
