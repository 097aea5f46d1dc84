"""Reference lists for member records."""

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
