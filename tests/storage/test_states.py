"""The alert's states and transitions are one table, and every state change the outbox writes is in it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from rasid.storage.states import DEAD, PENDING, SENDING, SENT, TRANSITIONS, AlertState, allowed

STORAGE = Path(__file__).resolve().parents[2] / "rasid" / "storage"
# The modules that read or write alerts' states.
OUTBOX = ("claims", "matches", "models", "outbox", "recorders", "reports", "sentlog", "settling", "stories")


def test_the_table_holds_the_life_of_an_alert() -> None:
    assert {t.source for t in TRANSITIONS} | {t.target for t in TRANSITIONS} == set(AlertState)
    assert allowed(PENDING, SENDING) and allowed(SENDING, SENT) and allowed(SENDING, DEAD)
    assert allowed(SENDING, PENDING) and allowed(DEAD, PENDING)
    assert not any(allowed(SENT, s) for s in AlertState)  # sent is final: never sent twice
    assert not allowed(PENDING, SENT) and not allowed(PENDING, DEAD)  # only a claimed alert is settled
    assert len({t.name for t in TRANSITIONS}) == len(TRANSITIONS)


def test_no_state_is_written_outside_the_table() -> None:
    """The outbox's modules name states only through states.py: no string in their code (docstrings
    aside) is a state, or sets a status in SQL to a literal."""
    in_sql = re.compile(r"status\s*=\s*'[a-z]")
    found = []
    for path in (STORAGE / f"{name}.py" for name in OUTBOX):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        for node in ast.walk(tree):
            text = node.value if isinstance(node, ast.Constant) and id(node) not in docs else None
            if isinstance(text, str) and (text in set(AlertState) or in_sql.search(text)):
                found.append(f"{path.name}:{node.lineno}: {node.value!r}")
    assert not found, found
