"""Web forms for operations. The form gathers input; OperationSchema (the API's schema) validates it, so the
page and the API accept the same operations and report the same errors."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app import vocabularies as vocab
from app.operations.models import PHASES


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class OperationForm(FlaskForm):
    code = StringField("Code", description="Capital letters, digits and dashes, e.g. CARIBBEAN-SHIELD-2017")
    name = StringField("Name")
    description = TextAreaField("Description")
    executive_summary = TextAreaField("Executive summary",
                                      description="Opens the operation summary PDF, before the generated figures.")
    lead_organisation = SelectField("Lead organisation")
    starts_on = DateField("Starts on", validators=[Optional()])
    ends_on = DateField("Ends on", validators=[Optional()])
    pre_operational_starts_on = DateField("Pre-operational phase from", validators=[Optional()])
    pre_operational_ends_on = DateField("to", validators=[Optional()])
    operational_starts_on = DateField("Operational phase from", validators=[Optional()])
    operational_ends_on = DateField("to", validators=[Optional()])
    post_operational_starts_on = DateField("Post-operational phase from", validators=[Optional()])
    post_operational_ends_on = DateField("to", validators=[Optional()])
    participants = CheckboxesField("Participating organisations")
    focus_categories = CheckboxesField("Focus categories", choices=dict(vocab.CATEGORIES))
    status = SelectField("Status", choices=dict(vocab.OPERATION_STATUSES))

    def set_organisations(self, organisations: list, leads: list) -> None:  # noqa: ANN001
        """`leads`: the organisations the user may name as the lead (app.operations.services.may_lead)."""
        self.lead_organisation.choices = {o.code: f"{o.code} — {o.name}" for o in leads}
        self.participants.choices = {o.code: f"{o.code} — {o.name}" for o in organisations}

    def payload(self) -> dict:
        """The input as the API's JSON body (dates as ISO strings, for the schema to load)."""
        def iso(field) -> str | None:  # noqa: ANN001
            return field.data.isoformat() if field.data else None

        phases = []
        for name in PHASES:
            starts, ends = getattr(self, f"{name}_starts_on"), getattr(self, f"{name}_ends_on")
            if starts.data or ends.data:
                phases.append({"name": name, "starts_on": iso(starts), "ends_on": iso(ends)})
        return {"code": (self.code.data or "").strip(), "name": (self.name.data or "").strip(),
                "description": self.description.data or "", "executive_summary": self.executive_summary.data or "",
                "lead_organisation": self.lead_organisation.data, "starts_on": iso(self.starts_on),
                "ends_on": iso(self.ends_on), "phases": phases, "participants": list(self.participants.data or []),
                "focus_categories": list(self.focus_categories.data or []), "status": self.status.data}

    def fill(self, op) -> None:  # noqa: ANN001
        for name in ("code", "name", "description", "executive_summary", "starts_on", "ends_on", "status",
                     "focus_categories"):
            getattr(self, name).data = getattr(op, name)
        self.lead_organisation.data = op.lead_organisation.code
        self.participants.data = [o.code for o in op.participants]
        for phase in op.phases:
            getattr(self, f"{phase.name}_starts_on").data = phase.starts_on
            getattr(self, f"{phase.name}_ends_on").data = phase.ends_on

    def add_errors(self, fields: dict[str, list[str]], phases: list[dict]) -> list[str]:
        """Attach the schema's errors ("phases.1.starts_on") to the fields; returns those without a field."""
        unplaced = []
        for key, messages in fields.items():
            name = key
            parts = key.split(".")
            if parts[0] == "phases" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(phases):
                name = f"{phases[int(parts[1])]['name']}_{parts[2] if parts[2] != 'name' else 'starts_on'}"
            elif parts[0] in ("participants", "focus_categories"):
                name = parts[0]
            field = getattr(self, name, None)
            if field is None or not hasattr(field, "errors"):
                unplaced.extend(messages)
                continue
            if not isinstance(field.errors, list):
                field.errors = list(field.errors)
            field.errors.extend(messages)
        return unplaced


class LinkRuleForm(FlaskForm):
    categories = CheckboxesField("Categories", choices=dict(vocab.CATEGORIES),
                                 description="None ticked: every category.")
    phase = RadioField("Seized within", default="", choices={
        "": "The whole period", **{k: f"The {v.lower()} phase" for k, v in PHASES.items()}})

    def rule(self) -> dict:
        return {"categories": list(self.categories.data or []), "phase": self.phase.data or None}
