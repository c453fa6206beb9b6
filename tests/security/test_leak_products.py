"""The leak matrix for the PDF products: the operation summary and the conference report, requested
through the job API, rendered by the worker and read back with pypdf.

Renders are slow, so there is one per viewer class rather than per user; each class is a user whose
organisation stands in a different place towards the reports (reporter, operation member, outsider,
regional validator who may see persons elsewhere, partner). Rows: `<product>:<viewer>:<report>=><expected>`.
"""
from __future__ import annotations

import io
import re
import threading

import pytest
from pypdf import PdfReader

from tests.security.test_leak_matrix import (TLP_ORDER, assert_absent, counts_in_figures, row_id, sees_conference,
                                             sees_operation)
from tests.security.world import OPERATION, REPORTS, VIEWERS, ReportSpec, ViewerSpec, build, drop

CLASSES = ("JM.analyst", "KY.analyst", "BB.analyst", "JIO.validator", "RILO.analyst", "WCO.analyst", "IPOL.analyst")
PDF_VIEWERS = tuple(v for v in VIEWERS if v.name in CLASSES)
PRODUCTS = {
    "operation summary": (sees_operation, lambda w: f"/operations/{OPERATION}/summary"),
    "conference report": (sees_conference, lambda w: f"/conferences/{w.conference_id}/report"),
}


@pytest.fixture(scope="module")
def world(tmp_path_factory):  # noqa: ANN001,ANN201
    w = build(tmp_path_factory.mktemp("leak_products"), "elix_leak_products")
    yield w
    drop(w)


@pytest.fixture(scope="module")
def products(world) -> dict[tuple[str, str], str]:  # noqa: ANN001
    """(product, viewer) -> the PDF's text; every job requested first, then one worker renders them all."""
    from app.jobs.worker import work

    jobs = {}
    for product, (may_see, path) in PRODUCTS.items():
        for viewer in PDF_VIEWERS:
            response = world.api(viewer, "POST", path(world))
            if not may_see(viewer):
                assert response.status_code == 404, (product, viewer.name)
                continue
            assert response.status_code == 202, response.get_json()
            jobs[product, viewer.name] = response.get_json()["job"]["id"]
    with world.app.app_context():
        assert work(world.app, threading.Event(), once=True, name="leak-worker") == len(jobs)
    texts = {}
    for (product, name), job_id in jobs.items():
        viewer = next(v for v in PDF_VIEWERS if v.name == name)
        response = world.api(viewer, "GET", f"/jobs/{job_id}/file")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        reader = PdfReader(io.BytesIO(response.get_data()))
        texts[product, name] = "\n".join(page.extract_text() for page in reader.pages)
    return texts


def _cases() -> list:
    cases = []
    for product, (may_see, _path) in PRODUCTS.items():
        for viewer in PDF_VIEWERS:
            for report in REPORTS:
                included = may_see(viewer) and counts_in_figures(viewer, report)
                expected = "no product (404)" if not may_see(viewer) else "included" if included else "absent"
                cases.append(pytest.param(product, viewer, report, id=row_id(product, viewer, report, expected)))
    return cases


@pytest.mark.parametrize(("product", "viewer", "report"), _cases())
def test_a_product(products, world, product: str, viewer: ViewerSpec, report: ReportSpec) -> None:  # noqa: ANN001
    may_see, _path = PRODUCTS[product]
    if not may_see(viewer):
        assert (product, viewer.name) not in products
        return
    text = " ".join(products[product, viewer.name].split()).lower()
    if not counts_in_figures(viewer, report):
        assert_absent(text, report, world, product)
    elif product == "operation summary":  # its annex lists every included seizure
        assert world.references[report.number].lower() in text
    name, passport = report.person_canaries
    assert name not in text and passport.lower() not in text, "persons in a product"


@pytest.mark.parametrize(("product", "viewer"), [
    pytest.param(p, v, id=f"{p} marking:{v.name}") for p, (may_see, _) in PRODUCTS.items()
    for v in PDF_VIEWERS if may_see(v)])
def test_a_product_carries_the_most_restrictive_tlp_of_what_it_includes(products, product: str,
                                                                          viewer: ViewerSpec) -> None:
    included = [r for r in REPORTS if counts_in_figures(viewer, r)]
    tlp = max((r.tlp for r in included), key=TLP_ORDER.index, default="clear")
    printed = {m.lower() for m in re.findall(r"TLP:([A-Z+]+)", products[product, viewer.name])}
    assert tlp in printed and max(printed, key=TLP_ORDER.index) == tlp, printed
