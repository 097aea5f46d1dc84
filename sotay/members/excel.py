"""The member spreadsheet: one set of columns for the template, the import and the export,
so an export can be re-imported (sync mode) and changes nothing."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from sotay.core.xlsx import SheetWriter
from sotay.members.models import Member, MemberStatus, Sex
from sotay.members.reference import ETHNIC_GROUPS, Education, PoliticalTheory

# key → header. Keys are Member fields except org_code/org_name/status.
COLUMNS: dict[str, str] = {
    "org_code": "Mã chi bộ",
    "org_name": "Tên chi bộ",
    "full_name": "Họ và tên",
    "birth_date": "Ngày sinh",
    "sex": "Giới tính",
    "card_number": "Số thẻ đảng viên",
    "cccd": "Số CCCD",
    "phone": "Số điện thoại",
    "admission_decided_on": "Ngày quyết định kết nạp",
    "joined_on": "Ngày vào Đảng",
    "full_on": "Ngày chính thức",
    "status": "Tình trạng",
    "ethnicity": "Dân tộc",
    "religion": "Tôn giáo",
    "hometown": "Quê quán",
    "residence": "Nơi ở hiện nay",
    "occupation": "Nghề nghiệp",
    "general_education": "Giáo dục phổ thông",
    "education": "Trình độ chuyên môn",
    "professional_field": "Chuyên ngành",
    "academic_title": "Học hàm, học vị",
    "political_theory": "Lý luận chính trị",
    "foreign_language": "Ngoại ngữ",
    "it_skill": "Tin học",
}
REQUIRED = ("org_code", "full_name", "birth_date", "sex")
WIDTHS = {"org_name": 28, "full_name": 24, "hometown": 28, "residence": 28, "occupation": 20}
DATE_KEYS = ("birth_date", "admission_decided_on", "joined_on", "full_on")
# Choice columns hold the label people read ("Nữ", "Đại học"), not the stored code.
LABELLED = {
    "sex": Sex,
    "education": Education,
    "political_theory": PoliticalTheory,
}
IMPORTABLE_STATUSES = (MemberStatus.PROBATIONARY, MemberStatus.FULL)

EXAMPLE = {
    "org_code": "CB0001", "org_name": "Chi bộ Khu phố 1", "full_name": "Nguyễn Thị Hòa",
    "birth_date": "19/05/1985", "sex": "Nữ", "card_number": "79012345", "cccd": "001185012345",
    "phone": "0912345678", "admission_decided_on": "15/03/2010", "joined_on": "03/04/2010",
    "full_on": "03/04/2011", "status": "Chính thức", "ethnicity": "Kinh", "religion": "Không",
    "hometown": "Xã Phú Xuyên, Hà Nội", "residence": "Phường Từ Liêm, Hà Nội",
    "occupation": "Giáo viên", "general_education": "12/12", "education": "Đại học",
    "professional_field": "Sư phạm Toán", "academic_title": "", "political_theory": "Trung cấp",
    "foreign_language": "Tiếng Anh B1", "it_skill": "Cơ bản",
}  # fmt: skip


def template_workbook():
    """The blank template: the member sheet with its headers, a guide with an example row
    and the rules of each column, and the allowed values."""
    out = SheetWriter()
    headers = [COLUMNS[k] + (" *" if k in REQUIRED else "") for k in COLUMNS]
    widths = [WIDTHS.get(k, 16) for k in COLUMNS]
    out.sheet("Đảng viên", headers, widths)
    guide = out.sheet("Hướng dẫn", ["Cột", "Bắt buộc", "Cách ghi", "Ví dụ"], [26, 10, 70, 24])
    rules = {
        "org_code": "Mã chi bộ nơi đảng viên sinh hoạt (xem trên trang tổ chức).",
        "org_name": "Không bắt buộc; chỉ để dễ đọc, hệ thống không dùng cột này.",
        "birth_date": "Ngày/tháng/năm, ví dụ 19/05/1985; đủ 18 tuổi.",
        "sex": "Nam hoặc Nữ.",
        "card_number": "Số thẻ đảng viên (duy nhất). Dùng để nhận ra đảng viên khi nhập lại.",
        "cccd": "Đúng 12 chữ số (duy nhất). Ghi dạng văn bản để giữ số 0 ở đầu.",
        "phone": "10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09.",
        "admission_decided_on": "Ngày ký quyết định kết nạp; tuổi Đảng tính từ ngày này.",
        "joined_on": "Ngày tổ chức lễ kết nạp; không trước ngày quyết định.",
        "full_on": "Bỏ trống nếu còn dự bị.",
        "status": "Dự bị hoặc Chính thức; bỏ trống thì suy ra từ ngày chính thức.",
        "ethnicity": "Một trong 54 dân tộc (xem trang Danh mục).",
        "education": "Xem trang Danh mục.",
        "political_theory": "Xem trang Danh mục.",
    }
    for key, label in COLUMNS.items():
        guide.append([label, "Có" if key in REQUIRED else "", rules.get(key, ""), EXAMPLE[key]])
    guide.append([])
    guide.append(["Công thức trong ô không được chấp nhận. Mỗi tệp tối đa 20.000 dòng, 5 MB."])
    lists = out.sheet(
        "Danh mục",
        ["Giới tính", "Tình trạng", "Dân tộc", "Trình độ chuyên môn", "Lý luận chính trị"],
        [12, 14, 16, 26, 22],
    )
    columns = [
        [label for _v, label in Sex.choices],
        [s.label for s in IMPORTABLE_STATUSES],
        list(ETHNIC_GROUPS),
        [label for _v, label in Education.choices],
        [label for _v, label in PoliticalTheory.choices],
    ]
    for i in range(max(len(c) for c in columns)):
        lists.append([str(c[i]) if i < len(c) else "" for c in columns])
    return out.save()


EXPORT_FIELDS = (
    "organization__code", "organization__name", "full_name", "birth_date", "sex", "card_number",
    "cccd", "phone", "admission_decided_on", "joined_on", "full_on", "status", "ethnicity",
    "religion", "hometown", "residence", "occupation", "general_education", "education",
    "professional_field", "academic_title", "political_theory", "foreign_language", "it_skill",
)  # fmt: skip


def export_workbook(queryset: QuerySet[Member], title: str) -> tuple[object, int]:
    """The members of `queryset` in template columns, streamed from the database in
    chunks into a write-only workbook. Returns (file, rows written)."""
    sex = dict(Sex.choices)
    status = dict(MemberStatus.choices)
    education = dict(Education.choices)
    theory = dict(PoliticalTheory.choices)
    out = SheetWriter()
    sheet = out.sheet(
        "Đảng viên",
        [COLUMNS[k] for k in COLUMNS],
        [WIDTHS.get(k, 16) for k in COLUMNS],
        title_rows=[title, f"Trích xuất lúc {timezone.localtime():%H:%M %d/%m/%Y}. Tài liệu mật."],
    )
    # Ids first, in order (one ordinary query), then the rows in chunks of 2,000: memory
    # stays bounded without a server-side cursor, whose fast-start plans took 30 s+ for
    # a 9,000-member committee at city scale.
    ids = list(
        queryset.order_by("organization__path", "name_sort", "id").values_list("pk", flat=True)
    )
    count = 0
    for r in _in_order(ids, 2000):
        r = list(r)
        r[4] = str(sex.get(r[4], r[4]))
        r[11] = str(status.get(r[11], r[11]))
        r[18] = str(education.get(r[18], r[18])) if r[18] else ""
        r[21] = str(theory.get(r[21], r[21])) if r[21] else ""
        sheet.append(["" if v is None else v for v in r])
        count += 1
    return out.save(), count


def _in_order(ids: list[int], size: int):
    for i in range(0, len(ids), size):
        chunk = ids[i : i + size]
        rows = {
            r[0]: r[1:]
            for r in Member.objects.filter(pk__in=chunk).values_list("pk", *EXPORT_FIELDS)
        }
        for pk in chunk:
            yield rows[pk]
