"""activity.png: matched articles per topic per day, Arabic labels shaped and ordered, same bytes every time.

matplotlib 3.11+ lays text out with libraqm (shaping and bidi ordering); older builds get the text
pre-shaped by arabic-reshaper and put in visual order by python-bidi.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from rasid.alerts.digest.labels import ltr
from rasid.alerts.digest.model import Digest

DPI = 100
# Arabic-capable fonts, best first; matplotlib's own DejaVu Sans (which has Arabic) is the last resort.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)
DAY_NAMES = ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")
_ISOLATES = dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069"))
COLOURS = ("#1b6ca8", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d6a9f", "#2e4057", "#c4a35a")


def renderer_shapes_text() -> bool:
    """True when matplotlib's text layout (libraqm) shapes Arabic and orders bidi text itself."""
    from matplotlib import ft2font

    return bool(getattr(ft2font, "__libraqm_version__", None))


def display(text: str) -> str:
    """`text` as it must be handed to matplotlib to come out shaped and right-to-left."""
    if renderer_shapes_text():
        return text
    import arabic_reshaper
    from bidi import get_display

    visual = str(get_display(arabic_reshaper.reshape(text)))
    return visual.translate(_ISOLATES)


@lru_cache(maxsize=1)
def arabic_font() -> Path:
    """The first installed font file with Arabic and Latin letters and digits."""
    import matplotlib
    from matplotlib.ft2font import FT2Font

    bundled = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    needed = {ord(c) for c in "ابتثجحخدذرزسشصضطظعغفقكلمنهوي0123456789AZaz"}
    for candidate in (*FONT_CANDIDATES, str(bundled)):
        path = Path(candidate)
        if not path.is_file():
            continue
        try:
            charmap = FT2Font(str(path)).get_charmap()
        except (OSError, RuntimeError):
            continue
        if needed <= set(charmap):
            return path
    return bundled


def render_chart(digest: Digest, width: float = 9.0, height: float = 4.8) -> bytes:
    """PNG bytes of the chart: one group of bars per day, one bar per topic, legend in Arabic."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.ticker import MaxNLocator

    font = FontProperties(fname=str(arabic_font()), size=10)
    title_font = FontProperties(fname=str(arabic_font()), size=13)
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    topics = list(digest.topics)
    n = max(len(topics), 1)
    bar = 0.8 / n
    days = digest.week.days
    # Right to left: Monday is the rightmost group, as an Arabic reader expects.
    xs = list(range(6, -1, -1))
    for i, topic in enumerate(topics):
        offsets = [x - 0.4 + bar * (n - 1 - i) + bar / 2 for x in xs]
        ax.bar(
            offsets,
            list(topic.per_day),
            width=bar,
            color=COLOURS[i % len(COLOURS)],
            label=display(topic.title_ar),
        )
    ax.set_xticks(xs)
    ax.set_xticklabels(
        [display(f"{DAY_NAMES[i]} {d.day}/{d.month}") for i, d in enumerate(days)], fontproperties=font
    )
    for label in ax.get_yticklabels():
        label.set_fontproperties(font)
    ax.yaxis.tick_right()
    ax.yaxis.set_label_position("right")
    ax.set_ylabel(display("عدد المقالات المطابقة"), fontproperties=font)
    top = max([max(t.per_day) for t in topics] + [0])
    ax.set_ylim(0, max(top * 1.15, 1))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(
        display(f"المطابقات لكل موضوع في كل يوم — الأسبوع {ltr(digest.week.label)}"),
        fontproperties=title_font,
    )
    if topics:
        fig.legend(prop=font, loc="outside lower right", frameon=False, markerfirst=False)
    if digest.empty:
        ax.text(
            0.5, 0.5, display("لا مطابقات هذا الأسبوع"), transform=ax.transAxes,
            ha="center", va="center", fontproperties=title_font, color="#666666",
        )  # fmt: skip
    ax.spines[["top", "left"]].set_visible(False)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
