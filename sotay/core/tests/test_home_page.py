"""The home page kept whole per user (core.home_page): served only while everything it
was made from is unchanged, with a fresh CSRF token each time, never across users."""

import re

import pytest
from django.contrib import messages
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sotay.accounts import services as account_services
from sotay.accounts.models import Role
from sotay.core import home_page
from sotay.core.testing import PERSONAS
from sotay.documents.testing import make_document
from sotay.news import feed_cache
from sotay.notifications import services as notices

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')
UNREAD = re.compile(
    r'<article class="feed-item unread.*?<strong class="feed-title">(.*?)</strong>', re.S
)


@pytest.fixture
def renders(monkeypatch):
    """How many times the home page was rendered (not served from the store)."""
    calls = []
    real = home_page.store

    def counting(request, print_, html, until):
        calls.append(request.user.pk)
        return real(request, print_, html, until)

    monkeypatch.setattr(home_page, "store", counting)
    return calls


def get_home(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert home_page.CSRF_MARK not in html
    return html


def without_token(html):
    return TOKEN.sub('"X-CSRFToken": ""', html)


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "pending"])
def test_the_kept_page_is_the_page_just_rendered_and_costs_no_sql(
    world, client, shared, renders, persona
):
    make_document(world, world.province, title="Nghị quyết thành phố")
    client.force_login(world.persona(persona))
    rendered = get_home(client)
    assert len(renders) == 1
    with CaptureQueriesContext(connection) as ctx:
        kept = get_home(client)
    assert len(renders) == 1, "the second opening came from the store"
    assert ctx.captured_queries == []
    assert without_token(kept) == without_token(rendered)


def test_every_answer_gets_its_own_token_for_the_users_csrf_secret(world, shared, renders):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.member)
    tokens = [TOKEN.search(get_home(client)).group(1) for _ in range(3)]
    assert len(renders) == 1
    assert len(set(tokens)) == 3  # masked afresh each time (BREACH)
    secret = client.cookies["csrftoken"].value
    assert {_unmask_cipher_token(t) for t in tokens} == {secret}
    # and a form sent with the kept page's token is accepted, a made-up one is not
    bogus = client.post(reverse("accounts:logout"), HTTP_X_CSRFTOKEN="x" * 64)
    assert bogus.status_code == 403
    response = client.post(reverse("accounts:logout"), HTTP_X_CSRFTOKEN=tokens[-1])
    assert response.status_code == 302


def test_a_page_is_never_served_to_another_user(world, client, shared, renders):
    client.force_login(world.member)
    get_home(client)
    client.force_login(world.probationary)  # same branch, same feed
    html = get_home(client)
    assert len(renders) == 2
    assert world.probationary.full_name in html and world.member.full_name not in html


