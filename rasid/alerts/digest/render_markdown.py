"""digest.md: the digest as Markdown for chat and wikis; everything from the web is escaped."""

from __future__ import annotations

from rasid.alerts.digest.escape import md, md_link
from rasid.alerts.digest.labels import (
    ALL_OUTLETS_OK,
    NO_MATCHES,
    NO_STORIES,
    PLANNED,
    REVIEW_NOTE,
    REVIEW_TITLE,
    REVIEW_WHY,
    STATUS,
    TITLE,
    ltr,
    outlet_note,
    topic_counts,
    week_line,
    when,
)
from rasid.alerts.digest.model import Digest, Evidence, Story, TopicDigest

CHART_FILE = "activity.png"


def _evidence(evidence: Evidence | None) -> str:
    if evidence is None or not evidence.sentence:
        return ""
    out = []
    for text, hit in evidence.segments():
        core = text.strip()
        if hit and core:
            lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
            out.append(f"{lead}**{md(core)}**{trail}")
        else:
            out.append(md(text))
    return "".join(out)


def _story(n: int, story: Story, review: bool = False) -> list[str]:
    planned = f" · {PLANNED}" if story.modality == "planned" else ""
    lines = [
        f"{n}. **{md_link(story.headline, story.url)}**  ",
        f"   {md(story.outlet)} · {md(when(story.published))}{planned}",
    ]
    if review:
        lines += ["", f"   *{md(REVIEW_WHY)}: {md(story.review_reason or '—')}*"]
    sentence = _evidence(story.evidence)
    if sentence:
        lines += ["", f"   > {sentence}"]
    others = [r for r in story.reports if r.url != story.url]
    if others:
        lines += ["", f"   نشرته أيضاً (المنافذ: {len(story.outlets)}):"]
        lines += [
            f"   - {md(r.outlet)}: {md_link(r.headline, r.url)} · {md(when(r.published))}" for r in others
        ]
    lines.append("")
    return lines


def _topic(digest: Digest, topic: TopicDigest) -> list[str]:
    en = f" ({md(topic.title_en)})" if topic.title_en else ""
    c = topic.counts
    lines = [
        f"## {md(topic.title_ar)}{en}",
        "",
        md(topic_counts(digest, c.stories, c.articles, c.previous_stories, c.previous_articles)),
        "",
    ]
    if not topic.stories:
        return [*lines, NO_STORIES, ""]
    for i, story in enumerate(topic.stories, 1):
        lines += _story(i, story)
    return lines


def _review(digest: Digest) -> list[str]:
    """The possible matches of every topic, after the confident ones; nothing when there are none."""
    topics = digest.to_review
    if not topics:
        return []
    lines = [f"## {REVIEW_TITLE}", "", md(REVIEW_NOTE), ""]
    for topic in topics:
        en = f" ({md(topic.title_en)})" if topic.title_en else ""
        lines += [f"### {md(topic.title_ar)}{en}", ""]
        for i, story in enumerate(topic.review, 1):
            lines += _story(i, story, review=True)
    return lines


def render_markdown(digest: Digest) -> str:
    label = digest.week.label
    lines = [f"# {TITLE} — {ltr(label)}", "", md(week_line(digest)), ""]
    if digest.empty:
        lines += [NO_MATCHES, ""]
    lines += [
        "| الموضوع | قصص هذا الأسبوع | مقالات | قصص الأسبوع الماضي | مقالات |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for t in digest.topics:
        c = t.counts
        lines.append(
            f"| {md(t.title_ar)} | {c.stories} | {c.articles} | "
            f"{c.previous_stories} | {c.previous_articles} |"
        )
    c = digest.totals
    lines += [
        f"| **المجموع** | {c.stories} | {c.articles} | {c.previous_stories} | {c.previous_articles} |",
        "",
        f"![{md('المطابقات لكل موضوع في كل يوم')}]({CHART_FILE})",
        "",
    ]
    for t in digest.topics:
        lines += _topic(digest, t)
    lines += _review(digest)
    lines += ["## المنافذ التي تعذّر جلبها أو صمتت", ""]
    troubled = digest.troubled
    if not troubled:
        lines.append(ALL_OUTLETS_OK)
    for o in troubled:
        note = outlet_note(o, digest.week.local(o.last_article_at) if o.last_article_at else None)
        lines.append(f"- {md_link(o.name, o.homepage)}: {md(STATUS[o.status])} — {md(note)}")
    return "\n".join(lines).rstrip("\n") + "\n"
