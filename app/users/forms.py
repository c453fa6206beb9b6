from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app import vocabularies as vocab
from app.users.services import TOKEN_MAX_DAYS


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class SecondFactorForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(), Length(max=40)],
                       description="The 6-digit code of your authenticator app, or one of your recovery codes")


class EnrolForm(FlaskForm):
    code = StringField("Code from the app", validators=[DataRequired(), Length(max=10)],
                       description="The 6-digit code the app shows after scanning")


class NewPasswordForm(FlaskForm):
    new_password = PasswordField("New password", validators=[DataRequired(), Length(max=1024)],
                                 description="At least 12 characters; a passphrase of several words is easy to "
                                             "type and hard to guess")
    confirm = PasswordField("New password again",
                            validators=[DataRequired(), EqualTo("new_password", "the two passwords differ")])


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField("Current password", validators=[DataRequired(), Length(max=1024)])


TOKEN_DURATIONS = {"30": "30 days", "90": "90 days", str(TOKEN_MAX_DAYS): "1 year"}


class TokenForm(FlaskForm):
    name = StringField("Token name", validators=[DataRequired(), Length(max=100)],
                       description="What the token is for, e.g. 'national case system sync'")
    scope = SelectField("Access", choices={"read": "Read only", "write": "Read and write"}, default="read")
    expires_days = SelectField("Valid for", choices=TOKEN_DURATIONS, default="90")


class ConfirmForm(FlaskForm):
    """An empty form: only the CSRF token, for buttons that change state."""


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class InviteForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    name = StringField("Name", validators=[Optional(), Length(max=200)])
    organisation = SelectField("Organisation", validators=[Optional()], choices={})
    roles = MultiCheckboxField("Roles", choices=dict(vocab.ROLES))


class RolesForm(FlaskForm):
    roles = MultiCheckboxField("Roles", choices=dict(vocab.ROLES))


class OrganisationForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(), Length(max=16)],
                       description="ISO 3166 code for an administration (JM), or a short code (RILO-AP)")
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Kind", choices=dict(vocab.ORGANISATION_KINDS))
    country = StringField("Country (ISO code)", validators=[Optional(), Length(max=2)])


class RenameOrganisationForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])


