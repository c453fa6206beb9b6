"""Product jobs end to end: 202, progress, the PDF for the requester only, its content limited to what the
requester may see, reuse of identical input, failures as failed jobs."""
from __future__ import annotations


from app import vocabularies as vocab
from app.extensions import db
from app.jobs.models import Job, ProductFile
from app.jobs.services import input_hash
from app.operations.products import summary_context
from app.operations.services import get_operation
from app.permissions import viewer_for

from tests.jobs.pdf import pages_text, squeezed
from tests.operations.support import caribbean_shield, run_jobs
from tests.operations.test_figures import linked_reports, truth as figures_truth


def request_summary(api, user, code: str) -> dict:  # noqa: ANN001
    response = api.as_(user).post(f"/operations/{code}/summary")
    assert response.status_code == 202, response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/jobs/{response.get_json()['job']['id']}")
    return response.get_json()["job"]


def test_the_operation_summary_job_from_request_to_download(app, api, world):
    s = caribbean_shield(world)
    code = s["operation"].code
    db.session.commit()
    analyst = world["jio_analyst"]
    job = request_summary(api, analyst, code)
    assert {k: job[k] for k in ("status", "progress")} == {"status": "queued", "progress": 0.0}
    job_url = f"/jobs/{job['id']}"
    assert api.as_(analyst).get(job_url).get_json()["job"]["status"] == "queued"
    assert api.as_(analyst).get(f"{job_url}/file").status_code == 409  # not done yet
    for other in ("jm_analyst", "ky_analyst", "jio_validator"):  # anyone else: the job does not exist
        assert api.as_(world[other]).get(job_url).status_code == 404
        assert api.as_(world[other]).get(f"{job_url}/file").status_code == 404

    assert run_jobs(app) == 1
    done = api.as_(analyst).get(job_url).get_json()["job"]
    assert done["status"] == "done" and done["progress"] == 1.0 and done["attempts"] == 1
    assert done["file"] == f"/api/v1{job_url}/file"
    response = api.as_(analyst).get(f"{job_url}/file")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert 'filename="CARIBBEAN-SHIELD-2017-summary.pdf"' in response.headers["Content-Disposition"]
    pdf = response.get_data()
    assert pdf.startswith(b"%PDF")
    assert api.as_(world["jm_analyst"]).get(f"{job_url}/file").status_code == 404

    pages = pages_text(pdf)
    text = squeezed("\n".join(pages))
    # The marking of the most restrictive report included (KY's AMBER+STRICT), on every page.
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert page.count("TLP:AMBER+STRICT") >= 2, f"page {number} lacks the marking in header and footer"
        assert f"Page {number} of {len(pages)}" in squeezed(page)
    assert "TLP:RED" not in text
    # The figures printed are the database truth for the JIO analyst (recomputed from the ORM with can_view).
    truth = figures_truth(viewer_for(analyst), linked_reports(s["operation"]))
    assert truth["reports"] == 3 and truth["arrests"] == 3
    assert f"Key figures {truth['reports']} {truth['arrests']} 2 3 seizure reports arrests" in text
    for (category, subcategory, unit), (quantity, reports) in truth["by_category"].items():
        row = (f"{vocab.CATEGORIES[category]} {vocab.SUBCATEGORIES.get(category, {}).get(subcategory, '—')} "
               f"{reports} {quantity:,.0f} {unit}")
        assert row in text, row
    annex = text[text.rindex("Annex: Seizures included"):]
    for reference in truth["references"]:
        assert reference in annex
    assert "Pistol 3 pieces" in annex and "Ammunition 120 rounds" in annex and "Ammunition 500 rounds" in annex
    # What the analyst may not see contributes nothing; persons never appear.
    for absent in (s["hidden"].reference, "Secret Cove", "Assault rifle", "VE → KY", s["draft"].reference,
                   s["withdrawn"].reference, s["unlinked"].reference, "Winston Uniquename", "Hidden Q. Person",
                   "P9988776"):
        assert absent not in text, absent


