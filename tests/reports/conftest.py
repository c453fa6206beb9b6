"""Shared by the products' tests: a listener that counts requests, and reading PDFs back."""
from __future__ import annotations

import html
import http.server
import re
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


class Listener:
    """An HTTP server on 127.0.0.1 that counts the requests it receives (and would leak a secret)."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        listener = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server interface
                listener.requests.append(self.path)
                body = b"root:x:0:0:LEAKED"
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


@pytest.fixture(scope="module")
def module_listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


@dataclass
class Word:
    text: str
    x: float
    top: float
    bottom: float


@dataclass
class Page:
    number: int
    height: float
    text: str  # pdftotext -layout: table rows stay on one line
    words: list[Word]

    @property
    def flat(self) -> str:
        return " ".join(self.text.split())


def read_pdf(pdf: bytes) -> list[Page]:
    """The PDF's pages as poppler reads them: layout text and the words with their positions (pt)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "product.pdf"
        path.write_bytes(pdf)
        layout = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], check=True,
                                capture_output=True, text=True).stdout
        boxes = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", str(path), "-"], check=True,
                               capture_output=True, text=True).stdout
    texts = layout.split("\f")
    pages = []
    for number, (match, text) in enumerate(zip(re.finditer(
            r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', boxes, re.S), texts, strict=False), 1):
        words = [Word(html.unescape(w[4]), float(w[0]), float(w[1]), float(w[3])) for w in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', match[3])]
        pages.append(Page(number, float(match[2]), text, words))
    return pages


def key_figures(f: dict) -> str:
    """The key figure cards as they read in the text: the four values, then their labels."""
    from reports.formatting import integer

    values = (f["reports"], f["arrests"], len(f["by_administration"]), len(f["locations"]))
    return " ".join(integer(value) for value in values) + (
        " seizure reports arrests reporting administrations seizure locations")
