"""/sparql: the SPARQL 1.1 Protocol (GET, form POST, direct POST); read-only."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Blueprint, Response, render_template, request

from service import get_config, get_store
from service.conneg import choose
from service.errors import BadRequest, Forbidden, ServiceError, wants_html
from service.formats import Format
from service.service_description import service_description
from service.sparql import run

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"


class UnsupportedMediaType(ServiceError):
    status, title = 415, "Unsupported media type"


def extract() -> tuple[str | None, list[str], list[str]]:
    """(query, default-graph-uri values, named-graph-uri values) as the protocol places them."""
    if request.method == "GET":
        params = request.args
    elif request.mimetype == FORM:
        params = request.form
    elif request.mimetype == QUERY:
        params = request.args
        body = request.get_data(as_text=True)
        return body, params.getlist("default-graph-uri"), params.getlist("named-graph-uri")
    elif request.mimetype == UPDATE:
        raise Forbidden("this endpoint is read-only; SPARQL Update is not accepted")
    else:
        raise UnsupportedMediaType(f"POST a form ({FORM}) or a query ({QUERY}), not {request.mimetype or 'nothing'}")
    if "update" in params:
        raise Forbidden("this endpoint is read-only; SPARQL Update is not accepted")
    queries = params.getlist("query")
    if len(queries) > 1:
        raise BadRequest("give exactly one 'query' parameter")
    return (queries[0] if queries else None), params.getlist("default-graph-uri"), params.getlist("named-graph-uri")


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response | str:
    config = get_config()
    query, default_graph, named_graphs = extract()
    requested = request.values.get("format") or request.values.get("_format")
    if query is None:
        if wants_html():
            return render_template("sparql/form.html")
        return service_description(config.base_uri, request.accept_mimetypes, requested)

    def negotiate(offers: Sequence[Format]) -> Format:
        return choose(request.accept_mimetypes, offers, requested)

    answer = run(
        get_store(),
        query,
        negotiate,
        base_iri=config.base_uri + "sparql",
        default_graph=default_graph,
        named_graphs=named_graphs,
    )
    response = Response(answer.body, content_type=answer.format.content_type)
    response.vary.add("Accept")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
