"""The JSON Schema (draft 2020-12) of digest.json; written beside it as schema.json."""

from __future__ import annotations

import json
from typing import Any

from rasid.alerts.digest.model import FORMAT

_STR = {"type": "string"}
_INT = {"type": "integer", "minimum": 0}
_TIME = {"type": "string", "format": "date-time"}
_OPT_TIME = {"type": ["string", "null"], "format": "date-time"}
_URL = {"type": "string", "minLength": 1}


def _object(properties: dict[str, Any], description: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "required": list(properties),
        "additionalProperties": False,
        "properties": properties,
    }
    if description:
        out["description"] = description
    return out


COUNTS = _object(
    {
        "stories": _INT,
        "articles": _INT,
        "previous_stories": _INT,
        "previous_articles": _INT,
    },
    "Stories (articles grouped by story) and matched articles this week and the week before.",
)

REPORT = _object(
    {
        "article_id": {"type": "integer"},
        "outlet": _STR,
        "headline": _STR,
        "url": _URL,
        "published": _TIME,
    },
    "One outlet's article on the story; `published` is local time (first-seen time when undated).",
)

EVIDENCE = _object(
    {
        "field": {"type": "string", "description": "title or text: where the sentence was found"},
        "sentence": _STR,
        "highlights": {
            "type": "array",
            "description": "Matched terms; start/end index `sentence` (Python string offsets).",
            "items": _object({"start": _INT, "end": _INT, "text": _STR}),
        },
    },
    "The sentence that made the topic fire, with its matched terms.",
)

STORY = _object(
    {
        "key": {"type": "string", "pattern": "^[sa][0-9]+$", "description": "s<story_id> or a<article_id>"},
        "headline": _STR,
        "outlet": _STR,
        "url": _URL,
        "published": _TIME,
        "score": {"type": "number"},
        "modality": {"type": "string", "description": "asserted, planned, ..."},
        "evidence": {"oneOf": [EVIDENCE, {"type": "null"}]},
        "outlets": {"type": "array", "items": _STR, "minItems": 1},
        "reports": {"type": "array", "items": REPORT, "minItems": 1},
    },
    "One story: headline, outlet and evidence of its first report, and every report of the week.",
)

REVIEW_STORY = _object(
    {
        **STORY["properties"],
        "review_reason": {
            "type": ["string", "null"],
            "description": "Why the match is only possible, not confident (null when the matcher gave none).",
        },
    },
    "A story only possibly about the topic (review matches only), with the reason, for a person to check.",
)

TOPIC = _object(
    {
        "id": _STR,
        "title_ar": _STR,
        "title_en": _STR,
        "counts": COUNTS,
        "per_day": {
            "type": "array",
            "items": _INT,
            "minItems": 7,
            "maxItems": 7,
            "description": "Matched articles per local day, Monday first.",
        },
        "stories": {
            "type": "array",
            "items": STORY,
            "description": "Confident (alert) matches; counts and per_day count these.",
        },
        "review": {
            "type": "array",
            "items": REVIEW_STORY,
            "description": "Possible (review) matches, listed apart; none of them is in `stories`.",
        },
    }
)

OUTLET = _object(
    {
        "name": _STR,
        "homepage": _STR,
        "articles": _INT,
        "matched": _INT,
        "status": {"enum": ["ok", "failed", "silent"]},
        "last_article_at": _OPT_TIME,
        "last_success_at": _OPT_TIME,
        "last_error": {"type": ["string", "null"]},
        "last_error_at": _OPT_TIME,
        "consecutive_failures": _INT,
    },
    "An outlet's week: articles stored and matched; failed (fetch errors) or silent (no new article).",
)

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://github.com/rasid-news/rasid/digest.schema.json",
    "title": "rasid weekly digest",
    "description": (
        "digest.json as `rasid digest` writes it. Times are ISO 8601 with the offset of `timezone`."
    ),
    **_object(
        {
            "format": {"const": FORMAT},
            "week": {"type": "string", "pattern": "^[0-9]{4}-W[0-9]{2}$"},
            "previous_week": {"type": "string", "pattern": "^[0-9]{4}-W[0-9]{2}$"},
            "timezone": _STR,
            "start": _TIME,
            "end": _TIME,
            "days": {
                "type": "array",
                "items": {"type": "string", "format": "date"},
                "minItems": 7,
                "maxItems": 7,
            },
            "articles": {**_INT, "description": "Every article of the week, matched or not."},
            "totals": COUNTS,
            "topics": {"type": "array", "items": TOPIC},
            "outlets": {"type": "array", "items": OUTLET},
        }
    ),
}


def schema_text() -> str:
    return json.dumps(SCHEMA, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
