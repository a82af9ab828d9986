"""`python -m evrdf` is the `evrdf` command."""

from evrdf.cli import main

main()
