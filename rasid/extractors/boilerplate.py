"""Removing what is not article text: repeated blocks, the headline, outlet drop-lines, UI and date lines."""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml.html import HtmlElement

from .dates import NORMALIZE_TABLE, iter_dates, normalize

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
    return [line for line, _ in _drop_repeated_keyed(lines)]


def _drop_repeated_keyed(lines: Sequence[str]) -> list[tuple[str, str]]:
    """drop_repeated, each kept line with its _key (computed once per line)."""
    keys = [_key(line) for line in lines]
    seen: set[str] = set()
    repeated: list[bool] = []
    for key in keys:
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
    return [(line, key) for line, key, gone in zip(lines, keys, drop, strict=True) if not gone]


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
    for index, (line, key) in enumerate(_drop_repeated_keyed(lines)):
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
_READ_ALSO_LABELS = tuple(
    normalize(s) for s in (
        "اقرأ أيضا", "اقرأ كذلك", "اقرأ المزيد", "شاهد أيضا", "طالع أيضا", "طالع كذلك", "ذات صلة",
        "مواضيع ذات صلة", "أخبار ذات صلة", "اخترنا لك", "للمزيد",
    )
)  # fmt: skip
_READ_ALSO = re.compile(r"^\W*(?:" + "|".join(_READ_ALSO_LABELS) + r")")
# _READ_ALSO on the raw (un-normalised) text: normalize() deletes some characters (tashkeel, tatweel) and maps
# others one to one, a mapped character staying a word or non-word character as it was (checked in
# tests/extractors/test_extract_speedups.py). So _READ_ALSO.match(normalize(text)) holds exactly when the raw
# text opens with non-word or deleted characters, then a label whose every letter is one that normalize()
# maps to the label's letter, each followed by any deleted characters.
_DELETED = "".join(chr(k) for k, v in NORMALIZE_TABLE.items() if v is None)


def _raw_label(label: str) -> str:
    parts = []
    for char in label:
        sources = char + "".join(chr(k) for k, v in NORMALIZE_TABLE.items() if v == char)
        parts.append("[" + re.escape(sources) + "][" + re.escape(_DELETED) + "]*")
    return "".join(parts)


_READ_ALSO_LABEL_RAW = "(?:" + "|".join(_raw_label(label) for label in _READ_ALSO_LABELS) + ")"
_READ_ALSO_RAW = re.compile(r"^[\W" + re.escape(_DELETED) + "]*" + _READ_ALSO_LABEL_RAW)
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
_NEVER_PRUNED = {"html", "body", "main", "article", "h1"}
_READ_ALSO_TAGS = {"p", "div", "li", "section", "aside", "span", "ul"}


def _text_lengths(
    root: HtmlElement,
) -> tuple[list[HtmlElement], dict[HtmlElement, int], dict[HtmlElement, int]]:
    """The nodes under root (root included, document order), and per node its text length (the non-space
    characters of text_content()) and its link length (the text lengths of el.iter("a") summed).

    One pass bottom-up instead of text_content() per node (quadratic in nesting): a node's text length is its
    own text (not counted for comments and processing instructions, as text_content() leaves them out) plus,
    per child, the child's text length and tail; its link length is its children's plus its own text length
    when it is an <a> (el.iter("a") includes el, and nested links count in each enclosing link).
    """
    nodes = list(root.iter())
    text_len: dict[HtmlElement, int] = {}
    link_len: dict[HtmlElement, int] = {}
    for el in reversed(nodes):
        tag = el.tag
        is_element = isinstance(tag, str)
        own = el.text if is_element else None
        size = len("".join(own.split())) if own else 0
        links = 0
        for child in el:
            size += text_len[child]
            tail = child.tail
            if tail:
                size += len("".join(tail.split()))
            links += link_len[child]
        if tag == "a":
            links += size
        text_len[el] = size
        link_len[el] = links
    return nodes, text_len, link_len


def prune_tree(tree: HtmlElement) -> int:
    """Remove page furniture from tree in place; return how many elements were removed.

    Removed: elements whose class or id names furniture (see _FURNITURE_TOKENS), and short blocks
    that open with a "read also" label and are mostly links. Never removed: <html>, <body>, <main>,
    <article>, elements holding the <h1> or an itemprop=articleBody, or more than
    PRUNE_MAX_TEXT_SHARE of the page text.
    """
    body = tree.find("body")
    root = body if body is not None else tree
    nodes, text_len, link_len = _text_lengths(root)
    total = max(text_len[root], 1)
    doomed: list[HtmlElement] = []
    for el in nodes:
        tag = el.tag
        if not isinstance(tag, str) or tag in _NEVER_PRUNED:
            continue
        size = text_len[el]
        furniture = False
        if tag in _PRUNABLE_TAGS and _FURNITURE_TOKENS.search(
            f"{el.get('class') or ''} {el.get('id') or ''}"
        ):
            furniture = size <= FURNITURE_SMALL_CHARS or link_len[el] / size >= FURNITURE_MIN_LINK_SHARE
        # the squashed text is at least as long as its non-space characters
        if not furniture and tag in _READ_ALSO_TAGS and size <= READ_ALSO_MAX_CHARS:
            text = " ".join(el.text_content().split())
            if len(text) <= READ_ALSO_MAX_CHARS and _READ_ALSO_RAW.match(text):
                furniture = size > 0 and link_len[el] / size >= READ_ALSO_MIN_LINK_SHARE
        if not furniture:
            continue
        if el.find(".//h1") is not None or el.find('.//*[@itemprop="articleBody"]') is not None:
            continue
        if el.get("itemprop") == "articleBody" or size / total > PRUNE_MAX_TEXT_SHARE:
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
