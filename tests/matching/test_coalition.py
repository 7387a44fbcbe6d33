"""The shipped topics on sentences written for these tests (not from seeds or dev set): generalisation."""

from pathlib import Path

import pytest

from rasid.matching import Matcher, load_watchlist

WATCHLIST = Path(__file__).resolve().parents[2] / "config" / "watchlists" / "coalition.toml"
MATCHER = Matcher(load_watchlist(WATCHLIST))


def _fired(text: str, title: str | None = None) -> dict[str, str]:
    return {m.topic: m.modality for m in MATCHER.match(text, title)}


NEW_MEMBER_YES = [
    "أعلنت وزارة الخارجية الأمريكية انضمام جمهورية الصومال رسميا إلى التحالف الدولي لهزيمة داعش.",
    "وقالت الحكومة إنها انضمت إلى التحالف الدولي ضد تنظيم الدولة الإسلامية بعد مشاورات طويلة.",
    "رحب المبعوث الأمريكي بانضمام دولة جديدة إلى التحالف الدولي لمحاربة داعش لتصبح الشريك رقم 88.",
    "أصبحت البلاد العضو الجديد في التحالف الدولي ضد داعش، وفق بيان للسفارة.",
    "وتعد هذه الدولة العضو رقم 87 في التحالف الدولي لمكافحة تنظيم «داعش».",
    "قرر الاتحاد الإفريقي الانضمام إلى التحالف العالمي لهزيمة داعش.",
]
NEW_MEMBER_NO = [
    "أعلنت السويد انضمامها رسميا إلى حلف شمال الأطلسي بعد موافقة تركيا.",
    "انضمت مصر إلى التحالف الدولي لحماية الملاحة في البحر الأحمر.",
    "قالت الرياض إن ماليزيا انضمت إلى التحالف الإسلامي العسكري لمحاربة الإرهاب.",
    "غادر الشاب بلدته للانضمام إلى صفوف داعش في سوريا عام 2015.",
    "تبحث الحكومة إمكانية الانضمام إلى التحالف الدولي ضد داعش.",
    "وشارك الأردن، المنضم إلى التحالف الدولي ضد داعش منذ 2014، في الاجتماع.",
    "يضم التحالف الدولي لهزيمة داعش 86 دولة ومنظمة.",
    "نفت الخارجية الأنباء عن انضمام البلاد إلى التحالف الدولي ضد داعش.",
    "انضمت البرازيل إلى مجموعة بريكس، فيما يواصل التحالف الدولي حربه على داعش.",
]


@pytest.mark.parametrize("text", NEW_MEMBER_YES)
def test_new_member_fires(text: str) -> None:
    assert _fired(text).get("new_member") == "asserted"


def test_new_member_planned() -> None:
    text = "قال مسؤول أمريكي إن كازاخستان ستنضم إلى التحالف الدولي ضد داعش خلال أيام."
    assert _fired(text).get("new_member") == "planned"
    assert (
        _fired("من المقرر أن تنضم البلاد إلى التحالف الدولي ضد داعش الأسبوع المقبل.").get("new_member")
        == "planned"
    )


@pytest.mark.parametrize("text", NEW_MEMBER_NO)
def test_new_member_does_not_fire(text: str) -> None:
    assert "new_member" not in _fired(text)


@pytest.mark.xfail(
    strict=True, reason="known limit: a past accession in a relative clause reads as a new one"
)
def test_new_member_background_relative_clause() -> None:
    text = "وشارك الأردن، الذي انضم إلى التحالف الدولي ضد داعش قبل سنوات طويلة، في الاجتماع."
    assert "new_member" not in _fired(text)


