"""Who is acting: accounts, sign-in, roles, and the principal every unit and every read carries.

A database is set up once, as **personal** (one account, signed in with its password alone) or
as an **office** (the first account is the administrator, who adds the others). Every window and
every command signs in (``sign_in``) and gets a ``Principal``, fixed for the session; the
services are built from it (``ServiceContext(db, principal)``) and refuse, with
``PermissionDenied``, what its role may not do (``Right``, ``ROLE_RIGHTS``). Accounts are made
here and nowhere else, and never deleted: one is disabled, so what it did stays attributed.

Passwords are kept as argon2id hashes (argon2-cffi, its default parameters); a hash made with
weaker parameters is upgraded at the next sign-in (``check_needs_rehash``). A database made
before sign-in existed has accounts without passwords: ``database_mode`` reports it as NEW and
set-up adopts those rows, so no record loses its author.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, Integer, String, column, func, select, table, update

from claimdesk import models
from claimdesk.errors import PermissionDenied, SignInError, ValidationError
from claimdesk.models.enums import Role
from claimdesk.services import validate as v
from claimdesk.services.context import retried
from claimdesk.storage import keys
from claimdesk.storage.db import translate_errors
from claimdesk.storage.locks import exclusive
from claimdesk.storage.types import UTCDateTime, enum_column

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

    from claimdesk.clock import Clock
    from claimdesk.services.context import ServiceContext
    from claimdesk.storage.db import Database

__all__ = [
    "ROLE_RIGHTS",
    "AccountRecord",
    "AccountService",
    "DatabaseMode",
    "PermissionDenied",
    "Principal",
    "Right",
    "SignInError",
    "account_name",
    "database_mode",
    "set_up_office",
    "set_up_personal",
    "sign_in",
    "use_hasher",
]

# The longest account name (the users table's column).
NAME_LENGTH = 120
# The shortest password accepted: it guards health records (and, encrypted, wraps the key).
PASSWORD_MIN = 8
PASSWORD_MAX = 1024

# The settings table's names (models.Setting).
MODE_SETTING = "database_mode"
ONLY_ASSIGNED_SETTING = "caseworkers_see_only_assigned"


# Sign-in reads through Core columns of its own, as the case list does: the window signs in
# before the mapped classes are built (docs/architecture.md, "Start-up").
_USERS = table(
    "users",
    column("id", Integer),
    column("name", String),
    column("role", enum_column(Role)),
    column("active", Boolean),
    column("password_hash", String),
    column("disabled_at", UTCDateTime),
)
_SETTINGS = table("settings", column("name", String), column("value", String))
TABLES = (_USERS, _SETTINGS)


class DatabaseMode(StrEnum):
    """What a database was set up as; NEW until it is (including one made before sign-in)."""

    NEW = "new"
    PERSONAL = "personal"
    OFFICE = "office"


class Right(StrEnum):
    """What a role may do; the services ask for one before they act."""

    READ = "read"  # read and search the cases
    WORK_CASES = "work_cases"  # open and change cases: calls, notes, letters, documents
    EXPORT = "export"  # write a case's records out: case files, packets, calendars
    ADMINISTER = "administer"  # accounts, templates, backup and restore, settings


ROLE_RIGHTS: dict[Role, frozenset[Right]] = {
    Role.ADMIN: frozenset(Right),
    Role.CASEWORKER: frozenset({Right.READ, Right.WORK_CASES, Right.EXPORT}),
    Role.VOLUNTEER: frozenset({Right.READ}),
}


@dataclass(frozen=True)
class Principal:
    """The account acting in this session, fixed when it signs in."""

    user_id: int
    name: str
    role: Role

    def may(self, right: Right) -> bool:
        return right in ROLE_RIGHTS[self.role]

    def require(self, right: Right, doing: str) -> None:
        """Refuse, naming what this role cannot do, unless the role has ``right``."""
        if not self.may(right):
            raise PermissionDenied(refusal(self.role, doing))


def refusal(role: Role, doing: str) -> str:
    """The message of a refused action: what the role cannot do, and who can."""
    who = "An administrator" if role is not Role.ADMIN else "Another account"
    if role is Role.VOLUNTEER:
        can = "A volunteer account can read and search the cases but cannot change or export them"
    else:
        can = f"A {role.label.lower()} account cannot {doing}"
        return f"{can}. {who} can do it, or give this account the right role."
    return f"{can} (here: {doing}). {who} can do it, or give this account the right role."


@dataclass(frozen=True)
class AccountRecord:
    id: int
    name: str
    display_name: str
    role: Role
    active: bool
    has_password: bool
    created_at: datetime
    disabled_at: datetime | None

    @property
    def shown_name(self) -> str:
        return self.display_name or self.name


# --- passwords -----------------------------------------------------------------------------

_hasher = PasswordHasher()  # argon2id with argon2-cffi's defaults (RFC 9106's low-memory set)


def use_hasher(hasher: PasswordHasher) -> PasswordHasher:
    """Hash new passwords with ``hasher`` from now on (tests use cheap parameters so the suite
    stays fast); returns the one it replaces. Hashes made with other parameters are upgraded at
    their next sign-in."""
    global _hasher
    previous, _hasher = _hasher, hasher
    return previous


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def checked_password(password: str, what: str = "The password") -> str:
    """A new password as accepted: 8 to 1024 characters, not only spaces."""
    if not password.strip():
        raise ValidationError(
            f"{what} is empty; type a password of at least {PASSWORD_MIN} characters.", "password"
        )
    if len(password) < PASSWORD_MIN:
        raise ValidationError(
            f"{what} is too short: use at least {PASSWORD_MIN} characters (a few words make "
            "a password that is long and easy to remember).",
            "password",
        )
    if len(password) > PASSWORD_MAX:
        raise ValidationError(f"{what} is longer than {PASSWORD_MAX} characters.", "password")
    return password


def _password_matches(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


# --- names ---------------------------------------------------------------------------------


def account_name(text: str, what: str = "Your name") -> str:
    """An account name as stored: one line, spaces collapsed, 1 to 120 characters."""
    name = " ".join(text.split())
    if not name:
        raise ValidationError("Enter a name for the account, so work is attributed to it.")
    return v.line(name, what, max_length=NAME_LENGTH)


def account_lock(name: str) -> str:
    """The lock (storage/locks.py) held while an account of this name is looked for and made:
    names are unique whatever their case."""
    return f"account:{name.lower()}"


def _find(session: Session, name: str) -> models.User | None:
    """The account called ``name``: exactly, else the one whose name differs only in case."""
    user = session.scalar(select(models.User).where(models.User.name == name))
    if user is not None:
        return user
    matches = list(
        session.scalars(select(models.User).where(func.lower(models.User.name) == name.lower()))
    )
    return matches[0] if len(matches) == 1 else None


def _principal(user: models.User) -> Principal:
    return Principal(user.id, user.name, user.role)


def _record(user: models.User) -> AccountRecord:
    return AccountRecord(
        user.id,
        user.name,
        user.display_name,
        user.role,
        user.disabled_at is None and user.active,
        user.password_hash is not None,
        user.created_at,
        user.disabled_at,
    )


def assignee(session: Session, name: str) -> models.User:
    """The enabled account called ``name``, to assign a case to."""
    user = _find(session, " ".join(name.split()))
    if user is None:
        raise ValidationError(
            f"There is no account '{name[:NAME_LENGTH]}' to assign the case to; pick one from "
            "the list (an administrator adds accounts).",
            "assigned_to",
        )
    if user.disabled_at is not None or not user.active:
        raise ValidationError(
            f"The account '{user.name}' is disabled; assign the case to someone else.",
            "assigned_to",
        )
    return user


def imported_author(session: Session, name: str) -> models.User:
    """The account a record from a case file is attributed to: the one of that name, or, for
    a person of another database, a disabled account that only carries their name (it cannot
    sign in; an administrator may give it a password later)."""
    exclusive(session, account_lock(name))
    user = _find(session, name)
    if user is None:
        user = models.User(name=name, role=Role.CASEWORKER, active=False)
        session.add(user)
        session.flush()
        user.disabled_at = user.created_at
    return user


# --- the database's mode and set-up --------------------------------------------------------


def setting(connection: Connection, name: str) -> str | None:
    """A setting of the database (Core: read before the mapped classes are built)."""
    value: str | None = connection.scalar(select(_SETTINGS.c.value).where(_SETTINGS.c.name == name))
    return value


def _set(session: Session, name: str, value: str) -> None:
    row = session.get(models.Setting, name)
    if row is None:
        session.add(models.Setting(name=name, value=value))
    else:
        row.value = value


def database_mode(db: Database) -> DatabaseMode:
    """Personal or office, or NEW: not set up yet (a new file, or one made before sign-in)."""
    with db.read_connection() as connection:
        return _mode(connection)


def _mode(connection: Connection) -> DatabaseMode:
    value = setting(connection, MODE_SETTING)
    try:
        return DatabaseMode(value) if value else DatabaseMode.NEW
    except ValueError:
        return DatabaseMode.NEW


def existing_accounts(db: Database) -> list[str]:
    """The names of accounts already in a NEW database (made before sign-in): set-up keeps
    them, and what they did stays attributed to them."""
    with db.read() as session:
        return list(session.scalars(select(models.User.name).order_by(models.User.id)))


def set_up_personal(db: Database, name: str, password: str, clock: Clock) -> Principal:
    """Make this a personal database: one account, ``name``, signed in with ``password`` alone.

    A database used before sign-in existed keeps its work: the account of that name, or else
    the one that did the most, becomes the personal account (renamed to ``name``).
    """
    name = account_name(name)
    checked_password(password)
    with db.write() as session:
        exclusive(session, "set-up")  # two workstations setting up one server: one wins
        _refuse_if_set_up(session)
        user = _find(session, name) or _most_active(session)
        if user is None:
            user = models.User(name=name, created_at=clock.now())
            session.add(user)
        user.name = name
        _make_signable(user, password, Role.ADMIN)
        _set(session, MODE_SETTING, DatabaseMode.PERSONAL.value)
        session.flush()
        return _principal(user)


def set_up_office(
    db: Database, name: str, password: str, clock: Clock, display_name: str | None = None
) -> Principal:
    """Make this an office database whose first account, ``name``, is its administrator.

    Accounts already in the database (made before sign-in) are kept without a password, as
    caseworkers: the administrator gives each a password (``AccountService.change_password``)
    or disables it; what they did stays attributed to them.
    """
    name = account_name(name)
    checked_password(password)
    shown = account_name(display_name, "Display name") if display_name else ""
    with db.write() as session:
        exclusive(session, "set-up")  # two workstations setting up one server: one wins
        _refuse_if_set_up(session)
        user = _find(session, name)
        for other in session.scalars(select(models.User)):
            if other is not user and other.password_hash is None:
                other.role = Role.CASEWORKER
        if user is None:
            user = models.User(name=name, created_at=clock.now())
            session.add(user)
        user.name = name
        user.display_name = shown or user.display_name
        _make_signable(user, password, Role.ADMIN)
        _set(session, MODE_SETTING, DatabaseMode.OFFICE.value)
        _set(session, ONLY_ASSIGNED_SETTING, "0")
        session.flush()
        return _principal(user)


def _refuse_if_set_up(session: Session) -> None:
    row = session.get(models.Setting, MODE_SETTING)
    if row is not None and row.value in (DatabaseMode.PERSONAL, DatabaseMode.OFFICE):
        raise ValidationError(
            "This database is already set up; sign in to it. An administrator adds accounts "
            "with 'claimdesk users add'."
        )


def _most_active(session: Session) -> models.User | None:
    acts = func.count(models.AuditEvent.id)
    row = session.execute(
        select(models.User, acts)
        .outerjoin(models.AuditEvent, models.AuditEvent.user_id == models.User.id)
        .group_by(models.User.id)
        .order_by(acts.desc(), models.User.id)
        .limit(1)
    ).first()
    return row[0] if row is not None else None


def _make_signable(user: models.User, password: str, role: Role) -> None:
    user.password_hash = hash_password(password)
    user.role = role
    user.active = True
    user.disabled_at = None


# --- sign-in -------------------------------------------------------------------------------


def sign_in(db: Database, name: str | None, password: str) -> Principal:
    """The principal of the account ``name`` if ``password`` is its password.

    On a personal database ``name`` may be None (its one account). Raises ``SignInError``
    saying what to do: set the database up, check the name, ask an administrator.
    """
    with db.read_connection() as connection:
        mode = _mode(connection)
        if mode is DatabaseMode.NEW:
            raise SignInError(
                "This database is not set up for sign-in yet. Open ClaimDesk to set it up, or "
                "run 'claimdesk setup --personal' (one person) or 'claimdesk setup --office "
                "--user NAME' (an office); work already in it is kept."
            )
        if name is None or not name.strip():
            if mode is DatabaseMode.OFFICE:
                raise SignInError("Enter your account name to sign in to this office database.")
            users = _USERS.c
            name = connection.scalar(
                select(users.name)
                .where(users.password_hash.is_not(None), users.disabled_at.is_(None))
                .order_by(users.id)
                .limit(1)
            )
            if name is None:
                raise SignInError("This personal database has no account to sign in to.")
    return _verify(db, name, password)


def _user_row(connection: Connection, name: str) -> Any:
    """The account called ``name``: exactly, else the one whose name differs only in case."""
    users = _USERS.c
    fields = (
        users.id,
        users.name,
        users.role,
        users.active,
        users.password_hash,
        users.disabled_at,
    )
    row = connection.execute(select(*fields).where(users.name == name)).first()
    if row is not None:
        return row
    rows = connection.execute(
        select(*fields).where(func.lower(users.name) == name.lower()).limit(2)
    ).all()
    return rows[0] if len(rows) == 1 else None


def _verify(db: Database, name: str, password: str) -> Principal:
    wanted = " ".join(name.split())
    with db.read_connection() as connection:
        user = _user_row(connection, wanted)
    if user is None:
        raise SignInError(
            f"There is no account '{wanted[:NAME_LENGTH]}'. Check the spelling, or ask an "
            "administrator to add it."
        )
    if user.disabled_at is not None or not user.active:
        raise SignInError(
            f"The account '{user.name}' is disabled. Ask an administrator to add an "
            "account for you."
        )
    stored: str | None = user.password_hash
    if stored is None:
        raise SignInError(
            f"The account '{user.name}' has no password yet. An administrator sets one "
            f"with 'claimdesk users passwd {user.name}'."
        )
    if not _password_matches(stored, password):
        raise SignInError(
            f"Wrong password for '{user.name}'. Try again (passwords are case-sensitive)."
        )
    if _hasher.check_needs_rehash(stored):
        # Made with weaker parameters than today's: upgraded now that the password is known.
        with translate_errors(), db.write_connection() as connection, connection.begin():
            connection.execute(
                update(_USERS)
                .where(_USERS.c.id == user.id, _USERS.c.password_hash == stored)
                .values(password_hash=hash_password(password))
            )
    return Principal(user.id, user.name, Role(user.role))


# --- the accounts service ------------------------------------------------------------------


class AccountService:
    """Accounts of an office database, managed by its administrators."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @property
    def principal(self) -> Principal:
        return self._ctx.principal

    def mode(self) -> DatabaseMode:
        return database_mode(self._ctx.db)

    def accounts(self) -> list[AccountRecord]:
        """Every account, disabled ones too (they are kept for attribution)."""
        with self._ctx.reader() as session:
            users = session.scalars(select(models.User).order_by(models.User.name))
            return [_record(u) for u in users]

    def assignable(self) -> list[AccountRecord]:
        """The accounts a case can be assigned to: enabled ones, by name."""
        return [a for a in self.accounts() if a.active]

    @retried
    def add(
        self, name: str, role: Role, password: str, display_name: str | None = None
    ) -> AccountRecord:
        """A new account (administrators only). A disabled account's name is not reused."""
        self._require("add accounts")
        name = account_name(name, "Account name")
        checked_password(password)
        shown = account_name(display_name, "Display name") if display_name else ""
        if self.mode() is DatabaseMode.PERSONAL:
            raise ValidationError(
                "A personal database has one account. To share the cases with other people, "
                "make an office database ('claimdesk setup --office') and import them."
            )
        with self._ctx.reader() as session:
            self._refuse_taken(session, name)
        password_hash = hash_password(password)
        keyed = self._key_file()
        if keyed is not None:  # first its copy of the data key: without it, no way in
            keys.add_account(*keyed, name, password)
        try:
            with self._ctx.unit("add accounts") as unit:
                # Two administrators adding the same name at once: the second waits here,
                # then finds the first's account and is refused in words.
                exclusive(unit.session, account_lock(name))
                self._refuse_taken(unit.session, name)
                user = models.User(
                    name=name, display_name=shown, role=Role(role), password_hash=password_hash
                )
                unit.session.add(user)
                unit.session.flush()
                unit.record("create", "account", user.id, None, ("name", "role", "password"))
                return _record(user)
        except BaseException:
            if keyed is not None:
                keys.remove_account(keyed[0], name)
            raise

    @staticmethod
    def _refuse_taken(session: Session, name: str) -> None:
        existing = _find(session, name)
        if existing is not None:
            state = "a disabled account" if existing.disabled_at else "an account"
            raise ValidationError(
                f"There is already {state} called '{existing.name}'; choose another name.",
                "name",
            )

    def _key_file(self) -> tuple[Path, bytes] | None:
        """The encrypted database's file and data key (None when it is not encrypted): each
        account's password wraps a copy of the key in the key file beside it
        (storage/keys.py), kept in step with the accounts here."""
        db = self._ctx.db
        if db.data_key is None or db.sqlite_path is None:
            return None
        if not keys.keyfile_path(db.sqlite_path).exists():
            # Opened with its raw key and no key file (the tests' workers): nothing to keep in
            # step, and without the key file nobody could open it again anyway.
            return None
        return db.sqlite_path, db.data_key

    def disable(self, name: str) -> AccountRecord:
        """Disable an account for good (administrators only): it can no longer sign in, and
        what it did stays attributed to it. The last enabled administrator cannot be."""
        self._require("disable accounts")
        with self._ctx.reader() as session:
            found = self._may_disable(session, name).name
        keyed = self._key_file()
        if keyed is not None:
            # Its copy of the data key goes first: a disabled account's password must open
            # nothing, not even the file read outside ClaimDesk.
            keys.remove_account(keyed[0], found)
        with self._ctx.unit("disable accounts") as unit:
            user = self._may_disable(unit.session, name)
            user.disabled_at = self._ctx.clock.now()
            user.active = False
            user.password_hash = None
            unit.record("disable", "account", user.id, None, ("disabled_at",))
            return _record(user)

    def _may_disable(self, session: Session, name: str) -> models.User:
        user = self._account(session, name)
        if user.disabled_at is not None:
            raise ValidationError(f"The account '{user.name}' is already disabled.")
        if user.role is Role.ADMIN and self._admins(session) <= 1:
            raise ValidationError(
                f"'{user.name}' is the only administrator; make another account an "
                "administrator first, so someone can still manage the accounts."
            )
        return user

    def set_role(self, name: str, role: Role) -> AccountRecord:
        """Give an account another role (administrators only); it applies at its next sign-in."""
        self._require("change roles")
        with self._ctx.unit("change roles") as unit:
            user = self._account(unit.session, name)
            if (
                user.role is Role.ADMIN
                and role is not Role.ADMIN
                and self._admins(unit.session) <= 1
            ):
                raise ValidationError(
                    f"'{user.name}' is the only administrator; make another account an "
                    "administrator first."
                )
            user.role = Role(role)
            unit.record("update", "account", user.id, None, ("role",))
            return _record(user)

    def change_password(
        self, name: str, new_password: str, old_password: str | None = None
    ) -> AccountRecord:
        """A new password for an account: one's own (with the old password), or, for an
        administrator, anyone's (a reset; no old password needed)."""
        checked_password(new_password, "The new password")
        me = self._ctx.principal
        with self._ctx.reader() as session:
            target = self._account(session, name)
            own, target_name = target.id == me.user_id, target.name
            if target.disabled_at is not None:
                raise ValidationError(f"The account '{target.name}' is disabled.")
        if not own:
            self._require("change other accounts' passwords")
        elif not me.may(Right.ADMINISTER) or old_password is not None:
            if old_password is None:
                raise ValidationError("Type your current password to change it.", "password")
            try:
                _verify(self._ctx.db, target_name, old_password)
            except SignInError:
                raise SignInError(
                    "The current password is not right; the password was not changed."
                ) from None
        password_hash = hash_password(new_password)
        with self._ctx.unit("change passwords", Right.READ if own else Right.ADMINISTER) as unit:
            user = self._account(unit.session, name)
            previous, user.password_hash = user.password_hash, password_hash
            unit.record("update", "account", user.id, None, ("password",))
            record = _record(user)
        keyed = self._key_file()
        if keyed is not None:
            # Its copy of the data key, wrapped anew (nothing is re-encrypted). Should that
            # fail, the old password goes back too, so the two never disagree.
            try:
                keys.add_account(*keyed, record.name, new_password)
            except BaseException:
                with self._ctx.db.write() as session:
                    restored = session.get(models.User, record.id)
                    if restored is not None:
                        restored.password_hash = previous
                raise
        return record

    def verify(self, name: str, password: str) -> Principal:
        """The principal of ``name`` if ``password`` is right (switching user, unlocking)."""
        return _verify(self._ctx.db, name, password)

    def only_assigned(self) -> bool:
        """Whether the office's caseworkers see and change only the cases assigned to them."""
        with self._ctx.reader_connection() as connection:
            return setting(connection, ONLY_ASSIGNED_SETTING) == "1"

    def set_only_assigned(self, on: bool) -> None:
        """The office setting "caseworkers see only their assigned cases" (administrators);
        it applies to each caseworker from their next sign-in."""
        self._require("change the office's settings")
        with self._ctx.unit("change the office's settings") as unit:
            _set(unit.session, ONLY_ASSIGNED_SETTING, "1" if on else "0")
            unit.record("update", "setting", None, None, (ONLY_ASSIGNED_SETTING,))

    def _require(self, doing: str) -> None:
        self._ctx.principal.require(Right.ADMINISTER, doing)

    def _account(self, session: Session, name: str) -> models.User:
        user = _find(session, " ".join(name.split()))
        if user is None:
            raise ValidationError(
                f"There is no account '{name[:NAME_LENGTH]}'. 'claimdesk users list' lists them."
            )
        return user

    @staticmethod
    def _admins(session: Session) -> int:
        return (
            session.scalar(
                select(func.count())
                .select_from(models.User)
                .where(
                    models.User.role == Role.ADMIN,
                    models.User.disabled_at.is_(None),
                    models.User.password_hash.is_not(None),
                )
            )
            or 0
        )


Signer = Callable[["Database"], Principal]
