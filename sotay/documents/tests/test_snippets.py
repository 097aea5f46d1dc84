"""Highlighted titles and snippets of search results: folded matching on the accented
original, the last word as a prefix, the symbol typed any way, escaped HTML."""

import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sotay.documents.snippets import WIDTH, Query, annotate_results, highlight, snippet
from sotay.documents.testing import docx_bytes, make_document

TITLE = "Nghị quyết số 52-NQ/TW về cách mạng công nghiệp lần thứ tư"


def hl(text, query):
    return str(highlight(text, Query.parse(query)))


def test_folded_query_marks_the_accented_words():
    assert hl(TITLE, "nghi quyet") == (
        "<mark>Nghị</mark> <mark>quyết</mark> số 52-NQ/TW về cách mạng công nghiệp lần thứ tư"
    )


def test_upper_case_query_and_upper_case_text():
    assert hl("NGHỊ QUYẾT ĐẠI HỘI", "Nghi Quyet") == "<mark>NGHỊ</mark> <mark>QUYẾT</mark> ĐẠI HỘI"
    assert hl("nghị quyết", "NGHỊ QUYẾT") == "<mark>nghị</mark> <mark>quyết</mark>"


def test_nfd_query_and_nfd_text():
    nfd_query = unicodedata.normalize("NFD", "chỉnh đốn")
    assert hl("Xây dựng, chỉnh đốn Đảng", nfd_query) == (
        "Xây dựng, <mark>chỉnh</mark> <mark>đốn</mark> Đảng"
    )
    nfd_text = unicodedata.normalize("NFD", "Xây dựng, chỉnh đốn Đảng")
    assert hl(nfd_text, "chinh don") == "Xây dựng, <mark>chỉnh</mark> <mark>đốn</mark> Đảng"


def test_d_with_stroke_folds_to_d():
    assert hl("Đảng bộ Đắk Lắk", "dang dak") == "<mark>Đảng</mark> bộ <mark>Đắk</mark> Lắk"
    assert hl("Dang bo", "đảng") == "<mark>Dang</mark> bo"


def test_last_word_is_a_prefix_earlier_words_are_whole():
    assert hl("Chỉ thị về chính trị", "chi") == "<mark>Chỉ</mark> thị về <mark>chính</mark> trị"
    # "chi" is not the last word: whole words only, so "chính" stays unmarked.
    assert hl("Chỉ thị về chính trị", "chi th") == (
        "<mark>Chỉ</mark> <mark>thị</mark> về chính trị"
    )


@pytest.mark.parametrize("query", ["52nqtw", "52/NQ-TW", "52-nq/tw", "52 NQ TW"])
def test_a_symbol_typed_any_way_marks_the_printed_symbol(query):
    out = hl(TITLE, query)
    assert (
        "<mark>52-NQ/TW</mark>" in out or "<mark>52</mark>-<mark>NQ</mark>/<mark>TW</mark>" in out
    )
    assert hl(TITLE, "52nqtw").count("<mark>") == 1
    assert "<mark>52-NQ/TW</mark>" in hl(TITLE, "52nqtw")


def test_a_symbol_key_does_not_mark_a_longer_number():
    assert "<mark>" not in hl("Quyết định số 152-NQ/TW", "52nqtw")


def test_markup_in_the_text_is_escaped_and_marks_stay_intact():
    text = 'Kế hoạch <script>alert("x")</script> & nghị quyết <b>đậm</b>'
    out = hl(text, "nghi quyet script")
    assert "<script>" not in out and "<b>" not in out
    assert "&lt;<mark>script</mark>&gt;alert(&quot;x&quot;)&lt;/<mark>script</mark>&gt;" in out
    assert "&amp; <mark>nghị</mark> <mark>quyết</mark> &lt;b&gt;đậm&lt;/b&gt;" in out
    body = "<script>document.cookie</script> " * 20 + "nghị quyết"
    snip = str(snippet(Query.parse("nghi quyet"), "", body))
    assert "<script>" not in snip and "<mark>nghị</mark> <mark>quyết</mark>" in snip


