"""The use cases the GUI and the CLI call. They validate, audit and return plain values.

Each service's module is imported the first time it is asked for: the window paints its case
list with only ``caselist`` loaded, and the rest (with the mapped classes they build) follows
after the first paint (docs/architecture.md, "Start-up").
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from claimdesk.services.context import (
    Change,
    ChangeListener,
    ChangeSet,
    Entity,
    ServiceContext,
    Unit,
)
from claimdesk.storage.db import Database

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from claimdesk.clock import Clock
    from claimdesk.services.accounts import AccountService, Principal, Signer
    from claimdesk.services.alerts import AlertService
    from claimdesk.services.audit import AuditService
    from claimdesk.services.backups import BackupService
    from claimdesk.services.calendar import CalendarService
    from claimdesk.services.calls import CallInput, CallService, PromiseInput
    from claimdesk.services.caselist import CaseListService
    from claimdesk.services.claims import ClaimInput, ClaimService, OrganisationDetails
    from claimdesk.services.dashboard import DashboardService
    from claimdesk.services.documents import DocumentService
    from claimdesk.services.exchange import ExchangeService
    from claimdesk.services.intake import IntakeService
    from claimdesk.services.lettering import LetterWriter
    from claimdesk.services.live import LiveChanges
    from claimdesk.services.medical import ImeService, OpinionService, SpecialistService
    from claimdesk.services.packets import PacketService
    from claimdesk.services.process import (
        AppealService,
        DeadlineService,
        LetterService,
    )
    from claimdesk.services.readiness import ReadinessService
    from claimdesk.services.report import ReportService
    from claimdesk.services.requests import RequestService
    from claimdesk.services.samples import SampleService
    from claimdesk.services.scans import ScanService
    from claimdesk.services.schedule import ScheduleService
    from claimdesk.services.search import SearchService
    from claimdesk.services.sources import CaseSources
    from claimdesk.services.timeline import TimelineService

__all__ = [
    "CallInput",
    "Change",
    "ChangeListener",
    "ChangeSet",
    "ClaimInput",
    "Database",
    "Entity",
    "OrganisationDetails",
    "PromiseInput",
    "Services",
    "connect",
]


def __getattr__(name: str) -> Any:
    """The input records, re-exported from their modules when first asked for."""
    if name in ("CallInput", "PromiseInput"):
        from claimdesk.services import calls

        return getattr(calls, name)
    if name in ("ClaimInput", "OrganisationDetails"):
        from claimdesk.services import claims

        return getattr(claims, name)
    raise AttributeError(f"module 'claimdesk.services' has no attribute {name!r}")


def connect(
    database_url: str, *, backup_dir: Path | None = None, key: bytes | None = None
) -> Database:
    """Open (creating or upgrading) the database at ``database_url``, not yet signed in to;
    ``key`` is the data key of an encrypted file (storage/keys.py)."""
    from claimdesk.storage import open_database

    return open_database(database_url, key=key, backup_dir=backup_dir)


class Services:
    """Every service over one database, acting as one signed-in account, each built on first
    use."""

    def __init__(
        self,
        db: Database,
        principal: Principal,
        data_dir: Path | None = None,
        *,
        clock: Clock | None = None,
    ) -> None:
        """``principal`` is who signed in (services/accounts.py ``sign_in``). ``data_dir``
        holds the office's own letter templates and letterhead (in ``templates/``); without it
        only the bundled templates are used. ``clock`` is the one source of "now" and "today"
        (the system's unless a test pins it)."""
        self.context = ServiceContext(db, principal, clock)
        self.db = db
        self._data_dir = data_dir
        self._live: list[LiveChanges] = []
        # A case's computed deadlines follow its dated records inside the unit of work that
        # changed them (services/schedule.py): every listener hears of a change only once
        # they have. A change comes from a service, so the schedule's module is as good as
        # loaded by then.
        self.context.before_commit(self._recompute_deadlines)

    def _recompute_deadlines(self, unit: Unit) -> None:
        self.schedule.follow_changes(unit)

    @property
    def principal(self) -> Principal:
        return self.context.principal

    @property
    def user_name(self) -> str:
        return self.context.user_name

    @property
    def clock(self) -> Clock:
        return self.context.clock

    def subscribe(self, listener: ChangeListener) -> None:
        """Be told of every committed unit of work (the GUI turns this into one Qt signal)."""
        self.context.subscribe(listener)

    def live_changes(
        self, on_change: ChangeListener, on_reachable: Callable[[bool], None]
    ) -> LiveChanges | None:
        """Hear the changes other workstations commit to the same server, as change sets
        (not yet started; services/live.py); None on SQLite, where there are none."""
        if self.db.is_sqlite:
            return None
        from claimdesk.services.live import LiveChanges

        live = LiveChanges(self.context, on_change, on_reachable)
        self._live.append(live)  # stopped by close() at the latest
        return live

    @cached_property
    def claims(self) -> ClaimService:
        from claimdesk.services.claims import ClaimService

        return ClaimService(self.context)

    @cached_property
    def caselist(self) -> CaseListService:
        from claimdesk.services.caselist import CaseListService

        return CaseListService(self.context)

    @cached_property
    def samples(self) -> SampleService:
        from claimdesk.services.samples import SampleService

        return SampleService(self.context)

    @cached_property
    def readiness(self) -> ReadinessService:
        from claimdesk.services.readiness import ReadinessService

        return ReadinessService(
            self.context, lambda claim_id, today: self.alerts.missed([claim_id], today)
        )

    @cached_property
    def calls(self) -> CallService:
        from claimdesk.services.calls import CallService

        return CallService(self.context)

    @cached_property
    def requests(self) -> RequestService:
        from claimdesk.services.requests import RequestService

        return RequestService(self.context)

    @cached_property
    def documents(self) -> DocumentService:
        from claimdesk.services.documents import DocumentService

        return DocumentService(self.context)

    @cached_property
    def specialists(self) -> SpecialistService:
        from claimdesk.services.medical import SpecialistService

        return SpecialistService(self.context)

    @cached_property
    def opinions(self) -> OpinionService:
        from claimdesk.services.medical import OpinionService

        return OpinionService(self.context)

    @cached_property
    def imes(self) -> ImeService:
        from claimdesk.services.medical import ImeService

        return ImeService(self.context)

    @cached_property
    def appeals(self) -> AppealService:
        from claimdesk.services.process import AppealService

        return AppealService(self.context)

    @cached_property
    def deadlines(self) -> DeadlineService:
        from claimdesk.services.process import DeadlineService

        return DeadlineService(self.context)

    @cached_property
    def letters(self) -> LetterService:
        from claimdesk.services.process import LetterService

        return LetterService(self.context)

    @cached_property
    def audit(self) -> AuditService:
        from claimdesk.services.audit import AuditService

        return AuditService(self.context)

    @cached_property
    def exchange(self) -> ExchangeService:
        from claimdesk.services.exchange import ExchangeService

        return ExchangeService(self.context)

    @cached_property
    def schedule(self) -> ScheduleService:
        from claimdesk.services.schedule import ScheduleService

        return ScheduleService(self.context)

    @cached_property
    def alerts(self) -> AlertService:
        from claimdesk.services.alerts import AlertService

        return AlertService(self.context, self.schedule.rules)

    @cached_property
    def dashboard(self) -> DashboardService:
        from claimdesk.services.dashboard import DashboardService

        return DashboardService(
            self.context,
            lambda today, now, ids, limit: self.alerts.missed(ids, today, now, limit),
            lambda today, now, ids: self.alerts.count(today, now, ids),
        )

    @cached_property
    def report(self) -> ReportService:
        from claimdesk.services.report import ReportService

        templates = self._data_dir / "templates" if self._data_dir else None
        return ReportService(self.dashboard, templates, guard=self._may_export)

    @cached_property
    def calendar(self) -> CalendarService:
        from claimdesk.services.calendar import CalendarService

        return CalendarService(self.context, self.schedule)

    @cached_property
    def timeline(self) -> TimelineService:
        from claimdesk.services.timeline import TimelineService

        return TimelineService(
            self.context,
            claims=self.claims,
            appeals=self.appeals,
            calls=self.calls,
            requests=self.requests,
            letters=self.letters,
            documents=self.documents,
            deadlines=self.deadlines,
        )

    @cached_property
    def lettering(self) -> LetterWriter:
        from claimdesk.services.lettering import LetterWriter

        return LetterWriter(
            self.context,
            self.case_sources(),
            lambda claim_id: self.packets.exhibit_list(claim_id),
            self._data_dir / "templates" if self._data_dir else None,
        )

    @cached_property
    def packets(self) -> PacketService:
        from claimdesk.partials import EXPORT_FOLDERS_FILE
        from claimdesk.services.packets import PacketService

        folders = self._data_dir / EXPORT_FOLDERS_FILE if self._data_dir else None
        return PacketService(
            self.case_sources(),
            lambda: {t.kind: t.title for t in self.lettering.templates()},
            folders,
            guard=self._may_export,
            record_integrity=lambda: self.audit.short_head(),
        )

    def _may_export(self, doing: str) -> None:
        from claimdesk.services.accounts import Right

        self.context.require(Right.EXPORT, doing)

    def case_sources(self) -> CaseSources:
        """What letters and packets read a case through (services/sources.py)."""
        from claimdesk.services.sources import CaseSources

        return CaseSources(
            snapshot=self.context.snapshot,
            clock=self.clock,
            claims=self.claims,
            calls=self.calls,
            requests=self.requests,
            opinions=self.opinions,
            specialists=self.specialists,
            imes=self.imes,
            appeals=self.appeals,
            deadlines=self.deadlines,
            documents=self.documents,
            letters=self.letters,
            missed=lambda claim_id, today: self.alerts.missed([claim_id], today),
        )

    @cached_property
    def search(self) -> SearchService:
        from claimdesk.services.search import SearchService

        return SearchService(self.context)

    @cached_property
    def scans(self) -> ScanService:
        from claimdesk.services.scans import ScanService

        return ScanService(self.context, self._data_dir)

    @cached_property
    def intake(self) -> IntakeService:
        from claimdesk.services.intake import IntakeService

        return IntakeService(self.claims, self.documents, self.scans, self._data_dir)

    @cached_property
    def accounts(self) -> AccountService:
        from claimdesk.services.accounts import AccountService

        return AccountService(self.context)

    @cached_property
    def backups(self) -> BackupService:
        from claimdesk.services.backups import BackupService

        return BackupService(self.context)

    @classmethod
    def open(
        cls,
        database_url: str,
        sign_in: Signer,
        data_dir: Path | None = None,
        *,
        backup_dir: Path | None = None,
        clock: Clock | None = None,
        key: bytes | None = None,
    ) -> Services:
        """Open (creating or upgrading) the database at ``database_url``, sign in to it with
        ``sign_in`` (given the database, it returns the principal: a password prompt, a
        set-up, services/accounts.py) and serve it; the window and the CLI start here, so
        neither reaches into storage itself. ``key`` is the data key of an encrypted file
        (storage/keys.py). The database is closed again if sign-in fails."""
        db = connect(database_url, backup_dir=backup_dir, key=key)
        try:
            return cls(db, sign_in(db), data_dir, clock=clock)
        except BaseException:
            db.dispose()
            raise

    @property
    def sqlite_path(self) -> Path | None:
        """The database file, when the data is in an embedded SQLite file."""
        return self.db.sqlite_path

    @property
    def location(self) -> str:
        """Where the data is, for people: the SQLite file, or the server's URL (no password)."""
        return str(self.db.sqlite_path or self.db.url)

    def close(self) -> None:
        for live in self._live:
            live.stop()
        self.db.dispose()

    @classmethod
    def names(cls) -> list[str]:
        """The services, by attribute name."""
        return [name for name, value in vars(cls).items() if isinstance(value, cached_property)]

    def unbuilt(self) -> list[str]:
        """The services not asked for yet (whose modules may not be imported yet)."""
        return [name for name in self.names() if name not in self.__dict__]
