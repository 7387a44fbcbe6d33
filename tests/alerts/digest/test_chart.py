"""activity.png: Arabic labels come out shaped and right-to-left, the font has Arabic, bytes are stable."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from rasid.alerts.digest.chart import arabic_font, display, render_chart, renderer_shapes_text
from rasid.alerts.digest.collect import TopicInfo
from rasid.alerts.digest.model import Counts, Digest, TopicDigest
from rasid.alerts.digest.week import parse_week

LABEL = "انتقال السيطرة على مخيم الهول 2026"


def _ink(text: str) -> np.ndarray:
    """The text drawn alone with the digest's font, cropped to its ink, as a boolean array."""
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    fig = Figure(figsize=(6, 1), dpi=100)
    fig.text(0.02, 0.3, text, fontproperties=FontProperties(fname=str(arabic_font()), size=20))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    ink = np.asarray(Image.open(buf).convert("L")) < 128
    rows, cols = np.where(ink)
    return ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]


def test_labels_are_shaped_and_ordered_like_the_reference() -> None:
    """The reference is the label shaped by arabic-reshaper and put in visual order by python-bidi, drawn
    as a forced left-to-right run: what a reader must see. The digest's label must look the same, and
    the raw logical-order string drawn as forced LTR (unshaped, reversed) must not."""
    import arabic_reshaper
    from bidi import get_display

    if not renderer_shapes_text():
        pytest.skip("this matplotlib has no libraqm; display() pre-shapes and the reference would be it")
    reference = _ink("\u202d" + get_display(arabic_reshaper.reshape(LABEL)) + "\u202c")
    ours = _ink(display(LABEL))
    wrong = _ink("\u202d" + LABEL + "\u202c")
    assert ours.shape == reference.shape
    assert (ours != reference).mean() < 0.01
    assert wrong.shape != reference.shape or (wrong != reference).mean() > 0.05


def test_font_has_arabic_letters() -> None:
    from matplotlib.ft2font import FT2Font

    charmap = FT2Font(str(arabic_font())).get_charmap()
    assert all(ord(c) in charmap for c in "ابتثجحخدذرزسشصضطظعغفقكلمنهوي")


def _digest(per_day: tuple[int, ...]) -> Digest:
    topics = [TopicInfo("camp_handover", "انتقال السيطرة على المخيمات"), TopicInfo("communique", "بيان")]
    return Digest(
        week=parse_week("2026-W47", "Asia/Damascus"),
        topics=tuple(
            TopicDigest(t.id, t.title_ar, "", Counts(), per_day if i == 0 else (0,) * 7, ())
            for i, t in enumerate(topics)
        ),
        outlets=(),
        articles=0,
    )


def test_chart_bytes_are_stable_and_show_the_counts() -> None:
    one = render_chart(_digest((0, 3, 0, 0, 0, 0, 5)))
    assert one == render_chart(_digest((0, 3, 0, 0, 0, 0, 5)))
    assert b"Software" not in one and b"tIME" not in one
    other = render_chart(_digest((0, 3, 0, 0, 0, 0, 6)))
    assert other != one
    pixels = np.asarray(Image.open(io.BytesIO(one)).convert("RGB")).astype(int)
    bar = np.abs(pixels - np.array([0x1B, 0x6C, 0xA8])).sum(axis=2) < 30  # the first topic's colour
    cols = np.where(bar.any(axis=0))[0]
    width = pixels.shape[1]
    # Sunday (5 matches) is drawn at the left, Monday's group at the right: right-to-left days.
    left_bar = bar[:, : width // 4].sum()
    assert left_bar > bar[:, width // 4 :].sum() * 0.8, "the tallest bar (Sunday) is on the left"
    assert cols.min() < width // 4
