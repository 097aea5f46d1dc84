"""With a shared cache, role grants are cached per user and every seat, grant or tree
change invalidates them for everyone."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from sotay.accounts import permissions
from sotay.accounts.models import User
from sotay.accounts.services import end_role_grant, grant_role
from sotay.organizations.services import assign_seat, end_seat, move_organization

pytestmark = pytest.mark.django_db(transaction=True)


def fresh(user):
    return User.objects.select_related("member").get(pk=user.pk)


@override_settings(SOTAY_SHARED_CACHE=True)
def test_grants_come_from_the_cache_until_something_changes(world):
    first = permissions.grants_for(fresh(world.member))
    with CaptureQueriesContext(connection) as ctx:
        again = permissions.grants_for(fresh(world.member))
    assert again == first
    assert not [q for q in ctx.captured_queries if "seat" in q["sql"] or "rolegrant" in q["sql"]]

    grant = grant_role(actor=world.office, user=world.member, org=world.branch, role="officer")
    assert permissions.can(fresh(world.member), permissions.MEMBERS_VIEW, world.branch)
    end_role_grant(actor=world.office, grant=grant)
    assert not permissions.can(fresh(world.member), permissions.MEMBERS_VIEW, world.branch)

    seat = assign_seat(
        actor=world.office, org=world.branch, member=world.member.member, position="pho_bi_thu"
    )
    assert permissions.can(fresh(world.member), permissions.ACCOUNTS_MANAGE, world.branch)
    end_seat(actor=world.office, seat=seat)
    assert not permissions.can(fresh(world.member), permissions.ACCOUNTS_MANAGE, world.branch)


@override_settings(SOTAY_SHARED_CACHE=True)
def test_a_tree_move_refreshes_cached_paths(world):
    officer = fresh(world.commune_officer)
    assert permissions.can(officer, permissions.MEMBERS_VIEW, world.branch)
    move_organization(actor=world.admin, org=world.branch, new_parent=world.commune2)
    from sotay.organizations.models import Organization

    moved = Organization.objects.get(pk=world.branch.pk)
    assert not permissions.can(fresh(world.commune_officer), permissions.MEMBERS_VIEW, moved)
    assert permissions.can(fresh(world.member), permissions.ORG_VIEW, moved)  # own branch, new path


@override_settings(SOTAY_SHARED_CACHE=False)
def test_without_a_shared_cache_nothing_is_cached(world):
    permissions.grants_for(fresh(world.member))
    with CaptureQueriesContext(connection) as ctx:
        permissions.grants_for(fresh(world.member))
    assert [q for q in ctx.captured_queries if "rolegrant" in q["sql"]]
