"""extract_article on fixture pages written for rasid: boilerplate, repeats, encodings, bad input."""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime

import pytest

from rasid.extractors import Article, ExtractionError, ExtractOptions, extract_article

from .page_builder import URL, encoded, huge, page_bytes, with_invalid_bytes

LEGACY_PARAGRAPHS = (
    "افتتحت محافظة حماة سوقا شعبيا جديدا في حي الحاضر يضم مئة وعشرين محلا صغيرا",
    "وقال مدير السوق إن المحلات خصصت لصغار الباعة الذين كانوا يفترشون الأرصفة",
    "وأشار عدد من الباعة إلى أن السوق الجديد يوفر عليهم عناء التنقل اليومي",
)


def _extract(data: bytes, options: ExtractOptions | None = None, **kw: object) -> Article:
    article = extract_article(data, URL, options, **kw)  # type: ignore[arg-type]
    assert article is not None
    return article


def test_boilerplate_wrapped_article_keeps_body_and_drops_furniture() -> None:
    article = _extract(page_bytes("article_boilerplate"))
    assert article.title == "بلدية دوما تفتتح محطة لضخ المياه بعد عامين من الانقطاع"
    assert article.text.startswith("افتتحت بلدية دوما صباح اليوم محطة جديدة")
    assert "تثقل كاهل العائلات ذات الدخل المحدود." in article.text
    assert len(article.text.splitlines()) == 4
    for furniture in (
        "مخيم الهول",  # related headline and most-read list
        "التحالف",
        "عاجل",  # ticker
        "رياضة",  # menu
        "واتساب",  # share bar
        "اقرأ أيضاً",
        "الأكثر قراءة",
        "نتمنى أن تصل المياه إلى حينا",  # a comment
        "إضافة تعليق",
        "جميع الحقوق محفوظة",  # footer
        "وسوم",
    ):
        assert furniture not in article.text, furniture
    assert article.published == datetime(2022, 5, 11, tzinfo=UTC)
    assert article.author == "سامر الحلبي"
    assert article.language == "ar"
    assert article.canonical_url == "https://example-outlet.test/news/2022/05/water-station"


def test_inline_read_also_inside_the_body_is_dropped() -> None:
    article = _extract(page_bytes("article_inline_related"))
    assert "الهول" not in article.text
    assert "أيضاً" not in article.text
    assert len(article.text.splitlines()) == 4
    assert article.text.splitlines()[2].startswith("وأضافت أن المكتبة ستنظم ورشات")


def test_body_repeated_twice_comes_out_once() -> None:
    article = _extract(page_bytes("article_repeated"))
    lines = article.text.splitlines()
    assert len(lines) == 3
    assert len(set(lines)) == 3
    assert article.text.count("أعلنت جامعة حلب تمديد فترة التسجيل") == 1


@pytest.mark.parametrize(
    ("codec", "declared"),
    [
        ("cp1256", "utf-8"),  # windows-1256 bytes behind a wrong charset=utf-8 meta
        ("cp1256", None),
        ("cp1256", "windows-1256"),
        ("iso-8859-6", "iso-8859-6"),
        ("iso-8859-6", None),
        ("iso-8859-6", "windows-1256"),  # wrong legacy label
        ("iso-8859-6", "utf-8"),
    ],
)
def test_legacy_arabic_encodings_decode_right(codec: str, declared: str | None) -> None:
    article = _extract(encoded("article_legacy", codec, declared))
    for paragraph in LEGACY_PARAGRAPHS:
        assert paragraph in article.text
    assert article.title == "افتتاح سوق شعبي جديد في حماة"
    assert article.published == datetime(2022, 5, 12, tzinfo=UTC)


def test_wrong_charset_header_is_outvoted_by_the_bytes() -> None:
    data = encoded("article_legacy", "cp1256", None)
    article = _extract(data, content_type="text/html; charset=utf-8")
    assert LEGACY_PARAGRAPHS[0] in article.text


def test_invalid_byte_sequences_lose_only_the_bad_bytes() -> None:
    article = _extract(with_invalid_bytes("article_legacy"))
    for paragraph in LEGACY_PARAGRAPHS:
        assert paragraph in article.text


def test_huge_page_still_yields_the_article_in_bounded_time() -> None:
    data = huge("article_legacy", 8)
    assert len(data) > 8_000_000
    started = time.perf_counter()
    article = _extract(data)
    assert time.perf_counter() - started < 60
    assert article.text.startswith(LEGACY_PARAGRAPHS[0])
    assert article.published == datetime(2022, 5, 12, tzinfo=UTC)


@pytest.mark.parametrize("name", ["index_page", "empty_article"])
def test_pages_without_an_article_give_none(name: str) -> None:
    assert extract_article(page_bytes(name), URL) is None


@pytest.mark.parametrize(
    "data",
    [b"", b"   \n", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", b"just a line of plain text, no markup"],
)
def test_unusable_input_raises_extraction_error(data: bytes) -> None:
    with pytest.raises(ExtractionError):
        extract_article(data, URL)


def test_text_instead_of_bytes_is_refused() -> None:
    with pytest.raises(ExtractionError):
        extract_article("<html></html>", URL)  # type: ignore[arg-type]


def test_repeated_extraction_in_one_process_gives_the_same_text() -> None:
    # trafilatura's deduplicate cache would empty the second and later runs: it must stay off
    first = _extract(page_bytes("article_boilerplate")).text
    for _ in range(3):
        assert _extract(page_bytes("article_boilerplate")).text == first
        assert _extract(page_bytes("article_repeated")).text.count("جامعة حلب") == 1


def test_body_selector_overrides_trafilatura() -> None:
    # the selector takes the whole <article>, related box included: the outlet's choice wins
    article = _extract(page_bytes("article_boilerplate"), ExtractOptions(body_selector="article.post"))
    assert "قوات التحالف تبحث تسليم إدارة مخيم الهول إلى جهة جديدة" in article.text
    assert "افتتحت بلدية دوما" in article.text
    assert "نتمنى أن تصل المياه" not in article.text  # comments are outside <article>


def test_drop_lines_exact_and_regex() -> None:
    options = ExtractOptions(
        drop_lines=(
            "وقال رئيس البلدية خلال حفل الافتتاح إن المحطة ستخدم نحو أربعين ألف نسمة، وإن أعمال الصيانة "
            "شملت تبديل المضخات الرئيسية ومد أنابيب جديدة بطول ثلاثة كيلومترات إلى الأحياء المجاورة.",
            "re:^من جهتهم",
        )
    )
    lines = _extract(page_bytes("article_boilerplate"), options).text.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("افتتحت بلدية دوما")
    assert lines[1].startswith("وأضاف أن البلدية")


def test_min_text_chars_turns_a_short_body_into_none() -> None:
    assert extract_article(page_bytes("article_legacy"), URL, ExtractOptions(min_text_chars=5000)) is None


def test_article_is_frozen_and_serialises_published_as_iso() -> None:
    article = _extract(page_bytes("article_boilerplate"), ExtractOptions(timezone="Asia/Damascus"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        article.title = "x"  # type: ignore[misc]
    record = article.to_dict()
    assert set(record) >= {"url", "title", "text", "published", "author", "language"}
    assert record["published"] == "2022-05-11T00:00:00+03:00"
    assert record["url"] == URL
