"""SQLAlchemy models for the whole ClaimDesk workflow (DOMAIN.md)."""

from claimdesk.models.audit import AuditEvent
from claimdesk.models.base import Base
from claimdesk.models.claim import Claim, Note
from claimdesk.models.medical import IndependentMedicalExam, SecondOpinion, Specialist
from claimdesk.models.people import Contact, Organisation, User
from claimdesk.models.process import Appeal, CaseEvent, Deadline, Letter, Reminder
from claimdesk.models.records import (
    CallLogEntry,
    CallPromise,
    Document,
    DocumentContent,
    DocumentRequest,
    RequestFollowUp,
)
from claimdesk.models.search import SearchEntry, SearchPending

__all__ = [
    "Appeal",
    "AuditEvent",
    "Base",
    "CallLogEntry",
    "CallPromise",
    "CaseEvent",
    "Claim",
    "Contact",
    "Deadline",
    "Document",
    "DocumentContent",
    "DocumentRequest",
    "IndependentMedicalExam",
    "Letter",
    "Note",
    "Organisation",
    "Reminder",
    "RequestFollowUp",
    "SearchEntry",
    "SearchPending",
    "SecondOpinion",
    "Specialist",
    "User",
]
