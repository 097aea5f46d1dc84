"""With a shared cache the session's user (with member and organisation) is kept there,
so a signed-in request reads no user row; a saved user, and anything that bumps the
grants' epoch (status, branch, tree changes), reaches the very next request."""

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from sotay.accounts import permissions
from sotay.accounts.services import change_password
from sotay.core.testing import PASSWORD
from sotay.members.models import Member

pytestmark = pytest.mark.django_db(transaction=True)  # the forgetting waits for commits


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend="sotay.accounts.backends.IdentifierBackend")
    return client


def user_reads(client, path="/healthz") -> int:
    with CaptureQueriesContext(connection) as ctx:
        client.get(path)
    return sum('FROM "accounts_user"' in q["sql"] for q in ctx.captured_queries)


@override_settings(SOTAY_SHARED_CACHE=True, SESSION_ENGINE="django.contrib.sessions.backends.cache")
def test_the_session_user_comes_from_the_cache_after_the_first_request(world):
    client = signed_in(world.member)
    assert user_reads(client) == 1
    assert user_reads(client) == 0
    assert user_reads(client, "/") == 0
    assert "Chi bộ Khu phố 1" in client.get("/").content.decode()


@override_settings(SOTAY_SHARED_CACHE=True, SESSION_ENGINE="django.contrib.sessions.backends.cache")
def test_a_password_change_signs_out_other_sessions_at_once(world):
    phone = signed_in(world.member)
    assert phone.get("/").status_code == 200  # cached now
    change_password(
        user=world.member, old_password=PASSWORD, new_password="MatKhauMoi@2027", ip="127.0.0.1"
    )
    response = phone.get("/")
    assert response.status_code == 302 and "dang-nhap" in response["Location"]


@override_settings(SOTAY_SHARED_CACHE=True, SESSION_ENGINE="django.contrib.sessions.backends.cache")
def test_a_disabled_account_is_refused_on_its_next_request(world):
    phone = signed_in(world.member)
    assert phone.get("/").status_code == 200
    user = type(world.member).objects.get(pk=world.member.pk)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert phone.get("/").status_code == 302


@override_settings(SOTAY_SHARED_CACHE=True, SESSION_ENGINE="django.contrib.sessions.backends.cache")
def test_a_move_to_another_branch_reaches_the_cached_user(world):
    phone = signed_in(world.member)
    assert "Chi bộ Khu phố 1" in phone.get("/").content.decode()
    Member.objects.filter(pk=world.member.member_id).update(
        organization=world.sibling, org_path=world.sibling.path
    )
    permissions.invalidate_all()  # what every transfer service calls
    page = phone.get("/").content.decode()
    assert "Chi bộ Khu phố 2" in page and "Chi bộ Khu phố 1" not in page


@override_settings(SOTAY_SHARED_CACHE=False)
def test_without_a_shared_cache_every_request_reads_the_user(world):
    client = signed_in(world.member)
    client.get("/healthz")
    assert user_reads(client) == 1
