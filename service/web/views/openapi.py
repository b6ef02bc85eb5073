"""/openapi.json: the OpenAPI 3.1 description of this service (service/web/openapi.py), open to every origin."""

from __future__ import annotations

from flask import Blueprint, Response, json, request

from service.web.conneg import choose
from service.web.openapi import document
from service.web.openapi_schema import DESCRIPTION_FORMATS
from service.web.state import get_config

bp = Blueprint("openapi", __name__)


@bp.get("/openapi.json")
def description() -> Response:
    fmt = choose(request.accept_mimetypes, DESCRIPTION_FORMATS)
    body = json.dumps(document(get_config().base_uri), indent=1, ensure_ascii=False) + "\n"
    response = Response(body, content_type=fmt.content_type)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.cache_control.public = True
    response.cache_control.max_age = get_config().cache_max_age
    response.vary.add("Accept")
    response.add_etag()
    response.make_conditional(request)
    return response
