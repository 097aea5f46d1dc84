"""The documents API: the library with filters and search snippets, the reader and its
read receipt, attachment downloads, bookmarks. Same scoping as the pages (404 outside the
caller's scope), checked with every persona."""

import datetime as dt

import pytest

from sotay.accounts.services import create_api_token
from sotay.core.testing import PERSONAS
from sotay.documents import services
from sotay.documents.models import Bookmark, DocumentKind, DocumentLink, DocumentRead
from sotay.documents.testing import docx_bytes, library_for_matrix, make_document

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def call(client):
    """call(persona_user, method, path, **params) → response, signed with a fresh token."""

    def _call(user, method, path, data=None):
        headers = {}
        if user is not None:
            _, plain = create_api_token(user=user, name="test", ip="127.0.0.1")
            headers["HTTP_AUTHORIZATION"] = f"Bearer {plain}"
        send = getattr(client, method.lower())
        if data is not None:
            return send(f"{API}{path}", data, **headers)
        return send(f"{API}{path}", **headers)

    return _call


@pytest.fixture
def lib(world, settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path
    docs = library_for_matrix(world)
    docs["nq52"] = make_document(
        world,
        world.province,
        symbol="52-NQ/TW",
        title="Nghị quyết số 52-NQ/TW về cách mạng công nghiệp lần thứ tư",
        summary="Chủ động tham gia cuộc cách mạng công nghiệp lần thứ tư.",
        issuer_name="Bộ Chính trị",
        issued_on=dt.date(2019, 9, 27),
        tags="chuyển đổi số, công nghiệp",
    )
    docs["ct05"] = make_document(
        world,
        world.branch,
        kind=DocumentKind.DIRECTIVE,
        symbol="05-CT/TW",
        title="Chỉ thị số 05-CT/TW về học tập và làm theo tư tưởng Hồ Chí Minh",
        issuer_name="Bộ Chính trị",
        issued_on=dt.date(2016, 5, 15),
    )
    docs["sibling"] = make_document(world, world.sibling, title="Kế hoạch riêng chi bộ 2")
    draft = make_document(world, world.province, publish=False, title="Phụ lục kèm tệp")
    services.add_attachment(
        actor=world.admin,
        document=draft,
        data=docx_bytes("Phụ lục: các bước chuyển đổi số"),
        filename="phu-luc.docx",
    )
    docs["attached"] = services.publish(actor=world.admin, document=draft)
    return docs


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["items"]]


# ----- authentication ------------------------------------------------------------------


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/documents"),
        ("GET", "/documents/1"),
        ("GET", "/documents/1/attachments/1"),
        ("GET", "/documents/1/receipt"),
        ("POST", "/documents/1/bookmark"),
        ("DELETE", "/documents/1/bookmark"),
        ("GET", "/bookmarks"),
    ],
)
def test_every_endpoint_needs_a_token(world, client, method, path):
    response = getattr(client, method.lower())(f"{API}{path}")
    assert response.status_code == 401


def test_a_pending_account_gets_403(world, call, lib):
    doc = lib["doc_branch"].pk
    for method, path in [
        ("GET", "/documents"),
        ("GET", f"/documents/{doc}"),
        ("GET", f"/documents/{doc}/receipt"),
        ("POST", f"/documents/{doc}/bookmark"),
        ("GET", "/bookmarks"),
    ]:
        response = call(world.pending, method, path)
        assert response.status_code == 403, path
        assert "chờ phê duyệt" in response.json()["detail"]
    assert not DocumentRead.objects.filter(user=world.pending).exists()


# ----- the list ------------------------------------------------------------------------


def test_the_list_is_scoped_like_the_library(world, call, lib):
    member = ids(call(world.member, "GET", "/documents"))
    assert lib["doc_branch"].pk in member and lib["nq52"].pk in member
    for hidden in ("doc_committee", "doc_draft", "sibling"):
        assert lib[hidden].pk not in member
    officer = ids(call(world.commune_officer, "GET", "/documents"))
    assert lib["doc_committee"].pk in officer and lib["doc_draft"].pk not in officer
    outsider = ids(call(world.outsider, "GET", "/documents"))
    assert lib["sibling"].pk in outsider and lib["doc_branch"].pk not in outsider
    # Drafts never reach the list, even for the office that may open them.
    assert lib["doc_draft"].pk not in ids(call(world.office, "GET", "/documents"))


def test_rows_carry_what_the_list_shows_and_no_snippet_without_search(world, call, lib):
    rows = call(world.member, "GET", "/documents").json()["items"]
    row = next(r for r in rows if r["id"] == lib["ct05"].pk)
    assert row["kind"] == "chi_thi" and row["kind_label"] == "Chỉ thị"
    assert row["symbol"] == "05-CT/TW" and row["issuer"] == "Bộ Chính trị"
    assert row["issued_on"] == "2016-05-15"
    assert row["title_html"] is None and row["snippet_html"] is None
    published = [r["published_at"] for r in rows]
    assert published == sorted(published, reverse=True)


