"""Removing what is not article text: repeated blocks, the headline, outlet drop-lines, UI and date lines."""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml.html import HtmlElement

from .dates import iter_dates, normalize

# Whole lines that are page furniture in Arabic outlets (compared after normalize() and stripping
# punctuation): share bars, "read also" labels, comment forms, tag labels, print/font buttons.
_UI_LINES = {
    normalize(s)
    for s in (
        "اقرأ أيضا", "اقرأ أيضاً", "إقرأ أيضاً", "اقرا ايضا", "اقرأ المزيد", "اقرأ كذلك", "شاهد أيضا",
        "شاهد أيضاً", "طالع أيضا", "طالع أيضاً", "مواضيع ذات صلة", "أخبار ذات صلة", "مقالات ذات صلة",
        "الموضوعات المتعلقة", "اخترنا لك", "الأكثر قراءة", "الأكثر مشاهدة", "الأكثر تداولا",
        "الأكثر تعليقا", "آخر الأخبار", "أخبار عاجلة", "عاجل", "شارك", "شارك الخبر", "شارك المقال",
        "مشاركة", "تابعونا", "تابعنا", "طباعة", "إطبع", "حفظ", "تكبير الخط", "تصغير الخط", "أضف تعليق",
        "أضف تعليقك", "إضافة تعليق", "إضافة تعليق جديد", "التعليقات", "كل التعليقات", "تعليقات",
        "وسوم", "الوسوم", "كلمات مفتاحية", "كلمات دلالية", "تاجز", "المصدر", "الرئيسية",
    )
}  # fmt: skip
_PUNCT = re.compile(r"[\s:：\-–—|،,.…»«\"'()\[\]]+")
# A line that is only a date with a short label ("تم نشره الجمعة 24 نيسان 2020 09:22 مساءً").
DATE_LINE_MAX_REST = 20
_WEEKDAYS = re.compile(r"(?:ال)?(?:سبت|احد|اثنين|ثلاثاء|اربعاء|خميس|جمعه)")


def _key(line: str) -> str:
    return _PUNCT.sub(" ", normalize(line)).strip()


def split_lines(text: str) -> list[str]:
    """Non-empty lines with runs of whitespace collapsed."""
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


# A repeated line is dropped when it is long (a paragraph, not a recurring question or separator),
# or when it belongs to a run of repeated lines (a block scraped twice).
REPEAT_MIN_CHARS = 160
REPEAT_MIN_RUN = 2


def drop_repeated(lines: Sequence[str]) -> list[str]:
    """Keep the first occurrence of repeated paragraphs and repeated blocks (a body scraped twice).

    Short lines that recur on their own (interview questions, "___" separators) are kept.
    """
    seen: set[str] = set()
    repeated: list[bool] = []
    for line in lines:
        key = _key(line)
        repeated.append(bool(key) and key in seen)
        seen.add(key)
    drop = [False] * len(lines)
    i = 0
    while i < len(lines):
        if not repeated[i]:
            i += 1
            continue
        j = i
        while j < len(lines) and repeated[j]:
            j += 1
        for k in range(i, j):
            drop[k] = (j - i) >= REPEAT_MIN_RUN or len(lines[k]) >= REPEAT_MIN_CHARS
        i = j
    return [line for line, gone in zip(lines, drop, strict=True) if not gone]


def compile_drop_lines(entries: Sequence[str]) -> tuple[set[str], list[re.Pattern[str]]]:
    """Split ExtractOptions.drop_lines into exact lines and "re:" regular expressions."""
    exact = {" ".join(e.split()) for e in entries if not e.startswith("re:")}
    patterns = [re.compile(e[3:]) for e in entries if e.startswith("re:")]
    return exact, patterns


def is_date_line(line: str) -> bool:
    """A short line whose content is a date plus at most a short label and weekday."""
    dates = list(iter_dates(line))
    if not dates:
        return False
    norm = normalize(line)
    rest = norm
    for found in reversed(dates):
        rest = rest[: found.start] + " " + rest[found.end :]
    rest = _WEEKDAYS.sub(" ", _PUNCT.sub(" ", rest))
    return len(rest.replace(" ", "")) <= DATE_LINE_MAX_REST


# The headline is looked for among the first lines of the body only.
HEADLINE_LINES = 3
HEADLINE_MIN_CHARS = 15


def _is_headline(key: str, title_key: str) -> bool:
    """The line is the page title, or the headline part of a "Site - Headline" title."""
    if not title_key:
        return False
    return key == title_key or (len(key) >= HEADLINE_MIN_CHARS and key in title_key)


