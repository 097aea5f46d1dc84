"""Member records (minimal: the full registry comes with the member-registry issue)."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from sotay.core.text import fold, name_sort_key
from sotay.members.reference import ETHNIC_CHOICES, Education, PoliticalTheory


class MemberStatus(models.TextChoices):
    """Party standing (DOMAIN §3)."""

    PROBATIONARY = "du_bi", _("Dự bị")
    FULL = "chinh_thuc", _("Chính thức")
    EXEMPT = "mien_sinh_hoat", _("Miễn công tác và sinh hoạt đảng")
    REMOVED = "xoa_ten", _("Xóa tên")
    EXPELLED = "khai_tru", _("Khai trừ")
    DECEASED = "tu_tran", _("Từ trần")


# Statuses that still belong to the organisation's roll.
ACTIVE_STATUSES = (MemberStatus.PROBATIONARY, MemberStatus.FULL, MemberStatus.EXEMPT)


class Sex(models.TextChoices):
    MALE = "nam", _("Nam")
    FEMALE = "nu", _("Nữ")


def photo_path(instance, filename: str) -> str:
    """A random file name: the member's name or id must not show in the storage, and the
    re-encoded photo is always a JPEG whatever the upload was called."""
    return f"members/photos/{uuid.uuid4().hex}.jpg"


class Member(models.Model):
    """A party member. `org_path` copies the organisation's tree path so subtree counts
    and scoped lists are one prefix query; services keep it in step on moves/merges."""

    full_name = models.CharField(_("họ và tên"), max_length=150)
    name_folded = models.CharField(max_length=150, editable=False)
    name_sort = models.CharField(max_length=255, editable=False)
    birth_date = models.DateField(_("ngày sinh"))
    sex = models.CharField(_("giới tính"), max_length=3, choices=Sex.choices)
    phone = models.CharField(_("số điện thoại"), max_length=15, blank=True)
    card_number = models.CharField(
        _("số thẻ đảng viên"), max_length=20, unique=True, null=True, blank=True
    )
    cccd = models.CharField(_("số CCCD"), max_length=12, unique=True, null=True, blank=True)
    status = models.CharField(
        _("tình trạng"), max_length=20, choices=MemberStatus.choices, default=MemberStatus.FULL
    )
    joined_on = models.DateField(_("ngày vào Đảng"), null=True, blank=True)
    full_on = models.DateField(_("ngày chính thức"), null=True, blank=True)
    # The member sheet (mẫu 2-HSĐV); edited only through records.update_record (reason,
    # approving reference, audit per field).
    ethnicity = models.CharField(
        _("dân tộc"), max_length=30, choices=ETHNIC_CHOICES, blank=True, db_default=""
    )
    religion = models.CharField(_("tôn giáo"), max_length=100, blank=True, db_default="")
    hometown = models.CharField(_("quê quán"), max_length=255, blank=True, db_default="")
    residence = models.CharField(_("nơi ở hiện nay"), max_length=255, blank=True, db_default="")
    occupation = models.CharField(_("nghề nghiệp"), max_length=200, blank=True, db_default="")
    general_education = models.CharField(
        _("giáo dục phổ thông"), max_length=20, blank=True, db_default=""
    )
    education = models.CharField(
        _("trình độ chuyên môn"),
        max_length=20,
        choices=Education.choices,
        blank=True,
        db_default="",
    )
    professional_field = models.CharField(
        _("chuyên ngành"), max_length=200, blank=True, db_default=""
    )
    academic_title = models.CharField(
        _("học hàm, học vị"), max_length=100, blank=True, db_default=""
    )
    political_theory = models.CharField(
        _("lý luận chính trị"),
        max_length=20,
        choices=PoliticalTheory.choices,
        blank=True,
        db_default="",
    )
    foreign_language = models.CharField(_("ngoại ngữ"), max_length=100, blank=True, db_default="")
    it_skill = models.CharField(_("tin học"), max_length=100, blank=True, db_default="")
    commendations = models.TextField(_("khen thưởng"), blank=True, db_default="")
    discipline = models.TextField(_("kỷ luật"), blank=True, db_default="")
    # Confidential like the rest of the record: served only through members:photo (scope
    # checked), never under MEDIA_URL. Written only by records.set_photo (validated,
    # re-encoded, EXIF stripped).
    photo = models.ImageField(_("ảnh chân dung"), upload_to=photo_path, blank=True, db_default="")
    # Bumped by every edit of the sheet so two people editing at once cannot silently
    # overwrite each other (optimistic locking).
    version = models.PositiveIntegerField(default=1, db_default=1)
    # Derived from the lifecycle events by `lifecycle.record_event`; never edited by hand.
    admission_decided_on = models.DateField(_("ngày quyết định kết nạp"), null=True, blank=True)
    probation_ends_on = models.DateField(_("ngày hết thời gian dự bị"), null=True, blank=True)
    temp_organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("nơi sinh hoạt tạm thời"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="temporary_members",
    )
    temp_until = models.DateField(_("sinh hoạt tạm thời đến"), null=True, blank=True)
    transit_organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("đang chuyển sinh hoạt tới"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incoming_members",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("nơi sinh hoạt"),
        on_delete=models.PROTECT,
        related_name="members",
        db_index=False,  # covered by member_org_name (organization, name_sort)
    )
    org_path = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("đảng viên")
        verbose_name_plural = _("đảng viên")
        indexes = [
            # varchar_pattern_ops lets PostgreSQL use the index for `LIKE 'path%'` under any
            # collation; other databases ignore opclasses.
            models.Index(
                fields=["org_path", "status"],
                name="member_subtree_status",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(fields=["organization", "name_sort"], name="member_org_name"),
            models.Index(fields=["name_sort"], name="member_name_sort"),
            # The list's rarer filters (an ethnic minority, a theory level) walk these in
            # name order instead of scanning the whole table (city scope: 300 ms → ms).
            models.Index(fields=["ethnicity", "name_sort"], name="member_ethnicity_name"),
            models.Index(fields=["political_theory", "name_sort"], name="member_theory_name"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.fill_derived()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "name_folded", "name_sort", "org_path"}
        super().save(*args, **kwargs)

    def fill_derived(self) -> "Member":
        """Compute the search, sort and path columns; `save` calls it, bulk loaders
        call it before `bulk_create`."""
        self.name_folded = fold(self.full_name)
        self.name_sort = name_sort_key(self.full_name)
        self.org_path = self.organization.path
        return self


class EventKind(models.TextChoices):
    """Lifecycle events (DOMAIN §3). A member's status is replayed from these."""

    # The first entry of a record brought in from paper files or an upstream database: it
    # states the standing the member already had (dates in its note), so the history says
    # where the status came from. Only record creation and imports write it.
    RECORD_OPENED = "lap_ho_so", _("Lập hồ sơ trên hệ thống")
    ADMISSION = "ket_nap", _("Kết nạp vào Đảng")
    RECOGNITION = "cong_nhan_chinh_thuc", _("Công nhận đảng viên chính thức")
    EXEMPTION = "mien_sinh_hoat", _("Miễn công tác và sinh hoạt đảng")
    EXEMPTION_END = "thoi_mien", _("Thôi miễn công tác và sinh hoạt đảng")
    TEMP_TRANSFER = "chuyen_tam_thoi", _("Chuyển sinh hoạt tạm thời")
    TEMP_RETURN = "ket_thuc_tam_thoi", _("Kết thúc sinh hoạt tạm thời")
    TRANSFER_OUT = "chuyen_chinh_thuc", _("Chuyển sinh hoạt chính thức")
    TRANSFER_IN = "tiep_nhan", _("Tiếp nhận sinh hoạt chính thức")
    REMOVAL = "xoa_ten", _("Xóa tên")
    EXPULSION = "khai_tru", _("Khai trừ")
    DEATH = "tu_tran", _("Từ trần")


