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

