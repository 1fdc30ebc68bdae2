"""A real PostgreSQL server misbehaving under ClaimDesk: connections killed by the server, a
deadlock, a restart, a wrong password, a server not there. What can be tried again without
writing twice is (services/context.py); everything else is one plain sentence, never a
traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import make_url

from claimdesk.errors import ServerUnavailableError, StorageError
from claimdesk.models import Claim
from claimdesk.services import Services
from claimdesk.services.context import ServiceContext, retried
from claimdesk.storage import Database, open_database
from tests import postgres
from tests.gui_support import open_case
from tests.pinned import pinned_clock
from tests.signin import as_user


def _terminate(server: str, pid: int) -> None:
    """Kill one backend from an administrator's connection, as pg_terminate_backend does
    when an administrator (or a failover) ends a workstation's session."""
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        engine.dispose()


@pytest.fixture
def on_server(postgres_server: str) -> Iterator[tuple[Services, int]]:
    """Services on a database of the test server's, and a case in it."""
    with postgres.fresh_database(postgres_server) as url:
        db = open_database(url)
        try:
            services = as_user(db, clock=pinned_clock())
            yield services, open_case(services)
        finally:
            db.dispose()


class KillOnce:
    """The first time it is called with a connection (or session), the server ends that
    connection's session; later calls do nothing."""

    def __init__(self, server: str) -> None:
        self.server = server
        self.killed: list[int] = []

    def __call__(self, connection: Any) -> None:
        if not self.killed:
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
            self.killed.append(pid)
            _terminate(self.server, pid)


def test_a_pooled_connection_killed_by_the_server_is_replaced(
    postgres_server: str, on_server: tuple[Services, int]
) -> None:
    services, claim_id = on_server
    with services.db.read_connection() as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    _terminate(postgres_server, pid)  # the pool still holds that connection, now dead
    services.claims.add_note(claim_id, "Called the insurer")
    assert [n.body for n in services.claims.notes(claim_id)] == ["Called the insurer"]
    assert [c.id for c in services.claims.list_claims()] == [claim_id]


def test_a_connection_dropped_before_the_commit_is_tried_again_and_saved_once(
    postgres_server: str, on_server: tuple[Services, int]
) -> None:
    services, claim_id = on_server
    kill = KillOnce(postgres_server)
    # After the note is written, before the audit chain and the commit: the server ends the
    # session, and the transaction dies with it.
    services.context.before_commit(lambda unit: kill(unit.session))
    services.claims.add_note(claim_id, "Sent the appeal")
    assert len(kill.killed) == 1
    assert [n.body for n in services.claims.notes(claim_id)] == ["Sent the appeal"]
    assert services.audit.verify().ok


def test_a_connection_dropped_during_the_commit_says_it_may_not_be_saved(
    postgres_server: str, on_server: tuple[Services, int]
) -> None:
    services, claim_id = on_server
    kill = KillOnce(postgres_server)
    event.listen(services.db.engine, "commit", kill)
    with pytest.raises(ServerUnavailableError) as dropped:
        services.claims.add_note(claim_id, "Faxed the records")
    event.remove(services.db.engine, "commit", kill)
    message = str(dropped.value)
    assert "may or may not have been saved" in message and "Check the case" in message
    assert not dropped.value.retry_safe  # never made twice behind the user's back
    assert services.claims.notes(claim_id) == []  # here it was not; the user checks


DEADLOCKERS = 2


