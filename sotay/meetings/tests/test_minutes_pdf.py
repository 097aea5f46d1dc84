"""The PDF of the minutes: customary layout, every Vietnamese letter intact. The text is
extracted back with pypdf and compared exactly (NFC) with what the minutes say."""

import io
import shutil
import subprocess
import unicodedata

import pytest
from django.utils import timezone
from pypdf import PdfReader

from sotay.meetings import minutes
from sotay.meetings.minutes_pdf import render_minutes_pdf
from sotay.meetings.tests.minutes_world import build_minutes_world

pytestmark = pytest.mark.django_db

# Every Vietnamese vowel with every tone, both cases, plus đ/Đ: the stacked marks
# (ầ ẩ ẫ ấ ậ, ề ể ễ ế ệ, ồ ổ ỗ ố ộ, ờ ở ỡ ớ ợ, ừ ử ữ ứ ự …) are the hard cases.
VOWELS = "aăâeêioôơuưy"
TONES = ["\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]
# One word per vowel (its six tones), so the line breaks fall between words.
_WORDS = ["".join(unicodedata.normalize("NFC", v + t) for t in ["", *TONES]) for v in VOWELS]
ALL_LETTERS = " ".join([*_WORDS, *(w.upper() for w in _WORDS), "đĐ"])


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in reader.pages))


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def approved(meeting_world):
    w = build_minutes_world(meeting_world)
    m = minutes.draft_minutes(user=w.member, meeting=w.meeting)
    m = minutes.edit_minutes(
        user=w.member,
        minutes=m,
        body=m.body
        + f"<p>Kiểm tra chữ: {ALL_LETTERS}</p><p><em>Nghiêng: Nguyễn Thị Hường</em></p>",
    )
    w.minutes = minutes.approve_minutes(user=w.secretary, minutes=m)
    return w


def test_the_pdf_carries_the_header_title_body_and_signatures(approved):
    w = approved
    data = render_minutes_pdf(w.minutes)
    assert data.startswith(b"%PDF-")
    text = _text(data)
    flat = _flat(text)
    local = timezone.localtime(w.meeting.started_at)
    for line in [
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "ĐẢNG BỘ PHƯỜNG AN HÒA",
        "CHI BỘ KHU PHỐ 1",
        f"Ngày {local:%d} tháng {local:%m} năm {local.year}",
        f"BIÊN BẢN HỌP CHI BỘ THÁNG {local.month} NĂM {local.year}",
        "THƯ KÝ",
        "CHỦ TỌA",
        "(Ký, ghi rõ họ tên)",
        "Nguyễn Văn An",
        "Lê Đức Cường",
    ]:
        assert line in text.splitlines() or line in flat, line
    for sentence in [
        "Vắng mặt có lý do: 1 đồng chí:",
        "Đồng chí Đỗ Thị Lan (Ốm, nằm viện, lý do được chấp nhận)",
        "Chi bộ cần chuẩn bị kỹ việc tổng kết cuối năm.",
        "Kết quả: Thông qua (trúng cử: Lê Đức Cường).",
        f"Kiểm tra chữ: {ALL_LETTERS}",
        # the italic face lacks Vietnamese: <em> prints upright, letters intact
        "Nghiêng: Nguyễn Thị Hường",
        f"SHA-256: {w.minutes.content_hash}",
    ]:
        assert sentence in flat, sentence


def test_every_vietnamese_letter_comes_back_exactly(approved):
    flat = _flat(_text(render_minutes_pdf(approved.minutes)))
    start = flat.index("Kiểm tra chữ: ") + len("Kiểm tra chữ: ")
    assert flat[start : start + len(ALL_LETTERS)] == ALL_LETTERS
    assert len(ALL_LETTERS.replace(" ", "")) == 12 * 6 * 2 + 2


def test_a_draft_says_so_in_the_footer(meeting_world):
    w = build_minutes_world(meeting_world)
    m = minutes.draft_minutes(user=w.member, meeting=w.meeting)
    flat = _flat(_text(render_minutes_pdf(m)))
    assert "DỰ THẢO biên bản phiên bản 1, chưa được thông qua." in flat
    assert "SHA-256" not in flat


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_the_pdf_renders_to_an_image(approved, tmp_path):
    pdf = tmp_path / "bien-ban.pdf"
    pdf.write_bytes(render_minutes_pdf(approved.minutes))
    subprocess.run(  # noqa: S603 - a fixed program on files this test wrote
        [
            shutil.which("pdftoppm"),
            "-r",
            "60",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf),
            str(tmp_path / "p"),
        ],
        check=True,
    )
    pages = list(tmp_path.glob("p*.png"))
    assert pages and pages[0].stat().st_size > 5000
