"""Evidence: original spelling, offsets that slice the input, title vs text, JSON-ready dicts."""

import json
from pathlib import Path

from rasid.matching import Matcher, load_watchlist

WATCHLIST = Path(__file__).resolve().parents[2] / "config" / "watchlists" / "coalition.toml"
MATCHER = Matcher(load_watchlist(WATCHLIST))


def test_offsets_slice_the_original_text() -> None:
    text = "مقدمة قصيرة.\nوأعلنتْ الخارجيةُ «انضمامَ» جمهوريةٍ جديدةٍ إلى التحالفِ الدوليّ ضدّ «داعش» رسمياً."
    [match] = MATCHER.match(text)
    assert match.topic == "new_member"
    [evidence] = match.evidence
    assert evidence.field == "text"
    assert text[evidence.start : evidence.end] == evidence.sentence
    assert evidence.sentence.startswith("وأعلنتْ")
    for hit in evidence.terms:
        assert text[hit.start : hit.end] == hit.text
    assert {h.text for h in evidence.terms} >= {"انضمامَ", "التحالفِ"}


def test_title_evidence_indexes_the_title() -> None:
    title = "العراق يتسلّم مُعتقلي داعش من سجون قسد"
    [match] = MATCHER.match("نص بلا صلة.", title=title)
    assert match.topic == "camp_handover"
    [evidence] = match.evidence
    assert evidence.field == "title"
    assert title[evidence.start : evidence.end] == evidence.sentence
    assert {"يتسلّم", "مُعتقلي"} <= {title[h.start : h.end] for h in evidence.terms}


def test_to_dict_is_json_ready() -> None:
    [match] = MATCHER.match("انضمت سوريا إلى التحالف الدولي ضد داعش.")
    data = json.loads(json.dumps(match.to_dict(), ensure_ascii=False))
    assert data["topic"] == "new_member"
    assert data["modality"] == "asserted"
    assert data["evidence"][0]["terms"][0]["text"] == "انضمت"


def test_explain_covers_every_topic() -> None:
    explanations = MATCHER.explain("مباراة كرة قدم انتهت بفوز الهلال.")
    assert [e.topic for e in explanations] == ["new_member", "camp_handover", "communique"]
    assert not any(e.fired for e in explanations)
    assert all(e.reasons for e in explanations)
    fired = MATCHER.explain("انضمت سوريا إلى التحالف الدولي ضد داعش.")[0]
    assert fired.fired and any("fired" in reason for reason in fired.reasons)
