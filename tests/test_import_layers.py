"""Stages import one way: floor -> ingest -> build -> validate -> release -> store -> pipeline -> serve -> cli.

Every module's imports are read with ``ast`` (deferred imports inside functions included).
An import of a later stage fails unless it is in KNOWN_UPWARD, the list of imports still to
be removed (issue 14); an entry that no longer occurs fails too, so the list only shrinks.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "evrdf"
ORDER = ["ingest", "build", "validate", "release", "store", "pipeline", "serve"]


def _rank(module: str) -> int:
    """Floor modules (evrdf/*.py) rank 0; cli and __main__ sit on top."""
    parts = module.split(".")
    if len(parts) < 2:
        return 0
    top = parts[1]
    if top in ORDER:
        return ORDER.index(top) + 1
    if top in {"cli", "__main__"}:
        return len(ORDER) + 1
    return 0


def _imports() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(rel.parts).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            for target in targets:
                if target.startswith("evrdf."):
                    found.add((name, target))
    return found


def _upward() -> set[tuple[str, str]]:
    return {(m, t) for m, t in _imports() if _rank(t) > _rank(m)}


KNOWN_UPWARD: set[tuple[str, str]] = set()  # every import up the stages is gone (issue 14)


def test_no_stage_imports_a_later_stage() -> None:
    new = _upward() - KNOWN_UPWARD
    assert not new, f"imports up the stages: {sorted(new)}"


def test_known_upward_imports_still_exist() -> None:
    gone = KNOWN_UPWARD - _upward()
    assert not gone, f"remove from KNOWN_UPWARD, they are fixed: {sorted(gone)}"


def test_rank_orders_the_stages() -> None:
    assert _rank("evrdf.iris") < _rank("evrdf.ingest.curated") < _rank("evrdf.pipeline.build")
    assert _rank("evrdf.validate.gate") < _rank("evrdf.store.oxigraph") < _rank("evrdf.pipeline.build")
    assert _rank("evrdf.pipeline.update") < _rank("evrdf.serve.app") < _rank("evrdf.cli")


def _cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan's algorithm), each sorted."""
    graph: dict[str, set[str]] = {}
    for source, target in edges:
        graph.setdefault(source, set()).add(target)
        graph.setdefault(target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_serve_modules_import_one_another_without_a_cycle() -> None:
    """serve/ is split by concern (negotiation, pages, resources, queries): each piece builds on others, never in
    a circle, deferred imports included; a module that needs a piece above it gets it passed in."""
    serve = {(m, t) for m, t in _imports() if m.startswith("evrdf.serve.") and t.startswith("evrdf.serve.")}
    assert not _cycles(serve), f"import cycles in serve/: {_cycles(serve)}"


def test_no_modules_import_one_another_in_a_circle() -> None:
    """Within a stage too (the stages' one-way order already rules out cycles across them)."""
    assert not _cycles(_imports()), f"import cycles: {_cycles(_imports())}"


def test_the_cycle_check_finds_a_cycle() -> None:
    assert _cycles({("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")}) == [["a", "b", "c"]]
    assert _cycles({("a", "b"), ("b", "c")}) == []
