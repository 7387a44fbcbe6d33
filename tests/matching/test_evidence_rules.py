"""The rule features that score evidence instead of fixed windows: skip, review_near, rivals and attach,
confirm, review-only rules, not_inside, lexicons; negation through auxiliaries; the `review` examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from rasid.matching import Matcher, WatchlistError, check_examples, parse_watchlist
from rasid.matching.results import TopicMatch
from rasid.matching.watchlist import load_watchlists

HEAD = """
[[topics]]
id = "join"
title_ar = "انضمام"
title_en = "Joining"
"""

GROUPS = """
[topics.groups]
join = ["انضمام", "انضم*", "ينضم*", "تنضم*"]
coalition = { terms = ["التحالف"], not_inside = ["التحالف الإسلامي", "التحالف البحري"] }
other = ["التحالف الإسلامي", "التحالف البحري", "الناتو", "تنظيم داعش"]
states = ["الأردن", "السعودية", "الإمارات", "قطر", "جمهورية إفريقيا الوسطى", "الناتو"]
isis = ["داعش"]
"""


def _matcher(rule: str, groups: str = GROUPS) -> Matcher:
    return Matcher(parse_watchlist(HEAD + groups + "[[topics.rules]]\n" + rule))


def _one(matcher: Matcher, text: str) -> TopicMatch | None:
    found = matcher.match(text)
    assert len(found) <= 1
    return found[0] if found else None


def test_skip_lets_a_list_of_states_stand_between_the_words() -> None:
    text = "أعلن البيان انضمام الأردن والسعودية والإمارات وقطر إلى التحالف ضد داعش."
    strict = _matcher('all = ["join", "coalition"]\nnear = 3\n')
    assert _one(strict, text) is None
    skipping = _matcher('all = ["join", "coalition"]\nnear = 3\nskip = ["states"]\n')
    found = _one(skipping, text)
    assert found is not None and found.confidence == "alert"


def test_beyond_near_but_within_review_near_is_a_review_with_its_reason() -> None:
    rule = 'all = ["join", "coalition"]\nnear = 2\nreview_near = 12\n'
    far = "أعلنت الحكومة انضمامها بعد مشاورات طويلة مع الشركاء في المنطقة إلى التحالف ضد داعش."
    found = _one(_matcher(rule), far)
    assert found is not None and found.confidence == "review"
    assert found.review_reason and "more than 2 words" in found.review_reason
    near = _one(_matcher(rule), "أعلنت الحكومة انضمامها إلى التحالف ضد داعش.")
    assert near is not None and near.confidence == "alert" and near.review_reason is None
    too_far = "انضمت الحكومة " + "كلمة " * 20 + "إلى التحالف."
    assert _one(_matcher(rule), too_far) is None


def test_the_event_attaches_to_the_nearest_coalition_not_any_in_the_sentence() -> None:
    rule = 'all = ["join", "coalition"]\nnear = 12\nrivals = { coalition = ["other"] }\nattach = "object"\n'
    matcher = _matcher(rule)
    # Another coalition named in the same sentence does not veto the coalition's own news ...
    both = "قررت ليبيا تفعيل دورها في التحالف الإسلامي والانضمام إلى التحالف الدولي ضد داعش."
    assert _one(matcher, both) is not None
    # ... but a joining word whose object is another coalition, or ISIS itself, does not fire.
    assert _one(matcher, "أعلنت الدنمارك انضمامها إلى التحالف البحري الدولي.") is None
    assert _one(matcher, "أعلنت الجماعة انضمامها إلى تنظيم داعش، كما قال التحالف الدولي.") is None
    # The joiner named right after the joining word is its subject, not what it joins.
    assert _one(matcher, "رحبت واشنطن بانضمام الناتو إلى التحالف الدولي.") is not None
    explained = next(e for e in matcher.explain("انضمت الدنمارك إلى التحالف البحري.") if e.topic == "join")
    assert any("attaches to" in r or "not found" in r or "lacks" in r for r in explained.reasons)


def test_nearest_attachment_prefers_what_is_nearer() -> None:
    rule = 'all = ["join", "coalition"]\nnear = 12\nrivals = { coalition = ["other"] }\n'
    matcher = _matcher(rule)
    assert _one(matcher, "الناتو انضمام إلى التحالف الدولي") is None  # NATO is adjacent, the coalition not
    assert _one(matcher, "انضمام التحالف إلى مهمة الناتو") is not None


def test_not_inside_drops_a_term_standing_inside_a_longer_name() -> None:
    matcher = _matcher('all = ["join", "coalition"]\nnear = 4\n')
    assert _one(matcher, "أعلنت انضمامها إلى التحالف الإسلامي العسكري.") is None
    assert _one(matcher, "أعلنت انضمامها إلى التحالف الدولي.") is not None


def test_confirm_groups_missing_make_a_review() -> None:
    rule = 'all = ["join", "coalition"]\nnear = 4\nconfirm = ["isis"]\n'
    without = _one(_matcher(rule), "أعلنت الحكومة انضمامها إلى التحالف الدولي.")
    assert without is not None and without.confidence == "review"
    assert without.review_reason and "'isis'" in without.review_reason
    with_isis = _one(_matcher(rule), "أعلنت الحكومة انضمامها إلى التحالف الدولي. وقال إن داعش خطر.")
    assert with_isis is not None and with_isis.confidence == "alert"


def test_a_review_only_rule_and_an_alert_rule_on_one_text() -> None:
    groups = GROUPS + 'deal = ["اتفاق تعاون"]\n'
    head = HEAD + groups
    two = parse_watchlist(
        head
        + '[[topics.rules]]\nname = "deal"\nall = ["deal", "coalition"]\nnear = 3\nreview = true\n'
        + '[[topics.rules]]\nall = ["join", "coalition"]\nnear = 3\n'
    )
    matcher = Matcher(two)
    deal = _one(matcher, "وقعت الحكومة اتفاق تعاون مع التحالف الدولي.")
    assert deal is not None and deal.confidence == "review"
    assert deal.review_reason and "deal" in deal.review_reason
    both = _one(matcher, "وقعت الحكومة اتفاق تعاون مع التحالف الدولي. وأعلنت انضمامها إلى التحالف.")
    assert both is not None and both.confidence == "alert"
    assert all(e.sentence.startswith("وأعلنت") for e in both.evidence)  # only the confident evidence


@pytest.mark.parametrize(
    "text",
    [
        "أكد الوزير أن بلاده لا تنوي الانضمام إلى التحالف الدولي.",
        "وقال إنه لم يتم الانضمام إلى التحالف الدولي بعد.",
        "أوضح أن الحكومة ليست بصدد الانضمام إلى التحالف الدولي.",
    ],
)
def test_a_negation_reaches_the_event_through_an_auxiliary(text: str) -> None:
    assert _one(_matcher('all = ["join", "coalition"]\nnear = 3\n'), text) is None


def test_an_auxiliary_without_negator_does_not_negate() -> None:
    matcher = _matcher('all = ["join", "coalition"]\nnear = 3\n')
    found = _one(matcher, "قال إن بلاده تنوي الانضمام إلى التحالف.")
    assert found is not None and found.modality == "planned"


def test_obfuscated_spellings_match() -> None:
    matcher = _matcher('all = ["join", "coalition"]\nnear = 6\nconfirm = ["isis"]\n')
    for spelled in ("داعـ.ـش", "دا.عش", "د1عش", "دا-عش"):
        found = _one(matcher, f"أعلنت انضمامها إلى التحالف ضد {spelled}.")
        assert found is not None and found.confidence == "alert", spelled
        hit = [t for e in found.evidence for t in e.terms]
        assert hit  # offsets still map back into the original text
    # An abbreviation's dots are kept: the sentence is not split at "د." either.
    found = _one(matcher, "قال د. محمد إن الحكومة أعلنت انضمامها إلى التحالف ضد داعش.")
    assert found is not None and found.evidence[0].sentence.startswith("قال د.")


def test_rule_keys_are_validated() -> None:
    for rule, problem in [
        ('all = ["join"]\nreview_near = 5\n', "review_near must be larger"),
        ('all = ["join"]\nnear = 5\nreview_near = 3\n', "review_near must be larger"),
        ('all = ["join"]\nrivals = { isis = ["other"] }\n', "not a group of this rule"),
        ('all = ["join"]\nattach = "left"\n', "attach must be one of"),
        ('all = ["join"]\nreview = "yes"\n', "review must be true or false"),
        ('all = ["join"]\nskip = ["nothing"]\n', "not defined"),
    ]:
        with pytest.raises(WatchlistError, match=problem):
            _matcher(rule)


def test_lexicons_give_named_lists(tmp_path: Path) -> None:
    (tmp_path / "lexicon").mkdir()
    (tmp_path / "lexicon" / "words.toml").write_text(
        '[lists]\njoin_words = ["انضمام", "انضم*"]\n', encoding="utf-8"
    )
    watchlist = tmp_path / "w.toml"
    watchlist.write_text(
        'lexicons = ["lexicon/words.toml"]\n'
        + HEAD
        + '[topics.groups]\njoin = ["@join_words", "ينضم"]\ncoalition = ["التحالف"]\n'
        + '[[topics.rules]]\nall = ["join", "coalition"]\nnear = 3\n'
        + '[topics.examples]\nmatch = ["انضمت الحكومة إلى التحالف."]\n'
        + 'review = []\nno_match = ["تحدث عن التحالف."]\n',
        encoding="utf-8",
    )
    loaded = load_watchlists([watchlist])
    assert [t.text for t in loaded.topics[0].groups["join"].terms] == ["انضمام", "انضم*", "ينضم"]
    watchlist.write_text(watchlist.read_text(encoding="utf-8").replace("@join_words", "@missing"))
    with pytest.raises(WatchlistError, match="no list named 'missing'"):
        load_watchlists([watchlist])
    (tmp_path / "lexicon" / "words.toml").write_text('[lists]\nbad = ["في"]\n', encoding="utf-8")
    with pytest.raises(WatchlistError, match="too short"):
        load_watchlists([watchlist])


def test_review_examples_are_checked() -> None:
    text = (
        HEAD
        + GROUPS
        + '[[topics.rules]]\nall = ["join", "coalition"]\nnear = 2\nreview_near = 12\n'
        + '[topics.examples]\nmatch = ["انضمت الحكومة إلى التحالف."]\n'
        + 'review = ["انضمت الحكومة إلى التحالف."]\n'
    )
    failures = check_examples(parse_watchlist(text))
    assert len(failures) == 1 and "not review" in failures[0].problem
    text = text.replace('review = ["انضمت الحكومة إلى التحالف."]', "review = []").replace(
        'match = ["انضمت الحكومة إلى التحالف."]',
        'match = ["انضمت الحكومة بعد مشاورات طويلة مع الشركاء إلى التحالف."]',
    )
    failures = check_examples(parse_watchlist(text))
    assert len(failures) == 1 and "only as review" in failures[0].problem


def test_a_bare_word_in_an_article_naming_only_a_rival_is_not_even_a_review() -> None:
    rule = 'all = ["join", "coalition"]\nnear = 6\nrivals = { coalition = ["other"] }\nconfirm = ["isis"]\n'
    matcher = _matcher(rule)
    rival_article = "أعلنت الهند انضمامها إلى التحالف البحري في البحر الأحمر. ورحب التحالف بانضمام الهند."
    assert _one(matcher, rival_article) is None
    explained = next(e for e in matcher.explain(rival_article) if e.topic == "join")
    assert any("names a rival" in r for r in explained.reasons)
    alone = _one(matcher, "وأكدت الوزارة أن انضمام البلاد إلى التحالف سيفتح الباب أمام تعاون أمني.")
    assert alone is not None and alone.confidence == "review"
