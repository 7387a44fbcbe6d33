"""Performance work must not change results: `match` and `explain` are pinned to a reference run.

The reference (tests/matching/data/matcher_reference.json) was written from the matcher as it was
before the speed work, with

    .venv/bin/python tests/matching/test_equivalence.py --write

Cases: the seeds and dev passages (from `shared/` beside the repository), generated articles over the
shipped watchlist (planted example sentences, diacritics, tatweel, ligatures, quotes, digits, invisible
characters, titles), and generated articles over synthetic watchlists covering every rule feature
(all/any/near/not/not_near/anywhere/nowhere/weights/min_score/planned=false, phrases, `word*`, `=word`).
Each text's `[m.to_dict() for m in match(...)]` (and, for some, `explain`) is compared by SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rasid.matching import Group, Matcher, Rule, Topic, Watchlist, load_watchlist, normalize
from rasid.matching.terms import parse_term

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
WATCHLIST = REPO / "config" / "watchlists" / "coalition.toml"
REFERENCE = Path(__file__).resolve().parent / "data" / "matcher_reference.json"
FROZEN_EXAMPLES = Path(__file__).resolve().parent / "data" / "frozen_examples.json"

LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
REAL = [
    *("انضمام", "سوريا", "إلى", "التحالف", "الدولي", "ضد", "داعش", "وزراء", "الخارجية", "بيان", "ختامي"),
    *("مخيم", "الهول", "تسلمت", "القوات", "إدارة", "السجن", "المعتقلين", "العراق", "الحكومة", "اجتماع"),
    *("الرياض", "واشنطن", "أكد", "أعلن", "قال", "لم", "لن", "نفت", "سوف", "من المقرر", "منذ سنوات"),
]
CLITICS = ("و", "ال", "بال", "لل", "ف", "وس", "ب", "ك", "فبال")
ENDINGS = ("", "", "", "ة", "ات", "ها", "هم", "ين", "ون", "ت", "وا", "ي", "ية")
NOISE = ["\u064e", "\u064f", "\u0650", "\u0651", "\u0652", "\u064b", "\u0640", "\u200c", "\u200f", "\u00ad"]
PUNCT = [".", "!", "؟", "؛", "…", "\n", ".\n\n", ".»", '."', "،", ",", ":", " -", " 3.5", " ٢٠١٤", " ۱۲"]
QUOTES = ["«", "»", "“", "”", '"', "'", "‘"]


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(LETTERS) for _ in range(rng.randint(3, 6))))
    return sorted(words)


def _example_sentences(watchlist: Watchlist) -> list[str]:
    out = []
    for topic in watchlist.topics:
        out += [*topic.examples.match, *topic.examples.planned, *topic.examples.no_match]
    return out


def _decorate(rng: random.Random, word: str) -> str:
    """Diacritics, tatweel, ligatures, Persian letters, upper case: all change offsets."""
    r = rng.random()
    if r < 0.15:
        i = rng.randrange(len(word) + 1)
        word = word[:i] + rng.choice(NOISE) + word[i:]
    elif r < 0.2:
        word = word.replace("لا", "ﻻ").replace("ة", "ۀ").replace("ي", "ی")
    elif r < 0.23:
        word = word.replace("ا", "أ", 1)
    elif r < 0.25:
        word = word.upper()
    if rng.random() < 0.04:
        q = rng.choice(QUOTES)
        word = q + word + rng.choice(QUOTES)
    return word


def _article(rng: random.Random, vocab: list[str], planted: list[str], words: int) -> str:
    out: list[str] = []
    for _ in range(words):
        if planted and rng.random() < 0.03:
            out.append(rng.choice(planted))
            continue
        w = rng.choice(REAL) if rng.random() < 0.12 else rng.choice(vocab)
        if rng.random() < 0.25:
            w = rng.choice(CLITICS) + w
        if rng.random() < 0.2:
            w += rng.choice(ENDINGS)
        w = _decorate(rng, w)
        if rng.random() < 0.08:
            w += rng.choice(PUNCT)
        out.append(w)
    sep = rng.choice([" ", " ", "  ", "\u00a0", " \n"])
    return sep.join(out)


def _synthetic_watchlist(rng: random.Random, vocab: list[str], topics: int) -> Watchlist:
    result = []
    for t in range(topics):
        groups: dict[str, Group] = {}
        for name in ("a", "b", "c", "x", "y"):
            texts = []
            for k in range(rng.randint(2, 6)):
                w = rng.choice(vocab)
                kind = rng.random()
                if kind < 0.2:
                    w += " " + rng.choice(vocab)
                elif kind < 0.3:
                    w += "*"
                elif kind < 0.35:
                    w = "=" + w
                elif kind < 0.4:
                    w = "ال" + w
                elif kind < 0.45:
                    w += "ة"
                elif kind < 0.5:
                    w = rng.choice([r for r in REAL if len(r) >= 4 and " " not in r])
                if w not in texts and k < 10:
                    texts.append(w)
            weight = rng.choice([1.0, 1.0, 0.5, 2.0])
            groups[name] = Group(name, tuple(parse_term(x) for x in texts), weight)
        rules = []
        for _ in range(rng.choice([1, 1, 2])):
            shape = rng.random()
            all_: tuple[tuple[str, ...], ...]
            if shape < 0.4:
                all_, any_ = (("a",), ("b",)), ()
            elif shape < 0.6:
                all_, any_ = (("a", "c"), ("b",)), ()
            elif shape < 0.8:
                all_, any_ = (("a",),), ("b", "c")
            else:
                all_, any_ = (), ("a", "b")
            rules.append(
                Rule(
                    all=all_,
                    any=any_,
                    near=rng.choice([None, None, 3, 10]),
                    not_=("x",) if rng.random() < 0.3 else (),
                    not_near=("y",) if rng.random() < 0.3 else (),
                    not_within=rng.choice([1, 3, 5]),
                    anywhere=("c",) if rng.random() < 0.15 else (),
                    nowhere=("x",) if rng.random() < 0.1 else (),
                )
            )
        result.append(
            Topic(
                f"s{t}",
                "م",
                "s",
                "",
                groups,
                tuple(rules),
                min_score=rng.choice([0.0, 0.0, 2.5, 3.0]),
                planned=rng.random() < 0.8,
            )
        )
    return Watchlist(result)


def _shared_passages() -> list[tuple[str, str, str | None]]:
    from rasid.matching.evaluation import load_jsonl, load_seeds

    seeds, dev = SHARED / "seeds", SHARED / "matching" / "dev.jsonl"
    if not (seeds / "labels.json").is_file() or not dev.is_file():
        return []
    return [(p.id, p.text, p.title) for p in load_seeds(seeds) + load_jsonl(dev)]


def _cases() -> Iterator[tuple[str, Matcher, list[tuple[str, str, str | None]], bool]]:
    """(case name, matcher, [(id, text, title)], also pin explain)."""
    shipped = load_watchlist(WATCHLIST)
    shipped_matcher = Matcher(shipped)
    # The sentences planted in generated texts are frozen (the shipped watchlist's examples when the
    # reference was first written), so a change of the shipped examples does not change the texts.
    examples = json.loads(FROZEN_EXAMPLES.read_text(encoding="utf-8"))
    yield "shared", shipped_matcher, _shared_passages(), True

    rng = random.Random(20240601)
    vocab = _vocabulary(rng, 3000)
    texts = []
    for i in range(250):
        body = _article(rng, vocab, examples, rng.choice([5, 40, 200, 800]))
        title = None
        if i % 3 == 0:
            title = _article(rng, vocab, examples, 12)
        elif i % 3 == 1:
            title = rng.choice(["", "   ", rng.choice(examples)])
        texts.append((f"gen{i}", body, title))
    texts.append(("empty", "", None))
    texts.append(("blank", " \n\t ", "  "))
    texts.append(("punct", "... !!! ؟؟ «» ـــ", None))
    texts.append(("one-word", "داعش", "التحالف"))
    yield "shipped-generated", shipped_matcher, texts, True

    srng = random.Random(77)
    svocab = _vocabulary(srng, 400)
    synthetic = Matcher(_synthetic_watchlist(srng, svocab, 150))
    planted = [" ".join(srng.choice(svocab) for _ in range(srng.randint(2, 6))) + "." for _ in range(50)]
    stexts = []
    for i in range(200):
        body = _article(srng, svocab, planted + examples, srng.choice([20, 150, 600]))
        title = _article(srng, svocab, planted, 10) if i % 4 == 0 else None
        stexts.append((f"syn{i}", body, title))
    yield "synthetic", synthetic, stexts, False
    yield "synthetic-explain", synthetic, stexts[:25], True


def _digest(data: Any) -> str:
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:20]


def _pinned(match: dict[str, Any]) -> dict[str, Any]:
    """A match as the reference was written: "confidence" came later, and an alert is what every match was."""
    if match.get("confidence") == "alert":
        match = {k: v for k, v in match.items() if k != "confidence"}
    return match


def _run(matcher: Matcher, text: str, title: str | None, explain: bool) -> dict[str, Any]:
    matches = [_pinned(m.to_dict()) for m in matcher.match(text, title)]
    out: dict[str, Any] = {"fired": [m["topic"] for m in matches], "match": _digest(matches)}
    if explain:
        explained = [e.to_dict() for e in matcher.explain(text, title)]
        for e in explained:
            if e["match"] is not None:
                e["match"] = _pinned(e["match"])
        out["explain"] = _digest(explained)
    return out


def _compute() -> dict[str, dict[str, Any]]:
    return {
        name: {pid: _run(matcher, text, title, explain) for pid, text, title in texts}
        for name, matcher, texts, explain in _cases()
    }


@pytest.fixture(scope="module")
def reference() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(REFERENCE.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def current() -> dict[str, dict[str, Any]]:
    return _compute()


@pytest.mark.parametrize("case", ["shared", "shipped-generated", "synthetic", "synthetic-explain"])
def test_results_identical_to_reference(
    case: str, reference: dict[str, dict[str, Any]], current: dict[str, dict[str, Any]]
) -> None:
    if case == "shared" and not current[case]:
        pytest.skip("labelled passages not found beside the repository")
    expected, got = reference[case], current[case]
    assert got.keys() == expected.keys()
    differing = [pid for pid in expected if got[pid] != expected[pid]]
    assert not differing, f"{len(differing)} texts differ from the reference, first {differing[:5]}"


def test_reference_is_not_trivial(reference: dict[str, dict[str, Any]]) -> None:
    """The pinned cases do exercise firing, silence, both modalities and many topics."""
    for case in ("shipped-generated", "synthetic"):
        fired = [r["fired"] for r in reference[case].values()]
        assert sum(1 for f in fired if f) >= 20, case
    assert sum(1 for r in reference["shipped-generated"].values() if not r["fired"]) >= 5
    synthetic_topics = {t for r in reference["synthetic"].values() for t in r["fired"]}
    assert len(synthetic_topics) >= 30


def test_normalize_is_unchanged_on_generated_text() -> None:
    rng = random.Random(5)
    vocab = _vocabulary(rng, 500)
    text = _article(rng, vocab, [], 3000) + "".join(chr(c) for c in range(0x0600, 0x0700))
    text += "".join(chr(c) for c in range(0x2000, 0x2070)) + "ﻻﻷﻹﻵ\ufeffABCxyz"
    assert _digest(normalize(text)) == json.loads(REFERENCE.read_text(encoding="utf-8"))["_normalize"]


@pytest.mark.parametrize("prefilter", [True, False])
def test_prefilter_does_not_change_results(prefilter: bool, reference: dict[str, dict[str, Any]]) -> None:
    """The large-watchlist pre-filter (only cores of topics that may fire are checked) forced on the shipped
    topics and off for the synthetic ones: the same results either way."""
    for name, matcher, texts, _ in _cases():
        if name not in ("shipped-generated", "synthetic"):
            continue
        matcher._prefilter = prefilter
        for pid, text, title in texts:
            got = _digest([_pinned(m.to_dict()) for m in matcher.match(text, title)])
            assert got == reference[name][pid]["match"], (name, pid)


def test_sentence_end_pattern_is_the_original_one() -> None:
    from rasid.matching.sentences import _END, TERMINATOR

    # A "." after a one-letter word is an abbreviation (ج. د. U.S.), not an end.
    original = re.compile(r'(?:[!?؟؛\n…]|\.(?!\d)(?<!\b[^\W\d_]\.))+"?')
    alphabet = "اب 1.!?؟؛\n…\"'x5 .بب"
    rng = random.Random(3)
    for _ in range(30000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        assert [m.span() for m in _END.finditer(text)] == [m.span() for m in original.finditer(text)], text
        ends = {i for m in original.finditer(text) for i in range(*m.span()) if text[i] != '"'}
        assert {m.start() for m in TERMINATOR.finditer(text)} == ends, text


def test_isalnum_is_the_word_character_class() -> None:
    """`find` tests word boundaries with str.isalnum; it must agree with [^\\W_] on every code point."""
    everything = "".join(map(chr, range(0x110000)))
    assert "".join(re.findall(r"[^\W_]", everything)) == "".join(c for c in everything if c.isalnum())


if __name__ == "__main__" and "--write" in sys.argv:
    data: dict[str, Any] = _compute()
    rng = random.Random(5)
    vocab = _vocabulary(rng, 500)
    text = _article(rng, vocab, [], 3000) + "".join(chr(c) for c in range(0x0600, 0x0700))
    text += "".join(chr(c) for c in range(0x2000, 0x2070)) + "ﻻﻷﻹﻵ\ufeffABCxyz"
    data["_normalize"] = _digest(normalize(text))
    REFERENCE.parent.mkdir(exist_ok=True)
    REFERENCE.write_text(
        json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8"
    )
    print({k: len(v) for k, v in data.items() if isinstance(v, dict)})
