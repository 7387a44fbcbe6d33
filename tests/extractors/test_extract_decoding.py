"""decode_html: legacy Arabic codecs, wrong labels, broken UTF-8, BOMs."""

from __future__ import annotations

import codecs

import pytest

from rasid.extractors.decoding import declared_charset, decode_html

ARABIC = (
    "<html><head>{meta}</head><body><p>قالت وزارة الصحة إن حملة التلقيح ستشمل كل المحافظات، "
    "وستبدأ الأسبوع المقبل في دمشق وحلب.</p></body></html>"
)


def _page(meta: str = "") -> str:
    return ARABIC.format(meta=meta)


@pytest.mark.parametrize(
    ("codec", "meta", "header"),
    [
        ("cp1256", '<meta charset="utf-8">', None),
        ("cp1256", "", "text/html; charset=UTF-8"),
        ("iso-8859-6", '<meta charset="iso-8859-6">', None),
        ("iso-8859-6", "", None),
        ("iso-8859-6", '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">', None),
        ("cp1256", '<meta charset="iso-8859-6">', None),
    ],
)
def test_legacy_arabic_bytes_come_out_right(codec: str, meta: str, header: str | None) -> None:
    page = _page(meta)
    text, used = decode_html(page.encode(codec), header)
    assert text == page
    assert used == codecs.lookup(codec).name


def test_valid_utf8_wins_whatever_is_declared() -> None:
    page = _page('<meta charset="windows-1256">')
    assert decode_html(page.encode("utf-8")) == (page, "utf-8")


def test_broken_utf8_keeps_the_good_text() -> None:
    data = _page().encode("utf-8").replace("دمشق".encode(), b"\xd8\xff" + "دمشق".encode())
    text, used = decode_html(data)
    assert used == "utf-8"
    assert "وستبدأ الأسبوع المقبل في" in text
    assert "\ufffd" in text


@pytest.mark.parametrize("codec", ["utf-16", "utf-8-sig"])
def test_byte_order_marks(codec: str) -> None:
    text, _ = decode_html(_page().encode(codec))
    assert text == _page()


def test_declared_charset_reads_header_then_meta() -> None:
    data = _page('<meta charset="windows-1256">').encode("cp1256")
    assert declared_charset(data) == "cp1256"
    assert declared_charset(data, "text/html; charset=ISO-8859-6") == "iso8859-6"
    assert declared_charset(b"<html></html>") is None
    assert declared_charset(b'<meta charset="no-such-codec">') is None