def test_a_deadlock_between_two_workstations_is_tried_again_and_both_save(
    on_server: tuple[Services, int],
) -> None:
    services, first = on_server
    db = services.db
    second = open_case(services)
    barrier = threading.Barrier(DEADLOCKERS)
    tries: list[str] = []
    outcomes: list[str] = []

    @retried
    def lock_both(ctx: ServiceContext, order: tuple[int, int], who: str) -> None:
        with ctx.unit() as unit:
            tries.append(who)
            for n, claim_id in enumerate(order):
                unit.session.execute(select(Claim.id).where(Claim.id == claim_id).with_for_update())
                if n == 0 and tries.count(who) == 1:
                    barrier.wait(30)  # each holds one row, then asks for the other's
                unit.record("update", "claim", claim_id, claim_id, ["member_id"])

    def run(order: tuple[int, int], who: str) -> None:
        try:
            lock_both(ServiceContext(db, services.context.principal, pinned_clock()), order, who)
            outcomes.append("saved")
        except BaseException as error:  # the assert below shows it
            outcomes.append(repr(error))

    threads = [
        threading.Thread(target=run, args=((first, second), "a")),
        threading.Thread(target=run, args=((second, first), "b")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert outcomes == ["saved", "saved"]
    assert len(tries) == 3  # the server chose one victim, which was made again
    assert services.audit.verify().ok


# --- a server of our own: password sign-in, a restart ---------------------------------------


def _bindir() -> Path | None:
    found = shutil.which("pg_config")
    if found:
        out = subprocess.run([found, "--bindir"], capture_output=True, text=True).stdout.strip()
        if (Path(out) / "initdb").exists():
            return Path(out)
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    return versions[-1] if versions else None


def _as_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _detached(command: list[str]) -> None:
    """Run pg_ctl start/restart: the server it leaves running must not hold our pipes (a
    captured output would then never end)."""
    subprocess.run(
        command,
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=120,
    )


PASSWORD = "the right one"


@pytest.fixture(scope="module")
def password_server() -> Iterator[tuple[str, Path]]:
    """A cluster that asks for a password (scram-sha-256), as an office's server does."""
    postgres.need_server()
    bindir = _bindir()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed")
    # Not under pytest's folder: the server's own user must reach it (scripts/pg-server too).
    folder = Path(tempfile.mkdtemp(prefix="claimdesk-pgauth-"))
    secret = folder / "pw"
    secret.write_text(PASSWORD + "\n")
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(secret, "postgres")
    data = folder / "data"
    subprocess.run(
        _as_owner(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "scram-sha-256",
                f"--pwfile={secret}",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ]
        ),
        check=True,
        capture_output=True,
    )
    ctl = [str(bindir / "pg_ctl"), "-D", str(data), "-w", "-t", "60"]
    options = f"-k {folder} -c listen_addresses='' -c fsync=off"
    _detached(_as_owner([*ctl, "-l", str(folder / "log"), "-o", options, "start"]))
    try:
        yield (
            f"postgresql+psycopg://postgres:{PASSWORD.replace(' ', '%20')}@/postgres?host={folder}",
            folder,
        )
    finally:
        subprocess.run(_as_owner([*ctl, "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def _with_password(url: str, password: str) -> str:
    return make_url(url).set(password=password).render_as_string(hide_password=False)


def test_a_wrong_password_is_one_plain_sentence(
    password_server: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from claimdesk.cli import main

    url, _folder = password_server
    wrong = _with_password(url, "not it")
    with pytest.raises(StorageError) as refused:
        open_database(wrong)
    message = str(refused.value)
    assert "refused the database user or password" in message and "Settings" in message
    assert "not it" not in message  # the password is never repeated back

    code = main(["--db", wrong, "claims"])
    err = capsys.readouterr().err
    assert code != 0
    assert "refused the database user or password" in err
    assert "Traceback" not in err and "not it" not in err


def test_a_server_that_is_not_there_is_one_plain_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from claimdesk.cli import main

    postgres.need_server()
    nowhere = f"postgresql+psycopg://postgres@/claimdesk?host={tmp_path / 'no-server'}"
    with pytest.raises(ServerUnavailableError) as refused:
        open_database(nowhere)
    assert "cannot be reached" in str(refused.value)
    code = main(["--db", nowhere, "claims"])
    err = capsys.readouterr().err
    assert code != 0 and "cannot be reached" in err and "Traceback" not in err


def test_services_carry_on_after_the_server_restarts(password_server: tuple[str, Path]) -> None:
    url, folder = password_server
    bindir = _bindir()
    assert bindir is not None
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS restarted WITH (FORCE)"))
        connection.execute(text("CREATE DATABASE restarted"))
    admin.dispose()
    db: Database = open_database(make_url(url).set(database="restarted").render_as_string(False))
    try:
        services = as_user(db, clock=pinned_clock())
        claim_id = open_case(services)
        _detached(
            _as_owner(
                [str(bindir / "pg_ctl"), "-D", str(folder / "data"), "-w", "-m", "fast", "restart"]
            )
        )
        # Every pooled connection died with the old server; the next calls just work.
        assert [c.id for c in services.claims.list_claims()] == [claim_id]
        services.claims.add_note(claim_id, "After the restart")
        assert len(services.claims.notes(claim_id)) == 1
    finally:
        db.dispose()


def test_a_read_only_server_says_so_and_reading_goes_on(
    postgres_server: str, on_server: tuple[Services, int]
) -> None:
    services, claim_id = on_server
    db = services.db
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    name = db.engine.url.database
    with admin.connect() as connection:  # a standby, or a server in maintenance
        connection.execute(text(f"ALTER DATABASE {name} SET default_transaction_read_only = on"))
    db.dispose()  # the setting applies to new sessions
    with pytest.raises(StorageError, match="read-only just now") as refused:
        services.claims.add_note(claim_id, "Not saved")
    assert not refused.value.retry_safe
    assert services.claims.notes(claim_id) == []  # reading still works
    with admin.connect() as connection:
        connection.execute(text(f"ALTER DATABASE {name} RESET default_transaction_read_only"))
    admin.dispose()
    db.dispose()
    services.claims.add_note(claim_id, "Saved")
    assert [n.body for n in services.claims.notes(claim_id)] == ["Saved"]


@pytest.mark.parametrize(
    ("sqlstate", "kind", "words", "retry_safe"),
    [
        ("28P01", StorageError, "refused the database user or password", False),
        ("53100", StorageError, "disk is full", False),
        ("53300", ServerUnavailableError, "no room for another connection", False),
        ("25006", StorageError, "read-only just now", False),
        ("57P01", ServerUnavailableError, "shut down or restarted", True),
        ("08006", ServerUnavailableError, "cannot be reached", True),
        ("40001", StorageError, "at the same moment", True),
        ("40P01", StorageError, "at the same moment", True),
        ("42501", StorageError, "lacks the right", False),
    ],
)
def test_each_server_error_is_a_sentence_saying_what_to_do(
    sqlstate: str, kind: type[StorageError], words: str, retry_safe: bool
) -> None:
    """Those a test cannot make a real server give (a full disk): the server's own error
    class, as psycopg raises it, through the storage edge."""
    import psycopg.errors
    from sqlalchemy import exc

    from claimdesk.storage.db import translate_errors

    server_error = psycopg.errors.lookup(sqlstate)("the server's words")
    for wrapper in (exc.OperationalError, exc.ProgrammingError, exc.InternalError):
        with pytest.raises(kind, match=words) as said, translate_errors():
            raise wrapper("SELECT 1", {}, server_error)
        assert said.value.retry_safe is retry_safe
        assert "the server's words" not in str(said.value)


def test_a_call_is_made_again_only_while_nothing_was_written_and_only_so_often(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from claimdesk.errors import DatabaseBusyError
    from claimdesk.services import context

    waits: list[float] = []
    monkeypatch.setattr(context, "pause", waits.append)
    calls: list[str] = []

    @retried
    def always(error: StorageError) -> None:
        calls.append("tried")
        raise error

    busy = DatabaseBusyError("Another workstation was changing the same records.")
    busy.retry_safe = True
    with pytest.raises(DatabaseBusyError):
        always(busy)
    assert len(calls) == context.RETRIES  # then the sentence is the user's
    assert waits == sorted(waits) and len(waits) == context.RETRIES - 1  # longer each time

    calls.clear()
    with pytest.raises(StorageError):
        always(StorageError("The server's disk is full."))  # not retry-safe: once
    assert calls == ["tried"]

    @retried
    def outer() -> None:
        calls.append("outer")
        always(busy)  # a retried call inside another is tried by the outer one only

    calls.clear()
    with pytest.raises(DatabaseBusyError):
        outer()
    assert calls.count("outer") == context.RETRIES and calls.count("tried") == context.RETRIES
