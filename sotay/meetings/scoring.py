"""The branch's self-score of a meeting's quality (DOMAIN §5): seven criteria on 100
points, graded Tốt / Khá / Trung bình / Kém.

The weights and grade bounds are configuration, not code: `ScoreConfig` holds one row per
version with the date it applies from (the first version, DOMAIN §5's weights, is created
by the migration). A meeting is scored under the version in force on its date, and the
score keeps that version, so a later change never rewrites old scores. A version already
used by a score is never edited: a new version with a later date is added instead.
System administrators (superusers) edit the configuration: it is platform-wide guidance
held by no organisation, like the procedures handbook.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.utils import timezone

from sotay.accounts.permissions import MEETINGS_MANAGE, can, is_superadmin
from sotay.audit.services import record
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.documents.text import plain
from sotay.meetings.models import (
    SCORE_CRITERIA,
    Meeting,
    MeetingState,
    QualityScore,
    ScoreConfig,
)

CRITERIA = [key for key, _label in SCORE_CRITERIA]
LABELS = dict(SCORE_CRITERIA)
DEFAULT_WEIGHTS = {
    "time": 5,
    "attendance": 5,
    "preparation": 10,
    "conduct": 40,
    "principles": 5,
    "results": 30,
    "closing": 5,
}


def config_for(day: dt.date) -> ScoreConfig:
    """The version in force on `day` (the earliest version if `day` precedes them all)."""
    config = ScoreConfig.objects.filter(valid_from__lte=day).order_by("-valid_from").first()
    if config is None:
        config = ScoreConfig.objects.order_by("valid_from").first()
    if config is None:  # the migration creates one; a database emptied by hand has none
        config = ScoreConfig.objects.create(valid_from=dt.date(2000, 1, 1), **DEFAULT_WEIGHTS)
    return config


def _int(value, field: str, label: str) -> int:
    """A whole number given as int or as digits (a form field); anything else refused."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,4}\s*", value):
        return int(value)
    raise ServiceError(f"“{label}” phải là một số nguyên.", field)


@transaction.atomic
def save_config(
    *,
    user,
    valid_from: dt.date,
    weights: dict,
    good_from: int = 90,
    fair_from: int = 70,
    average_from: int = 50,
    note: str = "",
) -> ScoreConfig:
    """Add a version applying from `valid_from`, or change the version of that date if no
    score uses it yet. Weights are whole numbers ≥ 0 adding up to 100; bounds
    0 < Trung bình < Khá < Tốt ≤ 100."""
    if not is_superadmin(user):
        raise PermissionDenied("Chỉ quản trị hệ thống được sửa thang điểm sinh hoạt.")
    if not isinstance(valid_from, dt.date):
        raise ServiceError("Ngày áp dụng không hợp lệ.", "valid_from")
    clean = {}
    for key in CRITERIA:
        if key not in weights:
            raise ServiceError(f"Thiếu trọng số “{LABELS[key]}”.", key)
        clean[key] = _int(weights[key], key, LABELS[key])
        if clean[key] < 0 or clean[key] > 100:
            raise ServiceError(f"Trọng số “{LABELS[key]}” phải từ 0 đến 100.", key)
    if sum(clean.values()) != 100:
        raise ServiceError(
            f"Tổng các trọng số phải bằng 100 (hiện là {sum(clean.values())}).", "weights"
        )
    good = _int(good_from, "good_from", "Tốt từ")
    fair = _int(fair_from, "fair_from", "Khá từ")
    average = _int(average_from, "average_from", "Trung bình từ")
    if not 0 < average < fair < good <= 100:
        raise ServiceError(
            "Ngưỡng xếp loại phải thỏa 0 < Trung bình < Khá < Tốt ≤ 100.", "good_from"
        )
    note = plain(note)[:300]
    config = ScoreConfig.objects.select_for_update().filter(valid_from=valid_from).first()
    if config is not None and config.scores.exists():
        raise ServiceError(
            "Phiên bản áp dụng từ ngày này đã được dùng để chấm điểm, không sửa được; "
            "hãy thêm phiên bản mới với ngày áp dụng khác.",
            "valid_from",
        )
    values = {**clean, "good_from": good, "fair_from": fair, "average_from": average, "note": note}
    if config is None:
        config = ScoreConfig.objects.create(valid_from=valid_from, created_by=user, **values)
    else:
        for name, value in values.items():
            setattr(config, name, value)
        config.save(update_fields=list(values))
    record(
        action="meetings.score_config",
        actor=user,
        target=config,
        changes={**clean, "good_from": good, "fair_from": fair, "average_from": average},
    )
    return config


def meeting_day(meeting: Meeting) -> dt.date:
    return timezone.localtime(meeting.started_at or meeting.starts_at).date()


@transaction.atomic
def score_meeting(*, user, meeting: Meeting, points: dict, note: str = "") -> QualityScore:
    """Record (or correct) the self-score of a held meeting: each criterion from 0 to its
    weight in the version in force on the meeting's date."""
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=meeting.pk)
    )
    if not can(user, MEETINGS_MANAGE, meeting.organization):
        raise PermissionDenied("Bạn không có quyền chấm điểm sinh hoạt của tổ chức này.")
    if meeting.state not in (MeetingState.CLOSED, MeetingState.MINUTES_APPROVED):
        raise ServiceError("Chỉ chấm điểm cuộc họp đã kết thúc.", "meeting")
    existing = QualityScore.objects.select_for_update().filter(meeting=meeting).first()
    config = existing.config if existing else config_for(meeting_day(meeting))
    weights = config.weights()
    clean = {}
    for key in CRITERIA:
        if key not in points:
            raise ServiceError(f"Chưa chấm điểm “{LABELS[key]}”.", key)
        value = _int(points[key], key, LABELS[key])
        if not 0 <= value <= weights[key]:
            raise ServiceError(f"Điểm “{LABELS[key]}” phải từ 0 đến {weights[key]}.", key)
        clean[key] = value
    total = sum(clean.values())
    note = plain(note)
    if len(note) > 5000:
        raise ServiceError("Nhận xét dài quá 5.000 ký tự.", "note")
    score = existing or QualityScore(meeting=meeting, config=config)
    for key, value in clean.items():
        setattr(score, key, value)
    score.total = total
    score.grade = config.grade(total)
    score.note = note
    score.scored_by = user
    score.save()
    record(
        action="meetings.score",
        actor=user,
        target=meeting,
        changes={**clean, "total": total, "grade": score.grade, "config": config.pk},
    )
    return score
