"""The library pages: list, search, filters, reader, bookmarks and the office's forms."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sotay.documents.models import AudienceLevel, Document, DocumentRead, DocumentState
from sotay.documents.testing import docx_bytes, make_document

pytestmark = pytest.mark.django_db

LONG_BODY = """I. MỤC ĐÍCH, YÊU CẦU
Quán triệt sâu sắc nội dung nghị quyết.
II. NỘI DUNG
Đẩy mạnh chuyển đổi số trong hoạt động của chi bộ.
III. TỔ CHỨC THỰC HIỆN
Các chi bộ xây dựng kế hoạch."""


@pytest.fixture
def docs(world):
    return {
        "nq52": make_document(
            world,
            world.province,
            symbol="52-NQ/TW",
            title="Nghị quyết số 52-NQ/TW về cách mạng công nghiệp lần thứ tư",
            issuer_name="Bộ Chính trị",
            body=LONG_BODY,
            tags="chuyển đổi số",
        ),
        "ct05": make_document(
            world, world.branch, kind="chi_thi", symbol="05-CT/TW", title="Chỉ thị số 05-CT/TW"
        ),
        "sibling": make_document(world, world.sibling, title="Kế hoạch riêng chi bộ 2"),
    }


def test_the_library_lists_what_the_member_may_read(world, login, docs):
    page = login(world.member).get("/van-ban/").content.decode()
    assert "Nghị quyết số 52-NQ/TW" in page and "Chỉ thị số 05-CT/TW" in page
    assert "Kế hoạch riêng chi bộ 2" not in page
    assert "Soạn văn bản" not in page


def test_the_library_runs_a_fixed_number_of_queries(world, login, docs):
    client = login(world.member)
    client.get("/van-ban/")
    for _ in range(15):
        make_document(world, world.branch, title="Thêm")
    with CaptureQueriesContext(connection) as few:
        client.get("/van-ban/")
    for _ in range(15):
        make_document(world, world.branch, title="Thêm nữa")
    with CaptureQueriesContext(connection) as many:
        client.get("/van-ban/?q=them")
    # The search adds its "is it common" probe, the snippets' two reads (body heads,
    # attachment heads) and the handbook's hits (outline, matches, rows), whatever the
    # number of rows.
    assert len(many) <= len(few) + 6
    assert len(few) <= 10


def test_the_one_search_box_also_finds_handbook_pages(world, login, docs):
    from sotay.handbook.testing import make_page

    guide = make_page(world, "Ghi biên bản sinh hoạt chi bộ", body="<p>Cách ghi biên bản.</p>")
    make_page(world, "Biên bản nháp chưa đăng", published=False)
    page = login(world.member).get("/van-ban/", {"q": "bien ban"}).content.decode()
    assert "Trong Sổ tay nghiệp vụ" in page
    assert f'href="/so-tay/{guide.slug}/"' in page
    assert "Biên bản nháp chưa đăng" not in page
    assert (
        "Trong Sổ tay nghiệp vụ"
        not in login(world.member).get("/van-ban/", {"q": "nghi quyet 52"}).content.decode()
    )


def test_search_without_diacritics_from_the_box(world, login, docs):
    page = login(world.member).get("/van-ban/", {"q": "nghi quyet 52"}).content.decode()
    assert "<mark>Nghị</mark> <mark>quyết</mark> số <mark>52</mark>-NQ/TW" in page
    assert "Chỉ thị số 05-CT/TW" not in page


@pytest.mark.parametrize("query", ["!!!", "…", "x" * 2000, "'; DROP TABLE x; --", "%_%"])
def test_odd_searches_answer_with_a_page_never_an_error(world, login, docs, query):
    response = login(world.member).get("/van-ban/", {"q": query})
    assert response.status_code == 200
    if query in ("!!!", "…"):
        assert "chỉ có dấu câu" in response.content.decode()


def test_filters_by_kind_year_and_issuer(world, login, docs):
    client = login(world.member)
    page = client.get("/van-ban/", {"kind": "chi_thi"}).content.decode()
    assert "Chỉ thị số 05-CT/TW" in page and "Nghị quyết số 52" not in page
    page = client.get("/van-ban/", {"issuer": "Bộ Chính trị"}).content.decode()
    assert "Nghị quyết số 52" in page and "Chỉ thị số 05-CT/TW" not in page
    assert "Chưa có văn bản nào" in client.get("/van-ban/", {"year": "1999"}).content.decode()
    assert client.get("/van-ban/", {"year": "abc", "issuer": "org-x"}).status_code == 200


def test_the_reader_shows_contents_and_records_one_receipt(world, login, docs):
    client = login(world.member)
    url = f"/van-ban/{docs['nq52'].pk}/"
    page = client.get(url).content.decode()
    assert "Mục lục" in page and 'href="#muc-2"' in page and 'id="muc-2"' in page
    assert "Đọc sau" in page
    client.get(url)
    assert DocumentRead.objects.filter(user=world.member, document=docs["nq52"]).count() == 1


def test_bookmarks_go_to_the_read_later_tab(world, login, docs):
    client = login(world.member)
    response = client.post(f"/van-ban/{docs['ct05'].pk}/doc-sau/")
    assert response.status_code == 302
    page = client.get("/van-ban/?saved=1").content.decode()
    assert "Chỉ thị số 05-CT/TW" in page and "Nghị quyết số 52" not in page
    assert "Đã lưu đọc sau" in client.get(f"/van-ban/{docs['ct05'].pk}/").content.decode()
    assert login(world.outsider).post(f"/van-ban/{docs['ct05'].pk}/doc-sau/").status_code == 404


def test_related_documents_by_tag(world, login, docs):
    make_document(world, world.branch, title="Hướng dẫn chuyển đổi số", tags="chuyển đổi số")
    page = login(world.member).get(f"/van-ban/{docs['nq52'].pk}/").content.decode()
    assert "Văn bản liên quan" in page and "Hướng dẫn chuyển đổi số" in page


def test_the_office_drafts_attaches_publishes_and_withdraws(world, login, settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path
    client = login(world.office)
    form = {
        "kind": "ke_hoach",
        "symbol": "15-kh/đu",
        "title": "Kế hoạch <b>học tập</b> nghị quyết",
        "issuer_code": "C1",
        "audience_code": "B1",
        "audience_level": AudienceLevel.ALL,
        "body": "Nội dung kế hoạch",
    }
    response = client.post("/van-ban/soan/", form)
    doc = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/van-ban/{doc.pk}/sua/"
    assert doc.title == "Kế hoạch học tập nghị quyết" and doc.symbol == "15-KH/ĐU"
    assert doc.issuer_org == world.commune and doc.state == DocumentState.DRAFT
    upload = _file("ke-hoach.docx", docx_bytes("Phụ lục phân công"))
    client.post(f"/van-ban/{doc.pk}/tep/them/", {"file": upload})
    assert doc.attachments.get().text == "Phụ lục phân công"
    client.post(f"/van-ban/{doc.pk}/ban-hanh/")
    doc.refresh_from_db()
    assert doc.state == DocumentState.PUBLISHED
    client.post(f"/van-ban/{doc.pk}/thu-hoi/", {"reason": ""})
    doc.refresh_from_db()
    assert doc.state == DocumentState.PUBLISHED  # no reason, no withdrawal
    client.post(f"/van-ban/{doc.pk}/thu-hoi/", {"reason": "Thay bằng kế hoạch mới"})
    doc.refresh_from_db()
    assert doc.state == DocumentState.WITHDRAWN
    page = client.get(f"/van-ban/{doc.pk}/").content.decode()
    assert "Thay bằng kế hoạch mới" in page
    assert login(world.member).get(f"/van-ban/{doc.pk}/").status_code == 404


def test_the_form_refuses_secret_documents_and_foreign_codes(world, login):
    client = login(world.office)
    base = {"kind": "nghi_quyet", "title": "Nghị quyết", "issuer_name": "Bộ Chính trị"}
    base["audience_level"] = "all"
    page = client.post("/van-ban/soan/", {**base, "audience_code": "B1", "secret": "on"})
    assert "Tài liệu mật không được đưa lên hệ thống kết nối Internet" in page.content.decode()
    page = client.post("/van-ban/soan/", {**base, "audience_code": "B3"})
    assert "ngoài phạm vi của bạn" in page.content.decode()
    assert not Document.objects.exists()


def test_members_cannot_post_to_the_office_actions(world, login, docs):
    client = login(world.member)
    pk = docs["ct05"].pk
    assert client.post("/van-ban/soan/", {}).status_code == 403
    assert client.post(f"/van-ban/{pk}/thu-hoi/", {"reason": "Không thích"}).status_code == 403
    assert client.post(f"/van-ban/{pk}/ban-hanh/").status_code == 403
    docs["ct05"].refresh_from_db()
    assert docs["ct05"].state == DocumentState.PUBLISHED


def _file(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_declared_links_show_both_ways_and_never_an_unreadable_end(world, login, docs):
    from sotay.documents import services

    services.link_documents(
        actor=world.admin, source=docs["ct05"], target=docs["nq52"], relation="implements"
    )
    services.link_documents(
        actor=world.admin, source=docs["sibling"], target=docs["nq52"], relation="amends"
    )
    client = login(world.member)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(f"/van-ban/{docs['nq52'].pk}/").content.decode()
    assert "Văn bản liên quan" in page and "Chỉ thị số 05-CT/TW" in page
    assert "Được thực hiện bởi" in page
    assert "Kế hoạch riêng chi bộ 2" not in page  # the sibling branch's plan stays hidden
    assert sum("documents_documentlink" in q["sql"] for q in ctx.captured_queries) == 1
    back = client.get(f"/van-ban/{docs['ct05'].pk}/").content.decode()
    assert "Nghị quyết số 52-NQ/TW" in back
