#!/usr/bin/env python3
"""Generate an office-sized ClaimDesk database for benchmarks.

    bench/make_office_db.py OUT.sqlite --claims 5000 --calls 100000 --documents 20000
    bench/make_office_db.py OUT.sqlite --claims 50000 --copy-to postgresql+psycopg://...

Besides the office's ordinary cases it holds reminders for the open deadlines (the lead times
the window reminds at) and two very long cases: LONG_CASES names them (one with 500 calls and
200 documents, one with 5,000 calls), for the benches that open a case.

Rows go in with bulk SQL (the services would take an hour for 100,000 calls); the schema comes
from the real migrations, so the file is a normal ClaimDesk database. ``--copy-to URL`` then
copies every row into an empty PostgreSQL database (made by the same migrations), so the two
backends are measured on the same office.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from claimdesk.paths import sqlite_url
from claimdesk.storage import open_database

FIRST = ["Maria", "Ravi", "Chen", "Aisha", "John", "Sofia", "Liam", "Priya", "Omar", "Grace"]
LAST = ["Lopez", "Kumar", "Wei", "Okafor", "Smith", "Rossi", "Murphy", "Shah", "Haddad", "Kim"]
PLANS = [
    ("erisa_group_health", "health", "US", "CA"),
    ("aca_individual", "health", "US", "TX"),
    ("medicare_advantage", "health", "US", "FL"),
    ("erisa_disability", "disability", "US", "IL"),
    ("uk_private", "disability", "GB", ""),
    ("in_health", "health", "IN", "MH"),
]
STAGES = [
    "denial_received",
    "gathering_records",
    "second_opinion",
    "internal_appeal",
    "external_review",
    "ombudsman",
]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--claims", type=int, default=5000)
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--copy-to", metavar="URL", help="copy the office into this empty PostgreSQL database"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    build(args.out, args.claims, args.calls, args.documents, args.seed)
    size = args.out.stat().st_size / 2**20
    print(
        f"{args.out}: {args.claims:,} claims, {args.calls:,} calls, {args.documents:,} "
        f"documents, {size:.0f} MB in {time.perf_counter() - started:.1f} s"
    )
    if args.copy_to:
        started = time.perf_counter()
        rows = copy_to_server(args.out, args.copy_to)
        print(f"copied {rows:,} rows to the server in {time.perf_counter() - started:.1f} s")
    return 0


def copy_to_server(path: Path, url: str, chunk: int = 5000) -> int:
    """Copy every row of the office file ``path`` into the empty server database ``url``
    (its schema made by the migrations), then move each id sequence past the copied ids."""
    from sqlalchemy import create_engine, func, select, text

    from claimdesk.models import Base

    target = open_database(url)
    source = create_engine(sqlite_url(path))
    copied = 0
    try:
        with source.connect() as reading, target.engine.begin() as writing:
            for table in Base.metadata.sorted_tables:
                if writing.scalar(select(func.count()).select_from(table)):
                    raise SystemExit(f"{url}: {table.name} is not empty; copy into a new database")
                result = reading.execution_options(stream_results=True).execute(select(table))
                for rows in result.mappings().partitions(chunk):
                    writing.execute(table.insert(), [dict(row) for row in rows])
                    copied += len(rows)
                if "id" in table.c and table.c.id.autoincrement is not False:
                    writing.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"(SELECT coalesce(max(id), 0) + 1 FROM {table.name}), false)"
                        )
                    )
            writing.execute(text("ANALYZE"))
    finally:
        source.dispose()
        target.dispose()
    return copied


def build(
    out: Path,
    claim_count: int,
    calls: int,
    documents: int,
    seed: int = 7,
    now: datetime | None = None,
) -> None:
    """Write the database; ``now`` (naive UTC) pins every date in it (the tests pass one)."""
    args = argparse.Namespace(claims=claim_count, calls=calls, documents=documents, out=out)
    rng = random.Random(seed)
    args.out.unlink(missing_ok=True)
    open_database(sqlite_url(args.out)).dispose()
    con = sqlite3.connect(args.out)
    now = now or datetime.now(UTC).replace(tzinfo=None)
    today = now.date()
    con.execute("INSERT INTO users (name, active, created_at) VALUES ('Bench', 1, ?)", (now,))
    con.executemany(
        "INSERT INTO organisations (name, kind, address, phone, fax, email, website, notes) "
        "VALUES (?, 'insurer', '', '', '', '', '', '')",
        [(f"Insurer {n}",) for n in range(1, 41)],
    )
    claims = []
    for n in range(1, args.claims + 1):
        plan, kind, country, region = rng.choice(PLANS)
        received = today - timedelta(days=rng.randint(5, 400))
        claims.append(
            (
                f"CD-{today.year}-{n:05d}",
                f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                rng.randint(1, 40),
                plan,
                country,
                region,
                kind,
                received - timedelta(days=3),
                received,
                "Not medically necessary.",
                rng.choice(STAGES),
                now - timedelta(minutes=n),
                now,
            )
        )
    con.executemany(
        "INSERT INTO claims (case_number, claimant_name, insurer_id, plan_type, country, region, "
        "claim_type, denial_letter_date, denial_received_date, denial_reason, stage, updated_at, "
        "created_at, claimant_address, claimant_phone, claimant_email, plan_name, policy_number, "
        "group_number, member_id, insurer_claim_number, clinical_area, disputed_service, "
        "currency, urgent, proof_of_receipt, denial_category, reviewer_name, "
        "reviewer_credentials, criteria_cited, status, outcome) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,"
        "'','','','','','','','','other','','USD',0,'','medical_necessity','','','','open',"
        "'pending')",
        claims,
    )
    con.executemany(
        "INSERT INTO call_log_entries (claim_id, occurred_at, time_zone, direction, person_name, "
        "person_staff_id, number_dialled, call_reference, summary, refused, refusal_detail, "
        "amendment_reason, created_at, created_by_id) VALUES (?, ?, 'UTC', 'outgoing', 'Agent', "
        "'E-1', '', ?, 'Asked for the claim file and the reviewer report.', 0, '', '', ?, 1)",
        (
            (rng.randint(1, args.claims), now - timedelta(hours=rng.randint(1, 8000)), f"R{n}", now)
            for n in range(args.calls)
        ),
    )
    con.executemany(
        "INSERT INTO documents (claim_id, kind, title, original_name, media_type, size_bytes, "
        "sha256, description, created_at) VALUES (?, 'medical_record', 'Record', 'r.pdf', "
        "'application/pdf', 120000, ?, '', ?)",
        ((rng.randint(1, args.claims), f"{n:064x}", now) for n in range(args.documents)),
    )
    con.executemany(
        "INSERT INTO deadlines (claim_id, title, source, rule_id, trigger_ref, party, due_on, "
        "derivation, citation, override_reason, status, notes, created_at) VALUES (?, "
        "'File the appeal', 'manual', '', '', 'claimant', ?, '', '', '', 'open', '', ?)",
        (
            (n, today + timedelta(days=rng.randint(-10, 180)), now)
            for n in range(1, args.claims + 1)
        ),
    )
    add_office_work(con, rng, args.claims, today, now)
    add_long_cases(con, rng, now)
    add_reminders(con, rng, now)
    con.commit()
    con.execute("ANALYZE")
    con.close()


# Case number -> (calls, documents) of the very long cases; they are the first claims' numbers.
LONG_CASES = {"CD-LONG-00500": (500, 200), "CD-LONG-05000": (5000, 0)}
# Days before a deadline its reminders come (gui/reminders.py's default lead times).
LEAD_DAYS = (14, 7, 3, 1)


def add_long_cases(con: sqlite3.Connection, rng: random.Random, now: datetime) -> None:
    """The first claims become the very long cases: a few hundred or thousand calls more."""
    for claim_id, (number, (calls, documents)) in enumerate(LONG_CASES.items(), start=1):
        con.execute("UPDATE claims SET case_number = ? WHERE id = ?", (number, claim_id))
        con.executemany(
            "INSERT INTO call_log_entries (claim_id, occurred_at, time_zone, direction, "
            "person_name, person_staff_id, number_dialled, call_reference, summary, refused, "
            "refusal_detail, amendment_reason, created_at, created_by_id) VALUES (?, ?, 'UTC', "
            "'outgoing', 'Agent', 'E-1', '', ?, 'Chased the reviewer report again.', 0, '', '', "
            "?, 1)",
            (
                (claim_id, now - timedelta(hours=rng.randint(1, 8000)), f"L{claim_id}-{n}", now)
                for n in range(calls)
            ),
        )
        con.executemany(
            "INSERT INTO documents (claim_id, kind, title, original_name, media_type, size_bytes, "
            "sha256, description, created_at) VALUES (?, 'medical_record', ?, 'r.pdf', "
            "'application/pdf', 120000, ?, '', ?)",
            ((claim_id, f"Record {n}", f"{claim_id:08x}{n:056x}", now) for n in range(documents)),
        )


def add_reminders(con: sqlite3.Connection, rng: random.Random, now: datetime) -> None:
    """A reminder per lead time of every open deadline; those already come shown, mostly."""
    today = now.date()
    rows = []
    for deadline_id, due in con.execute("SELECT id, due_on FROM deadlines WHERE status = 'open'"):
        for lead in LEAD_DAYS:
            remind_on = date.fromisoformat(due) - timedelta(days=lead)
            shown = now if remind_on < today and rng.random() < 0.95 else None
            rows.append((deadline_id, remind_on, shown))
    con.executemany(
        "INSERT INTO reminders (deadline_id, remind_on, shown_at, dismissed) VALUES (?, ?, ?, 0)",
        rows,
    )


CASEWORKERS = ["Alex Moreno", "Bea Quinn", "Chidi Obi", "Dana Fox", "Eli Park", "Fran Ng"]
CURRENCY = {"US": "USD", "GB": "GBP", "IN": "INR"}
CATEGORIES = ["medical_necessity", "experimental", "definition_not_met", "policy_exclusion",
              "functional_capacity", "out_of_network"]  # fmt: skip
LEVELS = ["internal_1", "internal_2", "peer_to_peer", "external_review", "ombudsman"]
OUTCOMES = ["overturned", "upheld", "upheld", "partially_overturned", "upheld"]


def add_office_work(
    con: sqlite3.Connection, rng: random.Random, claims: int, today: date, now: datetime
) -> None:
    """What the dashboard reads: caseworkers, money, outcomes, review levels decided (some
    late), insurer deadlines met, missed and overdue, document requests answered late."""
    con.executemany(
        "INSERT INTO users (name, active, created_at) VALUES (?, 1, ?)",
        [(name, now) for name in CASEWORKERS],
    )
    first_worker = con.execute("SELECT min(id) FROM users WHERE name = ?", (CASEWORKERS[0],))
    base = int(first_worker.fetchone()[0])
    rows = con.execute("SELECT id, country, denial_received_date FROM claims").fetchall()
    updates, appeals, deadlines, requests = [], [], [], []
    for claim_id, country, received in rows:
        received = date.fromisoformat(received)
        worker = None if rng.random() < 0.08 else base + rng.randrange(len(CASEWORKERS))
        closed = rng.random() < 0.2
        outcome = rng.choice(OUTCOMES) if closed else "pending"
        amount = rng.randint(50_000, 5_000_000) if rng.random() < 0.9 else None
        updates.append(
            (
                worker,
                amount,
                CURRENCY.get(country, "USD"),
                rng.choice(CATEGORIES),
                "closed" if closed else "open",
                outcome,
                claim_id,
            )
        )
        filed = received + timedelta(days=rng.randint(5, 60))
        if filed >= today or rng.random() < 0.3:
            continue
        level = rng.choice(LEVELS)
        arrived = filed + timedelta(days=rng.randint(1, 6))
        due = arrived + timedelta(days=30)
        decided = arrived + timedelta(days=rng.randint(10, 50))
        if decided >= today or rng.random() < 0.25:
            decided, result, status = None, "pending", "open"
        else:
            result = rng.choice(OUTCOMES)
            status = "met" if decided <= due else "missed"
        appeals.append((claim_id, level, filed, arrived, decided, result))
        deadlines.append((claim_id, due, status, decided))
        if rng.random() < 0.5:
            sent = received + timedelta(days=rng.randint(1, 20))
            asked_due = sent + timedelta(days=30)
            answered = sent + timedelta(days=rng.randint(5, 60))
            requests.append((claim_id, sent, asked_due, answered if answered < today else None))
    con.executemany(
        "UPDATE claims SET assigned_user_id = ?, amount_minor = ?, currency = ?, "
        "denial_category = ?, status = ?, outcome = ? WHERE id = ?",
        updates,
    )
    con.executemany(
        "INSERT INTO appeals (claim_id, level, reviewing_body, expedited, filed_on, received_on, "
        "proof_of_receipt, reference, decided_on, outcome, decision_summary, notes, created_at) "
        "VALUES (?, ?, '', 0, ?, ?, '', '', ?, ?, '', '', ?)",
        [(*row, now) for row in appeals],
    )
    con.executemany(
        "INSERT INTO deadlines (claim_id, title, source, rule_id, trigger_ref, party, due_on, "
        "derivation, citation, confidence, override_reason, status, completed_on, notes, "
        "created_at) VALUES (?, 'Plan decision on the appeal', 'computed', 'US-ERISA-appeal-pre', "
        "'appeal:internal_1:1', 'insurer', ?, '', '29 CFR 2560.503-1(i)(2)(ii)', 'S', '', ?, ?, "
        "'', ?)",
        [(*row, now) for row in deadlines],
    )
    con.executemany(
        "INSERT INTO document_requests (claim_id, kind, description, recipient_name, method, "
        "sent_on, reference, due_on, received_on, withdrawn, notes, created_at) VALUES (?, "
        "'claim_file', '', '', 'letter', ?, '', ?, ?, 0, '', ?)",
        [(*row, now) for row in requests],
    )


if __name__ == "__main__":
    sys.exit(main())
