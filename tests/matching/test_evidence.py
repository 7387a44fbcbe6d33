"""Evidence: original spelling, offsets that slice the input, title vs text, JSON-ready dicts."""

import json
from pathlib import Path

from rasid.matching import Matcher, load_watchlist
from rasid.matching.results import Evidence, TermHit, TopicMatch, evidence_list

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


def test_from_dict_reads_back_what_to_dict_wrote() -> None:
    text = "مقدمة.\nوأعلنت الخارجية انضمام جمهورية جديدة إلى التحالف الدولي ضد داعش، والانضمام مقرر غداً."
    for match in MATCHER.match(text, title="العراق يتسلّم مُعتقلي داعش من سجون قسد"):
        data = json.loads(json.dumps(match.to_dict(), ensure_ascii=False))
        back = TopicMatch.from_dict(data)
        assert back == match and back.to_dict() == match.to_dict()
        for ev in match.evidence:
            assert Evidence.from_dict(ev.to_dict()) == ev
            assert [ev.sentence[s:e] for s, e in ev.spans] == [t.text for t in ev.terms]


def test_from_dict_tolerates_rows_of_older_versions() -> None:
    # no field, end, modality; terms without term, text or group (as `rasid alerts test` writes them)
    ev = Evidence.from_dict({"sentence": "قالت المصادر", "start": 10, "terms": [{"start": 15, "end": 22}]})
    assert (ev.field, ev.end, ev.modality) == ("text", 22, "asserted")
    assert ev.terms == [TermHit("المصادر", "المصادر", 15, 22, "")]
    assert ev.spans == [(5, 12)]
    odd = Evidence.from_dict({"sentence": None, "start": "x", "terms": [None, {"start": 99, "end": 120}]})
    assert odd.sentence == "" and odd.start == 0 and odd.spans == [] and odd.terms[0].text == ""
    assert evidence_list([{"sentence": "أ"}, "junk", None, ev]) == [Evidence("text", "أ", 0, 1, []), ev]
    assert evidence_list(None) == []
    match = TopicMatch.from_dict({"topic": "t", "score": 1, "evidence": [{"sentence": "أ"}]})
    assert (match.modality, match.confidence, match.review_reason) == ("asserted", "alert", None)
