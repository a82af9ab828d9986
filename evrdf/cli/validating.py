"""`evrdf validate`: files, the published graph or a SPARQL endpoint against the SHACL shapes; the one command
whose exit code says whether the data conforms (0), does not (1), or could not be read (2)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from evrdf.cli.common import STORE_HELP, cli, settings_from
from evrdf.errors import EvrdfError


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--store", type=click.Path(path_type=Path), help=STORE_HELP + "; validated when no FILE is given")
@click.option("--endpoint", help="validate the graph behind this SPARQL endpoint URL instead")
@click.option("--shapes", "shapes_dir", type=click.Path(path_type=Path, file_okay=False),
              help="folder of SHACL shapes (*.ttl; default: the shapes evrdf publishes)")
@click.option("--base-iri", help="canonical base IRI (default: $EVRDF_BASE_IRI or https://w3id.org/evrdf/)")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "ttl", "jsonld", "junit"]), default="text",
              show_default=True, help="report format")
@click.option("--fail-on", type=click.Choice(["violation", "warning", "info"]), default="violation",
              show_default=True, help="lowest severity that makes the data not conform (exit 1)")
@click.option("--allow-warnings", is_flag=True, help="warnings and infos never fail (same as --fail-on violation)")
@click.option("--engine", type=click.Choice(["oxigraph", "pyshacl"]), default="oxigraph", show_default=True,
              help="shapes compiled to SPARQL on Oxigraph, or pySHACL (the reference; slow beyond small inputs)")
@click.option("--record/--no-record", default=True, show_default=True,
              help="record runs over the published graph in the validation history")
def validate(files: tuple[Path, ...], store: Path | None, endpoint: str | None, shapes_dir: Path | None,
             base_iri: str | None, fmt: str, fail_on: str, allow_warnings: bool, engine: str,
             record: bool) -> None:
    """Validate RDF files, the published graph or a SPARQL endpoint against the SHACL shapes.

    Exit codes: 0 conforms, 1 does not conform, 2 usage or input error.
    """
    from evrdf.validate.render import render
    from evrdf.validate.report import Severity
    from evrdf.validate.run import validate_endpoint, validate_files, validate_store

    if files and endpoint:
        raise click.UsageError("give FILEs or --endpoint, not both")
    settings = settings_from(store=store, base_iri=base_iri)
    options = {"shapes_dir": shapes_dir, "engine": engine,
               "fail_on": Severity.parse("violation" if allow_warnings else fail_on)}
    try:
        if files:
            report = validate_files(list(files), settings, **options)
        elif endpoint:
            report = validate_endpoint(endpoint, settings, **options)
        else:
            from evrdf.store.oxigraph import OxigraphStore

            report = validate_store(settings, OxigraphStore(settings.store), **options)
            if record:
                from evrdf.validate.history import History

                History(settings.store, settings.base_iri).record(report)
    except EvrdfError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(render(report, fmt, settings.base_iri), nl=False)
    sys.exit(0 if report.conforms else 1)
