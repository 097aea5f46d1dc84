"""Search: one box, diacritics, case, NFD input and symbol variants all find the accented
target first; common words come newest first; bad queries answer with a message."""

import datetime as dt
import unicodedata

import pytest

from sotay.documents import queries
from sotay.documents.models import DocumentKind as K
from sotay.documents.queries import SearchError, documents_visible_to, search_documents
from sotay.documents.testing import make_document

pytestmark = pytest.mark.django_db

CORPUS = [
    (K.RESOLUTION, "52-NQ/TW", "Nghị quyết số 52-NQ/TW về một số chủ trương, chính sách chủ "
     "động tham gia cuộc Cách mạng công nghiệp lần thứ tư", "Bộ Chính trị", 2019, ""),
    (K.DIRECTIVE, "05-CT/TW", "Chỉ thị số 05-CT/TW về đẩy mạnh học tập và làm theo tư tưởng, "
     "đạo đức, phong cách Hồ Chí Minh", "Bộ Chính trị", 2016, ""),
    (K.REGULATION, "144-QĐ/TW", "Quy định số 144-QĐ/TW về chuẩn mực đạo đức cách mạng của cán "
     "bộ, đảng viên trong giai đoạn mới", "Bộ Chính trị", 2024, ""),
    (K.CONCLUSION, "21-KL/TW", "Kết luận số 21-KL/TW về đẩy mạnh xây dựng, chỉnh đốn Đảng và "
     "hệ thống chính trị", "Ban Chấp hành Trung ương", 2021, ""),
    (K.RESOLUTION, "25-NQ/TW", "Nghị quyết số 25-NQ/TW về tăng cường và đổi mới sự lãnh đạo của "
     "Đảng đối với công tác dân vận", "Ban Chấp hành Trung ương", 2013, ""),
    (K.GUIDANCE, "12-HD/BTCTW", "Hướng dẫn số 12-HD/BTCTW về nghiệp vụ công tác đảng viên",
     "Ban Tổ chức Trung ương", 2022, ""),
    # A plan that names resolution 52 in its title and speaks of the same revolution in
    # its body: it must still rank below the resolution itself.
    (K.PLAN, "15-KH/ĐU", "Kế hoạch số 15-KH/ĐU triển khai học tập Nghị quyết 52 của Bộ Chính "
     "trị", "Đảng ủy phường An Hòa", 2020, "Chủ động tham gia cách mạng công nghiệp lần thứ tư."),
    (K.ANNOUNCEMENT, "152-TB/TW", "Thông báo số 152-TB/TW kết luận của Bộ Chính trị về đề án "
     "sắp xếp đơn vị hành chính", "Bộ Chính trị", 2023, ""),
    (K.DECISION, "99-QĐ/TW", "Quyết định số 99-QĐ/TW về việc kiện toàn Đảng bộ tỉnh Đắk Lắk",
     "Bộ Chính trị", 2018, ""),
    (K.OFFICIAL_LETTER, "120-CV/VPTW", "Công văn số 120-CV/VPTW về việc đôn đốc triển khai thẻ "
     "đảng viên điện tử", "Văn phòng Trung ương Đảng", 2025, ""),
]  # fmt: skip

