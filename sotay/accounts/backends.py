"""Authentication backend for Django's own machinery (admin, `authenticate`). The pages
and the API sign in through `services.sign_in`, which adds lock-out and auditing."""

from django.contrib.auth.backends import ModelBackend
from django.db import connection, transaction

from sotay.accounts.models import User
from sotay.core import prepared
from sotay.core.cache import bump, cached_for_user, forget_user
from sotay.members.models import Member
from sotay.organizations.models import Organization

# The session's user, member and organisation, kept in the shared cache (Redis) so a
# signed-in request does not compile and run a three-table query before its view: on
# 2 cores that query was most of the signed-in floor (2.4 ms against 0.2 ms for /healthz).
SESSION_USER = "session-user"


class IdentifierBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        from sotay.accounts.services import find_user_by_identifier

        if username is None or password is None:
            return None
        user = find_user_by_identifier(username)
        if user is None:
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The session's user with their member row and its organisation in the same
        query (every page needs the member for the permission check; the shell and the
        home page name the organisation)."""
        user = cached_for_user(SESSION_USER, user_id, lambda: _load(user_id))
        return user if user is not None and self.user_can_authenticate(user) else None


def _load(user_id) -> User | None:
    """`User.objects.select_related("member__organization").filter(pk=user_id).first()`,
    without compiling that query each time: a user's first request after their cached
    copy expired (every member's first request of a meeting night) spent more CPU
    compiling it than the rest of a check-in POST: such a POST took 8.1-8.3 ms of CPU
    with the ORM's query and 3.9-5.2 ms with this one. The statement is built once
    from the models' fields, and the rows become model instances as the ORM makes them
    (`from_db`, the fields' database converters, the related objects cached)."""
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    loader = _loader()
    with prepared.cursor() as cursor:
        cursor.execute(loader.sql, [user_id])
        row = cursor.fetchone()
    return loader.build(row) if row is not None else None


class _Loader:
    def __init__(self, db):
        self.db = db
        self.parts = []  # (model, field names, converters, slice of the row, pk index)
        columns, start = [], 0
        tables = [("u", User), ("m", Member), ("o", Organization)]
        for alias, model in tables:
            fields = model._meta.concrete_fields
            quote = connection.ops.quote_name
            columns += [f"{alias}.{quote(f.column)}" for f in fields]
            converters = []
            for f in fields:
                col = f.get_col(alias)
                converters.append(
                    connection.ops.get_db_converters(col) + col.get_db_converters(connection)
                )
            self.parts.append((model, [f.attname for f in fields], converters,
                               slice(start, start + len(fields)),
                               fields.index(model._meta.pk)))  # fmt: skip
            start += len(fields)
        table = {alias: connection.ops.quote_name(m._meta.db_table) for alias, m in tables}
        member_fk = connection.ops.quote_name(User._meta.get_field("member").column)
        org_fk = connection.ops.quote_name(Member._meta.get_field("organization").column)
        joins = (
            f" LEFT JOIN {table['m']} m ON m.id = u.{member_fk}"
            f" LEFT JOIN {table['o']} o ON o.id = m.{org_fk}"
        )
        self.sql = f"SELECT {', '.join(columns)} FROM {table['u']} u{joins} WHERE u.id = %s"  # noqa: S608 - names from the models

    def _instance(self, part, row):
        model, names, converters, cut, pk = part
        values = list(row[cut])
        if values[pk] is None:  # no such row behind the LEFT JOIN
            return None
        for i, funcs in enumerate(converters):
            for func in funcs:
                values[i] = func(values[i], None, connection)
        return model.from_db(self.db, names, values)

    def build(self, row) -> User:
        user, member, org = (self._instance(part, row) for part in self.parts)
        User._meta.get_field("member").set_cached_value(user, member)
        if member is not None:
            Member._meta.get_field("organization").set_cached_value(member, org)
        return user


_loaders: dict[str, _Loader] = {}


def _loader() -> _Loader:
    loader = _loaders.get(connection.vendor)
    if loader is None:
        loader = _loaders[connection.vendor] = _Loader(connection.alias)
    return loader


def forget_session_user(user_id: int | None) -> None:
    """Drop one user's cached copy once the transaction commits (User.save calls it)."""
    if user_id is not None:
        transaction.on_commit(lambda: forget_user(SESSION_USER, user_id))


def forget_all_session_users() -> None:
    """A member's status, branch or an organisation changed: every cached copy may hold
    it (permissions.invalidate_all calls this with the grants' epoch)."""
    transaction.on_commit(lambda: bump(SESSION_USER))