def test_no_match_gives_the_start_of_the_summary():
    summary = "Trích yếu: " + "tăng cường công tác kiểm tra, giám sát " * 10
    snip = str(snippet(Query.parse("zzz"), summary, "Nội dung không liên quan"))
    assert snip.startswith("Trích yếu: tăng cường") and snip.endswith("…")
    assert "<mark>" not in snip and len(snip) <= WIDTH + 2
    assert str(snippet(Query.parse("zzz"), "", "Nội dung")) == "Nội dung"
    assert str(snippet(Query.parse("zzz"), "", "")) == ""


def test_the_snippet_is_short_and_around_the_first_match_in_order_of_texts():
    body = "Mở đầu dài dòng. " * 40 + "Đẩy mạnh chuyển đổi số trong chi bộ. " + "Kết thúc. " * 40
    q = Query.parse("chuyen doi so")
    snip = str(snippet(q, "Trích yếu không có từ cần tìm", body, "tệp: chuyển đổi số"))
    assert snip.startswith("… ") and snip.endswith(" …")
    assert "<mark>chuyển</mark> <mark>đổi</mark> <mark>số</mark> trong chi bộ" in snip
    plain = snip.replace("<mark>", "").replace("</mark>", "")
    assert len(plain) <= WIDTH + 4
    # Summary first when it matches; the attachment when nothing else does.
    assert str(snippet(q, "Về chuyển đổi số", body)).startswith("Về <mark>chuyển</mark>")
    assert "tệp: <mark>chuyển</mark>" in str(snippet(q, "không", "không", "tệp: chuyển đổi số"))


def test_a_cut_never_splits_a_word():
    body = "Đoạn văn bản " * 30 + "học tập và làm theo tư tưởng Hồ Chí Minh " + "tiếp theo " * 30
    plain = str(snippet(Query.parse("lam theo"), body)).replace("<mark>", "").replace("</mark>", "")
    words = set(body.split())
    for word in plain.strip("… ").split():
        assert word in words


@pytest.mark.django_db
def test_result_pages_get_marks_with_at_most_two_queries(world, tmp_path, settings):
    from sotay.documents import services

    settings.PRIVATE_ROOT = tmp_path
    big = "Phần mở đầu rất dài. " * 22_000  # ~460,000 characters: only the head is read
    docs = [
        make_document(
            world, world.province, title="Nghị quyết về chuyển đổi số", summary="Về chuyển đổi số"
        ),
        make_document(
            world, world.province, title="Kế hoạch", body="Triển khai chuyển đổi số ở chi bộ."
        ),
        make_document(world, world.province, title="Hướng dẫn", body=big, publish=False),
    ]
    services.add_attachment(
        actor=world.admin,
        document=docs[2],
        data=docx_bytes("Phụ lục: các bước chuyển đổi số cơ sở"),
        filename="phu-luc.docx",
    )
    with CaptureQueriesContext(connection) as ctx:
        annotate_results(docs, "chuyen doi so")
    assert len(ctx) == 2
    assert (
        str(docs[0].hl_title)
        == "Nghị quyết về <mark>chuyển</mark> <mark>đổi</mark> <mark>số</mark>"
    )
    assert "Triển khai <mark>chuyển</mark>" in docs[1].hl_snippet
    assert "Phụ lục: các bước <mark>chuyển</mark>" in docs[2].hl_snippet
    with CaptureQueriesContext(connection) as ctx:
        annotate_results(docs[:2], "chuyen doi so")
    assert len(ctx) == 1  # matches in summary or body: no attachment query


@pytest.mark.django_db
def test_the_library_page_shows_marks_and_escapes(world, login):
    make_document(
        world,
        world.province,
        symbol="52-NQ/TW",
        title="Nghị quyết số 52-NQ/TW <script>x</script>",
        summary="Chủ động tham gia cuộc cách mạng công nghiệp lần thứ tư.",
    )
    page = login(world.member).get("/van-ban/", {"q": "nghi quyet cach mang"}).content.decode()
    assert '<span class="doc-title"><mark>Nghị</mark> <mark>quyết</mark> số 52-NQ/TW' in page
    assert "<script>x</script>" not in page
    assert 'class="doc-snippet">Chủ động tham gia cuộc <mark>cách</mark> <mark>mạng</mark>' in page
    page = login(world.member).get("/van-ban/", {"q": "52nqtw"}).content.decode()
    assert "<strong><mark>52-NQ/TW</mark></strong>" in page
    page = login(world.member).get("/van-ban/").content.decode()
    assert "<mark>" not in page and "doc-snippet" not in page
