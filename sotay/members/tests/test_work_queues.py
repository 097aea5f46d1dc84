import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sotay.core.testing import make_member
from sotay.members.lifecycle import record_event
from sotay.members.models import MemberStatus

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
DECISION = {"deciding_body": "Đảng ủy phường An Hòa", "decision_number": "125-QĐ/ĐU"}


def admitted(world, name, ceremony):
    m = make_member(world.branch, name, status=MemberStatus.PROBATIONARY, joined_on=None)
    record_event(
        actor=world.secretary,
        member=m,
        kind="ket_nap",
        decided_on=ceremony,
        effective_on=ceremony,
        **DECISION,
    )
    return m


def test_queues_list_probations_transfers_and_temporary_attachments(world, login):
    due = admitted(world, "Lê Thị Sắp", TODAY - dt.timedelta(days=350))  # ends in ~15 days
    admitted(world, "Lê Văn Xa", TODAY - dt.timedelta(days=200))  # ends in ~165 days: not listed
    late = admitted(world, "Lê Văn Trễ", TODAY - dt.timedelta(days=500))  # recognition overdue
    record_event(actor=world.secretary, member=world.member.member, kind="chuyen_tam_thoi", organization=world.branch3,
                 until=TODAY + dt.timedelta(days=10))  # fmt: skip
    record_event(actor=world.secretary, member=world.probationary.member, kind="chuyen_chinh_thuc", organization=world.sibling,
                 decided_on=TODAY, **DECISION)  # fmt: skip
    client = login(world.secretary)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("members:work_queues")).content.decode()
    assert len(ctx.captured_queries) <= 14
    assert "Lê Thị Sắp" in page and "Lê Văn Trễ" in page and "Lê Văn Xa" not in page
    assert page.count("quá hạn xét") == 1 and page.index("Lê Văn Trễ") < page.index("Lê Thị Sắp")
    assert "đang ở Chi bộ Thôn Đông" in page  # outgoing temporary attachment
    assert "Đã chuyển đi" in page and "Trần Thị Bình" in page
    assert "Đỗ Thị Lan" in page  # pending registration
    assert f"/dang-vien/{due.pk}/" in page and f"/dang-vien/{late.pk}/" in page


def test_the_receiving_secretary_sees_the_incoming_transfer_and_nothing_else(world, login):
    import datetime as dt2

    from sotay.organizations.models import Position, Seat

    Seat.objects.create(
        organization=world.sibling,
        member=world.outsider.member,
        position=Position.SECRETARY,
        starts_on=dt2.date.today(),
    )
    record_event(actor=world.secretary, member=world.member.member, kind="chuyen_chinh_thuc", organization=world.sibling,
                 decided_on=TODAY, **DECISION)  # fmt: skip
    admitted(world, "Lê Thị Sắp", TODAY - dt.timedelta(days=350))
    page = login(world.outsider).get(reverse("members:work_queues")).content.decode()
    assert "Nguyễn Văn An" in page and "tới Chi bộ Khu phố 2" in page
    assert "Lê Thị Sắp" not in page and "Đỗ Thị Lan" not in page


def test_plain_members_and_officers_have_no_queue(world, login):
    for persona in (world.member, world.commune_officer, world.inspector):
        assert login(persona).get(reverse("members:work_queues")).status_code == 403
