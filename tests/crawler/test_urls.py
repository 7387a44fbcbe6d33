"""URL canonicalisation: one spelling per article, so nothing is fetched or stored twice."""

from __future__ import annotations

import pytest

from rasid.urls import canonicalize


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://x.org/a?utm_source=tw&utm_medium=social", "https://x.org/a"),
        ("https://X.org:443/a#comments", "https://x.org/a"),
        ("https://x.org/a?b=2&a=1", "https://x.org/a?a=1&b=2"),
        ("https://x.org/ar/%D8%AE%D8%A8%D8%B1", "https://x.org/ar/خبر"),
        ("https://x.org/a?fbclid=abc&id=7", "https://x.org/a?id=7"),
        ("http://x.org:80/", "http://x.org"),
    ],
)
def test_same_article_same_url(a: str, b: str) -> None:
    assert canonicalize(a) == canonicalize(b)


def test_different_articles_stay_different() -> None:
    assert canonicalize("https://x.org/a?id=1") != canonicalize("https://x.org/a?id=2")
    assert canonicalize("https://x.org/a") != canonicalize("https://y.org/a")