def test_filters_kind_year_issuer_alone_and_with_a_search(world, call, lib):
    m = world.member
    assert ids(call(m, "GET", "/documents", {"kind": "chi_thi"})) == [lib["ct05"].pk]
    assert ids(call(m, "GET", "/documents", {"year": 2019})) == [lib["nq52"].pk]
    assert set(ids(call(m, "GET", "/documents", {"issuer": "Bộ Chính trị"}))) == {
        lib["nq52"].pk,
        lib["ct05"].pk,
    }
    assert ids(call(m, "GET", "/documents", {"q": "bo chinh tri", "kind": "chi_thi"})) == [
        lib["ct05"].pk
    ]
    assert ids(call(m, "GET", "/documents", {"q": "chi thi", "year": 2019})) == []
    assert ids(call(m, "GET", "/documents", {"issuer": "org-999999"})) == []


def test_search_returns_marked_titles_and_snippets(world, call, lib):
    rows = call(world.member, "GET", "/documents", {"q": "cach mang cong nghiep"}).json()["items"]
    assert rows[0]["id"] == lib["nq52"].pk
    assert rows[0]["title_html"].startswith("Nghị quyết số 52-NQ/TW về <mark>cách</mark>")
    assert rows[0]["snippet_html"] == (
        "Chủ động tham gia cuộc <mark>cách</mark> <mark>mạng</mark> <mark>công</mark> "
        "<mark>nghiệp</mark> lần thứ tư."
    )
    rows = call(world.member, "GET", "/documents", {"q": "52nqtw"}).json()["items"]
    assert "<mark>52-NQ/TW</mark>" in rows[0]["title_html"]
    rows = call(world.member, "GET", "/documents", {"q": "buoc chuyen doi"}).json()["items"]
    assert [r["id"] for r in rows] == [lib["attached"].pk]
    assert (
        "các <mark>bước</mark> <mark>chuyển</mark> <mark>đổi</mark> số" in rows[0]["snippet_html"]
    )


def test_search_input_errors(world, call, lib):
    response = call(world.member, "GET", "/documents", {"q": "!!! …"})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Hãy nhập chữ hoặc số để tìm; chỉ có dấu câu thì không tìm được.",
        "field": "q",
    }
    # A 2,000-character query is cut, not refused.
    response = call(world.member, "GET", "/documents", {"q": "52-NQ/TW " + "a" * 2000})
    assert response.status_code == 200
    response = call(world.member, "GET", "/documents", {"q": "52-NQ/TW" + " " * 2000 + "x"})
    assert ids(response)[0] == lib["nq52"].pk
    response = call(world.member, "GET", "/documents", {"kind": "luat"})
    assert response.status_code == 400 and response.json()["field"] == "kind"
    assert "Loại văn bản" in response.json()["detail"]
    response = call(world.member, "GET", "/documents", {"year": "hai nghìn"})
    assert response.status_code == 422 and "year" in response.json()["detail"]


def test_pages_hold_at_most_50(world, call, lib, django_assert_max_num_queries):
    for i in range(55):
        make_document(world, world.branch, title=f"Thông báo số {i}")
    first = call(world.member, "GET", "/documents", {"per_page": 50}).json()
    assert len(first["items"]) == 50 and first["has_next"] is True
    second = call(world.member, "GET", "/documents", {"per_page": 50, "page": 2}).json()
    assert not set(i["id"] for i in first["items"]) & set(i["id"] for i in second["items"])
    for bad in ({"per_page": 51}, {"per_page": 0}, {"page": 0}):
        response = call(world.member, "GET", "/documents", bad)
        assert response.status_code == 422 and "per_page" in response.json()["detail"]
    _, plain = create_api_token(user=world.member, name="t", ip="127.0.0.1")
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {plain}")
    with django_assert_max_num_queries(12):
        assert client.get(f"{API}/documents", {"per_page": 50}).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(f"{API}/documents", {"q": "thong bao", "per_page": 50}).status_code == 200


# ----- the reader ----------------------------------------------------------------------


EXPECT_BRANCH = dict.fromkeys(PERSONAS, 200) | {"outsider": 404, "pending": 403}
EXPECT_COMMITTEE = dict.fromkeys(PERSONAS, 404) | {
    "secretary": 200,
    "commune_officer": 200,
    "province_officer": 200,
    "office": 200,
    "inspector": 200,
    "admin": 200,
    "pending": 403,
}
EXPECT_DRAFT = dict.fromkeys(PERSONAS, 404) | {"office": 200, "admin": 200, "pending": 403}


@pytest.mark.parametrize("persona", PERSONAS)
def test_detail_and_receipt_answer_by_scope(world, call, lib, persona):
    user = world.persona(persona)
    for which, table in (
        ("doc_branch", EXPECT_BRANCH),
        ("doc_committee", EXPECT_COMMITTEE),
        ("doc_draft", EXPECT_DRAFT),
    ):
        pk = lib[which].pk
        assert call(user, "GET", f"/documents/{pk}").status_code == table[persona], which
        assert call(user, "GET", f"/documents/{pk}/receipt").status_code == table[persona]
    assert call(user, "GET", "/documents/999999").status_code == (
        403 if persona == "pending" else 404
    )


