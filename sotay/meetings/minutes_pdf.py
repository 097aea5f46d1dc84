"""The minutes as a PDF in the customary layout of party records.

    ĐẢNG BỘ PHƯỜNG AN HÒA              ĐẢNG CỘNG SẢN VIỆT NAM
      CHI BỘ KHU PHỐ 1                 ──────────────────────
            *                         Ngày 05 tháng 11 năm 2026
           BIÊN BẢN HỌP CHI BỘ THÁNG 11 NĂM 2026
    body (the stored, sanitised HTML of the version)
          THƯ KÝ                               CHỦ TỌA
    (Ký, ghi rõ họ tên)                  (Ký, ghi rõ họ tên)
        name                                  name

Typeset with fpdf2 and Source Serif Pro, a font that ships inside a PyPI package
(font-source-serif-pro), so a fresh machine needs nothing but `uv sync`. Its regular and
bold faces carry every precomposed Vietnamese letter (ầ, ễ, ộ, ự … with stacked marks);
its italic face does not, so the italic and bold-italic styles are mapped onto the upright
faces — an <em> in the minutes prints upright rather than with missing letters. All text
is NFC before it reaches the PDF: precomposed code points need no shaping engine, and the
embedded ToUnicode map gives the same text back to a reader or `pdftotext`.
"""

from __future__ import annotations

import re
import unicodedata

import font_source_serif_pro
from django.utils import timezone
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import TextStyle

from sotay.meetings.minutes import heading
from sotay.meetings.models import Meeting, Minutes, MinutesState
from sotay.members.models import Member

FAMILY = "SourceSerif"
REGULAR = font_source_serif_pro.font_files_ttf["SourceSerifPro"]
BOLD = font_source_serif_pro.font_files_ttf["SourceSerifProBold"]
# Margins of Vietnamese administrative documents (left 30, right 15, top/bottom 20 mm).
LEFT, RIGHT, TOP, BOTTOM = 30, 15, 20, 20


# Stacked marks (ễ, ộ, ậ) need more than fpdf2's default single line height, and party
# records are justified. The stored HTML carries no style (the sanitiser drops it), so
# the spacing is added here, for the PDF only.
_P_OPEN = re.compile(r"<(p|li|ul|ol)(\s[^>]*)?>")
LINE_HEIGHT = "1.45"


def _spaced(html: str) -> str:
    def add(match: re.Match) -> str:
        tag, attrs = match.group(1), match.group(2) or ""
        align = ' align="J"' if tag == "p" else ""
        return f'<{tag}{attrs} line-height="{LINE_HEIGHT}"{align}>'

    return _P_OPEN.sub(add, html)


