"""Loading watchlists: merging files, clear errors naming file, topic and term, examples checked at load."""

from pathlib import Path
from textwrap import dedent

import pytest

from rasid.matching import WatchlistError, check_examples, load_watchlists, parse_watchlist

GOOD = dedent(
    """
    [[topics]]
    id = "{id}"
    title_ar = "مخيمات"
    title_en = "camps"
    description = "d"
    [topics.groups]
    camp = ["مخيم"]
    [[topics.rules]]
    all = ["camp"]
    [topics.examples]
    match = ["{match}"]
    no_match = ["سجن"]
    """
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_merges_files(tmp_path: Path) -> None:
    a = _write(tmp_path, "a.toml", GOOD.format(id="a", match="المخيم"))
    b = _write(tmp_path, "b.toml", GOOD.format(id="b", match="مخيمات"))
    watchlist = load_watchlists([a, b])
    assert [t.id for t in watchlist.topics] == ["a", "b"]
    assert watchlist.topics[0].title_ar == "مخيمات"


def test_duplicate_topic_across_files(tmp_path: Path) -> None:
    a = _write(tmp_path, "a.toml", GOOD.format(id="a", match="المخيم"))
    b = _write(tmp_path, "b.toml", GOOD.format(id="a", match="المخيم"))
    with pytest.raises(WatchlistError, match=r"b\.toml: topic 'a': defined twice \(also in .*a\.toml\)"):
        load_watchlists([a, b])


def test_failing_example_raises_unless_unchecked(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.toml", GOOD.format(id="a", match="سجن مركزي"))
    with pytest.raises(WatchlistError) as info:
        load_watchlists([path])
    message = str(info.value)
    assert "a.toml" in message and "topic 'a'" in message and "examples.match did not fire" in message
    watchlist = load_watchlists([path], check_examples=False)
    [failure] = check_examples(watchlist)
    assert failure.kind == "match" and failure.example == "سجن مركزي"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ('camp = ["مخيم"]', 'camp = ["مخ*يم"]'),
            r"topic 'a': term 'مخ\*يم': group 'camp': .*'\*' may only end",
        ),
        (('camp = ["مخيم"]', 'camp = ["في"]'), r"term 'في': .*too short.*'=في'"),
        (('camp = ["مخيم"]', 'camp = ["؟!"]'), r"term '؟!': .*no letters"),
        (('camp = ["مخيم"]', "camp = []"), r"group 'camp' has no terms"),
        (('all = ["camp"]', 'all = ["camps"]'), r"names group 'camps', which is not defined"),
        (('all = ["camp"]', 'all = ["camp"]\nnear = 0'), r"near must be a whole number"),
        (('all = ["camp"]', 'all = ["camp"]\nwithin = 3'), r"unknown key 'within' in rules\[0\]"),
        (('id = "a"', 'id = "A b"'), r"'id' must be lower-case"),
        (('title_en = "camps"', ""), r"topic 'a': 'title_en' must be a non-empty string"),
        (('all = ["camp"]', "not = []"), r"needs 'all' or 'any'"),
        (("[topics.examples]", "[topics.exemples]"), r"unknown key 'exemples' in the topic"),
    ],
)
def test_errors_name_file_topic_and_term(change: tuple[str, str], expected: str) -> None:
    text = GOOD.format(id="a", match="المخيم").replace(*change)
    with pytest.raises(WatchlistError, match=expected) as info:
        parse_watchlist(text, "lists/a.toml")
    assert str(info.value).startswith("lists/a.toml: ")


def test_missing_file_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(WatchlistError, match=r"nope\.toml: no such file"):
        load_watchlists([tmp_path / "nope.toml"])
    bad = _write(tmp_path, "bad.toml", "[[topics]\n")
    with pytest.raises(WatchlistError, match=r"bad\.toml: not valid TOML"):
        load_watchlists([bad])


def test_shipped_watchlist_has_exactly_the_three_topics() -> None:
    path = Path(__file__).resolve().parents[2] / "config" / "watchlists" / "coalition.toml"
    watchlist = load_watchlists([path])
    assert [t.id for t in watchlist.topics] == ["new_member", "camp_handover", "communique"]
