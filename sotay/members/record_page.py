"""The member record page kept whole per process (P3), on PostgreSQL.

Reading a record is one statement: it checks that the member lies in a subtree where the
reader holds members.view, appends the audit entry and returns a fingerprint of
everything the record shows: the member's row, the names and paths of its organisation,
temporary and receiving organisations, and every badge, card and event row with the
event's organisation name. The page rendered from those rows is kept under that
fingerprint and what the reader adds (may they record events, edit the record; the bell;
the account's status; the language), so a kept page cannot be stale: any change to what
it shows gives another fingerprint, whichever code path made it (a form, an import, a
bulk update). A page is rendered only on a miss, inside one REPEATABLE READ snapshot
that also takes the fingerprint it is kept under.

Not kept: the member's own record (it lists their correction requests), a page with a
flash message waiting, and everything on SQLite (there the view renders each time). The
pages are confidential: they live only in the process' memory, as the rows they come
from are read by it anyway, and a kept page is only served after the same scope check
made the same statement that audits the reading.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from types import SimpleNamespace

from django.contrib import messages
from django.db import connection, transaction
from django.utils.translation import get_language

from sotay.accounts.permissions import (
    MEMBERS_EDIT,
    MEMBERS_LIFECYCLE,
    MEMBERS_VIEW,
    can,
    orgs_where,
)
from sotay.audit.models import AuditEntry
from sotay.audit.services import client_ip
from sotay.core import prepared
from sotay.core.lru import Lru
from sotay.members.models import CardRecord, Member, MemberEvent, PartyBadge
from sotay.organizations.models import Organization

_M = Member._meta.db_table
_O = Organization._meta.db_table

# The fingerprint of the member row `m` with everything the record page shows of other
# rows. A row's text form holds every column, so a new column is covered without edits.
_FINGERPRINT = f"""md5(
    m::text
    || '|' || coalesce((SELECT o.name || o.path FROM {_O} o WHERE o.id = m.organization_id), '')
    || '|' || coalesce((SELECT o.name || o.path FROM {_O} o WHERE o.id = m.temp_organization_id), '')
    || '|' || coalesce((SELECT o.name || o.path FROM {_O} o WHERE o.id = m.transit_organization_id), '')
    || '|' || coalesce((SELECT string_agg(b::text, ',' ORDER BY b.id)
                        FROM {PartyBadge._meta.db_table} b WHERE b.member_id = m.id), '')
    || '|' || coalesce((SELECT string_agg(c::text, ',' ORDER BY c.id)
                        FROM {CardRecord._meta.db_table} c WHERE c.member_id = m.id), '')
    || '|' || coalesce((SELECT string_agg(e::text || coalesce(eo.name, ''), ',' ORDER BY e.id)
                        FROM {MemberEvent._meta.db_table} e
                        LEFT JOIN {_O} eo ON eo.id = e.organization_id
                        WHERE e.member_id = m.id), '')
)"""  # noqa: S608 - table names from the models, no user input

# One round trip: the scope check, the audit entry (written only when the member is in
# scope) and what the view needs to decide on the page. The organisation paths are what
# the permission checks compare (accounts.permissions.can).
_OPEN = f"""
WITH m AS (
    SELECT m.id, m.full_name, m.org_path, {_FINGERPRINT} AS fingerprint,
           (SELECT o.path FROM {_O} o WHERE o.id = m.transit_organization_id) AS transit_path
    FROM {_M} m
    WHERE m.id = %s AND m.org_path LIKE ANY(%s)
), entry AS (
    INSERT INTO {AuditEntry._meta.db_table}
        (at, actor_id, actor_label, ip, action, target_type, target_id, target_label,
         org_path, changes, note)
    SELECT now(), %s, %s, %s, 'members.viewed', %s, m.id::text, left(m.full_name, 255),
           m.org_path, '{{}}'::jsonb, ''
    FROM m
)
SELECT id, org_path, fingerprint, transit_path FROM m
"""  # noqa: S608

_FINGERPRINT_ONLY = f"SELECT {_FINGERPRINT} FROM {_M} m WHERE m.id = %s"  # noqa: S608


@dataclass(frozen=True)
class Opened:
    """A member record the reader may open, its reading already audited."""

    pk: int
    fingerprint: str
    may_record: bool
    may_edit: bool


def _like(path: str) -> str:
    return path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def enabled() -> bool:
    return connection.vendor == "postgresql"


def open_record(request, pk: int) -> Opened | None:
    """Audit and check in one statement. None when the member is not in a subtree where
    the reader holds members.view (their own record, a member attached to or arriving
    at the reader's branch, or none they may read: the caller's usual path decides),
    and nothing was written."""
    user = request.user
    roots = orgs_where(user, MEMBERS_VIEW)
    if roots == [] or user.member_id == pk or not 0 < pk < 2**63:
        return None
    patterns = ["%"] if roots is None else [_like(r) for r in roots]
    with prepared.cursor() as cursor:
        cursor.execute(
            _OPEN,
            [pk, patterns, user.pk, str(user), client_ip(request) or None,
             Member._meta.label_lower],
        )  # fmt: skip
        row = cursor.fetchone()
    if row is None:
        return None
    _pk, org_path, fingerprint, transit_path = row
    org = SimpleNamespace(path=org_path)
    may_record = can(user, MEMBERS_LIFECYCLE, org) or (
        transit_path is not None
        and can(user, MEMBERS_LIFECYCLE, SimpleNamespace(path=transit_path))
    )
    return Opened(pk, fingerprint, may_record, can(user, MEMBERS_EDIT, org))


def page_key(request, opened: Opened, unread: int) -> tuple:
    return (opened.fingerprint, get_language(), opened.may_record, opened.may_edit, unread,
            request.user.status)  # fmt: skip


def keepable(request) -> bool:
    return not len(messages.get_messages(request))  # counting consumes nothing


@contextmanager
def snapshot():
    """A transaction whose reads all see one snapshot: the page and the fingerprint it
    is kept under. Inside an outer transaction (tests) its snapshot is the one used."""
    with transaction.atomic():
        if not connection.savepoint_ids:  # the outermost block: nothing read yet
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def fingerprint(pk: int) -> str | None:
    with prepared.cursor() as cursor:
        cursor.execute(_FINGERPRINT_ONLY, [pk])
        row = cursor.fetchone()
    return row[0] if row else None


# About 2,000 pages of ~9 KB per process; the least recently opened go first.
_pages = Lru(2_000)


def kept_page(key: tuple) -> tuple[str, str] | None:
    return _pages.get(key)


def keep_page(key: tuple, page: tuple[str, str]) -> None:
    _pages.put(key, page)


def clear() -> None:
    _pages.clear()
