"""The JSON API, /api/v1. Bearer tokens, or the web session (then unsafe methods need the CSRF token)."""
from __future__ import annotations

import contextlib
import logging

from flask import Blueprint, g, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from app.errors import Conflict, ElixError, flatten_errors
from app.extensions import csrf, db
from app.seizures.schemas import UNSTORABLE, UNSTORABLE_MESSAGE

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__)
csrf.exempt(bp)

PUBLIC_ENDPOINTS = {"api.openapi"}
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
API_RATE_BATCH = 50  # API requests a worker counts before writing them (app.users.rate_limits)
NUL = "\x00"
NUL_MESSAGE = "must not contain NUL characters (\\u0000)"


class ApiError(ElixError):
    def __init__(self, status: int, code: str, message: str, fields: dict | None = None) -> None:
        super().__init__(message, fields)
        self.status, self.code = status, code


def error_response(status: int, code: str, message: str, fields: dict | None = None):  # noqa: ANN201
    body: dict = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="elix"'
    return response


@bp.before_request
def authenticate() -> None:
    from app.users.services import api_token_for

    header = request.headers.get("Authorization")
    scheme, _, token = (header or "").partition(" ")
    token = token.strip() if scheme.lower() == "bearer" else ""
    _rate_limit(token)
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    if header is not None:
        api_token = api_token_for(token) if token else None
        if api_token is None:
            raise ApiError(401, "unauthorized", "the API token is missing, unknown, expired or revoked")
        if api_token.scope != "write" and request.method in UNSAFE_METHODS:
            raise ApiError(403, "forbidden", "this token is read-only; create a read-write token to change data")
        g.api_user = api_token.user
        return
    if current_user.is_authenticated:
        if request.method in UNSAFE_METHODS:
            csrf.protect()
        g.api_user = current_user._get_current_object()
        return
    raise ApiError(401, "unauthorized", "send 'Authorization: Bearer <token>' (create a token under Account › API tokens)")


@bp.before_request
def refuse_nul_in_query() -> None:
    """PostgreSQL refuses NUL characters in text, so none may reach a query: a query parameter with one is
    invalid (a path with one is a 404: app.security). Runs after `authenticate` (registered after it)."""
    bad = sorted({_shown(key) for key, value in request.args.items(multi=True) if NUL in key or NUL in value})
    if bad:
        raise ApiError(422, "validation_failed", "the request has invalid fields", dict.fromkeys(bad, [NUL_MESSAGE]))


MAX_DEPTH = 32  # the contract's deepest value is 3 levels down (items.0.estimated_value)


def _deeper_than(value: object, limit: int) -> bool:
    """Whether a parsed JSON value nests lists and objects more than `limit` levels (without recursing:
    the checks that walk the body recurse)."""
    level = [value]
    for _ in range(limit + 1):
        level = [child for v in level if isinstance(v, (dict, list))
                 for child in (v.values() if isinstance(v, dict) else v)]
        if not level:
            return False
    return True


def _unstorable_fields(value: object, path: str = "") -> list[str]:
    """The dotted paths of the strings (keys too) in a JSON value that no database stores: NUL characters
    (PostgreSQL) and unpaired surrogates (not UTF-8: both databases failed with a 500)."""
    if isinstance(value, str):
        return [path or "body"] if UNSTORABLE.search(value) else []
    if isinstance(value, list):
        return [found for i, item in enumerate(value)
                for found in _unstorable_fields(item, f"{path}.{i}" if path else str(i))]
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            name = f"{path}.{_shown(key)}" if path else _shown(key)
            found += [name] if UNSTORABLE.search(key) else _unstorable_fields(item, name)
        return found
    return []


def _shown(name: str) -> str:
    return UNSTORABLE.sub(lambda found: f"\\u{ord(found.group()):04x}", name)


def _rate_limit(token: str) -> None:
    """Per address, and per token when one is sent (counted in the database: every worker agrees)."""
    from app.security import client_address
    from app.users import rate_limits
    from app.users.services import token_hash

    checks = [(f"api-address:{client_address()}", rate_limits.configured("RATE_LIMIT_API_ADDRESS"))]
    if token:
        checks.append((f"api-token:{token_hash(token)[:40]}", rate_limits.configured("RATE_LIMIT_API_TOKEN")))
    verdict = rate_limits.hit(checks, batch=API_RATE_BATCH)
    if not verdict.allowed:
        raise RateLimited(verdict.retry_after)


