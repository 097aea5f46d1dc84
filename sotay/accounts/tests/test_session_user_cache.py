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


# --- the API: a bearer token's user comes from the same cached copy ---------------------


def _token(user) -> dict:
    from sotay.accounts.services import create_api_token

    _, plain = create_api_token(user=user, name="phone", ip="127.0.0.1")
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def api_reads(client, headers) -> tuple[int, int, int]:
    """(status, user reads, token reads) of one GET /api/v1/me."""
    with CaptureQueriesContext(connection) as ctx:
        status = client.get("/api/v1/me", **headers).status_code
    sqls = [q["sql"] for q in ctx.captured_queries]
    return (
        status,
        sum('FROM "accounts_user"' in s for s in sqls),
        sum('FROM "accounts_apitoken"' in s for s in sqls),
    )


@override_settings(SOTAY_SHARED_CACHE=True)
def test_a_token_request_reads_the_token_row_and_a_cached_user(world):
    headers = _token(world.member)
    client = Client()
    status, users, tokens = api_reads(client, headers)
    assert (status, tokens) == (200, 1) and users == 1
    status, users, tokens = api_reads(client, headers)
    assert (status, users, tokens) == (200, 0, 1)  # the token is checked every time
    assert client.get("/api/v1/me", **headers).json()["id"] == world.member.pk


@override_settings(SOTAY_SHARED_CACHE=True)
def test_a_revoked_token_is_refused_at_once_though_its_user_is_cached(world):
    from sotay.accounts.models import ApiToken
    from sotay.accounts.services import revoke_api_token

    headers = _token(world.member)
    client = Client()
    assert client.get("/api/v1/me", **headers).status_code == 200  # user cached now
    token = ApiToken.objects.get(user=world.member)
    revoke_api_token(user=world.member, token_id=token.pk, ip="127.0.0.1")
    assert client.get("/api/v1/me", **headers).status_code == 401


@override_settings(SOTAY_SHARED_CACHE=True)
def test_an_expired_token_and_a_disabled_account_are_refused_with_a_cached_user(world):
    import datetime as dt

    from django.utils import timezone

    from sotay.accounts.models import ApiToken

    headers = _token(world.member)
    client = Client()
    assert client.get("/api/v1/me", **headers).status_code == 200
    ApiToken.objects.filter(user=world.member).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert client.get("/api/v1/me", **headers).status_code == 401
    headers = _token(world.member)
    assert client.get("/api/v1/me", **headers).status_code == 200
    user = type(world.member).objects.get(pk=world.member.pk)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get("/api/v1/me", **headers).status_code == 401
