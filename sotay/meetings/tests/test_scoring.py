"""The meeting quality self-score: weights of DOMAIN §5 as versioned configuration,
bounds of each criterion, grades, the version kept with the score; the configuration
screen and endpoint for system administrators only."""

import datetime as dt

import pytest
from django.urls import reverse

from sotay.core.errors import PermissionDenied, ServiceError
from sotay.meetings import scoring
from sotay.meetings.models import QualityScore, ScoreConfig, ScoreGrade
from sotay.meetings.tests.minutes_world import build_minutes_world

pytestmark = pytest.mark.django_db

FULL = {"time": 5, "attendance": 5, "preparation": 10, "conduct": 40, "principles": 5,
        "results": 30, "closing": 5}  # fmt: skip


@pytest.fixture
def closed(meeting_world):
    return build_minutes_world(meeting_world, notes=False)


def test_the_default_version_has_the_domain_weights_and_bounds():
    config = scoring.config_for(dt.date(2026, 11, 5))
    assert config.weights() == FULL and sum(config.weights().values()) == 100
    assert (config.good_from, config.fair_from, config.average_from) == (90, 70, 50)


@pytest.mark.parametrize(
    "total,grade",
    [(100, ScoreGrade.GOOD), (90, ScoreGrade.GOOD), (89, ScoreGrade.FAIR), (70, ScoreGrade.FAIR),
     (69, ScoreGrade.AVERAGE), (50, ScoreGrade.AVERAGE), (49, ScoreGrade.POOR), (0, ScoreGrade.POOR)],
)  # fmt: skip
def test_grade_bounds(total, grade):
    assert scoring.config_for(dt.date.today()).grade(total) == grade


def test_a_score_is_kept_with_its_version(closed):
    w = closed
    score = scoring.score_meeting(
        user=w.secretary, meeting=w.meeting, points={**FULL, "conduct": 30}
    )
    assert (score.total, score.grade) == (90, ScoreGrade.GOOD)
    assert score.config == scoring.config_for(scoring.meeting_day(w.meeting))


@pytest.mark.parametrize(
    "change,message",
    [
        ({"conduct": 41}, "“Tổ chức, điều hành sinh hoạt” phải từ 0 đến 40."),
        ({"time": -1}, "“Thời gian sinh hoạt” phải từ 0 đến 5."),
        ({"results": "ba mươi"}, "“Kết quả thực hiện nghị quyết kỳ trước” phải là một số nguyên."),
        ({"closing": 2.5}, "“Kết thúc sinh hoạt” phải là một số nguyên."),
        ({"closing": True}, "“Kết thúc sinh hoạt” phải là một số nguyên."),
    ],
)
def test_bad_points_are_refused_and_nothing_is_saved(closed, change, message):
    w = closed
    with pytest.raises(ServiceError) as err:
        scoring.score_meeting(user=w.secretary, meeting=w.meeting, points={**FULL, **change})
    assert err.value.message.endswith(message)
    assert not QualityScore.objects.exists()


def test_a_missing_criterion_is_refused(closed):
    points = dict(FULL)
    del points["principles"]
    with pytest.raises(ServiceError, match="Chưa chấm điểm"):
        scoring.score_meeting(user=closed.secretary, meeting=closed.meeting, points=points)


@pytest.mark.parametrize("persona", ["member", "probationary", "commune_officer", "outsider"])
def test_only_the_convener_scores(closed, persona):
    with pytest.raises(PermissionDenied):
        scoring.score_meeting(user=closed.persona(persona), meeting=closed.meeting, points=FULL)


def test_a_meeting_not_yet_held_is_not_scored(started):
    with pytest.raises(ServiceError, match="đã kết thúc"):
        scoring.score_meeting(user=started.secretary, meeting=started.meeting, points=FULL)


def test_a_new_version_applies_to_later_meetings_only(closed):
    w = closed
    first = scoring.score_meeting(user=w.secretary, meeting=w.meeting, points=FULL)
    later = scoring.meeting_day(w.meeting) + dt.timedelta(days=1)
    weights = {**FULL, "conduct": 30, "results": 40}
    new = scoring.save_config(user=w.admin, valid_from=later, weights=weights, note="Hướng dẫn mới")
    assert scoring.config_for(later) == new
    assert scoring.config_for(later - dt.timedelta(days=1)) == first.config
    # rescoring the old meeting keeps its version: conduct may still be 40
    again = scoring.score_meeting(user=w.secretary, meeting=w.meeting, points=FULL)
    assert again.config == first.config and again.total == 100


def test_a_version_used_by_a_score_is_never_changed(closed):
    w = closed
    score = scoring.score_meeting(user=w.secretary, meeting=w.meeting, points=FULL)
    with pytest.raises(ServiceError, match="đã được dùng để chấm điểm"):
        scoring.save_config(
            user=w.admin,
            valid_from=score.config.valid_from,
            weights={**FULL, "time": 10, "closing": 0},
        )
    assert ScoreConfig.objects.get(pk=score.config.pk).time == 5


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"weights": {**FULL, "time": 6}}, "Tổng các trọng số phải bằng 100 (hiện là 101)."),
        ({"weights": {**FULL, "time": -5, "closing": 15}}, "phải từ 0 đến 100"),
        ({"weights": {k: v for k, v in FULL.items() if k != "time"}}, "Thiếu trọng số"),
        ({"weights": FULL, "good_from": 70, "fair_from": 70}, "Ngưỡng xếp loại"),
        ({"weights": FULL, "good_from": 101}, "Ngưỡng xếp loại"),
    ],
)
def test_bad_configurations_are_refused(world, kwargs, message):
    before = ScoreConfig.objects.count()
    with pytest.raises(ServiceError, match=message.replace("(", r"\(").replace(")", r"\)")):
        scoring.save_config(user=world.admin, valid_from=dt.date(2027, 1, 1), **kwargs)
    assert ScoreConfig.objects.count() == before


@pytest.mark.parametrize("persona", ["secretary", "province_officer", "office", "member"])
def test_only_system_administrators_edit_the_configuration(world, persona):
    with pytest.raises(PermissionDenied):
        scoring.save_config(
            user=world.persona(persona), valid_from=dt.date(2027, 1, 1), weights=FULL
        )


@pytest.mark.parametrize(
    "persona,status", [("admin", 200), ("secretary", 403), ("province_officer", 403)]
)
def test_the_configuration_screen(world, login, persona, status):
    assert login(world.persona(persona)).get(reverse("meetings:score_config")).status_code == status


def test_the_configuration_screen_saves_a_version_and_reports_bad_sums(world, login):
    client = login(world.admin)
    data = {
        **FULL,
        "valid_from": "2027-01-01",
        "good_from": 90,
        "fair_from": 70,
        "average_from": 50,
    }
    bad = client.post(reverse("meetings:score_config"), {**data, "time": 6})
    assert bad.status_code == 400
    assert "Tổng các trọng số phải bằng 100 (hiện là 101)." in bad.content.decode()
    ok = client.post(reverse("meetings:score_config"), data)
    assert ok.status_code == 302
    assert ScoreConfig.objects.filter(valid_from=dt.date(2027, 1, 1)).exists()
