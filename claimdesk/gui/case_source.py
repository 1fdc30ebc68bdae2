"""One open case's record lists, read off the GUI thread and each read once per change.

The workspace's panels share one ``CaseSource``: the Call log and the timeline show the same
calls, the Documents panel, the requests and the timeline the same documents. A list is read
the first time a panel asks for it and kept until a change to its kind of record on this case
(or to every case) is announced; then it is dropped and read again when next asked for.

Reads happen on the task runner's worker (``CaseRecords``); dropping happens on the GUI thread,
by replacing the dictionary, never by editing it: a read asked for before a change keeps
writing into the dictionary it started with, which nobody asks any more, so a list read before
a change can never be handed out after it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from claimdesk.services import ChangeSet, Services, dto
from claimdesk.services.timeline import TimelineMark, marks_of

T = TypeVar("T")

# The changes after which each list is read again: its own records, and those whose names or
# links it shows (a call shows its organisation's name, a request the document that answered it).
DEPENDS: dict[str, frozenset[str]] = {
    "claim": frozenset({"claim", "organisation"}),
    "calls": frozenset({"call", "promise", "organisation"}),
    "documents": frozenset({"document"}),
    "requests": frozenset({"request", "document", "organisation"}),
    "appeals": frozenset({"appeal", "event"}),
    "letters": frozenset({"letter", "document"}),
    "deadlines": frozenset({"deadline", "claim", "appeal", "event", "request"}),
}
# Changes that can alter any list (who logged a call is an account's name).
EVERYTHING = frozenset({"account"})


class CaseRecords:
    """The reads of one request for data: runs on the worker, fills the shared lists."""

    def __init__(self, services: Services, claim_id: int, lists: dict[str, Any]) -> None:
        self.services = services
        self.claim_id = claim_id
        self._lists = lists

    def _get(self, name: str, read: Callable[[], T]) -> T:
        if name in self._lists:
            return self._lists[name]  # type: ignore[no-any-return]
        value = read()
        self._lists[name] = value
        return value

    def claim(self) -> dto.ClaimDetail:
        return self._get("claim", lambda: self.services.claims.get(self.claim_id))

    def calls(self) -> list[dto.CallRecord]:
        return self._get("calls", lambda: self.services.calls.calls(self.claim_id))

    def documents(self) -> list[dto.DocumentInfo]:
        return self._get("documents", lambda: self.services.documents.documents(self.claim_id))

    def requests(self) -> list[dto.RequestRecord]:
        return self._get("requests", lambda: self.services.requests.requests(self.claim_id))

    def appeals(self) -> list[dto.AppealRecord]:
        return self._get("appeals", lambda: self.services.appeals.appeals(self.claim_id))

    def letters(self) -> list[dto.LetterRecord]:
        return self._get("letters", lambda: self.services.letters.letters(self.claim_id))

    def deadlines(self) -> list[dto.DeadlineRecord]:
        return self._get("deadlines", lambda: self.services.deadlines.deadlines(self.claim_id))

    def timeline(self, today: date) -> list[TimelineMark]:
        return marks_of(
            self.claim(),
            appeals=self.appeals(),
            calls=self.calls(),
            requests=self.requests(),
            letters=self.letters(),
            documents=self.documents(),
            deadlines=self.deadlines(),
            today=today,
        )


class CaseSource:
    """The lists read so far for one case; lives on the GUI thread."""

    def __init__(self, services: Services, claim_id: int) -> None:
        self.services = services
        self.claim_id = claim_id
        self._lists: dict[str, Any] = {}

    def records(self) -> CaseRecords:
        """For one read on the worker: taken on the GUI thread before the read starts."""
        return CaseRecords(self.services, self.claim_id, self._lists)

    def forget(self, changes: ChangeSet) -> None:
        """Drop the lists the changes may have made out of date."""
        entities = {
            str(c.entity) for c in changes if c.claim_id is None or c.claim_id == self.claim_id
        }
        if not entities:
            return
        if entities & EVERYTHING:
            self._lists = {}
            return
        stale = {name for name, depends in DEPENDS.items() if depends & entities}
        if stale & self._lists.keys():
            self._lists = {k: v for k, v in self._lists.items() if k not in stale}

    def forget_all(self) -> None:
        self._lists = {}

    def held(self) -> frozenset[str]:
        """The lists kept now (for tests and the bench)."""
        return frozenset(self._lists)
