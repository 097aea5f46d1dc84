"""Writing posts: only content.publish holders over the audience organisation; every text
field sanitised; publication now or scheduled; withdraw with a reason; pin; audit; read
receipts once."""

import datetime as dt

import pytest
from django.utils import timezone

from sotay.audit.models import AuditEntry
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.news import services
from sotay.news.models import Post, PostRead, PostState
from sotay.news.testing import BODY, make_post

pytestmark = pytest.mark.django_db

EVIL = (
    '<p onclick="steal()">Xin chào<script>alert("x")</script></p>'
    '<img src=x onerror="alert(1)"><a href="javascript:alert(1)">bấm</a>'
    '<a href="https://dangcongsan.vn/">Báo Đảng</a><iframe src="https://evil"></iframe>'
    "<style>body{display:none}</style><strong>Đậm</strong>"
)


def _draft(world, actor=None, **fields):
    values = {"title": "Hội nghị sơ kết 6 tháng", "body": BODY, "audience_org": world.commune}
    values.update(fields)
    return services.create_draft(actor=actor or world.office, **values)


@pytest.mark.parametrize(
    "persona", ["member", "probationary", "secretary", "commune_officer", "inspector", "outsider"]
)
def test_only_publishers_write(world, persona):
    with pytest.raises(PermissionDenied):
        _draft(world, actor=world.persona(persona))
    assert not Post.objects.exists()


def test_the_office_writes_only_inside_its_subtree(world):
    assert _draft(world, audience_org=world.branch).path == world.branch.path
    with pytest.raises(PermissionDenied):
        _draft(world, audience_org=world.province)
    with pytest.raises(PermissionDenied):
        _draft(world, audience_org=world.commune2)


def test_others_cannot_publish_withdraw_or_pin_a_post_they_can_read(world):
    post = _draft(world)
    for action in (
        lambda u: services.publish(actor=u, post=post),
        lambda u: services.set_pinned(actor=u, post=post, pinned=True),
        lambda u: services.update(actor=u, post=post, title="Khác"),
    ):
        with pytest.raises(PermissionDenied):
            action(world.secretary)
    services.publish(actor=world.office, post=post)
    with pytest.raises(PermissionDenied):
        services.withdraw(actor=world.member, post=post, reason="Không còn phù hợp")
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED and not post.pinned


def test_every_text_field_is_sanitised(world):
    post = _draft(
        world,
        title='<script>alert(1)</script>Tin <b onmouseover="x()">mới</b>',
        summary='<img src=x onerror="alert(1)">Tóm tắt <a href="javascript:alert(1)">đây</a>',
        body=EVIL,
    )
    post.refresh_from_db()
    assert post.title == "Tin mới"
    assert post.summary == "Tóm tắt đây"
    for bad in ("<script", "alert", "onerror", "onclick", "javascript:", "<iframe", "<style",
                "<img", "display:none"):  # fmt: skip
        assert bad not in post.body, bad
    assert "<strong>Đậm</strong>" in post.body
    assert 'href="https://dangcongsan.vn/"' in post.body and "noopener" in post.body
    assert "xin chao" in post.search_text and "alert" not in post.search_text


def test_sanitising_also_applies_on_update(world):
    post = _draft(world)
    services.update(actor=world.office, post=post, body="<p>Sửa</p><script>x()</script>")
    post.refresh_from_db()
    assert post.body == "<p>Sửa</p>"


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"title": "  "}, "title", "Tiêu đề: không được để trống."),
        ({"title": "<script>alert(1)</script>"}, "title", "Tiêu đề: không được để trống."),
        ({"title": "T" * 301}, "title", "Tiêu đề: dài quá 300 ký tự."),
        ({"summary": "s" * 1001}, "summary", "Tóm tắt: dài quá 1000 ký tự."),
        ({"body": ""}, "body", "Nội dung: không được để trống"),
        ({"body": "<script>alert(1)</script><p> </p>"}, "body", "Nội dung: không được để trống"),
        ({"audience_org": None}, "audience_org", "Gửi tới: hãy chọn tổ chức nhận tin."),
    ],
)
def test_bad_input_is_refused_naming_the_field(world, fields, field, message):
    with pytest.raises(ServiceError) as exc:
        _draft(world, **fields)
    assert exc.value.field == field and exc.value.message.startswith(message)
    assert not Post.objects.exists()


