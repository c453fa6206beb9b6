"""Every model, imported in one place so that the metadata is complete (Alembic, create_all in tests)."""
from app.audit.models import AuditChainHead, AuditRecord  # noqa: F401
from app.conferences.models import (  # noqa: F401
    ActionItem, AgendaItem, Conference, ConferenceParticipant, Decision, conference_operations)
from app.jobs.models import Job, ProductFile  # noqa: F401
from app.operations.models import Operation, OperationPhase, operation_participants  # noqa: F401
from app.organisations.models import Organisation  # noqa: F401
from app.search.models import SearchOutbox  # noqa: F401
from app.seizures.models import (  # noqa: F401
    IdempotencyKey, Person, ReferenceCounter, RouteLeg, SeizureItem, SeizureReport, report_operations)
from app.users.models import ApiToken, User  # noqa: F401
from app.validation.models import ValidationAction  # noqa: F401
