"""The only way the products' renderer reaches a resource: the package's own assets and data: URIs.

WeasyPrint's default fetcher reads local files (file://) and fetches http(s) and ftp URLs, so a URL in
a document could read the server's files or reach internal services. This fetcher opens no socket and
reads no file outside reports/assets/: assets are addressed as `elix-asset:<name>` (e.g.
`elix-asset:report.css`), data: URIs are decoded in memory, anything else is refused before any I/O.
"""
from __future__ import annotations

import base64
import logging
import mimetypes
from pathlib import Path, PurePosixPath
from urllib.parse import unquote_to_bytes

from weasyprint.urls import URLFetcher, URLFetcherResponse

ASSET_SCHEME = "elix-asset"
ASSETS = (Path(__file__).resolve().parent / "assets").resolve()
MAX_DATA_URI = 8 * 1024 * 1024  # bytes of a data: URI's payload

log = logging.getLogger(__name__)


class RefusedURL(ValueError):
    """A URL the products may not use (not one of the package's assets, not a data: URI)."""


def asset_url(name: str) -> str:
    return f"{ASSET_SCHEME}:{name}"


class AssetFetcher(URLFetcher):
    """A `weasyprint.URLFetcher` that serves `elix-asset:` names from reports/assets/ and data: URIs.

    Refused URLs raise `RefusedURL` (WeasyPrint logs it and leaves the resource out); each one is also
    recorded in `refused`, so the renderer can report that a document asked for something it may not.
    """

    def __init__(self) -> None:
        # No opener handlers are used: fetch() below never calls the parent's fetch/open.
        super().__init__(timeout=1, allowed_protocols=(ASSET_SCHEME, "data"), allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        scheme, _, rest = url.partition(":")
        scheme = scheme.lower()
        if scheme == "data" and rest:
            return self._data(url, rest)
        if scheme == ASSET_SCHEME and rest:
            return self._asset(url, rest)
        self._refuse(url, "only the products' own assets and data: URIs may be used")

    def _refuse(self, url: str, reason: str):
        self.refused.append(url[:200])
        log.warning("product renderer refused %.200s: %s", url, reason)
        raise RefusedURL(f"refused {url[:200]!r}: {reason}")

    def _asset(self, url: str, rest: str) -> URLFetcherResponse:
        name = unquote_to_bytes(rest.split("#", 1)[0].split("?", 1)[0]).decode("utf-8", "replace")
        parts = PurePosixPath(name.lstrip("/")).parts
        if not parts or any(part in ("..", ".") or "\\" in part or "\x00" in part for part in parts):
            self._refuse(url, "not an asset name")
        path = ASSETS.joinpath(*parts).resolve()
        if not path.is_relative_to(ASSETS) or not path.is_file():
            self._refuse(url, "no such asset")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    def _data(self, url: str, rest: str) -> URLFetcherResponse:
        header, comma, payload = rest.partition(",")
        if not comma:
            self._refuse(url, "malformed data: URI")
        if len(payload) > MAX_DATA_URI * 4 // 3 + 4:
            self._refuse(url, "data: URI too large")
        params = header.split(";")
        is_base64 = params[-1].strip().lower() == "base64"
        if is_base64:
            params = params[:-1]
        content_type = params[0].strip() or "text/plain"
        try:
            body = base64.b64decode(payload, validate=False) if is_base64 else unquote_to_bytes(payload)
        except ValueError:
            self._refuse(url, "malformed base64 in data: URI")
        headers = {"Content-Type": content_type}
        for param in params[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                headers["Content-Type"] = f"{content_type}; charset={value.strip()}"
        return URLFetcherResponse(url, body, headers)
