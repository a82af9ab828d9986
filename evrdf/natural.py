"""Natural order for names people read: CCL1, CCL2, ..., CCL11 (digits compare as numbers), case-insensitive."""

from __future__ import annotations

import re

_CHUNKS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[tuple[tuple[int, int | str], ...], str]:
    """A sort key: runs of digits compare by value, the rest case-folded; ties fall back to the text itself.
    Each chunk is tagged so a number and a word never compare with each other (numbers first)."""
    parts: list[tuple[int, int | str]] = []
    for index, chunk in enumerate(_CHUNKS.split(text.casefold())):
        if not chunk:
            continue
        parts.append((0, int(chunk)) if index % 2 else (1, chunk))
    return tuple(parts), text
