from __future__ import annotations

from flask import g, url_for

from app.api import bp, json_body
from app.conferences import services
from app.conferences.schemas import ConferenceSchema
from app.extensions import db
from app.jobs.services import dump_job, request_product

LOADABLE = tuple(name for name, f in ConferenceSchema().fields.items() if not f.dump_only)


def _dump(conference) -> dict:  # noqa: ANN001
    """The conference as the user may see it: the operations they may not see are left out."""
    body = ConferenceSchema().dump(conference)
    body["operations"] = [op.code for op in services.operations_shown(g.api_user, conference)]
    return body


@bp.get("/conferences")
def list_conferences():
    conferences = services.list_conferences(g.api_user)
    return {"total": len(conferences), "results": [_dump(conference) for conference in conferences]}


@bp.get("/conferences/<int:conference_id>")
def get_conference(conference_id: int):
    return _dump(services.get_conference(g.api_user, conference_id))


@bp.post("/conferences")
def create_conference():
    data = ConferenceSchema().load(json_body())
    conference = services.create_conference(g.api_user, data)
    db.session.commit()
    return (_dump(conference), 201,
            {"Location": url_for("api.get_conference", conference_id=conference.id)})


@bp.patch("/conferences/<int:conference_id>")
def update_conference(conference_id: int):
    conference = services.get_conference(g.api_user, conference_id)
    body = json_body()
    ConferenceSchema().load(body, partial=True)
    # Validate the merged record, so cross-field rules (dates, figures period) see the whole.
    current = {k: v for k, v in _dump(conference).items() if k in LOADABLE}
    data = ConferenceSchema().load({**current, **body})
    services.update_conference(g.api_user, conference, {k: v for k, v in data.items() if k in body})
    db.session.commit()
    return _dump(conference)


@bp.post("/conferences/<int:conference_id>/report")
def request_conference_report(conference_id: int):
    conference = services.get_conference(g.api_user, conference_id)
    job = request_product(g.api_user, "conference_report", {"conference": conference.id},
                          filename=f"conference-{conference.id}-report.pdf")
    db.session.commit()
    return {"job": dump_job(job)}, 202, {"Location": url_for("api.get_job", job_id=job.id)}
