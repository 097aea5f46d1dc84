"""Every page × every persona × an in-scope and an out-of-scope object.

Reads outside a user's scope answer 404 (missing and forbidden look the same); a page the
user may see but whose action they lack answers 403; a pending account is sent to the
waiting page whatever it asks for.
"""

import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from sotay.core.testing import PERSONAS, make_member
from sotay.documents.testing import library_for_matrix
from sotay.handbook.testing import handbook_for_matrix
from sotay.learning.testing import MATRIX_PLACEHOLDERS, learning_for_matrix
from sotay.meetings.testing import meetings_for_matrix
from sotay.news import services as news_services
from sotay.news.testing import image_bytes, posts_for_matrix

pytestmark = pytest.mark.django_db

ALL_OK = dict.fromkeys(PERSONAS, 200)


def expect(default, **overrides):
    table = dict.fromkeys(PERSONAS, default)
    table.update(overrides)
    return table


# (url name, which object, expected status per persona). "pending" is handled below.
CASES = [
    ("core:home", None, ALL_OK),
    ("documents:library", None, ALL_OK),
    ("documents:bookmarks", None, ALL_OK),  # "Văn bản đọc sau": one's own bookmarks
    # Documents: a published one for branch B1, a committee-only one and a draft for C1.
    ("documents:detail", "doc_branch", expect(200, outsider=404)),
    (
        "documents:detail",
        "doc_committee",
        expect(
            404,
            secretary=200,
            commune_officer=200,
            province_officer=200,
            office=200,
            inspector=200,
            admin=200,
        ),
    ),
    ("documents:detail", "doc_draft", expect(404, office=200, admin=200)),
    ("documents:create", None, expect(403, office=200, admin=200)),
    ("documents:edit", "doc_draft", expect(404, office=200, admin=200)),
    ("documents:edit", "doc_branch", expect(403, outsider=404, office=302, admin=302)),
    # Reading coverage: content.publish or members.view over the organisation; plain
    # members see the document but not who read it (403).
    ("documents:coverage", "doc_branch", expect(200, member=403, probationary=403, outsider=404)),
    (
        "documents:coverage",
        "doc_committee",
        expect(200, member=404, probationary=404, outsider=404),
    ),
    # News: a post of the province P (everyone's ancestor, with a cover), one of the
    # sibling branch B2 and a draft of C1.
    ("news:list", None, ALL_OK),
    ("news:detail", "post_province", ALL_OK),
    ("news:cover", "post_province", ALL_OK),
    ("news:thumb", "post_province", ALL_OK),
    (
        "news:detail",
        "post_sibling",
        expect(404, commune_officer=200, office=200, outsider=200, admin=200),
    ),
    (
        "news:cover",
        "post_sibling",
        expect(404, commune_officer=200, office=200, outsider=200, admin=200),
    ),
    ("news:detail", "post_draft", expect(404, office=200, admin=200)),
    ("news:create", None, expect(403, office=200, admin=200)),
    ("news:edit", "post_draft", expect(404, office=200, admin=200)),
    ("news:edit", "post_province", expect(403, admin=200)),
    (
        "news:edit",
        "post_sibling",
        expect(404, commune_officer=403, outsider=403, office=200, admin=200),
    ),
    # Handbook: general guidance, read by everyone signed in; drafts and editing for
    # system administrators only (a page they may read but not edit: 403).
    ("handbook:index", None, ALL_OK),
    ("handbook:detail", "hb_page", ALL_OK),
    ("handbook:detail", "hb_draft", expect(404, admin=200)),
    ("handbook:create", None, expect(403, admin=200)),
    ("handbook:edit", "hb_page", expect(403, admin=200)),
    ("handbook:edit", "hb_draft", expect(404, admin=200)),
    ("accounts:profile", None, ALL_OK),
    ("accounts:api_tokens", None, ALL_OK),
    ("accounts:change_password", None, ALL_OK),
    ("notifications:list", None, ALL_OK),
    ("organizations:tree", None, ALL_OK),
    # Branch B1: in scope for its members, the commune above, the province and admin.
    ("organizations:detail", "branch", expect(200, outsider=404)),
    (
        "organizations:children",
        "commune",
        expect(
            404, commune_officer=200, province_officer=200, office=200, inspector=200, admin=200
        ),
    ),
    ("organizations:detail", "sibling", expect(200, member=404, probationary=404, secretary=404)),
    ("organizations:detail", "other_province", expect(404, admin=200)),
    ("organizations:manage", "branch", expect(403, outsider=404, office=200, admin=200)),
    ("organizations:manage", "other_province", expect(404, admin=200)),
    ("members:list", None, expect(200, member=403, probationary=403, outsider=403)),
    ("members:work_queues", None, expect(403, secretary=200, office=200, admin=200)),
    ("members:import", None, expect(403, secretary=200, office=200, admin=200)),
    ("organizations:import", None, expect(403, office=200, admin=200)),
    ("organizations:import_template", None, expect(403, office=200, admin=200)),
    ("members:import_template", None, expect(403, secretary=200, office=200, admin=200)),
    ("members:export", None, expect(403, office=200, admin=200)),
    ("members:detail", "member_record", expect(200, probationary=404, outsider=404)),
    ("members:detail", "foreign_record", expect(404, admin=200)),
    # The portrait follows the record (scoped_world gives both records a photo).
    ("members:photo", "member_record", expect(200, probationary=404, outsider=404)),
    ("members:photo", "foreign_record", expect(404, admin=200)),
    ("audit:list", None, expect(403, inspector=200, admin=200)),
    ("accounts:registrations", None, expect(403, secretary=200, office=200, admin=200)),
    (
        "accounts:branch_accounts",
        "branch",
        expect(403, outsider=404, secretary=200, office=200, admin=200),
    ),
    ("accounts:branch_accounts", "other_province", expect(404, admin=200)),
    (
        "accounts:grant_roles",
        "commune",
        expect(
            404, commune_officer=403, province_officer=403, inspector=403, office=200, admin=200
        ),
    ),
    (
        "notifications:send",
        "branch",
        expect(403, outsider=404, secretary=200, office=200, admin=200),
    ),
    ("notifications:send", "other_province", expect(404, admin=200)),
    # Statistics: reports.view (secretary, officer, office, inspector, admin) in scope.
    (
        "reports:index",
        None,
        expect(
            403,
            secretary=302,
            commune_officer=302,
            province_officer=302,
            office=302,
            inspector=302,
            admin=200,
        ),
    ),
    ("reports:organization", "branch", expect(200, member=403, probationary=403, outsider=404)),
    (
        "reports:organization",
        "commune",
        expect(
            404, commune_officer=200, province_officer=200, office=200, inspector=200, admin=200
        ),
    ),
    ("reports:organization", "other_province", expect(404, admin=200)),
    (
        "reports:organization_xlsx",
        "branch",
        expect(200, member=403, probationary=403, outsider=404),
    ),
    ("reports:organization_xlsx", "other_province", expect(404, admin=200)),
    # Learning: a published programme of branch B1 (committees above read it, the
    # office of C1 writes it), a draft of C1, the member's attempt, the member's page
    # for the branch secretary; reports need reports.view.
    ("learning:programmes", None, ALL_OK),
    ("learning:detail", "prog_branch", expect(200, outsider=404)),
    ("learning:lesson", "learn_lesson", expect(200, outsider=404)),
    ("learning:lesson_file", "learn_audio", expect(200, outsider=404)),
    ("learning:reflection", "prog_branch", expect(200, outsider=404)),
    ("learning:detail", "prog_draft", expect(404, office=200, admin=200)),
    ("learning:create", None, expect(403, office=200, admin=200)),
    ("learning:edit", "prog_branch", expect(403, outsider=404, office=200, admin=200)),
    ("learning:edit", "prog_draft", expect(404, office=200, admin=200)),
    ("learning:question_import", "prog_draft", expect(404, office=200, admin=200)),
    ("learning:question_template", "prog_draft", expect(404, office=200, admin=200)),
    ("learning:branch", "prog_branch", expect(403, outsider=404, secretary=200, admin=200)),
    ("learning:member", "learn_member", expect(404, secretary=200, admin=200)),
    ("learning:report", "prog_branch", expect(200, member=403, probationary=403, outsider=404)),
    (
        "learning:report_xlsx",
        "prog_branch",
        expect(200, member=403, probationary=403, outsider=404),
    ),
    ("learning:result", "learn_attempt", expect(404, member=200)),
    # Meetings of branch B1: an announced one (its members and the committees above
    # read it) and a draft (only who runs it); running it is the branch secretary's.
    ("meetings:index", None, ALL_OK),
    ("meetings:ics_feed", None, ALL_OK),
    ("meetings:schedule", None, expect(403, secretary=200, admin=200)),
    ("meetings:pattern", None, expect(403, secretary=200, admin=200)),
    ("meetings:detail", "meeting_announced", expect(200, outsider=404)),
    ("meetings:detail", "meeting_draft", expect(404, secretary=200, admin=200)),
    ("meetings:edit", "meeting_draft", expect(404, secretary=200, admin=200)),
    ("meetings:edit", "meeting_announced", expect(403, outsider=404, secretary=302, admin=302)),
    ("meetings:run", "meeting_announced", expect(403, outsider=404, secretary=200, admin=200)),
    ("meetings:check_in", "meeting_announced", expect(200, outsider=404)),
    ("meetings:ics", "meeting_announced", expect(200, outsider=404)),
    ("meetings:ics", "meeting_draft", expect(404)),
]


