import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sotay.accounts.models import AccountStatus
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.notifications.models import Notice, Receipt
from sotay.notifications.services import send_notice

pytestmark = pytest.mark.django_db


def test_a_notice_reaches_every_active_account_of_the_subtree_in_one_insert(world):
    with CaptureQueriesContext(connection) as ctx:
        notice = send_notice(
            actor=world.office, org=world.commune, title="Hội nghị học tập nghị quyết"
        )
    inserts = [
        q
        for q in ctx.captured_queries
        if "notifications_receipt" in q["sql"] and q["sql"].startswith("INSERT")
    ]
    assert len(inserts) == 1
    recipients = set(Receipt.objects.filter(notice=notice).values_list("user_id", flat=True))
    expected = {
        world.member.pk,
        world.probationary.pk,
        world.secretary.pk,
        world.commune_officer.pk,
        world.office.pk,
        world.outsider.pk,
    }
    assert recipients == expected  # the pending account and other communes get nothing
    assert notice.recipient_count == len(expected)


def test_plain_members_and_outsiders_cannot_send(world):
    with pytest.raises(PermissionDenied):
        send_notice(actor=world.member, org=world.branch, title="Không được gửi")
    with pytest.raises(PermissionDenied):
        send_notice(actor=world.secretary, org=world.sibling, title="Không được gửi")
    assert not Notice.objects.exists()


def test_empty_title_is_refused(world):
    with pytest.raises(ServiceError, match="ít nhất 3 ký tự"):
        send_notice(actor=world.secretary, org=world.branch, title=" ")


def test_bell_shows_the_unread_count_and_list_marks_read(world, login):
    send_notice(actor=world.secretary, org=world.branch, title="Họp chi bộ tháng 12")
    client = login(world.member)
    home = client.get("/").content.decode()
    assert '<span class="badge">1</span>' in home
    receipt = Receipt.objects.get(user=world.member)
    assert client.post(reverse("notifications:read", args=[receipt.pk])).status_code == 302
    assert '<span class="badge">' not in client.get("/").content.decode()


def test_nobody_marks_another_persons_notice(world, login):
    send_notice(actor=world.secretary, org=world.branch, title="Họp chi bộ tháng 12")
    receipt = Receipt.objects.get(user=world.member)
    assert (
        login(world.secretary).post(reverse("notifications:read", args=[receipt.pk])).status_code
        == 404
    )
    receipt.refresh_from_db()
    assert receipt.read_at is None


def test_send_form_reports_errors_and_sends(world, login):
    client = login(world.secretary)
    bad = client.post(
        reverse("notifications:send", args=[world.branch.pk]), {"title": "", "body": ""}
    )
    assert bad.status_code == 200 and not Notice.objects.exists()
    ok = client.post(
        reverse("notifications:send", args=[world.branch.pk]),
        {"title": "Thu đảng phí tháng 12", "body": ""},
    )
    assert ok.status_code == 302
    assert (
        Notice.objects.get().recipient_count == 3
    )  # member, probationary, secretary; pending excluded


def test_the_list_page_has_a_fixed_query_count(world, login):
    for i in range(15):
        send_notice(actor=world.secretary, org=world.branch, title=f"Thông báo số {i}")
    client = login(world.member)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("notifications:list")).status_code == 200
    assert len(ctx.captured_queries) <= 6


def test_pending_accounts_are_excluded(world):
    assert world.pending.status == AccountStatus.PENDING
    notice = send_notice(actor=world.secretary, org=world.branch, title="Thông báo chi bộ")
    assert not Receipt.objects.filter(notice=notice, user=world.pending).exists()


@pytest.mark.django_db(transaction=True)
def test_cached_unread_count_follows_sends_and_reads(world):
    from django.test import override_settings

    from sotay.notifications.queries import unread_count
    from sotay.notifications.services import mark_read

    with override_settings(SOTAY_SHARED_CACHE=True):
        assert unread_count(world.member) == 0
        send_notice(actor=world.secretary, org=world.branch, title="Họp chi bộ tháng 12")
        assert unread_count(world.member) == 1
        with CaptureQueriesContext(connection) as ctx:
            assert unread_count(world.member) == 1
        assert not ctx.captured_queries
        mark_read(user=world.member, receipt=Receipt.objects.get(user=world.member))
        assert unread_count(world.member) == 0
