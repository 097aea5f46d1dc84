"""Required reading (issue 4 §3): who may mark a document required, the refusals, the
member's "Văn bản cần đọc" list, read receipts and coverage counts per organisation, names
only for the branch's secretary, the pages and the API."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sotay.accounts.models import AccountStatus
from sotay.accounts.permissions import grants_for
from sotay.accounts.services import create_api_token
from sotay.audit.models import AuditEntry
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.core.testing import make_member, make_user
from sotay.documents import services
from sotay.documents.models import AudienceLevel, DocumentRead, RequiredReading
from sotay.documents.queries import reading_coverage, required_for
from sotay.documents.testing import make_document
from sotay.members.models import MemberStatus

pytestmark = pytest.mark.django_db
API = "/api/v1"


def soon(days=10) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


@pytest.fixture
def doc(world):
    """A resolution addressed to the whole province, published by the admin."""
    return make_document(world, world.province, title="Nghị quyết về xây dựng Đảng")


def _read(user, document):
    assert services.record_read(user=user, document=document)


# ----- marking ---------------------------------------------------------------------


def test_the_office_requires_its_commune_to_read_and_it_is_audited(world, doc):
    req = services.require_reading(
        actor=world.office, document=doc, organization=world.commune, due_on=soon()
    )
    assert (req.organization, req.path, req.due_on) == (world.commune, world.commune.path, soon())
    assert req.created_by == world.office
    entry = AuditEntry.objects.get(action="documents.reading_required")
    assert entry.org_path == world.commune.path
    assert entry.note == f"Đảng bộ phường An Hòa: hạn đọc {soon():%d/%m/%Y}"


def test_marking_the_same_organisation_again_moves_the_due_date(world, doc):
    services.require_reading(
        actor=world.office, document=doc, organization=world.branch, due_on=soon(5)
    )
    services.require_reading(
        actor=world.office, document=doc, organization=world.branch, due_on=soon(20)
    )
    assert list(RequiredReading.objects.values_list("due_on", flat=True)) == [soon(20)]
    assert AuditEntry.objects.filter(action="documents.reading_due_changed").count() == 1


@pytest.mark.parametrize(
    "persona", ["member", "secretary", "commune_officer", "province_officer", "outsider"]
)
def test_only_publishers_may_mark(world, doc, persona):
    with pytest.raises(PermissionDenied):
        services.require_reading(
            actor=world.persona(persona), document=doc, organization=world.branch, due_on=soon()
        )
    assert not RequiredReading.objects.exists()


def test_an_organisation_outside_the_publishers_scope_is_refused(world, doc):
    with pytest.raises(PermissionDenied) as exc:
        services.require_reading(
            actor=world.office, document=doc, organization=world.commune2, due_on=soon()
        )
    assert "phạm vi" in exc.value.message
    with pytest.raises(PermissionDenied):  # the province above the office's commune
        services.require_reading(
            actor=world.office, document=doc, organization=world.province, due_on=soon()
        )
    assert not RequiredReading.objects.exists()


def test_an_organisation_outside_the_documents_audience_is_refused(world):
    branch_doc = make_document(world, world.branch, title="Kế hoạch của chi bộ")
    with pytest.raises(ServiceError) as exc:
        services.require_reading(
            actor=world.office, document=branch_doc, organization=world.commune, due_on=soon()
        )
    assert exc.value.field == "organization"
    assert "Chi bộ Khu phố 1" in exc.value.message
    with pytest.raises(ServiceError):  # a sibling branch is outside too
        services.require_reading(
            actor=world.office, document=branch_doc, organization=world.sibling, due_on=soon()
        )
    assert not RequiredReading.objects.exists()


def test_a_past_date_is_refused_and_today_is_accepted(world, doc):
    with pytest.raises(ServiceError) as exc:
        services.require_reading(
            actor=world.office, document=doc, organization=world.commune, due_on=soon(-1)
        )
    assert exc.value.field == "due_on" and "Hạn đọc" in exc.value.message
    with pytest.raises(ServiceError) as exc:
        services.require_reading(
            actor=world.office, document=doc, organization=world.commune, due_on=None
        )
    assert exc.value.field == "due_on"
    assert not RequiredReading.objects.exists()
    services.require_reading(
        actor=world.office, document=doc, organization=world.commune, due_on=soon(0)
    )


def test_drafts_withdrawn_and_committee_only_documents_are_refused(world):
    draft = make_document(world, world.commune, publish=False, title="Dự thảo")
    committee = make_document(
        world, world.commune, title="Nội bộ cấp ủy", audience_level=AudienceLevel.COMMITTEE
    )
    withdrawn = make_document(world, world.commune, title="Đã thu hồi")
    services.withdraw(actor=world.admin, document=withdrawn, reason="Ban hành nhầm đối tượng")
    for document, words in (
        (draft, "đã ban hành"),
        (withdrawn, "đã ban hành"),
        (committee, "cấp ủy"),
    ):
        with pytest.raises(ServiceError) as exc:
            services.require_reading(
                actor=world.office, document=document, organization=world.commune, due_on=soon()
            )
        assert exc.value.field == "document" and words in exc.value.message
    assert not RequiredReading.objects.exists()


def test_dropping_needs_the_publishers_scope(world, doc):
    req = services.require_reading(
        actor=world.admin, document=doc, organization=world.commune, due_on=soon()
    )
    with pytest.raises(PermissionDenied):
        services.drop_requirement(actor=world.secretary, requirement=req)
    services.drop_requirement(actor=world.office, requirement=req)
    assert not RequiredReading.objects.exists()
    assert AuditEntry.objects.filter(action="documents.requirement_dropped").exists()


# ----- the member's list -------------------------------------------------------------


def test_required_list_is_soonest_first_once_each_and_only_for_the_users_branch(world, doc):
    later = make_document(world, world.province, title="Chỉ thị sau")
    sibling_only = make_document(world, world.commune, title="Chỉ cho Khu phố 2")
    for document, org, days in (
        (later, world.commune, 30),
        (doc, world.commune, 20),
        (doc, world.branch, 5),  # the same document required twice: the sooner date wins
        (sibling_only, world.sibling, 1),
    ):
        services.require_reading(
            actor=world.admin, document=document, organization=org, due_on=soon(days)
        )
    rows = required_for(world.member)
    assert [(r.document, r.due_on) for r in rows] == [(doc, soon(5)), (later, soon(30))]
    assert [r.document for r in required_for(world.outsider)] == [sibling_only, doc, later]
    assert required_for(world.admin) == []  # no member record, no branch
    assert required_for(world.pending) == []


def test_a_read_document_leaves_the_list_and_so_does_a_withdrawn_one(world, doc):
    other = make_document(world, world.province, title="Kết luận khác")
    for document in (doc, other):
        services.require_reading(
            actor=world.admin, document=document, organization=world.branch, due_on=soon()
        )
    _read(world.member, doc)
    assert [r.document for r in required_for(world.member)] == [other]
    assert [r.document for r in required_for(world.probationary)] == [doc, other]
    services.withdraw(actor=world.admin, document=other, reason="Thay bằng văn bản mới")
    assert required_for(world.member) == []


def test_the_required_list_is_one_query(world, doc, django_assert_num_queries):
    services.require_reading(
        actor=world.admin, document=doc, organization=world.branch, due_on=soon()
    )
    grants_for(world.member)  # computed once per request by then
    with django_assert_num_queries(1):
        assert len(required_for(world.member)) == 1


def test_the_library_shows_required_documents_first_with_the_due_date(world, doc, login):
    plain = make_document(world, world.province, title="Thông báo thường")
    services.require_reading(
        actor=world.admin, document=doc, organization=world.commune, due_on=soon(8)
    )
    client = login(world.member)
    html = client.get(reverse("documents:library")).content.decode()
    assert "Văn bản cần đọc" in html
    assert f"Hạn đọc: {soon(8):%d/%m/%Y}" in html
    assert html.index(doc.title) < html.index(plain.title)
    assert "Quá hạn" not in html
    RequiredReading.objects.update(due_on=soon(-3))
    html = client.get(reverse("documents:library")).content.decode()
    assert "Quá hạn" in html and 'class="doc-meta overdue"' in html
    # Opening it is the read receipt: the section goes away.
    client.get(reverse("documents:detail", args=[doc.pk]))
    html = client.get(reverse("documents:library")).content.decode()
    assert "Văn bản cần đọc" not in html
    # Searches and the "Đọc sau" tab do not repeat the section.
    services.require_reading(
        actor=world.admin, document=plain, organization=world.branch, due_on=soon()
    )
    assert "Văn bản cần đọc" in client.get(reverse("documents:library")).content.decode()
    assert (
        "Văn bản cần đọc"
        not in client.get(reverse("documents:library") + "?q=thong").content.decode()
    )
    assert (
        "Văn bản cần đọc"
        not in client.get(reverse("documents:library") + "?saved=1").content.decode()
    )


# ----- coverage ----------------------------------------------------------------------


@pytest.fixture
def readers(world, doc):
    """Who must read in C1 (active accounts of dự bị / chính thức members):
    B1 member, probationary, secretary (+ Mai, read); B2 commune officer, office, outsider.
    Not counted: B1's pending registrant, a member without account, an exempt member,
    a disabled account, and the admin (no member record), who read too."""
    mai = make_user(make_member(world.branch, "Ngô Thị Mai"))
    no_account = make_member(world.branch, "Lý Văn Nam")
    exempt = make_user(make_member(world.sibling, "Tạ Văn Ơn", status=MemberStatus.EXEMPT))
    disabled = make_user(make_member(world.sibling, "Mạc Văn Phú"), status=AccountStatus.DISABLED)
    for user in (world.member, world.secretary, mai, world.outsider, exempt, world.admin):
        _read(user, doc)
    DocumentRead.objects.create(user=disabled, document=doc)
    services.require_reading(
        actor=world.office, document=doc, organization=world.commune, due_on=soon()
    )
    return {"mai": mai, "no_account": no_account}


def test_coverage_counts_per_branch_at_the_commune(world, doc, readers):
    cov = reading_coverage(doc, world.commune, names=True)
    rows = {r.org.code: (r.must, r.read, r.not_read, str(r.percent)) for r in cov.rows}
    assert rows == {"B1": (4, 3, 1, "75.00"), "B2": (3, 1, 2, "33.33")}
    assert (cov.total.must, cov.total.read, cov.people) == (7, 4, None)


def test_coverage_at_the_province_rolls_communes_up(world, doc, readers):
    cov = reading_coverage(doc, world.province, names=True)
    rows = {r.org.code: (r.must, r.read) for r in cov.rows}
    assert rows == {"C1": (7, 4), "C2": (2, 0)}
    assert (cov.total.must, cov.total.read) == (9, 4)


def test_a_big_subtree_is_counted_in_one_pass_and_kept_five_minutes(
    world, doc, readers, monkeypatch, django_assert_num_queries
):
    from sotay.documents import queries

    live = {
        r.org.code: (r.must, r.read) for r in reading_coverage(doc, world.province, names=True).rows
    }
    monkeypatch.setattr(queries, "BIG_SUBTREE", 1)
    big = reading_coverage(doc, world.province, names=True)
    assert {r.org.code: (r.must, r.read) for r in big.rows} == live == {"C1": (7, 4), "C2": (2, 0)}
    assert big.counted_at is None  # counted now
    _read(world.probationary, doc)
    with django_assert_num_queries(1):  # the children's names; the counts come from the cache
        cached = reading_coverage(doc, world.province, names=True)
    assert cached.total.read == 4 and cached.counted_at is not None


def test_coverage_at_a_branch_lists_names_read_first_with_the_date(world, doc, readers):
    cov = reading_coverage(doc, world.branch, names=True)
    assert (cov.total.must, cov.total.read) == (4, 3)
    names = [(p.name, p.read_at is not None) for p in cov.people]
    # Vietnamese order (given name first): An, Cường, Mai read; Bình not yet.
    assert names == [
        ("Nguyễn Văn An", True),
        ("Lê Đức Cường", True),
        ("Ngô Thị Mai", True),
        ("Trần Thị Bình", False),
    ]
    hidden = reading_coverage(doc, world.branch, names=False)
    assert hidden.people is None and (hidden.total.must, hidden.total.read) == (4, 3)


def test_the_secretary_drills_down_to_the_branch_and_sees_names(world, doc, readers, login):
    client = login(world.secretary)
    url = reverse("documents:coverage", args=[doc.pk])
    response = client.get(url)  # default: the secretary's own branch inside the requirement
    assert response.status_code == 200
    html = response.content.decode()
    assert "Chi bộ Khu phố 1" in html and "Ngô Thị Mai" in html and "Chưa đọc" in html
    assert f"Hạn đọc: {soon():%d/%m/%Y}" in html
    assert client.get(url, {"org": world.branch.pk}).status_code == 200
    assert client.get(url, {"org": world.commune.pk}).status_code == 404
    assert client.get(url, {"org": world.sibling.pk}).status_code == 404
    assert client.get(url, {"org": world.other_province.pk}).status_code == 404
    assert client.get(url, {"org": "x"}).status_code == 404


def test_the_office_sees_the_commune_then_drills_down(world, doc, readers, login):
    client = login(world.office)
    url = reverse("documents:coverage", args=[doc.pk])
    html = client.get(url).content.decode()
    assert "Đảng bộ phường An Hòa" in html and f"?org={world.branch.pk}" in html
    assert "75,00 %" in html and "33,33 %" in html
    html = client.get(url, {"org": world.branch.pk}).content.decode()
    assert "Nguyễn Văn An" in html
    assert client.get(url, {"org": world.commune2.pk}).status_code == 404


@pytest.mark.parametrize(
    "persona,expected",
    [("member", 403), ("probationary", 403), ("outsider", 403), ("commune_officer", 200),
     ("inspector", 200), ("admin", 200)],
)  # fmt: skip
def test_who_may_open_the_branch_names(world, doc, readers, login, persona, expected):
    url = reverse("documents:coverage", args=[doc.pk]) + f"?org={world.branch.pk}"
    response = login(world.persona(persona)).get(url)
    assert response.status_code == expected
    if expected == 200:
        assert "Ngô Thị Mai" in response.content.decode()


def test_a_document_the_user_cannot_see_is_404(world, login):
    b3_doc = make_document(world, world.branch3, title="Của Thôn Đông")
    url = reverse("documents:coverage", args=[b3_doc.pk])
    assert login(world.secretary).get(url).status_code == 404
    assert login(world.member).get(url).status_code == 404


def test_the_coverage_page_query_count_does_not_grow_with_branches(
    world, doc, readers, login, django_assert_max_num_queries
):
    client = login(world.office)
    url = reverse("documents:coverage", args=[doc.pk])
    client.get(url)  # warm the grants cache
    with django_assert_max_num_queries(11):
        assert client.get(url).status_code == 200
    for i in range(6):
        branch = world.commune.create_child(
            code=f"B1{i}", name=f"Chi bộ mới {i}", org_type="chi_bo_co_so"
        )
        for j in range(3):
            user = make_user(make_member(branch, f"Đảng viên {i}-{j}"))
            if j:
                _read(user, doc)
    with django_assert_max_num_queries(11):
        html = client.get(url).content.decode()
    assert "Chi bộ mới 5" in html
    with django_assert_max_num_queries(11):
        assert client.get(url, {"org": world.branch.pk}).status_code == 200


# ----- reader panel and forms ---------------------------------------------------------


def test_the_publisher_marks_from_the_reader(world, doc, login):
    client = login(world.office)
    detail = reverse("documents:detail", args=[doc.pk])
    html = client.get(detail).content.decode()
    assert "Yêu cầu đọc" in html and 'value="C1"' in html  # the office's own commune
    post = reverse("documents:require", args=[doc.pk])
    response = client.post(post, {"organization_code": "b1", "due_on": soon().isoformat()})
    assert response.status_code == 302
    req = RequiredReading.objects.get()
    assert (req.organization, req.due_on) == (world.branch, soon())
    html = client.get(detail).content.decode()
    assert "Chi bộ Khu phố 1" in html and "Bỏ yêu cầu" in html


@pytest.mark.parametrize(
    "data,message",
    [
        ({"organization_code": "C2", "due_on": "2099-01-01"}, "ngoài phạm vi"),
        ({"organization_code": "C1", "due_on": "2001-01-01"}, "Hạn đọc: không được là ngày đã qua"),
        ({"organization_code": "C1", "due_on": "hôm qua"}, "Hạn đọc: ngày không hợp lệ"),
        ({"organization_code": "C1"}, "Hạn đọc: hãy chọn ngày"),
    ],
)
def test_bad_input_is_refused_in_vietnamese(world, doc, login, data, message):
    client = login(world.office)
    response = client.post(reverse("documents:require", args=[doc.pk]), data, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RequiredReading.objects.exists()


def test_plain_members_see_no_panel_and_may_not_post(world, doc, login):
    client = login(world.member)
    assert (
        "Yêu cầu đọc" not in client.get(reverse("documents:detail", args=[doc.pk])).content.decode()
    )
    response = client.post(
        reverse("documents:require", args=[doc.pk]),
        {"organization_code": "B1", "due_on": soon().isoformat()},
    )
    assert response.status_code == 403
    assert not RequiredReading.objects.exists()


def test_the_drop_button_removes_the_requirement(world, doc, login):
    req = services.require_reading(
        actor=world.office, document=doc, organization=world.branch, due_on=soon()
    )
    url = reverse("documents:drop_requirement", args=[doc.pk, req.pk])
    assert login(world.secretary).post(url).status_code == 403  # sees it, may not drop
    assert RequiredReading.objects.exists()
    assert login(world.office).post(url).status_code == 302
    assert not RequiredReading.objects.exists()


# ----- API ---------------------------------------------------------------------------


def _api(user, method, path, body=None):
    _, token = create_api_token(user=user, name="test", ip="127.0.0.1")
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if body is not None:
        return getattr(client, method)(
            f"{API}{path}", body, content_type="application/json", **headers
        )
    return getattr(client, method)(f"{API}{path}", **headers)


def test_the_api_marks_and_refuses_like_the_page(world, doc):
    path = f"/documents/{doc.pk}/required"
    ok = _api(world.office, "post", path, {"organization": world.commune.pk, "due_on": str(soon())})
    assert ok.status_code == 201
    assert ok.json()["organization"]["code"] == "C1" and ok.json()["due_on"] == str(soon())
    past = _api(
        world.office, "post", path, {"organization": world.branch.pk, "due_on": "2001-01-01"}
    )
    assert past.status_code == 400 and past.json()["field"] == "due_on"
    assert (
        _api(
            world.office, "post", path, {"organization": world.commune2.pk, "due_on": str(soon())}
        ).status_code
        == 404  # outside the office's scope: as if missing
    )
    assert (
        _api(
            world.member, "post", path, {"organization": world.branch.pk, "due_on": str(soon())}
        ).status_code
        == 403
    )
    assert (
        _api(
            world.office,
            "post",
            path,
            {"organization": world.other_province.pk, "due_on": str(soon())},
        ).status_code
        == 404
    )
    assert _api(world.office, "post", path, {"organization": world.branch.pk}).status_code == 422
    assert RequiredReading.objects.count() == 1


def test_the_api_coverage_counts_and_names(world, doc, readers):
    path = f"/documents/{doc.pk}/coverage"
    body = _api(world.office, "get", path).json()
    assert body["organization"]["code"] == "C1" and body["requirement"]["due_on"] == str(soon())
    assert {c["organization"]["code"]: (c["must"], c["read"]) for c in body["children"]} == {
        "B1": (4, 3),
        "B2": (3, 1),
    }
    assert body["total"]["percent"] == pytest.approx(57.14) and body["people"] is None
    branch = _api(world.secretary, "get", f"{path}?org={world.branch.pk}").json()
    assert [p["name"] for p in branch["people"]][-1:] == ["Trần Thị Bình"]
    assert branch["people"][0]["read_at"] and branch["people"][-1]["read_at"] is None
    assert _api(world.member, "get", path).status_code == 403
    assert _api(world.secretary, "get", f"{path}?org={world.commune.pk}").status_code == 404
    b3_doc = make_document(world, world.branch3, title="Của Thôn Đông")
    assert _api(world.secretary, "get", f"/documents/{b3_doc.pk}/coverage").status_code == 404
