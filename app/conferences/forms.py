"""The conference form. Its fields are the API's JSON fields; ConferenceSchema validates both."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, FieldList, Form, FormField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import NumberRange, Optional

from app import vocabularies as vocab
from app.operations.forms import CheckboxesField

EXTRA_ROWS = 3  # blank rows offered below the filled ones (no script needed to add rows)


class ParticipantRow(Form):
    organisation = HiddenField()
    delegates = IntegerField("Delegates", validators=[Optional(), NumberRange(min=0, max=1000)])


class AgendaRow(Form):
    title = StringField("Title")
    presenter = StringField("Presenter")
    presenter_organisation = SelectField("Presenter's organisation")
    summary = TextAreaField("Summary")


class DecisionRow(Form):
    text = TextAreaField("Decision")


class ActionRow(Form):
    text = StringField("Action")
    owner = StringField("Owner")
    due_on = DateField("Due on", validators=[Optional()])


class ConferenceForm(FlaskForm):
    title = StringField("Title")
    venue = StringField("Venue")
    starts_on = DateField("Starts on", validators=[Optional()])
    ends_on = DateField("Ends on", validators=[Optional()])
    organiser = SelectField("Organising organisation")
    participants = FieldList(FormField(ParticipantRow))
    agenda = FieldList(FormField(AgendaRow))
    decisions = FieldList(FormField(DecisionRow))
    action_items = FieldList(FormField(ActionRow))
    figures_from = DateField("Regional figures from", validators=[Optional()])
    figures_to = DateField("to", validators=[Optional()])
    figures_categories = CheckboxesField("Categories of the regional figures", choices=dict(vocab.CATEGORIES),
                                         description="None ticked: every category.")
    operations = CheckboxesField("Operations reported")

    def prepare(self, organisations: list, operations: list, conference=None, *, is_post: bool,  # noqa: ANN001
                organisers: list) -> None:
        """Choices (`organisers`: those the user may name as the organiser), and the rows: one per
        organisation for delegates, the filled rows plus blank ones."""
        self.organisations = organisations
        self.organiser.choices = {o.code: f"{o.code} — {o.name}" for o in organisers}
        self.operations.choices = {op.code: f"{op.code} — {op.name}" for op in operations}
        presenter_choices = {"": "—", **{o.code: o.code for o in organisations}}
        if not is_post:
            delegates = {p.organisation.code: p.delegates for p in conference.participants} if conference else {}
            for org in organisations:
                self.participants.append_entry({"organisation": org.code, "delegates": delegates.get(org.code)})
            if conference is not None:
                self._fill(conference)
            for rows in (self.agenda, self.decisions, self.action_items):
                for _ in range(EXTRA_ROWS):
                    rows.append_entry()
        for row in self.agenda:
            row.form.presenter_organisation.choices = presenter_choices

    def _fill(self, conference) -> None:  # noqa: ANN001
        for name in ("title", "venue", "starts_on", "ends_on", "figures_from", "figures_to", "figures_categories"):
            getattr(self, name).data = getattr(conference, name)
        self.organiser.data = conference.organiser.code
        self.operations.data = [op.code for op in conference.operations]
        for item in conference.agenda:
            self.agenda.append_entry({"title": item.title, "presenter": item.presenter, "summary": item.summary,
                                      "presenter_organisation": item.presenter_organisation.code
                                      if item.presenter_organisation else ""})
        for decision in conference.decisions:
            self.decisions.append_entry({"text": decision.text})
        for action in conference.action_items:
            self.action_items.append_entry({"text": action.text, "owner": action.owner, "due_on": action.due_on})

    def payload(self) -> tuple[dict, dict[str, str]]:
        """The API's JSON body, and where each list entry came from ("agenda.0" -> "agenda-2")."""
        def iso(value) -> str | None:  # noqa: ANN001
            return value.isoformat() if value else None

        origin: dict[str, str] = {}

        def rows(field, keep, convert) -> list[dict]:  # noqa: ANN001
            kept = []
            for entry in field:
                data = entry.form.data
                if keep(data):
                    origin[f"{field.name}.{len(kept)}"] = entry.id
                    kept.append(convert(data))
            return kept

        body = {
            "title": (self.title.data or "").strip(), "venue": (self.venue.data or "").strip(),
            "starts_on": iso(self.starts_on.data), "ends_on": iso(self.ends_on.data),
            "organiser": self.organiser.data,
            "participants": rows(self.participants, lambda d: d["delegates"],
                                 lambda d: {"organisation": d["organisation"], "delegates": d["delegates"]}),
            "agenda": rows(self.agenda, lambda d: (d["title"] or "").strip() or (d["summary"] or "").strip(),
                           lambda d: {"title": (d["title"] or "").strip(), "presenter": (d["presenter"] or "").strip(),
                                      "presenter_organisation": d["presenter_organisation"] or None,
                                      "summary": d["summary"] or ""}),
            "decisions": rows(self.decisions, lambda d: (d["text"] or "").strip(),
                              lambda d: {"text": d["text"].strip()}),
            "action_items": rows(self.action_items, lambda d: (d["text"] or "").strip() or (d["owner"] or "").strip(),
                                 lambda d: {"text": (d["text"] or "").strip(), "owner": (d["owner"] or "").strip(),
                                            "due_on": iso(d["due_on"])}),
            "figures_from": iso(self.figures_from.data), "figures_to": iso(self.figures_to.data),
            "figures_categories": list(self.figures_categories.data or []),
            "operations": list(self.operations.data or []),
        }
        return body, origin

    def add_errors(self, fields: dict[str, list[str]], origin: dict[str, str]) -> list[str]:
        """Attach the schema's errors ("agenda.1.title") to the form's fields; returns the rest."""
        unplaced: list[str] = []
        by_id = {f.id: f for f in self._all_fields()}
        for key, messages in fields.items():
            parts = key.split(".")
            field = None
            if len(parts) >= 2 and f"{parts[0]}.{parts[1]}" in origin:
                entry_id = origin[f"{parts[0]}.{parts[1]}"]
                field = by_id.get(f"{entry_id}-{parts[2]}" if len(parts) > 2 else entry_id)
            elif parts[0] in self._fields:
                field = self._fields[parts[0]]
            if field is None:
                unplaced.extend(f"{key}: {m}" for m in messages)
                continue
            field.errors = [*field.errors, *messages]
        return unplaced

    def _all_fields(self):  # noqa: ANN202
        for field in self:
            yield field
            if isinstance(field, FieldList):
                for entry in field:
                    yield entry
                    yield from entry.form
