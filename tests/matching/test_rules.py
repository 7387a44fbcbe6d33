"""The rule language: groups, phrases, wildcards, exact words, near, not, anywhere, nowhere, weights."""

from textwrap import dedent

from rasid.matching import Matcher, parse_watchlist


def _matcher(groups: str, rules: str, extra: str = "") -> Matcher:
    text = dedent(
        """
        [[topics]]
        id = "t"
        title_ar = "موضوع"
        title_en = "topic"
        {extra}
        [topics.groups]
        {groups}
        {rules}
        """
    ).format(groups=dedent(groups), rules=dedent(rules), extra=extra)
    return Matcher(parse_watchlist(text))


def _fires(matcher: Matcher, text: str, title: str | None = None) -> bool:
    return any(m.topic == "t" for m in matcher.match(text, title))


def test_phrase_matches_word_by_word_with_clitics_on_the_first_word() -> None:
    m = _matcher('a = ["التحالف الدولي"]', '[[topics.rules]]\nall = ["a"]')
    assert _fires(m, "رحب وزير الخارجية بالتحالف الدولي.")
    assert _fires(m, "وللتحالف الدوليّ دور.")
    assert not _fires(m, "التحالف العربي الدولي")  # words must be adjacent
    assert not _fires(m, "التحالف. الدولي")  # not across sentences


def test_phrase_inner_word_agrees_with_the_article() -> None:
    m = _matcher('a = ["بيان ختامي"]', '[[topics.rules]]\nall = ["a"]')
    assert _fires(m, "صدر البيان الختامي")
    assert _fires(m, "أصدروا بيانا ختاميا")
    assert not _fires(m, "بيان وختامي")


def test_wildcard_and_exact_words() -> None:
    wild = _matcher('a = ["انضم*"]', '[[topics.rules]]\nall = ["a"]')
    assert _fires(wild, "وانضمامها")
    assert _fires(wild, "انضمت")
    assert not _fires(wild, "ينضم")
    exact = _matcher('a = ["=روج"]', '[[topics.rules]]\nall = ["a"]')
    assert _fires(exact, "مخيمي الهول وروج")
    assert not _fires(exact, "روجت الصحيفة")


def test_all_needs_every_group_in_one_sentence_and_bar_gives_alternatives() -> None:
    m = _matcher('a = ["مخيم"]\nb = ["تسليم"]\nc = ["سجن"]', '[[topics.rules]]\nall = ["a|c", "b"]')
    assert _fires(m, "تسليم مخيم")
    assert _fires(m, "تسليم السجن")
    assert not _fires(m, "تسليم السلاح. مخيم الهول")


def test_any_needs_one_group() -> None:
    m = _matcher('a = ["مخيم"]\nb = ["سجن"]', '[[topics.rules]]\nany = ["a", "b"]')
    assert _fires(m, "السجن المركزي")
    assert not _fires(m, "المعتقل")


def test_near_counts_words_between() -> None:
    m = _matcher('a = ["تسليم"]\nb = ["مخيم"]', '[[topics.rules]]\nall = ["a", "b"]\nnear = 2')
    assert _fires(m, "تسليم إدارة المخيم")
    assert _fires(m, "تسليم إدارة شؤون المخيم")
    assert not _fires(m, "تسليم إدارة شؤون الإغاثة في المخيم")


def test_not_blocks_the_sentence_only() -> None:
    m = _matcher('a = ["مخيم"]\nx = ["هجوم"]', '[[topics.rules]]\nall = ["a"]\nnot = ["x"]')
    assert not _fires(m, "هجوم على المخيم")
    assert _fires(m, "هجوم على السجن. تسليم المخيم")


def test_not_near_blocks_only_close_to_the_first_group() -> None:
    m = _matcher(
        'a = ["انضمام"]\nb = ["تحالف"]\nx = ["ضرورة"]',
        '[[topics.rules]]\nall = ["a", "b"]\nnot_near = ["x"]\nnot_within = 2',
    )
    assert not _fires(m, "ضرورة انضمام البلاد إلى التحالف")
    assert _fires(m, "انضمام البلاد إلى التحالف مع التأكيد على ضرورة التنسيق")


def test_anywhere_and_nowhere_look_at_title_and_text() -> None:
    m = _matcher(
        'a = ["انضمام"]\nisis = ["داعش"]\nsea = ["الملاحة"]',
        '[[topics.rules]]\nall = ["a"]\nanywhere = ["isis"]\nnowhere = ["sea"]',
    )
    assert not _fires(m, "انضمام البلاد")
    assert _fires(m, "انضمام البلاد", title="التحالف ضد داعش")
    assert not _fires(m, "انضمام البلاد. الحرب على داعش. أمن الملاحة")


def test_weights_and_min_score() -> None:
    m = _matcher(
        'a = { terms = ["مخيم"], weight = 1 }\nb = { terms = ["الهول"], weight = 2 }\nc = ["تسليم"]',
        '[[topics.rules]]\nany = ["a", "b", "c"]',
        extra="min_score = 3",
    )
    assert not _fires(m, "تسليم المخيم")  # 1 + 1
    assert _fires(m, "مخيم الهول")  # 1 + 2
    [match] = m.match("تسليم مخيم الهول")
    assert match.score == 4


def test_several_rules_any_may_fire() -> None:
    m = _matcher('a = ["مخيم"]\nb = ["سجن"]', '[[topics.rules]]\nall = ["a"]\n[[topics.rules]]\nall = ["b"]')
    assert _fires(m, "السجن")
    assert _fires(m, "المخيم")
