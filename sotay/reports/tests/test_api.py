"""GET /api/v1/statistics/organizations/{id}: the page's figures and the page's rules."""

import pytest

from sotay.accounts.services import create_api_token
from sotay.core.testing import PERSONAS

pytestmark = pytest.mark.django_db
API = "/api/v1/statistics/organizations"


def bearer(user) -> dict:
    _token, plain = create_api_token(user=user, name="test", ip="127.0.0.1")
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def test_no_token_answers_401(world, client):
    response = client.get(f"{API}/{world.branch.pk}")
    assert response.status_code == 401
    assert response.json()["detail"]
    bad = client.get(f"{API}/{world.branch.pk}", HTTP_AUTHORIZATION="Bearer sotay_nope")
    assert bad.status_code == 401


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "pending"])
def test_same_rules_as_the_page(world, client, persona):
    headers = bearer(world.persona(persona))
    on_branch = {"member": 403, "probationary": 403, "outsider": 404}.get(persona, 200)
    in_commune = persona in ("commune_officer", "province_officer", "office", "inspector", "admin")
    assert client.get(f"{API}/{world.branch.pk}", **headers).status_code == on_branch
    assert client.get(f"{API}/{world.commune.pk}", **headers).status_code == (
        200 if in_commune else 404
    )
    assert client.get(f"{API}/{world.other_province.pk}", **headers).status_code == (
        200 if persona == "admin" else 404
    )


def test_refusals_are_explained_in_vietnamese(world, client):
    response = client.get(f"{API}/{world.branch.pk}", **bearer(world.member))
    assert response.json() == {"detail": "Bạn không có quyền xem thống kê của tổ chức này."}
    response = client.get(f"{API}/{world.commune.pk}", **bearer(world.member))
    assert response.json() == {"detail": "Không tìm thấy tổ chức."}
    assert client.get(f"{API}/999999", **bearer(world.admin)).status_code == 404


def test_a_pending_account_is_refused(world, client):
    response = client.get(f"{API}/{world.branch.pk}", **bearer(world.pending))
    assert response.status_code == 403


def test_the_figures_match_the_hand_count(stats_tree, client):
    data = client.get(f"{API}/{stats_tree.commune.pk}", **bearer(stats_tree.officer)).json()
    assert data["organization_id"] == stats_tree.commune.pk and data["code"] == "K"
    assert (data["members"], data["probationary"], data["female"], data["left_roll"]) == (
        8,
        2,
        4,
        3,
    )
    assert (data["accounts"], data["active_accounts"]) == (6, 3)
    assert (data["accounts_percent"], data["active_accounts_percent"]) == (75.0, 37.5)
    assert data["accounts_ratio"] == "6/8 = 75,00 %"
    assert [(r["key"], r["count"], r["percent"]) for r in data["statuses"]["rows"]] == [
        ("du_bi", 2, 25.0), ("chinh_thuc", 5, 62.5), ("mien_sinh_hoat", 1, 12.5),
        ("xoa_ten", 1, None), ("khai_tru", 1, None), ("tu_tran", 1, None),
    ]  # fmt: skip
    dims = {d["key"]: d for d in data["dimensions"]}
    assert list(dims) == ["sex", "age", "ethnicity", "religion", "edu", "theory", "party"]
    assert all(d["base"] == 8 and sum(r["count"] for r in d["rows"]) == 8 for d in dims.values())
    assert [(r["label"], r["count"]) for r in dims["religion"]["rows"]] == [
        ("Không", 6),
        ("Phật giáo", 2),
    ]
    assert [(c["code"], c["members"], c["accounts"], c["accounts_percent"]) for c in data["children"]] == [
        ("X", 4, 4, 100.0), ("Y", 3, 1, 33.33), ("Z", 0, 0, None), ("", 1, 1, 100.0),
    ]  # fmt: skip
    assert data["children"][-1]["organization_id"] is None


def test_the_endpoint_is_in_the_openapi_schema(world, client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/statistics/organizations/{org_id}" in schema["paths"]