def _n(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


class MinutesPDF(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = _n(footer_text)
        self.add_font(FAMILY, "", REGULAR)
        self.add_font(FAMILY, "B", BOLD)
        # No Vietnamese in the italic face: italic prints upright (see the module doc).
        self.add_font(FAMILY, "I", REGULAR)
        self.add_font(FAMILY, "BI", BOLD)
        self.set_margins(LEFT, TOP, RIGHT)
        self.set_auto_page_break(True, margin=BOTTOM)
        self.set_title(self.footer_text)
        self.set_creator("Sổ tay đảng viên điện tử")

    def footer(self):
        self.set_y(-14)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(90, 90, 90)
        self.multi_cell(0, 4, self.footer_text, align="L")
        self.set_y(-14)
        self.cell(0, 4, f"Trang {self.page_no()}/{{nb}}", align="R")
        self.set_text_color(0, 0, 0)


_NEXT = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}


def _superior_name(meeting: Meeting) -> str:
    parent = meeting.organization.parent_org()
    return parent.name if parent is not None else ""


def _date_line(meeting: Meeting) -> str:
    day = timezone.localtime(meeting.started_at or meeting.starts_at)
    return f"Ngày {day:%d} tháng {day:%m} năm {day.year}"


def _header(pdf: MinutesPDF, meeting: Meeting) -> None:
    width = pdf.w - LEFT - RIGHT
    left_w, right_w = width * 0.45, width * 0.55
    top = pdf.get_y()
    pdf.set_font(FAMILY, "", 12)
    superior = _superior_name(meeting)
    if superior:
        pdf.multi_cell(left_w, 6, _n(superior.upper()), align="C", **_NEXT)
    pdf.set_font(FAMILY, "B", 12)
    pdf.multi_cell(left_w, 6, _n(meeting.organization.name.upper()), align="C", **_NEXT)
    pdf.set_font(FAMILY, "", 12)
    pdf.multi_cell(left_w, 6, "*", align="C", **_NEXT)
    left_bottom = pdf.get_y()

    pdf.set_xy(LEFT + left_w, top)
    pdf.set_font(FAMILY, "B", 13)
    pdf.cell(right_w, 6, "ĐẢNG CỘNG SẢN VIỆT NAM", align="C")
    line_y = top + 7
    text_w = pdf.get_string_width("ĐẢNG CỘNG SẢN VIỆT NAM")
    mid = LEFT + left_w + right_w / 2
    pdf.line(mid - text_w / 2, line_y, mid + text_w / 2, line_y)
    pdf.set_xy(LEFT + left_w, top + 9)
    pdf.set_font(FAMILY, "", 12)
    pdf.cell(right_w, 6, _n(_date_line(meeting)), align="C")
    pdf.set_y(max(left_bottom, top + 16) + 6)


def _title(pdf: MinutesPDF, meeting: Meeting) -> None:
    pdf.set_font(FAMILY, "B", 14)
    pdf.multi_cell(0, 7, _n(heading(meeting)), align="C", **_NEXT)
    pdf.ln(4)


def _body(pdf: MinutesPDF, body: str) -> None:
    pdf.set_font(FAMILY, "", 12)
    styles = {
        tag: TextStyle(font_family=FAMILY, font_style="B", font_size_pt=size, color=0, t_margin=3)
        for tag, size in (("h2", 13), ("h3", 12.5), ("h4", 12))
    }
    pdf.write_html(
        _spaced(_n(body)),
        font_family=FAMILY,
        li_prefix_color=(0, 0, 0),
        tag_styles=styles,
        warn_on_tags_not_matching=False,
    )


def _signatures(pdf: MinutesPDF, meeting: Meeting, chair: str, secretary: str) -> None:
    if pdf.get_y() > pdf.h - BOTTOM - 45:
        pdf.add_page()
    pdf.ln(8)
    width = (pdf.w - LEFT - RIGHT) / 2
    y = pdf.get_y()
    for column, (label, name) in enumerate((("THƯ KÝ", secretary), ("CHỦ TỌA", chair))):
        x = LEFT + column * width
        pdf.set_xy(x, y)
        pdf.set_font(FAMILY, "B", 12)
        pdf.cell(width, 6, label, align="C")
        pdf.set_xy(x, y + 6)
        pdf.set_font(FAMILY, "", 11)
        pdf.cell(width, 6, "(Ký, ghi rõ họ tên)", align="C")
        pdf.set_xy(x, y + 30)
        pdf.set_font(FAMILY, "B", 12)
        pdf.cell(width, 6, _n(name), align="C")
    pdf.set_y(y + 38)


def footer_text(minutes: Minutes) -> str:
    if minutes.state == MinutesState.APPROVED:
        when = timezone.localtime(minutes.approved_at)
        return (
            f"Biên bản phiên bản {minutes.version}, thông qua ngày {when:%d/%m/%Y}. "
            f"SHA-256: {minutes.content_hash}"
        )
    return f"DỰ THẢO biên bản phiên bản {minutes.version}, chưa được thông qua."


def render_minutes_pdf(minutes: Minutes) -> bytes:
    """The PDF of one version of the minutes."""
    meeting = minutes.meeting
    names = {
        m.pk: m.full_name
        for m in Member.objects.filter(pk__in=[meeting.chair_id, meeting.secretary_id])
    }
    pdf = MinutesPDF(footer_text(minutes))
    pdf.add_page()
    _header(pdf, meeting)
    _title(pdf, meeting)
    _body(pdf, minutes.body)
    _signatures(
        pdf,
        meeting,
        chair=names.get(meeting.chair_id, ""),
        secretary=names.get(meeting.secretary_id, ""),
    )
    return bytes(pdf.output())