def clean_lines(
    lines: Sequence[str],
    title: str | None = None,
    drop_lines: Sequence[str] = (),
) -> list[str]:
    """Apply, in order: repeated-line removal, the headline printed atop the body, outlet drop_lines,
    UI lines and date lines."""
    exact, patterns = compile_drop_lines(drop_lines)
    title_key = _key(title) if title else ""
    out: list[str] = []
    for index, line in enumerate(drop_repeated(lines)):
        key = _key(line)
        if not key or key in _UI_LINES:
            continue
        if index < HEADLINE_LINES and _is_headline(key, title_key):
            continue
        if line in exact or any(p.search(line) for p in patterns):
            continue
        if len(line) < 120 and is_date_line(line):
            continue
        out.append(line)
    return out


# --- pruning the tree before trafilatura sees it -------------------------------------------------

# class/id tokens of page furniture: related and "read also" boxes, most-read lists, share bars,
# tickers, tag lists, comments. Matched as whole tokens of the class/id (split at space, - and _).
_FURNITURE_TOKENS = re.compile(
    r"(?:^|[\s_-])(?:related|read-?also|readalso|more-?news|most-?read|mostread|most-?viewed|"
    r"popular|share|sharing|social|ticker|breaking|newsletter|tags|comments?|breadcrumbs?)(?=$|[\s_-])",
    re.IGNORECASE,
)
# Labels that open an inline "read also" paragraph inside a body.
_READ_ALSO = re.compile(
    r"^\W*(?:" + "|".join(
        normalize(s) for s in (
            "اقرأ أيضا", "اقرأ كذلك", "اقرأ المزيد", "شاهد أيضا", "طالع أيضا", "طالع كذلك", "ذات صلة",
            "مواضيع ذات صلة", "أخبار ذات صلة", "اخترنا لك", "للمزيد",
        )
    ) + r")"
)  # fmt: skip
# An element holding more than this share of the page's text is never pruned (it is the article).
PRUNE_MAX_TEXT_SHARE = 0.25
# A furniture-named element is pruned only when it is mostly links (related lists, tickers, tag lists)
# or tiny (share bars): a body whose wrapper says "no-share" or "has-comments" is neither.
FURNITURE_MIN_LINK_SHARE = 0.4
FURNITURE_SMALL_CHARS = 60
# Containers that may be pruned by class/id (table cells named "ticker" hold stock symbols).
_PRUNABLE_TAGS = {"div", "section", "aside", "nav", "header", "footer", "ul", "ol", "li", "form", "p", "span"}
READ_ALSO_MAX_CHARS = 300
READ_ALSO_MIN_LINK_SHARE = 0.5


def _text_len(el: HtmlElement) -> int:
    return len("".join(el.text_content().split()))


def _link_len(el: HtmlElement) -> int:
    return sum(_text_len(a) for a in el.iter("a"))


def prune_tree(tree: HtmlElement) -> int:
    """Remove page furniture from tree in place; return how many elements were removed.

    Removed: elements whose class or id names furniture (see _FURNITURE_TOKENS), and short blocks
    that open with a "read also" label and are mostly links. Never removed: <html>, <body>, <main>,
    <article>, elements holding the <h1> or an itemprop=articleBody, or more than
    PRUNE_MAX_TEXT_SHARE of the page text.
    """
    body = tree.find("body")
    root = body if body is not None else tree
    total = max(_text_len(root), 1)
    doomed: list[HtmlElement] = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in {"html", "body", "main", "article", "h1"}:
            continue
        marker = f"{el.get('class') or ''} {el.get('id') or ''}"
        furniture = False
        if el.tag in _PRUNABLE_TAGS and _FURNITURE_TOKENS.search(marker):
            size = _text_len(el)
            furniture = size <= FURNITURE_SMALL_CHARS or _link_len(el) / size >= FURNITURE_MIN_LINK_SHARE
        if not furniture and el.tag in {"p", "div", "li", "section", "aside", "span", "ul"}:
            text = " ".join(el.text_content().split())
            if len(text) <= READ_ALSO_MAX_CHARS and _READ_ALSO.match(normalize(text)):
                size = _text_len(el)
                furniture = size > 0 and _link_len(el) / size >= READ_ALSO_MIN_LINK_SHARE
        if not furniture:
            continue
        if el.find(".//h1") is not None or el.find('.//*[@itemprop="articleBody"]') is not None:
            continue
        if el.get("itemprop") == "articleBody" or _text_len(el) / total > PRUNE_MAX_TEXT_SHARE:
            continue
        doomed.append(el)
    removed = 0
    for el in doomed:
        parent = el.getparent()
        if parent is None or not _attached(el, root):
            continue
        el.drop_tree()
        removed += 1
    return removed


def _attached(el: HtmlElement, root: HtmlElement) -> bool:
    node: HtmlElement | None = el
    while node is not None:
        if node is root:
            return True
        node = node.getparent()
    return False
