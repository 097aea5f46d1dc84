"""Load shedding: past the admitted requests, a request waits briefly and then answers
503 with Retry-After and a Vietnamese message, having changed nothing."""

import json
import threading

import pytest
from django.test import Client

from sotay.core import admission
from sotay.meetings.models import Attendance

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def one_slot(settings):
    settings.SOTAY_WEB_ADMIT = 1
    settings.SOTAY_SHED_WAIT_MS = 50
    settings.SOTAY_SHED_QUEUE = 1


class Holding:
    """Keep the only slot busy from another thread, as a slow request would."""

    def __init__(self):
        self.taken = threading.Event()
        self.release = threading.Event()

    def __enter__(self):
        def hold():
            slots = admission.slots()
            slots.acquire()
            self.taken.set()
            self.release.wait(5)
            slots.release()

        self.thread = threading.Thread(target=hold)
        self.thread.start()
        self.taken.wait(5)
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join()


def test_it_is_first_in_the_middleware(settings):
    assert settings.MIDDLEWARE[0] == "sotay.core.admission.AdmissionControl"


def test_without_a_limit_nothing_is_shed(settings):
    settings.SOTAY_WEB_ADMIT = 0
    assert admission.slots() is None


def test_a_page_request_past_the_slots_gets_a_vietnamese_503_and_retry_after(one_slot):
    control = admission.AdmissionControl(lambda request: pytest.fail("must not reach the view"))
    request = type("R", (), {"path_info": "/van-ban/1/", "method": "GET"})()
    with Holding():
        response = control(request)
    assert response.status_code == 503
    assert response["Retry-After"] == str(admission.RETRY_AFTER_S)
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert "Hệ thống đang quá tải" in body and "chưa được ghi nhận" in body
    assert "location.reload()" in body  # a page is simply asked for again


def test_after_a_shed_post_try_again_goes_back_to_the_form(one_slot):
    """Reloading would re-send the POST behind the browser's resubmit dialogue."""
    control = admission.AdmissionControl(lambda request: pytest.fail("must not reach the view"))
    request = type("R", (), {"path_info": "/sinh-hoat/1/diem-danh/", "method": "POST"})()
    with Holding():
        body = control(request).content.decode()
    assert "history.back()" in body and "location.reload()" not in body


def test_the_api_gets_json(one_slot):
    control = admission.AdmissionControl(lambda request: pytest.fail("must not reach the view"))
    request = type("R", (), {"path_info": "/api/v1/meetings/1/check-in", "method": "POST"})()
    with Holding():
        response = control(request)
    assert response.status_code == 503
    assert json.loads(response.content) == {"detail": admission.MESSAGE}


def test_health_checks_are_never_shed(one_slot):
    control = admission.AdmissionControl(lambda request: "alive")
    with Holding():
        assert control(type("R", (), {"path_info": "/healthz"})()) == "alive"


def test_a_request_waits_for_a_slot_freed_in_time(settings):
    settings.SOTAY_WEB_ADMIT = 1
    settings.SOTAY_SHED_WAIT_MS = 2000
    settings.SOTAY_SHED_QUEUE = 1
    control = admission.AdmissionControl(lambda request: "served")
    shed = admission.shed_count()
    with Holding() as holding:
        threading.Timer(0.1, holding.release.set).start()
        assert control(type("R", (), {"path_info": "/"})()) == "served"
    assert admission.shed_count() == shed


def test_past_the_queue_a_request_is_refused_at_once(settings):
    """One slot busy, one request already waiting: the next one does not wait its
    SOTAY_SHED_WAIT_MS, it answers 503 at once; the waiting one is still served."""
    import time

    settings.SOTAY_WEB_ADMIT = 1
    settings.SOTAY_SHED_WAIT_MS = 3000
    settings.SOTAY_SHED_QUEUE = 1
    control = admission.AdmissionControl(lambda request: "served")
    request = type("R", (), {"path_info": "/", "method": "GET"})()
    answers = []
    with Holding() as holding:
        waiter = threading.Thread(target=lambda: answers.append(control(request)))
        waiter.start()
        deadline = time.monotonic() + 2
        while admission._waiting["now"] < 1 and time.monotonic() < deadline:
            time.sleep(0.005)
        started = time.monotonic()
        refused = control(request)
        took = time.monotonic() - started
        holding.release.set()
        waiter.join(5)
    assert refused.status_code == 503 and took < 0.5
    assert answers == ["served"]
    assert admission._waiting["now"] == 0


def test_the_slot_is_given_back_when_the_view_fails(one_slot):
    def boom(request):
        raise RuntimeError("view failed")

    control = admission.AdmissionControl(boom)
    for _ in range(3):
        with pytest.raises(RuntimeError):
            control(type("R", (), {"path_info": "/"})())
    control.get_response = lambda request: "served"
    assert control(type("R", (), {"path_info": "/"})()) == "served"


def test_a_shed_check_in_writes_nothing(world, one_slot):
    """Through the whole stack: the member's POST is answered 503 before the session,
    CSRF or the view, and no attendance row changes."""
    from sotay.meetings import services
    from sotay.meetings.testing import meetings_for_matrix

    meeting = meetings_for_matrix(world)["meeting_announced"]
    services.start_meeting(user=world.secretary, meeting=meeting)
    client = Client()
    client.force_login(world.member)
    before = list(Attendance.objects.values_list("pk", "status"))
    with Holding():
        response = client.post(f"/sinh-hoat/{meeting.pk}/diem-danh/")
    assert response.status_code == 503
    assert "Hệ thống đang quá tải" in response.content.decode()
    assert list(Attendance.objects.values_list("pk", "status")) == before
    # Once the slot is free the same POST checks the member in.
    response = client.post(f"/sinh-hoat/{meeting.pk}/diem-danh/")
    assert response.status_code == 302
    assert (
        Attendance.objects.filter(entry__member=world.member.member)
        .exclude(status="absent")
        .exists()
    )
