"""The loopback outlet server: every path, feed and sitemap content, conditional GET, publish(), hooks."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import pytest
from lxml import etree, html

from rasid.demo.outlets import Outlet, SampleArticle, load_sample_outlets
from rasid.demo.server import OutletServer, Response

NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}
TZ = timezone(timedelta(hours=3))


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _tricky_outlet() -> Outlet:
    return Outlet(
        name="موقع <الاختبار> & شركاه",
        slug="tricky",
        tagline="أخبار «خاصة»",
        articles=[
            SampleArticle(
                slug="escaped",
                title='عنوان فيه <b>وسم</b> & "علامات"',
                paragraphs=["الفقرة الأولى <script>alert(1)</script>", "الفقرة الثانية"],
                published=datetime(2026, 11, 22, 9, 0, tzinfo=TZ),
                author="كاتب <مجهول>",
            ),
            SampleArticle(
                slug="plain",
                title="خبر عادي عن مخيم الهول",
                paragraphs=["نص عادي."],
                published=datetime(2026, 11, 21, 9, 0, tzinfo=TZ),
            ),
        ],
    )


@pytest.fixture(scope="module")
def server() -> Iterator[OutletServer]:
    with OutletServer([*load_sample_outlets(), _tricky_outlet()]) as srv:
        yield srv


@pytest.fixture(scope="module")
def outlets(server: OutletServer) -> list[Outlet]:
    return server.outlets


def test_each_outlet_has_its_own_loopback_port(server: OutletServer, outlets: list[Outlet]) -> None:
    bases = {server.base_url(o.slug) for o in outlets}
    assert len(bases) == len(outlets)
    assert all(b.startswith("http://127.0.0.1:") and b.endswith("/") for b in bases)


def test_homepage_links_feed_and_lists_articles(server: OutletServer, outlets: list[Outlet]) -> None:
    for outlet in outlets:
        status, headers, body = _get(server.base_url(outlet.slug))
        assert status == 200
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        doc = html.fromstring(body)
        assert doc.get("lang") == "ar" and doc.get("dir") == "rtl"
        alternates = doc.xpath('//link[@rel="alternate"][@type="application/rss+xml"]/@href')
        assert alternates == [server.feed_url(outlet.slug)]
        links = set(doc.xpath("//section[@class='latest-news']//a/@href"))
        assert {server.article_url(outlet.slug, a.slug) for a in outlet.articles} <= links
        assert doc.xpath("//nav") and doc.xpath("//footer") and "الأكثر قراءة" in body.decode()


def test_feed_is_rss2_listing_every_article(server: OutletServer, outlets: list[Outlet]) -> None:
    for outlet in outlets:
        status, headers, body = _get(server.feed_url(outlet.slug))
        assert status == 200 and headers["Content-Type"].startswith("application/rss+xml")
        root = etree.fromstring(body)
        assert root.tag == "rss" and root.get("version") == "2.0"
        items = root.findall("./channel/item")
        assert len(items) == len(outlet.articles)
        by_link = {i.findtext("link"): i for i in items}
        for article in outlet.articles:
            item = by_link[server.article_url(outlet.slug, article.slug)]
            assert item.findtext("title") == article.title
            assert item.findtext("guid") == server.article_url(outlet.slug, article.slug)
            assert item.findtext("description")
            assert parsedate_to_datetime(item.findtext("pubDate") or "") == article.published


def test_sitemap_is_a_google_news_sitemap(server: OutletServer, outlets: list[Outlet]) -> None:
    for outlet in outlets:
        status, _, body = _get(server.sitemap_url(outlet.slug))
        assert status == 200
        root = etree.fromstring(body)
        urls = root.findall("sm:url", NS)
        assert {u.findtext("sm:loc", namespaces=NS) for u in urls} == {
            server.article_url(outlet.slug, a.slug) for a in outlet.articles
        }
        for url in urls:
            assert url.findtext("news:news/news:publication/news:name", namespaces=NS) == outlet.name
            assert url.findtext("news:news/news:publication/news:language", namespaces=NS) == "ar"
            published = url.findtext("news:news/news:publication_date", namespaces=NS) or ""
            assert datetime.fromisoformat(published).tzinfo is not None
            assert url.findtext("news:news/news:title", namespaces=NS)


def test_robots_txt_names_the_sitemap(server: OutletServer) -> None:
    status, headers, body = _get(server.robots_url("badia"))
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert f"Sitemap: {server.sitemap_url('badia')}" in body.decode().splitlines()


def test_unknown_paths_are_404(server: OutletServer) -> None:
    for path in ("nope", "articles/missing.html", "section/nothing.html", "feed.xml/extra"):
        status, _, _ = _get(server.base_url("badia") + path)
        assert status == 404, path


def test_section_pages_list_their_articles(server: OutletServer) -> None:
    status, _, body = _get(server.section_url("badia", "رياضة"))
    assert status == 200
    listed = html.fromstring(body).xpath("//ul[@class='section-list']//a/@href")
    assert listed == [server.article_url("badia", "league-jaish-futuwwa-draw")]


@pytest.mark.parametrize("kind", ["feed", "sitemap"])
def test_conditional_get_answers_304(server: OutletServer, kind: str) -> None:
    url = server.feed_url("dijla") if kind == "feed" else server.sitemap_url("dijla")
    status, headers, _ = _get(url)
    assert status == 200
    etag, last_modified = headers["ETag"], headers["Last-Modified"]
    assert _get(url, {"If-None-Match": etag})[0] == 304
    assert _get(url, {"If-Modified-Since": last_modified})[0] == 304
    assert _get(url, {"If-None-Match": '"something-else"'})[0] == 200
    assert _get(url, {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})[0] == 200


def test_article_page_has_boilerplate_and_metadata(server: OutletServer, outlets: list[Outlet]) -> None:
    outlet = next(o for o in outlets if o.slug == "marsa")
    article = outlet.article("bosnia-nato-accession")
    url = server.article_url("marsa", article.slug)
    status, _, body = _get(url)
    assert status == 200
    text = body.decode()
    doc = html.fromstring(body)
    assert doc.get("lang") == "ar" and doc.get("dir") == "rtl"
    assert doc.xpath("//meta[@charset]")[0].get("charset") == "utf-8"
    assert doc.xpath('//meta[@property="article:published_time"]/@content') == [article.published.isoformat()]
    assert doc.xpath('//link[@rel="canonical"]/@href') == [url]
    assert doc.xpath("//article//h1")[0].text_content() == article.title
    assert [
        p.text_content() for p in doc.xpath("//article//div[@class='post-content']/p")
    ] == article.paragraphs
    assert article.author and article.author in doc.xpath("//article//*[@class='byline']")[0].text_content()
    assert doc.xpath("//article//time")
    for boilerplate in ("الرئيسية", "رياضة", "عاجل", "شارك على فيسبوك", "الأكثر قراءة", "أخبار ذات صلة",
                        "التعليقات", "النشرة البريدية", "جميع الحقوق محفوظة", "©"):  # fmt: skip
        assert boilerplate in text, boilerplate
    # Headlines of other articles (al-Hol among them) sit outside <article>, for the extractor to drop.
    outside = " ".join(doc.xpath("//aside//text() | //section[@class='related-news']//text()"))
    assert "الهول" in outside
    assert "الهول" not in doc.xpath("//article")[0].text_content()


def test_titles_and_text_are_escaped(server: OutletServer) -> None:
    _, _, body = _get(server.article_url("tricky", "escaped"))
    text = body.decode()
    assert (
        "&lt;b&gt;وسم&lt;/b&gt; &amp; &quot;علامات&quot;" in text
        or "&lt;b&gt;وسم&lt;/b&gt; &amp; &#x27;" in text
    )
    assert "<script>alert(1)</script>" not in text and "<b>وسم</b>" not in text
    doc = html.fromstring(body)
    assert doc.xpath("//article//h1")[0].text_content() == 'عنوان فيه <b>وسم</b> & "علامات"'
    feed = etree.fromstring(_get(server.feed_url("tricky"))[2])
    assert feed.findtext("./channel/title") == "موقع <الاختبار> & شركاه"
    assert feed.findtext("./channel/item/title") == 'عنوان فيه <b>وسم</b> & "علامات"'


def test_publish_adds_item_to_feed_sitemap_and_homepage() -> None:
    outlet = Outlet(name="منفذ النشر", slug="pub", articles=[])
    with OutletServer() as server:
        server.add_outlet(outlet)
        status, headers, body = _get(server.feed_url("pub"))
        assert status == 200 and etree.fromstring(body).findall("./channel/item") == []
        etag, last_modified = headers["ETag"], headers["Last-Modified"]
        _, sm_headers, _ = _get(server.sitemap_url("pub"))

        article = SampleArticle(
            slug="breaking",
            title="خبر عاجل جديد",
            paragraphs=["نص الخبر."],
            published=datetime.now(UTC),
        )
        url = server.publish("pub", article)
        assert url == server.article_url("pub", "breaking")
        assert _get(url)[0] == 200
        # The old validators no longer match: the feed answers 200 with the new item.
        status, _, body = _get(server.feed_url("pub"), {"If-None-Match": etag})
        assert status == 200
        assert [i.findtext("link") for i in etree.fromstring(body).findall("./channel/item")] == [url]
        assert _get(server.feed_url("pub"), {"If-Modified-Since": last_modified})[0] == 200
        status, _, body = _get(server.sitemap_url("pub"), {"If-None-Match": sm_headers["ETag"]})
        assert status == 200 and url.encode() in body
        assert url.encode() in _get(server.base_url("pub"))[2]
    assert outlet.articles == []  # the caller's outlet is not mutated


def test_request_log_and_hooks(server: OutletServer) -> None:
    server.clear_requests("badia")
    _get(server.feed_url("badia"), {"User-Agent": "rasid-test/1"})
    log = server.requests("badia")
    assert [(r.method, r.path) for r in log] == [("GET", "/feed.xml")]
    assert log[0].headers["User-Agent"] == "rasid-test/1"

    server.set_hook("badia", "/feed.xml", lambda request: Response(status=503, body=b"down"))
    try:
        assert _get(server.feed_url("badia"))[0] == 503
        assert _get(server.sitemap_url("badia"))[0] == 200
    finally:
        server.set_hook("badia", "/feed.xml", None)
    assert _get(server.feed_url("badia"))[0] == 200
    # A hook returning None falls through to the normal answer.
    server.set_hook("badia", "*", lambda request: None)
    try:
        assert _get(server.base_url("badia"))[0] == 200
    finally:
        server.set_hook("badia", "*", None)


def test_head_and_add_outlet_while_running() -> None:
    with OutletServer() as server:
        server.add_outlet(_tricky_outlet())
        request = urllib.request.Request(server.feed_url("tricky"), method="HEAD")
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200 and response.read() == b""
            assert int(response.headers["Content-Length"]) > 0
        with pytest.raises(ValueError):
            server.add_outlet(_tricky_outlet())
        with pytest.raises(KeyError):
            server.base_url("missing")


def test_url_host_is_used_in_links() -> None:
    with OutletServer([_tricky_outlet()], url_host="localhost") as server:
        base = server.base_url("tricky")
        assert base.startswith("http://localhost:")
        _, _, body = _get(server.feed_url("tricky"))
        assert f"<link>{base}articles/escaped.html</link>".encode() in body
