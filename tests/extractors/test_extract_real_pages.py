"""extract_article on the real Arabic pages of the shared benchmark: bodies, boilerplate, dates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from rasid.extractors import Article, ExtractOptions, extract_article


def _article(root: Path, page_id: str, url: str, options: ExtractOptions | None = None) -> Article:
    article = extract_article((root / "pages" / f"{page_id}.html").read_bytes(), url, options)
    assert article is not None
    return article


def test_comment_rules_do_not_reach_the_body(benchmark_root: Path) -> None:
    sputnik = _article(benchmark_root, "ar-sputnikarabic-1044893040", "https://arabic.sputniknews.com/x")
    assert "إذا كان التعليق" not in sputnik.text
    assert sputnik.text.startswith("أعلنت وزارة الصحة والسكان المصرية")  # the lead, kept
    assabah = _article(benchmark_root, "ar-assabah-164913", "http://www.assabah.com.tn/x")
    assert "إضافة تعليق جديد" not in assabah.text


def test_outlet_drop_lines_remove_what_trafilatura_keeps(benchmark_root: Path) -> None:
    # CNN Arabic prints its comment policy as plain <p> after the body, with no class to go by
    page, url = "ar-cnnarabic-2013-syria-clashes", "http://arabic.cnn.com/x"
    assert "ترحب شبكة CNN بالنقاش" in _article(benchmark_root, page, url).text
    options = ExtractOptions(drop_lines=("re:^ترحب شبكة CNN بالنقاش", "re:^الآراء الواردة أدناه لا تعبر"))
    cleaned = _article(benchmark_root, page, url, options)
    assert "CNN بالنقاش" not in cleaned.text
    assert "الآراء الواردة أدناه" not in cleaned.text
    assert cleaned.text.startswith("دمشق، سوريا (CNN) -- أكدت جهات سورية معارضة")
    assert cleaned.text.endswith("بشكل مستقل.")


def test_headline_and_date_lines_are_not_body(benchmark_root: Path) -> None:
    article = _article(benchmark_root, "ar-almadenahnews-825076", "https://www.almadenahnews.com/x")
    assert "المدينة نيوز :- بلغت حصيلة الوفيات" in article.text
    assert "أميركا :50 الفا حصيلة الوفيات بسبب فيروس كورونا" not in article.text  # the headline
    assert "تم نشره" not in article.text
    # "الجمعة 24 نيسان / أبريل 2020 09:22 مساءً", printed under the headline, no meta date
    assert article.published == datetime(2020, 4, 24, 21, 22, tzinfo=UTC)


def test_printed_date_beats_htmldate_january_first(benchmark_root: Path) -> None:
    # htmldate answers 2013-01-01 (from "© 2013"); the page prints "الأربعاء، 28 آب/اغسطس 2013"
    article = _article(benchmark_root, "ar-cnnarabic-2013-syria-clashes", "http://arabic.cnn.com/x")
    assert article.published is not None
    assert article.published.date() == date(2013, 8, 28)


@pytest.mark.parametrize(
    ("page_id", "expected"),
    [
        ("ar-youm7-4943459", date(2020, 8, 24)),
        ("ar-alyaum-6291787", date(2020, 12, 1)),
        ("ar-albayan-3874341", date(2020, 6, 3)),
        ("ar-akhbarelyom-3126898", date(2020, 10, 7)),
        ("ar-sputnikarabic-1044893040", date(2020, 3, 17)),
        ("ar-beirutobserver-2338761", date(2020, 11, 9)),
        ("ar-lbcgroup-898682", date(2026, 1, 8)),
    ],
)
def test_publication_dates_match_the_htmldate_truth(
    benchmark_root: Path, page_id: str, expected: date
) -> None:
    article = _article(benchmark_root, page_id, "https://example.test/x")
    assert article.published is not None
    assert article.published.tzinfo is not None
    assert article.published.date() == expected
    assert article.language == "ar"


def test_local_date_in_the_outlet_timezone(benchmark_root: Path) -> None:
    # meta: 2020-12-24T23:59:50+00:00, i.e. 25 December in Cairo (the htmldate truth)
    options = ExtractOptions(timezone="Africa/Cairo")
    article = _article(benchmark_root, "ar-elbaladtv-2020-12-25", "https://elbaladtv.net/x", options)
    assert article.published is not None
    assert article.published == datetime(2020, 12, 24, 23, 59, 50, tzinfo=UTC)
