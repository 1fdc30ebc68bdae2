"""PostgreSQL's LISTEN/NOTIFY: a message sent inside a transaction (delivered only if it
commits), and a thread listening on a connection of its own that comes back after the server
went away.

What the messages say is the services' business (services/live.py); here they are text.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

log = logging.getLogger(__name__)

CHANNEL = "claimdesk_changes"
# PostgreSQL refuses a payload of 8000 bytes or more; the services keep theirs under this.
MAX_PAYLOAD_BYTES = 7900
# Seconds between attempts to reach the server again: quickly at first (a restart takes a few
# seconds), then every few seconds for as long as it takes.
RETRY_DELAYS: Sequence[float] = (0.25, 0.5, 1.0, 2.0, 3.0)
# How long one wait for messages lasts: the most a stop waits for the thread.
_WAIT_S = 0.25
# With nothing heard for this long, the connection is tried with a query, so a server gone
# without closing the socket is noticed too.
_PING_AFTER_S = 5.0


def send(connection: Connection, payload: str) -> None:
    """Queue ``payload`` on the channel, in ``connection``'s transaction: the server delivers it
    to every listener when (and only if) that transaction commits."""
    size = len(payload.encode("utf-8"))
    if size > MAX_PAYLOAD_BYTES:
        raise ValueError(f"a change notice of {size} bytes is over the server's limit")
    connection.execute(select(func.pg_notify(CHANNEL, payload)))


class ServerListener:
    """A thread listening on ``CHANNEL`` through a connection of its own from ``engine``'s pool
    (the same connection arguments as every other): it hands each message to ``on_message``
    and says through ``on_reachable`` when the server is lost (False) and found again (True),
    trying again after each of ``delays`` (the last repeated) meanwhile.

    Both callbacks run on the listener's thread. A message sent while no connection listened is
    lost: ``on_reachable(True)`` is the caller's sign to read everything again.
    """

    def __init__(
        self,
        engine: Engine,
        on_message: Callable[[str], None],
        on_reachable: Callable[[bool], None],
        *,
        delays: Sequence[float] | None = None,
    ) -> None:
        self._engine = engine
        self._on_message = on_message
        self._on_reachable = on_reachable
        self._delays = tuple(delays or RETRY_DELAYS)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._listening = threading.Event()
        self.reachable = True

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="claimdesk-listen", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop listening and close the connection (waits at most ``timeout`` seconds)."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait_listening(self, timeout: float) -> bool:
        """Whether the first LISTEN was made within ``timeout`` seconds (for tests, benches)."""
        return self._listening.wait(timeout)

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            raw = None
            try:
                raw = self._connect()
                if not self.reachable:
                    self.reachable = True
                    log.info("the server is reachable again")
                    self._tell(self._on_reachable, True)
                failures = 0
                self._listening.set()
                self._listen(raw.driver_connection)
            except Exception as error:  # the server went away, or never answered
                if self._stop.is_set():
                    break
                if self.reachable:
                    self.reachable = False
                    log.warning("lost the server's change notices (%s)", type(error).__name__)
                    self._tell(self._on_reachable, False)
                self._stop.wait(self._delays[min(failures, len(self._delays) - 1)])
                failures += 1
            finally:
                if raw is not None:
                    _discard(raw)

    def _connect(self) -> Any:
        raw = self._engine.raw_connection()
        try:
            connection = raw.driver_connection
            assert connection is not None
            connection.rollback()  # the pool's ping may have begun a transaction
            connection.autocommit = True
            connection.execute(f"LISTEN {CHANNEL}")
        except BaseException:
            _discard(raw)
            raise
        return raw

    def _listen(self, connection: Any) -> None:
        quiet_since = time.monotonic()
        while not self._stop.is_set():
            for notice in connection.notifies(timeout=_WAIT_S):
                quiet_since = time.monotonic()
                self._tell(self._on_message, notice.payload)
            if time.monotonic() - quiet_since > _PING_AFTER_S:
                connection.execute("SELECT 1")
                quiet_since = time.monotonic()

    @staticmethod
    def _tell(callback: Callable[[Any], None], value: object) -> None:
        try:
            callback(value)
        except Exception:
            # A receiver's bug must not stop the listening, nor pass for the server's trouble.
            log.exception("a change notice could not be handled")


def _discard(raw: Any) -> None:
    """Close the listening connection rather than give it back to the pool still listening."""
    try:
        raw.invalidate()
    except Exception:
        log.debug("closing a lost listening connection failed", exc_info=True)
