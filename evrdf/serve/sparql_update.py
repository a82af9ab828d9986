"""SPARQL 1.1 Update over the protocol (section 2.2): for the operator's token only, each update published as a
new release by pipeline/update.py; kept apart from queries, which never write."""

from __future__ import annotations

import hmac

from flask import Response, request

from evrdf.serve.sparql_request import Params, Refusal
from evrdf.settings import Settings


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
    if params.using_graphs:
        from evrdf.sparql_text import tokens

        words = {t.text.upper() for t in tokens(params.update or "") if t.kind == "word"}
        if words & {"USING", "WITH"}:  # SPARQL 1.1 Protocol 2.2.3: a dataset in both places is refused
            raise Refusal(400, "the update names its dataset twice: using-graph-uri / using-named-graph-uri in the "
                               "request and USING / WITH in the update (SPARQL 1.1 Protocol, section 2.2.3)")
        raise Refusal(400, "using-graph-uri / using-named-graph-uri are not supported; name graphs with USING "
                           "or GRAPH in the update itself")
    if params.default_graphs or params.named_graphs:
        raise Refusal(400, "default-graph-uri / named-graph-uri belong to queries; an update names its graphs "
                           "with USING or GRAPH")
    from evrdf.errors import EvrdfError, ValidationError
    from evrdf.pipeline.update import UpdateRefused, UpdateSyntaxError, apply_update
    from evrdf.validate.render import render
    from evrdf.validate.report import carried

    assert params.update is not None
    try:
        done = apply_update(settings, params.update, client=request.remote_addr or "unknown",
                            federation_allow=settings.federation_allow)
    except UpdateSyntaxError as exc:
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
