from __future__ import annotations

from flask import g, url_for

from app.api import bp, json_body
from app.extensions import db
from app.operations import services
from app.operations.schemas import OperationSchema


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
