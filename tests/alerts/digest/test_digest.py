"""The digest of a week read from a real database (SQLite and PostgreSQL): stories grouped across
outlets, counts beside last week's, outlet health, the four files identical when regenerated, the JSON
valid against its schema, an empty week that says so, and hostile text that stays text."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import jsonschema
import lxml.html
import pytest
from markdown_it import MarkdownIt

from rasid.alerts.digest import SCHEMA, TopicInfo, build_digest, collect_week, parse_week, summary
from rasid.alerts.digest.labels import NO_MATCHES, REVIEW_TITLE
from rasid.storage import Database

from .fill import TZ, Filler, evidence

TOPICS = [
    TopicInfo("new_member", "انضمام عضو جديد إلى التحالف", "A new member joins"),
    TopicInfo("camp_handover", "انتقال السيطرة على المخيمات", "Camp handover"),
    TopicInfo("communique", "بيان وزاري", "Communique"),
]
WEEK = parse_week("2026-W47", TZ)


def at(day: int, hour: int) -> datetime:
    """A moment in November 2026, Damascus time."""
    return datetime(2026, 11, day, hour, 0, tzinfo=ZoneInfo(TZ))


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def filled(db: Database) -> Filler:
    f = Filler(db)
    f.source("منفذ أ")
    f.source("منفذ ب")
    f.source("منفذ ج")  # silent: nothing this week
    f.source(
        "منفذ د",
        last_error="HTTP 503 من الخادم",
        last_error_at=at(20, 9),
        consecutive_failures=3,
        last_success_at=at(14, 9),
    )
    handover = evidence("تسلمت الحكومة إدارة مخيم الهول صباح اليوم", ["تسلمت", "مخيم الهول"])
    f.article("منفذ أ", "الحكومة تتسلم مخيم الهول", at(17, 10), story=7, topics={"camp_handover": handover})
    f.article("منفذ ب", "تسلم مخيم الهول رسمياً", at(17, 12), story=7, topics={"camp_handover": handover})
    f.article("منفذ ب", "تفاصيل جديدة عن الهول", at(18, 8), story=7)  # same story, did not match itself
    f.article(
        "منفذ أ",
        "البيان الختامي لوزراء التحالف",
        at(21, 22),
        topics={"communique": evidence("صدر البيان الختامي عن الوزراء", ["البيان الختامي"], "title", 0)},
    )
    f.article(  # undated: it counts on the day it was first seen (Thursday)
        "منفذ ب",
        "موزمبيق تنضم إلى التحالف",
        None,
        fetched=at(19, 15),
        topics={"new_member": evidence("أعلنت موزمبيق انضمامها", ["انضمامها"])},
        modality="planned",
    )
    f.article("منفذ أ", "خبر قديم عن موضوع سابق", at(22, 23), topics={"old_topic": []})
    f.article("منفذ ج", "الأسبوع الماضي", at(12, 9), topics={"camp_handover": handover})
    f.article("منفذ أ", "الأسبوع القادم", at(23, 1), topics={"camp_handover": handover})
    for i in range(5):
        f.article("منفذ ب", f"خبر عادي {i}", at(16, 1 + i))
    return f


def test_stories_counts_and_outlets(filled: Filler) -> None:
    digest = collect_week(filled.db, WEEK, TOPICS)
    assert [t.id for t in digest.topics] == ["new_member", "camp_handover", "communique", "old_topic"]
    new_member, camp, communique, old = digest.topics

    (story,) = camp.stories
    assert story.key == "s7"
    assert story.headline == "الحكومة تتسلم مخيم الهول" and story.outlet == "منفذ أ"
    assert story.outlets == ["منفذ أ", "منفذ ب"]
    assert [r.headline for r in story.reports] == [
        "الحكومة تتسلم مخيم الهول",
        "تسلم مخيم الهول رسمياً",
        "تفاصيل جديدة عن الهول",
    ]
    assert story.published.isoformat() == "2026-11-17T10:00:00+03:00"
    assert story.evidence is not None
    marked = [story.evidence.sentence[h.start : h.end] for h in story.evidence.highlights]
    assert marked == ["تسلمت", "مخيم الهول"]
    assert (camp.counts.stories, camp.counts.articles) == (1, 2)
    assert (camp.counts.previous_stories, camp.counts.previous_articles) == (1, 1)
    assert camp.per_day == (0, 2, 0, 0, 0, 0, 0)

    assert new_member.per_day == (0, 0, 0, 1, 0, 0, 0)
    assert new_member.stories[0].modality == "planned"
    assert communique.stories[0].key.startswith("a")
    assert communique.stories[0].evidence is not None
    assert communique.stories[0].evidence.field == "title"
    assert old.title_ar == "old_topic" and old.stories[0].evidence is None

    assert (digest.totals.stories, digest.totals.articles) == (4, 5)
    assert digest.articles == 11  # 6 above (one unmatched) and 5 unmatched
    status = {o.name: o.status for o in digest.outlets}
    assert status == {"منفذ أ": "ok", "منفذ ب": "ok", "منفذ ج": "silent", "منفذ د": "failed"}
    failed = next(o for o in digest.outlets if o.status == "failed")
    assert failed.consecutive_failures == 3 and failed.last_error == "HTTP 503 من الخادم"


def test_files_are_identical_when_regenerated_and_json_is_valid(filled: Filler, tmp_path: Path) -> None:
    first = build_digest(filled.db, WEEK, TOPICS, tmp_path / "a")
    again = build_digest(filled.db, WEEK, TOPICS, tmp_path / "b")
    assert first.folder.name == "2026-W47"
    for one, two in zip(first.all, again.all, strict=True):
        assert one.read_bytes() == two.read_bytes(), one.name
    assert first.chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    data = json.loads(first.json.read_text(encoding="utf-8"))
    schema = json.loads(first.schema.read_text(encoding="utf-8"))
    assert schema == SCHEMA
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    validator.validate(data)
    assert data["week"] == "2026-W47" and data["start"] == "2026-11-16T00:00:00+03:00"
    assert data["topics"][1]["stories"][0]["outlets"] == ["منفذ أ", "منفذ ب"]
    broken = {**data, "topics": [{**data["topics"][0], "per_day": [1, 2]}]}
    assert list(validator.iter_errors(broken)), "the schema must reject a per_day of two days"

    page = first.html.read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in page
    assert "data:image/png;base64," in page and 'http-equiv="Content-Security-Policy"' in page
    assert "<mark>مخيم الهول</mark>" in page
    md = first.markdown.read_text(encoding="utf-8")
    assert "**مخيم الهول**" in md and "](activity.png)" in md


def test_a_week_without_matches_says_so(db: Database, tmp_path: Path) -> None:
    f = Filler(db)
    f.source("منفذ أ")
    f.article("منفذ أ", "خبر لا يطابق شيئاً", at(18, 10))
    files = build_digest(db, WEEK, TOPICS, tmp_path)
    assert NO_MATCHES in files.html.read_text(encoding="utf-8")
    assert NO_MATCHES in files.markdown.read_text(encoding="utf-8")
    data = json.loads(files.json.read_text(encoding="utf-8"))
    jsonschema.validate(data, SCHEMA)
    assert [t["stories"] for t in data["topics"]] == [[], [], []]
    assert data["articles"] == 1 and data["totals"]["stories"] == 0
    assert files.chart.stat().st_size > 1000


HOSTILE = (
    "\u202eعاجل</b><script>alert(1)</script><img src=x onerror=alert(2)> "
    "**غامق** [اضغط](javascript:alert(3)) | خلية | <!-- تعليق --> &amp; ~~مشطوب~~"
)


def test_hostile_headlines_stay_text(db: Database, tmp_path: Path) -> None:
    f = Filler(db)
    f.source('<b onmouseover="alert(4)">منفذ</b>')
    ev = evidence("جملة <script>alert(5)</script> فيها مخيم الهول", ["مخيم الهول"])
    f.article(
        '<b onmouseover="alert(4)">منفذ</b>',
        HOSTILE,
        at(18, 10),
        url="javascript:alert(6)",
        topics={"camp_handover": ev},
    )
    files = build_digest(db, WEEK, TOPICS, tmp_path)

    page = files.html.read_text(encoding="utf-8")
    _assert_inert(page)
    tree = lxml.html.fromstring(page)
    assert HOSTILE.replace("\u202e", "") in tree.text_content()  # shown literally, without the bidi override
    assert "\u202e" not in page

    md = files.markdown.read_text(encoding="utf-8")
    rendered = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(md)
    _assert_inert(rendered)
    assert "<del>" not in rendered and "<s>" not in rendered
    assert "alert(3)" in lxml.html.fromstring(rendered).text_content()


def _assert_inert(page: str) -> None:
    """No element or attribute the page did not mean: no scripts, no handlers, links only to http(s)."""
    tree = lxml.html.fromstring(page)
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        assert el.tag not in ("script", "iframe", "object", "embed"), el.tag
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (el.tag, name)
            if name == "href":
                assert value.startswith(("http://", "https://", "#")), value
            if name == "src":
                assert value.startswith("data:image/png;base64,") or value == "activity.png", value
        if el.tag == "b":
            assert not el.attrib
    assert [img.get("src", "")[:22] for img in tree.iter("img")] in (
        ["data:image/png;base64,"],
        ["activity.png"],
    )


def test_evidence_offsets_survive_cleaning(db: Database) -> None:
    f = Filler(db)
    f.source("منفذ")
    sentence = "قالت\u200f  المصادر\n\n إن  مخيم الهول \u202bسُلّم"
    f.article("منفذ", "خبر", at(18, 10), topics={"camp_handover": evidence(sentence, ["مخيم الهول", "سُلّم"])})
    story = collect_week(db, WEEK, TOPICS).topics[1].stories[0]
    assert story.evidence is not None
    assert story.evidence.sentence == "قالت المصادر إن مخيم الهول سُلّم"
    assert [story.evidence.sentence[h.start : h.end] for h in story.evidence.highlights] == [
        "مخيم الهول",
        "سُلّم",
    ]


def test_dates_between_weeks(db: Database) -> None:
    f = Filler(db)
    f.source("منفذ")
    ev = evidence("مخيم الهول", ["مخيم الهول"])
    f.article("منفذ", "أول لحظة", WEEK.start, topics={"camp_handover": ev})
    f.article("منفذ", "آخر لحظة", WEEK.end - timedelta(microseconds=1), topics={"camp_handover": ev})
    f.article("منفذ", "بعد النهاية", WEEK.end, topics={"camp_handover": ev})
    camp = collect_week(db, WEEK, TOPICS).topics[1]
    assert [s.headline for s in camp.stories] == ["أول لحظة", "آخر لحظة"]
    assert camp.per_day == (1, 0, 0, 0, 0, 0, 1)


def test_review_matches_are_listed_apart_after_the_confident_ones(filled: Filler, tmp_path: Path) -> None:
    f = filled
    before = collect_week(f.db, WEEK, TOPICS)
    why = "الهول بعيد عن كلمة التسليم <b>14</b> كلمة"
    far = evidence("قالت المصادر إن الحكومة تسلمت ملفات كثيرة في الشرق ومنها مخيم الهول", ["مخيم الهول"])
    f.article(
        "منفذ أ",
        "ملفات الشرق",
        at(19, 9),
        topics={"camp_handover": far},
        confidence="review",
        review_reason=why,
    )
    # a possible report of a story that also has confident reports is one of that story's, not to review
    f.article(
        "منفذ أ", "المخيم مجدداً", at(18, 9), story=7, topics={"camp_handover": far}, confidence="review"
    )
    f.article("منفذ ب", "بيان؟", at(20, 9), topics={"communique": []}, confidence="review")
    digest = collect_week(f.db, WEEK, TOPICS)
    new_member, camp, communique, _old = digest.topics
    assert [s.headline for s in camp.review] == ["ملفات الشرق"] and camp.review[0].review_reason == why
    assert camp.review[0].evidence is not None and camp.review[0].key.startswith("a")
    assert [s.headline for s in communique.review] == ["بيان؟"] and communique.review[0].review_reason is None
    assert not new_member.review and [t.id for t in digest.to_review] == ["camp_handover", "communique"]
    # the confident stories, counts and chart are as they were
    (story,) = camp.stories
    assert story.headline == before.topics[1].stories[0].headline
    assert "المخيم مجدداً" in [r.headline for r in story.reports]
    assert camp.counts == before.topics[1].counts
    assert camp.per_day == before.topics[1].per_day and digest.totals == before.totals

    files = build_digest(f.db, WEEK, TOPICS, tmp_path)
    data = json.loads(files.json.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(data)
    camp_json = data["topics"][1]
    assert [s["headline"] for s in camp_json["stories"]] == ["الحكومة تتسلم مخيم الهول"]
    assert [(s["headline"], s["review_reason"]) for s in camp_json["review"]] == [("ملفات الشرق", why)]
    assert data["topics"][0]["review"] == [] and data["topics"][2]["review"][0]["review_reason"] is None

    md = files.markdown.read_text(encoding="utf-8")
    at_review, at_outlets = md.index(f"## {REVIEW_TITLE}"), md.index("## المنافذ")
    assert md.index("## بيان وزاري") < at_review < at_outlets
    section = md[at_review:at_outlets]
    assert "### انتقال السيطرة على المخيمات (Camp handover)" in section and "ملفات الشرق" in section
    assert "للمراجعة لأن: الهول بعيد عن كلمة التسليم \\<b\\>14\\</b\\> كلمة" in section
    assert "ملفات الشرق" not in md[:at_review]
    rendered = MarkdownIt("commonmark").render(md)
    _assert_inert(rendered)

    page = files.html.read_text(encoding="utf-8")
    _assert_inert(page)
    tree = lxml.html.fromstring(page)
    sections = [el.get("id") for el in tree.iter("section")]
    assert sections.index("review") == len(sections) - 2 and sections[-1] == "outlets"
    (review,) = tree.xpath('//section[@id="review"]')
    assert "To review" in review.text_content() and why in review.text_content()
    assert [h.text_content() for h in review.iter("h4")] == ["ملفات الشرق", "بيان؟"]
    assert "&lt;b&gt;14&lt;/b&gt;" in page

    text = summary(files.digest, "html")
    assert f"<b>{REVIEW_TITLE}:</b>" in text and "• انتقال السيطرة على المخيمات: 1" in text


def test_a_week_of_review_matches_only_is_not_empty(db: Database, tmp_path: Path) -> None:
    f = Filler(db)
    f.source("منفذ أ")
    f.article("منفذ أ", "ربما", at(18, 10), topics={"new_member": []}, confidence="review", review_reason="x")
    files = build_digest(db, WEEK, TOPICS, tmp_path)
    assert not files.digest.empty and files.digest.totals.stories == 0
    assert NO_MATCHES not in files.markdown.read_text(encoding="utf-8")
    assert f"## {REVIEW_TITLE}" in files.markdown.read_text(encoding="utf-8")
