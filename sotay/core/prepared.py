"""Server-side prepared statements for the few statements the busiest requests make.

Django binds parameters on the client and sends each statement as text, so PostgreSQL
parses and plans it on every execution. For the hand-written statements of the hot paths
(a check-in, a vote, opening a member record or a document) planning took 0.2-0.3 ms of
the server's CPU against 0.04-0.09 ms of execution. `cursor()` gives a cursor whose
statements are prepared once per database connection (psycopg names and keeps them, and
drops them all after a rollback) and then only executed.

Only the statements that go through `cursor()` are prepared: everything else keeps
Django's client-side binding, because a generic plan cannot use an index for a prefix
`LIKE` whose pattern is a parameter (measured 70x slower, `PERFORMANCE.md`). A statement
given here must be one statement, with `%s` / `%(name)s` placeholders; it must not need
the pattern of a `LIKE` to pick an index. Queries made here are logged and counted like
any other (the same cursor wrapper).

Off on SQLite, and when `SOTAY_DB_PREPARE=0` (a connection pooler in transaction mode
that does not carry prepared statements between server connections, PgBouncer before
1.21): then this is Django's usual cursor.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection

# psycopg prepares a statement automatically after this many executions on a connection;
# Django's client-binding cursors never ask, so this only keeps psycopg from counting
# towards an automatic preparation: the statements here ask for it explicitly.
_NEVER_AUTOMATIC = 2**31 - 1


def enabled() -> bool:
    return connection.vendor == "postgresql" and getattr(settings, "SOTAY_DB_PREPARE", True)


def cursor():
    """A cursor of the default connection whose `execute` runs a prepared statement
    (PostgreSQL), else Django's usual cursor. Use it as `with cursor() as cur:`."""
    if not enabled():
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:  # Django disables preparation on its connections
        raw.prepare_threshold = _NEVER_AUTOMATIC
    with connection.wrap_database_errors:
        return connection._prepare_cursor(_PreparingCursor(raw))


def _preparing_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        """Server-side binding, and every statement prepared on first use."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

        def _convert_query(self, query, params=None):
            # psycopg keeps the statement for `_query` only when it sends it unprepared;
            # Django's query log (tests' query counts, debug) reads it from there.
            self._query = super()._convert_query(query, params)
            return self._query

    return PreparingCursor


class _Lazy:
    """The cursor class, built on first use: the PostgreSQL backend imports psycopg."""

    cls = None

    def __call__(self, raw):
        if self.cls is None:
            self.cls = _preparing_cursor_class()
        return self.cls(raw)


_PreparingCursor = _Lazy()
