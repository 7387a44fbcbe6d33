"""Watch-topic matching for Arabic news: normalisation, the watchlist language and the compiled matcher."""

from rasid.matching.examples import ExampleFailure, check_examples
from rasid.matching.matcher import Matcher
from rasid.matching.normalize import normalize
from rasid.matching.results import Evidence, TermHit, TopicExplanation, TopicMatch
from rasid.matching.watchlist import (
    Group,
    Rule,
    Topic,
    Watchlist,
    WatchlistError,
    load_watchlist,
    load_watchlists,
    parse_watchlist,
)

__all__ = [
    "Evidence",
    "ExampleFailure",
    "Group",
    "Matcher",
    "Rule",
    "TermHit",
    "Topic",
    "TopicExplanation",
    "TopicMatch",
    "Watchlist",
    "WatchlistError",
    "check_examples",
    "load_watchlist",
    "load_watchlists",
    "normalize",
    "parse_watchlist",
]
