"""Studying resolutions (issue 6): study programmes (chuyên đề) addressed to a subtree,
their ordered lessons, each member's progress, quizzes drawn from a question bank,
reflections (bài thu hoạch) and what a secretary records for members without a device.

`Programme.path` copies the audience organisation's tree path (like documents), so
"programmes for my branch or any level above it" is one `path IN (ancestors)` query.
`ProgrammeProgress` is the per-member summary kept in step by the services after every
event (lesson finished, attempt graded, reflection reviewed, paper score entered): the
reports count it with grouped queries instead of recomputing 470,000 members' lessons.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sotay.documents.models import AudienceLevel, PrivateStorage


class ProgrammeState(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    PUBLISHED = "published", _("Đã giao học")


class Programme(models.Model):
    """A study programme addressed to `organization`'s subtree, for all members or for
    committee members only, open between `opens_on` and `closes_on` (inclusive).

    Completion rule: every lesson finished and the quiz passed (when the programme has
    a quiz), or a reflection accepted by the branch secretary."""

    title = models.CharField(_("tên chuyên đề"), max_length=300)
    summary = models.TextField(_("giới thiệu"), blank=True)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("giao cho"),
        on_delete=models.PROTECT,
        related_name="programmes",
    )
    path = models.CharField(max_length=255, editable=False)
    audience_level = models.CharField(
        _("đối tượng học"), max_length=10, choices=AudienceLevel.choices, default=AudienceLevel.ALL
    )
    opens_on = models.DateField(_("ngày bắt đầu"))
    closes_on = models.DateField(_("hạn hoàn thành"))
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=ProgrammeState.choices, default=ProgrammeState.DRAFT
    )
    documents = models.ManyToManyField(
        "documents.Document", verbose_name=_("văn bản liên quan"), blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("chuyên đề học tập")
        verbose_name_plural = _("chuyên đề học tập")
        indexes = [
            models.Index(fields=["state", "path", "closes_on"], name="learn_prog_state_path")
        ]

    def __str__(self) -> str:
        return self.title

    def quiz_started(self) -> bool:
        return Attempt.objects.filter(quiz__programme=self).exists()


class LessonKind(models.TextChoices):
    TEXT = "text", _("Bài đọc")
    PDF = "pdf", _("Tài liệu PDF")
    AUDIO = "audio", _("Bài nghe")
    VIDEO = "video", _("Video")


def lesson_file_path(instance, filename: str) -> str:
    """A random name; the original one is kept in `original_name`."""
    return f"learning/{uuid.uuid4().hex}"


class Lesson(models.Model):
    """One lesson of a programme, in `position` order: sanitised rich text, or a PDF,
    audio or video file kept under PRIVATE_ROOT and served only through the scoped
    (Range-capable) view."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="lessons")
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    title = models.CharField(_("tên bài"), max_length=300)
    kind = models.CharField(_("loại bài"), max_length=8, choices=LessonKind.choices)
    body = models.TextField(_("nội dung"), blank=True)
    file = models.FileField(
        upload_to=lesson_file_path, storage=PrivateStorage(), max_length=200, blank=True
    )
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("bài học")
        verbose_name_plural = _("bài học")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "position"], name="learn_lesson_position")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_media(self) -> bool:
        return self.kind in (LessonKind.AUDIO, LessonKind.VIDEO)


