"""Member record pages kept per process under a fingerprint of what they show
(members.record_page, PostgreSQL only): a reader in scope gets the page another reader's
request rendered when, and only when, the record and what the page adds for them are the
same; each opening is audited by the one statement that checks the scope; any change to
the record, however it is made, gives a new page."""

import datetime as dt
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

from sotay.audit.models import AuditEntry
from sotay.core import kept_pages
from sotay.core.testing import make_member
from sotay.members import record_page
from sotay.members.models import CardRecord, EventKind, Member, MemberEvent, PartyBadge
from sotay.organizations.models import Organization

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="records are kept on PostgreSQL only"
    ),
]

TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')
FORM_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def open_record(client, user, member_id, status=200, **headers):
    client.force_login(user)
    response = client.get(reverse("members:detail", args=[member_id]), **headers)
    assert response.status_code == status
    if status == 200:
        assert kept_pages.CSRF_MARK not in response.content.decode()
    return response


def html(response) -> str:
    return FORM_TOKEN.sub("", TOKEN.sub("", response.content.decode()))


def viewed(member_id) -> list[str]:
    return list(
        AuditEntry.objects.filter(action="members.viewed", target_id=str(member_id))
        .order_by("id")
        .values_list("actor_label", flat=True)
    )


def test_a_second_opening_gets_the_kept_page_and_both_are_audited(world, client, renders):
    target = world.probationary.member_id
    first = open_record(client, world.commune_officer, target)
    with CaptureQueriesContext(connection) as queries:
        second = open_record(client, world.commune_officer, target)
    assert renders == [world.commune_officer.username]
    assert html(second) == html(first) and "Trần Thị Bình" in second.content.decode()
    assert viewed(target) == [str(world.commune_officer)] * 2
    entry = AuditEntry.objects.filter(action="members.viewed").latest("id")
    assert (entry.actor_id, entry.target_type, entry.target_label, entry.org_path) == (
        world.commune_officer.pk, "members.member", "Trần Thị Bình", world.branch.path,
    )  # fmt: skip
    # the kept page: one statement of the record's own (scope, audit, fingerprint)
    own = [
        q["sql"]
        for q in queries.captured_queries
        if "audit_auditentry" in q["sql"] or "members_memberevent" in q["sql"]
    ]
    assert len(own) == 1 and own[0].lstrip().startswith("WITH m AS")
    # prepared once on the connection, then only executed (core.prepared)
    with connection.cursor() as cur:
        cur.execute("SELECT generic_plans + custom_plans FROM pg_prepared_statements"
                    " WHERE statement LIKE '%%audit_auditentry%%'")  # fmt: skip
        assert cur.fetchall() == [(2,)]


def test_a_reader_out_of_scope_gets_404_and_nothing_is_written(world, client, renders):
    target = world.probationary.member_id
    open_record(client, world.commune_officer, target)  # kept
    before = AuditEntry.objects.count()
    open_record(client, world.outsider, target, status=404)  # the sibling branch
    open_record(client, world.member, target, status=404)  # a plain member
    open_record(client, world.commune_officer, 10**9, status=404)  # none such
    open_record(client, world.commune_officer, 10**20, status=404)  # beyond any id
    # readers who may view members, but not this one's branch
    other_commune = make_member(world.branch3, "Mai Văn Tùng")
    open_record(client, world.commune_officer, other_commune.pk, status=404)
    open_record(client, world.secretary, world.outsider.member_id, status=404)
    assert AuditEntry.objects.count() == before


def test_what_the_page_adds_for_the_reader_gives_them_their_own_page(world, client, renders):
    target = world.probationary.member_id
    officer = open_record(client, world.commune_officer, target).content.decode()  # view only
    secretary = open_record(client, world.secretary, target).content.decode()  # + events
    office = open_record(client, world.office, target).content.decode()  # + events, photo
    assert "Ghi nhận sự kiện" not in officer and "Ghi nhận sự kiện" in secretary
    assert "ảnh chân dung</summary>" not in secretary and "ảnh chân dung</summary>" in office
    assert len(renders) == 3
    assert "Ghi nhận sự kiện" not in open_record(client, world.inspector, target).content.decode()
    assert "Ghi nhận sự kiện" in open_record(client, world.admin, target).content.decode()
    assert len(renders) == 3  # the inspector got the officer's page; the admin the office's


@pytest.mark.parametrize(
    "change, shown",
    [
        (lambda m: Member.objects.filter(pk=m.pk).update(phone="0912345678"), "0912345678"),
        (lambda m: Member.objects.filter(pk=m.pk).update(discipline="Khiển trách"), "Khiển trách"),
        (
            lambda m: Organization.objects.filter(pk=m.organization_id).update(
                name="Chi bộ Khu phố Một"
            ),
            "Chi bộ Khu phố Một",
        ),
        (
            lambda m: PartyBadge.objects.bulk_create(
                [PartyBadge(member=m, years=30, awarded_on=dt.date(2025, 2, 3))]
            ),
            "30 năm (03/02/2025)",
        ),
        (
            lambda m: CardRecord.objects.bulk_create(
                [CardRecord(member=m, card_number="77.123456", issued_on=dt.date(2020, 1, 2))]
            ),
            "77.123456",
        ),
        (
            lambda m: MemberEvent.objects.bulk_create(
                [
                    MemberEvent(
                        member=m,
                        kind=EventKind.RECORD_OPENED,
                        effective_on=dt.date(2026, 5, 19),
                        note="Hồ sơ giấy chuyển từ quận cũ",
                    )
                ]  # fmt: skip
            ),
            "Hồ sơ giấy chuyển từ quận cũ",
        ),
    ],
    ids=["member-row", "sheet", "organisation-name", "badge", "card", "event"],
)
def test_any_change_to_what_the_page_shows_gives_a_new_page(world, client, renders, change, shown):
    member = Member.objects.get(pk=world.probationary.member_id)
    assert shown not in open_record(client, world.secretary, member.pk).content.decode()
    change(member)  # queryset updates and bulk inserts: no signal, no save()
    assert shown in open_record(client, world.secretary, member.pk).content.decode()
    assert len(renders) == 2


