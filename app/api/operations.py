from __future__ import annotations

from flask import g, request, url_for

from app.api import ApiError, bp, json_body
from app.extensions import db
from app.jobs.services import dump_job, request_product
from app.operations import services
from app.operations.figures import operation_scope, seizure_page, summary_figures
from app.operations.schemas import LinkRuleSchema, OperationPatchSchema, OperationSchema, SeizurePageQuerySchema
from app.permissions import viewer_for

PATCHABLE = tuple(name for name, f in OperationPatchSchema().fields.items() if not f.dump_only)


@bp.get("/operations")
def list_operations():
    operations = services.list_operations(g.api_user)
    return {"total": len(operations), "results": OperationSchema(many=True).dump(operations)}


@bp.get("/operations/<code>")
def get_operation(code: str):
    return OperationSchema().dump(services.get_operation(g.api_user, code))


@bp.post("/operations")
def create_operation():
    data = OperationSchema().load(json_body())
    operation = services.create_operation(g.api_user, data)
    db.session.commit()
    return OperationSchema().dump(operation), 201, {"Location": url_for("api.get_operation", code=operation.code)}


@bp.patch("/operations/<code>")
def update_operation(code: str):
    operation = services.get_operation(g.api_user, code)
    body = json_body()
    if "code" in body:
        if body.pop("code") != operation.code:
            raise ApiError(422, "validation_failed", "the request has invalid fields",
                           {"code": ["the code of an operation cannot change"]})
    # Validate the merged operation, so cross-field rules (period, phases) see the whole.
    current = {k: v for k, v in OperationSchema().dump(operation).items() if k in PATCHABLE}
    OperationPatchSchema().load(body, partial=True)
    data = OperationPatchSchema().load({**current, **body})
    services.update_operation(g.api_user, operation, {k: v for k, v in data.items() if k in body})
    db.session.commit()
    return OperationSchema().dump(operation)


@bp.get("/operations/<code>/figures")
def operation_figures(code: str):
    """Every figure over all included reports; the seizures table (one row per item) a page at a time."""
    operation = services.get_operation(g.api_user, code)
    args = SeizurePageQuerySchema().load(request.args.to_dict())
    viewer, scope = viewer_for(g.api_user), operation_scope(operation)
    return {**summary_figures(viewer, scope), "seizures": seizure_page(viewer, scope, args["page"], args["per_page"])}


@bp.post("/operations/<code>/links/preview")
def preview_operation_links(code: str):
    operation = services.get_operation(g.api_user, code)
    rule = LinkRuleSchema().load(json_body())
    return services.preview_links(g.api_user, operation, rule)


@bp.post("/operations/<code>/links")
def link_operation_reports(code: str):
    operation = services.get_operation(g.api_user, code)
    rule = LinkRuleSchema().load(json_body())
    linked = services.link_reports(g.api_user, operation, rule)
    db.session.commit()
    return {"linked": linked}


@bp.post("/operations/<code>/summary")
def request_operation_summary(code: str):
    operation = services.get_operation(g.api_user, code)
    job = request_product(g.api_user, "operation_summary", {"operation": operation.code},
                          filename=f"{operation.code}-summary.pdf")
    db.session.commit()
    return {"job": dump_job(job)}, 202, {"Location": url_for("api.get_job", job_id=job.id)}
