"""`evrdf import`: convert a Vesiclepedia or ExoCarta download and stage it for the next build."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from evrdf.cli.common import STORE_HELP, cli, settings_from
from evrdf.errors import EvrdfError

DATABASES = ("vesiclepedia", "exocarta")
SHOWN_REJECTIONS = 20

if TYPE_CHECKING:
    from evrdf.ingest.evdb import OnError


@cli.command("import")
@click.argument("database", type=click.Choice(DATABASES))
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--experiments", type=click.Path(path_type=Path, dir_okay=False),
              help="the database's EXPERIMENT_DETAILS file (species, sample, methods, EV type, PubMed ID)")
@click.option("--release", help="database release, e.g. 5.1 (default: read from the file name)")
@click.option("--on-error", type=click.Choice(["skip", "fail"]), default="fail", show_default=True,
              help="a malformed line fails the import, or is reported and skipped")
@click.option("--store", type=click.Path(path_type=Path), help=STORE_HELP)
@click.option("--base-iri", help="canonical base IRI (default: $EVRDF_BASE_IRI or https://w3id.org/evrdf/)")
@click.option("--sources", type=click.Path(path_type=Path, file_okay=False),
              help="ontology/ folder (its curated genes align imported cargo to HGNC and UniProt)")
@click.option("--validate/--no-validate", default=True, show_default=True,
              help="check the converted graph against the SHACL shapes before staging it")
def import_(database: str, path: Path, experiments: Path | None, release: str | None, on_error: OnError,
            store: Path | None, base_iri: str | None, sources: Path | None, validate: bool) -> None:
    """Convert a Vesiclepedia or ExoCarta download and stage it; the next `evrdf build` publishes it."""
    import importlib

    from evrdf.ingest.evdb import release_from_name
    from evrdf.pipeline.imports import import_database

    settings = settings_from(store=store, base_iri=base_iri, sources=sources)
    db = importlib.import_module(f"evrdf.ingest.{database}").DATABASE
    release = release or release_from_name(path.name)
    if not release:
        raise click.UsageError(f"cannot read the release from {path.name!r}; give --release")
    shown = [0]

    def report(error: EvrdfError) -> None:
        shown[0] += 1
        if shown[0] <= SHOWN_REJECTIONS:
            click.echo(f"  skipped {error}", err=True)

    size = path.stat().st_size if path.is_file() else 0
    with click.progressbar(length=size, label=f"importing {path.name}", file=sys.stderr) as bar:
        pending = [0]

        def progress(n: int) -> None:
            pending[0] += n
            if pending[0] >= 1 << 20:
                bar.update(pending[0])
                pending[0] = 0

        from evrdf.errors import ValidationError

        try:
            result, staged = import_database(settings, db, path, experiments, release,
                                             on_error, report, progress, validate)
        except ValidationError as exc:
            from evrdf.validate.render import text
            from evrdf.validate.report import carried

            click.echo("\n" + text(carried(exc)), err=True)
            raise
        bar.update(pending[0])
    if result.rejected > SHOWN_REJECTIONS:
        click.echo(f"  ... and {result.rejected - SHOWN_REJECTIONS} more skipped lines", err=True)
    click.echo(f"{db.title} {release}: read {result.lines} lines, loaded {result.entries} entries and "
               f"{result.experiments} experiments ({result.quads} quads), rejected {result.rejected} lines")
    click.echo(f"  staged {staged} as graph <{result.graph}>; `evrdf build` publishes it")
    click.echo(f"  took {result.seconds:.1f} s")
