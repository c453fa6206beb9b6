from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("seizures", __name__, template_folder="templates")


@bp.get("/")
@login_required
def index():
    return "reports"


@bp.get("/reports/new")
@login_required
def new():
    return "new"
