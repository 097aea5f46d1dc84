from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F

from sotay.accounts.models import User
from sotay.members.models import Member
from sotay.organizations.models import BRANCH_TYPES, Organization

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="seed_scale loads with COPY on PostgreSQL"
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_small_scale_load_builds_a_consistent_tree():
    call_command("seed_scale", members=3000, branches=100, stdout=StringIO())
    assert Member.objects.count() == 3000
    assert Organization.objects.filter(org_type__in=BRANCH_TYPES).count() == 100
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    assert not Member.objects.exclude(org_path=F("organization__path")).exists()
    assert Member.objects.values("card_number").distinct().count() == 3000
    assert (
        User.objects.filter(username__in=["bench_city", "bench_commune", "bench_member"]).count()
        == 3
    )
    # Statistics need realistic sheets and an account for nearly every member.
    assert 0.96 * 3000 < User.objects.filter(member__isnull=False).count() < 0.995 * 3000
    assert Member.objects.filter(ethnicity="Kinh").count() > 0.9 * 3000
    assert Member.objects.exclude(education="").count() > 0.5 * 3000


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the refusal is for other databases")
@pytest.mark.django_db
def test_it_refuses_to_run_on_sqlite():
    with pytest.raises(CommandError):
        call_command("seed_scale", members=10, branches=2, stdout=StringIO())
