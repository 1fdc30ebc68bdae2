"""Global search: full text over every case's calls, notes, names, references and documents.

The index (``search_entries``, with an FTS5 table over it on SQLite) is derived data. A change
to a case marks it pending in the same transaction (``context.mark_for_search``); a search first
reindexes the pending cases, so results are never stale, and a database upgraded from before
the index builds it at its first search. Text is extracted from a document's file once and kept
while the file is unchanged.
"""

from __future__ import annotations

import functools
import io
import itertools
import logging
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Integer, Table, bindparam, delete, insert, or_, select, text

from claimdesk.errors import SearchCancelled, ValidationError
from claimdesk.models import (
    Appeal,
    CallLogEntry,
    CallPromise,
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
from claimdesk.storage.db import driver_rows

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

# Searches read and the index is written through Core: the ORM's per-row work was most of a
# search's time (issue 16). The tables, as the models declare them.
_ENTRIES = cast(Table, SearchEntry.__table__)
_PENDING = cast(Table, SearchPending.__table__)
_CLAIMS = cast(Table, Claim.__table__)

_SIZE = "length(e.title) + length(e.body) + length(e.extracted)"
# A caseworker limited to their cases finds only those (ServiceContext.visible_to); NULL for
# everyone else. Filtered before the limit, so the limit counts hits they may see.
_VISIBLE = (
    "(CAST(:visible AS INTEGER) IS NULL OR e.claim_id IN "
    "(SELECT id FROM claims WHERE assigned_user_id = :visible))"
)
# One statement a search: the best hits, then their cases' numbers and names. Short rows get
# FTS5's own snippet; long ones are cut in Python (see FTS_SNIPPET_CHARS).
FTS_QUERY = (
    "SELECT e.claim_id, c.case_number, c.claimant_name, e.kind, e.record_id, e.title, "
    "e.snippet, e.body, e.extracted FROM ("
    "SELECT e.id, e.claim_id, e.kind, e.record_id, e.title, "
    f"CASE WHEN {_SIZE} <= :small THEN "
    f"snippet(search_fts, -1, '{HIT_START}', '{HIT_END}', '…', 16) END AS snippet, "
    f"CASE WHEN {_SIZE} > :small THEN e.body END AS body, "
    f"CASE WHEN {_SIZE} > :small THEN e.extracted END AS extracted, "
    "bm25(search_fts, 4.0, 2.0, 1.0) AS score "
    "FROM search_fts JOIN search_entries AS e ON e.id = search_fts.rowid "
    f"WHERE search_fts MATCH :match AND {_VISIBLE} "
    "ORDER BY score, e.id LIMIT :limit"
    ") AS e JOIN claims AS c ON c.id = e.claim_id ORDER BY e.score, e.id"
)
_TSVECTOR_QUERY = text(
    "SELECT e.claim_id, c.case_number, c.claimant_name, e.kind, e.record_id, e.title, "
    "e.body, e.extracted FROM ("
    "SELECT e.id, e.claim_id, e.kind, e.record_id, e.title, e.body, e.extracted, "
    "ts_rank(e.search_vector, q) AS score "
    "FROM search_entries AS e, to_tsquery('simple', claimdesk_unaccent(:query)) AS q "
    f"WHERE e.search_vector @@ q AND {_VISIBLE} "
    "ORDER BY score DESC, e.id LIMIT :limit"
    ") AS e JOIN claims AS c ON c.id = e.claim_id ORDER BY e.score DESC, e.id"
)


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
        # Whether cases never indexed at all (written by bulk SQL, or upgraded from before the
        # index) have been looked for since this service started; after that, units of work
        # queue every change in search_pending and a search reads that table alone.
        self._unindexed_checked = False

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
        if self._unindexed_checked:
            with self.context.reader_connection() as connection:
                waiting = _pending_ids(connection)
                if not waiting:
                    return self._found(connection, query, terms, limit)
            self._reindex_all(waiting, progress, cancelled)
        else:
            self.refresh(progress, cancelled)
        with self.context.reader_connection() as connection:
            return self._found(connection, query, terms, limit)

    def _found(
        self, connection: Connection, query: str, terms: list[str], limit: int
    ) -> SearchResult:
        if self._use_fts(connection):
            rows = self._fts_rows(connection, terms, limit + 1)
        elif connection.dialect.name == "postgresql":
            rows = self._tsvector_rows(connection, terms, limit + 1)
        else:
            rows = self._like_rows(connection, terms, limit + 1)
        truncated = len(rows) > limit
        grouped: dict[int, CaseHits] = {}
        for claim_id, case_number, claimant, kind, record_id, title, snippet in rows[:limit]:
            case = grouped.get(claim_id)
            if case is None:
                case = grouped[claim_id] = CaseHits(claim_id, case_number, claimant)
            case.hits.append(SearchHit(kind, record_id, title, " ".join(snippet.split())))
        hits = sum(len(case.hits) for case in grouped.values())
        return SearchResult(query, list(grouped.values()), hits, truncated)

    def _fts_rows(
        self, connection: Connection, terms: list[str], limit: int
    ) -> list[tuple[Any, ...]]:
        found = driver_rows(
            connection,
            FTS_QUERY,
            {
                "match": fts_match(terms),
                "limit": limit,
                "small": FTS_SNIPPET_CHARS,
                "visible": self.context.visible_to,
            },
        )
        rows = [
            (*case, kind, record_id, title, snippet)
            if snippet is not None
            else (*case, kind, record_id, title, make_snippet(_join(title, body, extra), terms))
            for *case, kind, record_id, title, snippet, body, extra in found
        ]
        return _by_best_case(rows)

    def _tsvector_rows(
        self, connection: Connection, terms: list[str], limit: int
    ) -> list[tuple[Any, ...]]:
        """PostgreSQL's full-text search over the generated ``search_vector`` (migration 0002):
        the same words, prefixes and phrases as FTS5, ranked title over body over a document's
        text, through the GIN index."""
        found = connection.execute(
            _TSVECTOR_QUERY,
            {"query": ts_query(terms), "limit": limit, "visible": self.context.visible_to},
        ).all()
        rows = [
            (*case, kind, record_id, title, make_snippet(_join(title, body, extra), terms))
            for *case, kind, record_id, title, body, extra in found
        ]
        return _by_best_case(rows)

    def _like_rows(
        self, connection: Connection, terms: list[str], limit: int
    ) -> list[tuple[Any, ...]]:
        """Without FTS5 (a Python built without it): every term, anywhere."""
        entries, claims = _ENTRIES.c, _CLAIMS.c
        conditions = []
        for term in terms:
            pattern = f"%{_like_escape(term)}%"
            conditions.append(
                or_(
                    entries.title.ilike(pattern, escape="\\"),
                    entries.body.ilike(pattern, escape="\\"),
                    entries.extracted.ilike(pattern, escape="\\"),
                )
            )
        if self.context.visible_to is not None:
            conditions.append(claims.assigned_user_id == self.context.visible_to)
        found = connection.execute(
            select(
                entries.claim_id,
                claims.case_number,
                claims.claimant_name,
                entries.kind,
                entries.record_id,
                entries.title,
                entries.body,
                entries.extracted,
            )
            .join_from(_ENTRIES, _CLAIMS, claims.id == entries.claim_id)
            .where(*conditions)
            .order_by(entries.claim_id.desc(), entries.id)
            .limit(limit)
        )
        return [
            (*case, kind, record_id, title, make_snippet(_join(title, body, extra), terms))
            for *case, kind, record_id, title, body, extra in found
        ]

    def _use_fts(self, connection: Connection) -> bool:
        if self._fts is None:
            self._fts = connection.dialect.name == "sqlite" and bool(
                connection.exec_driver_sql(
                    "SELECT 1 FROM sqlite_master WHERE type='table' AND name='search_fts'"
                ).first()
            )
        return self._fts

    # ---- indexing ----------------------------------------------------------------------------

    def pending(self) -> int:
        """How many cases wait to be (re)indexed."""
        with self.context.system_reader() as session:
            connection = session.connection()
            return len(_pending_ids(connection) | _unindexed_ids(connection))

    def refresh(
        self, progress: Progress | None = None, cancelled: Callable[[], bool] | None = None
    ) -> int:
        """Reindex every case changed since it was last indexed, and every case never indexed
        at all; returns how many.

        Each batch of cases is committed as it is done, so stopping (``cancelled``) keeps them.
        """
        with self.context.system_reader() as session:
            connection = session.connection()
            waiting = _pending_ids(connection) | _unindexed_ids(connection)
        done = self._reindex_all(waiting, progress, cancelled)
        self._unindexed_checked = True
        return done

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

    def _reindex_all(
        self,
        claim_ids: set[int],
        progress: Progress | None,
        cancelled: Callable[[], bool] | None,
    ) -> int:
        ordered = sorted(claim_ids)
        done = 0
        for start in range(0, len(ordered), BATCH):
            if cancelled is not None and cancelled():
                raise SearchCancelled()
            batch = ordered[start : start + BATCH]
            self._reindex(batch)
            done += len(batch)
            if progress is not None:
                progress(done, len(ordered))
        return len(ordered)

    def _reindex(self, claim_ids: list[int]) -> None:
        """Index these cases afresh: read (and extract text) first, then one short write."""
        with self.context.system_reader() as session:
            connection = session.connection()
            entries = _entries(connection, claim_ids)
            _fill_extracted(connection, claim_ids, entries)
        with self.context.write() as session, _roomy_cache(session.connection()) as connection:
            table = _ENTRIES
            connection.execute(delete(table).where(table.c.claim_id.in_(claim_ids)))
            # A case removed meanwhile has nothing to index.
            alive = set(
                connection.execute(select(_CLAIMS.c.id).where(_CLAIMS.c.id.in_(claim_ids)))
                .scalars()
                .all()
            )
            rows = [
                (
                    claim_id,
                    e.kind,
                    e.record_id,
                    e.title,
                    e.body[:MAX_ENTRY_CHARS],
                    e.extracted,
                    e.extracted_sha256,
                )
                for claim_id in claim_ids
                if claim_id in alive
                for e in entries.get(claim_id, [])
            ]
            _insert_entries(connection, rows)
            pending = _PENDING.c.claim_id
            connection.execute(delete(_PENDING).where(pending.in_(claim_ids)))


# SQLite's page cache while index rows are written: FTS5 merges its segments as they grow, and
# with the default 2 MB it read the same pages again and again (the first full index of the
# office database wrote 1.5-2x faster with this; issue 16).
INDEXING_CACHE_KIB = 65_536


@contextmanager
def _roomy_cache(connection: Connection) -> Iterator[Connection]:
    """``connection`` with a bigger SQLite page cache, given back at the end (the connection
    returns to the pool, and the memory with it)."""
    if connection.dialect.name != "sqlite":
        yield connection
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{INDEXING_CACHE_KIB}")
    yield connection
    # Not after a failure: the error goes up as it is, and the pooled connection merely keeps
    # the bigger cache.
    connection.exec_driver_sql(f"PRAGMA cache_size = {int(before or -2000)}")


def _pending_ids(connection: Connection) -> set[int]:
    # On the driver's connection: this runs before every search, and SQLAlchemy's statement
    # handling was most of its cost.
    return {row[0] for row in driver_rows(connection, "SELECT claim_id FROM search_pending")}


def _unindexed_ids(connection: Connection) -> set[int]:
    """Cases without a single entry (every case has its own once indexed): written by bulk
    SQL rather than a unit of work, or from before the index."""
    claims, entries = _CLAIMS.c, _ENTRIES.c
    return set(
        connection.execute(
            select(claims.id).where(~claims.id.in_(select(entries.claim_id).distinct()))
        )
        .scalars()
        .all()
    )


def _by_best_case(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Grouped by case in the order of each case's best hit, each case's own order kept."""
    best: dict[int, int] = {}
    for position, row in enumerate(rows):
        best.setdefault(row[0], position)
    return sorted(rows, key=lambda r: best[r[0]])


_ENTRY_COLUMNS = ("claim_id", "kind", "record_id", "title", "body", "extracted", "extracted_sha256")


def _insert_entries(connection: Connection, rows: list[tuple[Any, ...]]) -> None:
    """Insert the index rows: many to a statement on SQLite, where FTS5 flushes its index at
    the end of every statement (one row per statement, executemany, was 3 to 100 times
    slower); executemany elsewhere."""
    if not rows:
        return
    if connection.dialect.name != "sqlite":
        connection.execute(
            insert(_ENTRIES), [dict(zip(_ENTRY_COLUMNS, r, strict=True)) for r in rows]
        )
        return
    for start in range(0, len(rows), ROWS_PER_INSERT):
        chunk = rows[start : start + ROWS_PER_INSERT]
        connection.exec_driver_sql(
            _multi_row_insert(len(chunk)), tuple(itertools.chain.from_iterable(chunk))
        )


@functools.cache
def _multi_row_insert(count: int) -> str:
    row = "(" + ", ".join("?" * len(_ENTRY_COLUMNS)) + ")"
    return f"INSERT INTO search_entries ({', '.join(_ENTRY_COLUMNS)}) VALUES " + ", ".join(
        [row] * count
    )


# ---- what is indexed -------------------------------------------------------------------------


def _join(*parts: object) -> str:
    return "\n".join(
        [p if isinstance(p, str) else str(p) for p in parts if p is not None and p != ""]
    )


def _entries(connection: Connection, claim_ids: list[int]) -> dict[int, list[_Entry]]:
    """The entries of each case, read a whole batch of cases per query, as rows (Core)."""
    found: dict[int, list[_Entry]] = defaultdict(list)

    def add(claim_id: int, entry: _Entry) -> None:
        found[claim_id].append(entry)

    # The ids as one expanding parameter: as literals, SQLAlchemy coerced all 100 of them for
    # each of the nine queries of every batch.
    ids = bindparam("ids", type_=Integer, expanding=True)
    given = {"ids": claim_ids}

    def rows(*columns: Any, model: Any, extra: Any = None) -> Any:
        statement = select(*columns).where(model.claim_id.in_(ids)).order_by(model.id)
        if extra is not None:
            statement = statement.join(*extra)
        return connection.execute(statement, given)

    claim_rows = connection.execute(
        select(
            Claim.id,
            Claim.claimant_name,
            Claim.case_number,
            Claim.insurer_claim_number,
            Claim.policy_number,
            Claim.group_number,
            Claim.member_id,
            Claim.plan_name,
            Claim.disputed_service,
            Claim.denial_reason,
            Claim.reviewer_name,
            Claim.reviewer_credentials,
            Claim.criteria_cited,
            Claim.proof_of_receipt,
        )
        .where(Claim.id.in_(ids))
        .order_by(Claim.id),
        given,
    )
    for claim_id, *details in claim_rows:
        add(claim_id, _Entry("claim", claim_id, "Case details", _join(*details)))
    for claim_id, note_id, body in rows(Note.claim_id, Note.id, Note.body, model=Note):
        add(claim_id, _Entry("note", note_id, "Note", body))
    promised: dict[int, list[str]] = defaultdict(list)
    promises = connection.execute(
        select(CallPromise.call_id, CallPromise.description)
        .join(CallLogEntry, CallLogEntry.id == CallPromise.call_id)
        .where(CallLogEntry.claim_id.in_(ids))
        .order_by(CallPromise.id),
        given,
    )
    for call_id, description in promises:
        promised[call_id].append(description)
    calls = rows(
        CallLogEntry.claim_id,
        CallLogEntry.id,
        CallLogEntry.occurred_at,
        CallLogEntry.person_name,
        CallLogEntry.person_staff_id,
        CallLogEntry.call_reference,
        CallLogEntry.number_dialled,
        CallLogEntry.summary,
        CallLogEntry.refusal_detail,
        CallLogEntry.amendment_reason,
        model=CallLogEntry,
    )
    for claim_id, call_id, occurred_at, person, staff_id, call_reference, *rest in calls:
        reference = f", ref. {call_reference}" if call_reference else ""
        title = f"Call {occurred_at.date().isoformat()} with {person or 'unnamed'}{reference}"
        body = _join(person, staff_id, call_reference, *rest, *promised.get(call_id, ()))
        add(claim_id, _Entry("call", call_id, title, body))
    requests = rows(
        DocumentRequest.claim_id,
        DocumentRequest.id,
        DocumentRequest.kind,
        DocumentRequest.sent_on,
        DocumentRequest.description,
        DocumentRequest.recipient_name,
        DocumentRequest.reference,
        DocumentRequest.notes,
        model=DocumentRequest,
    )
    for claim_id, request_id, kind, sent_on, *rest in requests:
        title = f"{kind.label} requested {sent_on.isoformat()}"
        add(claim_id, _Entry("request", request_id, title, _join(kind.label, *rest)))
    documents = rows(
        Document.claim_id,
        Document.id,
        Document.title,
        Document.original_name,
        Document.kind,
        Document.description,
        Document.sha256,
        model=Document,
    )
    for claim_id, document_id, title, original_name, kind, description, sha256 in documents:
        body = _join(title, original_name, kind.label, description)
        add(claim_id, _Entry("document", document_id, title, body, extracted_sha256=sha256))
    opinions = rows(
        SecondOpinion.claim_id,
        SecondOpinion.id,
        Specialist.name,
        Specialist.specialty,
        Specialist.institution,
        SecondOpinion.conclusion,
        SecondOpinion.guidelines_cited,
        SecondOpinion.notes,
        model=SecondOpinion,
        extra=(Specialist, Specialist.id == SecondOpinion.specialist_id),
    )
    for claim_id, opinion_id, name, *rest in opinions:
        add(claim_id, _Entry("opinion", opinion_id, f"Second opinion: {name}", _join(name, *rest)))
    imes = rows(
        IndependentMedicalExam.claim_id,
        IndependentMedicalExam.id,
        IndependentMedicalExam.examiner_name,
        IndependentMedicalExam.examiner_specialty,
        IndependentMedicalExam.paid_by,
        IndependentMedicalExam.representative_name,
        IndependentMedicalExam.findings,
        IndependentMedicalExam.notes,
        model=IndependentMedicalExam,
    )
    for claim_id, ime_id, examiner, *rest in imes:
        title = f"IME: {examiner or 'examiner not named'}"
        add(claim_id, _Entry("ime", ime_id, title, _join(examiner, *rest)))
    appeals = rows(
        Appeal.claim_id,
        Appeal.id,
        Appeal.level,
        Appeal.reviewing_body,
        Appeal.reference,
        Appeal.proof_of_receipt,
        Appeal.decision_summary,
        Appeal.notes,
        model=Appeal,
    )
    for claim_id, appeal_id, level, body_name, appeal_reference, *rest in appeals:
        reference = f", ref. {appeal_reference}" if appeal_reference else ""
        body = _join(body_name, appeal_reference, *rest)
        add(claim_id, _Entry("appeal", appeal_id, f"{level.label}{reference}", body))
    letters = rows(
        Letter.claim_id,
        Letter.id,
        Letter.template_name,
        Letter.recipient,
        Letter.notes,
        model=Letter,
    )
    for claim_id, letter_id, template_name, *rest in letters:
        body = _join(template_name, *rest)
        add(claim_id, _Entry("letter", letter_id, f"Letter: {template_name}", body))
    return found


def _fill_extracted(
    connection: Connection, claim_ids: list[int], entries: dict[int, list[_Entry]]
) -> None:
    """Keep text already extracted from an unchanged file; extract the rest."""
    documents = [e for claim in entries.values() for e in claim if e.kind == "document"]
    if not documents:
        return
    old = _ENTRIES.c
    rows = connection.execute(
        select(old.record_id, old.extracted_sha256, old.extracted).where(
            old.claim_id.in_(claim_ids), old.kind == "document"
        )
    )
    known = {(record_id, sha): extracted for record_id, sha, extracted in rows}
    # What was read of a file (OCR of its scanned pages too) is kept by its SHA-256
    # (services/scans.py) and wins over what pypdf alone can get.
    read: dict[str, str] = {
        sha: value
        for sha, value in connection.execute(
            select(DocumentText.sha256, DocumentText.text).where(
                DocumentText.sha256.in_({e.extracted_sha256 for e in documents})
            )
        )
    }
    unread: list[_Entry] = []
    for entry in documents:
        kept = read.get(entry.extracted_sha256)
        if kept is None:
            kept = known.get((entry.record_id, entry.extracted_sha256))
        if kept is None:
            unread.append(entry)
        else:
            entry.extracted = kept
    if not unread:
        return
    by_id = {e.record_id: e for e in unread}
    # One query for the batch, its rows streamed: one file's bytes held at a time.
    contents = connection.execute(
        select(Document.id, Document.media_type, DocumentContent.data)
        .join(DocumentContent, DocumentContent.document_id == Document.id)
        .where(Document.id.in_(by_id))
        .execution_options(stream_results=True)
    )
    for document_id, media_type, data in contents:
        by_id[document_id].extracted = extract_text(data, media_type) if data else ""


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


def fts_match(terms: list[str]) -> str:
    """The FTS5 query for these terms: every one of them, each a phrase."""
    return " AND ".join(fts_phrase(t) for t in terms)


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
