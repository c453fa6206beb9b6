"""The URL fetcher serves the package's assets and data: URIs, and refuses everything else before any I/O."""
from __future__ import annotations

import base64

import pytest
from weasyprint import CSS, HTML

from reports.fetcher import AssetFetcher, RefusedURL


def test_serves_the_package_assets():
    response = AssetFetcher().fetch("elix-asset:report.css")
    try:
        assert response.content_type == "text/css"
        assert b"@page" in response.read()
    finally:
        response.close()


def test_serves_data_uris():
    fetcher = AssetFetcher()
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'
    response = fetcher.fetch("data:image/svg+xml;base64," + base64.b64encode(svg).decode())
    assert response.content_type == "image/svg+xml"
    assert response.read() == svg
    response = fetcher.fetch("data:text/plain;charset=utf-8,caf%C3%A9")
    assert response.read() == "café".encode()
    assert response.charset == "utf-8"


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "FILE:///etc/passwd",
    "https://example.org/style.css",
    "ftp://example.org/file",
    "elix-asset:../renderer.py",
    "elix-asset:%2e%2e/renderer.py",
    "elix-asset:..%2frenderer.py",
    "elix-asset:/../../../etc/passwd",
    "elix-asset:/etc/passwd",
    "elix-asset:",
    "elix-asset:.",
    "elix-asset:no-such-asset.css",
    "report.css",
    "../reports/assets/report.css",
    "/etc/passwd",
    "data:no-comma",
])
def test_refuses_anything_else(url):
    fetcher = AssetFetcher()
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_refuses_http_without_making_a_request(listener):
    fetcher = AssetFetcher()
    for path in ("/style.css", "/redirect"):
        with pytest.raises(RefusedURL):
            fetcher.fetch(listener.url + path)
    assert listener.requests == []


def test_weasyprint_with_the_fetcher_neither_requests_nor_reads_files(listener):
    """Even markup that was NOT escaped cannot reach the network or the file system."""
    fetcher = AssetFetcher()
    html = f"""<!DOCTYPE html><html><head>
      <link rel="stylesheet" href="{listener.url}/link.css">
      <link rel="stylesheet" href="file:///etc/passwd">
      <style>@import url("{listener.url}/import.css"); @import "file:///etc/passwd";
             body {{ background: url(file:///etc/passwd) }}
             @font-face {{ font-family: X; src: url({listener.url}/font.ttf) }}</style>
      </head><body>
      <img src="{listener.url}/img.png"><img src="file:///etc/passwd">
      <svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">
        <image href="file:///etc/passwd" width="10" height="10"/>
        <image href="{listener.url}/svg.png" width="10" height="10"/></svg>
      <object data="{listener.url}/object"></object><embed src="{listener.url}/embed">
      <a rel="attachment" href="file:///etc/passwd">attachment</a>
      <p style="background: url('{listener.url}/inline.png')">text</p>
      </body></html>"""
    pdf = HTML(string=html, url_fetcher=fetcher).write_pdf(
        stylesheets=[CSS(string=f"p {{ background: url({listener.url}/user.png) }}", url_fetcher=fetcher)])
    assert listener.requests == []
    assert pdf.startswith(b"%PDF")
    assert b"LEAKED" not in pdf and b"root:x:0:0" not in pdf
    assert b"/EmbeddedFile" not in pdf
    refused = set(fetcher.refused)
    assert "file:///etc/passwd" in refused
    assert {f"{listener.url}/{name}" for name in ("link.css", "import.css", "img.png", "svg.png")} <= refused
