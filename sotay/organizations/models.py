"""The party organisation tree, its committee terms and seats.

The tree is a materialized path (treebeard `MP_Node`): a subtree is one indexed prefix
query on `path`, which is also copied onto member rows so subtree statistics never join.
Organisations are never deleted: a merged or dissolved one is closed (`valid_to`) and
keeps its place and its link to the successor, so history still resolves.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from sotay.core.text import fold


class OrgType(models.TextChoices):
    """Kinds of party organisation (DOMAIN §2)."""

    PROVINCE = "tinh", _("Đảng bộ tỉnh/thành phố")
    CENTRAL_DIRECT = "truc_thuoc_tw", _("Đảng bộ trực thuộc Trung ương")
    ABOVE_GRASSROOTS = "tren_co_so", _("Đảng bộ cấp trên cơ sở")
    GRASSROOTS = "co_so", _("Đảng bộ cơ sở")
    PARTIAL = "bo_phan", _("Đảng bộ bộ phận")
    GRASSROOTS_BRANCH = "chi_bo_co_so", _("Chi bộ cơ sở")
    BRANCH = "chi_bo", _("Chi bộ trực thuộc")
    CELL = "to_dang", _("Tổ đảng")


BRANCH_TYPES = frozenset({OrgType.GRASSROOTS_BRANCH, OrgType.BRANCH})
# What each kind may contain. A branch holds only cells; a cell holds nothing.
ALLOWED_CHILDREN: dict[str, frozenset[str]] = {
    OrgType.PROVINCE: frozenset(
        {OrgType.ABOVE_GRASSROOTS, OrgType.GRASSROOTS, OrgType.GRASSROOTS_BRANCH}
    ),
    OrgType.CENTRAL_DIRECT: frozenset(
        {OrgType.ABOVE_GRASSROOTS, OrgType.GRASSROOTS, OrgType.GRASSROOTS_BRANCH}
    ),
    OrgType.ABOVE_GRASSROOTS: frozenset({OrgType.GRASSROOTS, OrgType.GRASSROOTS_BRANCH}),
    OrgType.GRASSROOTS: frozenset({OrgType.PARTIAL, OrgType.BRANCH}),
    OrgType.PARTIAL: frozenset({OrgType.BRANCH}),
    OrgType.GRASSROOTS_BRANCH: frozenset({OrgType.CELL}),
    OrgType.BRANCH: frozenset({OrgType.CELL}),
    OrgType.CELL: frozenset(),
}


class Organization(MP_Node):
    """One party organisation: province committee, commune committee, grassroots
    committee, branch or cell. `path` encodes the ancestry (4 characters a level)."""

    steplen = 4

    code = models.CharField(_("mã tổ chức"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    name_folded = models.CharField(max_length=255, db_index=True, editable=False)
    org_type = models.CharField(_("loại tổ chức"), max_length=20, choices=OrgType.choices)
    valid_from = models.DateField(_("hiệu lực từ"), default=timezone.localdate)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("tổ chức kế tục"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tổ chức đảng")
        verbose_name_plural = _("tổ chức đảng")
        indexes = [
            # Children of a node: depth equality + path prefix in one index (the unique
            # `path` already has Django's pattern_ops index for subtree scans).
            models.Index(
                fields=["depth", "path"],
                name="org_depth_path",
                opclasses=["int4_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_folded"}
        super().save(*args, **kwargs)

    @property
    def is_branch(self) -> bool:
        return self.org_type in BRANCH_TYPES

    @property
    def is_open(self) -> bool:
        return self.valid_to is None

    # Thin wrappers over treebeard's manager API, so callers never hold a stale node:
    # treebeard computes a new child's path from the parent's numchild in the database.
    @classmethod
    def create_root(cls, **fields) -> "Organization":
        return cls.objects.add_root(create_kwargs=fields)

    def create_child(self, **fields) -> "Organization":
        return Organization.objects.add_child(
            Organization.objects.get(pk=self.pk), create_kwargs=fields
        )

    def parent_org(self) -> "Organization | None":
        return Organization.objects.get_parent(self)

    def ancestor_paths(self) -> list[str]:
        """Paths of every ancestor, root first, without a query."""
        return [self.path[: i * self.steplen] for i in range(1, self.depth)]


class Term(models.Model):
    """A committee term (nhiệm kỳ), normally five years."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="terms")
    name = models.CharField(_("tên nhiệm kỳ"), max_length=100)
    starts_on = models.DateField(_("bắt đầu"))
    ends_on = models.DateField(_("kết thúc dự kiến"))
    closed_on = models.DateField(_("đã kết thúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("nhiệm kỳ")
        verbose_name_plural = _("nhiệm kỳ")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")), name="term_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(closed_on__isnull=True),
                name="one_open_term_per_org",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Position(models.TextChoices):
    """Committee positions (DOMAIN §2)."""

    SECRETARY = "bi_thu", _("Bí thư")
    DEPUTY_SECRETARY = "pho_bi_thu", _("Phó Bí thư")
    STANDING_MEMBER = "uv_btv", _("Ủy viên Ban Thường vụ")
    COMMITTEE_MEMBER = "cap_uy_vien", _("Cấp ủy viên")
    INSPECTION_CHAIR = "chu_nhiem_ubkt", _("Chủ nhiệm Ủy ban Kiểm tra")
    INSPECTION_MEMBER = "uv_ubkt", _("Ủy viên Ủy ban Kiểm tra")
    BRANCH_COMMITTEE_MEMBER = "chi_uy_vien", _("Chi ủy viên")
    CELL_LEADER = "to_truong", _("Tổ trưởng tổ đảng")


class Seat(models.Model):
    """A member holding a committee position for a time. Seats imply roles
    (see `accounts/permissions.py`) only while they are current: from `starts_on`
    inclusive until `ends_on` exclusive, so ending a seat today revokes it at once."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="seats")
    term = models.ForeignKey(
        Term, null=True, blank=True, on_delete=models.PROTECT, related_name="seats"
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="seats", db_index=False
    )  # covered by the (member, ends_on) index
    position = models.CharField(_("chức vụ"), max_length=20, choices=Position.choices)
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("chức vụ cấp ủy")
        verbose_name_plural = _("chức vụ cấp ủy")
        ordering = ["organization_id", "position", "starts_on"]
        indexes = [models.Index(fields=["member", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.get_position_display()} – {self.organization}"

    def is_current(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.starts_on <= on and (self.ends_on is None or self.ends_on > on)