def test_identical_input_reuses_the_stored_pdf_and_other_scopes_do_not(app, api, world):
    s = caribbean_shield(world)
    code = s["operation"].code
    db.session.commit()
    first = request_summary(api, world["jio_analyst"], code)
    run_jobs(app)
    second = request_summary(api, world["jio_analyst"], code)
    run_jobs(app)
    jobs = {j.id: j for j in db.session.query(Job)}
    assert jobs[second["id"]].status == "done" and "reused" in jobs[second["id"]].message
    assert jobs[second["id"]].result_hash == jobs[first["id"]].result_hash
    assert db.session.query(ProductFile).count() == 1
    first_pdf = api.as_(world["jio_analyst"]).get(f"/jobs/{first['id']}/file").get_data()
    assert api.as_(world["jio_analyst"]).get(f"/jobs/{second['id']}/file").get_data() == first_pdf

    # The input hash covers what the requester may see: KY sees its red report, so its PDF differs;
    # so does the JIO's once the operation's data change.
    jio, ky = world["jio_analyst"], world["ky_analyst"]
    op = get_operation(jio, code)
    jio_hash = input_hash("operation_summary", summary_context(jio, op))
    assert jio_hash == jobs[first["id"]].result_hash
    assert input_hash("operation_summary", summary_context(ky, op)) != jio_hash
    op.executive_summary = "Changed."
    db.session.flush()
    assert input_hash("operation_summary", summary_context(jio, op)) != jio_hash


def test_a_failed_render_is_a_failed_job_with_its_message(app, api, world):
    s = caribbean_shield(world)
    db.session.commit()
    app.config["JOBS_RENDER_TIMEOUT_SECONDS"] = 0.001
    job = request_summary(api, world["jio_analyst"], s["operation"].code)
    run_jobs(app)
    body = api.as_(world["jio_analyst"]).get(f"/jobs/{job['id']}")
    assert body.status_code == 200
    failed = body.get_json()["job"]
    assert failed["status"] == "failed" and failed["file"] is None
    assert failed["message"] == "the PDF could not be rendered: the render timed out after 0.001 s"
    assert api.as_(world["jio_analyst"]).get(f"/jobs/{job['id']}/file").status_code == 409
    assert db.session.query(ProductFile).count() == 0


def test_a_crashed_render_is_a_failed_job_with_a_message(app, api, world, monkeypatch):
    """A render child that dies of a signal (a crash in C code) fails its job; the worker carries on."""
    from app.jobs.services import KINDS, Kind
    from reports.renderer import run_in_child

    def crash(context: dict, *, progress, timeout: float, memory_mb: int) -> bytes:  # noqa: ANN001
        return run_in_child("tests.reports.child_functions:segfault", {}, timeout=timeout, memory_mb=memory_mb)[0]

    kind = KINDS["operation_summary"]
    monkeypatch.setitem(KINDS, "operation_summary", Kind(kind.name, kind.build_context, crash))
    s = caribbean_shield(world)
    db.session.commit()
    job = request_summary(api, world["jio_analyst"], s["operation"].code)
    assert run_jobs(app) == 1
    failed = api.as_(world["jio_analyst"]).get(f"/jobs/{job['id']}").get_json()["job"]
    assert failed["status"] == "failed" and failed["file"] is None
    assert failed["message"].startswith("the PDF could not be rendered: the render process crashed (SIGSEGV)")
    assert db.session.query(ProductFile).count() == 0


def test_a_render_over_its_memory_limit_fails_with_a_message(app, api, world):
    s = caribbean_shield(world)
    db.session.commit()
    app.config["JOBS_RENDER_MEMORY_MB"] = 64
    job = request_summary(api, world["jio_analyst"], s["operation"].code)
    run_jobs(app)
    failed = api.as_(world["jio_analyst"]).get(f"/jobs/{job['id']}").get_json()["job"]
    assert failed["status"] == "failed"
    assert failed["message"].startswith("the PDF could not be rendered: the render")
    assert "memory" in failed["message"]


def test_an_operation_no_longer_visible_fails_the_job(app, api, world):
    s = caribbean_shield(world)
    op = s["operation"]
    op.participants = [*op.participants, world.partner]
    db.session.commit()
    job = request_summary(api, world["partner_analyst"], op.code)
    op.participants = [o for o in op.participants if o.code != "WCO"]
    db.session.commit()
    run_jobs(app)
    failed = api.as_(world["partner_analyst"]).get(f"/jobs/{job['id']}").get_json()["job"]
    assert failed["status"] == "failed" and failed["message"] == "no such operation"
