"""Field checks shared by the curated table readers: each raises naming the row's file, line and column."""

from __future__ import annotations

from evrdf.identifiers import check_curie, check_local
from evrdf.ingest.tables import Row


def curie_list(row: Row, column: str) -> list[str]:
    """A `|`-separated list of CURIEs, each of a known prefix and well-formed."""
    values = row.list(column)
    for value in values:
        curie(row, column, value)
    return values


def curie(row: Row, column: str, value: str) -> str:
    try:
        return check_curie(value)
    except ValueError as exc:
        raise row.error(column, str(exc)) from None


def local_id(row: Row, column: str, prefix: str, value: str | None = None) -> str:
    """``value`` (default: the field) has the form of a ``prefix`` identifier without the prefix."""
    value = row[column] if value is None else value
    try:
        return check_local(prefix, value)
    except ValueError as exc:
        raise row.error(column, str(exc)) from None


def number(row: Row, column: str) -> float | None:
    if not row[column]:
        return None
    try:
        return float(row[column])
    except ValueError:
        raise row.error(column, f"{row[column]!r} is not a number") from None


def choice(row: Row, column: str, allowed: set[str]) -> None:
    if row[column] and row[column] not in allowed:
        raise row.error(column, f"{row[column]!r} is not one of: {', '.join(sorted(allowed))}")
