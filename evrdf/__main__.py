"""`python -m evrdf` is the `evrdf` command."""

from evrdf.cli import main

if __name__ == "__main__":  # not when a spawned process (an update under gunicorn) imports this module again
    main()
