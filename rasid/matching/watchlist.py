"""The watchlist language: TOML topics with term groups, rules, examples and lexicons, validated with clear
errors; the data it builds is in `rasid.matching.topics`."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rasid.matching.terms import Term, TermError, parse_term
from rasid.matching.topics import (
    Examples,
    Group,
    Rule,
    Topic,
    Watchlist,
    WatchlistError,
)

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_TOPIC_KEYS = {
    "id", "title_ar", "title_en", "description", "groups", "rules", "min_score", "planned", "examples"
}  # fmt: skip
_RULE_KEYS = {
    "all", "any", "near", "not", "not_near", "not_within", "anywhere", "nowhere",
    "review_near", "skip", "rivals", "confirm", "review", "name", "attach",
}  # fmt: skip
ATTACH_MODES = ("nearest", "after", "object")
"""How an event word picks, among a rivalled group's hits and its rivals', the one it belongs to: the
nearest; the nearest after it (a verb's object: تسلمت ... إدارة المخيم), else the nearest; or the nearest
after it introduced by a preposition (انضم إلى X، للتحالف، في), else the nearest."""
_EXAMPLE_KEYS = {"match", "no_match", "planned", "review"}


class _Ctx:
    def __init__(self, file: str, topic: str | None = None) -> None:
        self.file = file
        self.topic = topic

    def error(self, problem: str, term: str | None = None) -> WatchlistError:
        return WatchlistError(problem, self.file, self.topic, term)


def _unknown_keys(data: dict[str, Any], allowed: set[str], where: str, ctx: _Ctx) -> None:
    extra = sorted(set(data) - allowed)
    if extra:
        raise ctx.error(f"unknown key {extra[0]!r} in {where} (allowed: {', '.join(sorted(allowed))})")


def _string(data: dict[str, Any], key: str, ctx: _Ctx, required: bool = True) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise ctx.error(f"{key!r} must be a non-empty string")
    return value.strip()


def _strings(value: Any, where: str, ctx: _Ctx) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ctx.error(f"{where} must be a list of strings")
    return list(value)


Lists = dict[str, tuple[str, ...]]
"""Named term lists (a lexicon): a group term "@name" stands for every term of list `name`."""


def _expand(texts: list[str], lists: Lists, where: str, ctx: _Ctx) -> list[str]:
    out: list[str] = []
    for text in texts:
        if text.strip().startswith("@"):
            name = text.strip()[1:]
            if name not in lists:
                known = ", ".join(sorted(lists)) or "none"
                raise ctx.error(f"{where}: no list named {name!r} (lists: {known})", term=text)
            out.extend(lists[name])
        else:
            out.append(text)
    return list(dict.fromkeys(out))


def _parse_groups(raw: Any, ctx: _Ctx, lists: Lists | None = None) -> dict[str, Group]:
    if not isinstance(raw, dict) or not raw:
        raise ctx.error("needs a [topics.groups] table with at least one named group of terms")
    groups: dict[str, Group] = {}
    for name, spec in raw.items():
        if not _ID.match(name):
            raise ctx.error(f"group name {name!r} must be lower-case letters, digits and _")
        weight: Any = 1.0
        inside: list[str] = []
        if isinstance(spec, dict):
            _unknown_keys(spec, {"terms", "weight", "not_inside"}, f"group {name!r}", ctx)
            weight = spec.get("weight", 1.0)
            inside = _expand(
                _strings(spec.get("not_inside", []), f"group {name!r}.not_inside", ctx),
                lists or {},
                f"group {name!r}.not_inside",
                ctx,
            )
            spec = spec.get("terms", [])
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            raise ctx.error(f"group {name!r}: weight must be a number")
        texts = _expand(_strings(spec, f"group {name!r}", ctx), lists or {}, f"group {name!r}", ctx)
        if not texts:
            raise ctx.error(f"group {name!r} has no terms")
        terms: list[Term] = []
        not_inside: list[Term] = []
        for text in texts + inside:
            try:
                (terms if len(terms) < len(texts) else not_inside).append(parse_term(text))
            except TermError as exc:
                raise ctx.error(f"group {name!r}: {exc}", term=text) from None
        groups[name] = Group(name, tuple(terms), float(weight), tuple(not_inside))
    return groups


def _group_names(value: Any, key: str, groups: dict[str, Group], ctx: _Ctx, i: int) -> list[str]:
    names = _strings(value, f"rules[{i}].{key}", ctx)
    for entry in names:
        for name in entry.split("|"):
            if name.strip() not in groups:
                known = ", ".join(groups)
                raise ctx.error(
                    f"rules[{i}].{key} names group {name.strip()!r}, which is not defined (groups: {known})"
                )
    return names


def _positive_int(value: Any, where: str, ctx: _Ctx) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ctx.error(f"{where} must be a whole number of words >= 1")
    return value


def _parse_rules(raw: Any, groups: dict[str, Group], ctx: _Ctx) -> tuple[Rule, ...]:
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list) or not raw:
        raise ctx.error("needs at least one [[topics.rules]] entry")
    rules = []
    for i, spec in enumerate(raw):
        if not isinstance(spec, dict):
            raise ctx.error(f"rules[{i}] must be a table")
        _unknown_keys(spec, _RULE_KEYS, f"rules[{i}]", ctx)
        all_ = _group_names(spec.get("all", []), "all", groups, ctx, i)
        any_ = _group_names(spec.get("any", []), "any", groups, ctx, i)
        if not all_ and not any_:
            raise ctx.error(f"rules[{i}] needs 'all' or 'any' (the groups a sentence must contain)")
        if any("|" in name for name in any_):
            raise ctx.error(f"rules[{i}].any lists alternatives already; use plain group names")
        near = spec.get("near")
        review_near = spec.get("review_near")
        if review_near is not None:
            review_near = _positive_int(review_near, f"rules[{i}].review_near", ctx)
            if near is None or review_near <= near:
                raise ctx.error(f"rules[{i}].review_near must be larger than 'near' (and 'near' set)")
        review = spec.get("review", False)
        if not isinstance(review, bool):
            raise ctx.error(f"rules[{i}].review must be true or false")
        attach = spec.get("attach", "nearest")
        if attach not in ATTACH_MODES:
            raise ctx.error(f"rules[{i}].attach must be one of {', '.join(ATTACH_MODES)} (got {attach!r})")
        rule_name = spec.get("name")
        if rule_name is not None and (not isinstance(rule_name, str) or not rule_name.strip()):
            raise ctx.error(f"rules[{i}].name must be a non-empty string")
        rules.append(
            Rule(
                all=tuple(tuple(n.strip() for n in entry.split("|")) for entry in all_),
                any=tuple(any_),
                near=None if near is None else _positive_int(near, f"rules[{i}].near", ctx),
                not_=tuple(_group_names(spec.get("not", []), "not", groups, ctx, i)),
                not_near=tuple(_group_names(spec.get("not_near", []), "not_near", groups, ctx, i)),
                not_within=_positive_int(spec.get("not_within", 3), f"rules[{i}].not_within", ctx),
                anywhere=tuple(_group_names(spec.get("anywhere", []), "anywhere", groups, ctx, i)),
                nowhere=tuple(_group_names(spec.get("nowhere", []), "nowhere", groups, ctx, i)),
                review_near=review_near,
                skip=tuple(_group_names(spec.get("skip", []), "skip", groups, ctx, i)),
                rivals=_parse_rivals(spec.get("rivals"), all_ + any_, groups, ctx, i),
                confirm=tuple(_group_names(spec.get("confirm", []), "confirm", groups, ctx, i)),
                review=review,
                name=rule_name.strip() if rule_name else None,
                attach=attach,
            )
        )
        for key in ("not", "not_near", "anywhere", "nowhere", "skip", "confirm"):
            if any("|" in n for n in spec.get(key, [])):
                raise ctx.error(f"rules[{i}].{key}: '|' alternatives are only for 'all'")
    return tuple(rules)


def _parse_rivals(
    raw: Any, required: list[str], groups: dict[str, Group], ctx: _Ctx, i: int
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`rivals = {coalition = ["other_coalition"]}`: a required group and the groups competing with it."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise ctx.error(f"rules[{i}].rivals must be a table: required group = [rival groups]")
    names = {n.strip() for entry in required for n in entry.split("|")}
    out = []
    for name, rivals in raw.items():
        if name not in names:
            raise ctx.error(f"rules[{i}].rivals: {name!r} is not a group of this rule's 'all' or 'any'")
        out.append((name, tuple(_group_names(rivals, f"rivals.{name}", groups, ctx, i))))
    return tuple(out)


def _parse_examples(raw: Any, ctx: _Ctx) -> Examples:
    if raw is None:
        return Examples()
    if not isinstance(raw, dict):
        raise ctx.error("examples must be a table with 'match', 'no_match' and/or 'planned' lists")
    _unknown_keys(raw, _EXAMPLE_KEYS, "examples", ctx)
    return Examples(
        match=tuple(_strings(raw.get("match", []), "examples.match", ctx)),
        no_match=tuple(_strings(raw.get("no_match", []), "examples.no_match", ctx)),
        planned=tuple(_strings(raw.get("planned", []), "examples.planned", ctx)),
        review=tuple(_strings(raw.get("review", []), "examples.review", ctx)),
    )


def _parse_topic(data: Any, index: int, file: str, lists: Lists | None = None) -> Topic:
    ctx = _Ctx(file)
    if not isinstance(data, dict):
        raise ctx.error(f"topics[{index}] must be a table")
    topic_id = data.get("id")
    if not isinstance(topic_id, str) or not _ID.match(topic_id):
        raise ctx.error(f"topics[{index}]: 'id' must be lower-case letters, digits and _ (got {topic_id!r})")
    ctx.topic = topic_id
    _unknown_keys(data, _TOPIC_KEYS, "the topic", ctx)
    groups = _parse_groups(data.get("groups"), ctx, lists)
    min_score = data.get("min_score", 0.0)
    if isinstance(min_score, bool) or not isinstance(min_score, int | float):
        raise ctx.error("'min_score' must be a number")
    planned = data.get("planned", True)
    if not isinstance(planned, bool):
        raise ctx.error("'planned' must be true or false")
    return Topic(
        id=topic_id,
        title_ar=_string(data, "title_ar", ctx),
        title_en=_string(data, "title_en", ctx),
        description=_string(data, "description", ctx, required=False),
        groups=groups,
        rules=_parse_rules(data.get("rules"), groups, ctx),
        min_score=float(min_score),
        planned=planned,
        examples=_parse_examples(data.get("examples"), ctx),
        source=file,
    )


def _parse_lists(raw: Any, ctx: _Ctx) -> Lists:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ctx.error("'lists' must be a table of named term lists")
    lists: Lists = {}
    for name, terms in raw.items():
        if not _ID.match(name):
            raise ctx.error(f"list name {name!r} must be lower-case letters, digits and _")
        texts = _strings(terms, f"lists.{name}", ctx)
        for text in texts:
            try:
                parse_term(text)
            except TermError as exc:
                raise ctx.error(f"list {name!r}: {exc}", term=text) from None
        lists[name] = tuple(texts)
    return lists


def load_lexicon(path: Path | str) -> Lists:
    """A lexicon file: TOML with a `[lists]` table of named term lists (gazetteers, word families)."""
    path = Path(path)
    text = _read(path)
    ctx = _Ctx(str(path))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WatchlistError(f"not valid TOML: {exc}", path) from None
    _unknown_keys(data, {"lists"}, "the lexicon", ctx)
    return _parse_lists(data.get("lists"), ctx)


def _lexicons(data: dict[str, Any], source: str, ctx: _Ctx) -> Lists:
    """The lists a watchlist may use: those of the lexicon files it names, then its own `[lists]`."""
    base = Path(source).parent if source != "<watchlist>" else Path.cwd()
    lists: Lists = {}
    for name in _strings(data.get("lexicons", []), "'lexicons'", ctx):
        path = Path(name) if Path(name).is_absolute() else base / name
        for list_name, terms in load_lexicon(path).items():
            if list_name in lists and lists[list_name] != terms:
                raise ctx.error(f"list {list_name!r} is defined twice (again in {path})")
            lists[list_name] = terms
    own = _parse_lists(data.get("lists"), ctx)
    for list_name in own:
        if list_name in lists:
            raise ctx.error(f"list {list_name!r} is defined twice (in the file and in a lexicon)")
    lists.update(own)
    return lists


def parse_watchlist(text: str, source: str = "<watchlist>") -> Watchlist:
    """Parse watchlist TOML text without checking its examples; `lexicons` paths are relative to `source`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WatchlistError(f"not valid TOML: {exc}", source) from None
    ctx = _Ctx(source)
    _unknown_keys(data, {"topics", "lexicons", "lists"}, "the file", ctx)
    lists = _lexicons(data, source, ctx)
    raw_topics = data.get("topics")
    if not isinstance(raw_topics, list) or not raw_topics:
        raise ctx.error("no [[topics]] defined")
    topics = [_parse_topic(t, i, source, lists) for i, t in enumerate(raw_topics)]
    _check_unique(topics)
    return Watchlist(topics)


def _check_unique(topics: Iterable[Topic]) -> None:
    seen: dict[str, str | None] = {}
    for topic in topics:
        if topic.id in seen:
            raise WatchlistError(f"defined twice (also in {seen[topic.id]})", topic.source, topic.id)
        seen[topic.id] = topic.source


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise WatchlistError("no such file", path) from None
    except UnicodeDecodeError:
        raise WatchlistError("not UTF-8 text", path) from None
    except OSError as exc:
        raise WatchlistError(f"cannot read: {exc.strerror}", path) from None


def load_watchlists(paths: Iterable[Path | str], check_examples: bool = True) -> Watchlist:
    """Load and merge watchlist files; by default every topic's examples are checked (else WatchlistError)."""
    topics: list[Topic] = []
    for path in paths:
        path = Path(path)
        topics.extend(parse_watchlist(_read(path), str(path)).topics)
    if not topics:
        raise WatchlistError("no watchlist files given")
    _check_unique(topics)
    watchlist = Watchlist(topics)
    if check_examples:
        from rasid.matching.examples import check_examples as _check

        failures = _check(watchlist)
        if failures:
            first = failures[0]
            more = f" (and {len(failures) - 1} more failing example(s))" if len(failures) > 1 else ""
            raise WatchlistError(first.problem + more, first.source, first.topic)
    return watchlist


def load_watchlist(path: Path | str, check_examples: bool = True) -> Watchlist:
    """Load one watchlist file."""
    return load_watchlists([path], check_examples=check_examples)
