"""The use cases the GUI and the CLI call. They validate, audit and return plain values."""

from __future__ import annotations

from typing import TYPE_CHECKING

from claimdesk.services.calendar import CalendarService
from claimdesk.services.calls import CallInput, CallService, PromiseInput
from claimdesk.services.caselist import CaseListService
from claimdesk.services.claims import ClaimInput, ClaimService
from claimdesk.services.context import Change, ChangeListener, ServiceContext
from claimdesk.services.documents import DocumentService
from claimdesk.services.exchange import ExchangeService
from claimdesk.services.lettering import LetterWriter
from claimdesk.services.medical import ImeService, OpinionService, SpecialistService
from claimdesk.services.packets import PacketService
from claimdesk.services.process import (
    AppealService,
    AuditService,
    DeadlineService,
    LetterService,
)
from claimdesk.services.readiness import ReadinessService
from claimdesk.services.requests import RequestService
from claimdesk.services.schedule import ScheduleService
from claimdesk.services.search import SearchService
from claimdesk.services.timeline import TimelineService
from claimdesk.storage.db import Database

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "CallInput",
    "Change",
    "ChangeListener",
    "ClaimInput",
    "PromiseInput",
    "Services",
]


class Services:
    """Every service over one database, acting as one user."""

    def __init__(self, db: Database, user_name: str, data_dir: Path | None = None) -> None:
        """``data_dir`` holds the office's own letter templates and letterhead (in
        ``templates/``); without it only the bundled templates are used."""
        self.context = ServiceContext(db, user_name)
        self.db = db
        self.claims = ClaimService(self.context)
        self.caselist = CaseListService(self.context)
        self.readiness = ReadinessService(self.context)
        self.calls = CallService(self.context)
        self.requests = RequestService(self.context)
        self.documents = DocumentService(self.context)
        self.specialists = SpecialistService(self.context)
        self.opinions = OpinionService(self.context)
        self.imes = ImeService(self.context)
        self.appeals = AppealService(self.context)
        self.deadlines = DeadlineService(self.context)
        self.letters = LetterService(self.context)
        self.audit = AuditService(self.context)
        self.exchange = ExchangeService(self.context)
        self.schedule = ScheduleService(self.context)
        self.calendar = CalendarService(self.context, self.schedule)
        self.timeline = TimelineService(self.context, self)
        self.lettering = LetterWriter(self, data_dir / "templates" if data_dir else None)
        self.packets = PacketService(self)
        self.search = SearchService(self.context)
        # Subscribed first, so every other listener hears of a change to a case's dated
        # records only once its computed deadlines have followed (they write no notice of
        # their own: their own changes are 'deadline' records, which it ignores).
        self.context.subscribe(self.schedule.on_change)

    @property
    def user_name(self) -> str:
        return self.context.user_name

    def subscribe(self, listener: ChangeListener) -> None:
        """Be told of every committed change (the GUI turns this into one Qt signal)."""
        self.context.subscribe(listener)
