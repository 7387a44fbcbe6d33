"""Deterministic simulated outlets for the crawl benchmark: Arabic articles recombined from the demo data."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rasid.demo.outlets import Outlet, SampleArticle, load_sample_outlets
from rasid.demo.pages import SECTIONS

CITIES = [
    "دمشق", "حلب", "حمص", "حماة", "اللاذقية", "طرطوس", "دير الزور", "الرقة", "الحسكة", "القامشلي",
    "إدلب", "درعا", "السويداء", "بغداد", "الموصل", "البصرة", "أربيل", "كركوك", "النجف", "كربلاء",
    "الأنبار", "عمّان", "إربد", "الزرقاء", "بيروت", "طرابلس", "صيدا", "صور", "الرياض", "جدة",
    "الدوحة", "الكويت", "المنامة", "مسقط", "أبوظبي", "القاهرة", "الإسكندرية", "تونس", "الجزائر", "الرباط",
]  # fmt: skip
WEEKDAYS = ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"]
NUMBERS = ["ثلاثة", "خمسة", "سبعة", "عشرة", "اثني عشر", "عشرين", "ثلاثين", "خمسين", "مئة", "مئتين"]
SOURCES_SAID = [
    "بحسب ما أفاد به مراسل {outlet} في {city} يوم {weekday}",
    "وفق مصادر محلية تحدثت إلى {outlet} من {city}",
    "كما نقل شهود عيان في {city} صباح {weekday}",
    "في حين قدّر مسؤول في {city} العدد بنحو {number} شخصاً",
    "وسط ترقّب في {city} لما ستسفر عنه الأيام المقبلة",
    "على أن تُستأنف الاجتماعات في {city} خلال {number} يوماً",
]
NAME_PARTS = ["شبكة", "وكالة", "صحيفة", "موقع", "إذاعة", "منصة", "نشرة", "بوابة"]
NAME_TAILS = [
    "الفرات", "دجلة", "البادية", "الشام", "الجزيرة", "الساحل", "الخليج", "النيل", "الأطلس", "الرافدين",
    "الجبل", "السهل", "الواحة", "المدينة", "الغد", "اليوم", "الحدث", "المرصد", "الأفق", "الصباح",
]  # fmt: skip
DATE_STYLES = ("gregorian", "levantine", "arabic-digits")


@dataclass(frozen=True)
class Truth:
    """What an article really says: its title and body paragraphs (the benchmark's ground truth)."""

    outlet: str
    slug: str
    title: str
    paragraphs: tuple[str, ...]


def _pools() -> tuple[list[str], list[str], list[str], list[str | None]]:
    demo = load_sample_outlets(rebase_dates=False)
    paragraphs = [p for o in demo for a in o.articles for p in a.paragraphs]
    clauses = [c.strip(" .") for p in paragraphs for c in re.split(r"،\s*", p) if len(c.strip()) > 25]
    titles = [a.title for o in demo for a in o.articles]
    authors = sorted({a.author for o in demo for a in o.articles if a.author})
    tickers = [t for o in demo for t in o.ticker]
    return clauses, titles, tickers, [*authors, None]


def make_outlets(n_outlets: int, n_articles: int, now: datetime | None = None, seed: int = 7) -> list[Outlet]:
    """`n_outlets` outlets of `n_articles` articles each; the same text for the same arguments and seed.
    Dates are spread over the last ~40 hours before `now` (inside the crawler's 3-day freshness window)."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    rng = random.Random(seed)
    clauses, titles, tickers, authors = _pools()
    sections = list(SECTIONS)[:6]
    outlets = []
    for i in range(n_outlets):
        tail = NAME_TAILS[(i // len(NAME_PARTS)) % len(NAME_TAILS)]
        name = f"{NAME_PARTS[i % len(NAME_PARTS)]} {tail} {i + 1}"
        outlet_name = f"{name} الإخبارية"
        articles = []
        for j in range(n_articles):
            city = rng.choice(CITIES)
            paragraphs = []
            for _k in range(rng.randint(4, 8)):
                picked = rng.sample(clauses, rng.randint(2, 4))
                said = rng.choice(SOURCES_SAID).format(
                    outlet=name,
                    city=rng.choice(CITIES),
                    weekday=rng.choice(WEEKDAYS),
                    number=rng.choice(NUMBERS),
                )
                picked.insert(rng.randrange(1, len(picked) + 1), said)
                paragraphs.append("، ".join(picked) + ".")
            a, b = rng.sample(titles, 2)
            wa, wb = a.split(), b.split()
            title = " ".join(wa[: max(2, len(wa) // 2)] + wb[len(wb) // 2 :]) + f" في {city}"
            articles.append(
                SampleArticle(
                    slug=f"n{i + 1:03d}-{j + 1:03d}",
                    title=title,
                    paragraphs=paragraphs,
                    published=now - timedelta(minutes=47 * j + i % 47 + 5),
                    author=rng.choice(authors),
                    section=rng.choice(sections),
                )
            )
        outlets.append(
            Outlet(
                name=outlet_name,
                slug=f"o{i + 1:03d}",
                articles=articles,
                tagline=f"أخبار {rng.choice(CITIES)} والمنطقة على مدار الساعة",
                date_style=DATE_STYLES[i % len(DATE_STYLES)],  # type: ignore[arg-type]
                ticker=rng.sample(tickers, 2),
            )
        )
    return outlets


def truths(outlets: list[Outlet]) -> dict[tuple[str, str], Truth]:
    """(outlet slug, article slug) -> the article's ground truth."""
    return {
        (o.slug, a.slug): Truth(o.slug, a.slug, a.title, tuple(a.paragraphs))
        for o in outlets
        for a in o.articles
    }
