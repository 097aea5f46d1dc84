"""Whole reader pages kept per process (documents.reader._pages): a plain reader gets the
page another reader's request rendered when, and only when, everything the page shows
is the same for them; editors, followers of required reading and pages with a flash
message are always rendered. Every answer carries its own CSRF token."""

import re

import pytest
from django.contrib import messages
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.urls import reverse

from sotay.core import kept_pages
from sotay.documents import services
from sotay.documents.models import Bookmark, DocumentRead
from sotay.documents.testing import make_document
from sotay.notifications import services as notices

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')
FORM_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def read(client, user, document, **headers):
    client.force_login(user)
    response = client.get(f"/van-ban/{document.pk}/", **headers)
    assert response.status_code in (200, 304)
    if response.status_code == 200:
        assert kept_pages.CSRF_MARK not in response.content.decode()
    return response


def html(response) -> str:
    return FORM_TOKEN.sub("", TOKEN.sub("", response.content.decode()))


def test_a_second_reader_gets_the_kept_page_and_still_leaves_a_receipt(
    world, client, shared, renders
):
    document = make_document(world, world.commune, title="Nghị quyết của phường")
    first = read(client, world.member, document)
    second = read(client, world.probationary, document)  # same branch, same page
    assert renders == [world.member.username]
    assert html(second) == html(first)
    assert "Nghị quyết của phường" in second.content.decode()
    readers = set(DocumentRead.objects.filter(document=document).values_list("user", flat=True))
    assert readers == {world.member.pk, world.probationary.pk}


def test_every_answer_has_its_own_token_and_a_kept_pages_token_is_accepted(world, shared, renders):
    document = make_document(world, world.branch, title="Kế hoạch chi bộ")
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.member)
    pages = [client.get(f"/van-ban/{document.pk}/").content.decode() for _ in range(3)]
    assert len(renders) == 1
    tokens = [FORM_TOKEN.search(page).group(1) for page in pages]
    assert len(set(tokens)) == 3
    assert {_unmask_cipher_token(t) for t in tokens} == {client.cookies["csrftoken"].value}
    url = reverse("documents:bookmark", args=[document.pk])
    assert client.post(url, {"csrfmiddlewaretoken": "x" * 64}).status_code == 403
    assert client.post(url, {"csrfmiddlewaretoken": tokens[-1]}).status_code == 302
    assert Bookmark.objects.filter(user=world.member, document=document).exists()


def test_a_bookmark_gives_its_own_page_and_the_flash_message_is_not_kept(
    world, client, shared, renders
):
    document = make_document(world, world.branch, title="Đọc sau")
    assert 'aria-pressed="false"' in read(client, world.member, document).content.decode()
    response = client.post(reverse("documents:bookmark", args=[document.pk]), follow=True)
    page = response.content.decode()
    assert "Đã lưu vào mục Đọc sau." in page and 'aria-pressed="true"' in page
    assert len(renders) == 1  # the page with the message was rendered, not kept
    again = read(client, world.member, document).content.decode()
    assert 'aria-pressed="true"' in again and "Đã lưu vào mục Đọc sau." not in again
    assert len(renders) == 2  # the bookmarked page is another page
    other = read(client, world.probationary, document).content.decode()
    assert 'aria-pressed="false"' in other and len(renders) == 2  # the first one, kept


def test_a_message_waiting_is_shown_once_and_never_kept(world, client, shared, renders):
    document = make_document(world, world.branch, title="Kế hoạch")
    read(client, world.member, document)
    client.cookies["messages"] = CookieStorage(None)._encode(
        [Message(messages.SUCCESS, "Đã lưu hồ sơ.")]
    )
    assert "Đã lưu hồ sơ." in read(client, world.member, document).content.decode()
    assert "Đã lưu hồ sơ." not in read(client, world.member, document).content.decode()
    assert len(renders) == 1


def test_a_new_notice_shows_on_the_bell(
    world, client, shared, renders, django_capture_on_commit_callbacks
):
    document = make_document(world, world.branch, title="Kế hoạch")
    assert '<span class="badge">' not in read(client, world.member, document).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        notices.notify_user(user=world.member, title="Lịch sinh hoạt tháng 12")
    assert '<span class="badge">1</span>' in read(client, world.member, document).content.decode()
    # the probationary member has no notice: the first page, without a badge
    assert '<span class="badge">' not in read(client, world.probationary, document).content.decode()
    assert len(renders) == 2


def test_a_link_only_some_readers_may_follow_gives_them_different_pages(
    world, client, shared, renders, django_capture_on_commit_callbacks
):
    """The commune's document links to a branch plan: its members see the link, the
    sibling branch's member gets a page without it."""
    resolution = make_document(world, world.commune, title="Nghị quyết của phường")
    plan = make_document(world, world.branch, title="Kế hoạch thực hiện của chi bộ 1")
    with django_capture_on_commit_callbacks(execute=True):
        services.link_documents(
            actor=world.admin, source=plan, target=resolution, relation="implements"
        )
    assert (
        "Kế hoạch thực hiện của chi bộ 1" in read(client, world.member, resolution).content.decode()
    )
    outside = read(client, world.outsider, resolution).content.decode()
    assert "Nghị quyết của phường" in outside
    assert "Kế hoạch thực hiện của chi bộ 1" not in outside
    assert len(renders) == 2


@pytest.mark.parametrize("persona", ["admin", "office", "secretary"])
def test_editors_and_followers_pages_are_rendered_for_them(world, client, shared, renders, persona):
    """Their page holds their own forms or the required-reading panel: never kept."""
    document = make_document(world, world.branch, title="Kế hoạch chi bộ")
    read(client, world.member, document)
    for _ in range(2):
        read(client, world.persona(persona), document)
    assert renders == [world.member.username]


def test_a_change_to_the_document_reaches_the_next_reader(
    world, client, shared, renders, django_capture_on_commit_callbacks
):
    document = make_document(world, world.province, title="Nghị quyết thành phố")
    read(client, world.member, document)
    with django_capture_on_commit_callbacks(execute=True):
        world.province.name = "Đảng bộ Thành phố Mới"
        world.province.save()
    assert "Đảng bộ Thành phố Mới" in read(client, world.member, document).content.decode()
    assert len(renders) == 2


def test_reopening_an_unchanged_page_downloads_nothing(world, client, shared, renders):
    document = make_document(world, world.branch, title="Kế hoạch chi bộ")
    first = read(client, world.member, document)
    etag = first["ETag"]
    assert etag.startswith('W/"') and first["Cache-Control"] == "private, no-cache"
    again = read(client, world.member, document, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    client.post(reverse("documents:bookmark", args=[document.pk]), follow=True)
    changed = read(client, world.member, document, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_without_a_shared_cache_nothing_is_kept(world, client, renders):
    document = make_document(world, world.branch, title="Kế hoạch chi bộ")
    for _ in range(2):
        response = read(client, world.member, document)
    assert renders == [] and not response.has_header("ETag")
