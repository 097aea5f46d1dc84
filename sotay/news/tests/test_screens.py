"""The news pages: list, reader, cover images, and the office's forms and actions."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sotay.news import services
from sotay.news.models import Post, PostRead, PostState
from sotay.news.testing import image_bytes, make_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def private(settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path
    return tmp_path


def test_the_list_shows_pinned_first_and_marks_unread(world, login):
    read = make_post(world, world.branch, title="Tin đã đọc")
    make_post(world, world.commune, title="Tin chưa đọc")
    pinned = make_post(world, world.province, title="Tin ghim")
    services.pin(actor=world.admin, post=pinned)
    make_post(world, world.sibling, title="Tin chi bộ bên cạnh")
    services.record_read(user=world.member, post=read)
    html = login(world.member).get(reverse("news:list")).content.decode()
    assert html.index("Tin ghim") < html.index("Tin chưa đọc") < html.index("Tin đã đọc")
    assert "Tin chi bộ bên cạnh" not in html
    assert html.count("Mới</strong>") == 2
    assert "Bản nháp" not in html and "Viết tin" not in html


def test_the_list_costs_a_fixed_number_of_queries(world, login, private):
    client = login(world.member)
    client.get(reverse("news:list"))
    for i in range(25):
        post = make_post(world, world.branch, title=f"Tin số {i}")
        if i % 3 == 0:
            services.set_cover(actor=world.admin, post=post, data=image_bytes(size=(400, 300)))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("news:list"))
    assert response.status_code == 200
    assert response.content.decode().count('class="card news-item') == 20
    queries = [q["sql"] for q in ctx.captured_queries]
    # The page of posts with their organisations, then the read marks: two queries.
    assert len([q for q in queries if "news_" in q]) == 2, queries
    assert len(queries) <= 8, queries


def test_editors_see_scheduled_posts_with_their_time_and_draft_tab(world, login):
    at = timezone.now().replace(microsecond=0) + dt.timedelta(days=3)
    make_post(world, world.commune, actor=world.office, title="Tin hẹn giờ", publish_at=at)
    make_post(world, world.commune, actor=world.office, publish=False, title="Tin nháp")
    client = login(world.office)
    html = client.get(reverse("news:list")).content.decode()
    local = timezone.localtime(at)
    assert f"Hẹn giờ đăng {local:%H:%M %d/%m/%Y}" in html
    assert "Tin nháp" not in html
    assert "Tin nháp" in client.get(reverse("news:list") + "?tab=draft").content.decode()
    member_html = login(world.member).get(reverse("news:list")).content.decode()
    assert "Tin hẹn giờ" not in member_html


def test_the_reader_renders_sanitised_body_and_records_the_read(world, login, private):
    post = make_post(
        world,
        world.commune,
        title="Hội nghị sơ kết 6 tháng",
        body="<h2>Kết quả</h2><p>Đạt <em>95%</em> chỉ tiêu.</p><script>alert(1)</script>",
    )
    services.set_cover(actor=world.admin, post=post, data=image_bytes())
    client = login(world.member)
    html = client.get(reverse("news:detail", args=[post.pk])).content.decode()
    assert "<h2>Kết quả</h2>" in html and "<em>95%</em>" in html
    assert "alert(1)" not in html
    assert reverse("news:cover", args=[post.pk]) in html
    client.get(reverse("news:detail", args=[post.pk]))
    assert PostRead.objects.filter(post=post, user=world.member).count() == 1


def test_cover_and_thumbnail_follow_the_post_scope(world, login, private):
    post = make_post(world, world.branch)
    services.set_cover(actor=world.admin, post=post, data=image_bytes())
    client = login(world.member)
    for name in ("news:cover", "news:thumb"):
        response = client.get(reverse(name, args=[post.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "private, max-age=3600"
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert login(world.outsider).get(reverse("news:cover", args=[post.pk])).status_code == 404
    bare = make_post(world, world.branch)
    assert login(world.member).get(reverse("news:cover", args=[bare.pk])).status_code == 404


def test_the_office_writes_with_a_cover_then_publishes(world, login, private):
    client = login(world.office)
    response = client.post(
        reverse("news:create"),
        {
            "title": "Hội nghị sơ kết 6 tháng đầu năm",
            "summary": "Đảng ủy phường tổ chức hội nghị.",
            "body": "<p>Nội dung</p><script>alert(1)</script>",
            "audience_code": "C1",
            "cover": SimpleUploadedFile("bia.png", image_bytes("PNG"), "image/png"),
        },
    )
    post = Post.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "news:edit", args=[post.pk]
    )
    assert post.body == "<p>Nội dung</p>" and post.cover and post.cover_thumb
    response = client.post(reverse("news:publish", args=[post.pk]), {"publish_at": ""})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED and not post.is_scheduled


def test_a_disguised_cover_on_create_shows_the_message_and_saves_nothing(world, login, private):
    client = login(world.office)
    response = client.post(
        reverse("news:create"),
        {
            "title": "Tin",
            "body": "<p>Nội dung</p>",
            "audience_code": "C1",
            "cover": SimpleUploadedFile("virus.jpg", b"MZ\x90\x00" * 100, "image/jpeg"),
        },
    )
    assert response.status_code == 400
    assert "tệp không phải là ảnh JPEG, PNG hoặc WebP" in response.content.decode()
    assert not Post.objects.exists()
    assert not any(p.is_file() for p in private.rglob("*"))


def test_form_errors_name_the_field(world, login):
    client = login(world.office)
    response = client.post(
        reverse("news:create"),
        {"title": "Tin", "body": "<script>x()</script>", "audience_code": "C2"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Mã tổ chức không có hoặc ngoài phạm vi của bạn." in html
    response = client.post(
        reverse("news:create"),
        {"title": "Tin", "body": "<script>x()</script>", "audience_code": "C1"},
    )
    assert "Nội dung: không được để trống" in response.content.decode()
    assert not Post.objects.exists()


def test_scheduling_from_the_form(world, login):
    post = make_post(world, world.commune, actor=world.office, publish=False)
    client = login(world.office)
    when = timezone.localtime(timezone.now() + dt.timedelta(days=2)).replace(
        hour=8, minute=0, second=0, microsecond=0
    )
    response = client.post(
        reverse("news:publish", args=[post.pk]), {"publish_at": when.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.is_scheduled and post.publish_at == when
    page = client.get(reverse("news:detail", args=[post.pk])).content.decode()
    assert f"Hẹn giờ đăng {when:%H:%M %d/%m/%Y}" in page
    response = client.post(
        reverse("news:publish", args=[post.pk]), {"publish_at": "25/13/2026 99:00"}, follow=True
    )
    assert "Hẹn giờ đăng: nhập ngày giờ hợp lệ" in response.content.decode()


def test_actions_are_403_for_readers_and_404_outside_scope(world, login):
    post = make_post(world, world.branch)
    for name in ("news:publish", "news:withdraw", "news:pin", "news:set_cover"):
        assert login(world.member).post(reverse(name, args=[post.pk])).status_code == 403
        assert login(world.outsider).post(reverse(name, args=[post.pk])).status_code == 404
    assert login(world.member).get(reverse("news:publish", args=[post.pk])).status_code == 405


def test_withdraw_and_pin_from_the_reader(world, login):
    post = make_post(world, world.commune, actor=world.office)
    client = login(world.office)
    client.post(reverse("news:pin", args=[post.pk]), {"pinned": "1"})
    post.refresh_from_db()
    assert post.pinned
    response = client.post(reverse("news:withdraw", args=[post.pk]), {"reason": "x"}, follow=True)
    assert "Lý do gỡ tin: hãy ghi rõ lý do" in response.content.decode()
    client.post(reverse("news:withdraw", args=[post.pk]), {"reason": "Đăng nhầm đơn vị"})
    post.refresh_from_db()
    assert post.state == PostState.WITHDRAWN
    html = client.get(reverse("news:detail", args=[post.pk])).content.decode()
    assert "Lý do: Đăng nhầm đơn vị" in html
    assert login(world.member).get(reverse("news:detail", args=[post.pk])).status_code == 404


def test_home_has_a_news_tile(world, login):
    assert reverse("news:list") in login(world.member).get(reverse("core:home")).content.decode()


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("to.jpg", b"\xff\xd8\xff" + b"\x00" * (6 * 1024 * 1024), "tệp quá lớn (6,0 MB)"),
        (
            "anh.png",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "tệp không phải là ảnh JPEG, PNG hoặc WebP",
        ),
    ],
)
def test_a_bad_cover_upload_is_refused_with_a_message(world, login, private, name, data, message):
    post = make_post(world, world.commune, actor=world.office, publish=False)
    response = login(world.office).post(
        reverse("news:set_cover", args=[post.pk]),
        {"cover": SimpleUploadedFile(name, data, "image/jpeg")},
        follow=True,
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    post.refresh_from_db()
    assert not post.cover and not any(p.is_file() for p in private.rglob("*"))
