"""The commands about the store's history of releases: `evrdf releases` and `evrdf diff`."""

from __future__ import annotations

from pathlib import Path

import click

from evrdf.cli.common import STORE_HELP, cli, settings_from


@cli.command()
@click.argument("old")
@click.argument("new")
@click.option("--store", type=click.Path(path_type=Path), help=STORE_HELP)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "ttl"]), default="text", show_default=True,
              help="text for people, json, or ttl (the changelog as RDF, as the metadata graph holds it)")
def diff(old: str, new: str, store: Path | None, fmt: str) -> None:
    """What changed between two releases of the store: triples per graph, terms and findings.

    OLD and NEW are release ids (see `evrdf releases`), or current, previous, latest."""
    from evrdf.errors import StoreError
    from evrdf.release.compare import between, render
    from evrdf.release.index import ReleaseIndex

    index = ReleaseIndex(settings_from(store=store).store)
    found = []
    for name in (old, new):
        record = index.resolve(name)
        if record is None:
            known = ", ".join(index.ids()[:10]) or "none"
            raise StoreError(f"no release {name!r} in {index.root} (newest: {known})")
        found.append(record)
    log = between(found[0], found[1])
    click.echo(render(log, fmt, str(found[1].info.get("base_iri", ""))), nl=False)


@cli.command()
@click.option("--store", type=click.Path(path_type=Path), help=STORE_HELP)
def releases(store: Path | None) -> None:
    """Every release the store has published, newest first, with what changed in each."""
    from evrdf.release.changes import Changelog
    from evrdf.release.index import ReleaseIndex

    index = ReleaseIndex(settings_from(store=store).store)
    current = index.current()
    for record in index.records():
        changes = record.changes()
        headline = Changelog.from_json(changes).headline() if changes else "(no changelog)"
        marks = ("*" if current and record.id == current.id else " ") + ("" if record.has_store else " files only")
        click.echo(f"{marks[0]} {record.id:<24} {record.built:<26} {record.kind:<7} {headline}{marks[1:]}")
