"""Modality: denials never fire, planned events fire as "planned", negated words do not count."""

from textwrap import dedent

from rasid.matching import Matcher, parse_watchlist

WATCHLIST = dedent(
    """
    [[topics]]
    id = "join"
    title_ar = "انضمام"
    title_en = "join"
    [topics.groups]
    join = ["انضمام", "انضم*", "ينضم", "تنضم"]
    coalition = ["تحالف"]
    [[topics.rules]]
    all = ["join", "coalition"]

    [[topics]]
    id = "reported_only"
    title_ar = "بيان"
    title_en = "statement"
    planned = false
    [topics.groups]
    statement = ["بيان"]
    [[topics.rules]]
    all = ["statement"]
    """
)
MATCHER = Matcher(parse_watchlist(WATCHLIST))


def _modality(text: str, topic: str = "join") -> str | None:
    for m in MATCHER.match(text):
        if m.topic == topic:
            return m.modality
    return None


def test_asserted() -> None:
    assert _modality("انضمت البلاد إلى التحالف أمس.") == "asserted"


def test_denials_do_not_fire() -> None:
    for text in (
        "نفت الحكومة انضمامها إلى التحالف.",
        "ونفى المتحدث أن تكون البلاد قد انضمت إلى التحالف.",
        "الأنباء عن انضمام البلاد إلى التحالف غير صحيحة.",
        "قال الوزير إنه لا صحة لانضمام البلاد إلى التحالف.",
        "تنفي الوزارة انضمام البلاد إلى التحالف.",
    ):
        assert _modality(text) is None, text


def test_planned_fires_as_planned() -> None:
    for text in (
        "ستنضم البلاد إلى التحالف الشهر المقبل.",
        "وسينضم الحلف إلى التحالف.",
        "من المقرر أن تنضم البلاد إلى التحالف.",
        "تعتزم الحكومة الانضمام إلى التحالف.",
        "من المتوقع انضمام البلاد إلى التحالف.",
    ):
        assert _modality(text) == "planned", text


def test_asserted_evidence_wins_over_planned() -> None:
    text = "ستنضم دولة أخرى إلى التحالف. وانضمت البلاد إلى التحالف أمس."
    [match] = [m for m in MATCHER.match(text) if m.topic == "join"]
    assert match.modality == "asserted"
    assert [e.modality for e in match.evidence] == ["planned", "asserted"]


def test_negated_word_does_not_count() -> None:
    assert _modality("لم تنضم البلاد إلى التحالف.") is None
    assert _modality("لن تنضم البلاد إلى التحالف.") is None


def test_topic_may_refuse_planned_events() -> None:
    assert _modality("صدر البيان أمس.", "reported_only") == "asserted"
    assert _modality("ومن المتوقع أن يصدر البيان غدا.", "reported_only") is None


def test_sentences_about_past_years_are_background_not_news() -> None:
    from pathlib import Path

    from rasid.matching import Matcher, load_watchlists

    matcher = Matcher(
        load_watchlists([Path(__file__).resolve().parents[2] / "config/watchlists/coalition.toml"])
    )
    background = (
        "وتنظر المحاكم في قضايا معتقلين من داعش تسلمتهم السلطات العراقية من سوريا خلال السنوات الماضية."
    )
    news = "تسلمت السلطات العراقية اليوم دفعة جديدة من معتقلي داعش المحتجزين في سجون شمال شرق سوريا."
    assert [m.topic for m in matcher.match(background)] == []
    assert [m.topic for m in matcher.match(news)] == ["camp_handover"]