HANDOVER_YES = [
    "تسلمت قوات الأمن السورية إدارة مخيم الهول بعد انسحاب قوات سوريا الديمقراطية.",
    "أعلنت وزارة الداخلية العراقية تسلم 300 معتقل من عناصر داعش كانوا محتجزين في سجون شمال شرق سوريا.",
    "سلمت قسد إدارة سجن غويران إلى الحكومة السورية بموجب الاتفاق.",
    "وجرى نقل أكثر من ألفي معتقل من داعش إلى العراق خلال الأسبوع الماضي.",
    "انتقلت إدارة مخيم روج إلى السلطات الحكومية وفق الاتفاق الأخير مع قسد.",
]
HANDOVER_NO = [
    "وصلت دفعة جديدة من العائلات العراقية من مخيم الهول إلى مخيم الجدعة جنوب الموصل.",
    "تسلمت بلجيكا ستة أطفال وثلاث نساء من مخيم روج في إطار إعادة رعاياها.",
    "هاجم عناصر من داعش سجن الصناعة في الحسكة وأطلقوا سراح عشرات السجناء.",
    "تعاني العائلات في مخيم الهول من نقص المياه والرعاية الصحية، بحسب الأمم المتحدة عن مخيم أسر داعش.",
    "تسلم الجيش اللبناني دفعة من السلاح من مخيم عين الحلوة.",
    "وصلت قافلة مساعدات إلى مخيم الهول وجرى تسليمها إلى إدارة المخيم، بحسب قسد.",
    "يضم مخيم الهول آلاف النساء والأطفال من عائلات عناصر داعش.",
    "نفت قسد تسليم إدارة مخيم الهول إلى الحكومة السورية.",
    "طالبت منظمات حقوقية بضرورة نقل المعتقلين من عناصر داعش إلى محاكم عادلة.",
]


@pytest.mark.parametrize("text", HANDOVER_YES)
def test_camp_handover_fires(text: str) -> None:
    assert _fired(text).get("camp_handover") == "asserted"


def test_camp_handover_takes_only_reported_handovers() -> None:
    """Plans and 'will take over' reports are not handovers (../shared/matching/README.md conventions)."""
    text = "ومن المقرر أن تتسلم الحكومة السورية إدارة مخيم الهول من قسد الشهر المقبل."
    assert "camp_handover" not in _fired(text)


@pytest.mark.parametrize("text", HANDOVER_NO)
def test_camp_handover_does_not_fire(text: str) -> None:
    assert "camp_handover" not in _fired(text)


COMMUNIQUE_YES = [
    "وأكد وزراء خارجية التحالف الدولي ضد داعش في بيانهم الختامي التزامهم بهزيمة التنظيم.",
    "وجاء في البيان الصادر عن الاجتماع الوزاري للتحالف الدولي لهزيمة داعش أن التهديد لا يزال قائما.",
    "وفي ختام اجتماعهم في روما، أصدر الوزراء بيانا مشتركا. وأكد التحالف الدولي ضد داعش مواصلة دعمه للعراق.",
]
COMMUNIQUE_NO = [
    "أكد وزراء الخارجية العرب في البيان الختامي لاجتماعهم في القاهرة دعمهم لفلسطين، ودانوا داعش.",
    "وأشاد المجلس الوزاري لمجلس التعاون في بيانه الختامي بجهود التحالف الدولي ضد داعش.",
    "يعقد وزراء خارجية التحالف الدولي ضد داعش اجتماعهم غدا في الرياض، ومن المتوقع أن يصدر عنه بيان ختامي.",
    "قالت القيادة المركزية الأمريكية في بيان إن غارة للتحالف قتلت قياديا في داعش.",
    "وسيصدر الوزراء بيانا ختاميا في ختام اجتماع التحالف الدولي ضد داعش.",
    "وقال وزير الخارجية في بيان إن بلاده تدعم التحالف الدولي ضد داعش.",
    "أصدرت منظمة أوبك بيانا بعد اجتماع وزراء النفط.",
]


@pytest.mark.parametrize("text", COMMUNIQUE_YES)
def test_communique_fires(text: str) -> None:
    assert _fired(text).get("communique") == "asserted"


@pytest.mark.parametrize("text", COMMUNIQUE_NO)
def test_communique_does_not_fire(text: str) -> None:
    assert "communique" not in _fired(text)


def test_unrelated_news_fires_nothing() -> None:
    assert _fired("فاز الهلال على النصر بثلاثة أهداف لهدف في الدوري السعودي.") == {}
