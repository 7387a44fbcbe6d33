"""HTML, RSS and sitemap text for a sample outlet, wrapped in the boilerplate of real Arabic news sites."""

from __future__ import annotations

import json
from datetime import datetime
from email.utils import format_datetime
from html import escape
from urllib.parse import quote
from xml.sax.saxutils import escape as xml_escape

from rasid.demo.outlets import Outlet, SampleArticle

SECTIONS: dict[str, str] = {
    "سياسة": "politics",
    "محليات": "local",
    "عربي ودولي": "world",
    "اقتصاد": "economy",
    "رياضة": "sport",
    "طقس": "weather",
    "منوعات": "misc",
}
MENU = ["سياسة", "محليات", "عربي ودولي", "اقتصاد", "رياضة", "منوعات"]

GREGORIAN_MONTHS = [
    "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
    "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
]  # fmt: skip
LEVANTINE_MONTHS = [
    "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران",
    "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول",
]  # fmt: skip
WEEKDAYS = ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"]
_ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

COMMENTS = [
    ("أبو محمد", "شكراً على المتابعة الدقيقة، نرجو مواصلة التغطية."),
    ("سلمى", "تقرير واضح، لكن نتمنى معرفة المزيد من التفاصيل لاحقاً."),
]
SHARE = ["شارك على فيسبوك", "شارك على إكس", "أرسل عبر واتساب", "انسخ الرابط"]


def section_slug(section: str) -> str:
    return SECTIONS.get(section, "misc")


def visible_date(when: datetime, style: str) -> str:
    """The date as the outlet prints it under the headline (month names and digits vary by region)."""
    months = LEVANTINE_MONTHS if style in ("levantine", "arabic-digits") else GREGORIAN_MONTHS
    text = f"{WEEKDAYS[when.weekday()]} {when.day} {months[when.month - 1]} {when.year} - {when:%H:%M}"
    return text.translate(_ARABIC_DIGITS) if style == "arabic-digits" else text


def newest_first(articles: list[SampleArticle]) -> list[SampleArticle]:
    return sorted(articles, key=lambda a: a.published, reverse=True)


def _link(base: str, article: SampleArticle) -> str:
    return f"{base}articles/{article.slug}.html"


def _head(outlet: Outlet, base: str, title: str, extra: str = "") -> str:
    return f"""<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="alternate" type="application/rss+xml" title="{escape(outlet.name)}" href="{base}feed.xml">
<link rel="icon" href="{base}favicon.ico">
{extra}<style>
body{{font-family:Tahoma,Arial,sans-serif;margin:0;background:#f6f6f6;color:#222}}
.site-header,.site-footer{{background:#0b3d5c;color:#fff;padding:8px 16px}}
.main-menu ul,.breaking-news ul{{list-style:none;display:flex;gap:12px;margin:0;padding:0}}
.main-menu a,.site-footer a{{color:#fff;text-decoration:none}}
.breaking-news{{background:#b00;color:#fff;padding:4px 16px;display:flex;gap:12px}}
.breaking-news a{{color:#fff}}
.layout{{display:flex;gap:24px;padding:16px}} main{{flex:3}} aside{{flex:1}}
</style>
</head>"""


def _header(outlet: Outlet, base: str, articles: list[SampleArticle]) -> str:
    menu = "".join(f'<li><a href="{base}section/{section_slug(s)}.html">{escape(s)}</a></li>' for s in MENU)
    ticker_items = [
        f'<li><a href="{_link(base, a)}">{escape(a.title)}</a></li>' for a in newest_first(articles)[:4]
    ] + [f"<li>{escape(t)}</li>" for t in outlet.ticker]
    return f"""<header class="site-header">
<div class="top-bar"><span class="today">{escape(outlet.tagline)}</span>
<a class="login" href="{base}account/login">تسجيل الدخول</a> | <a href="{base}search">بحث</a></div>
<div class="logo"><a href="{base}">{escape(outlet.name)}</a></div>
<nav class="main-menu" aria-label="القائمة الرئيسية"><ul>
<li><a href="{base}">الرئيسية</a></li>{menu}
<li><a href="{base}section/video.html">فيديو</a></li>
</ul></nav>
</header>
<div class="breaking-news" role="marquee"><strong>عاجل</strong><ul>{"".join(ticker_items)}</ul></div>"""


def _most_read(base: str, articles: list[SampleArticle], exclude: str | None = None) -> str:
    ranked = sorted(articles, key=lambda a: (len(a.title) * 7919) % 101)
    items = "".join(
        f'<li><a href="{_link(base, a)}">{escape(a.title)}</a></li>' for a in ranked if a.slug != exclude
    )
    return f'<div class="widget most-read"><h3>الأكثر قراءة</h3><ol>{items}</ol></div>'


