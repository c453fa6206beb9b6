"""The requester's products page, and the script that drives the "Generate PDF" buttons."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.jobs import services

bp = Blueprint("jobs", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static", url_prefix="/products")


@bp.get("")
@login_required
def index():
    jobs = [services.dump_job(job) for job in services.jobs_of(current_user)]
    return render_template("jobs/index.html", jobs=jobs)
