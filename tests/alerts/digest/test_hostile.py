"""Hostile text in every digest output (HTML, Markdown, JSON, chat summary): controls removed, markup inert,
10,000-character titles cut; evidence read back from stored rows of any version."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import jsonschema
import lxml.html
import pytest
from markdown_it import MarkdownIt

from rasid.alerts.digest import SCHEMA, parse_week, summary
from rasid.alerts.digest.model import (
    HEADLINE_LIMIT,
    Counts,
    Digest,
    Evidence,
    OutletHealth,
    Report,
    Story,
    TopicDigest,
    evidence_of,
)
from rasid.alerts.digest.render_html import render_html
from rasid.alerts.digest.render_markdown import render_markdown
from rasid.matching.results import Evidence as Found
from rasid.matching.results import TermHit
from rasid.text import BIDI_CONTROLS, INVISIBLE

from .fill import TZ

WEEK = parse_week("2026-W47", TZ)
WHEN = datetime(2026, 11, 18, 10, tzinfo=ZoneInfo(TZ))
HOSTILE_CONTROLS = BIDI_CONTROLS.replace("\u2066", "").replace("\u2069", "") + INVISIBLE + "\x00\x1b"
CONTROLS = BIDI_CONTROLS + INVISIBLE + "\x00\x1b"
TITLE = CONTROLS + "<script>alert(1)</script> **عاجل** [x](javascript:alert(2)) " + "ش" * 10_000


def _digest() -> Digest:
    sentence = CONTROLS + "قالت  المصادر إن مخيم الهول " + "ج" * 10_000
    start = sentence.index("مخيم")
    found = Found("text", sentence, 0, len(sentence), [TermHit("مخيم", "مخيم الهول", start, start + 10)])
    reports = tuple(Report(i, TITLE, TITLE, f"https://e.org/{i}", WHEN) for i in range(3))
    story = Story(
        "s1", TITLE, TITLE, "https://e.org/0", WHEN, 1.0, "asserted", Evidence.from_match(found), reports
    )
    review = Story("a9", TITLE, TITLE, "javascript:alert(3)", WHEN, 0.5, "planned", None, reports[:1], TITLE)
    topic = TopicDigest("camp", "المخيمات", "Camps", Counts(1, 3), (3, 0, 0, 0, 0, 0, 0), (story,), (review,))
    outlet = OutletHealth(TITLE, "https://e.org/", 0, 0, "failed", None, None, TITLE, WHEN, 3)
    return Digest(WEEK, (topic,), (outlet,), 3, Counts(1, 3))


def _outputs() -> dict[str, str]:
    digest = _digest()
    md = render_markdown(digest)
    return {
        "html": render_html(digest, b"png"),
        "markdown": md,
        "markdown as html": MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(md),
        "json": json.dumps(digest.to_dict(), ensure_ascii=False),
        "summary text": summary(digest, "text"),
        "summary html": summary(digest, "html"),
    }


@pytest.mark.parametrize("output", list(_outputs()))
def test_hostile_titles_are_cleaned_and_cut_in_every_output(output: str) -> None:
    text = _outputs()[output]
    assert not any(ch in text for ch in HOSTILE_CONTROLS)
    assert text.count("\u2066") == text.count("\u2069")  # only the digest's own balanced isolates
    assert "ش" * (HEADLINE_LIMIT + 1) not in text and "ج" * 601 not in text and "ش" * 50 in text
    if output not in ("json", "summary text", "markdown"):
        tree = lxml.html.fromstring(text)
        assert not list(tree.iter("script")) and "javascript:" not in "".join(
            v for el in tree.iter() if isinstance(el.tag, str) for v in el.attrib.values()
        )


def test_json_keeps_its_schema_with_cleaned_strings() -> None:
    data = _digest().to_dict()
    jsonschema.validate(data, SCHEMA, format_checker=jsonschema.FormatChecker())
    story = data["topics"][0]["stories"][0]
    assert story["headline"].startswith("<script>alert(1)</script> **عاجل**") and story["headline"].endswith(
        "…"
    )
    assert [h["text"] for h in story["evidence"]["highlights"]] == ["مخيم الهول"]
    assert story["evidence"]["sentence"].startswith("قالت المصادر إن مخيم الهول")


def test_evidence_of_reads_stored_rows_of_any_version() -> None:
    sentence = "قالت\u200f  المصادر\n\n إن  مخيم الهول \u202bسُلّم"
    terms = [(sentence.index("مخيم"), sentence.index("الهول") + 5), (sentence.index("سُلّم"), len(sentence))]
    stored = Found(
        "text", sentence, 40, 40 + len(sentence), [TermHit("t", "", 40 + s, 40 + e) for s, e in terms]
    )
    for rows in ([stored.to_dict()], [stored], [{"sentence": " \u200f "}, {"x": 1}, stored.to_dict()]):
        shown = evidence_of(rows)
        assert shown is not None and shown.sentence == "قالت المصادر إن مخيم الهول سُلّم"
        assert [shown.sentence[h.start : h.end] for h in shown.highlights] == ["مخيم الهول", "سُلّم"]
    old = evidence_of([{"sentence": "مخيم الهول", "terms": [{"start": 0, "end": 4}]}])  # no field, end, text
    assert old is not None and old.field == "text" and old.segments() == [("مخيم", True), (" الهول", False)]
    assert evidence_of(None) is None and evidence_of([]) is None and evidence_of([{"sentence": ""}]) is None
