"""Reference lists for member records."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

# The 54 ethnic groups of Viet Nam, in the order of the General Statistics Office's list
# (Quyết định 121-TCTK/PPCĐ).
ETHNIC_GROUPS = (
    "Kinh", "Tày", "Thái", "Hoa", "Khmer", "Mường", "Nùng", "Mông", "Dao", "Gia Rai", "Ngái",
    "Ê Đê", "Ba Na", "Xơ Đăng", "Sán Chay", "Cơ Ho", "Chăm", "Sán Dìu", "Hrê", "Mnông", "Ra Glai",
    "Xtiêng", "Bru - Vân Kiều", "Thổ", "Giáy", "Cơ Tu", "Gié Triêng", "Mạ", "Khơ Mú", "Co", "Tà Ôi",
    "Chơ Ro", "Kháng", "Xinh Mun", "Hà Nhì", "Chu Ru", "Lào", "La Chí", "La Ha", "Phù Lá", "La Hủ",
    "Lự", "Lô Lô", "Chứt", "Mảng", "Pà Thẻn", "Cờ Lao", "Cống", "Bố Y", "Si La", "Pu Péo",
    "Brâu", "Ơ Đu", "Rơ Măm",
)  # fmt: skip
ETHNIC_CHOICES = [(name, name) for name in ETHNIC_GROUPS]


class PoliticalTheory(models.TextChoices):
    """Lý luận chính trị (DOMAIN §3)."""

    NONE = "", _("Chưa qua đào tạo")
    ELEMENTARY = "so_cap", _("Sơ cấp")
    INTERMEDIATE = "trung_cap", _("Trung cấp")
    ADVANCED = "cao_cap", _("Cao cấp")
    BACHELOR = "cu_nhan", _("Cử nhân")


class Education(models.TextChoices):
    """Trình độ chuyên môn cao nhất."""

    NONE = "", _("Chưa qua đào tạo")
    VOCATIONAL = "so_cap_nghe", _("Sơ cấp, trung cấp nghề")
    COLLEGE = "cao_dang", _("Cao đẳng")
    UNIVERSITY = "dai_hoc", _("Đại học")
    MASTER = "thac_si", _("Thạc sĩ")
    DOCTOR = "tien_si", _("Tiến sĩ")


@dataclass(frozen=True)
class Band:
    """Whole years between a date and today, from `low` to `high` inclusive (None: open).
    Used by the member list's filters and by the statistics."""

    key: str
    label: str
    low: int | None
    high: int | None
    short: str  # for a chart's axis on a phone


AGE_BANDS = (
    Band("30", _("Từ 30 tuổi trở xuống"), None, 30, "≤ 30"),
    Band("31-40", _("Từ 31 đến 40 tuổi"), 31, 40, "31–40"),
    Band("41-50", _("Từ 41 đến 50 tuổi"), 41, 50, "41–50"),
    Band("51-60", _("Từ 51 đến 60 tuổi"), 51, 60, "51–60"),
    Band("61-70", _("Từ 61 đến 70 tuổi"), 61, 70, "61–70"),
    Band("71", _("Trên 70 tuổi"), 71, None, "> 70"),
)
# Party age counts from the admission decision (or the joining date when the decision
# is not recorded). 30, 40, 50 … years are the thresholds of the party badges.
PARTY_AGE_BANDS = (
    Band("0-4", _("Dưới 5 năm"), None, 4, "< 5"),
    Band("5-9", _("Từ 5 đến dưới 10 năm"), 5, 9, "5–9"),
    Band("10-19", _("Từ 10 đến dưới 20 năm"), 10, 19, "10–19"),
    Band("20-29", _("Từ 20 đến dưới 30 năm"), 20, 29, "20–29"),
    Band("30-39", _("Từ 30 đến dưới 40 năm"), 30, 39, "30–39"),
    Band("40-49", _("Từ 40 đến dưới 50 năm"), 40, 49, "40–49"),
    Band("50", _("Từ 50 năm trở lên"), 50, None, "≥ 50"),
)
