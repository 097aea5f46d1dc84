"""Handbook endpoints: the tree, one page, search. Same outline, access and search as
the pages: drafts answer 404 to readers; the query rules and messages are the same."""

import pytest

from sotay.accounts.services import create_api_token
from sotay.core.testing import PERSONAS
from sotay.handbook.demo import seed_handbook
from sotay.handbook.testing import make_page

pytestmark = pytest.mark.django_db
API = "/api/v1"
READERS = [p for p in PERSONAS if p not in ("admin", "pending")]


@pytest.fixture
def get(client):
    def _get(user, path, **params):
        _, plain = create_api_token(user=user, name="test", ip="127.0.0.1")
        return client.get(f"{API}{path}", params, HTTP_AUTHORIZATION=f"Bearer {plain}")

    return _get


@pytest.fixture
def book(world):
    section = make_page(world, "Sinh hoạt chi bộ")
    minutes = make_page(
        world, "Ghi biên bản", parent=section, body="<h2>Số đảng viên</h2><p>Chia ra.</p>"
    )
    vote = make_page(world, "Biểu quyết", parent=section)
    draft = make_page(world, "Bản nháp riêng", parent=section, published=False)
    return {"section": section, "minutes": minutes, "vote": vote, "draft": draft}


@pytest.mark.parametrize("persona", READERS)
def test_readers_get_the_published_tree(world, get, book, persona):
    response = get(world.persona(persona), "/handbook")
    assert response.status_code == 200
    [root] = response.json()
    assert root["title"] == "Sinh hoạt chi bộ" and root["slug"] == "sinh-hoat-chi-bo"
    assert [c["title"] for c in root["children"]] == ["Ghi biên bản", "Biểu quyết"]
    assert root["children"][0]["children"] == []


def test_the_admin_gets_drafts_too(world, get, book):
    [root] = get(world.admin, "/handbook").json()
    assert [c["title"] for c in root["children"]] == [
        "Ghi biên bản",
        "Biểu quyết",
        "Bản nháp riêng",
    ]
    assert get(world.admin, f"/handbook/{book['draft'].pk}").status_code == 200


def test_one_page_with_contents_breadcrumb_and_siblings(world, get, book):
    data = get(world.member, f"/handbook/{book['minutes'].pk}").json()
    assert data["title"] == "Ghi biên bản" and data["parent_id"] == book["section"].pk
    assert data["toc"] == [{"id": "muc-so-dang-vien", "text": "Số đảng viên", "level": 2}]
    assert '<h2 id="muc-so-dang-vien">' in data["body"]
    assert [c["slug"] for c in data["breadcrumb"]] == ["sinh-hoat-chi-bo"]
    assert data["previous"] is None and data["next"]["title"] == "Biểu quyết"


@pytest.mark.parametrize("persona", READERS)
def test_a_draft_or_a_missing_page_answers_404(world, get, book, persona):
    user = world.persona(persona)
    for pk in (book["draft"].pk, 999999):
        response = get(user, f"/handbook/{pk}")
        assert response.status_code == 404
        assert response.json()["detail"] == "Không tìm thấy trang sổ tay."


def test_search_without_diacritics(world, get):
    seed_handbook()
    hits = get(world.member, "/handbook/search", q="ket nap").json()
    assert hits[0]["title"] == "Kết nạp đảng viên" and hits[0]["slug"] == "ket-nap-dang-vien"
    response = get(world.member, "/handbook/search", q="!!!")
    assert response.status_code == 400 and "dấu câu" in response.json()["detail"]
    assert get(world.member, "/handbook/search", q="x" * 2000).status_code == 200


def test_a_pending_account_or_no_token_is_refused(world, client, get, book):
    assert get(world.pending, "/handbook").status_code == 403
    assert client.get(f"{API}/handbook").status_code == 401
