"""The digest's fixed Arabic wording and date formats, shared by the HTML, Markdown and chat renderers."""

from __future__ import annotations

from datetime import date, datetime

from rasid.alerts.digest.model import Digest, Evidence, OutletHealth

TITLE = "راصد — الموجز الأسبوعي"
NO_MATCHES = "لم تُرصد أي مطابقة لمواضيع الرصد هذا الأسبوع."
NO_STORIES = "لا قصص لهذا الموضوع هذا الأسبوع."
ALL_OUTLETS_OK = "عملت كل المنافذ ونشرت مقالات جديدة هذا الأسبوع."
PLANNED = "مخطط/متوقع"
REVIEW_TITLE = "للمراجعة — To review"
REVIEW_NOTE = (
    "مطابقات محتملة: قد تكون عن الموضوع وقد لا تكون، فتحتاج إلى من يراجعها. "
    "لم تُحسب في الأرقام أعلاه، وسبب إدراج كل منها مذكور معها."
)
REVIEW_WHY = "للمراجعة لأن"
STATUS = {"failed": "تعذّر جلبه", "silent": "صامت (لا مقالات جديدة)", "ok": "يعمل"}
MONTHS = (
    "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران",
    "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول",
)  # fmt: skip


def ltr(text: str) -> str:
    """`text` isolated left-to-right (U+2066 … U+2069), so "2026-W47" does not come out as "W47-2026"
    inside Arabic."""
    return f"\u2066{text}\u2069"


def when(moment: datetime | None) -> str:
    return "—" if moment is None else ltr(moment.strftime("%Y-%m-%d %H:%M"))


def period(digest: Digest) -> str:
    """«16 تشرين الثاني 2026 – 22 تشرين الثاني 2026»."""
    days = digest.week.days
    first, last = days[0], days[-1]
    return f"{_day(first)} – {_day(last)}"


def _day(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def outlet_note(o: OutletHealth, week_tz_local: datetime | None) -> str:
    """Why an outlet is listed: its last error or when its last article was seen."""
    if o.status == "failed":
        tries = f" ({o.consecutive_failures} محاولات متتالية)" if o.consecutive_failures else ""
        return f"آخر خطأ: {o.last_error or 'غير معروف'}{tries}"
    return f"آخر مقال: {when(week_tz_local)}"


def evidence_text(evidence: Evidence | None) -> str:
    return "" if evidence is None else evidence.sentence


def topic_counts(digest: Digest, stories: int, articles: int, prev_stories: int, prev_articles: int) -> str:
    return (
        f"هذا الأسبوع — القصص: {stories}، المقالات: {articles}. "
        f"الأسبوع الماضي ({ltr(digest.previous_label)}) — القصص: {prev_stories}، المقالات: {prev_articles}."
    )


def week_line(digest: Digest) -> str:
    return (
        f"الأسبوع {ltr(digest.week.label)}: {period(digest)} ({ltr(digest.week.timezone)}) — "
        f"المقالات الجديدة: {digest.articles}، المنافذ: {len(digest.outlets)}"
    )
