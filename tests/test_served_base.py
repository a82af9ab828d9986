"""The served base IRI comes from the release (issue 11, case 1): a store built for http://127.0.0.1:PORT/ and
served on that port with the documented options only answers for every IRI it minted."""

from __future__ import annotations

import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from tests.conftest import LoopbackStore, live_server

pytestmark = pytest.mark.live


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def fetch(url: str, accept: str) -> tuple[int, dict[str, str], bytes]:
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers={"Accept": accept}), timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_serve_without_base_iri_answers_for_the_iris_the_release_minted(loopback: LoopbackStore) -> None:
    gene = f"{loopback.base}gene/HGNC_10672"
    with live_server(loopback.path, port=loopback.port):
        status, headers, _ = fetch(gene, "text/turtle")
        assert status == 303, "the minted IRI must not be a 404"
        assert headers["Location"].endswith("/gene/HGNC_10672.ttl")
        status, _, body = fetch(gene + ".ttl", "text/turtle")
        assert status == 200
        assert f"<{gene}>".encode() in body or b"gene:HGNC_10672" in body


def test_serve_refuses_a_base_iri_the_release_was_not_built_for(loopback: LoopbackStore) -> None:
    done = subprocess.run([sys.executable, "-m", "evrdf", "serve", "--store", str(loopback.path), "--host",
                           "127.0.0.1", "--port", str(loopback.port), "--base-iri", "https://w3id.org/evrdf/"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"built for base IRI {loopback.base}" in done.stderr
