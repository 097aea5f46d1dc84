"""Branch meetings (DOMAIN §5): the meeting, its agenda, the roster snapshot taken at
start, attendance, motions and votes.

Secret ballots store no row that names a voter next to a choice: `VoterMark` says who
has voted, `BallotBox` holds the sealed tally of the motion (one row, rewritten whole by
every vote). See docs/decisions/0002-secret-ballot.md.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sotay.meetings.quorum import Category, Line, Outcome, Presence, Threshold


class MeetingKind(models.TextChoices):
    REGULAR = "thuong_ky", _("Sinh hoạt thường kỳ")
    THEMATIC = "chuyen_de", _("Sinh hoạt chuyên đề")
    EXTRAORDINARY = "bat_thuong", _("Họp bất thường")
    COMMITTEE = "cap_uy", _("Họp cấp ủy")


class MeetingState(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    ANNOUNCED = "announced", _("Đã thông báo")
    IN_PROGRESS = "in_progress", _("Đang họp")
    CLOSED = "closed", _("Đã kết thúc")
    MINUTES_APPROVED = "minutes_approved", _("Đã thông qua biên bản")


def _qr_secret() -> str:
    return secrets.token_hex(16)


class Meeting(models.Model):
    """One meeting of an organisation. `org_path` copies the organisation's path so
    scoped lists are one prefix query. `qr_secret` keys the rotating check-in code."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("tổ chức"),
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    org_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(
        _("loại"), max_length=12, choices=MeetingKind.choices, default=MeetingKind.REGULAR
    )
    topic = models.CharField(_("chủ đề"), max_length=500)
    with_thematic = models.BooleanField(
        _("kết hợp sinh hoạt chuyên đề"),
        default=False,
        help_text=_("Sinh hoạt thường kỳ kết hợp chuyên đề cần ít nhất 120 phút."),
    )
    starts_at = models.DateTimeField(_("bắt đầu"))
    ends_at = models.DateTimeField(_("kết thúc"))
    place = models.CharField(_("địa điểm"), max_length=255, blank=True)
    online_link = models.URLField(_("đường dẫn họp trực tuyến"), max_length=500, blank=True)
    state = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=MeetingState.choices,
        default=MeetingState.DRAFT,
    )
    chair = models.ForeignKey(
        "members.Member",
        verbose_name=_("chủ trì"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    secretary = models.ForeignKey(
        "members.Member",
        verbose_name=_("thư ký"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    qr_secret = models.CharField(max_length=32, default=_qr_secret, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    announced_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("cuộc họp")
        verbose_name_plural = _("cuộc họp")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "starts_at"], name="meeting_org_start"),
            models.Index(
                fields=["org_path", "starts_at"],
                name="meeting_path_start",
                opclasses=["varchar_pattern_ops", ""],
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic} ({self.starts_at:%d/%m/%Y})"

    def save(self, *args, **kwargs):
        self.org_path = self.organization.path
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "org_path"}
        super().save(*args, **kwargs)


class AgendaItem(models.Model):
    """One item of the agenda, in order."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    title = models.CharField(_("nội dung"), max_length=500)
    presenter = models.ForeignKey(
        "members.Member",
        verbose_name=_("người trình bày"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    presenter_name = models.CharField(_("người trình bày (khách mời)"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("nội dung chương trình")
        verbose_name_plural = _("chương trình họp")
        ordering = ["meeting_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="agenda_position_once")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class RosterCategory(models.TextChoices):
    FULL = Category.FULL, _("Đảng viên chính thức")
    PROBATIONARY = Category.PROBATIONARY, _("Đảng viên dự bị")
    TEMP_ATTACHED = Category.TEMP_ATTACHED, _("Sinh hoạt tạm thời tại chi bộ")
    EXEMPT = Category.EXEMPT, _("Miễn công tác và sinh hoạt đảng")
    TRANSFERRED_OUT = Category.TRANSFERRED_OUT, _("Chuyển sinh hoạt tạm thời đi nơi khác")
    SUSPENDED = Category.SUSPENDED, _("Bị đình chỉ sinh hoạt, khởi tố, truy tố, tạm giam")


class RosterEntry(models.Model):
    """A member summoned to the meeting, as they stood when it started. The name is
    copied so the minutes still read if the record changes later."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="roster")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    full_name = models.CharField(_("họ và tên"), max_length=150)
    name_sort = models.CharField(max_length=255)
    category = models.CharField(_("diện"), max_length=20, choices=RosterCategory.choices)
    member_status = models.CharField(_("tình trạng khi lập danh sách"), max_length=20)
    category_note = models.CharField(_("căn cứ"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("danh sách triệu tập")
        verbose_name_plural = _("danh sách triệu tập")
        ordering = ["meeting_id", "name_sort", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="roster_member_once")
        ]

    def __str__(self) -> str:
        return self.full_name


class AttendanceStatus(models.TextChoices):
    PRESENT = Presence.PRESENT, _("Có mặt")
    LATE = Presence.LATE, _("Đến muộn")
    ABSENT = Presence.ABSENT, _("Vắng mặt")


class CheckInMethod(models.TextChoices):
    PHONE = "phone", _("Điểm danh trên điện thoại")
    QR = "qr", _("Quét mã QR")
    SECRETARY = "secretary", _("Thư ký điểm danh hộ")


class Attendance(models.Model):
    """Attendance of one roster line. Created absent at start; check-in or the
    secretary changes it. `by_secretary` flags every line the secretary set by hand."""

    entry = models.OneToOneField(RosterEntry, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(
        _("điểm danh"),
        max_length=10,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.ABSENT,
    )
    reason = models.CharField(_("lý do vắng"), max_length=300, blank=True)
    reason_accepted = models.BooleanField(_("lý do được chấp nhận"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("thời điểm điểm danh"), null=True, blank=True)
    method = models.CharField(
        _("cách điểm danh"), max_length=10, choices=CheckInMethod.choices, blank=True
    )
    by_secretary = models.BooleanField(_("thư ký ghi hộ"), default=False)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("điểm danh")
        verbose_name_plural = _("điểm danh")

    def __str__(self) -> str:
        return f"{self.entry} – {self.get_status_display()}"

    def line(self) -> Line:
        return Line(self.entry.category, self.status, self.reason_accepted)


class MotionKind(models.TextChoices):
    RESOLUTION = "nghi_quyet", _("Thông qua nghị quyết")
    ADMISSION = "ket_nap", _("Kết nạp đảng viên")
    RECOGNITION = "cong_nhan", _("Công nhận đảng viên chính thức")
    PERSONNEL = "nhan_su", _("Nhân sự")
    OTHER = "khac", _("Khác")


# The kinds that need two thirds of full members (Charter art. 4, 5).
TWO_THIRDS_KINDS = frozenset({MotionKind.ADMISSION, MotionKind.RECOGNITION})

YES_NO_OPTIONS = ["Tán thành", "Không tán thành", "Ý kiến khác"]


class Ballot(models.TextChoices):
    OPEN = "open", _("Biểu quyết công khai")
    SECRET = "secret", _("Bỏ phiếu kín")


class MotionState(models.TextChoices):
    OPEN = "open", _("Đang biểu quyết")
    CLOSED = "closed", _("Đã kết thúc")


class MotionResult(models.TextChoices):
    PENDING = "", _("Chưa có kết quả")
    PASSED = Outcome.PASSED, _("Thông qua")
    FAILED = Outcome.FAILED, _("Không thông qua")
    REFERRED = Outcome.REFERRED, _("Chuyển cấp ủy cấp trên")


class Motion(models.Model):
    """A question put to the vote. `options` is the list of answers (Tán thành / Không
    tán thành / Ý kiến khác, or candidates); a voter picks 1..`max_choices` of them.
    At close the eligible list, the denominator, the counts and the result are frozen
    here; before close only the number of votes cast is known."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="motions")
    title = models.CharField(_("nội dung biểu quyết"), max_length=500)
    kind = models.CharField(
        _("loại"), max_length=12, choices=MotionKind.choices, default=MotionKind.RESOLUTION
    )
    options = models.JSONField(_("phương án"), default=list)
    max_choices = models.PositiveSmallIntegerField(_("số phương án được chọn tối đa"), default=1)
    ballot = models.CharField(
        _("hình thức"), max_length=10, choices=Ballot.choices, default=Ballot.OPEN
    )
    round = models.PositiveSmallIntegerField(_("lần biểu quyết"), default=1)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_round"
    )
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=MotionState.choices, default=MotionState.OPEN
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    frozen_eligible = models.PositiveIntegerField(_("số người được biểu quyết"), null=True)
    frozen_eligible_ids = models.JSONField(default=list, blank=True)
    frozen_denominator = models.PositiveIntegerField(_("mẫu số"), null=True)
    frozen_votes_cast = models.PositiveIntegerField(_("số phiếu"), null=True)
    frozen_counts = models.JSONField(_("kết quả theo phương án"), default=list, blank=True)
    result = models.CharField(
        _("kết quả"), max_length=10, choices=MotionResult.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = _("biểu quyết")
        verbose_name_plural = _("biểu quyết")
        ordering = ["meeting_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(round__gte=1, round__lte=3), name="motion_round_1_3"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def threshold(self) -> str:
        return Threshold.TWO_THIRDS if self.kind in TWO_THIRDS_KINDS else Threshold.MAJORITY

    @property
    def is_yes_no(self) -> bool:
        return self.options == YES_NO_OPTIONS


class Vote(models.Model):
    """An open-ballot vote. One per member and motion, enforced by the database."""

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="votes")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    choices = models.JSONField(default=list)
    by_show_of_hands = models.BooleanField(_("thư ký ghi biểu quyết giơ tay"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phiếu biểu quyết công khai")
        verbose_name_plural = _("phiếu biểu quyết công khai")
        constraints = [
            models.UniqueConstraint(fields=["motion", "member"], name="vote_once_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.choices}"


class VoterMark(models.Model):
    """A member has voted on a secret ballot. Deliberately nothing else: no choice, no
    time, no method. One per member and motion, enforced by the database."""

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="voter_marks")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("đã bỏ phiếu kín")
        verbose_name_plural = _("đã bỏ phiếu kín")
        constraints = [
            models.UniqueConstraint(fields=["motion", "member"], name="votermark_once_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} đã bỏ phiếu"


class BallotBox(models.Model):
    """The sealed tally of a secret ballot: one row per motion whose `sealed` column is
    the whole count vector encrypted with a fresh random nonce. Every vote rewrites the
    row, so no version of any row says which option a vote went to (see ballotbox.py)."""

    motion = models.OneToOneField(
        Motion, primary_key=True, on_delete=models.PROTECT, related_name="box"
    )
    sealed = models.BinaryField()

    class Meta:
        verbose_name = _("hòm phiếu kín")
        verbose_name_plural = _("hòm phiếu kín")

    def __str__(self) -> str:
        return f"Hòm phiếu {self.motion_id}"


# --- planning: materials, draft comments, monthly pattern, liaison ---------------------


def _private_storage():
    """Uploaded materials are served only through the scoped download view, like the
    library's attachments (never under MEDIA_URL)."""
    from sotay.documents.models import PrivateStorage

    return PrivateStorage()


class Material(models.Model):
    """A paper for the meeting: a library document (read through the library's own
    scoping) or an uploaded PDF/DOCX kept in private storage. `published_at` is when
    members could first see it (the announcement, or the upload if later): HD 42 wants
    it at least a day before the meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("tên tài liệu"), max_length=300)
    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("văn bản trong thư viện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    file = models.FileField(
        upload_to="meetings/%Y/%m/",
        storage=_private_storage,
        max_length=200,
        blank=True,
    )
    original_name = models.CharField(_("tên tệp"), max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tài liệu cuộc họp")
        verbose_name_plural = _("tài liệu cuộc họp")
        ordering = ["meeting_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(document__isnull=False) | ~models.Q(file=""),
                name="material_document_or_file",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def label(self) -> str:
        if self.document_id:
            return "Văn bản thư viện"
        return "PDF" if self.content_type == "application/pdf" else "DOCX"


class DraftComment(models.Model):
    """A member's comment on the draft content before the meeting (góp ý dự thảo),
    read by whoever runs the meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_name = models.CharField(max_length=150)
    body = models.TextField(_("nội dung góp ý"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("góp ý dự thảo")
        verbose_name_plural = _("góp ý dự thảo")
        ordering = ["meeting_id", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.body[:40]}"


class MeetingPattern(models.Model):
    """A branch's monthly habit ("ngày 5 hằng tháng, 19:30, 120 phút") from which the
    next meetings are drafted. One pattern per organisation and kind."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="meeting_patterns"
    )
    kind = models.CharField(
        _("loại"), max_length=12, choices=MeetingKind.choices, default=MeetingKind.REGULAR
    )
    day_of_month = models.PositiveSmallIntegerField(_("ngày trong tháng"))
    start_time = models.TimeField(_("giờ bắt đầu"))
    duration_minutes = models.PositiveSmallIntegerField(_("thời lượng (phút)"), default=120)
    place = models.CharField(_("địa điểm"), max_length=255, blank=True)
    online_link = models.URLField(_("đường dẫn họp trực tuyến"), max_length=500, blank=True)
    topic = models.CharField(_("chủ đề mẫu"), max_length=300)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("lịch họp hằng tháng")
        verbose_name_plural = _("lịch họp hằng tháng")
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind"], name="pattern_once_per_kind"),
            models.CheckConstraint(
                condition=models.Q(day_of_month__gte=1, day_of_month__lte=31),
                name="pattern_day_1_31",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} – ngày {self.day_of_month} hằng tháng"


class Liaison(models.Model):
    """The superior committee member who follows a branch (cấp ủy viên phụ trách chi
    bộ), for a period. They are told when the branch announces a meeting and may read
    the branch's meetings."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("chi bộ"),
        on_delete=models.PROTECT,
        related_name="liaisons",
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("cấp ủy viên phụ trách"),
        on_delete=models.PROTECT,
        related_name="followed_branches",
    )
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("cấp ủy viên phụ trách chi bộ")
        verbose_name_plural = _("cấp ủy viên phụ trách chi bộ")
        ordering = ["organization_id", "-starts_on"]
        indexes = [models.Index(fields=["member", "starts_on"], name="liaison_member_start")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gt=models.F("starts_on")),
                name="liaison_ends_after",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} phụ trách {self.organization}"


# --- minutes, branch resolution, quality self-score (helper B) ---------------------------


class MeetingGuest(models.Model):
    """A guest of the meeting (khách mời): the superior committee member who follows the
    branch, a presenter from outside. Names are typed, not linked: guests need not be on
    the platform."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="guests")
    full_name = models.CharField(_("họ và tên"), max_length=150)
    position = models.CharField(_("chức vụ, đơn vị"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("khách mời")
        verbose_name_plural = _("khách mời")
        ordering = ["meeting_id", "id"]

    def __str__(self) -> str:
        return self.full_name


class Remark(models.Model):
    """What one speaker said (ý kiến phát biểu), typed by the meeting secretary while the
    meeting runs. The speaker's name is copied so the minutes still read if the record
    changes; a guest speaker has only the name."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="remarks")
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("nội dung chương trình"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="remarks",
    )
    speaker = models.ForeignKey(
        "members.Member",
        verbose_name=_("người phát biểu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    speaker_name = models.CharField(_("người phát biểu"), max_length=150)
    text = models.TextField(_("nội dung phát biểu"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ý kiến phát biểu")
        verbose_name_plural = _("ý kiến phát biểu")
        ordering = ["meeting_id", "id"]

    def __str__(self) -> str:
        return f"{self.speaker_name}: {self.text[:40]}"


class Conclusion(models.Model):
    """A conclusion of the chair (kết luận), in order; the branch resolution is drafted
    from them."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="conclusions")
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("nội dung chương trình"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conclusions",
    )
    text = models.TextField(_("nội dung kết luận"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("kết luận")
        verbose_name_plural = _("kết luận")
        ordering = ["meeting_id", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class MinutesState(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    APPROVED = "approved", _("Đã thông qua")


class Minutes(models.Model):
    """One version of the minutes of a meeting. Version 1 is drafted from the meeting;
    approving a version locks it (its `content_hash` is the SHA-256 of `body`); a change
    after that is a new version with a `reason`, and every earlier version stays
    readable. At most one draft per meeting at a time (the newest version)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="minutes")
    version = models.PositiveSmallIntegerField(_("phiên bản"))
    body = models.TextField(_("nội dung biên bản"))
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=MinutesState.choices, default=MinutesState.DRAFT
    )
    reason = models.CharField(_("lý do lập phiên bản mới"), max_length=500, blank=True)
    content_hash = models.CharField(_("mã băm SHA-256"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("biên bản")
        verbose_name_plural = _("biên bản")
        ordering = ["meeting_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "version"], name="minutes_version_once"),
            models.UniqueConstraint(
                fields=["meeting"],
                condition=models.Q(state="draft"),
                name="minutes_one_draft",
            ),
            models.CheckConstraint(
                condition=models.Q(state="draft") | ~models.Q(content_hash=""),
                name="minutes_approved_hashed",
            ),
        ]

    def __str__(self) -> str:
        return f"Biên bản {self.meeting_id} v{self.version}"


class ResolutionState(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    PUBLISHED = "published", _("Đã ban hành")


class BranchResolution(models.Model):
    """The branch resolution (nghị quyết chi bộ) of a meeting, drafted from its
    conclusions; publishing it puts a Nghị quyết into the documents library for the
    branch and links it here."""

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="resolution")
    number = models.PositiveIntegerField(_("số"))
    symbol = models.CharField(_("số hiệu"), max_length=50)
    title = models.CharField(_("trích yếu"), max_length=500)
    body = models.TextField(_("nội dung"))
    state = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=ResolutionState.choices,
        default=ResolutionState.DRAFT,
    )
    document = models.OneToOneField(
        "documents.Document",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="branch_resolution",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("nghị quyết chi bộ")
        verbose_name_plural = _("nghị quyết chi bộ")

    def __str__(self) -> str:
        return f"{self.symbol} {self.title}"


# The criteria of the meeting quality self-score (DOMAIN §5), in order: the field name on
# ScoreConfig (weight) and QualityScore (points), and the label.
SCORE_CRITERIA: tuple[tuple[str, str], ...] = (
    ("time", _("Thời gian sinh hoạt")),
    ("attendance", _("Số lượng đảng viên dự")),
    ("preparation", _("Công tác chuẩn bị")),
    ("conduct", _("Tổ chức, điều hành sinh hoạt")),
    ("principles", _("Thực hiện nguyên tắc tổ chức, sinh hoạt đảng")),
    ("results", _("Kết quả thực hiện nghị quyết kỳ trước")),
    ("closing", _("Kết thúc sinh hoạt")),
)


class ScoreGrade(models.TextChoices):
    GOOD = "tot", _("Tốt")
    FAIR = "kha", _("Khá")
    AVERAGE = "trung_binh", _("Trung bình")
    POOR = "kem", _("Kém")


class ScoreConfig(models.Model):
    """One version of the self-score weights and grade bounds, in force from
    `valid_from` until the next version's date. Weights add up to 100. A version already
    used by a score is never changed: a new version is added instead."""

    valid_from = models.DateField(_("áp dụng từ ngày"), unique=True)
    time = models.PositiveSmallIntegerField(_("thời gian sinh hoạt"), default=5)
    attendance = models.PositiveSmallIntegerField(_("số lượng đảng viên dự"), default=5)
    preparation = models.PositiveSmallIntegerField(_("công tác chuẩn bị"), default=10)
    conduct = models.PositiveSmallIntegerField(_("tổ chức, điều hành"), default=40)
    principles = models.PositiveSmallIntegerField(_("nguyên tắc, chế độ"), default=5)
    results = models.PositiveSmallIntegerField(_("kết quả nghị quyết kỳ trước"), default=30)
    closing = models.PositiveSmallIntegerField(_("kết thúc sinh hoạt"), default=5)
    good_from = models.PositiveSmallIntegerField(_("Tốt từ"), default=90)
    fair_from = models.PositiveSmallIntegerField(_("Khá từ"), default=70)
    average_from = models.PositiveSmallIntegerField(_("Trung bình từ"), default=50)
    note = models.CharField(_("căn cứ"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cấu hình chấm điểm sinh hoạt")
        verbose_name_plural = _("cấu hình chấm điểm sinh hoạt")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    good_from__gt=models.F("fair_from"),
                    fair_from__gt=models.F("average_from"),
                    good_from__lte=100,
                ),
                name="scoreconfig_bounds_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"Cấu hình chấm điểm từ {self.valid_from:%d/%m/%Y}"

    def weights(self) -> dict[str, int]:
        return {key: getattr(self, key) for key, _label in SCORE_CRITERIA}

    def grade(self, total: int) -> str:
        if total >= self.good_from:
            return ScoreGrade.GOOD
        if total >= self.fair_from:
            return ScoreGrade.FAIR
        if total >= self.average_from:
            return ScoreGrade.AVERAGE
        return ScoreGrade.POOR


class QualityScore(models.Model):
    """The branch's self-score of one meeting, with the configuration version it was
    scored under (so later changes to the weights never rewrite old scores)."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="score")
    config = models.ForeignKey(ScoreConfig, on_delete=models.PROTECT, related_name="scores")
    time = models.PositiveSmallIntegerField(_("thời gian sinh hoạt"))
    attendance = models.PositiveSmallIntegerField(_("số lượng đảng viên dự"))
    preparation = models.PositiveSmallIntegerField(_("công tác chuẩn bị"))
    conduct = models.PositiveSmallIntegerField(_("tổ chức, điều hành"))
    principles = models.PositiveSmallIntegerField(_("nguyên tắc, chế độ"))
    results = models.PositiveSmallIntegerField(_("kết quả nghị quyết kỳ trước"))
    closing = models.PositiveSmallIntegerField(_("kết thúc sinh hoạt"))
    total = models.PositiveSmallIntegerField(_("tổng điểm"))
    grade = models.CharField(_("xếp loại"), max_length=12, choices=ScoreGrade.choices)
    note = models.TextField(_("nhận xét"), blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    scored_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tự chấm điểm chất lượng sinh hoạt")
        verbose_name_plural = _("tự chấm điểm chất lượng sinh hoạt")
        constraints = [
            models.CheckConstraint(condition=models.Q(total__lte=100), name="score_total_100")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.total} điểm"

    def points(self) -> dict[str, int]:
        return {key: getattr(self, key) for key, _label in SCORE_CRITERIA}


class AttendanceCount(models.Model):
    """How many of a held meeting's roster lines were expected (full, probationary,
    temporarily attached) and how many of those were present or late. Attendance no
    longer changes once a meeting is closed, so statistics count each meeting once and
    keep the figures here (filled set-based by meetings.stats on first read): a city's
    month then sums 14,000 rows instead of 400,000 roster lines."""

    meeting = models.OneToOneField(
        Meeting, primary_key=True, on_delete=models.CASCADE, related_name="attendance_count"
    )
    expected = models.PositiveIntegerField()
    present = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("số đảng viên dự họp")
        verbose_name_plural = _("số đảng viên dự họp")

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.present}/{self.expected}"
