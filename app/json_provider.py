"""JSON responses encoded by orjson.

A page of search hits with highlights and facets took Python's `json` about as long as the sharing
re-check of the hits (docs/search.md); orjson writes the same document several times faster. Only the
response bodies change encoder: what orjson would write differently goes through Flask's own
`default` as before (dates and datetimes as HTTP dates, dataclasses, Markup), keys keep their order,
and `app.json.dumps` (sessions, templates' `tojson`) stays on Python's `json`. Non-ASCII text is
written as UTF-8 instead of `\\u` escapes: the same JSON to any parser.
"""
from __future__ import annotations

import typing as t

import orjson
from flask.json.provider import DefaultJSONProvider

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


class OrjsonProvider(DefaultJSONProvider):
    sort_keys = False  # keep the contract's field order

    def response(self, *args: t.Any, **kwargs: t.Any):  # noqa: ANN201 - a Response
        if self.compact is False or (self.compact is None and self._app.debug):
            return super().response(*args, **kwargs)  # indented, for a person reading it
        body = orjson.dumps(self._prepare_response_obj(args, kwargs), default=self.default, option=_OPTIONS)
        return self._app.response_class(body + b"\n", mimetype=self.mimetype)
