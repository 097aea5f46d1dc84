"""The news API: scoped list and detail (recording the read), and the office's create,
cover, publish (now or scheduled), withdraw and pin — same rules as the pages."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from sotay.accounts.services import create_api_token
from sotay.news.models import Post, PostRead, PostState
from sotay.news.testing import image_bytes, make_post

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def call(client):
    def _call(user, method, path, body=None, **extra):
        headers = {}
        if user is not None:
            _, plain = create_api_token(user=user, name="test", ip="127.0.0.1")
            headers["HTTP_AUTHORIZATION"] = f"Bearer {plain}"
        send = getattr(client, method.lower())
        if body is not None and "content_type" not in extra:
            extra["content_type"] = "application/json"
        if body is not None:
            return send(f"{API}{path}", body, **headers, **extra)
        return send(f"{API}{path}", **headers, **extra)

    return _call


@pytest.fixture
def private(settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path
    return tmp_path


def test_the_list_is_scoped_and_paged(world, call):
    for i in range(22):
        make_post(world, world.branch, title=f"Tin {i}")
    make_post(world, world.sibling, title="Tin chi bộ bên cạnh")
    make_post(world, world.commune, publish=False, title="Nháp")
    later = make_post(world, world.branch, publish_at=timezone.now() + dt.timedelta(days=1))
    first = call(world.member, "get", "/news").json()
    assert len(first["items"]) == 20 and first["has_next"] is True
    second = call(world.member, "get", "/news?page=2").json()
    assert len(second["items"]) == 2 and second["has_next"] is False
    titles = {p["title"] for p in first["items"] + second["items"]}
    assert "Tin chi bộ bên cạnh" not in titles and "Nháp" not in titles
    assert later.pk not in {p["id"] for p in first["items"] + second["items"]}
    assert all(p["read"] is False for p in first["items"])


def test_editors_see_scheduled_and_may_ask_for_drafts(world, call):
    make_post(world, world.commune, actor=world.office, publish=False, title="Nháp")
    make_post(
        world,
        world.commune,
        actor=world.office,
        publish_at=timezone.now() + dt.timedelta(days=1),
        title="Hẹn giờ",
    )
    items = call(world.office, "get", "/news").json()["items"]
    assert [(p["title"], p["state"]) for p in items] == [("Hẹn giờ", "scheduled")]
    drafts = call(world.office, "get", "/news?state=draft").json()["items"]
    assert [p["title"] for p in drafts] == ["Nháp"]
    assert call(world.member, "get", "/news?state=draft").status_code == 403
    assert call(world.office, "get", "/news?state=bogus").status_code == 400


def test_the_detail_records_the_read_and_is_404_outside_scope(world, call):
    post = make_post(world, world.branch, body="<p>Nội dung</p><script>alert(1)</script>")
    response = call(world.member, "get", f"/news/{post.pk}")
    data = response.json()
    assert response.status_code == 200 and data["body_html"] == "<p>Nội dung</p>"
    assert data["read"] is True
    assert PostRead.objects.filter(post=post, user=world.member).count() == 1
    assert call(world.outsider, "get", f"/news/{post.pk}").status_code == 404
    assert call(world.member, "get", "/news/999999").status_code == 404
    assert call(None, "get", "/news").status_code == 401
    assert call(world.pending, "get", "/news").status_code == 403


def test_the_office_creates_covers_schedules_and_withdraws(world, call, private):
    response = call(
        world.office,
        "post",
        "/news",
        {
            "title": "<b>Hội nghị</b> sơ kết 6 tháng",
            "summary": "<script>x()</script>Tóm tắt",
            "body": '<p onclick="x()">Nội dung</p>',
            "audience_code": "c1",
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["title"] == "Hội nghị sơ kết 6 tháng" and data["summary"] == "Tóm tắt"
    assert data["body_html"] == "<p>Nội dung</p>" and data["state"] == "draft"
    pk = data["id"]
    upload = SimpleUploadedFile("a.webp", image_bytes("WEBP"), "image/webp")
    _, token = create_api_token(user=world.office, name="t", ip="127.0.0.1")
    response = Client().post(
        f"{API}/news/{pk}/cover", {"cover": upload}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200, response.content
    assert response.json()["cover_url"].startswith(f"/tin-tuc/{pk}/anh-bia/")
    bad = SimpleUploadedFile("a.jpg", b"MZ" * 100, "image/jpeg")
    response = Client().post(
        f"{API}/news/{pk}/cover", {"cover": bad}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 400 and response.json()["field"] == "cover"
    at = (timezone.now() + dt.timedelta(days=1)).replace(microsecond=0)
    response = call(world.office, "post", f"/news/{pk}/publish", {"publish_at": at.isoformat()})
    assert response.status_code == 200 and response.json()["state"] == "scheduled"
    response = call(world.office, "post", f"/news/{pk}/pin", {"pinned": True})
    assert response.json()["pinned"] is True
    response = call(world.office, "post", f"/news/{pk}/withdraw", {"reason": "ngắn"})
    assert response.status_code == 400 and response.json()["field"] == "reason"
    response = call(world.office, "post", f"/news/{pk}/withdraw", {"reason": "Đăng nhầm"})
    assert response.json()["state"] == PostState.WITHDRAWN


def test_readers_cannot_write(world, call):
    post = make_post(world, world.branch)
    body = {"title": "T", "body": "<p>x</p>", "audience_code": "B1"}
    assert call(world.member, "post", "/news", body).status_code == 403
    assert call(world.secretary, "post", "/news", body).status_code == 403
    assert call(world.office, "post", "/news", {**body, "audience_code": "C2"}).status_code == 400
    assert call(world.member, "post", f"/news/{post.pk}/publish", {}).status_code == 403
    assert (
        call(world.member, "post", f"/news/{post.pk}/withdraw", {"reason": "Đăng nhầm"}).status_code
        == 403
    )
    assert call(world.outsider, "post", f"/news/{post.pk}/pin", {"pinned": True}).status_code == 404
    assert Post.objects.count() == 1


def test_bad_input_answers_400_or_422_never_500(world, call):
    assert call(world.office, "post", "/news", {"title": "T"}).status_code == 422
    body = {"title": "T", "body": "<script>x</script>", "audience_code": "C1"}
    response = call(world.office, "post", "/news", body)
    assert response.status_code == 400 and response.json()["field"] == "body"
    post = make_post(world, world.commune, publish=False)
    past = (timezone.now() - dt.timedelta(days=3)).isoformat()
    response = call(world.office, "post", f"/news/{post.pk}/publish", {"publish_at": past})
    assert response.status_code == 400 and response.json()["field"] == "publish_at"
    response = call(world.office, "post", f"/news/{post.pk}/publish", {"publish_at": "mai"})
    assert response.status_code == 422
