"""The `evrdf` command: one subcommand per pipeline stage. The only place errors become exit codes.

Each module here holds the commands of one concern (`publishing`: build, update, publish; `reading`: query,
stats, serve; `history`: releases, diff; `importing`; `validating`); importing them registers their commands
on the group in `common`."""

from __future__ import annotations

import sys

import click

from evrdf.cli import history, importing, publishing, reading, validating
from evrdf.cli.common import cli
from evrdf.errors import EvrdfError

__all__ = ["cli", "main", "history", "importing", "publishing", "reading", "validating"]


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)
    except EvrdfError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:  # no permission, disk full, read-only file system: one line naming the path
        from evrdf.errors import os_message

        click.echo(f"error: {os_message(exc)}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
