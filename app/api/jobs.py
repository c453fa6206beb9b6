from __future__ import annotations

from flask import Response, g

from app.api import bp
from app.jobs import services


@bp.get("/jobs")
def list_jobs():
    jobs = services.jobs_of(g.api_user)
    return {"total": len(jobs), "results": [services.dump_job(job) for job in jobs]}


@bp.get("/jobs/<job_id>")
def get_job(job_id: str):
    return {"job": services.dump_job(services.get_job(g.api_user, job_id))}


@bp.get("/jobs/<job_id>/file")
def job_file(job_id: str):
    job, product = services.job_file(g.api_user, job_id)
    response = Response(product.content, mimetype=product.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{job.filename or job.id + ".pdf"}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