def open_document(client, document, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(f"/van-ban/{document.pk}/").status_code == 200


def test_the_first_reading_of_a_document_marks_it_read_on_the_next_opening(
    world, client, shared, renders, django_capture_on_commit_callbacks
):
    document = make_document(world, world.branch, title="Kế hoạch tháng")
    client.force_login(world.member)
    assert "Kế hoạch tháng" in UNREAD.findall(get_home(client))
    open_document(client, document, django_capture_on_commit_callbacks)
    assert "Kế hoạch tháng" not in UNREAD.findall(get_home(client))
    assert len(renders) == 2
    open_document(client, document, django_capture_on_commit_callbacks)  # a second reading
    get_home(client)
    assert len(renders) == 2  # changes nothing, so the kept page stays


def test_a_read_that_commits_while_the_page_renders_leaves_that_page_unserved(
    world, client, shared, renders, monkeypatch, django_capture_on_commit_callbacks
):
    """The reads token is taken before rendering: a page rendered from the reads before
    a commit is kept under the old token and never served after it."""
    document = make_document(world, world.branch, title="Kế hoạch tháng")
    client.force_login(world.member)
    real = feed_cache.first_page

    def read_meanwhile(user):
        result = real(user)  # the marks are taken: still unread
        with django_capture_on_commit_callbacks(execute=True):
            client.get(f"/van-ban/{document.pk}/")
        return result

    monkeypatch.setattr(feed_cache, "first_page", read_meanwhile)
    assert "Kế hoạch tháng" in UNREAD.findall(get_home(client))
    monkeypatch.setattr(feed_cache, "first_page", real)
    assert "Kế hoạch tháng" not in UNREAD.findall(get_home(client))
    assert len(renders) == 2


def test_news_of_the_users_levels_and_only_those_renew_the_page(
    world, client, shared, renders, django_capture_on_commit_callbacks
):
    client.force_login(world.member)
    get_home(client)
    with django_capture_on_commit_callbacks(execute=True):
        make_document(world, world.sibling, title="Kế hoạch chi bộ bên cạnh")
    assert "Kế hoạch chi bộ bên cạnh" not in get_home(client)
    assert len(renders) == 1  # another branch's document: the kept page is still right
    with django_capture_on_commit_callbacks(execute=True):
        make_document(world, world.commune, title="Văn bản mới của phường")
    assert "Văn bản mới của phường" in get_home(client)
    assert len(renders) == 2


def test_a_new_notice_shows_on_the_bell(
    world, client, shared, renders, django_capture_on_commit_callbacks
):
    client.force_login(world.member)
    assert '<span class="badge">' not in get_home(client)
    with django_capture_on_commit_callbacks(execute=True):
        notices.notify_user(user=world.member, title="Lịch sinh hoạt tháng 12")
    assert '<span class="badge">1</span>' in get_home(client)


def test_a_new_role_brings_its_shortcuts(
    world, client, shared, renders, django_capture_on_commit_callbacks
):
    client.force_login(world.member)
    assert "Nhật ký hệ thống" not in get_home(client)
    with django_capture_on_commit_callbacks(execute=True):
        account_services.grant_role(
            actor=world.admin, user=world.member, org=world.branch, role=Role.INSPECTOR
        )
    assert "Nhật ký hệ thống" in get_home(client)


def test_a_page_with_a_message_waiting_is_rendered_and_not_kept(world, client, shared, renders):
    client.force_login(world.member)
    get_home(client)
    # a flash message waiting in its cookie, as a view leaves it before redirecting here
    client.cookies["messages"] = CookieStorage(None)._encode(
        [Message(messages.SUCCESS, "Đã lưu hồ sơ.")]
    )
    assert "Đã lưu hồ sơ." in get_home(client)
    assert len(renders) == 1  # rendered, not stored
    assert "Đã lưu hồ sơ." not in get_home(client)  # shown once; the kept page again
    assert len(renders) == 1


def test_later_pages_and_pages_without_a_shared_cache_are_not_kept(world, client, renders):
    client.force_login(world.member)
    get_home(client)
    assert renders == []  # no shared cache: nothing kept
    assert home_page.fingerprint(client.get("/").wsgi_request) is None


def test_later_pages_are_rendered_each_time(world, client, shared, renders):
    for n in range(25):
        make_document(world, world.branch, title=f"Văn bản {n}")
    client.force_login(world.member)
    html = get_home(client)
    later = re.search(r'href="/\?sau=([^"]+)"', html).group(1)
    for _ in range(2):
        assert client.get(f"/?sau={later}").status_code == 200
    assert len(renders) == 1  # only the first page


def test_reopening_an_unchanged_page_downloads_nothing(
    world, client, shared, renders, django_capture_on_commit_callbacks
):
    """Weak networks: the browser revalidates with the page's ETag and gets 304 while
    nothing on the page changed; anything that changes it gives a new ETag."""
    document = make_document(world, world.branch, title="Kế hoạch tháng")
    client.force_login(world.member)
    first = client.get("/")
    etag = first["ETag"]
    assert etag.startswith('W/"') and first["Cache-Control"] == "private, no-cache"
    again = client.get("/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert len(renders) == 1
    open_document(client, document, django_capture_on_commit_callbacks)
    changed = client.get("/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "Kế hoạch tháng" not in UNREAD.findall(changed.content.decode())


def test_a_new_csrf_secret_means_a_new_etag(world, client, shared):
    """A cached copy holds a token masked from the old secret: after the secret changes
    (a new sign-in rotates it) the browser must get the page again, not a 304."""
    client.force_login(world.member)
    etag = client.get("/")["ETag"]
    assert client.get("/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    client.cookies["csrftoken"] = "a" * 32  # another secret
    response = client.get("/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag


def test_without_a_shared_cache_there_is_no_etag(world, client):
    client.force_login(world.member)
    response = client.get("/")
    assert response.status_code == 200 and not response.has_header("ETag")