class MemberEvent(models.Model):
    """One decision in a member's party life: what, effective when, decided by whom and
    when, under which decision number. Events are only appended."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("sự kiện"), max_length=24, choices=EventKind.choices)
    effective_on = models.DateField(_("ngày hiệu lực"))
    decided_on = models.DateField(_("ngày quyết định"), null=True, blank=True)
    deciding_body = models.CharField(_("cơ quan quyết định"), max_length=200, blank=True)
    decision_number = models.CharField(_("số quyết định"), max_length=50, blank=True)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("tổ chức liên quan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    until = models.DateField(_("đến ngày"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sự kiện đảng viên")
        verbose_name_plural = _("sự kiện đảng viên")
        ordering = ["effective_on", "id"]
        indexes = [models.Index(fields=["member", "effective_on"], name="event_member_date")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.effective_on:%d/%m/%Y}"


class CardRecord(models.Model):
    """One party card a member held (cards were reissued nationwide by 02/09/2025)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="cards")
    card_number = models.CharField(_("số thẻ"), max_length=20)
    issued_on = models.DateField(_("ngày cấp"), null=True, blank=True)
    ended_on = models.DateField(_("ngày thay thẻ"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("thẻ đảng viên")
        verbose_name_plural = _("lịch sử thẻ đảng viên")
        # Cards recorded without an issue date are the oldest (before the history began).
        ordering = ["member_id", models.F("issued_on").asc(nulls_first=True), "id"]
        # A card number, current or old, belongs to one member: checked on every import
        # and reissue.
        indexes = [models.Index(fields=["card_number"], name="card_number_lookup")]

    def __str__(self) -> str:
        return self.card_number


class PartyBadge(models.Model):
    """Huy hiệu Đảng (30, 40, … 90 năm tuổi Đảng)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="badges")
    years = models.PositiveSmallIntegerField(_("số năm tuổi Đảng"))
    awarded_on = models.DateField(_("ngày trao"))
    decision_number = models.CharField(_("số quyết định"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("huy hiệu Đảng")
        verbose_name_plural = _("huy hiệu Đảng")
        ordering = ["member_id", "years"]
        constraints = [models.UniqueConstraint(fields=["member", "years"], name="badge_once")]

    def __str__(self) -> str:
        return f"Huy hiệu {self.years} năm tuổi Đảng"


class CorrectionStatus(models.TextChoices):
    OPEN = "open", _("Chờ xử lý")
    DONE = "done", _("Đã sửa")
    REJECTED = "rejected", _("Không sửa")


class CorrectionRequest(models.Model):
    """A member asking for a mistake in their own record to be corrected. It waits in
    the branch secretary's queue; the correction itself goes through records.update_record."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="correction_requests")
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    message = models.TextField(_("nội dung đề nghị"))
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=CorrectionStatus.choices,
        default=CorrectionStatus.OPEN,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(_("kết quả xử lý"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("đề nghị sửa hồ sơ")
        verbose_name_plural = _("đề nghị sửa hồ sơ")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "member"], name="correction_open")]

    def __str__(self) -> str:
        return f"{self.member} – {self.get_status_display()}"
