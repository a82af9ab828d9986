"""What every `evrdf` command shares: the command group, the settings from options and environment, and the
help texts of the options that several commands take."""

from __future__ import annotations

import click

from evrdf import __version__
from evrdf.settings import Settings

STORE_HELP = "store directory (default: $EVRDF_STORE or var/store)"
BACKEND_HELP = "oxigraph (embedded, default) or remote (also publish to / serve from $EVRDF_REMOTE_URL)"
REMOTE_HELP = ("base URL of a remote SPARQL store, e.g. Virtuoso's http://host:8890 (default: $EVRDF_REMOTE_URL; "
               "credentials from $EVRDF_REMOTE_USER and $EVRDF_REMOTE_PASSWORD)")


def settings_from(**overrides: object) -> Settings:
    try:
        return Settings.from_env(**overrides)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="evrdf")
def cli() -> None:
    """evrdf: extracellular vesicles and chemokines in cancer, as linked data."""
