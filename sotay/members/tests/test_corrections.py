import pytest
from django.urls import reverse

from sotay.members.models import CorrectionRequest, CorrectionStatus
from sotay.notifications.models import Receipt

pytestmark = pytest.mark.django_db
MESSAGE = "Ngày vào Đảng của tôi là 19/05/2000, không phải 01/01/2000."


def test_member_requests_a_correction_and_the_secretary_resolves_it(world, login):
    client = login(world.member)
    page = client.get(reverse("members:detail", args=[world.member.member_id])).content.decode()
    assert "Đề nghị sửa thông tin" in page
    assert (
        client.post(reverse("members:request_correction"), {"message": MESSAGE}).status_code == 302
    )
    req = CorrectionRequest.objects.get()
    assert req.member_id == world.member.member_id and req.status == CorrectionStatus.OPEN

    sec = login(world.secretary)
    queue = sec.get(reverse("members:work_queues")).content.decode()
    assert MESSAGE in queue
    # Refusing needs a reason; then it is closed and the member is told.
    sec.post(reverse("members:resolve_correction", args=[req.pk]), {"done": "0", "resolution": ""})
    assert CorrectionRequest.objects.get().status == CorrectionStatus.OPEN
    sec.post(
        reverse("members:resolve_correction", args=[req.pk]),
        {"done": "1", "resolution": "Đã sửa theo lý lịch gốc"},
    )
    req.refresh_from_db()
    assert req.status == CorrectionStatus.DONE and req.resolved_by == world.secretary
    assert Receipt.objects.filter(user=world.member, notice__title__contains="Đã sửa").exists()
    assert (
        sec.post(reverse("members:resolve_correction", args=[req.pk]), {"done": "1"}).status_code
        == 404
    )


def test_a_too_short_request_is_refused_and_nothing_is_saved(world, login):
    response = login(world.member).post(reverse("members:request_correction"), {"message": "sai"})
    assert response.status_code == 400 and "ít nhất 10 ký tự" in response.content.decode()
    assert not CorrectionRequest.objects.exists()


def test_other_branches_cannot_see_or_resolve_the_request(world, login):
    login(world.member).post(reverse("members:request_correction"), {"message": MESSAGE})
    req = CorrectionRequest.objects.get()
    assert (
        login(world.outsider)
        .post(reverse("members:resolve_correction", args=[req.pk]), {"done": "1"})
        .status_code
        == 404
    )
    assert (
        login(world.commune_officer)
        .post(reverse("members:resolve_correction", args=[req.pk]), {"done": "1"})
        .status_code
        == 404
    )
    assert CorrectionRequest.objects.get().status == CorrectionStatus.OPEN


def test_the_form_is_only_on_ones_own_record(world, login):
    page = (
        login(world.secretary)
        .get(reverse("members:detail", args=[world.member.member_id]))
        .content.decode()
    )
    assert "Đề nghị sửa thông tin" not in page
