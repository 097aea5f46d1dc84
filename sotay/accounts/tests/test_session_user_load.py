"""The session's user is loaded by one statement built once from the models' fields
(accounts.backends._load): the same user, member and organisation, field for field, as
the ORM's select_related query gives, with the related objects already attached."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sotay.accounts.backends import _load
from sotay.accounts.models import User
from sotay.members.models import Member

pytestmark = pytest.mark.django_db


def orm(pk):
    return User.objects.select_related("member__organization").filter(pk=pk).first()


def same(a, b):
    assert type(a) is type(b)
    for field in type(b)._meta.concrete_fields:
        assert getattr(a, field.attname) == getattr(b, field.attname), field.attname
        assert type(getattr(a, field.attname)) is type(getattr(b, field.attname)), field.attname
    assert a._state.db == b._state.db and a._state.adding is False


@pytest.mark.parametrize("persona", ["member", "probationary", "secretary", "pending", "admin"])
def test_the_loaded_user_is_the_orms(world, persona):
    user = world.persona(persona)
    Member.objects.filter(pk=user.member_id).update(commendations="Chiến sĩ thi đua")
    with CaptureQueriesContext(connection) as queries:
        loaded = _load(user.pk)
        member = loaded.member  # attached: no further query
        organization = member.organization if member is not None else None
    assert len(queries) == 1
    expected = orm(user.pk)
    same(loaded, expected)
    if expected.member is None:
        assert member is None
    else:
        same(member, expected.member)
        same(organization, expected.member.organization)
    assert loaded.check_password("Matkhau@2026")


def test_a_missing_or_malformed_id_loads_nobody(world):
    assert _load(10**9) is None
    assert _load("abc") is None
    assert _load(None) is None
