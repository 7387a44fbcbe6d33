"""One story, one alert: finds, for each new alert, an earlier alert of the same channel and topic about
the same event (same text, or similar Arabic title and lead within a time window) and links it there."""

from __future__ import annotations

import re
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice

from sqlalchemy.orm import Session

from rasid.storage.stories import article_texts, earlier_alerts, lock_linking, save_links, unchecked_alerts

try:
    from rasid.matching.normalize import normalize
except ImportError:  # pragma: no cover - the matcher's normaliser is the reference; this is its core

    def normalize(text: str) -> str:
        text = re.sub("[\u064b-\u065f\u0670\u0640]", "", text)
        return text.translate(str.maketrans("أإآٱىة", "اااايه"))


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


_P3 = frozenset(p for p in _PREFIXES if len(p) == 3)
_P2 = frozenset(p for p in _PREFIXES if len(p) == 2)
_P1 = frozenset(p for p in _PREFIXES if len(p) == 1)


def _tokens(text: str) -> list[str]:
    out = []
    for word in _WORD.findall(normalize(text).lower()):
        if word in _STOP:
            continue
        # The first prefix of _PREFIXES (longest first) leaving at least 3 letters goes: the prefixes of
        # one length are distinct, so one set look-up per length does what a loop over them would.
        n = len(word)
        if n >= 6 and word[:3] in _P3:
            word = word[3:]
        elif n >= 5 and word[:2] in _P2:
            word = word[2:]
        elif n >= 4 and word[0] in _P1:
            word = word[1:]
        if len(word) >= 3 and word not in _STOP:
            out.append(word)
    return out


