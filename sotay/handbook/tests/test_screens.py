"""The handbook pages: everyone signed in reads published pages; only system
administrators see drafts and the editing forms (others: 403, drafts 404)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sotay.core.testing import PERSONAS
from sotay.handbook.demo import seed_handbook
from sotay.handbook.models import Page
from sotay.handbook.testing import make_page

pytestmark = pytest.mark.django_db

READERS = [p for p in PERSONAS if p not in ("admin", "pending")]
BODY = (
    "<p>Mở đầu.</p><h2>Thời gian, địa điểm</h2><p>Ghi giờ.</p><h3>Giờ kết thúc</h3>"
    "<p>Cuối buổi.</p><h2>Số đảng viên</h2><p>Chia ra.</p>"
)


@pytest.fixture
def book(world):
    section = make_page(world, "Sinh hoạt chi bộ", summary="Lịch và chuẩn bị.")
    first = make_page(world, "Chuẩn bị buổi sinh hoạt", parent=section)
    minutes = make_page(
        world,
        "Ghi biên bản sinh hoạt chi bộ",
        parent=section,
        body=BODY,
        sources="Hướng dẫn 42-HD/BTCTW",
    )
    last = make_page(world, "Biểu quyết và tỉ lệ tán thành", parent=section)
    child = make_page(world, "Mẫu biên bản", parent=minutes)
    draft = make_page(world, "Trang đang soạn", parent=section, published=False)
    hidden = make_page(world, "Trang con của bản nháp", parent=draft)
    return dict(
        section=section, first=first, minutes=minutes, last=last, child=child, draft=draft,
        hidden=hidden,
    )  # fmt: skip


@pytest.mark.parametrize("persona", READERS)
def test_every_reader_sees_the_published_tree_without_drafts(world, login, book, persona):
    html = login(world.persona(persona)).get("/so-tay/").content.decode()
    assert "Ghi biên bản sinh hoạt chi bộ" in html and "Mẫu biên bản" in html
    assert "Trang đang soạn" not in html and "Trang con của bản nháp" not in html
    assert "Trang mới" not in html


@pytest.mark.parametrize("persona", READERS)
def test_a_reader_opens_a_page_but_not_a_draft_nor_what_is_under_it(world, login, book, persona):
    client = login(world.persona(persona))
    assert client.get("/so-tay/ghi-bien-ban-sinh-hoat-chi-bo/").status_code == 200
    assert client.get("/so-tay/trang-dang-soan/").status_code == 404
    assert client.get("/so-tay/trang-con-cua-ban-nhap/").status_code == 404
    assert client.get("/so-tay/khong-co/").status_code == 404


@pytest.mark.parametrize("persona", READERS)
def test_editing_answers_403_to_readers_and_404_for_drafts(world, login, book, persona):
    client = login(world.persona(persona))
    slug = book["minutes"].slug
    assert client.get("/so-tay/trang-moi/").status_code == 403
    assert client.post("/so-tay/trang-moi/", {"title": "X"}).status_code == 403
    assert client.get(f"/so-tay/{slug}/sua/").status_code == 403
    assert client.post(f"/so-tay/{slug}/sua/", {"title": "X"}).status_code == 403
    for action in ("chuyen", "thu-tu", "dang", "xoa"):
        assert client.post(f"/so-tay/{slug}/{action}/", {"parent": 0}).status_code == 403
    assert client.get("/so-tay/trang-dang-soan/sua/").status_code == 404
    assert client.post("/so-tay/trang-dang-soan/xoa/").status_code == 404
    assert Page.objects.count() == 7
    assert Page.objects.get(pk=book["minutes"].pk).title == "Ghi biên bản sinh hoạt chi bộ"


def test_anonymous_visitors_are_sent_to_sign_in(client, book):
    for url in ("/so-tay/", "/so-tay/ghi-bien-ban-sinh-hoat-chi-bo/", "/so-tay/trang-moi/"):
        response = client.get(url)
        assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"]


def test_the_page_shows_breadcrumb_contents_children_and_siblings(world, login, book):
    html = login(world.member).get("/so-tay/ghi-bien-ban-sinh-hoat-chi-bo/").content.decode()
    crumbs = html.split('aria-label="Vị trí trang"')[1].split("</ol>")[0]
    assert 'href="/so-tay/"' in crumbs and 'href="/so-tay/sinh-hoat-chi-bo/"' in crumbs
    assert 'aria-current="page">Ghi biên bản sinh hoạt chi bộ' in crumbs
    # Contents: every h2/h3, each heading carrying the anchor it links to.
    for anchor in ("muc-thoi-gian-dia-diem", "muc-gio-ket-thuc", "muc-so-dang-vien"):
        assert f'href="#{anchor}"' in html and f'id="{anchor}"' in html
    assert 'class="toc-l3"' in html
    assert 'href="/so-tay/mau-bien-ban/"' in html  # the child page
    pager = html.split('class="hb-pager"')[1]
    assert 'href="/so-tay/chuan-bi-buoi-sinh-hoat/" rel="prev"' in pager
    # The next sibling is the draft for the admin only: readers skip it.
    assert 'href="/so-tay/bieu-quyet-va-ti-le-tan-thanh/" rel="next"' in pager
    assert "Hướng dẫn 42-HD/BTCTW" in html
    assert "Quản lý trang" not in html


def test_the_admin_sees_drafts_and_the_management_box(world, login, book):
    client = login(world.admin)
    assert "Trang đang soạn" in client.get("/so-tay/").content.decode()
    html = client.get("/so-tay/trang-dang-soan/").content.decode()
    assert "Bản nháp" in html and "Đăng trang" in html
    assert client.get("/so-tay/trang-con-cua-ban-nhap/").status_code == 200


def test_the_admin_creates_edits_publishes_moves_and_deletes_through_the_forms(world, login, book):
    client = login(world.admin)
    response = client.post(
        f"/so-tay/trang-moi/?cha={book['section'].pk}",
        {
            "title": "Thu nộp đảng phí",
            "body": "<h2>Mức</h2><script>x()</script>",
            "cha": book["section"].pk,
        },
    )
    page = Page.objects.get(title="Thu nộp đảng phí")
    assert response.status_code == 302 and response["Location"] == "/so-tay/thu-nop-dang-phi/"
    assert page.parent_id == book["section"].pk and not page.published and "script" not in page.body
    response = client.post(
        "/so-tay/thu-nop-dang-phi/sua/",
        {"title": "Đảng phí", "slug": "dang-phi", "body": "<p>1%</p>"},
    )
    assert response["Location"] == "/so-tay/dang-phi/"
    client.post("/so-tay/dang-phi/dang/", {"published": "1"})
    assert Page.objects.get(pk=page.pk).published
    client.post("/so-tay/dang-phi/chuyen/", {"parent": "0", "position": "1"})
    page.refresh_from_db()
    assert (page.parent_id, page.position) == (None, 1)
    client.post("/so-tay/dang-phi/thu-tu/", {"huong": "xuong"})
    assert Page.objects.get(pk=page.pk).position == 2
    response = client.post("/so-tay/dang-phi/xoa/")
    assert response["Location"] == "/so-tay/" and not Page.objects.filter(pk=page.pk).exists()


def test_form_errors_are_shown_in_vietnamese_and_nothing_is_saved(world, login, book):
    client = login(world.admin)
    response = client.post("/so-tay/trang-moi/", {"title": "<b></b>"})
    assert response.status_code == 200
    assert "Tiêu đề: không được để trống." in response.content.decode()
    response = client.post(
        "/so-tay/ghi-bien-ban-sinh-hoat-chi-bo/sua/",
        {"title": "Ghi biên bản", "slug": "sinh-hoat-chi-bo"},
    )
    assert "Đường dẫn: đã có trang khác dùng đường dẫn này." in response.content.decode()
    assert Page.objects.get(pk=book["minutes"].pk).title == "Ghi biên bản sinh hoạt chi bộ"
    response = client.post(
        "/so-tay/sinh-hoat-chi-bo/chuyen/", {"parent": book["minutes"].pk}, follow=True
    )
    assert "không chuyển được một trang vào chính nó" in response.content.decode()
    response = client.post("/so-tay/sinh-hoat-chi-bo/xoa/", follow=True)
    assert "còn trang con" in response.content.decode()
    response = client.post("/so-tay/sinh-hoat-chi-bo/chuyen/", {"parent": "abc"}, follow=True)
    assert response.status_code == 200 and "Trang cha: hãy chọn" in response.content.decode()


def test_search_ignores_diacritics_and_ranks_title_hits_first(world, login):
    seed_handbook()
    client = login(world.member)
    html = client.get("/so-tay/", {"q": "ket nap"}).content.decode()
    results = html.split('id="results-h"')[1]
    titles = [part.split("</span>")[0] for part in results.split('class="doc-title">')[1:]]
    assert titles[0] == "Kết nạp đảng viên"
    assert len(titles) > 1  # other pages mention kết nạp in their text
    html = client.get("/so-tay/", {"q": "Biên bản"}).content.decode()
    results = html.split('id="results-h"')[1]
    assert results.split('class="doc-title">')[1].startswith("Ghi biên bản sinh hoạt chi bộ")


def test_a_punctuation_only_query_gets_a_vietnamese_message(world, login, book):
    response = login(world.member).get("/so-tay/", {"q": "?!.,;"})
    assert response.status_code == 200
    assert "chỉ có dấu câu thì không tìm được" in response.content.decode()


def test_a_very_long_query_is_cut_not_an_error(world, login, book):
    response = login(world.member).get("/so-tay/", {"q": "bien ban " * 250})
    assert response.status_code == 200
    assert len(response.context["q"]) == 200


def test_drafts_are_not_found_by_readers_searching(world, login, book):
    html = login(world.member).get("/so-tay/", {"q": "trang dang soan"}).content.decode()
    assert "Trang đang soạn" not in html.split('id="results-h"')[1]
    html = login(world.admin).get("/so-tay/", {"q": "trang dang soan"}).content.decode()
    assert "Trang đang soạn" in html.split('id="results-h"')[1]


def test_the_index_and_a_page_run_a_fixed_number_of_queries(world, login, book):
    client = login(world.member)
    client.get("/so-tay/")
    with CaptureQueriesContext(connection) as few:
        client.get("/so-tay/")
        client.get("/so-tay/ghi-bien-ban-sinh-hoat-chi-bo/")
    for i in range(20):
        make_page(world, f"Trang thêm {i}", parent=book["minutes"] if i % 2 else None)
    with CaptureQueriesContext(connection) as many:
        client.get("/so-tay/")
        client.get("/so-tay/ghi-bien-ban-sinh-hoat-chi-bo/")
    assert len(many) == len(few)
    assert len(few) <= 12


def test_the_home_page_links_the_handbook(world, login):
    assert 'href="/so-tay/"' in login(world.member).get("/").content.decode()
