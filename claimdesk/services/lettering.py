"""Writing letters: a case's facts through a template into a checked DOCX or PDF, kept on file."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from claimdesk.errors import ClaimDeskError, LetterCheckError, ValidationError
from claimdesk.letters import directory
from claimdesk.letters.check import Finding, check_facts, check_letter
from claimdesk.letters.document import LetterDocument
from claimdesk.letters.letterhead import Letterhead, load_letterhead, save_letterhead
from claimdesk.letters.markup import Block, parse
from claimdesk.letters.render import render_text
from claimdesk.letters.templates import SUFFIX, TemplateInfo, TemplateStore
from claimdesk.models import Letter
from claimdesk.models.enums import DocumentKind
from claimdesk.services.context import retried
from claimdesk.services.documents import build_document, store_document
from claimdesk.services.dto import DocumentInfo, LetterRecord, OrganisationRecord, copy_into
from claimdesk.services.letter_context import (
    LetterOptions,
    Value,
    build_context,
    default_opinion,
    encloses_packet,
)

if TYPE_CHECKING:
    from claimdesk.services.context import ServiceContext
    from claimdesk.services.sources import CaseSources, ExhibitList

Format = Literal["pdf", "docx"]
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class LetterRefusedError(LetterCheckError):
    """The letter would state something the case's record does not support; no --force."""

    def __init__(self, findings: list[str]) -> None:
        super().__init__(findings)
        listed = " ".join(findings)
        ClaimDeskError.__init__(
            self,
            f"The letter was not written: {listed} This cannot be overridden, because the "
            "letter would state something the case's record does not support.",
        )


@dataclass(frozen=True)
class LetterPreview:
    kind: str
    title: str
    markup: str
    blocks: tuple[Block, ...]
    findings: tuple[Finding, ...]
    # Who the letter is addressed to (name, department, address, source...), or None.
    recipient: dict[str, Value] | None = None


@dataclass(frozen=True)
class GeneratedLetter:
    kind: str
    title: str
    recipient: str
    data: bytes
    file_name: str
    media_type: str
    day: date
    findings: tuple[Finding, ...]
    letter: LetterRecord | None = None
    document: DocumentInfo | None = None