class RateLimited(ApiError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(429, "rate_limited", f"too many requests; try again in {retry_after} seconds")
        self.retry_after = retry_after


def json_body() -> dict:
    """The request body as a JSON object, or a 400 that says what is wrong with it."""
    if not request.is_json:
        raise ApiError(400, "bad_request", "send a JSON body with Content-Type: application/json")
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # Python's parser recurses once per level: ~1 000 levels were a 500
        data = None
    if data is None:
        raise ApiError(400, "malformed_json", "the body is not valid JSON")
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", "the body must be a JSON object")
    if _deeper_than(data, MAX_DEPTH):
        raise ApiError(400, "bad_request", f"the body nests more than {MAX_DEPTH} levels; no field of the API "
                                           "needs more than a few")
    bad = _unstorable_fields(data)
    if bad:
        raise ApiError(422, "validation_failed", "the request has invalid fields",
                       dict.fromkeys(bad, [UNSTORABLE_MESSAGE]))
    return data


def _is_api_request() -> bool:
    return request.path.startswith("/api/")


@bp.app_errorhandler(ElixError)
def _elix_error(exc: ElixError):  # noqa: ANN202
    if _is_api_request():
        response = error_response(exc.status, exc.code, exc.message, exc.fields)
        if isinstance(exc, RateLimited):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    from flask import render_template

    status = exc.status
    return render_template("errors/error.html", title="Not possible" if status != 404 else "Not found",
                           message=exc.message if status != 404 else _page_message(404)), status


@bp.app_errorhandler(ValidationError)
def _validation_error(exc: ValidationError):  # noqa: ANN202
    fields = flatten_errors(exc.messages)
    return error_response(422, "validation_failed", "the request has invalid fields", fields)


@bp.app_errorhandler(StaleDataError)
def _stale(exc: StaleDataError):  # noqa: ANN202
    # Two writers passed the version check at once; the second UPDATE matched no row.
    return _elix_error(Conflict("the report was changed by someone else meanwhile; reload it and try again"))


@bp.app_errorhandler(CSRFError)
def _csrf_error(exc: CSRFError):  # noqa: ANN202
    if _is_api_request():
        return error_response(400, "csrf_failed", "session requests that change data need the X-CSRFToken header")
    from flask import render_template

    return render_template("errors/error.html", title="Form expired",
                           message="The form expired or was sent from elsewhere. Go back, reload the page and try again."), 400


@bp.app_errorhandler(HTTPException)
def _http_error(exc: HTTPException):  # noqa: ANN202
    if _is_api_request():
        messages = {404: "no such resource", 405: "method not allowed here",
                    413: "the body is larger than 1 MiB", 415: "send JSON with Content-Type: application/json"}
        code = (exc.name or "error").lower().replace(" ", "_")
        return error_response(exc.code or 500, code, messages.get(exc.code or 0, exc.description or exc.name))
    from flask import render_template

    own_words = exc.description if exc.description != type(exc).description else None
    return render_template("errors/error.html", title=f"{exc.code} {exc.name}",
                           message=_page_message(exc.code, own_words)), exc.code


def _page_message(status: int | None, description: str | None = None) -> str:
    if status == 400 and description:  # our own words for what went wrong (e.g. app.security)
        return description
    return {
        404: "There is nothing here, or you do not have access to it. Check the address or go back to the reports list.",
        405: "This action is not available here.",
        413: "The form is too large (over 1 MiB). Shorten the narrative or split the report.",
    }.get(status or 0, "The request could not be handled. Go back and try again.")


@bp.app_errorhandler(Exception)
def _unexpected(exc: Exception):  # noqa: ANN202
    log.exception("unhandled error on %s %s", request.method, request.path)
    with contextlib.suppress(Exception):  # best effort: this page must render whatever broke
        db.session.rollback()  # a failed flush leaves the session unusable, and the page's menu reads the user
    if _is_api_request():
        return error_response(500, "internal_error", "an unexpected error; it has been logged")
    from flask import render_template

    return render_template("errors/error.html", title="Something went wrong",
                           message="An unexpected error occurred and has been logged. Try again in a moment."), 500


from app.api import audit, conferences, jobs, meta, operations, seizures  # noqa: E402,F401  (routes register on bp)
from app.api import search  # noqa: E402,F401
from app.api import validation  # noqa: E402,F401