# (what a member types, the symbol that must come first)
QUERIES = [
    ("nghi quyet 52", "52-NQ/TW"),
    ("Nghi Quyet 52", "52-NQ/TW"),
    ("NGHI QUYET 52", "52-NQ/TW"),
    ("nghị quyết 52", "52-NQ/TW"),
    ("Nghị quyết số 52-NQ/TW", "52-NQ/TW"),
    ("52-NQ/TW", "52-NQ/TW"),
    ("52/NQ-TW", "52-NQ/TW"),
    ("52 nq tw", "52-NQ/TW"),
    ("52nqtw", "52-NQ/TW"),
    ("52-nq/tw", "52-NQ/TW"),
    ("  52 - NQ / TW  ", "52-NQ/TW"),
    ("số 52-NQ/TW", "52-NQ/TW"),
    ("nq 52", "52-NQ/TW"),
    ("nghi-quyet-52", "52-NQ/TW"),
    ("cach mang cong nghiep", "52-NQ/TW"),
    ("CÁCH MẠNG CÔNG NGHIỆP LẦN THỨ TƯ", "52-NQ/TW"),
    ("chi thi 05", "05-CT/TW"),
    ("chỉ thị 05", "05-CT/TW"),
    ("05-CT/TW", "05-CT/TW"),
    ("05/CT-TW", "05-CT/TW"),
    ("tu tuong dao duc phong cach ho chi minh", "05-CT/TW"),
    ("HỌC TẬP VÀ LÀM THEO", "05-CT/TW"),
    ("hoc tap va lam theo tu tuong", "05-CT/TW"),
    ("quy dinh 144", "144-QĐ/TW"),
    ("144-QĐ/TW", "144-QĐ/TW"),
    ("144-QD/TW", "144-QĐ/TW"),
    ("144/QĐ-TW", "144-QĐ/TW"),
    ("144 qd tw", "144-QĐ/TW"),
    ("chuan muc dao duc cach mang", "144-QĐ/TW"),
    ("Chuẩn mực đạo đức", "144-QĐ/TW"),
    ("QUY ĐỊNH 144", "144-QĐ/TW"),
    ("ket luan 21", "21-KL/TW"),
    ("21-KL/TW", "21-KL/TW"),
    ("21 kl tw", "21-KL/TW"),
    ("xay dung chinh don dang", "21-KL/TW"),
    ("chỉnh đốn Đảng", "21-KL/TW"),
    ("CHINH DON DANG", "21-KL/TW"),
    ("nghi quyet 25", "25-NQ/TW"),
    ("25-NQ/TW", "25-NQ/TW"),
    ("25/NQ-TW", "25-NQ/TW"),
    ("cong tac dan van", "25-NQ/TW"),
    ("công tác dân vận", "25-NQ/TW"),
    ("12-HD/BTCTW", "12-HD/BTCTW"),
    ("huong dan 12", "12-HD/BTCTW"),
    ("nghiep vu cong tac dang vien", "12-HD/BTCTW"),
    ("ban to chuc trung uong", "12-HD/BTCTW"),
    ("ke hoach 15", "15-KH/ĐU"),
    ("15-KH/ĐU", "15-KH/ĐU"),
    ("15-KH/DU", "15-KH/ĐU"),
    ("15 kh du", "15-KH/ĐU"),
    ("thong bao 152", "152-TB/TW"),
    ("152-TB/TW", "152-TB/TW"),
    ("152/TB-TW", "152-TB/TW"),
    ("dak lak", "99-QĐ/TW"),
    ("Đắk Lắk", "99-QĐ/TW"),
    ("ĐẮK LẮK", "99-QĐ/TW"),
    ("quyet dinh 99", "99-QĐ/TW"),
    ("99-QĐ/TW", "99-QĐ/TW"),
    ("the dang vien dien tu", "120-CV/VPTW"),
    ("thẻ đảng viên điện tử", "120-CV/VPTW"),
    ("don doc", "120-CV/VPTW"),
    ("120-CV/VPTW", "120-CV/VPTW"),
    ("cong van 120", "120-CV/VPTW"),
]
# Phones and some keyboards send decomposed Vietnamese (NFD): every accented query again.
QUERIES += [(unicodedata.normalize("NFD", q), s) for q, s in QUERIES if not q.isascii()]


@pytest.fixture
def corpus(world):
    for kind, symbol, title, issuer, year, body in CORPUS:
        make_document(
            world,
            world.province,
            kind=kind,
            symbol=symbol,
            title=title,
            issuer_name=issuer,
            issued_on=dt.date(year, 6, 1),
            body=body,
        )
    return documents_visible_to(world.member)


def test_the_table_is_large_enough():
    assert len(QUERIES) >= 50
    assert any(not unicodedata.is_normalized("NFC", q) for q, _ in QUERIES)


@pytest.mark.parametrize(("query", "symbol"), QUERIES)
def test_each_variant_finds_the_accented_target_first(corpus, query, symbol):
    found = list(search_documents(corpus, query).values_list("symbol", flat=True))
    assert found, f"{query!r} found nothing"
    assert found[0] == symbol, f"{query!r}: {found}"


def test_words_must_all_match(corpus):
    assert not search_documents(corpus, "nghi quyet dak lak").exists()
    assert not search_documents(corpus, "99-QĐ/BCT").exists()


def test_attachment_and_body_text_are_searched(corpus, world):
    assert [d.symbol for d in search_documents(corpus, "lan thu tu")][:2] == [
        "52-NQ/TW",
        "15-KH/ĐU",
    ]


def test_common_words_come_newest_first(corpus, monkeypatch):
    monkeypatch.setattr(queries, "COMMON", 3)
    found = list(search_documents(corpus, "so"))
    assert len(found) == len(CORPUS)
    stamps = [d.published_at for d in found]
    assert stamps == sorted(stamps, reverse=True)


@pytest.mark.parametrize("query", ["", "   ", "!!!", "…/-–—?", "///---"])
def test_punctuation_only_is_refused_with_a_message(corpus, query):
    with pytest.raises(SearchError) as err:
        search_documents(corpus, query)
    assert "dấu câu" in err.value.message


def test_long_queries_are_cut_not_refused(corpus):
    found = search_documents(corpus, "nghi quyet 52 " + "x" * 2000)
    assert list(found) == []  # the cut text still holds a word nothing matches
    assert search_documents(corpus, "52-NQ/TW" + " " * 2000 + "zzz").first().symbol == "52-NQ/TW"


@pytest.mark.parametrize("window", [5, 10_000])
def test_both_plans_of_a_common_query_give_the_same_order(corpus, monkeypatch, window):
    """The walk over the newest documents (a page of matches among the `window` newest)
    and the sort of every match (not enough there) list the same documents in the same
    order."""
    from django.db import connection

    monkeypatch.setattr(queries, "COMMON", 3)
    monkeypatch.setattr(queries, "DENSE_WINDOW", window)
    monkeypatch.setattr(queries, "DENSE_PAGE", 2)
    qs = search_documents(corpus, "so")
    expected = list(corpus.order_by("-published_at", "-created_at", "-pk"))
    assert list(qs) == expected
    if connection.vendor == "postgresql":
        assert ("COALESCE" in str(qs.query)) == (window >= len(CORPUS))
