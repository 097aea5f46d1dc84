"""The learning API: every endpoint, who may and who may not, and that no answer
leaves before submission."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from sotay.accounts.services import create_api_token
from sotay.learning.models import Attempt, Lesson, OfflineStudy, Programme, QuizOverride, Reflection
from sotay.learning.testing import build_programme, wav_bytes

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def call(client):
    def _call(user, method, path, payload=None, **extra):
        _, plain = create_api_token(user=user, name="test", ip="127.0.0.1")
        send = getattr(client, method.lower())
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {plain}", **extra}
        if payload is not None:
            return send(
                f"{API}{path}", json.dumps(payload), content_type="application/json", **kwargs
            )
        return send(f"{API}{path}", **kwargs)

    return _call


def test_the_list_puts_assigned_programmes_first_and_hides_other_branches(world, call, programme):
    rows = call(world.member, "get", "/learning/programmes").json()
    assert rows[0]["id"] == programme.pk and rows[0]["assigned"] is True
    assert call(world.outsider, "get", "/learning/programmes").json() == []
    assert call(world.pending, "get", "/learning/programmes").status_code == 403


def test_detail_and_lesson_scope(world, call, programme):
    detail = call(world.member, "get", f"/learning/programmes/{programme.pk}").json()
    assert [lesson["kind"] for lesson in detail["lessons"]] == ["text", "audio"]
    assert detail["quiz"]["question_count"] == 4
    assert call(world.outsider, "get", f"/learning/programmes/{programme.pk}").status_code == 404
    text = detail["lessons"][0]["id"]
    lesson = call(world.member, "get", f"/learning/programmes/{programme.pk}/lessons/{text}").json()
    assert lesson["finished"] is True and "Quan điểm" in lesson["body_html"]
    audio = detail["lessons"][1]["id"]
    moved = call(world.member, "post", f"/learning/programmes/{programme.pk}/lessons/{audio}/position",
                 {"position": 12.5})  # fmt: skip
    assert moved.json() == {"position": 12.5, "finished": False}
    again = call(world.member, "get", f"/learning/programmes/{programme.pk}").json()
    assert again["lessons"][1]["position_seconds"] == 12.5
    assert (
        call(
            world.outsider, "get", f"/learning/programmes/{programme.pk}/lessons/{text}"
        ).status_code
        == 404
    )


def test_the_quiz_over_the_api_never_leaks_answers_before_submission(world, call, programme):
    started = call(world.member, "post", f"/learning/programmes/{programme.pk}/attempts")
    assert started.status_code == 201
    body = started.content.decode()
    assert "correct" not in body and "explanation" not in body
    attempt = started.json()
    assert attempt["answers"] is None and len(attempt["questions"]) == 4
    from sotay.learning.models import Option

    answers = {}
    for q in attempt["questions"]:
        right = list(
            Option.objects.filter(question_id=q["question_id"], is_correct=True).values_list(
                "pk", flat=True
            )
        )
        answers[str(q["question_id"])] = right
    first = attempt["questions"][0]
    saved = call(world.member, "put", f"/learning/attempts/{attempt['id']}/answers/{first['question_id']}",
                 {"options": answers[str(first["question_id"])]})  # fmt: skip
    assert saved.status_code == 200 and "correct" not in saved.content.decode()
    forged = call(world.member, "put", f"/learning/attempts/{attempt['id']}/answers/{first['question_id']}",
                  {"options": [999999]})  # fmt: skip
    assert forged.status_code == 400 and "Phương án" in forged.json()["detail"]
    other = call(
        world.probationary, "post", f"/learning/attempts/{attempt['id']}/submit", {"answers": {}}
    )
    assert other.status_code == 404
    done = call(
        world.member, "post", f"/learning/attempts/{attempt['id']}/submit", {"answers": answers}
    )
    assert (
        done.status_code == 200
        and done.json()["score"] == "100.0"
        and done.json()["passed"] is True
    )
    # The "score only" policy never reveals the answers.
    assert done.json()["answers"] is None
    again = call(
        world.member, "post", f"/learning/attempts/{attempt['id']}/submit", {"answers": {}}
    )
    assert again.status_code == 400


def test_answers_are_revealed_after_close_with_that_policy(world, call):
    programme = build_programme(world, reveal="after_close")
    attempt = call(world.member, "post", f"/learning/programmes/{programme.pk}/attempts").json()
    call(world.member, "post", f"/learning/attempts/{attempt['id']}/submit", {"answers": {}})
    assert (
        call(world.member, "get", f"/learning/attempts/{attempt['id']}").json()["answers"] is None
    )
    Programme.objects.filter(pk=programme.pk).update(
        closes_on=timezone.localdate() - dt.timedelta(days=1)
    )
    shown = call(world.member, "get", f"/learning/attempts/{attempt['id']}").json()
    assert shown["answers"] and all("correct" in o for o in shown["answers"][0]["options"])


def test_a_late_submission_is_closed_at_the_deadline(world, call, programme):
    attempt = call(world.member, "post", f"/learning/programmes/{programme.pk}/attempts").json()
    Attempt.objects.filter(pk=attempt["id"]).update(
        deadline=timezone.now() - dt.timedelta(seconds=1)
    )
    q = attempt["questions"][0]
    late = call(world.member, "put", f"/learning/attempts/{attempt['id']}/answers/{q['question_id']}",
                {"options": [q["options"][0]["id"]]})  # fmt: skip
    assert late.status_code == 400 and "hết thời gian" in late.json()["detail"]
    done = call(world.member, "post", f"/learning/attempts/{attempt['id']}/submit",
                {"answers": {str(q["question_id"]): [q["options"][0]["id"]]}}).json()  # fmt: skip
    assert done["closed_late"] is True and done["score"] == "0.0"


def test_attempt_limit_over_the_api(world, call):
    programme = build_programme(world, max_attempts=1)
    a = call(world.member, "post", f"/learning/programmes/{programme.pk}/attempts").json()
    call(world.member, "post", f"/learning/attempts/{a['id']}/submit", {"answers": {}})
    refused = call(world.member, "post", f"/learning/programmes/{programme.pk}/attempts")
    assert refused.status_code == 400 and "đủ 1 lần" in refused.json()["detail"]
    assert (
        call(world.outsider, "post", f"/learning/programmes/{programme.pk}/attempts").status_code
        == 404
    )


def test_reflection_and_the_secretarys_endpoints(world, call, programme):
    assert call(world.member, "post", f"/learning/programmes/{programme.pk}/reflection",
                {"body": "<p>Thu hoạch</p>"}).status_code == 200  # fmt: skip
    base = f"/learning/programmes/{programme.pk}/members/{world.member.member_id}"
    assert call(world.outsider, "post", f"{base}/review", {"accepted": True}).status_code == 404
    assert call(world.office, "post", f"{base}/review", {"accepted": True}).status_code == 404
    assert (
        call(
            world.secretary, "post", f"{base}/review", {"accepted": False, "comment": ""}
        ).status_code
        == 400
    )
    assert call(world.secretary, "post", f"{base}/review", {"accepted": True}).status_code == 200
    assert Reflection.objects.get().state == "accepted"
    today = timezone.localdate().isoformat()
    assert (
        call(
            world.secretary, "post", f"{base}/offline", {"studied_on": today, "paper_score": "75"}
        ).status_code
        == 200
    )
    assert OfflineStudy.objects.get().paper_score == 75
    assert call(world.member, "post", f"{base}/offline", {"studied_on": today}).status_code == 404
    assert call(world.secretary, "post", f"{base}/override",
                {"extra_minutes": 5, "extra_attempts": 1, "reason": "Ốm nặng"}).status_code == 200  # fmt: skip
    assert QuizOverride.objects.get().extra_attempts == 1


def test_report_scope(world, call, programme):
    branch = call(world.secretary, "get", f"/learning/programmes/{programme.pk}/report").json()
    # B1's studying roll: member, probationary, secretary and the pending registrant,
    # whose account waits but whose member record is on the roll.
    assert branch["total"]["assigned"] == 4
    assert branch["members"] is not None
    assert (
        call(world.member, "get", f"/learning/programmes/{programme.pk}/report").status_code == 403
    )
    assert (
        call(world.outsider, "get", f"/learning/programmes/{programme.pk}/report").status_code
        == 404
    )
    assert (
        call(
            world.secretary,
            "get",
            f"/learning/programmes/{programme.pk}/report?org={world.sibling.pk}",
        ).status_code
        == 404
    )


def test_the_office_writes_a_programme_over_the_api(world, call):
    today = timezone.localdate()
    created = call(world.office, "post", "/learning/programmes", {
        "organization_id": world.commune.pk, "title": "Chuyên đề qua API",
        "opens_on": today.isoformat(), "closes_on": (today + dt.timedelta(days=10)).isoformat(),
    })  # fmt: skip
    assert created.status_code == 201
    pk = created.json()["id"]
    denied = call(world.secretary, "post", "/learning/programmes", {
        "organization_id": world.branch.pk, "title": "X", "opens_on": today.isoformat(),
        "closes_on": today.isoformat(),
    })  # fmt: skip
    assert denied.status_code == 403
    assert call(world.office, "post", f"/learning/programmes/{pk}/lessons",
                {"title": "Bài 1", "body_html": "<p>Nội dung</p>"}).status_code == 201  # fmt: skip
    audio = call(world.office, "post", f"/learning/programmes/{pk}/lesson-files?title=Nghe&kind=audio&filename=a.wav",
                 None, data=wav_bytes(0.3), content_type="application/octet-stream")  # fmt: skip
    assert audio.status_code == 201, audio.content
    assert Lesson.objects.get(pk=audio.json()["id"]).content_type == "audio/wav"
    fake = call(world.office, "post", f"/learning/programmes/{pk}/lesson-files?title=Gia&kind=video",
                None, data=b"not a video at all", content_type="application/octet-stream")  # fmt: skip
    assert fake.status_code == 400
    huge = call(world.office, "post", f"/learning/programmes/{pk}/lesson-files?title=To&kind=video",
                None, data=b"", content_type="application/octet-stream", CONTENT_LENGTH=str(2 * 1024**3))  # fmt: skip
    assert huge.status_code == 413
    for i in range(2):
        q = call(world.office, "post", f"/learning/programmes/{pk}/questions", {
            "category": "Chung", "kind": "single", "text": f"Câu {i}?", "options": ["Đúng", "Sai"], "correct": [0],
        })  # fmt: skip
        assert q.status_code == 201
    assert call(world.office, "put", f"/learning/programmes/{pk}/quiz", {
        "time_limit_minutes": 10, "max_attempts": 2, "pass_mark": 50, "quotas": {"Chung": 2},
    }).status_code == 200  # fmt: skip
    assert call(world.secretary, "post", f"/learning/programmes/{pk}/publish").status_code == 404
    assert call(world.office, "post", f"/learning/programmes/{pk}/publish").status_code == 200
    assert call(world.member, "get", f"/learning/programmes/{pk}").json()["assigned"] is True


def test_a_reflection_file_over_the_api(world, call, programme):
    url = f"/learning/programmes/{programme.pk}/reflection-file?filename=bai.pdf"
    fake = call(
        world.member, "post", url, None, data=b"MZ not a pdf", content_type="application/pdf"
    )
    assert fake.status_code == 400 and "PDF hoặc Word" in fake.json()["detail"]
    ok = call(
        world.member, "post", url, None, data=b"%PDF-1.4\n%%EOF", content_type="application/pdf"
    )
    assert ok.status_code == 200
    assert Reflection.objects.get(member=world.member.member).content_type == "application/pdf"
    huge = call(world.member, "post", url, None, data=b"", content_type="application/pdf",
                CONTENT_LENGTH=str(2 * 1024**3))  # fmt: skip
    assert huge.status_code == 413
    assert (
        call(
            world.outsider, "post", url, None, data=b"%PDF-1.4", content_type="application/pdf"
        ).status_code
        == 404
    )


def test_questions_import_over_the_api_dry_run_then_all_or_nothing(world, call):
    from sotay.learning.models import Question
    from sotay.learning.testing import build_programme
    from sotay.learning.tests.test_import import GOOD, sheet

    draft = build_programme(world, publish=False, quiz=False)
    url = f"/learning/programmes/{draft.pk}/question-import?filename=cau-hoi.xlsx"
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    dry = call(world.office, "post", url, None, data=sheet(*GOOD), content_type=xlsx)
    assert dry.status_code == 200
    assert dry.json() == {"applied": False, "rows": 2, "questions": 2, "problems": []}
    assert not Question.objects.filter(programme=draft).exists()

    bad = sheet(GOOD[0], ("Cơ bản", "Một đáp án", "Câu ba?", "Đúng", "Sai", "", "D", ""))
    refused = call(world.office, "post", url + "&apply=true", None, data=bad, content_type=xlsx)
    assert refused.status_code == 409
    problem = refused.json()["problems"][0]
    assert problem["row"] == 3 and "không có phương án D" in problem["message"]
    assert not Question.objects.filter(programme=draft).exists()  # nothing half-written

    ok = call(world.office, "post", url + "&apply=true", None, data=sheet(*GOOD), content_type=xlsx)
    assert ok.status_code == 200 and ok.json()["applied"] is True
    assert Question.objects.filter(programme=draft).count() == 2

    fake = call(world.office, "post", url, None, data=b"MZ\x90\x00", content_type=xlsx)
    assert fake.status_code == 400 and "xlsx" in fake.json()["detail"]
    csv = f"/learning/programmes/{draft.pk}/question-import?filename=cau-hoi.csv"
    assert (
        call(world.office, "post", csv, None, data=b"a,b", content_type="text/csv").status_code
        == 400
    )
    # A draft is the office's: the branch secretary does not even see it.
    assert (
        call(world.secretary, "post", url, None, data=sheet(*GOOD), content_type=xlsx).status_code
        == 404
    )
    assert (
        call(world.outsider, "post", url, None, data=sheet(*GOOD), content_type=xlsx).status_code
        == 404
    )


def test_the_office_removes_a_lesson_of_a_draft_only(world, call):
    from sotay.learning.testing import build_programme

    draft = build_programme(world, publish=False, quiz=False)
    lesson = draft.lessons.order_by("position").first()
    url = f"/learning/programmes/{draft.pk}/lessons/{lesson.pk}"
    assert call(world.secretary, "delete", url).status_code == 404  # drafts are the office's
    assert call(world.office, "delete", url).status_code == 200
    assert not Lesson.objects.filter(pk=lesson.pk).exists()
    assert call(world.office, "delete", url).status_code == 404

    published = build_programme(world)
    kept = published.lessons.first()
    refused = call(world.office, "delete", f"/learning/programmes/{published.pk}/lessons/{kept.pk}")
    assert refused.status_code == 400 and "không thêm, bớt bài học" in refused.json()["detail"]
    assert Lesson.objects.filter(pk=kept.pk).exists()
