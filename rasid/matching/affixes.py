"""Which clitic prefixes and suffixes a watch term may carry in text (see tests/matching/test_affixes.py)."""

from __future__ import annotations

ARTICLE = "ال"
IMPERFECT_LETTERS = "يتنا"
"""A core starting with one of these may be a present-tense verb, so the future prefix س may precede it."""

_CONJUNCTIONS = ("", "و", "ف")
_PREPOSITIONS = ("", "ب", "ك", "ل")
_PRONOUNS = ("ه", "ها", "هم", "هما", "هن", "ك", "كم", "كما", "نا")


def _with_article(prep: str) -> str:
    return "لل" if prep == "ل" else prep + ARTICLE


PREFIXES_INDEFINITE: frozenset[str] = frozenset(c + p for c in _CONJUNCTIONS for p in _PREPOSITIONS)
"""و ف, then ب ك ل, no article: وب، فل، ك ..."""

PREFIXES_DEFINITE: frozenset[str] = frozenset(
    c + _with_article(p) for c in _CONJUNCTIONS for p in _PREPOSITIONS
)
"""The article with what may precede it: ال، وال، بال، فبال، لل، ولل ..."""

PREFIXES_ANY: frozenset[str] = PREFIXES_INDEFINITE | PREFIXES_DEFINITE
PREFIXES_FUTURE: frozenset[str] = frozenset(c + "س" for c in _CONJUNCTIONS)
"""س (will) with و ف before it: ستنضم، وسيتسلم."""

PREFIXES_INNER_INDEFINITE: frozenset[str] = frozenset({"", ARTICLE})
"""Later words of a phrase take at most the article (agreement: بيان ختامي / البيان الختامي)."""
PREFIXES_INNER_DEFINITE: frozenset[str] = frozenset({ARTICLE})
PREFIXES_NONE: frozenset[str] = frozenset({""})

SUFFIXES_NONE: frozenset[str] = frozenset({""})

SUFFIXES_WORD: frozenset[str] = frozenset(
    {"", "ي", "ني", "ا", *_PRONOUNS}
    | {"ات" + p for p in ("", *_PRONOUNS)}  # مخيمات، بياناتها
    | {"ون", "ين", "ان", "يه", "يين", "يون", "يات"}  # plurals, duals, nisba: المحتجزين، مخيمي
    | {"ي" + p for p in ("ه", "ها", "هم", "هما")}  # construct dual/plural with a pronoun
    | {"ت" + p for p in ("", "ا", "م", "ن", "ي", *_PRONOUNS)}  # past tense: انضمت، تسلمتهم
    | {"وا", *("و" + p for p in _PRONOUNS)}  # انضموا، تسلموه
)
"""Suffixes for a term written without ة: number, nisba, possessive and object pronouns, past endings."""

SUFFIXES_TA_MARBUTA: frozenset[str] = frozenset(
    {"ه"}  # the ة itself (normalised to ه)
    | {"ات" + p for p in ("", *_PRONOUNS)}  # حكومات
    | {"ت" + p for p in ("ا", "ي", "ين", "ان", *_PRONOUNS)}  # دولتين، حكومته
)
"""Suffixes for a term ending in ة (taken off the core); no nisba, so دولة never gives دولي."""


def prefixes_for(core: str, definite: bool, first: bool) -> frozenset[str]:
    """Prefixes allowed before a term word: all clitics on a phrase's first word, the article elsewhere."""
    if not first:
        return PREFIXES_INNER_DEFINITE if definite else PREFIXES_INNER_INDEFINITE
    if definite:
        return PREFIXES_DEFINITE
    if core[:1] in IMPERFECT_LETTERS:
        return PREFIXES_ANY | PREFIXES_FUTURE
    return PREFIXES_ANY


def is_future(prefix: str) -> bool:
    """Whether a matched prefix carries the future particle س."""
    return prefix.endswith("س")
