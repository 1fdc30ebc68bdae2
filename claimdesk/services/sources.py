"""What a letter or a packet reads a case through, given to it rather than looked up.

``LetterWriter``, ``build_context`` and ``PacketService`` receive these services (and, for
what would be a cycle between letters and packets, a function) instead of the whole
``Services``, so what each reads is written in its constructor.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claimdesk.clock import Clock
    from claimdesk.deadlines.missed import MissedDeadline
    from claimdesk.packets.model import ListedExhibit
    from claimdesk.services.calls import CallService
    from claimdesk.services.claims import ClaimService
    from claimdesk.services.documents import DocumentService
    from claimdesk.services.medical import ImeService, OpinionService, SpecialistService
    from claimdesk.services.process import AppealService, DeadlineService, LetterService
    from claimdesk.services.requests import RequestService


@dataclass(frozen=True)
class CaseSources:
    """The services a case's letters and packet read it through, and ``snapshot``
    (ServiceContext.snapshot), under which their reads share one read transaction."""

    snapshot: Callable[[], AbstractContextManager[None]]
    clock: Clock
    claims: ClaimService
    calls: CallService
    requests: RequestService
    opinions: OpinionService
    specialists: SpecialistService
    imes: ImeService
    appeals: AppealService
    deadlines: DeadlineService
    documents: DocumentService
    letters: LetterService
    # The insurer's deadlines on a case gone by with nothing recorded, as of a day (AlertService).
    missed: Callable[[int, date], list[MissedDeadline]]


# The packet's exhibits after its letter (PacketService.exhibit_list), for a letter's enclosures.
ExhibitList = Callable[[int], "list[ListedExhibit]"]
# The letter templates' titles by kind (LetterWriter.templates), for the packet's chronology.
TemplateTitles = Callable[[], dict[str, str]]
