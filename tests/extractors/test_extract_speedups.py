"""The extractor's faster paths give what the plain definitions give (reference implementations below)."""

from __future__ import annotations

import random
import re
import unicodedata
from functools import cache

import lxml.html
import pytest
from lxml import etree
from lxml.html import HtmlElement

from rasid.demo import pages
from rasid.demo.outlets import load_sample_outlets
from rasid.extractors import boilerplate
from rasid.extractors.dates import NORMALIZE_TABLE, normalize
from rasid.extractors.decoding import decode_html
from rasid.extractors.parsing import parse_html
from rasid.extractors.published import text_around_headline
from rasid.extractors.trafilatura_extract import run_trafilatura

from .page_builder import PAGES

# --- normalize: one str.translate instead of translate, regex, translate -----------------------------------

_REF_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_REF_DIACRITICS = re.compile(r"[\u064B-\u0652\u0670\u0640]")
_REF_FOLD = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "،": ",", "\u00a0": " "}
)


def reference_normalize(text: str) -> str:
    return _REF_DIACRITICS.sub("", text.translate(_REF_DIGITS)).translate(_REF_FOLD)


def test_normalize_equals_the_three_steps_on_every_bmp_character() -> None:
    every = "".join(chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF)
    assert normalize(every) == reference_normalize(every)
    for c in every:
        assert normalize(c) == reference_normalize(c), hex(ord(c))


def test_normalize_keeps_word_class_of_mapped_characters() -> None:
    # what _READ_ALSO_RAW relies on: a character normalize() keeps stays a word / non-word character
    word = re.compile(r"\w")
    for key, value in NORMALIZE_TABLE.items():
        if value is not None:
            assert bool(word.match(chr(key))) == bool(word.match(value)), hex(key)


# --- "read also" labels matched on raw text ----------------------------------------------------------------

_RAW_LABELS = (
    "اقرأ أيضا", "اقرأ أيضاً", "إقرأ أيضاً", "اقرا ايضا", "اقرأ كذلك", "اقرأ المزيد", "شاهد أيضا", "طالع أيضاً",
    "طالع كذلك", "ذات صلة", "مواضيع ذات صلة", "أخبار ذات صلة", "اخترنا لك", "للمزيد", "اقـــرأ أيضـاً",
    "اِقْرَأْ أَيْضًا", "أخبار ذات صلـة", "ذاتُ صِلَةٍ",
)  # fmt: skip
_NOISE = [
    " ",
    "\u00a0",
    ":",
    "«",
    "-",
    "|",
    "\u064e",
    "\u0640",
    "\u0670",
    "،",
    "1",
    "١",
    "a",
    "ال",
    "ة",
    "\n",
    "_",
]


def _variants(rng: random.Random) -> list[str]:
    out: list[str] = []
    for label in _RAW_LABELS:
        for _ in range(30):
            chars = list(label)
            for _ in range(rng.randint(0, 3)):
                chars.insert(rng.randrange(len(chars) + 1), rng.choice(_NOISE))
            if rng.random() < 0.3:
                chars = chars[: rng.randrange(1, len(chars) + 1)]
            prefix = "".join(rng.choice(_NOISE) for _ in range(rng.randint(0, 4)))
            out.append(prefix + "".join(chars) + rng.choice(["", ": عنوان خبر آخر", "ات", " "]))
    return out


def test_raw_read_also_pattern_matches_exactly_when_the_normalized_one_does() -> None:
    texts = _variants(random.Random(5)) + [" ".join(s.split()) for s in _element_texts()]
    matched = 0
    for text in texts:
        expected = bool(boilerplate._READ_ALSO.match(normalize(text)))
        assert bool(boilerplate._READ_ALSO_RAW.match(text)) == expected, text
        matched += expected
    assert 50 < matched < len(texts) - 50  # both outcomes exercised


# --- text lengths computed bottom-up -----------------------------------------------------------------------


def _text_len(el: HtmlElement) -> int:
    return len("".join(el.text_content().split()))


def _link_len(el: HtmlElement) -> int:
    return sum(_text_len(a) for a in el.iter("a"))


_TRICKY = (
    "<html><body><div class='x'> a <!-- comment text --> b <span>c\u00a0d<a href='#'>link <b>bold</b> "
    "</a>tail</span> e<script>var x = 1;</script><a>outer<span><a>inner</a></span></a>\u2003</div>"
    "<?pi instruction?>after<p>  </p><a href='/'>ع ر ب ي</a></body></html>"
)


def _tricky_tree() -> HtmlElement:
    """Comments and a processing instruction kept (lxml.html's default parser), and a link nested in a link
    (which the HTML parser would not build)."""
    tree = lxml.html.document_fromstring(_TRICKY)
    outer = tree.find(".//span").find("a")
    inner = lxml.html.fragment_fromstring("<a href='#i'>nested <i>link</i></a>")
    inner.tail = " after nested "
    outer.append(inner)
    return tree


@cache
def _trees() -> list[HtmlElement]:
    trees = [_tricky_tree()]
    trees += [parse_html(decode_html(p.read_bytes())[0]) for p in sorted(PAGES.glob("*.html"))]
    for outlet in load_sample_outlets(rebase_dates=False)[:2]:
        for article in outlet.articles[:3]:
            trees.append(parse_html(pages.article_page(outlet, "http://o.test/", article, 2026)))
    return trees


def _element_texts() -> list[str]:
    return [el.text_content() for tree in _trees() for el in tree.iter() if isinstance(el.tag, str)]


@pytest.mark.parametrize("index", range(len(_trees())))
def test_text_lengths_equal_text_content_per_node(index: int) -> None:
    tree = _trees()[index]
    for root in (tree, tree.find("body")):
        nodes, text_len, link_len = boilerplate._text_lengths(root)
        assert nodes == list(root.iter())
        for el in nodes:
            if isinstance(el.tag, str):
                assert text_len[el] == _text_len(el), etree.tostring(el)[:200]
                assert link_len[el] == _link_len(el), etree.tostring(el)[:200]


def test_tricky_tree_has_comments_and_nested_links() -> None:
    tree = _tricky_tree()
    assert sum(not isinstance(el.tag, str) for el in tree.iter()) >= 2
    assert any(a.find(".//a") is not None for a in tree.iter("a"))
    assert unicodedata.category("\u2003") == "Zs"  # whitespace to str.split(), not to XPath


# --- trafilatura is given the tree itself (it copies it) ---------------------------------------------------


def test_run_trafilatura_leaves_the_tree_unchanged() -> None:
    for tree in _trees():  # (run_trafilatura is the last user of these trees)
        before = etree.tostring(tree, encoding="unicode")
        run_trafilatura(tree, "https://example-outlet.test/a", extensive_dates=False)
        assert etree.tostring(tree, encoding="unicode") == before


# --- text around the headline: the headline's own descendants are skipped -----------------------------------


def test_text_around_headline_skips_the_headline_subtree() -> None:
    tree = parse_html(
        "<html><body><p>قبل العنوان 1</p><div><h1>عنوان <span>داخل <b>عميق</b></span> ذيل داخلي</h1>"
        "بعد العنوان<span>نص تال</span></div><p>فقرة 11 أيار 2022</p></body></html>"
    )
    before, after = text_around_headline(tree, None)
    assert before == "قبل العنوان 1"
    assert after == "بعد العنوان نص تال فقرة 11 أيار 2022"
