"""Global search: full text over every case's calls, notes, names, references and documents.

The index (``search_entries``, with an FTS5 table over it on SQLite) is derived data. A change
to a case marks it pending in the same transaction (``context.mark_for_search``); a search first
reindexes the pending cases, so results are never stale, and a database upgraded from before
the index builds it at its first search. Text is extracted from a document's file once and kept
while the file is unchanged.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, text
from sqlalchemy.orm import Session, selectinload

from claimdesk.errors import SearchCancelled, ValidationError
from claimdesk.models import (
    Appeal,
    CallLogEntry,
    Claim,
    Document,
    DocumentContent,
    DocumentRequest,
    DocumentText,
    IndependentMedicalExam,
    Letter,
    Note,
    SearchEntry,
    SearchPending,
    SecondOpinion,
    Specialist,
)
from claimdesk.services.context import ServiceContext
from claimdesk.services.dto import HIT_END, HIT_START, CaseHits, SearchHit, SearchResult

log = logging.getLogger(__name__)

# A document's text is for finding it, not for reading: the first pages say what it is.
MAX_EXTRACT_PAGES = 200
MAX_EXTRACT_CHARS = 200_000
MAX_QUERY_TERMS = 12
# What one entry may cost. A legacy row from before the services' limits (a 1 MB call summary)
# is indexed up to this many characters of its text; what lies beyond is not found.
MAX_ENTRY_CHARS = 200_000
# FTS5's snippet() takes time quadratic in the matches within a row (a 1 MB summary with 55,000
# matches took 24 s); past this length the snippet is cut in Python, in linear time.
FTS_SNIPPET_CHARS = 2_000
MAX_LIMIT = 10_000
# Cases indexed per transaction: few enough that a search waits little for the write lock.
BATCH = 100
# 7 values a row, under SQLite's oldest limit of 999 variables a statement.
ROWS_PER_INSERT = 140

Progress = Callable[[int, int], None]


@dataclass
class _Entry:
    kind: str
    record_id: int
    title: str
    body: str
    extracted: str = ""
    extracted_sha256: str = ""


class SearchService:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context
        self._fts: bool | None = None

    # ---- searching ---------------------------------------------------------------------------

    def search(
        self,
        query: str,
        limit: int = 300,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> SearchResult:
        """Cases whose records contain every word of ``query`` (a word's start is enough).

        Quoted words are matched as a phrase. Cases are ordered by their best hit.
        """
        terms = query_terms(query)
        if not terms:
            raise ValidationError("Type a word, a name or a reference number to search for.")
        if not 1 <= limit <= MAX_LIMIT:
            raise ValidationError(f"Ask for between 1 and {MAX_LIMIT:,} results.")
        self.refresh(progress, cancelled)
        with self.context.reader() as session:
            if self._use_fts(session):
                rows = self._fts_rows(session, terms, limit + 1)
            elif session.get_bind().dialect.name == "postgresql":
                rows = self._tsvector_rows(session, terms, limit + 1)
            else:
                rows = self._like_rows(session, terms, limit + 1)
            truncated = len(rows) > limit
            rows = rows[:limit]
            claims = {
                c.id: c
                for c in session.execute(
                    select(Claim.id, Claim.case_number, Claim.claimant_name).where(
                        Claim.id.in_({r[0] for r in rows})
                    )
                )
            }
        grouped: dict[int, CaseHits] = {}
        for claim_id, kind, record_id, title, snippet in rows:
            claim = claims.get(claim_id)
            if claim is None:
                continue
            case = grouped.get(claim_id)
            if case is None:
                case = grouped[claim_id] = CaseHits(
                    claim_id, claim.case_number, claim.claimant_name
                )
            case.hits.append(SearchHit(kind, record_id, title, " ".join(snippet.split())))
        hits = sum(len(case.hits) for case in grouped.values())
        return SearchResult(query, list(grouped.values()), hits, truncated)

    def _fts_rows(self, session: Session, terms: list[str], limit: int) -> list[tuple[Any, ...]]:
        match = " AND ".join(fts_phrase(t) for t in terms)
        size = "length(e.title) + length(e.body) + length(e.extracted)"
        statement = text(
            "SELECT e.claim_id, e.kind, e.record_id, e.title, "
            f"CASE WHEN {size} <= :small THEN "
            f"snippet(search_fts, -1, '{HIT_START}', '{HIT_END}', '…', 16) END, "
            f"CASE WHEN {size} > :small THEN e.body END, "
            f"CASE WHEN {size} > :small THEN e.extracted END "
            "FROM search_fts JOIN search_entries AS e ON e.id = search_fts.rowid "
            "WHERE search_fts MATCH :match "
            "ORDER BY bm25(search_fts, 4.0, 2.0, 1.0) LIMIT :limit"
        )
        found = session.execute(
            statement, {"match": match, "limit": limit, "small": FTS_SNIPPET_CHARS}
        ).all()
        rows = [
            (claim_id, kind, record_id, title, snippet)
            if snippet is not None
            else (claim_id, kind, record_id, title, make_snippet(_join(title, body, extra), terms))
            for claim_id, kind, record_id, title, snippet, body, extra in found
        ]
        # Group by case in the order of each case's best hit, keeping each case's own order.
        best: dict[int, int] = {}
        for position, row in enumerate(rows):
            best.setdefault(row[0], position)
        return sorted(rows, key=lambda r: best[r[0]])

    def _tsvector_rows(
        self, session: Session, terms: list[str], limit: int
    ) -> list[tuple[Any, ...]]:
        """PostgreSQL's full-text search over the generated ``search_vector`` (migration 0002):
        the same words, prefixes and phrases as FTS5, ranked title over body over a document's
        text, through the GIN index."""
        statement = text(
            "SELECT e.claim_id, e.kind, e.record_id, e.title, e.body, e.extracted "
            "FROM search_entries AS e, to_tsquery('simple', claimdesk_unaccent(:query)) AS q "
            "WHERE e.search_vector @@ q "
            "ORDER BY ts_rank(e.search_vector, q) DESC, e.id LIMIT :limit"
        )
        found = session.execute(statement, {"query": ts_query(terms), "limit": limit}).all()
        rows = [
            (claim_id, kind, record_id, title, make_snippet(_join(title, body, extra), terms))
            for claim_id, kind, record_id, title, body, extra in found
        ]
        best: dict[int, int] = {}
        for position, row in enumerate(rows):
            best.setdefault(row[0], position)
        return sorted(rows, key=lambda r: best[r[0]])

    def _like_rows(self, session: Session, terms: list[str], limit: int) -> list[tuple[Any, ...]]:
        """Without FTS5 (a Python built without it): every term, anywhere."""
        conditions = []
        for term in terms:
            pattern = f"%{_like_escape(term)}%"
            conditions.append(
                or_(
                    SearchEntry.title.ilike(pattern, escape="\\"),
                    SearchEntry.body.ilike(pattern, escape="\\"),
                    SearchEntry.extracted.ilike(pattern, escape="\\"),
                )
            )
        entries = session.execute(
            select(SearchEntry)
            .where(*conditions)
            .order_by(SearchEntry.claim_id.desc(), SearchEntry.id)
            .limit(limit)
        ).scalars()
        return [
            (
                e.claim_id,
                e.kind,
                e.record_id,
                e.title,
                make_snippet(" ".join(x for x in (e.title, e.body, e.extracted) if x), terms),
            )
            for e in entries
        ]

    def _use_fts(self, session: Session) -> bool:
        if self._fts is None:
            self._fts = session.get_bind().dialect.name == "sqlite" and bool(
                session.execute(
                    text("SELECT 1 FROM sqlite_master WHERE type='table' AND name='search_fts'")
                ).first()
            )
        return self._fts

    # ---- indexing ----------------------------------------------------------------------------

    def pending(self) -> int:
        """How many cases wait to be (re)indexed."""
        with self.context.reader() as session:
            marked = session.scalar(select(func.count()).select_from(SearchPending)) or 0
            never = session.scalar(
                select(func.count())
                .select_from(Claim)
                .where(
                    ~Claim.id.in_(select(SearchEntry.claim_id).distinct()),
                    ~Claim.id.in_(select(SearchPending.claim_id)),
                )
            )
            return marked + (never or 0)

    def refresh(
        self, progress: Progress | None = None, cancelled: Callable[[], bool] | None = None
    ) -> int:
        """Reindex every case changed since it was last indexed; returns how many.

        Each case is committed as it is done, so stopping (``cancelled``) keeps them.
        """
        with self.context.system_reader() as session:
            pending = set(session.scalars(select(SearchPending.claim_id)))
            # A case never indexed at all (written by bulk SQL, not through a unit of work):
            # every case has at least its own entry once indexed.
            pending.update(
                session.scalars(
                    select(Claim.id).where(~Claim.id.in_(select(SearchEntry.claim_id).distinct()))
                )
            )
        pending_ids = sorted(pending)
        done = 0
        for start in range(0, len(pending_ids), BATCH):
            if cancelled is not None and cancelled():
                raise SearchCancelled()
            batch = pending_ids[start : start + BATCH]
            self._reindex(batch)
            done += len(batch)
            if progress is not None:
                progress(done, len(pending_ids))
        return len(pending_ids)

    def rebuild(self, progress: Progress | None = None) -> int:
        """Index every case again from its records (documents' text is kept if unchanged)."""
        with self.context.write() as session:
            session.execute(
                text(
                    "INSERT INTO search_pending (claim_id) SELECT id FROM claims "
                    "WHERE id NOT IN (SELECT claim_id FROM search_pending)"
                )
            )
        return self.refresh(progress)

    def _reindex(self, claim_ids: list[int]) -> None:
        """Index these cases afresh: read (and extract text) first, then one short write."""
        with self.context.system_reader() as session:
            entries = _entries(session, claim_ids)
            _fill_extracted(session, claim_ids, entries)
        with self.context.write() as session:
            session.execute(delete(SearchEntry).where(SearchEntry.claim_id.in_(claim_ids)))
            # A case removed meanwhile has nothing to index.
            alive = set(session.scalars(select(Claim.id).where(Claim.id.in_(claim_ids))))
            rows = [
                {"claim_id": claim_id, **vars(entry), "body": entry.body[:MAX_ENTRY_CHARS]}
                for claim_id in claim_ids
                if claim_id in alive
                for entry in entries.get(claim_id, [])
            ]
            # Several rows per statement: FTS5 flushes its index at the end of every statement
            # (a savepoint), so one row per statement (executemany) was 100x slower.
            for start in range(0, len(rows), ROWS_PER_INSERT):
                session.execute(insert(SearchEntry).values(rows[start : start + ROWS_PER_INSERT]))
            session.execute(delete(SearchPending).where(SearchPending.claim_id.in_(claim_ids)))


# ---- what is indexed -------------------------------------------------------------------------


def _join(*parts: object) -> str:
    return "\n".join(str(p) for p in parts if p not in (None, ""))


def _entries(session: Session, claim_ids: list[int]) -> dict[int, list[_Entry]]:
    """The entries of each case, read a whole batch of cases per query."""
    found: dict[int, list[_Entry]] = defaultdict(list)

    def add(claim_id: int, entry: _Entry) -> None:
        found[claim_id].append(entry)

    for claim in session.scalars(select(Claim).where(Claim.id.in_(claim_ids))):
        add(
            claim.id,
            _Entry(
                "claim",
                claim.id,
                "Case details",
                _join(
                    claim.claimant_name,
                    claim.case_number,
                    claim.insurer_claim_number,
                    claim.policy_number,
                    claim.group_number,
                    claim.member_id,
                    claim.plan_name,
                    claim.disputed_service,
                    claim.denial_reason,
                    claim.reviewer_name,
                    claim.reviewer_credentials,
                    claim.criteria_cited,
                    claim.proof_of_receipt,
                ),
            ),
        )
    for note in session.scalars(select(Note).where(Note.claim_id.in_(claim_ids))):
        add(note.claim_id, _Entry("note", note.id, "Note", note.body))
    calls = session.scalars(
        select(CallLogEntry)
        .where(CallLogEntry.claim_id.in_(claim_ids))
        .options(selectinload(CallLogEntry.promises))
    )
    for call in calls:
        who = call.person_name or "unnamed"
        reference = f", ref. {call.call_reference}" if call.call_reference else ""
        title = f"Call {call.occurred_at.date().isoformat()} with {who}{reference}"
        body = _join(
            call.person_name,
            call.person_staff_id,
            call.call_reference,
            call.number_dialled,
            call.summary,
            call.refusal_detail,
            call.amendment_reason,
            *(p.description for p in call.promises),
        )
        add(call.claim_id, _Entry("call", call.id, title, body))
    requests = session.scalars(
        select(DocumentRequest).where(DocumentRequest.claim_id.in_(claim_ids))
    )
    for request in requests:
        title = f"{request.kind.label} requested {request.sent_on.isoformat()}"
        body = _join(
            request.kind.label,
            request.description,
            request.recipient_name,
            request.reference,
            request.notes,
        )
        add(request.claim_id, _Entry("request", request.id, title, body))
    for document in session.scalars(select(Document).where(Document.claim_id.in_(claim_ids))):
        body = _join(
            document.title, document.original_name, document.kind.label, document.description
        )
        entry = _Entry("document", document.id, document.title, body)
        entry.extracted_sha256 = document.sha256
        add(document.claim_id, entry)
    opinions = session.execute(
        select(SecondOpinion, Specialist)
        .join(Specialist, Specialist.id == SecondOpinion.specialist_id)
        .where(SecondOpinion.claim_id.in_(claim_ids))
    )
    for opinion, specialist in opinions:
        body = _join(
            specialist.name,
            specialist.specialty,
            specialist.institution,
            opinion.conclusion,
            opinion.guidelines_cited,
            opinion.notes,
        )
        title = f"Second opinion: {specialist.name}"
        add(opinion.claim_id, _Entry("opinion", opinion.id, title, body))
    imes = session.scalars(
        select(IndependentMedicalExam).where(IndependentMedicalExam.claim_id.in_(claim_ids))
    )
    for ime in imes:
        body = _join(
            ime.examiner_name,
            ime.examiner_specialty,
            ime.paid_by,
            ime.representative_name,
            ime.findings,
            ime.notes,
        )
        title = f"IME: {ime.examiner_name or 'examiner not named'}"
        add(ime.claim_id, _Entry("ime", ime.id, title, body))
    for appeal in session.scalars(select(Appeal).where(Appeal.claim_id.in_(claim_ids))):
        reference = f", ref. {appeal.reference}" if appeal.reference else ""
        body = _join(
            appeal.reviewing_body,
            appeal.reference,
            appeal.proof_of_receipt,
            appeal.decision_summary,
            appeal.notes,
        )
        add(appeal.claim_id, _Entry("appeal", appeal.id, f"{appeal.level.label}{reference}", body))
    for letter in session.scalars(select(Letter).where(Letter.claim_id.in_(claim_ids))):
        body = _join(letter.template_name, letter.recipient, letter.notes)
        title = f"Letter: {letter.template_name}"
        add(letter.claim_id, _Entry("letter", letter.id, title, body))
    return found


def _fill_extracted(
    session: Session, claim_ids: list[int], entries: dict[int, list[_Entry]]
) -> None:
    """Keep text already extracted from an unchanged file; extract the rest."""
    documents = [e for claim in entries.values() for e in claim if e.kind == "document"]
    if not documents:
        return
    rows = session.execute(
        select(SearchEntry.record_id, SearchEntry.extracted_sha256, SearchEntry.extracted).where(
            SearchEntry.claim_id.in_(claim_ids), SearchEntry.kind == "document"
        )
    )
    known = {(record_id, sha): extracted for record_id, sha, extracted in rows}
    # What was read of a file (OCR of its scanned pages too) is kept by its SHA-256
    # (services/scans.py) and wins over what pypdf alone can get.
    read: dict[str, str] = {
        sha: text
        for sha, text in session.execute(
            select(DocumentText.sha256, DocumentText.text).where(
                DocumentText.sha256.in_({e.extracted_sha256 for e in documents})
            )
        )
    }
    for entry in documents:
        kept = read.get(entry.extracted_sha256)
        if kept is None:
            kept = known.get((entry.record_id, entry.extracted_sha256))
        if kept is not None:
            entry.extracted = kept
            continue
        media_type, data = session.execute(
            select(Document.media_type, DocumentContent.data)
            .join(DocumentContent, DocumentContent.document_id == Document.id)
            .where(Document.id == entry.record_id)
        ).one_or_none() or ("", b"")
        entry.extracted = extract_text(data, media_type) if data else ""


def extract_text(data: bytes, media_type: str) -> str:
    """The text of a PDF, Word or text file, as far as it can be had; "" for scans and images.

    Never raises: a damaged file is still found by its title.
    """
    try:
        if media_type == "application/pdf" or data.startswith(b"%PDF"):
            return _pdf_text(data)
        if media_type.endswith("wordprocessingml.document"):
            import docx

            document = docx.Document(io.BytesIO(data))
            return _cap("\n".join(p.text for p in document.paragraphs))
        if media_type.startswith("text/"):
            from claimdesk.packets.convert import decode_text

            return _cap(decode_text(data))
    except Exception as error:
        log.info("no text extracted from a %s file: %s", media_type, type(error).__name__)
    return ""


def _pdf_text(data: bytes) -> str:
    from claimdesk.pdf import pdf_text

    # Unlocked if it has only an empty password, rebuilt through PDFium if pypdf cannot read it.
    return _cap(pdf_text(data, MAX_EXTRACT_PAGES, MAX_EXTRACT_CHARS))


def _cap(value: str) -> str:
    return " ".join(value.split())[:MAX_EXTRACT_CHARS]


# ---- queries ---------------------------------------------------------------------------------

_TERM = re.compile(r'"([^"]+)"|(\S+)')


def query_terms(query: str) -> list[str]:
    """The words of a query; a quoted run of words is one term (a phrase)."""
    terms = []
    for phrase, word in _TERM.findall(query):
        term = " ".join((phrase or word).replace('"', " ").split())
        if term and any(ch.isalnum() for ch in term):
            terms.append(term)
    return terms[:MAX_QUERY_TERMS]


def fts_phrase(term: str) -> str:
    """An FTS5 phrase matching the term's words in order, the last one as a prefix.

    Quoting keeps the user's punctuation (a reference like REF-4471, a colon, AND/OR/NOT) from
    being read as FTS5 query syntax.
    """
    words = re.findall(r"\w+", term)
    if not words:
        return '""'
    return '"' + " ".join(words) + '"*'


def ts_query(terms: list[str]) -> str:
    """A PostgreSQL tsquery meaning what ``fts_phrase`` means to FTS5: each term's words in
    order, the last one a prefix, every term required. Only letters and digits reach it, so
    nothing the user types is read as query syntax."""
    phrases = []
    for term in terms:
        words = _server_words(term.lower())
        if words:
            phrases.append("(" + " <-> ".join([*words[:-1], words[-1] + ":*"]) + ")")
    return " & ".join(phrases) or "''"


def _server_words(text: str) -> list[str]:
    """The words PostgreSQL's index holds (``[[:alnum:]]`` runs): letters and digits with their
    combining marks, so a Devanagari word's vowel signs stay inside it."""
    kept = "".join(
        ch if ch.isalnum() or unicodedata.category(ch).startswith("M") else " " for ch in text
    )
    return kept.split()


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def make_snippet(value: str, terms: list[str], width: int = 120) -> str:
    """A stretch of ``value`` around the first match, the matches marked.

    Linear in ``value``; case and accents are ignored, as the index ignores them.
    """
    flat = " ".join(value.split())
    folded = fold(flat)
    needles = sorted({fold(t) for t in terms} - {""}, key=len, reverse=True)
    positions = [p for p in (folded.find(n) for n in needles) if p >= 0]
    if not positions:  # a phrase written with other punctuation: look for its words
        needles = sorted({fold(w) for t in terms for w in re.findall(r"\w+", t)}, key=len)[::-1]
        positions = [p for p in (folded.find(n) for n in needles) if p >= 0]
    start = max(0, min(positions) - width // 3) if positions else 0
    piece, folded_piece = flat[start : start + width], folded[start : start + width]
    marked: list[str] = []
    done = 0
    if needles:
        pattern = re.compile("|".join(re.escape(n) for n in needles))
        for hit in pattern.finditer(folded_piece):
            marked += [
                piece[done : hit.start()],
                HIT_START,
                piece[hit.start() : hit.end()],
                HIT_END,
            ]
            done = hit.end()
    marked.append(piece[done:])
    return ("…" if start else "") + "".join(marked) + ("…" if start + width < len(flat) else "")


class _Folding(dict[int, str]):
    """Each character's lower-case letter without its accents, one character for one."""

    def __missing__(self, code: int) -> str:
        base = unicodedata.normalize("NFD", chr(code))[0]
        lower = base.lower()
        self[code] = folded = lower if len(lower) == 1 else base
        return folded


_FOLDING = _Folding()


def fold(value: str) -> str:
    """``value`` for matching: case and accents dropped, every position kept."""
    return value.lower() if value.isascii() else value.translate(_FOLDING)