def test_a_change_to_an_existing_badge_or_card_gives_a_new_page(world, client, renders):
    member = Member.objects.get(pk=world.probationary.member_id)
    PartyBadge.objects.create(member=member, years=30, awarded_on=dt.date(2025, 2, 3))
    CardRecord.objects.create(member=member, card_number="77.123456", issued_on=dt.date(2020, 1, 2))
    page = open_record(client, world.secretary, member.pk).content.decode()
    assert "30 năm (03/02/2025)" in page and "(thay" not in page
    PartyBadge.objects.filter(member=member).update(years=40)
    assert "40 năm (03/02/2025)" in open_record(client, world.secretary, member.pk).content.decode()
    CardRecord.objects.filter(member=member).update(ended_on=dt.date(2026, 6, 1))
    assert "(thay 01/06/2026)" in open_record(client, world.secretary, member.pk).content.decode()
    assert len(renders) == 3


def test_an_events_organisation_renamed_reaches_the_page(world, client, renders):
    member = Member.objects.get(pk=world.probationary.member_id)
    MemberEvent.objects.create(
        member=member, kind=EventKind.TRANSFER_IN, effective_on=dt.date(2026, 1, 5),
        organization=world.sibling,
    )  # fmt: skip
    assert "Chi bộ Khu phố 2" in open_record(client, world.secretary, member.pk).content.decode()
    Organization.objects.filter(pk=world.sibling.pk).update(name="Chi bộ Tổ dân phố 2")
    assert "Chi bộ Tổ dân phố 2" in open_record(client, world.secretary, member.pk).content.decode()


def test_every_answer_has_its_own_token_and_a_kept_pages_token_is_accepted(world, renders):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.secretary)
    url = reverse("members:detail", args=[world.probationary.member_id])
    pages = [client.get(url).content.decode() for _ in range(3)]
    assert len(renders) == 1
    tokens = [FORM_TOKEN.search(page).group(1) for page in pages]
    assert len(set(tokens)) == 3
    assert {_unmask_cipher_token(t) for t in tokens} == {client.cookies["csrftoken"].value}
    post = reverse("members:record_event", args=[world.probationary.member_id])
    assert client.post(post, {"csrfmiddlewaretoken": "x" * 64}).status_code == 403
    # the token passes; the empty form is then refused by the form, not by CSRF
    assert client.post(post, {"csrfmiddlewaretoken": tokens[-1]}).status_code == 400


def test_a_flash_message_is_shown_once_and_never_kept(world, client, renders):
    target = world.probationary.member_id
    open_record(client, world.secretary, target)
    client.cookies["messages"] = CookieStorage(None)._encode(
        [Message(messages.SUCCESS, "Đã ghi nhận sự kiện.")]
    )
    assert "Đã ghi nhận sự kiện." in open_record(client, world.secretary, target).content.decode()
    assert (
        "Đã ghi nhận sự kiện." not in open_record(client, world.secretary, target).content.decode()
    )
    assert len(renders) == 1
    assert len(viewed(target)) == 3


def test_the_members_own_record_is_rendered_each_time(world, client, renders):
    for _ in range(2):
        page = open_record(client, world.member, world.member.member_id).content.decode()
        assert "Nguyễn Văn An" in page
    assert renders == [] and len(viewed(world.member.member_id)) == 2


def test_a_page_whose_record_changed_while_rendering_is_not_kept(
    world, client, renders, monkeypatch
):
    monkeypatch.setattr(record_page, "fingerprint", lambda pk: "changed meanwhile")
    for _ in range(2):
        open_record(client, world.secretary, world.probationary.member_id)
    assert len(renders) == 2


def test_reopening_an_unchanged_record_downloads_nothing(world, client, renders):
    target = world.probationary.member_id
    etag = open_record(client, world.secretary, target)["ETag"]
    again = open_record(client, world.secretary, target, status=304, HTTP_IF_NONE_MATCH=etag)
    assert again.content == b"" and len(viewed(target)) == 2  # a 304 is a reading too
    Member.objects.filter(pk=target).update(phone="0987654321")
    changed = open_record(client, world.secretary, target, HTTP_IF_NONE_MATCH=etag)
    assert changed["ETag"] != etag and "0987654321" in changed.content.decode()


def test_the_english_page_is_another_page(world, client, renders, settings):
    target = world.probationary.member_id
    vietnamese = open_record(client, world.secretary, target).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = open_record(client, world.secretary, target).content.decode()
    assert '<html lang="vi">' in vietnamese and '<html lang="en">' in english
    assert len(renders) == 2
