"""Error answers: a page in the site frame for people (a browser's Accept names HTML first), the plain text
message for machine clients (curl's */*, SPARQL and RDF clients), so neither gets the other's body."""

from __future__ import annotations

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

HTML_TYPES = ("text/html", "application/xhtml+xml")
TITLES = {400: "Bad request", 404: "Not found", 405: "Method not allowed", 406: "Not acceptable", 410: "Gone",
          413: "Request too large", 415: "Unsupported media type", 429: "Too many requests"}


def wants_html() -> bool:
    """True when the Accept header names HTML explicitly, at a higher quality than any other type it names
    (Chromium: text/html,...,application/xml;q=0.9,image/jxl,...,*/*;q=0.8); */* alone is a machine client's."""
    html, other = 0.0, 0.0
    for value, quality in request.accept_mimetypes:
        kind = value.split(";")[0].strip().lower()
        if kind in HTML_TYPES:
            html = max(html, quality)
        elif kind != "*/*" and not kind.startswith(("image/", "application/signed-exchange")):
            other = max(other, quality)  # browsers list the image formats they decode: not a document type
    return html > other


def error_response(status: int, message: str) -> Response:
    """The answer for an error: the site's page for browsers, ``message`` as text/plain otherwise."""
    if wants_html():
        body = render_template("error.html", status=status, title=TITLES.get(status, "Error"), message=message)
        response = Response(body, status=status, mimetype="text/html")
    else:
        response = Response(message + "\n", status=status, mimetype="text/plain")
    response.headers["Vary"] = "Accept"
    return response


def install(app: Flask) -> None:
    """Every 4xx the app raises (abort, unknown routes, wrong methods) answers people with a page."""

    @app.errorhandler(HTTPException)
    def client_error(error: HTTPException) -> Response | HTTPException:
        if error.code is None or not 400 <= error.code < 500 or not wants_html():
            return error  # machine clients keep werkzeug's answer, headers (Allow, Retry-After) included
        response = error_response(error.code, error.description or TITLES.get(error.code, "Error"))
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers.setdefault(name, value)
        return response
