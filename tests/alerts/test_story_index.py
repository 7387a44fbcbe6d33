"""Story grouping's fast paths decide exactly what the plain scan decides: the n-gram index, the ranked
candidate window and the new n-gram code, against the reference algorithm on random batches."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from rasid.alerts.stories import (
    _PREFIXES,
    _STOP,
    _WORD,
    MAX_CANDIDATES,
    Known,
    LazyFeatures,
    link_group,
    normalize,
    similarity,
)
from rasid.alerts.stories import grams as fast_grams

_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
WINDOW = timedelta(hours=36)
T0 = datetime(2026, 11, 22, tzinfo=UTC)


def reference_tokens(text: str) -> list[str]:
    """The tokenizer as first written (a loop over the prefixes)."""
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


def reference_grams(text: str, n: int = 4) -> frozenset[str]:
    out: set[str] = set()
    for word in reference_tokens(text):
        w = f"_{word}_"
        out.update(w[i : i + n] for i in range(max(1, len(w) - n + 1)))
    return frozenset(out)


def reference_link(
    known: list[Known],
    alerts: list[tuple[int, int, datetime]],
    feats: dict[int, LazyFeatures],
    threshold: float,
) -> list[tuple[int, int | None]]:
    """The grouping loop as first written: every candidate scanned (no index, no window ranking)."""
    out = []
    for alert_id, alert_article, alert_created in alerts:
        mine = feats[alert_article]
        best, best_score = None, threshold
        for n, (aid, parent, article_id, created) in enumerate(k for k in known if k[0] < alert_id):
            if n >= MAX_CANDIDATES:
                break
            if created < alert_created - WINDOW or article_id == alert_article:
                continue
            theirs = feats[article_id]
            if mine.when and theirs.when and abs(mine.when - theirs.when) > WINDOW:
                continue
            score = similarity(mine, theirs)
            if score >= best_score:
                best, best_score = parent or aid, score
        out.append((alert_id, best))
        known.insert(0, (alert_id, best, alert_article, alert_created))
    return out


def _word(rng: random.Random) -> str:
    prefix = rng.choice(["", "", "", "ال", "وال", "و", "ب", "لل"])
    return prefix + "".join(rng.choice(_LETTERS) for _ in range(rng.randint(2, 7)))


def test_tokens_and_grams_are_those_of_the_reference() -> None:
    rng = random.Random(3)
    stop = sorted(_STOP)
    for _ in range(3000):
        words = [_word(rng) if rng.random() < 0.8 else rng.choice(stop) for _ in range(rng.randint(0, 12))]
        text = " ".join(words)
        assert fast_grams(text) == reference_grams(text), text
    for word in ["والد", "والدة", "بالغ", "للها", "الحرب", "ولد", "فلسطين", "كالعادة", "ال", "و"]:
        assert fast_grams(word) == reference_grams(word), word


def _batch(
    rng: random.Random, n_known: int, n_new: int, shuffled: bool
) -> tuple[list[Known], list[tuple[int, int, datetime]], dict[int, LazyFeatures]]:
    """Known (newest first) and new alerts over articles drawn from a few stories (shared words, twins
    with one story id, reports of other days), so that many pairs are compared and some link."""
    vocab = [_word(rng) for _ in range(60)]  # small: titles share words, so the index has many hits
    stories = [[rng.choice(vocab) for _ in range(8)] for _ in range(12)]
    feats: dict[int, LazyFeatures] = {}
    rows = []
    for i in range(n_known + n_new):
        article = 1000 + i
        base = rng.choice(stories)
        title = " ".join(w if rng.random() < 0.7 else rng.choice(vocab) for w in base)
        lead = " ".join(rng.choice(vocab) for _ in range(30))
        story = rng.choice([None, article, 7, 8]) if rng.random() < 0.3 else article
        when = T0 + timedelta(hours=rng.choice([0, 1, 5, 30, 60, 200]))
        feats[article] = LazyFeatures(title, lead, story, when if rng.random() < 0.9 else None)
        created = T0 + timedelta(hours=i * rng.choice([0.01, 0.5, 3]))
        rows.append((article, created))
    ids = list(range(1, n_known + n_new + 1))
    if shuffled:  # alerts committed out of id order: some known alerts are newer than new ones
        rng.shuffle(ids)
    known_rows = sorted(zip(ids[:n_known], rows[:n_known], strict=True), reverse=True)
    known: list[Known] = [
        (aid, rng.choice([None, None, ids[0]]), art, created) for aid, (art, created) in known_rows
    ]
    pairs = zip(ids[n_known:], rows[n_known:], strict=True)
    new = sorted((aid, art, created) for aid, (art, created) in pairs)
    return known, new, feats


def test_link_group_decides_as_the_plain_scan() -> None:
    rng = random.Random(11)
    linked = 0
    for case in range(120):
        n_known = rng.choice([0, 1, 5, 40, 150])
        n_new = rng.choice([1, 2, 30, 160])
        threshold = rng.choice([0.18, 0.05, 0.01, 0.5])
        known, new, feats = _batch(rng, n_known, n_new, shuffled=case % 3 == 0)
        fresh = {a: LazyFeatures(f._title, f._text or "", f.story_id, f.when) for a, f in feats.items()}
        want = reference_link(list(known), new, fresh, threshold)
        got = link_group(list(known), new, feats, WINDOW, threshold)
        assert got == want, case
        linked += sum(p is not None for _, p in got)
    assert linked > 500  # the batches do link: the comparison is not vacuous


def test_many_hits_fall_back_to_the_scan_with_the_same_result() -> None:
    """Titles that all share their words exceed the index's hit limit: the plain scan decides."""
    rng = random.Random(5)
    feats = {}
    for i in range(300):
        feats[i] = LazyFeatures(
            "انضمام عضو جديد " + _word(rng), " ".join(_word(rng) for _ in range(20)), i, T0
        )
    known: list[Known] = [(300 - i, None, 299 - i, T0) for i in range(150)]
    new = [(301 + i, 149 - i, T0) for i in range(150)]
    fresh = {a: LazyFeatures(f._title, f._text or "", f.story_id, f.when) for a, f in feats.items()}
    assert link_group(list(known), new, feats, WINDOW, 0.18) == reference_link(list(known), new, fresh, 0.18)


