"""Reading PDFs back: text per page (pdftotext) and the page count (pypdf)."""
from __future__ import annotations

import io
import subprocess
import tempfile

from pypdf import PdfReader


def pages_text(pdf: bytes) -> list[str]:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        text = subprocess.run(["pdftotext", "-layout", handle.name, "-"], capture_output=True, check=True,
                              text=True).stdout
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    assert len(pages) == len(PdfReader(io.BytesIO(pdf)).pages)
    return pages


def squeezed(text: str) -> str:
    """Whitespace collapsed, so that table cells read as "Pistol 1 3 pieces"."""
    return " ".join(text.split())
