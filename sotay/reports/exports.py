"""The statistics of one organisation as an .xlsx workbook: a sheet of figures (one
section per dimension) and a sheet of its children. Written with openpyxl's write-only
workbook, which streams rows instead of holding a cell object per value."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from sotay.reports.queries import ChildRow, Dimension, MemberStatistics

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
PERCENT_FORMAT = "0.00%"
NUMBER_FORMAT = "#,##0"
ON_ROLL_NOTE = (
    "Các bảng, trừ bảng Tình trạng, tính trên đảng viên đang trong danh sách "
    "(dự bị, chính thức, miễn công tác và sinh hoạt đảng)."
)


def _cell(ws, value, font=None, number_format=None):
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        # Text is text: a religion typed as "=…" or "+…" must never become a formula
        # in the reader's spreadsheet program.
        cell.data_type = "s"
    if font is not None:
        cell.font = font
    if number_format is not None:
        cell.number_format = number_format
    return cell


def _share(ws, value: Decimal | None):
    """A percentage as a real number (0.9829 shown as 98,29 % in a Vietnamese Excel)."""
    if value is None:
        return _cell(ws, None)
    return _cell(ws, float(value) / 100, number_format=PERCENT_FORMAT)


def _count(ws, n: int):
    return _cell(ws, n, number_format=NUMBER_FORMAT)


def _title(ws, stats: MemberStatistics, heading: str) -> None:
    at = timezone.localtime(stats.computed_at)
    ws.append([_cell(ws, heading, TITLE)])
    ws.append([_cell(ws, stats.org.name, BOLD)])
    ws.append(
        [_cell(ws, f"Mã tổ chức {stats.org.code} · số liệu lúc {at:%H:%M} ngày {at:%d/%m/%Y}")]
    )
    ws.append([])


def _section(ws, dimension: Dimension) -> None:
    ws.append([_cell(ws, dimension.title, BOLD)])
    ws.append([_cell(ws, h, BOLD) for h in ("Chỉ tiêu", "Số lượng", "Tỷ lệ")])
    for row in dimension.rows:
        ws.append([_cell(ws, row.label), _count(ws, row.count), _share(ws, row.percent)])
    ws.append([])


def statistics_workbook(stats: MemberStatistics, children: list[ChildRow]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Thống kê")
    for column, width in (("A", 48), ("B", 14), ("C", 12)):
        ws.column_dimensions[column].width = width
    _title(ws, stats, "THỐNG KÊ ĐẢNG VIÊN")
    ws.append([_cell(ws, ON_ROLL_NOTE, font=Font(italic=True))])
    ws.append([])
    ws.append([_cell(ws, "Tổng hợp", BOLD)])
    ws.append([_cell(ws, h, BOLD) for h in ("Chỉ tiêu", "Số lượng", "Tỷ lệ")])
    for label, n, share in (
        ("Đảng viên trong danh sách", stats.members, None),
        ("Đảng viên dự bị", stats.probationary, stats.probationary_percent),
        ("Đảng viên nữ", stats.female, stats.female_percent),
        ("Đã có tài khoản", stats.accounts, stats.accounts_percent),
        ("Tài khoản đang hoạt động, đã đăng nhập", stats.active_accounts,
         stats.active_accounts_percent),
        ("Đã ra khỏi danh sách (xóa tên, khai trừ, từ trần)", stats.left_roll, None),
    ):  # fmt: skip
        ws.append([_cell(ws, label), _count(ws, n), _share(ws, share)])
    ws.append([])
    for dimension in (stats.statuses, *stats.dimensions):
        _section(ws, dimension)

    sheet = wb.create_sheet("Tổ chức trực thuộc")
    headers = ("Tổ chức", "Mã", "Đảng viên", "Dự bị", "Nữ", "Có tài khoản", "Tỷ lệ có tài khoản",
               "Đã đăng nhập", "Tỷ lệ đã đăng nhập")  # fmt: skip
    for column, width in zip("ABCDEFGHI", (48, 14, 11, 9, 9, 13, 13, 13, 13), strict=True):
        sheet.column_dimensions[column].width = width
    _title(sheet, stats, "ĐẢNG VIÊN THEO TỔ CHỨC TRỰC THUỘC")
    sheet.append([_cell(sheet, h, BOLD) for h in headers])
    for child in children:
        sheet.append(
            [
                _cell(sheet, child.label),
                _cell(sheet, child.org.code if child.org else ""),
                _count(sheet, child.members),
                _count(sheet, child.probationary),
                _count(sheet, child.female),
                _count(sheet, child.accounts),
                _share(sheet, child.accounts_percent),
                _count(sheet, child.active_accounts),
                _share(sheet, child.active_accounts_percent),
            ]
        )
    sheet.append(
        [
            _cell(sheet, "Cộng", BOLD),
            _cell(sheet, ""),
            _count(sheet, stats.members),
            _count(sheet, stats.probationary),
            _count(sheet, stats.female),
            _count(sheet, stats.accounts),
            _share(sheet, stats.accounts_percent),
            _count(sheet, stats.active_accounts),
            _share(sheet, stats.active_accounts_percent),
        ]
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