def _newsletter(base: str) -> str:
    return f"""<div class="widget newsletter"><h3>النشرة البريدية</h3>
<p>اشترك في نشرتنا اليومية لتصلك أهم الأخبار صباح كل يوم.</p>
<form action="{base}newsletter" method="post"><input type="email" name="email" placeholder="بريدك الإلكتروني">
<button type="submit">اشترك الآن</button></form></div>"""


def _footer(outlet: Outlet, base: str, year: int) -> str:
    return f"""<footer class="site-footer">
<ul class="footer-links"><li><a href="{base}about">من نحن</a></li>
<li><a href="{base}contact">اتصل بنا</a></li>
<li><a href="{base}privacy">سياسة الخصوصية</a></li><li><a href="{base}ads">أعلن معنا</a></li></ul>
<p class="social">تابعونا على: فيسبوك | إكس | يوتيوب | تلغرام</p>
<p class="copyright">© {year} {escape(outlet.name)}. جميع الحقوق محفوظة.</p>
<p class="note">موقع تجريبي محلي من حزمة راصد: الأخبار فيه متخيَّلة لأغراض العرض.</p>
</footer>"""


def homepage(outlet: Outlet, base: str, year: int) -> str:
    """The front page: menu, ticker, the latest article links with teasers, most read, footer."""
    articles = newest_first(outlet.articles)
    latest = "\n".join(
        f"""<div class="card"><span class="section">{escape(a.section)}</span>
<h2><a href="{_link(base, a)}">{escape(a.title)}</a></h2>
<p class="teaser">{escape(a.description)}</p><time datetime="{a.published.isoformat()}">\
{escape(visible_date(a.published, outlet.date_style))}</time></div>"""
        for a in articles
    )
    return f"""<!DOCTYPE html>
<html lang="{escape(outlet.language)}" dir="rtl">
{_head(outlet, base, f"{outlet.name} - {outlet.tagline}" if outlet.tagline else outlet.name)}
<body>
{_header(outlet, base, outlet.articles)}
<div class="layout">
<main><section class="latest-news"><h2 class="block-title">آخر الأخبار</h2>
{latest}
</section></main>
<aside class="sidebar">{_most_read(base, outlet.articles)}{_newsletter(base)}</aside>
</div>
{_footer(outlet, base, year)}
</body>
</html>
"""


def section_page(outlet: Outlet, base: str, slug: str, year: int) -> str | None:
    """A section listing (/section/<slug>.html); None if the slug is not a section of the menu."""
    names = [name for name, s in SECTIONS.items() if s == slug] + (["فيديو"] if slug == "video" else [])
    if not names:
        return None
    items = "".join(
        f'<li><a href="{_link(base, a)}">{escape(a.title)}</a></li>'
        for a in newest_first(outlet.articles)
        if section_slug(a.section) == slug
    )
    return f"""<!DOCTYPE html>
<html lang="{escape(outlet.language)}" dir="rtl">
{_head(outlet, base, f"{names[0]} | {outlet.name}")}
<body>
{_header(outlet, base, outlet.articles)}
<div class="layout"><main><h1>{escape(names[0])}</h1><ul class="section-list">{items}</ul></main>
<aside class="sidebar">{_most_read(base, outlet.articles)}</aside></div>
{_footer(outlet, base, year)}
</body>
</html>
"""


def _related(base: str, articles: list[SampleArticle], current: SampleArticle) -> list[SampleArticle]:
    others = [a for a in articles if a.slug != current.slug]
    if not others:
        return []
    index = next((i for i, a in enumerate(articles) if a.slug == current.slug), 0)
    return [others[(index + k) % len(others)] for k in range(min(3, len(others)))]