def _args(world, which):
    if which is None:
        return []
    if which == "member_record":
        return [world.member.member_id]
    if which == "foreign_record":
        return [world._foreign.pk]
    if which.startswith("post_"):
        return [world._posts[which].pk if hasattr(world, "_posts") else 1]
    if which.startswith("hb_"):
        return [world._handbook[which].slug if hasattr(world, "_handbook") else "trang"]
    if which.startswith("meeting_"):
        return [world._meetings[which].pk if hasattr(world, "_meetings") else 1]
    if which.startswith(("prog_", "learn_")):
        return getattr(world, "_learning", MATRIX_PLACEHOLDERS)[which]
    if which.startswith("doc_"):
        return [world._docs[which].pk if hasattr(world, "_docs") else 1]
    return [getattr(world, which).pk]


@pytest.fixture
def scoped_world(world, settings, tmp_path):
    world._foreign = make_member(world.other_province, "Người Ngoài Tỉnh")
    world._docs = library_for_matrix(world)
    world._handbook = handbook_for_matrix(world)
    settings.MEDIA_ROOT = str(tmp_path)
    settings.PRIVATE_ROOT = tmp_path
    world._posts = posts_for_matrix(world)
    world._learning = learning_for_matrix(world)
    world._meetings = meetings_for_matrix(world)
    for post in (world._posts["post_province"], world._posts["post_sibling"]):
        news_services.set_cover(actor=world.admin, post=post, data=_JPEG_COVER)
    for person in (world.member.member, world._foreign):
        person.photo.save("p.jpg", ContentFile(_JPEG))
    return world


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 160), "gray").save(out, "JPEG")
    return out.getvalue()