def test_detail_records_one_receipt_and_carries_everything(world, call, lib):
    doc = lib["nq52"]
    DocumentLink.objects.create(source=lib["ct05"], target=doc, relation="implements")
    DocumentLink.objects.create(source=doc, target=lib["sibling"], relation="replaces")
    Bookmark.objects.create(user=world.member, document=doc)
    before = call(world.member, "GET", f"/documents/{doc.pk}/receipt").json()
    assert before == {"read": False, "first_read_at": None}
    data = call(world.member, "GET", f"/documents/{doc.pk}").json()
    assert data["title"].startswith("Nghị quyết số 52-NQ/TW")
    assert data["tags"] == ["chuyển đổi số", "công nghiệp"]
    assert data["bookmarked"] is True and data["receipt"]["read"] is True
    # The sibling branch's plan is not readable to the member: its link is left out.
    assert data["links"] == [
        {
            "relation": "implemented_by",
            "relation_label": "Được thực hiện bởi",
            "document": {"id": lib["ct05"].pk, "symbol": "05-CT/TW", "title": lib["ct05"].title},
        }
    ]
    first = data["receipt"]["first_read_at"]
    call(world.member, "GET", f"/documents/{doc.pk}")
    assert DocumentRead.objects.filter(user=world.member, document=doc).count() == 1
    after = call(world.member, "GET", f"/documents/{doc.pk}/receipt").json()
    assert after == {"read": True, "first_read_at": first}


def test_a_draft_opened_by_the_office_leaves_no_receipt(world, call, lib):
    assert call(world.office, "GET", f"/documents/{lib['doc_draft'].pk}").status_code == 200
    assert not DocumentRead.objects.filter(document=lib["doc_draft"]).exists()


# ----- attachments ---------------------------------------------------------------------


def test_attachments_are_listed_and_downloaded_in_scope(world, call, lib):
    doc = lib["attached"]
    data = call(world.member, "GET", f"/documents/{doc.pk}").json()
    (item,) = data["attachments"]
    assert item["name"] == "phu-luc.docx" and item["label"] == "DOCX" and item["searchable"]
    assert item["url"] == f"{API}/documents/{doc.pk}/attachments/{item['id']}"
    response = call(world.member, "GET", item["url"][len(API) :])
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"PK")
    assert "phu-luc.docx" in response["Content-Disposition"]
    # Outside the scope of the document, or an attachment of another document: 404.
    path = f"/documents/{lib['doc_draft'].pk}/attachments/{item['id']}"
    assert call(world.office, "GET", path).status_code == 404
    sibling = make_document(world, world.sibling, publish=False, title="Riêng")
    services.add_attachment(
        actor=world.admin, document=sibling, data=docx_bytes("riêng"), filename="r.docx"
    )
    services.publish(actor=world.admin, document=sibling)
    other = sibling.attachments.get()
    url = f"/documents/{sibling.pk}/attachments/{other.pk}"
    assert call(world.member, "GET", url).status_code == 404
    assert call(world.outsider, "GET", url).status_code == 200
    assert call(world.pending, "GET", item["url"][len(API) :]).status_code == 403


# ----- bookmarks -----------------------------------------------------------------------


def test_bookmarks_are_kept_dropped_and_listed(world, call, lib):
    doc = lib["ct05"]
    response = call(world.member, "POST", f"/documents/{doc.pk}/bookmark")
    assert response.status_code == 201
    assert response.json() == {"document_id": doc.pk, "bookmarked": True}
    assert call(world.member, "POST", f"/documents/{doc.pk}/bookmark").status_code == 201
    assert Bookmark.objects.filter(user=world.member, document=doc).count() == 1
    call(world.member, "POST", f"/documents/{lib['nq52'].pk}/bookmark")
    assert ids(call(world.member, "GET", "/bookmarks")) == [doc.pk, lib["nq52"].pk]  # newest first
    assert ids(call(world.secretary, "GET", "/bookmarks")) == []
    response = call(world.member, "DELETE", f"/documents/{doc.pk}/bookmark")
    assert response.json() == {"document_id": doc.pk, "bookmarked": False}
    assert call(world.member, "DELETE", f"/documents/{doc.pk}/bookmark").status_code == 200
    assert ids(call(world.member, "GET", "/bookmarks")) == [lib["nq52"].pk]
    assert call(world.member, "GET", "/bookmarks", {"per_page": 51}).status_code == 422


def test_bookmarks_outside_the_scope_answer_404_and_are_not_listed(world, call, lib):
    sibling = lib["sibling"]
    for method in ("POST", "DELETE"):
        assert call(world.member, method, f"/documents/{sibling.pk}/bookmark").status_code == 404
    assert not Bookmark.objects.filter(user=world.member).exists()
    # Kept while in scope, then withdrawn: no longer listed.
    call(world.member, "POST", f"/documents/{lib['ct05'].pk}/bookmark")
    services.withdraw(actor=world.admin, document=lib["ct05"], reason="Hết hiệu lực")
    assert ids(call(world.member, "GET", "/bookmarks")) == []