class LetterWriter:
    """Renders, checks, writes and records letters for the cases of one database."""

    def __init__(
        self,
        ctx: ServiceContext,
        sources: CaseSources,
        exhibits: ExhibitList,
        office_dir: Path | None,
    ) -> None:
        self._ctx = ctx
        self._services = sources
        self._exhibits = exhibits
        self.office_dir = office_dir
        self.store = TemplateStore(
            office_dir / "letters" if office_dir else None, guard=self._may_change_templates
        )

    def _may_change_templates(self, doing: str) -> None:
        from claimdesk.services.accounts import Right

        self._ctx.require(Right.ADMINISTER, doing)

    def templates(self) -> list[TemplateInfo]:
        return self.store.letters()

    def letterhead(self) -> Letterhead:
        return load_letterhead(self.office_dir)

    def save_letterhead(self, letterhead: Letterhead) -> None:
        self._may_change_templates("change the office's letterhead")
        if self.office_dir is None:
            raise ValidationError("There is no data folder to keep the letterhead in.")
        save_letterhead(self.office_dir, letterhead)

    def context(
        self, claim_id: int, options: LetterOptions | None = None, kind: str | None = None
    ) -> dict[str, Value]:
        return build_context(
            self._services, self._exhibits, claim_id, self.letterhead(), options, kind
        )

    def default_opinion_id(self, claim_id: int, kind: str | None) -> int | None:
        """The second opinion a letter of this kind uses unless another is chosen: for an
        appeal, the one whose report arrived last; for a briefing, the one awaiting a report."""
        chosen = default_opinion(self._services.opinions.opinions(claim_id), kind)
        return chosen.id if chosen else None

    def add_directory_organisation(self, entry_id: str) -> OrganisationRecord:
        """Create an organisation from a directory entry (or return the one already made), so
        the office can correct its address once and every letter uses the correction."""
        entry = directory.entry(entry_id)
        for org in self._services.claims.organisations():
            if org.name.casefold() == entry.name.casefold() and org.kind.value == entry.kind:
                return org
        note = f"From ClaimDesk's directory: {entry.source} (checked {entry.checked:%d %b %Y})"
        if not entry.verified:
            note += "; not verified on the body's own pages: check before relying on it"
        return self._services.claims.add_organisation(
            entry.name,
            entry.kind,
            department=entry.department,
            address=entry.address,
            phone=entry.phone,
            fax=entry.fax,
            email=entry.email,
            website=entry.website,
            portal=entry.portal,
            notes=f"{entry.notes}\n\n{note}." if entry.notes else note + ".",
        )

    def preview(
        self,
        claim_id: int,
        kind: str,
        options: LetterOptions | None = None,
        unsaved: dict[str, str] | None = None,
    ) -> LetterPreview:
        """The letter as it would be written, with what the check found."""
        return self._preview(kind, self.context(claim_id, options, kind), unsaved)

    def _preview(
        self, kind: str, context: dict[str, Value], unsaved: dict[str, str] | None = None
    ) -> LetterPreview:
        info = self.store.info(kind)
        source = (unsaved or {}).get(kind) or self.store.source(kind)
        context = {**context, "encloses_packet": encloses_packet(source)}
        rendered = render_text(self.store.environment(unsaved), kind + SUFFIX, context)
        blocks = tuple(parse(rendered.text))
        facts = check_facts(kind, context)
        said = {f.message for f in facts}
        # A blank that only repeats what a fact finding says (no report, so no conclusion)
        # is not listed twice; nor is one the fact finding already explains.
        covered = {f.subject.split(".", 1)[0] for f in facts if f.blocking}
        checked = [
            f
            for f in check_letter(list(blocks), rendered.blanks, quoted_texts(context), context)
            if f.message not in said
            and not (f.kind == "empty" and f.subject.split(".", 1)[0] in covered)
        ]
        findings = tuple(facts + checked)
        recipient = context.get("recipient")
        return LetterPreview(
            kind,
            info.title,
            rendered.text,
            blocks,
            findings,
            dict(recipient) if isinstance(recipient, dict) else None,
        )

    def generate(
        self,
        claim_id: int,
        kind: str,
        fmt: Format,
        options: LetterOptions | None = None,
        *,
        force: bool = False,
        record: bool = True,
    ) -> GeneratedLetter:
        """The letter's file; kept on the case as a document and a letter record if ``record``.

        Refused with LetterCheckError when the check finds something, unless ``force``; a
        blocking finding (the letter would state what the record does not support) refuses
        it even then. Nothing is stored unless the whole file was written.
        """
        if fmt not in MEDIA_TYPES:
            raise ValidationError("Letters are written as 'pdf' or 'docx'.")
        context = self.context(claim_id, options, kind)
        preview = self._preview(kind, context)
        blocking = [f for f in preview.findings if f.blocking]
        if blocking:
            raise LetterRefusedError([f.message for f in blocking])
        if preview.findings and not force:
            raise LetterCheckError([f.message for f in preview.findings])
        document = self._document(preview, context)
        data = _write(document, fmt)
        claim = self._services.claims.get(claim_id)
        today = (options.today if options else None) or self._services.clock.today()
        file_name = f"{claim.case_number} {preview.title} {today:%Y-%m-%d}.{fmt}"
        file_name = re.sub(r"[^\w .,()-]+", "-", file_name)
        recipient = context.get("recipient") or {}
        generated = GeneratedLetter(
            kind=kind,
            title=preview.title,
            recipient=str(recipient.get("name") or "")[:200],
            data=data,
            file_name=file_name,
            media_type=MEDIA_TYPES[fmt],
            day=today,
            findings=preview.findings,
        )
        return self.keep(claim_id, generated) if record else generated

    def _document(self, preview: LetterPreview, context: dict[str, Value]) -> LetterDocument:
        sender = context["sender"]
        claimant = context["claimant"]
        claim = context["claim"]
        plan = context["plan"]
        lines = [_inline(sender.get("address")), sender.get("phone"), sender.get("email")]
        sender_name = sender.get("organisation") or sender.get("name") or ""
        reference = claim.get("insurer_claim_number") or plan.get("policy_number") or ""
        head = f"{claimant['name']}" + (f" · Claim {reference}" if reference else "")
        return LetterDocument(
            title=preview.title,
            blocks=preview.blocks,
            sender_name=str(sender_name),
            sender_lines=tuple(str(line) for line in lines if line),
            running_head=f"{head} · {preview.title}",
            letter_paper=plan.get("country") == "US",
        )

    @retried
    def keep(self, claim_id: int, generated: GeneratedLetter) -> GeneratedLetter:
        """Keep a generated letter on its case: the file and the letter record, together."""
        document = build_document(
            claim_id,
            generated.file_name,
            generated.data,
            kind=DocumentKind.LETTER_SENT,
            title=generated.title,
            document_date=generated.day,
            media_type=generated.media_type,
        )
        with self._ctx.unit("write letters") as unit:
            store_document(unit, document)
            letter = Letter(
                claim_id=claim_id,
                kind=generated.kind,
                template_name=generated.kind + SUFFIX,
                template_version=self.store.version_label(generated.kind),
                recipient=generated.recipient,
                generated_by_id=unit.user_id,
                document_id=document.id,
            )
            unit.session.add(letter)
            unit.session.flush()
            unit.record("create", "letter", letter.id, claim_id)
            return replace(
                generated,
                letter=copy_into(LetterRecord, letter),
                document=copy_into(DocumentInfo, document),
            )


def quoted_texts(context: dict[str, Value]) -> tuple[str, ...]:
    """Others' words a letter may repeat without adopting them: the insurer's reasons and
    decisions, and the titles of the documents it encloses (a denial letter's own title)."""
    claim = context["claim"]
    texts = [
        claim.get("denial_reason"),
        claim.get("criteria_cited"),
        claim.get("denial_category_label"),
    ]
    texts += [a.get("decision_summary") for a in context.get("appeals") or []]
    texts += [e.get("title") for e in context.get("enclosures") or []]
    return tuple(str(t) for t in texts if t)


def _inline(text: object) -> str | None:
    if not text:
        return None
    return ", ".join(line.strip() for line in str(text).splitlines() if line.strip())


def _write(document: LetterDocument, fmt: Format) -> bytes:
    if fmt == "pdf":
        from claimdesk.letters.pdf_writer import write_pdf

        return write_pdf(document)
    from claimdesk.letters.docx_writer import write_docx

    return write_docx(document)
