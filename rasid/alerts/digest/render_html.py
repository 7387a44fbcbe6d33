"""digest.html: one self-contained right-to-left page (styles and chart inline), readable on a phone
and printable. Every string from the web is escaped; links go only to http(s) addresses."""

from __future__ import annotations

import base64

from rasid.alerts.digest.escape import h, safe_url
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

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 54rem; padding: 1rem; font-family: "Noto Naskh Arabic", "Noto Sans Arabic",
  "DejaVu Sans", "Segoe UI", Tahoma, Arial, sans-serif; line-height: 1.7; color: #1d1d1d; background: #fff; }
h1 { font-size: 1.6rem; margin: 0 0 .2rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 .5rem; border-bottom: 2px solid #1b6ca8; padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 0 0 .2rem; }
h4 { font-size: 1rem; margin: 0 0 .2rem; }
#review h3 { margin: 1rem 0 .4rem; }
.why { color: #8d4a00; font-size: .9rem; }
.period, .meta, .en, .note { color: #555; font-size: .9rem; }
.en { direction: ltr; unicode-bidi: isolate; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; font-size: .95rem; }
th, td { border: 1px solid #ccc; padding: .3rem .5rem; text-align: right; vertical-align: top; }
th { background: #f1f4f8; }
td.n { text-align: center; font-variant-numeric: tabular-nums; }
.chart img { width: 100%; height: auto; border: 1px solid #e3e3e3; }
ol.stories { padding-inline-start: 1.4rem; }
li.story { margin: 0 0 1rem; break-inside: avoid; }
blockquote { margin: .3rem 0; padding: .3rem .7rem; border-inline-start: 4px solid #edae49;
  background: #fdf8ee; }
mark { background: #ffe08a; padding: 0 .1em; }
.reports { margin: .2rem 0 0; padding-inline-start: 1.2rem; font-size: .9rem; }
.planned { color: #8d4a00; font-weight: bold; }
.empty { padding: .8rem; background: #f1f4f8; border-radius: .3rem; }
a { color: #1b6ca8; overflow-wrap: anywhere; }
bdi { unicode-bidi: isolate; }
@media print { body { max-width: none; font-size: 11pt; } a { color: inherit; } h2 { break-after: avoid; } }
"""


def _link(text: str, url: str) -> str:
    target = safe_url(url)
    if target is None:
        return f"<bdi>{h(text)}</bdi>"
    return f'<a href="{h(target)}" rel="noopener noreferrer"><bdi>{h(text)}</bdi></a>'


def _evidence(evidence: Evidence | None) -> str:
    if evidence is None or not evidence.sentence:
        return ""
    inner = "".join(f"<mark>{h(t)}</mark>" if hit else h(t) for t, hit in evidence.segments())
    return f"<blockquote><bdi>{inner}</bdi></blockquote>"


def _story(story: Story, review: str = "") -> str:
    """One story as a list item; `review` (the topic id) for a story of possible matches: its reason is
    shown and its anchor is its own."""
    planned = f' · <span class="planned">{PLANNED}</span>' if story.modality == "planned" else ""
    anchor, heading = (f"review-{review}-{story.key}", "h4") if review else (story.key, "h3")
    parts = [
        f'<li class="story" id="{h(anchor)}">',
        f"<{heading}>{_link(story.headline, story.url)}</{heading}>",
        f'<div class="meta"><bdi>{h(story.outlet)}</bdi> · {h(when(story.published))}{planned}</div>',
    ]
    if review:
        parts.append(f'<div class="why">{h(REVIEW_WHY)}: <bdi>{h(story.review_reason or "—")}</bdi></div>')
    parts.append(_evidence(story.evidence))
    others = [r for r in story.reports if r.url != story.url]
    if others:
        parts.append(
            f'<div class="note">نشرته أيضاً (المنافذ: {len(story.outlets)}):</div><ul class="reports">'
        )
        parts += [
            f"<li><bdi>{h(r.outlet)}</bdi>: {_link(r.headline, r.url)} · {h(when(r.published))}</li>"
            for r in others
        ]
        parts.append("</ul>")
    parts.append("</li>")
    return "\n".join(p for p in parts if p)


def _numbers(topic: TopicDigest) -> tuple[int, int, int, int]:
    c = topic.counts
    return c.stories, c.articles, c.previous_stories, c.previous_articles


def _topic(digest: Digest, topic: TopicDigest) -> str:
    en = f' <span class="en" lang="en">{h(topic.title_en)}</span>' if topic.title_en else ""
    head = f'<section id="topic-{h(topic.id)}"><h2>{h(topic.title_ar)}{en}</h2>'
    summary = f'<p class="note">{h(topic_counts(digest, *_numbers(topic)))}</p>'
    if not topic.stories:
        return f'{head}{summary}<p class="empty">{NO_STORIES}</p></section>'
    items = "\n".join(_story(s) for s in topic.stories)
    return f'{head}{summary}<ol class="stories">\n{items}\n</ol></section>'


def _review(digest: Digest) -> str:
    """The possible matches of every topic, after the confident ones; nothing when there are none."""
    topics = digest.to_review
    if not topics:
        return ""
    title, en = REVIEW_TITLE.split(" — ")
    parts = [f'<section id="review"><h2>{h(title)} <span class="en" lang="en">{h(en)}</span></h2>']
    parts.append(f'<p class="note">{h(REVIEW_NOTE)}</p>')
    for topic in topics:
        sub = f' <span class="en" lang="en">{h(topic.title_en)}</span>' if topic.title_en else ""
        items = "\n".join(_story(s, review=topic.id) for s in topic.review)
        parts.append(
            f'<h3 id="review-{h(topic.id)}">{h(topic.title_ar)}{sub}</h3><ol class="stories">\n{items}\n</ol>'
        )
    parts.append("</section>")
    return "\n".join(parts)


def _counts_table(digest: Digest) -> str:
    rows = [
        "<table><thead><tr><th>الموضوع</th><th>قصص هذا الأسبوع</th><th>مقالات</th>"
        f"<th>قصص الأسبوع الماضي ({h(ltr(digest.previous_label))})</th><th>مقالات</th></tr></thead><tbody>"
    ]
    for t in digest.topics:
        c = t.counts
        rows.append(
            f'<tr><td><a href="#topic-{h(t.id)}">{h(t.title_ar)}</a></td><td class="n">{c.stories}</td>'
            f'<td class="n">{c.articles}</td><td class="n">{c.previous_stories}</td>'
            f'<td class="n">{c.previous_articles}</td></tr>'
        )
    c = digest.totals
    rows.append(
        f'<tr><th>المجموع</th><td class="n">{c.stories}</td><td class="n">{c.articles}</td>'
        f'<td class="n">{c.previous_stories}</td><td class="n">{c.previous_articles}</td></tr>'
    )
    rows.append("</tbody></table>")
    return "\n".join(rows)


def _outlets(digest: Digest) -> str:
    head = '<section id="outlets"><h2>المنافذ التي تعذّر جلبها أو صمتت</h2>'
    troubled = digest.troubled
    if not troubled:
        return f'{head}<p class="empty">{ALL_OUTLETS_OK}</p></section>'
    rows = ["<table><thead><tr><th>المنفذ</th><th>الحالة</th><th>التفاصيل</th></tr></thead><tbody>"]
    for o in troubled:
        note = outlet_note(o, digest.week.local(o.last_article_at) if o.last_article_at else None)
        rows.append(
            f"<tr><td>{_link(o.name, o.homepage)}</td><td>{h(STATUS[o.status])}</td>"
            f"<td><bdi>{h(note)}</bdi></td></tr>"
        )
    rows.append("</tbody></table>")
    return head + "\n".join(rows) + "</section>"


def render_html(digest: Digest, chart_png: bytes) -> str:
    """The whole page as a string (UTF-8 when written)."""
    label = digest.week.label
    img = base64.b64encode(chart_png).decode("ascii")
    body = [
        f"<header><h1>{TITLE}</h1>",
        f'<p class="period">{h(week_line(digest))}</p></header>',
    ]
    if digest.empty:
        body.append(f'<p class="empty" id="no-matches">{NO_MATCHES}</p>')
    body += [
        '<section id="counts"><h2>الأرقام لكل موضوع</h2>',
        _counts_table(digest),
        f'<figure class="chart"><img alt="المطابقات لكل موضوع في كل يوم" src="data:image/png;base64,{img}">'
        "</figure></section>",
    ]
    body += [_topic(digest, t) for t in digest.topics]
    review = _review(digest)
    if review:
        body.append(review)
    body.append(_outlets(digest))
    body.append(f'<footer class="note"><p>أعدّه راصد من قاعدة بياناته عن الأسبوع {h(label)}.</p></footer>')
    return (
        "<!DOCTYPE html>\n"
        '<html lang="ar" dir="rtl">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; '
        "style-src 'unsafe-inline'\">\n"
        f"<title>{TITLE} — {h(label)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