def grams(text: str, n: int = 4) -> frozenset[str]:
    """Character n-grams of the normalised words (blind to clitics, tashkeel and spelling variants)."""
    padded = [f"_{word}_" for word in _tokens(text)]
    if n <= 5:  # tokens have 3 letters or more, so every padded word has at least one n-gram
        return frozenset([w[i : i + n] for w in padded for i in range(len(w) - n + 1)])
    return frozenset([w[i : i + n] for w in padded for i in range(max(1, len(w) - n + 1))])


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
    over the candidates' title n-grams, so unrelated candidates are skipped without a comparison.

    Kept cheap with set operations done in C: each n-gram's first article in a dict (filled with one
    `dict.update` per article), later ones in lists only for n-grams seen before."""

    LIMIT = 4 * MAX_CANDIDATES  # more hits than this: not worth it, compare with every candidate

    def __init__(self, feats: dict[int, LazyFeatures]) -> None:
        self.feats = feats
        self.first: dict[str, int] = {}
        self.more: dict[str, list[int]] = {}
        self.by_story: dict[int, list[int]] = {}

    def add(self, article_id: int) -> set[int] | None:
        """Index an article; returns the articles indexed before it that share a title n-gram or its
        story with it (None when there are more than LIMIT hits: then compare with every candidate)."""
        f = self.feats[article_id]
        title = f.title
        fresh = title.difference(self.first)
        self.first.update(dict.fromkeys(fresh, article_id))
        hits: list[int] = []
        if f.story_id is not None:
            same = self.by_story.setdefault(f.story_id, [])
            hits += same
            same.append(article_id)
        if len(fresh) < len(title):
            first, more = self.first, self.more
            for g in title - fresh:
                hits.append(first[g])
                later = more.get(g)
                if later is None:
                    more[g] = [article_id]
                else:
                    hits += later
                    later.append(article_id)
        return None if len(hits) > self.LIMIT else set(hits)


Known = tuple[int, int | None, int, datetime]  # alert id, its story's first alert, article id, created


def in_id_order(known: Sequence[Known], alerts: Sequence[tuple[int, int, datetime]]) -> bool:
    """Whether every known alert is older (a lower id) than every new one, the usual case."""
    return not known or not alerts or max(k[0] for k in known) < min(a[0] for a in alerts)


def link_group(
    known: list[Known],
    alerts: Sequence[tuple[int, int, datetime]],
    feats: dict[int, LazyFeatures],
    window: timedelta,
    threshold: float,
) -> list[tuple[int, int | None]]:
    """The story of each of `alerts` (id, article id, created; oldest first) of one channel and topic:
    (alert id, the first alert of the earlier story it joins, or None). `known` are the earlier alerts
    already grouped (newest first, at most MAX_CANDIDATES of them compared with each new one); each
    alert grouped joins them, so a batch of twins links to its first member. `known` is extended."""
    # Usually every known alert is older than every new one: then the candidates of a new alert are the
    # first MAX_CANDIDATES of `known`, i.e. those ranked above `top - MAX_CANDIDATES` (older known ones
    # are never compared, so neither indexed nor given features), and only those of them sharing an
    # n-gram or the story are looked at, in `known` order. Otherwise the plain scan.
    in_order = in_id_order(known, alerts)
    near = _Near(feats)
    for k in known[:MAX_CANDIDATES] if in_order else known:
        near.add(k[2])
    rank: dict[int, tuple[int, Known]] = (
        {k[2]: (-i, k) for i, k in enumerate(known[:MAX_CANDIDATES])} if in_order else {}
    )
    top = 0
    out: list[tuple[int, int | None]] = []
    for alert_id, alert_article, alert_created in alerts:
        mine = feats[alert_article]
        # Only reports sharing a title n-gram or the text can reach the threshold (> 0); the rest score
        # 0 and are passed over without computing anything (None: look at all).
        close = near.add(alert_article)
        candidates: Iterable[Known]
        if close is None or not in_order:
            candidates = islice((k for k in known if k[0] < alert_id), MAX_CANDIDATES)
        else:
            floor = top - MAX_CANDIDATES
            ranked = [rank[a] for a in close if a in rank]
            candidates = [k for r, k in sorted(ranked, reverse=True) if r > floor]
        best, best_score = None, threshold
        for aid, parent, article_id, created in candidates:
            if close is not None and article_id not in close:
                continue
            if created < alert_created - window or article_id == alert_article:
                continue
            theirs = feats[article_id]
            if mine.when and theirs.when and abs(mine.when - theirs.when) > window:
                continue  # reported on different days: crawled together (a backlog), not one story
            score = similarity(mine, theirs)
            if score >= best_score:
                best, best_score = parent or aid, score
        out.append((alert_id, best))
        entry = (alert_id, best, alert_article, alert_created)
        known.insert(0, entry)
        top += 1
        if in_order:
            rank[alert_article] = (top, entry)
    return out


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
        for aid, title, text, story, when in article_texts(session, missing):
            found[aid] = self._cache[aid] = LazyFeatures(title or "", text or "", story, _aware(when))
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return found

    def link_new(self, session: Session, limit: int = 500) -> int:
        """Group alerts not yet checked; returns how many became "also reported by" of an earlier one."""
        lock_linking(session)
        new = unchecked_alerts(session, limit)
        if not new:
            return 0
        groups: dict[tuple[str, str], list[tuple[int, int, datetime]]] = defaultdict(list)
        for alert_id, channel, topic, article_id, created in new:
            groups[(channel, topic)].append((alert_id, article_id, created))
        links: list[tuple[int, int | None]] = []
        for (channel, topic), alerts in groups.items():
            since = min(a[2] for a in alerts) - self.window
            earlier = earlier_alerts(
                session, channel, topic, since, max(a[0] for a in alerts), MAX_CANDIDATES + len(alerts)
            )
            known: list[Known] = sorted(((r[0], r[1], r[2], r[3]) for r in earlier), reverse=True)
            if not known and len(alerts) == 1:  # nothing earlier to compare with: no features needed
                links.append((alerts[0][0], None))
                continue
            compared = known[:MAX_CANDIDATES] if in_id_order(known, alerts) else known
            feats = self._features(session, {k[2] for k in compared} | {a[1] for a in alerts})
            links += link_group(known, alerts, feats, self.window, self.threshold)
        save_links(session, links)
        return sum(parent is not None for _, parent in links)
