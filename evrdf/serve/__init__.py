"""Serve: the Flask application (SPARQL endpoint, release files, pages) over a Store."""
