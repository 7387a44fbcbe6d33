"""The one cleaner of untrusted text: controls out, whitespace folded, cut on a word, spans kept."""

from __future__ import annotations

import pytest

from rasid.text import BIDI_CONTROLS, ELLIPSIS, INVISIBLE, clean, clean_marked, cut

HOSTILE = "".join(BIDI_CONTROLS) + "".join(INVISIBLE) + "\x00\x1b[31m\x7f"


def test_every_bidi_and_invisible_control_goes() -> None:
    for ch in BIDI_CONTROLS + INVISIBLE + "\x00\x07\x1b\x7f\x9b":
        assert clean(f"قبل{ch}بعد") == "قبلبعد", repr(ch)
    assert clean(HOSTILE + "خبر") == "[31mخبر"


def test_joiners_that_shape_script_are_kept() -> None:
    assert clean("می\u200cخواهم") == "می\u200cخواهم"


def test_whitespace_runs_become_one_space_and_ends_are_stripped() -> None:
    assert clean("  خبر\n\n\t عاجل\u00a0\u2028جداً  ") == "خبر عاجل جداً"
    assert clean(None) == "" and clean("") == "" and clean(" \u200f ") == ""


def test_cut_on_a_word_boundary_with_an_ellipsis() -> None:
    text = "كلمة " * 100
    out = clean(text, 50)
    assert len(out) <= 50 and out.endswith("كلمة" + ELLIPSIS)
    assert cut("قصير", 10) == "قصير"


def test_a_long_word_is_cut_hard() -> None:
    out = clean("ش" * 10_000, 300)
    assert len(out) == 300 and out.endswith(ELLIPSIS)


@pytest.mark.parametrize("limit", [1, 2, 5, 17, 300])
def test_never_longer_than_the_limit(limit: int) -> None:
    for text in ("a b c d e f g h i j k", "ش" * 50, "عنوان " + "ش" * 40):
        assert len(clean(text, limit)) <= limit


def test_marked_spans_follow_their_characters() -> None:
    sentence = "قالت\u200f  المصادر\n\n إن  مخيم الهول \u202bسُلّم"
    spans = [(sentence.index("مخيم"), sentence.index("الهول") + 5), (sentence.index("سُلّم"), len(sentence))]
    text, moved = clean_marked(sentence, spans)
    assert text == "قالت المصادر إن مخيم الهول سُلّم"
    assert [text[s:e] for s, e in moved] == ["مخيم الهول", "سُلّم"]


def test_marked_spans_merge_drop_and_stop_at_the_cut() -> None:
    text, spans = clean_marked("abc def ghi", [(4, 7), (5, 9), (0, 0), (9, 99)])
    assert text == "abc def ghi" and spans == [(4, 9)]
    text, spans = clean_marked("aaaa bbbb cccc dddd", [(0, 4), (10, 14), (15, 19)], limit=12)
    assert text == "aaaa bbbb" + ELLIPSIS and spans == [(0, 4)]
    text, spans = clean_marked("x" * 100, [(90, 95), (10, 50)], limit=20)
    assert len(text) == 20 and spans == [(10, 19)]


def test_clean_marked_agrees_with_clean() -> None:
    for raw in ("  a\u202e b  ", "\u2066" + "ش " * 400, "a\u200bb\nc", HOSTILE):
        for limit in (None, 7, 300):
            assert clean_marked(raw, [], limit)[0] == clean(raw, limit)
