"""The streaming .xlsx writer and the reader: what is written reads back the same, text
never becomes a formula, and a control character cannot corrupt the file."""

import datetime as dt
import io
import warnings

from openpyxl import load_workbook

from sotay.core.xlsx import SheetWriter, read_rows


def test_written_values_read_back_with_their_types():
    out = SheetWriter()
    sheet = out.sheet(
        "Dữ liệu: thử/1", ["Tên", "Ngày", "Số", "Ghi chú"], [20, 12], title_rows=["Tiêu đề"]
    )
    sheet.append(["Nguyễn Thị Hòa", dt.date(1985, 5, 19), 42, "=1+1"])
    sheet.append(["Bell\x07 & <b>", None, 1.5, "@SUM(A1)"])
    out.sheet("Khác", ["A"]).append(["x"])
    data = out.save().read()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # openpyxl warns on a malformed style sheet
        wb = load_workbook(io.BytesIO(data))
    ws = wb["Dữ liệu  thử 1"]
    assert [c.value for c in ws[1]][:1] == ["Tiêu đề"] and ws["A1"].font.b
    assert [c.value for c in ws[3]] == ["Nguyễn Thị Hòa", dt.datetime(1985, 5, 19), 42, "'=1+1"]
    assert ws["D3"].data_type == "s" and ws["B3"].number_format == "dd/mm/yyyy"
    assert [c.value for c in ws[4]] == ["Bell & <b>", None, 1.5, "'@SUM(A1)"]
    assert ws.column_dimensions["A"].width == 20
    assert wb.sheetnames == ["Dữ liệu  thử 1", "Khác"]


def test_the_reader_finds_headers_below_a_title_and_flags_formulas():
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Danh sách"])
    ws.append(["Tên", "Tuổi"])
    ws.append(["An", 30])
    ws.append([None, None])
    ws.append(["Bình", "=20+11"])
    buf = io.BytesIO()
    wb.save(buf)
    positions, rows = read_rows(buf.getvalue(), {"name": "Tên", "age": "Tuổi"}, ["name"])
    rows = list(rows)
    assert positions == {"name": 0, "age": 1}
    assert [(n, c["name"].value, c["age"].formula) for n, c in rows] == [
        (3, "An", False),
        (5, "Bình", True),
    ]
