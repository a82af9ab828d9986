"""SPARQL 1.1 Update over the protocol (section 2.2): for the operator's token only, each update published as a
new release by pipeline/update.py; kept apart from queries, which never write."""

from __future__ import annotations

import hmac
import re
from typing import Any, Callable

from flask import Response, request

from evrdf.serve.sparql_request import Params, Refusal, endpoint_iri
from evrdf.settings import Settings
from evrdf.sparql_text import tokens


def apply_update_request(settings: Settings, params: Params) -> Response:
    """SPARQL 1.1 Update (Protocol 2.2), for the operator's token only: applied to a copy of the published
    release and published as a new release (pipeline/update.py); readers never see a half-applied update."""
    if not settings.update_token:
        raise Refusal(403, "SPARQL Update is disabled on this endpoint: releases are served read-only; the "
                           "operator enables updates with EVRDF_UPDATE_TOKEN, or publishes with `evrdf build`")
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {settings.update_token}".encode()):
        raise Refusal(401, "SPARQL Update needs the operator's token (Authorization: Bearer TOKEN)",
                      {"WWW-Authenticate": 'Bearer realm="evrdf"'})
    assert params.update is not None
    text = params.update
    if params.using_graphs or params.using_named_graphs:
        words = {t.text.upper() for t in tokens(text) if t.kind == "word"}
        if words & {"USING", "WITH"}:  # SPARQL 1.1 Protocol 2.2.3: a dataset in both places is refused
            raise Refusal(400, "the update names its dataset twice: using-graph-uri / using-named-graph-uri in the "
                               "request and USING / WITH in the update (SPARQL 1.1 Protocol, section 2.2.3)")
        text = with_using(text, params.using_graphs, params.using_named_graphs)
    if params.default_graphs or params.named_graphs:
        raise Refusal(400, "default-graph-uri / named-graph-uri belong to queries; an update names its graphs "
                           "with USING or GRAPH")
    from evrdf.errors import EvrdfError, ValidationError
    from evrdf.pipeline.update import UpdateFailed, UpdateRefused, UpdateSyntaxError, apply_update
    from evrdf.validate.render import render
    from evrdf.validate.report import carried

    try:
        done = _run(apply_update, settings, text, client=request.remote_addr or "unknown",
                    federation_allow=settings.federation_allow, base_iri=endpoint_iri())
    except (UpdateSyntaxError, UpdateFailed) as exc:
        raise Refusal(400, str(exc)) from None
    except UpdateRefused as exc:
        raise Refusal(403, str(exc)) from None
    except ValidationError as exc:
        raise Refusal(422, f"{exc}\n\n{render(carried(exc), 'text', settings.base_iri)}") from None
    except EvrdfError as exc:
        raise Refusal(500, f"the update was not applied: {exc}") from None
    if settings.backend == "remote":  # the update was built locally; the remote store serves it once published
        from evrdf.store.oxigraph import OxigraphStore
        from evrdf.store.publish_remote import publish
        from evrdf.store.remote import RemoteStore

        try:
            publish(RemoteStore.from_settings(settings), OxigraphStore(settings.store).release_dir())
        except EvrdfError as exc:
            raise Refusal(502, f"the update is in release {done.release} of the build store {settings.store}, but "
                               f"the remote store did not take it ({exc}); it still serves the previous release: "
                               "retry with `evrdf publish`") from None
    graphs = "; ".join(f"<{g}> {n} triples" for g, n in done.graphs.items()) or "no update graphs left"
    return Response(f"applied: {done.inserted} triples inserted, {done.deleted} deleted; published release "
                    f"{done.release} (was {done.previous}); {graphs}\n", status=200, mimetype="text/plain",
                    headers={"X-Evrdf-Release": done.release})


IN_A_FORKED_WORKER = False  # set in gunicorn's workers (serve/production.py)


def _run(apply: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``apply(*args, **kwargs)`` here, or in a spawned process when this is a forked gunicorn worker: the master
    opened the on-disk store before forking, and RocksDB's background threads do not survive a fork, so a new
    release written in the worker never finishes (its first flush waits for them forever)."""
    if not IN_A_FORKED_WORKER:
        return apply(*args, **kwargs)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(apply, *args, **kwargs).result()


NOT_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def with_using(text: str, default: list[str], named: list[str]) -> str:
    """``text`` with using-graph-uri / using-named-graph-uri written into it as USING / USING NAMED clauses, before
    the WHERE of each DELETE / INSERT operation: SPARQL 1.1 Protocol 2.2.3 gives them exactly that meaning, and
    operations without a WHERE (INSERT DATA, CLEAR, ...) read no dataset.

    >>> with_using("INSERT { ?s a <x:B> } WHERE { { SELECT ?s WHERE { ?s a <x:A> } } }", ["x:g"], ["x:n"])
    'INSERT { ?s a <x:B> } USING <x:g> USING NAMED <x:n> WHERE { { SELECT ?s WHERE { ?s a <x:A> } } }'
    """
    for iri in default + named:
        if not iri or NOT_IRI.search(iri):
            raise Refusal(400, f"using-graph-uri / using-named-graph-uri: {iri!r} is not an IRI")
    clauses = " ".join([f"USING <{g}>" for g in default] + [f"USING NAMED <{g}>" for g in named]) + " "
    depth, previous, cuts = 0, "", []
    for token in tokens(text):
        if token.kind == "other" and token.text == "{":
            depth += 1
        elif token.kind == "other" and token.text == "}":
            depth -= 1
        elif depth == 0 and token.kind == "word" and token.text.upper() == "WHERE":
            if previous == "DELETE":
                raise Refusal(400, "DELETE WHERE { ... } reads no dataset of its own (its pattern is also what it "
                                   "deletes): write DELETE { ... } WHERE { ... } to use using-graph-uri / "
                                   "using-named-graph-uri")
            cuts.append(token.start)
        previous = token.text.upper() if token.kind == "word" else ""
    for cut in reversed(cuts):
        text = text[:cut] + clauses + text[cut:]
    return text
