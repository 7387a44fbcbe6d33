"""The house rules of the package, checked on its source: no import cycle, the stages' "never imports"
table of DESIGN.md, small modules that say their role."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "rasid"
LINE_LIMIT = 400
"""A module over this many lines says why in its docstring (a line holding "long because")."""


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts and p.is_file()}


def _imports(path: Path, module: str, top_level_only: bool) -> set[str]:
    """rasid modules `path` imports (at module level only, when asked: imports inside functions are lazy and
    cannot form a cycle at import time; `if TYPE_CHECKING:` blocks are never run)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.dump(node.test):
                continue
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("rasid"))
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                if base.startswith("rasid"):
                    found.add(base)
                    found.update(f"{base}.{a.name}" for a in node.names)
            if not top_level_only:
                for child in ast.iter_child_nodes(node):
                    if isinstance(child, ast.stmt):
                        visit([child])
            elif isinstance(node, ast.If | ast.Try):
                visit(node.body)
                visit(getattr(node, "orelse", []))

    visit(tree.body)
    return found


def _graph(top_level_only: bool) -> dict[str, set[str]]:
    modules = _modules()
    return {
        name: {m for m in _imports(path, name, top_level_only) if m in modules and m != name}
        for name, path in modules.items()
    }


def test_no_import_cycle_at_import_time() -> None:
    graph = _graph(top_level_only=True)
    # A package's __init__ re-exporting its modules is no cycle with them: drop edges into a parent package.
    for name, targets in graph.items():
        graph[name] = {t for t in targets if not name.startswith(t + ".")}
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def walk(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                walk(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            walk(node)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles[:5])


NEVER_IMPORTS = {
    "rasid.config": ["rasid.crawler", "rasid.extractors", "rasid.matching", "rasid.storage", "rasid.alerts"],
    "rasid.crawler": ["rasid.alerts"],
    "rasid.extractors": ["rasid.storage", "rasid.alerts"],
    "rasid.matching": ["rasid.storage", "rasid.crawler", "rasid.alerts"],
    "rasid.storage": ["rasid.crawler", "rasid.alerts", "rasid.matching"],
    "rasid.alerts": ["rasid.crawler"],
    "rasid.pipeline": ["rasid.crawler", "rasid.alerts"],
}
"""DESIGN.md's table: what each stage never imports (at any level, lazy imports included)."""


@pytest.mark.parametrize("stage", sorted(NEVER_IMPORTS))
def test_stages_never_import_what_design_forbids(stage: str) -> None:
    graph = _graph(top_level_only=False)
    wrong = [
        f"{name} imports {target}"
        for name, targets in graph.items()
        if name == stage or name.startswith(stage + ".")
        for target in targets
        for forbidden in NEVER_IMPORTS[stage]
        if target == forbidden or target.startswith(forbidden + ".")
    ]
    assert not wrong, wrong


def test_modules_are_small_or_say_why() -> None:
    long = []
    for name, path in _modules().items():
        lines = path.read_text(encoding="utf-8").count("\n")
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if lines > LINE_LIMIT and "long because" not in doc:
            long.append(f"{name} ({lines} lines)")
    assert not long, f"modules over {LINE_LIMIT} lines without a reason in their docstring: {long}"


def test_every_module_says_its_role() -> None:
    missing = [n for n, p in _modules().items() if not ast.get_docstring(ast.parse(p.read_text("utf-8")))]
    assert not missing, missing


def test_sql_lives_only_in_storage() -> None:
    """Outside rasid/storage/ nothing builds SQL: no SQLAlchemy but the `Session` type a caller passes on,
    no driver, no SQL text."""
    allowed = {"sqlalchemy.orm.Session"}
    wrong = []
    for name, path in _modules().items():
        if name.startswith("rasid.storage"):
            continue
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in {
                "sqlalchemy",
                "psycopg",
            }:
                wrong += [
                    f"{name}: {node.module}.{a.name}"
                    for a in node.names
                    if f"{node.module}.{a.name}" not in allowed
                ]
            elif isinstance(node, ast.Import):
                wrong += [
                    f"{name}: {a.name}"
                    for a in node.names
                    if a.name.split(".")[0] in {"sqlalchemy", "psycopg", "sqlite3"}
                ]
        for keyword in ("SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM"):
            if keyword in source:
                wrong.append(f"{name}: SQL text {keyword.strip()!r}")
    assert not wrong, wrong
