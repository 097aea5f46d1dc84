"""Who is assigned what, the home block (one statement), progress and report scope."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sotay.accounts.permissions import grants_for
from sotay.learning import quizzes, reports, services
from sotay.learning.models import ProgrammeProgress
from sotay.learning.queries import assigned_members, home_programmes, is_assigned
from sotay.learning.testing import answer_all, build_programme

pytestmark = pytest.mark.django_db


def test_the_home_block_is_one_sql_statement(world, programme):
    build_programme(world, title="Chuyên đề hai", quiz=False)
    user = world.member
    grants_for(user)  # loaded once per request by the middleware
    with CaptureQueriesContext(connection) as queries:
        items = home_programmes(user)
    assert len(queries) == 1
    assert {p.title for p in items} == {"Học tập Nghị quyết 57-NQ/TW", "Chuyên đề hai"}


def test_the_home_page_shows_the_block_and_drops_completed_programmes(world, login, programme):
    client = login(world.member)
    assert "Chuyên đề cần học" in client.get(reverse("core:home")).content.decode()
    services.record_offline_study(actor=world.secretary, programme=programme, member=world.member.member,
                                  studied_on=timezone.localdate(), paper_score="90")  # fmt: skip
    assert "Chuyên đề cần học" not in client.get(reverse("core:home")).content.decode()
    assert (
        "Chuyên đề cần học" not in login(world.outsider).get(reverse("core:home")).content.decode()
    )


def test_with_the_shared_cache_the_block_is_kept_until_the_standing_or_a_programme_changes(
    world, login, programme, settings, django_capture_on_commit_callbacks
):
    settings.SOTAY_SHARED_CACHE = True
    user = world.member
    grants_for(user)
    assert [p.title for p in home_programmes(user)] == ["Học tập Nghị quyết 57-NQ/TW"]
    with CaptureQueriesContext(connection) as queries:
        assert [p.title for p in home_programmes(user)] == ["Học tập Nghị quyết 57-NQ/TW"]
    assert len(queries) == 0
    # A new programme (signal) reaches the block after its commit.
    with django_capture_on_commit_callbacks(execute=True):
        build_programme(world, title="Chuyên đề hai", quiz=False)
    assert {p.title for p in home_programmes(user)} == {
        "Học tập Nghị quyết 57-NQ/TW",
        "Chuyên đề hai",
    }
    # Completing one (progress.refresh) drops it from this member's block only.
    with django_capture_on_commit_callbacks(execute=True):
        services.record_offline_study(actor=world.secretary, programme=programme,
                                      member=user.member, studied_on=timezone.localdate(),
                                      paper_score="90")  # fmt: skip
    assert [p.title for p in home_programmes(user)] == ["Chuyên đề hai"]
    assert "Học tập Nghị quyết 57-NQ/TW" in {p.title for p in home_programmes(world.probationary)}


def test_committee_only_programmes_are_assigned_to_committee_members_only(world):
    from sotay.documents.models import AudienceLevel

    programme = build_programme(world, quiz=False)
    programme.audience_level = AudienceLevel.COMMITTEE
    programme.save()
    assert is_assigned(world.secretary, programme)
    assert not is_assigned(world.member, programme)
    assert list(assigned_members(programme)) == [world.secretary.member]


def test_drafts_and_future_programmes_are_not_assigned(world):
    draft = build_programme(world, publish=False)
    assert not is_assigned(world.member, draft)
    later = build_programme(world, quiz=False, title="Sau này")
    later.opens_on = timezone.localdate() + dt.timedelta(days=2)
    later.save()
    assert not is_assigned(world.member, later)
    assert home_programmes(world.member) == []


def test_reports_add_up_by_child_and_keep_to_scope(world):
    programme = build_programme(world, org=world.commune)
    attempt = quizzes.start_attempt(user=world.member, quiz=programme.quiz)
    quizzes.submit_attempt(user=world.member, attempt=attempt, answers=answer_all(attempt))
    attempt = quizzes.start_attempt(user=world.outsider, quiz=programme.quiz)
    quizzes.submit_attempt(user=world.outsider, attempt=attempt, answers={})
    report = reports.programme_report(programme, world.commune)
    rows = {r.org.code: r for r in report.children}
    assert set(rows) == {"B1", "B2"}
    assert rows["B1"].passed == 1 and rows["B2"].passed == 0
    assert rows["B2"].started == 1 and report.total.started == 2
    assert report.total.assigned == rows["B1"].assigned + rows["B2"].assigned
    assert report.total.average == 50
    assert dict(report.bands)["Dưới 50"] == 1 and dict(report.bands)["Từ 90"] == 1
    # The secretary of B1 sees B1 only; the commune officer the commune; the province
    # officer a programme of the commune too; a member nothing.
    assert reports.report_org_for_user(world.secretary, programme) == world.branch
    assert reports.report_org_for_user(world.commune_officer, programme) == world.commune
    assert reports.report_org_for_user(world.province_officer, programme) == world.commune
    from django.http import Http404

    from sotay.core.errors import PermissionDenied

    with pytest.raises(Http404):
        reports.report_org_for_user(world.secretary, programme, world.sibling.pk)
    with pytest.raises(Http404):
        reports.report_org_for_user(world.commune_officer, programme, world.other_province.pk)
    with pytest.raises(PermissionDenied):
        reports.report_org_for_user(world.member, programme)
    # Names at a branch only for members.view there.
    assert reports.member_rows(world.secretary, programme, world.branch)
    assert reports.member_rows(world.secretary, programme, world.commune) is None


def test_the_report_runs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    programme = build_programme(world, org=world.commune)
    with django_assert_max_num_queries(3):
        reports.count_report(programme, world.commune)


def test_overdue_members_are_flagged_for_their_secretary(world, programme):
    programme.closes_on = timezone.localdate() - dt.timedelta(days=1)
    programme.opens_on = programme.closes_on - dt.timedelta(days=10)
    programme.save()
    rows = reports.member_rows(world.secretary, programme, world.branch)
    assert all(r["overdue"] for r in rows)


def test_progress_is_recomputed_from_the_events(world, programme):
    text, audio = list(programme.lessons.all())
    for lesson in (text, audio):
        lesson.programme = programme
    services.open_lesson(user=world.member, lesson=text)
    services.save_position(user=world.member, lesson=audio, position=1, finished=False)
    standing = ProgrammeProgress.objects.get(programme=programme, member=world.member.member)
    assert (standing.status, standing.lessons_done) == ("in_progress", 1)
    services.save_position(user=world.member, lesson=audio, position=2, finished=True)
    standing.refresh_from_db()
    assert standing.lessons_done == 2 and standing.status == "in_progress"  # the quiz is due


def test_a_slow_report_is_served_from_the_cache_for_five_minutes(world, monkeypatch):
    programme = build_programme(world, org=world.commune)
    fresh = reports.programme_report(programme, world.commune)
    assert reports.programme_report(programme, world.commune) is not fresh  # quick: recounted
    monkeypatch.setattr(reports, "SLOW_MS", -1)  # every count is "slow"
    kept = reports.programme_report(programme, world.commune)
    attempt = quizzes.start_attempt(user=world.member, quiz=programme.quiz)
    quizzes.submit_attempt(user=world.member, attempt=attempt, answers={})
    again = reports.programme_report(programme, world.commune)
    assert again.counted_at == kept.counted_at and again.total.started == 0
    assert reports.count_report(programme, world.commune).total.started == 1
