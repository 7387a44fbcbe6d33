"""Arabic dates: month-name families, digits, Hijri, relative, time zones, and the 1-January trap."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from rasid.extractors import ExtractOptions, extract_article
from rasid.extractors.dates import hijri_to_gregorian, parse_date
from rasid.extractors.published import DateCandidates, choose_published, is_suspect

from .page_builder import URL, dated

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("الأربعاء 11 أيار 2022", date(2022, 5, 11)),
        ("11 كانون الثاني 2022", date(2022, 1, 11)),
        ("11 من أيار 2022", date(2022, 5, 11)),
        ("3 تشرين الأول 2021", date(2021, 10, 3)),
        ("28 كانون الأول، 2020", date(2020, 12, 28)),
        ("٢٤ شباط ٢٠٢٢", date(2022, 2, 24)),
        ("5 آب 2023", date(2023, 8, 5)),
        ("الخميس، 03 يونيو 2020", date(2020, 6, 3)),
        ("12 يونيه 2019", date(2019, 6, 12)),
        ("9 ابريل 2021", date(2021, 4, 9)),
        ("9 إبريل 2021", date(2021, 4, 9)),
        ("الجمعة 8 فيفري 2019", date(2019, 2, 8)),
        ("14 جويلية 2020", date(2020, 7, 14)),
        ("1 أوت 2022", date(2022, 8, 1)),
        ("20 جانفي 2023", date(2023, 1, 20)),
        ("24 نيسان / أبريل 2020", date(2020, 4, 24)),
        ("28 آب/اغسطس 2013", date(2013, 8, 28)),
        ("2020/08/24", date(2020, 8, 24)),
        ("24-08-2020", date(2020, 8, 24)),
    ],
)
def test_gregorian_month_families_and_digits(text: str, expected: date) -> None:
    value = parse_date(text)
    assert value is not None
    assert value.date() == expected


@pytest.mark.parametrize(
    ("text", "umm_al_qura", "tabular"),
    [
        ("15 جمادى الأولى 1447 هـ", date(2025, 11, 6), date(2025, 11, 6)),
        ("1 رمضان 1444هـ", date(2023, 3, 23), date(2023, 3, 23)),
        ("١ محرم ١٤٤٦ هـ", date(2024, 7, 7), date(2024, 7, 8)),
        ("10 ذو الحجة 1445", date(2024, 6, 16), date(2024, 6, 17)),
    ],
)
def test_hijri_dates_convert_to_gregorian(text: str, umm_al_qura: date, tabular: date) -> None:
    # the tabular (arithmetical) calendar; Umm al-Qura differs from it by at most a day here
    value = parse_date(text)
    assert value is not None
    assert value.date() == tabular
    assert abs((value.date() - umm_al_qura).days) <= 1


def test_hijri_epoch() -> None:
    # 1 Muharram 1 AH = 16 July 622 Julian = 19 July 622 proleptic Gregorian
    assert hijri_to_gregorian(1, 1, 1) == date(622, 7, 19)
    with pytest.raises(ValueError):
        hijri_to_gregorian(1447, 13, 1)


@pytest.mark.parametrize(
    ("text", "ago"),
    [
        ("منذ 3 ساعات", timedelta(hours=3)),
        ("منذ ساعة", timedelta(hours=1)),
        ("منذ ساعتين", timedelta(hours=2)),
        ("منذ ٥ دقائق", timedelta(minutes=5)),
        ("قبل يومين", timedelta(days=2)),
        ("منذ أسبوع", timedelta(weeks=1)),
    ],
)
def test_relative_dates_count_back_from_now(text: str, ago: timedelta) -> None:
    assert parse_date(text, now=NOW) == NOW - ago


def test_relative_dates_need_now() -> None:
    assert parse_date("منذ 3 ساعات") is None


def test_time_of_day_and_outlet_timezone() -> None:
    assert parse_date("24 نيسان 2020 09:22 مساءً", "Asia/Amman") == datetime(
        2020, 4, 24, 21, 22, tzinfo=ZoneInfo("Asia/Amman")
    )
    assert parse_date("الأربعاء، 07 أكتوبر 2020 - 12:09 م", "Africa/Cairo") == datetime(
        2020, 10, 7, 12, 9, tzinfo=ZoneInfo("Africa/Cairo")
    )
    assert parse_date("2022-05-11 14:30", "Asia/Damascus") == datetime(
        2022, 5, 11, 14, 30, tzinfo=ZoneInfo("Asia/Damascus")
    )
    assert parse_date("2022-05-11T14:30:00Z", "Asia/Damascus") == datetime(2022, 5, 11, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "text", ["مارس الرياضة", "2022", "صفر", "11 أيار", "99 أيار 2022", "", "الساعة 12:30"]
)
def test_non_dates_give_none(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("date_line", "expected"),
    [
        ("الأربعاء 11 أيار 2022", datetime(2022, 5, 11, tzinfo=UTC)),
        ("11 كانون الثاني 2022", datetime(2022, 1, 11, tzinfo=UTC)),
        ("نشر في 11 من أيار 2022", datetime(2022, 5, 11, tzinfo=UTC)),
        ("15 جمادى الأولى 1447 هـ", datetime(2025, 11, 6, tzinfo=UTC)),
        ("تاريخ النشر: ٢٠ جانفي ٢٠٢٣ - ١٠:١٥", datetime(2023, 1, 20, 10, 15, tzinfo=UTC)),
        ("منذ 3 ساعات", NOW - timedelta(hours=3)),
    ],
)
def test_printed_date_beats_the_copyright_footer(date_line: str, expected: datetime) -> None:
    # the page's only other year is "© 2022" in the footer: htmldate alone answers 2022-01-01
    article = extract_article(dated(date_line), URL, now=NOW)
    assert article is not None
    assert article.published == expected


def test_naive_meta_time_is_read_in_the_outlet_timezone() -> None:
    page = dated("", '<meta property="article:published_time" content="2022-05-11 14:30:00">')
    article = extract_article(page, URL, ExtractOptions(timezone="Asia/Damascus"))
    assert article is not None
    assert article.published == datetime(2022, 5, 11, 14, 30, tzinfo=ZoneInfo("Asia/Damascus"))
    assert article.to_dict()["published"] == "2022-05-11T14:30:00+03:00"


def test_meta_date_takes_the_printed_time_of_the_same_day() -> None:
    page = dated("11 أيار 2022 الساعة 09:40", '<meta itemprop="datePublished" content="2022-05-11">')
    article = extract_article(page, URL)
    assert article is not None
    assert article.published == datetime(2022, 5, 11, 9, 40, tzinfo=UTC)


def test_page_without_any_date_has_published_none_or_footer_year_only() -> None:
    article = extract_article(dated(""), URL)
    assert article is not None
    # nothing but "© 2022": either unknown or htmldate's suspect guess, never an invented day
    assert article.published is None or (article.published.month, article.published.day) == (1, 1)


def test_first_january_is_suspect_only_without_a_time() -> None:
    assert is_suspect(datetime(2022, 1, 1, tzinfo=UTC), False)
    assert not is_suspect(datetime(2022, 1, 1, 9, 30, tzinfo=UTC), True)
    assert not is_suspect(datetime(2022, 1, 2, tzinfo=UTC), False)


def test_suspect_htmldate_loses_to_any_other_candidate() -> None:
    printed = [(datetime(2022, 5, 11, tzinfo=UTC), False)]
    found = DateCandidates(strong=[], printed=printed, time_elements=[])
    assert choose_published(found, "2022-01-01", UTC) == datetime(2022, 5, 11, tzinfo=UTC)
    empty = DateCandidates(strong=[], printed=[], time_elements=[])
    assert choose_published(empty, "2022-01-01", UTC) == datetime(2022, 1, 1, tzinfo=UTC)
    assert choose_published(empty, None, UTC) is None
