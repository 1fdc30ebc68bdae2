"""SQLAlchemy models for the whole ClaimDesk workflow (DOMAIN.md).

The mapped classes are built on first use, all at once: building them is a fifth of a second,
and ``claimdesk.models.enums`` (which the GUI needs from its first paint) should not pay it.
``from claimdesk.models import Claim`` works as ever; it builds every model the first time.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from claimdesk.models.audit import AuditEvent
    from claimdesk.models.base import Base
    from claimdesk.models.claim import Claim, Note
    from claimdesk.models.medical import IndependentMedicalExam, SecondOpinion, Specialist
    from claimdesk.models.people import Contact, Organisation, Setting, User
    from claimdesk.models.process import (
        Appeal,
        CaseEvent,
        Deadline,
        DeadlinePending,
        Letter,
        Reminder,
    )
    from claimdesk.models.records import (
        CallLogEntry,
        CallPromise,
        Document,
        DocumentContent,
        DocumentRequest,
        RequestFollowUp,
    )
    from claimdesk.models.search import DocumentText, SearchEntry, SearchPending

# Where each public name is defined. Every module is imported together, so the mapper can
# resolve the relationships named by string across modules.
_HOMES = {
    "AuditEvent": "audit",
    "Base": "base",
    "Claim": "claim",
    "Note": "claim",
    "IndependentMedicalExam": "medical",
    "SecondOpinion": "medical",
    "Specialist": "medical",
    "Contact": "people",
    "Organisation": "people",
    "Setting": "people",
    "User": "people",
    "Appeal": "process",
    "CaseEvent": "process",
    "Deadline": "process",
    "DeadlinePending": "process",
    "Letter": "process",
    "Reminder": "process",
    "CallLogEntry": "records",
    "CallPromise": "records",
    "Document": "records",
    "DocumentContent": "records",
    "DocumentRequest": "records",
    "RequestFollowUp": "records",
    "SearchEntry": "search",
    "DocumentText": "search",
    "SearchPending": "search",
}

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
    "DeadlinePending",
    "Document",
    "DocumentContent",
    "DocumentRequest",
    "DocumentText",
    "IndependentMedicalExam",
    "Letter",
    "Note",
    "Organisation",
    "Reminder",
    "RequestFollowUp",
    "SearchEntry",
    "SearchPending",
    "SecondOpinion",
    "Setting",
    "Specialist",
    "User",
]


def load() -> None:
    """Build every mapped class (once) and publish them as attributes of this package."""
    for name, home in _HOMES.items():
        if name not in globals():
            module = importlib.import_module(f"claimdesk.models.{home}")
            globals()[name] = getattr(module, name)


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'claimdesk.models' has no attribute {name!r}")
    load()
    return globals()[name]