def test_index_hits_are_exactly_the_articles_sharing_an_ngram_or_the_story() -> None:
    from rasid.alerts.stories import _Near

    rng = random.Random(2)
    vocab = [_word(rng) for _ in range(40)]
    feats = {
        i: LazyFeatures(" ".join(rng.choice(vocab) for _ in range(5)), "", rng.choice([None, 1, 2, i]))
        for i in range(200)
    }
    near = _Near(feats)
    sharing: dict[int, set[int]] = defaultdict(set)
    for i in range(200):
        hits = near.add(i)
        want = {
            j
            for j in range(i)
            if feats[i].title & feats[j].title
            or (feats[i].story_id is not None and feats[i].story_id == feats[j].story_id)
        }
        if hits is not None:
            assert hits == want, i
        sharing[i] = want
    assert any(sharing.values())


def test_only_the_newest_candidates_are_compared() -> None:
    """A twin just inside the MAX_CANDIDATES newest earlier alerts is found; one just outside is not."""
    rng = random.Random(9)
    for position, joins in ((MAX_CANDIDATES - 1, True), (MAX_CANDIDATES, False)):
        feats = {i: LazyFeatures(" ".join(_word(rng) for _ in range(8)), "", None, T0) for i in range(150)}
        twin = 149 - position  # the article of known[position]
        feats[500] = LazyFeatures(feats[twin]._title, "", None, T0)
        known: list[Known] = [(1000 - i, None, 149 - i, T0) for i in range(150)]
        fresh = {a: LazyFeatures(f._title, f._text or "", f.story_id, f.when) for a, f in feats.items()}
        want = reference_link(list(known), [(2000, 500, T0)], fresh, 0.18)
        assert link_group(list(known), [(2000, 500, T0)], feats, WINDOW, 0.18) == want
        assert (want[0][1] == 1000 - position) is joins
