"""Marking a request received with the file that came: both kept, or neither."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from claimdesk.errors import DocumentError, NotFoundError, ValidationError
from claimdesk.models.enums import DocumentKind
from claimdesk.services import Change, ClaimInput, Services
from claimdesk.services import requests as requests_module
from tests.pinned import TODAY

SENT = TODAY - timedelta(days=10)


@pytest.fixture
def claim_id(services: Services) -> int:
    return services.claims.open_case(
        ClaimInput("Maria Lopez", "erisa_group_health", "health", "US", "Acme")
    ).id


@pytest.fixture
def request_id(services: Services, claim_id: int) -> int:
    return services.requests.request_document(
        claim_id, "medical_reviewer_report", sent_on=SENT, method="fax"
    ).id


@pytest.fixture
def report(tmp_path: Path) -> Path:
    path = tmp_path / "reviewer report.pdf"
    path.write_bytes(b"%PDF-1.4\n% reviewer\n%%EOF")
    return path


def assert_untouched(services: Services, claim_id: int, request_id: int) -> None:
    assert services.documents.documents(claim_id) == []
    request = services.requests.get(request_id)
    assert request.received_on is None and request.document_id is None


def test_the_file_and_the_receipt_are_kept_together(
    services: Services, claim_id: int, request_id: int, report: Path
) -> None:
    changes: list[Change] = []
    services.subscribe(changes.extend)
    arrived = TODAY - timedelta(days=2)
    request = services.requests.mark_received(request_id, arrived, file=report)
    [document] = services.documents.documents(claim_id)
    assert request.received_on == arrived and request.document_id == document.id
    assert request.status(TODAY) == "received"
    # Filed as what was asked for, dated the day it came.
    assert document.kind == DocumentKind.REVIEWER_REPORT and document.document_date == arrived
    assert document.original_name == "reviewer report.pdf"
    assert services.documents.content(document.id) == report.read_bytes()
    assert [(c.entity, c.action) for c in changes] == [
        ("document", "create"),
        ("request", "receive"),
    ]


def test_the_kind_can_be_chosen(
    services: Services, claim_id: int, request_id: int, report: Path
) -> None:
    services.requests.mark_received(request_id, TODAY, file=report, kind="correspondence")
    [document] = services.documents.documents(claim_id)
    assert document.kind == DocumentKind.CORRESPONDENCE


def test_a_date_before_the_request_keeps_no_document(
    services: Services, claim_id: int, request_id: int, report: Path
) -> None:
    with pytest.raises(ValidationError, match=r"before the request was sent.*enter the date"):
        services.requests.mark_received(request_id, SENT - timedelta(days=1), file=report)
    assert_untouched(services, claim_id, request_id)


def test_a_future_date_is_refused_before_the_file_is_read(
    services: Services, claim_id: int, request_id: int, tmp_path: Path
) -> None:
    # The file does not exist: the date is what is reported, so it was checked first.
    with pytest.raises(ValidationError, match="in the future; check the date"):
        services.requests.mark_received(
            request_id, TODAY + timedelta(days=5), file=tmp_path / "missing.pdf"
        )
    assert_untouched(services, claim_id, request_id)


def test_an_unreadable_file_leaves_the_request_awaited(
    services: Services, claim_id: int, request_id: int, tmp_path: Path
) -> None:
    with pytest.raises(DocumentError, match="does not exist; it may have been moved"):
        services.requests.mark_received(request_id, TODAY, file=tmp_path / "missing.pdf")
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(DocumentError, match=r"empty \(0 bytes\)"):
        services.requests.mark_received(request_id, TODAY, file=empty)
    assert_untouched(services, claim_id, request_id)


def test_a_failure_after_the_document_is_stored_undoes_it(
    services: Services,
    claim_id: int,
    request_id: int,
    report: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail(*args: object) -> None:
        raise ValidationError("the receipt could not be saved")

    # Fails in the unit, after the document was added and flushed: one transaction, undone.
    monkeypatch.setattr(requests_module, "touch", fail)
    with pytest.raises(ValidationError, match="could not be saved"):
        services.requests.mark_received(request_id, TODAY, file=report)
    monkeypatch.undo()
    assert_untouched(services, claim_id, request_id)


def test_an_unknown_request_keeps_no_document(
    services: Services, claim_id: int, report: Path
) -> None:
    with pytest.raises(NotFoundError, match="no request number 9999"):
        services.requests.mark_received(9999, TODAY, file=report)
    assert services.documents.documents(claim_id) == []


def test_a_document_kept_earlier_still_links(
    services: Services, claim_id: int, request_id: int
) -> None:
    document = services.documents.attach(claim_id, "report.pdf", b"%PDF-1.4\n%%EOF")
    request = services.requests.mark_received(request_id, TODAY, document.id)
    assert request.document_id == document.id
    assert len(services.documents.documents(claim_id)) == 1


def test_a_document_and_a_file_together_is_a_mistake(
    services: Services, claim_id: int, request_id: int, report: Path
) -> None:
    document = services.documents.attach(claim_id, "report.pdf", b"%PDF-1.4\n%%EOF")
    with pytest.raises(ValueError, match="not both"):
        services.requests.mark_received(request_id, TODAY, document.id, file=report)
    assert services.requests.get(request_id).received_on is None
