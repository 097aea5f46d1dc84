"""Who reads which document: the audience subtree, the audience level and the state."""

import pytest
from django.http import Http404

from sotay.core.testing import PERSONAS
from sotay.documents import services
from sotay.documents.access import get_document_for_user
from sotay.documents.models import AudienceLevel, Document
from sotay.documents.queries import documents_visible_to, may_open
from sotay.documents.testing import make_document

pytestmark = pytest.mark.django_db


def _visible(user):
    return set(documents_visible_to(user).values_list("title", flat=True))


@pytest.fixture
def library(world):
    make_document(world, world.province, title="Tỉnh")
    make_document(world, world.commune, title="Phường An Hòa")
    make_document(world, world.branch, title="Chi bộ 1")
    make_document(world, world.sibling, title="Chi bộ 2")
    make_document(world, world.commune2, title="Xã Bình Minh")
    make_document(world, world.other_province, title="Tỉnh khác")
    make_document(
        world, world.commune, title="Cấp ủy phường", audience_level=AudienceLevel.COMMITTEE
    )
    make_document(
        world, world.province, title="Cấp ủy tỉnh", audience_level=AudienceLevel.COMMITTEE
    )
    make_document(world, world.branch, title="Nháp chi bộ 1", publish=False)
    withdrawn = make_document(world, world.branch, title="Thu hồi chi bộ 1")
    services.withdraw(actor=world.admin, document=withdrawn, reason="Ban hành nhầm")
    return world


def test_a_member_reads_their_branch_and_every_level_above(library):
    assert _visible(library.member) == {"Tỉnh", "Phường An Hòa", "Chi bộ 1"}
    assert _visible(library.probationary) == {"Tỉnh", "Phường An Hòa", "Chi bộ 1"}


def test_a_branch_never_sees_a_sibling_subtree(library):
    assert "Chi bộ 2" not in _visible(library.member)
    assert _visible(library.outsider) == {"Tỉnh", "Phường An Hòa", "Chi bộ 2"}
    with pytest.raises(Http404):
        get_document_for_user(library.outsider, _pk("Chi bộ 1"))


def test_committee_only_documents_are_hidden_from_plain_members(library):
    for persona in ("member", "probationary", "outsider"):
        assert not {"Cấp ủy phường", "Cấp ủy tỉnh"} & _visible(library.persona(persona))
        with pytest.raises(Http404):
            get_document_for_user(library.persona(persona), _pk("Cấp ủy phường"))


def test_committee_members_read_committee_documents_above_and_below(library):
    # The branch secretary sits below both committees.
    assert {"Cấp ủy phường", "Cấp ủy tỉnh"} <= _visible(library.secretary)
    # A commune committee member reads the commune's branches too, not the other commune.
    officer = _visible(library.commune_officer)
    assert {"Cấp ủy phường", "Cấp ủy tỉnh", "Chi bộ 1", "Chi bộ 2"} <= officer
    assert "Xã Bình Minh" not in officer
    # The province standing committee reads its whole province, never another one.
    province = _visible(library.province_officer)
    assert {"Xã Bình Minh", "Chi bộ 1", "Cấp ủy phường"} <= province
    assert "Tỉnh khác" not in province


def test_drafts_and_withdrawn_documents_are_for_editors_only(library):
    for persona in ("member", "secretary", "commune_officer", "province_officer", "inspector"):
        seen = _visible(library.persona(persona))
        assert not {"Nháp chi bộ 1", "Thu hồi chi bộ 1"} & seen, persona
    assert {"Nháp chi bộ 1", "Thu hồi chi bộ 1"} <= _visible(library.office)
    assert "Tỉnh khác" in _visible(library.admin)


def test_accounts_without_a_role_see_nothing(library):
    assert _visible(library.pending) == set()


def _pk(title):
    from sotay.documents.models import Document

    return Document.objects.get(title=title).pk


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_in_memory_rule_is_the_sql_rule_for_every_persona_and_document(library, persona):
    """The reader decides on a cached document with `may_open`; it must say exactly what
    `documents_visible_to` says, for every state, level and place in the tree."""
    user = library.persona(persona)
    visible = set(documents_visible_to(user).values_list("pk", flat=True))
    documents = list(Document.objects.all())
    assert len(documents) == 10
    decided = {d.pk for d in documents if may_open(user, d.path, d.audience_level, d.state)}
    assert decided == visible
