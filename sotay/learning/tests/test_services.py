"""Programme, reflection and paper-score rules not covered by the screens."""

import datetime as dt

import pytest
from django.utils import timezone

from sotay.core.errors import PermissionDenied, ServiceError
from sotay.learning import services
from sotay.learning.models import ProgrammeProgress, Reflection
from sotay.learning.testing import build_programme

pytestmark = pytest.mark.django_db


def test_a_reflection_needing_revision_is_replaced_and_an_accepted_one_is_final(world, programme):
    first = services.submit_reflection(
        user=world.member, programme=programme, body="<p>Bản đầu</p>"
    )
    services.review_reflection(
        actor=world.secretary, reflection=first, accepted=False, comment="Cần liên hệ thực tiễn"
    )
    second = services.submit_reflection(
        user=world.member, programme=programme, body="<p>Bản sửa</p>"
    )
    assert second.pk == first.pk and second.state == "submitted" and second.comment == ""
    services.review_reflection(actor=world.secretary, reflection=second, accepted=True)
    with pytest.raises(ServiceError, match="đạt"):
        services.submit_reflection(user=world.member, programme=programme, body="<p>Lần ba</p>")
    assert Reflection.objects.get().body == "<p>Bản sửa</p>"


def test_only_the_members_own_secretary_reviews(world, programme):
    reflection = services.submit_reflection(
        user=world.member, programme=programme, body="<p>Bài</p>"
    )
    for persona in ("office", "commune_officer", "outsider", "member"):
        with pytest.raises(PermissionDenied):
            services.review_reflection(
                actor=world.persona(persona), reflection=reflection, accepted=True
            )


def test_an_empty_reflection_is_refused(world, programme):
    with pytest.raises(ServiceError, match="hãy viết nội dung"):
        services.submit_reflection(
            user=world.member, programme=programme, body="<p> </p><script>x</script>"
        )
    assert not Reflection.objects.exists()


def test_paper_scores_are_checked_and_corrections_replace_them(world, programme):
    member = world.member.member
    today = timezone.localdate()
    with pytest.raises(ServiceError, match="tương lai"):
        services.record_offline_study(actor=world.secretary, programme=programme, member=member,
                                      studied_on=today + dt.timedelta(days=1))  # fmt: skip
    with pytest.raises(ServiceError, match="0 đến 100"):
        services.record_offline_study(actor=world.secretary, programme=programme, member=member,
                                      studied_on=today, paper_score="abc")  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.record_offline_study(
            actor=world.office, programme=programme, member=member, studied_on=today
        )
    services.record_offline_study(actor=world.secretary, programme=programme, member=member,
                                  studied_on=today, paper_score="40")  # fmt: skip
    standing = ProgrammeProgress.objects.get(programme=programme, member=member)
    assert standing.paper and not standing.quiz_passed and standing.status == "in_progress"
    services.record_offline_study(actor=world.secretary, programme=programme, member=member,
                                  studied_on=today, paper_score="85,5")  # fmt: skip
    standing.refresh_from_db()
    assert standing.quiz_score == 85.5 and standing.status == "completed"


def test_programme_rules(world):
    today = timezone.localdate()
    with pytest.raises(ServiceError, match="không được trước"):
        services.create_programme(actor=world.office, organization=world.branch, title="X",
                                  opens_on=today, closes_on=today - dt.timedelta(days=1))  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.create_programme(actor=world.office, organization=world.commune2, title="X",
                                  opens_on=today, closes_on=today)  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.create_programme(actor=world.secretary, organization=world.branch, title="X",
                                  opens_on=today, closes_on=today)  # fmt: skip
    empty = services.create_programme(actor=world.office, organization=world.branch, title="Rỗng",
                                      opens_on=today, closes_on=today)  # fmt: skip
    with pytest.raises(ServiceError, match="ít nhất một bài học"):
        services.publish_programme(actor=world.office, programme=empty)
    published = build_programme(world, quiz=False)
    with pytest.raises(ServiceError, match="đã giao học"):
        services.add_lesson(
            actor=world.office, programme=published, title="Thêm", kind="text", body="<p>x</p>"
        )
