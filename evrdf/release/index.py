"""The release index: every release a store has published, newest first, read from its directories.

A release directory (``<store>/releases/<id>/``) holds ``release.json`` (what the release is), ``files/`` (the
ontology in three formats, the SSSOM mappings, the N-Quads dump, the changelog and the release's own RDF
description) and, while it is one of the newest (retention.py), ``oxigraph/`` (its queryable store). The
directories are the archive: the index, the /releases pages, the feed and the history in the metadata graph
are all read from them, for the embedded and the remote backend alike.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from evrdf.release.ids import is_release_id, sort_key

RELEASES = "releases"
CURRENT = "current"
DUMP = "evrdf.nq"
DUMP_GZ = "evrdf.nq.gz"
CHANGES_JSON = "changes.json"
RELEASE_TTL = "release.ttl"


@dataclass(frozen=True)
class ReleaseRecord:
    """One published release, as its directory describes it."""

    id: str
    directory: Path

    @cached_property
    def info(self) -> dict[str, Any]:
        return dict(json.loads((self.directory / "release.json").read_text(encoding="utf-8")))

    @property
    def files(self) -> Path:
        return self.directory / "files"

    @property
    def previous(self) -> str | None:
        value = self.info.get("previous", self.info.get("derived_from"))
        return str(value) if value else None

    @property
    def built(self) -> str:
        return str(self.info.get("built", ""))

    @property
    def kind(self) -> str:
        """How it was made: "build" (`evrdf build`) or "update" (a SPARQL Update)."""
        return str(self.info.get("kind") or ("update" if self.info.get("update") else "build"))

    @property
    def has_store(self) -> bool:
        """Whether its store is still kept (only the newest releases keep one; their files are kept forever)."""
        return (self.directory / "oxigraph").is_dir()

    def file(self, name: str) -> Path | None:
        """A release file by name; the dump of a pruned release is kept compressed (``evrdf.nq.gz``)."""
        if "/" in name or name.startswith("."):
            return None
        path = self.files / name
        if path.is_file():
            return path
        if name == DUMP and (self.files / DUMP_GZ).is_file():
            return self.files / DUMP_GZ
        return None

    def file_names(self) -> list[str]:
        if not self.files.is_dir():
            return []
        return sorted(p.name for p in self.files.iterdir() if p.is_file() and not p.name.startswith("."))

    def changes(self) -> dict[str, Any] | None:
        """The changelog against the previous release (changes.json), None for releases made before it existed."""
        path = self.files / CHANGES_JSON
        return dict(json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else None


class ReleaseIndex:
    """Every release under ``root/releases`` (directories being built, ``.tmp-*``, are not releases yet)."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def records(self) -> list[ReleaseRecord]:
        """Newest first."""
        directory = self.root / RELEASES
        if not directory.is_dir():
            return []
        found = [ReleaseRecord(p.name, p) for p in directory.iterdir()
                 if is_release_id(p.name) and (p / "release.json").is_file()]
        return sorted(found, key=lambda r: sort_key(r.id), reverse=True)

    def ids(self) -> list[str]:
        return [r.id for r in self.records()]

    def get(self, release_id: str) -> ReleaseRecord | None:
        if not is_release_id(release_id):
            return None
        path = self.root / RELEASES / release_id
        return ReleaseRecord(release_id, path) if (path / "release.json").is_file() else None

    def current(self) -> ReleaseRecord | None:
        """The release ``root/current`` points to (what the embedded store serves), if any."""
        try:
            target = Path(os.readlink(self.root / CURRENT))
        except OSError:
            return None
        return self.get(target.name)

    def resolve(self, name: str) -> ReleaseRecord | None:
        """A release by id, or by the aliases ``current`` / ``latest`` (the newest) / ``previous`` (before current)."""
        if name == "current":
            return self.current()
        if name == "latest":
            records = self.records()
            return records[0] if records else None
        if name == "previous":
            current = self.current()
            return self.get(current.previous) if current and current.previous else None
        return self.get(name)