class LessonProgress(models.Model):
    """A member's progress in one lesson: first opened, finished, and the saved
    audio/video position (seconds) the player resumes from."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    position = models.FloatField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lesson", "member"], name="learn_lesson_progress_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} @ {self.lesson_id}"


class ProgressStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Chưa học")
    IN_PROGRESS = "in_progress", _("Đang học")
    COMPLETED = "completed", _("Đã hoàn thành")


class ProgrammeProgress(models.Model):
    """A member's standing in a programme, derived from the rows above by
    `progress.refresh` after every event. `org_path` copies the member's tree path at
    the time, for subtree reports. `quiz_score` is the graded result (0–100) by the
    quiz's grading method, paper scores included; `paper` flags that a paper score or
    a branch-session attendance entered by the secretary took part."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="standings")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    org_path = models.CharField(max_length=255)
    status = models.CharField(max_length=12, choices=ProgressStatus.choices)
    lessons_done = models.PositiveSmallIntegerField(default=0)
    quiz_score = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    quiz_passed = models.BooleanField(default=False)
    reflection_accepted = models.BooleanField(default=False)
    paper = models.BooleanField(default=False)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "member"], name="learn_standing_once")
        ]
        indexes = [
            models.Index(
                fields=["programme", "org_path"],
                name="learn_standing_path",
                opclasses=["", "varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.programme_id}: {self.status}"


# ------------------------------------------------------------------------ quizzes


class Grading(models.TextChoices):
    HIGHEST = "highest", _("Lần cao nhất")
    LAST = "last", _("Lần cuối")
    AVERAGE = "average", _("Trung bình các lần")


class Reveal(models.TextChoices):
    SCORE = "score", _("Chỉ báo điểm")
    AFTER_CLOSE = "after_close", _("Báo đáp án sau khi chuyên đề kết thúc")


class Quiz(models.Model):
    """The quiz of a programme. Each attempt draws questions by category quotas
    (`QuizQuota`), shuffles their options and must be submitted within
    `time_limit_minutes` (plus a member's extra time), enforced by the server."""

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="quiz")
    time_limit_minutes = models.PositiveSmallIntegerField(_("thời gian làm bài (phút)"), default=15)
    max_attempts = models.PositiveSmallIntegerField(_("số lần làm tối đa"), default=2)
    pass_mark = models.PositiveSmallIntegerField(_("điểm đạt (%)"), default=70)
    grading = models.CharField(
        _("cách tính điểm"), max_length=10, choices=Grading.choices, default=Grading.HIGHEST
    )
    reveal = models.CharField(
        _("công bố kết quả"), max_length=12, choices=Reveal.choices, default=Reveal.SCORE
    )

    class Meta:
        verbose_name = _("bài trắc nghiệm")
        verbose_name_plural = _("bài trắc nghiệm")

    def __str__(self) -> str:
        return f"Trắc nghiệm: {self.programme_id}"

    @property
    def question_count(self) -> int:
        return sum(q.count for q in self.quotas.all())


class Category(models.Model):
    """A category of the programme's question bank (e.g. "Nội dung cơ bản")."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("nhóm câu hỏi"), max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="learn_category_once")
        ]
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class QuizQuota(models.Model):
    """How many questions of `category` each attempt draws."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="quotas")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    count = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["quiz", "category"], name="learn_quota_once")
        ]

    def __str__(self) -> str:
        return f"{self.category_id} × {self.count}"


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Một đáp án")
    MULTIPLE = "multiple", _("Nhiều đáp án")


class Question(models.Model):
    """A question of the bank, with its explanation shown when answers are revealed."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="questions")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="questions")
    kind = models.CharField(_("loại câu hỏi"), max_length=8, choices=QuestionKind.choices)
    text = models.TextField(_("câu hỏi"))
    explanation = models.TextField(_("giải thích"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text[:80]


class Option(models.Model):
    """A choice of a question. `is_correct` never leaves the server before the attempt
    is submitted (and, with the "after close" policy, before the programme closes)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(_("phương án"), max_length=500)
    is_correct = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text[:80]


class Attempt(models.Model):
    """One sitting of a quiz by a member. `deadline` is fixed when it starts (time
    limit plus the member's extra time). At most one open attempt per member and quiz,
    enforced by the database (`learn_one_open_attempt`)."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Submitted after the deadline: closed at the deadline, later answers ignored.
    closed_late = models.BooleanField(default=False)
    score = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    points = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "member"],
                condition=Q(submitted_at__isnull=True),
                name="learn_one_open_attempt",
            ),
            models.UniqueConstraint(
                fields=["quiz", "member", "number"], name="learn_attempt_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} #{self.number} of {self.quiz_id}"

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None


class AttemptQuestion(models.Model):
    """A question drawn for an attempt, its place and its shuffled option order; the
    member's saved choice (`selected`, option ids) and when it was saved."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    option_order = models.JSONField(default=list)
    selected = models.JSONField(default=list)
    answered_at = models.DateTimeField(null=True, blank=True)
    credit = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="learn_draw_once"),
            models.UniqueConstraint(fields=["attempt", "position"], name="learn_draw_position"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.position}"


class QuizOverride(models.Model):
    """Extra time and extra attempts granted to one member by their secretary."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="overrides")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    extra_minutes = models.PositiveSmallIntegerField(_("thêm thời gian (phút)"), default=0)
    extra_attempts = models.PositiveSmallIntegerField(_("thêm số lần làm"), default=0)
    reason = models.CharField(_("lý do"), max_length=300, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["quiz", "member"], name="learn_override_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: +{self.extra_minutes}′ +{self.extra_attempts}"


# ------------------------------------------------------------ reflections, paper


class ReflectionState(models.TextChoices):
    SUBMITTED = "submitted", _("Chờ nhận xét")
    ACCEPTED = "accepted", _("Đạt")
    REVISION = "revision", _("Cần viết lại")


def reflection_file_path(instance, filename: str) -> str:
    return f"learning/reflections/{uuid.uuid4().hex}"


class Reflection(models.Model):
    """A member's written reflection (bài thu hoạch) on a programme: sanitised text or
    an uploaded PDF/DOCX. One per member and programme; re-submitting after a
    "needs revision" review replaces it and waits for review again."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="reflections")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    org_path = models.CharField(max_length=255)
    body = models.TextField(_("nội dung"), blank=True)
    file = models.FileField(
        upload_to=reflection_file_path, storage=PrivateStorage(), max_length=200, blank=True
    )
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=10, choices=ReflectionState.choices)
    comment = models.TextField(_("nhận xét"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "member"], name="learn_reflection_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} on {self.programme_id}: {self.state}"


class OfflineStudy(models.Model):
    """Entered by the secretary for a member without a device: studied at the branch
    session on `studied_on` (counts as every lesson finished) and, optionally, a paper
    quiz score (0–100, counted as one graded attempt). Audited; flagged in reports."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="offline")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    studied_on = models.DateField(_("ngày học tại chi bộ"))
    paper_score = models.DecimalField(
        _("điểm bài trắc nghiệm giấy"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "member"], name="learn_offline_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} studied {self.programme_id} on {self.studied_on}"