def article_page(outlet: Outlet, base: str, article: SampleArticle, year: int) -> str:
    """An article page: the story in <article>, wrapped in menu, ticker, share, related, comments, footer."""
    url = _link(base, article)
    iso = article.published.isoformat()
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": article.title,
            "datePublished": iso,
            "author": {"@type": "Person", "name": article.author} if article.author else None,
            "publisher": {"@type": "Organization", "name": outlet.name},
            "mainEntityOfPage": url,
            "inLanguage": outlet.language,
        },
        ensure_ascii=False,
    ).replace("</", "<\\/")
    meta = f"""<link rel="canonical" href="{url}">
<meta name="description" content="{escape(article.description)}">
<meta property="og:type" content="article">
<meta property="og:title" content="{escape(article.title)}">
<meta property="og:url" content="{url}">
<meta property="og:site_name" content="{escape(outlet.name)}">
<meta property="article:published_time" content="{iso}">
<meta property="article:section" content="{escape(article.section)}">
{f'<meta name="author" content="{escape(article.author)}">' if article.author else ""}
<script type="application/ld+json">{ld}</script>
"""
    byline = (
        f'<span class="byline">بقلم: <a rel="author" href="{base}author/{quote(article.author)}">'
        f"{escape(article.author)}</a></span>"
        if article.author
        else ""
    )
    body = "\n".join(f"<p>{escape(p)}</p>" for p in article.paragraphs)
    share = "".join(f'<li><a href="{base}share?u={quote(url, safe="")}">{s}</a></li>' for s in SHARE)
    related = "".join(
        f'<li><a href="{_link(base, a)}">{escape(a.title)}</a></li>'
        for a in _related(base, outlet.articles, article)
    )
    comments = "".join(
        f'<li class="comment"><b>{escape(who)}</b><p>{escape(text)}</p></li>' for who, text in COMMENTS
    )
    sec = section_slug(article.section)
    return f"""<!DOCTYPE html>
<html lang="{escape(outlet.language)}" dir="rtl">
{_head(outlet, base, f"{article.title} | {outlet.name}", meta)}
<body>
{_header(outlet, base, outlet.articles)}
<div class="layout">
<main>
<div class="breadcrumbs"><a href="{base}">الرئيسية</a> › \
<a href="{base}section/{sec}.html">{escape(article.section)}</a></div>
<article class="post">
<h1 class="post-title">{escape(article.title)}</h1>
<div class="post-meta">{byline}
<time class="date" datetime="{iso}">{escape(visible_date(article.published, outlet.date_style))}</time></div>
<ul class="share-buttons">{share}</ul>
<div class="post-content">
{body}
</div>
<div class="tags">الوسوم: <a href="{base}section/{sec}.html">{escape(article.section)}</a></div>
</article>
<section class="related-news"><h2>أخبار ذات صلة</h2><ul>{related}</ul></section>
<section class="comments"><h3>التعليقات ({len(COMMENTS)})</h3><ul>{comments}</ul>
<form class="comment-form" action="{base}comments" method="post">
<textarea name="c" placeholder="أضف تعليقك"></textarea>
<button type="submit">إرسال التعليق</button></form></section>
</main>
<aside class="sidebar">{_most_read(base, outlet.articles, exclude=article.slug)}{_newsletter(base)}</aside>
</div>
{_footer(outlet, base, year)}
</body>
</html>
"""


def rss_feed(outlet: Outlet, base: str, last_modified: datetime) -> str:
    """RSS 2.0, newest first, UTF-8."""
    items = "\n".join(
        f"""<item>
<title>{xml_escape(a.title)}</title>
<link>{_link(base, a)}</link>
<guid isPermaLink="true">{_link(base, a)}</guid>
<pubDate>{format_datetime(a.published)}</pubDate>
<category>{xml_escape(a.section)}</category>
{f"<dc:creator>{xml_escape(a.author)}</dc:creator>" if a.author else ""}
<description>{xml_escape(a.description)}</description>
</item>"""
        for a in newest_first(outlet.articles)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>{xml_escape(outlet.name)}</title>
<link>{base}</link>
<atom:link href="{base}feed.xml" rel="self" type="application/rss+xml"/>
<description>{xml_escape(outlet.tagline or outlet.name)}</description>
<language>{xml_escape(outlet.language)}</language>
<lastBuildDate>{format_datetime(last_modified)}</lastBuildDate>
{items}
</channel>
</rss>
"""


def news_sitemap(outlet: Outlet, base: str) -> str:
    """A Google News sitemap listing every article, newest first."""
    urls = "\n".join(
        f"""<url>
<loc>{_link(base, a)}</loc>
<lastmod>{a.published.isoformat()}</lastmod>
<news:news>
<news:publication><news:name>{xml_escape(outlet.name)}</news:name>\
<news:language>{xml_escape(outlet.language)}</news:language></news:publication>
<news:publication_date>{a.published.isoformat()}</news:publication_date>
<news:title>{xml_escape(a.title)}</news:title>
</news:news>
</url>"""
        for a in newest_first(outlet.articles)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" \
xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
{urls}
</urlset>
"""


def robots_txt(base: str) -> str:
    return f"User-agent: *\nDisallow: /search\nDisallow: /account/\nAllow: /\n\nSitemap: {base}sitemap.xml\n"


def not_found_page(outlet: Outlet, base: str, year: int) -> str:
    return f"""<!DOCTYPE html>
<html lang="{escape(outlet.language)}" dir="rtl">
{_head(outlet, base, f"الصفحة غير موجودة | {outlet.name}")}
<body>{_header(outlet, base, outlet.articles)}
<main><h1>404</h1><p>عذراً، الصفحة التي تبحث عنها غير موجودة.</p>
<p><a href="{base}">العودة إلى الرئيسية</a></p></main>
{_footer(outlet, base, year)}</body></html>
"""