def test_publish_now_is_visible_and_audited(world):
    post = services.publish(actor=world.office, post=_draft(world))
    assert post.state == PostState.PUBLISHED and not post.is_scheduled
    assert abs(post.publish_at - timezone.now()) < dt.timedelta(seconds=5)
    assert AuditEntry.objects.filter(action="news.published", target_id=str(post.pk)).exists()
    with pytest.raises(ServiceError, match="đã được đăng"):
        services.publish(actor=world.office, post=post)


def test_schedule_then_reschedule_then_publish_now(world):
    at = timezone.now() + dt.timedelta(days=2)
    post = services.publish(actor=world.office, post=_draft(world), publish_at=at)
    assert post.is_scheduled and post.publish_at == at
    assert AuditEntry.objects.filter(action="news.scheduled").count() == 1
    post = services.publish(actor=world.office, post=post, publish_at=at + dt.timedelta(hours=1))
    assert post.publish_at == at + dt.timedelta(hours=1)
    post = services.publish(actor=world.office, post=post)
    assert not post.is_scheduled


@pytest.mark.parametrize(
    "delta, message",
    [
        (dt.timedelta(days=-2), "Thời điểm đăng: không được ở quá khứ."),
        (dt.timedelta(days=400), "Thời điểm đăng: chỉ hẹn giờ trong vòng một năm tới."),
    ],
)
def test_bad_publish_times_are_refused(world, delta, message):
    post = _draft(world)
    with pytest.raises(ServiceError) as exc:
        services.publish(actor=world.office, post=post, publish_at=timezone.now() + delta)
    assert exc.value.message == message and exc.value.field == "publish_at"
    post.refresh_from_db()
    assert post.state == PostState.DRAFT and post.publish_at is None


def test_withdraw_needs_a_reason_and_keeps_it_for_editors(world):
    post = make_post(world, world.commune, actor=world.office)
    with pytest.raises(ServiceError) as exc:
        services.withdraw(actor=world.office, post=post, reason=" <b></b> ")
    assert exc.value.field == "reason"
    services.set_pinned(actor=world.office, post=post, pinned=True)
    post = services.withdraw(
        actor=world.office, post=post, reason="<script>x</script>Thông tin chưa chính xác"
    )
    assert post.state == PostState.WITHDRAWN and not post.pinned
    assert post.withdrawn_reason == "Thông tin chưa chính xác"
    assert AuditEntry.objects.filter(action="news.withdrawn").exists()
    with pytest.raises(ServiceError):
        services.update(actor=world.office, post=post, title="Sửa lại")
    with pytest.raises(ServiceError):
        services.publish(actor=world.office, post=post)


def test_pin_and_unpin_are_audited_once_each(world):
    post = make_post(world, world.commune, actor=world.office)
    services.pin(actor=world.office, post=post)
    services.pin(actor=world.office, post=post)  # already pinned: nothing new
    services.unpin(actor=world.office, post=post)
    assert list(
        AuditEntry.objects.filter(action__startswith="news.")
        .filter(action__in=["news.pinned", "news.unpinned"])
        .values_list("action", flat=True)
        .order_by("pk")
    ) == ["news.pinned", "news.unpinned"]


def test_a_read_is_recorded_once_and_only_for_live_posts(world):
    post = make_post(world, world.branch)
    assert services.record_read(user=world.member, post=post) is True
    assert services.record_read(user=world.member, post=post) is False
    assert PostRead.objects.filter(post=post).count() == 1
    draft = _draft(world)
    assert services.record_read(user=world.office, post=draft) is False
    later = make_post(world, world.branch, publish_at=timezone.now() + dt.timedelta(hours=1))
    assert services.record_read(user=world.admin, post=later) is False
    assert PostRead.objects.count() == 1