_JPEG = _jpeg()
_JPEG_COVER = image_bytes(size=(400, 300))


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_answers_by_scope(scoped_world, client, persona):
    world = scoped_world
    user = world.persona(persona)
    client.force_login(user, backend="sotay.accounts.backends.IdentifierBackend")
    failures = []
    for name, which, table in CASES:
        url = reverse(name, args=_args(world, which))
        response = client.get(url)
        expected = 302 if persona == "pending" else table[persona]
        if response.status_code != expected:
            failures.append(f"{url}: {response.status_code} != {expected}")
        if persona == "pending":
            assert response["Location"] == reverse("accounts:pending"), url
    assert not failures, f"{persona}: " + "; ".join(failures)


def test_anonymous_visitors_are_sent_to_sign_in(world, client):
    for name, which, _ in CASES:
        url = reverse(name, args=_args(world, which) if which not in ("foreign_record",) else [1])
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


def test_public_pages_need_no_sign_in(client):
    for name in (
        "accounts:login",
        "accounts:register",
        "accounts:redeem_code",
        # The installable app: no data in them (see sotay/core/tests/test_pwa.py).
        "core:manifest",
        "core:service_worker",
        "core:offline",
    ):
        assert client.get(reverse(name)).status_code == 200


def test_malformed_identifiers_answer_404(world, login):
    client = login(world.admin)
    assert client.get("/to-chuc/999999/").status_code == 404
    assert client.get("/dang-vien/999999/").status_code == 404
    assert client.get("/to-chuc/abc/").status_code == 404


# ----- documents API (token auth): the same scoping as the pages -----------------------
# (path template, which object, expected status per persona); a pending account gets 403.
API_CASES = [
    ("/documents", None, ALL_OK),
    ("/bookmarks", None, ALL_OK),
    ("/learning/programmes", None, ALL_OK),
    ("/learning/programmes/{}", "prog_branch", expect(200, outsider=404)),
    ("/learning/programmes/{}", "prog_draft", expect(404, office=200, admin=200)),
    (
        "/learning/programmes/{}/report",
        "prog_branch",
        expect(200, member=403, probationary=403, outsider=404),
    ),
    ("/learning/attempts/{}", "learn_attempt", expect(404, member=200)),
    ("/feed", None, ALL_OK),
    ("/documents/{}", "doc_branch", expect(200, outsider=404)),
    ("/documents/{}/receipt", "doc_branch", expect(200, outsider=404)),
    (
        "/documents/{}",
        "doc_committee",
        expect(
            404,
            secretary=200,
            commune_officer=200,
            province_officer=200,
            office=200,
            inspector=200,
            admin=200,
        ),
    ),
    ("/documents/{}", "doc_draft", expect(404, office=200, admin=200)),
    ("/documents/{}/receipt", "doc_draft", expect(404, office=200, admin=200)),
    ("/documents/{}/attachments/999999", "doc_branch", expect(404)),
]


@pytest.mark.parametrize("persona", PERSONAS)
def test_documents_api_answers_by_scope(scoped_world, client, persona):
    from sotay.accounts.services import create_api_token

    world = scoped_world
    _, token = create_api_token(user=world.persona(persona), name="matrix", ip="127.0.0.1")
    failures = []
    for template, which, table in API_CASES:
        url = "/api/v1" + template.format(*_args(world, which))
        response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
        expected = 403 if persona == "pending" else table[persona]
        if response.status_code != expected:
            failures.append(f"{url}: {response.status_code} != {expected}")
    assert not failures, f"{persona}: " + "; ".join(failures)
