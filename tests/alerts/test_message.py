"""Composing alerts: untrusted text escaped, matched words in bold, planned events marked, sizes bounded."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from rasid.alerts.message import TELEGRAM_LIMIT, AlertView, Also, compose, compose_batch, sentence_of
from rasid.alerts.telegram import size
from rasid.matching.results import Evidence, TermHit
from rasid.text import BIDI_CONTROLS, INVISIBLE


def _view(
    headline: str = "سوريا تنضم إلى التحالف", sentence: str = "أعلنت سوريا انضمامها إلى التحالف الدولي"
) -> AlertView:
    start = sentence.index("انضمامها")
    return AlertView(
        topic="new_member",
        topic_title="انضمام عضو جديد",
        headline=headline,
        outlet="عنب بلدي",
        url="https://example.org/a?x=1&y=2",
        published=datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
        fetched=datetime(2026, 11, 20, 9, 40, tzinfo=UTC),
        modality="asserted",
        evidence=[
            {
                "field": "text",
                "sentence": sentence,
                "start": 100,
                "end": 100 + len(sentence),
                "terms": [
                    {"term": "انضمام", "text": "انضمامها", "start": 100 + start, "end": 100 + start + 8}
                ],
            }
        ],
    )


def test_telegram_html_is_escaped_and_bolds_matched_terms() -> None:
    msg = compose(_view(headline="<script>alert(1)</script> & **bold**"), "tgram", "Asia/Damascus")
    assert msg.body_format == "html"
    assert "<script>" not in msg.body and "&lt;script&gt;" in msg.body
    assert "<b>انضمامها</b>" in msg.body
    assert "2026-11-20 12:30" in msg.body  # Damascus time
    assert 'href="https://example.org/a?x=1&amp;y=2"' in msg.body


def test_plain_text_for_other_services() -> None:
    msg = compose(_view(), "json", "Asia/Damascus")
    assert msg.body_format == "text"
    lines = msg.body.splitlines()
    assert lines[0] == "انضمام عضو جديد" and lines[-1] == "https://example.org/a?x=1&y=2"


def test_hostile_headline_is_cut_and_rtl_overrides_removed() -> None:
    msg = compose(
        _view(headline="\u202e" + "خبر " * 5000, sentence="جملة " * 3000 + "انضمامها"), "tgram", "UTC"
    )
    assert len(msg.body) <= TELEGRAM_LIMIT and "\u202e" not in msg.body
    assert msg.body.count("<b>") == msg.body.count("</b>")


def test_planned_events_are_marked() -> None:
    view = _view()
    planned = AlertView(**{**view.__dict__, "modality": "planned"})
    assert "planned" in compose(planned, "json", "UTC").body
    assert "planned" not in compose(view, "json", "UTC").body


def test_email_is_right_to_left_html() -> None:
    msg = compose(_view(), "mailto", "UTC")
    assert msg.body.startswith('<div dir="rtl" lang="ar"') and msg.body_format == "html"
    assert "<b>انضمامها</b>" in msg.body and msg.title == "[انضمام عضو جديد] سوريا تنضم إلى التحالف"


def test_hostile_titles_arrive_escaped_and_cut_in_every_form() -> None:
    hostile = '<a href="javascript:x">**x**</a> [l](http://e.vil) \u202b\u200fعنوان ' + "ش" * 10_000
    view = _view(headline=hostile)
    view = AlertView(**{**view.__dict__, "url": "https://e.org/" + "a" * 10_000, "outlet": "<i>منفذ</i>"})
    tg = compose(view, "tgram", "UTC").body
    assert size(tg) <= TELEGRAM_LIMIT and '<a href="javascript' not in tg and "&lt;a href=" in tg
    assert "<i>" not in tg and "\u202b" not in tg and "\u200f" not in tg
    assert tg.count("<b>") == tg.count("</b>") and tg.count("<a ") == tg.count("</a>")
    mail = compose(view, "mailto", "UTC").body
    assert "<i>" not in mail and "javascript" not in mail.split("&lt;a href=")[0]
    plain = compose(view, "json", "UTC")
    assert len(plain.body) < 4000 and len(plain.title) <= 200 and "\u202b" not in plain.body


def test_followups_and_folded_reports_keep_the_plain_first_and_last_lines() -> None:
    view = _view()
    folded = AlertView(**{**view.__dict__, "also": (Also("مرصد", "عنوان آخر", "https://m.org/2"),)})
    lines = compose(folded, "json", "UTC").body.splitlines()
    assert lines[0] == "انضمام عضو جديد" and lines[-1] == view.url
    assert any("مرصد" in line and "https://m.org/2" in line for line in lines)
    follow = AlertView(**{**view.__dict__, "followup": True})
    lines = compose(follow, "json", "UTC").body.splitlines()
    assert lines[0] == "انضمام عضو جديد" and lines[-1] == view.url and "also reported by" in lines[1]


def _review(view: AlertView, reason: str = "the coalition is 14 words from the joining word") -> AlertView:
    return AlertView(**{**view.__dict__, "confidence": "review", "review_reason": reason})


def test_a_review_alert_says_it_is_possible_and_why_in_every_form() -> None:
    view = _review(_view())
    tg = compose(view, "tgram", "UTC")
    assert "<b>انضمام عضو جديد (مطابقة محتملة — possible match)</b>" in tg.body
    assert (
        "<i>للمراجعة لأن — to review because: the coalition is 14 words from the joining word</i>" in tg.body
    )
    mail = compose(view, "mailto", "UTC")
    assert "possible match" in mail.body and "to review because: the coalition is 14 words" in mail.body
    assert mail.title.startswith("[انضمام عضو جديد — مطابقة محتملة] ")
    lines = compose(view, "json", "UTC").body.splitlines()
    assert lines[0] == "انضمام عضو جديد (مطابقة محتملة — possible match)"
    assert lines[3].endswith("the coalition is 14 words from the joining word")
    assert lines[-1] == "https://example.org/a?x=1&y=2"
    confident = compose(_view(), "tgram", "UTC")
    assert "possible match" not in confident.body and "to review" not in confident.body
    for scheme in ("tgram", "mailto", "json"):
        batch = compose_batch([_view(), view], scheme, "UTC")
        assert batch.body.count("possible match") == 1 and "to review because" in batch.body


def test_a_hostile_review_reason_is_escaped_and_cut() -> None:
    view = _review(_view(), "<script>x</script>\u202e " + "سبب " * 500)
    for scheme, escaped in (("tgram", True), ("mailto", True), ("json", False)):
        body = compose(view, scheme, "UTC").body
        assert "\u202e" not in body
        assert ("<script>" not in body) if escaped else ("<script>" in body)
        assert "&lt;script&gt;" in body if escaped else True
    tg = compose(_review(_view(headline="خبر " * 5000, sentence="جملة " * 3000 + "انضمامها")), "tgram", "UTC")
    assert size(tg.body) <= TELEGRAM_LIMIT and "to review because" in tg.body
    assert tg.body.count("<i>") == tg.body.count("</i>")


EVERY_CONTROL = BIDI_CONTROLS + INVISIBLE + "\x00\x1b"
FORMS = {"tgram": TELEGRAM_LIMIT, "mailto": 60_000, "json": 12_000}


def _hostile() -> AlertView:
    headline = f"{EVERY_CONTROL}<script>alert(1)</script> " + "ش" * 10_000
    view = _view(headline=headline, sentence=EVERY_CONTROL + "أعلنت سوريا  انضمامها " + "ج" * 10_000)
    also = tuple(Also(f"<b>{EVERY_CONTROL}منفذ</b>", headline, f"https://m.org/{i}") for i in range(30))
    return replace(
        view,
        topic_title="انضمام\u202e عضو",
        outlet=EVERY_CONTROL + "<i>منفذ</i>" + "م" * 10_000,
        also=also,
        review_reason=headline,
    )


@pytest.mark.parametrize("scheme", sorted(FORMS))
@pytest.mark.parametrize("review", [False, True])
@pytest.mark.parametrize("followup", [False, True])
def test_hostile_titles_in_every_form_and_batch(scheme: str, review: bool, followup: bool) -> None:
    view = replace(_hostile(), confidence="review" if review else "alert", followup=followup)
    html_form = scheme != "json"
    for msg in (compose(view, scheme, "UTC"), compose_batch([view, view, _view()], scheme, "UTC")):
        for text in (msg.body, msg.title):
            assert not any(ch in text for ch in EVERY_CONTROL), scheme
        assert len(msg.title) <= 200 and len(msg.body) <= FORMS[scheme]
        if html_form:
            assert "<script>" not in msg.body and "&lt;script&gt;" in msg.body and "<i>منفذ" not in msg.body
            for tag in ("b", "i", "a"):
                assert msg.body.count(f"<{tag}>") + msg.body.count(f"<{tag} ") == msg.body.count(f"</{tag}>")
        if scheme == "tgram":
            assert size(msg.body) <= TELEGRAM_LIMIT


def test_each_piece_is_cut_on_a_word() -> None:
    view = replace(_view(), headline="خبر عاجل " * 100)
    first = compose(view, "json", "UTC").body.splitlines()[1]
    assert first.endswith("عاجل…") or first.endswith("خبر…")
    assert len(first) <= 300


def test_evidence_is_read_back_as_a_typed_record_stored_or_built() -> None:
    stored = _view()
    typed = replace(stored, evidence=[Evidence.from_dict(e) for e in stored.evidence])  # type: ignore[arg-type]
    assert (
        sentence_of(stored) == sentence_of(typed) == ("أعلنت سوريا انضمامها إلى التحالف الدولي", [(12, 20)])
    )
    for scheme in FORMS:
        assert compose(stored, scheme, "UTC") == compose(typed, scheme, "UTC")
    # a row of an older version (no field, end or term text) and a damaged one still compose
    old = replace(
        stored,
        evidence=[{"bad": 1}, {"sentence": "قالت المصادر", "start": 0, "terms": [{"start": 5, "end": 12}]}],
    )
    assert "<b>المصادر</b>" in compose(old, "tgram", "UTC").body
    assert sentence_of(replace(stored, evidence=[])) == ("", [])
    blank = replace(stored, evidence=[{"sentence": "\u200f \u202e"}, *stored.evidence])
    assert sentence_of(blank) == sentence_of(stored)


def test_spans_stay_on_their_words_when_controls_are_removed() -> None:
    sentence = "\u202bأعلنت\u200f سوريا\n\n انضمامها إلى التحالف"
    start = sentence.index("انضمامها")
    ev = Evidence("text", sentence, 0, len(sentence), [TermHit("انضمام", "انضمامها", start, start + 8)])
    view = replace(_view(), evidence=[ev])
    assert sentence_of(view) == ("أعلنت سوريا انضمامها إلى التحالف", [(12, 20)])
    assert "<b>انضمامها</b>" in compose(view, "mailto", "UTC").body
