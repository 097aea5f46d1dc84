"""Server-side prepared statements for the hot paths' own statements (core.prepared):
prepared once per connection and then only executed, counted and logged like any other
query, dropped and made again after a rollback; Django's own queries are never prepared;
off on SQLite and with SOTAY_DB_PREPARE=0."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from sotay.core import prepared
from sotay.core.testing import make_member

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)

STATEMENT = "SELECT id, full_name FROM members_member WHERE id = %s AND org_path LIKE ANY(%s)"


def server_statements() -> dict[str, tuple[int, int]]:
    """The session's prepared statements: text -> (generic plans, custom plans)."""
    with connection.cursor() as cur:
        cur.execute("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
        return {text: (generic, custom) for text, generic, custom in cur.fetchall()}


def run(pk, patterns=("%",)):
    with prepared.cursor() as cur:
        cur.execute(STATEMENT, [pk, list(patterns)])
        return cur.fetchone()


@on_postgresql
def test_a_statement_is_prepared_once_and_then_executed(world):
    member = make_member(world.branch, "Nguyễn Văn Chuẩn")
    with CaptureQueriesContext(connection) as log:
        first = run(member.pk)
        again = [run(member.pk) for _ in range(4)]
    assert first == (member.pk, member.full_name)
    assert again == [first] * 4
    prepared_here = {
        text: plans for text, plans in server_statements().items() if "members_member" in text
    }
    assert list(prepared_here) == [
        "SELECT id, full_name FROM members_member WHERE id = $1 AND org_path LIKE ANY($2)"
    ]
    assert sum(prepared_here.popitem()[1]) == 5  # one statement, planned for 5 runs
    # Counted and logged as Django's queries are (assertNumQueries, the bench's counts).
    assert len(log) == 5
    assert all("FROM members_member WHERE id = $1" in q["sql"] for q in log.captured_queries)


@on_postgresql
def test_parameters_keep_their_meaning(world):
    member = make_member(world.branch, "Nguyễn Văn Chuẩn")
    assert run(member.pk, [member.org_path + "%"]) == (member.pk, member.full_name)
    assert run(member.pk, ["no-such-path%"]) is None
    assert run(member.pk + 10_000) is None
    # Rows come back as from Django's usual cursor (the same loaders: jsonb as text).
    sql = "SELECT %(n)s::int + 1, %(t)s::jsonb, %(none)s::text IS NULL, %(at)s::timestamptz"
    params = {"n": 41, "t": "[1, 2]", "none": None, "at": member.created_at}
    with prepared.cursor() as cur:
        cur.execute(sql, params)
        row = cur.fetchone()
    with connection.cursor() as cur:
        cur.execute(sql, params)
        assert row == cur.fetchone() == (42, "[1, 2]", True, member.created_at)


@on_postgresql
def test_after_a_rollback_the_statement_is_made_again(world):
    member = make_member(world.branch, "Nguyễn Văn Chuẩn")
    run(member.pk)
    with pytest.raises(RuntimeError), transaction.atomic():
        run(member.pk)
        raise RuntimeError  # the savepoint's rollback drops the session's statements
    assert not any("members_member" in s for s in server_statements())
    assert run(member.pk) == (member.pk, member.full_name)
    assert any("members_member" in s for s in server_statements())


@on_postgresql
def test_djangos_own_queries_are_not_prepared(world):
    # A generic plan cannot use an index for a prefix LIKE on a parameter (PERFORMANCE.md):
    # only the statements given to prepared.cursor() are ever prepared.
    member = make_member(world.branch, "Nguyễn Văn Chuẩn")
    run(member.pk)
    before = server_statements()
    from sotay.members.models import Member

    for _ in range(10):
        assert Member.objects.filter(org_path__startswith=member.org_path[:4]).exists()
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM members_member WHERE id = %s", [member.pk])
    assert server_statements().keys() == before.keys()


@on_postgresql
def test_switched_off_it_is_djangos_usual_cursor(world, settings):
    settings.SOTAY_DB_PREPARE = False
    member = make_member(world.branch, "Nguyễn Văn Chuẩn")
    assert run(member.pk) == (member.pk, member.full_name)
    assert not any("members_member" in s for s in server_statements())


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the fallback of other databases")
def test_elsewhere_it_is_djangos_usual_cursor(world):
    member = make_member(world.branch, "Nguyễn Văn Chuẩn")
    with prepared.cursor() as cur:
        cur.execute("SELECT id FROM members_member WHERE id = %s", [member.pk])
        assert cur.fetchone() == (member.pk,)
    assert not prepared.enabled()
