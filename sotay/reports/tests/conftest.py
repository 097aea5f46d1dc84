"""A small subtree whose statistics were counted by hand (see test_queries.py).

    R  Đảng bộ Thống Kê (province)
    └── K  Đảng ủy xã Thử Nghiệm (commune)            ← J attached directly here
        ├── X  Chi bộ Xóm 1   A B C D (on the roll), E removed, F deceased
        ├── Y  Chi bộ Xóm 2   G H I (on the roll), K2 expelled
        ├── Z  Chi bộ Xóm 3   (no members)
        └── W  Chi bộ Xóm cũ  (closed, no members: not listed)

All ages and party ages are taken on TODAY = 01/07/2025, several exactly on a band's
edge (B turns 30, C 70, G 40 and I 60 that day; C's party age is exactly 50 years).
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from sotay.accounts.models import AccountStatus, Role, RoleGrant
from sotay.core.testing import make_member, make_user
from sotay.members.models import MemberStatus as S
from sotay.members.models import Sex
from sotay.organizations.models import Organization, OrgType

TODAY = dt.date(2025, 7, 1)
D = dt.date


@dataclass
class StatsTree:
    root: Organization
    commune: Organization
    x: Organization
    y: Organization
    z: Organization
    w: Organization
    officer: object  # an office account on the commune (reports.view)


def _member(org, name, sex, birth, status, ethnicity, religion, edu, theory, joined, **extra):
    return make_member(
        org, name, sex=sex, birth=birth, status=status, ethnicity=ethnicity, religion=religion,
        education=edu, political_theory=theory, joined_on=joined, **extra,
    )  # fmt: skip


def _account(member, status=AccountStatus.ACTIVE, signed_in=True):
    last = timezone.make_aware(dt.datetime(2025, 6, 1, 9, 0)) if signed_in else None
    return make_user(member, status=status, last_login=last)


@pytest.fixture
def stats_tree(db) -> StatsTree:
    root = Organization.create_root(code="R", name="Đảng bộ Thống Kê", org_type=OrgType.PROVINCE)
    k = root.create_child(code="K", name="Đảng ủy xã Thử Nghiệm", org_type=OrgType.ABOVE_GRASSROOTS)
    x = k.create_child(code="X", name="Chi bộ Xóm 1", org_type=OrgType.GRASSROOTS_BRANCH)
    y = k.create_child(code="Y", name="Chi bộ Xóm 2", org_type=OrgType.GRASSROOTS_BRANCH)
    z = k.create_child(code="Z", name="Chi bộ Xóm 3", org_type=OrgType.GRASSROOTS_BRANCH)
    w = k.create_child(code="W", name="Chi bộ Xóm cũ", org_type=OrgType.GRASSROOTS_BRANCH)
    Organization.objects.filter(pk=w.pk).update(valid_to=D(2025, 1, 1))
    k = Organization.objects.get(pk=k.pk)
    M, F = Sex.MALE, Sex.FEMALE

    a = _member(
        x, "Anh A", M, D(1995, 7, 2), S.FULL, "Kinh", "", "dai_hoc", "so_cap", D(2020, 7, 1)
    )
    b = _member(
        x,
        "Bình B",
        F,
        D(1995, 7, 1),
        S.PROBATIONARY,
        "Tày",
        "Phật giáo",
        "thac_si",
        "trung_cap",
        D(2025, 1, 1),
        admission_decided_on=D(2024, 12, 20),
    )
    c = _member(
        x, "Cường C", M, D(1955, 7, 1), S.FULL, "Kinh", "phật  giáo ", "", "cao_cap", D(1975, 7, 1)
    )
    d = _member(
        x,
        "Dung D",
        F,
        D(1954, 6, 30),
        S.EXEMPT,
        "Kinh",
        "Không",
        "cao_dang",
        "",
        D(1985, 7, 2),
        admission_decided_on=D(1985, 7, 1),
    )
    e = _member(
        x, "Em E", M, D(1980, 1, 1), S.REMOVED, "", "Công giáo", "dai_hoc", "so_cap", D(2001, 1, 1)
    )
    _member(x, "Phúc F", M, D(1990, 1, 1), S.DECEASED, "Kinh", "", "", "", D(2012, 1, 1))
    g = _member(y, "Giang G", F, D(1985, 7, 1), S.FULL, "Kinh", "", "tien_si", "cu_nhan", None)
    _member(  # H: no account
        y, "Hùng H", M, D(1975, 7, 2), S.FULL, "Mường", "", "so_cap_nghe", "so_cap", D(2005, 7, 2)
    )
    i = _member(
        y,
        "Hoa I",
        F,
        D(1965, 7, 1),
        S.PROBATIONARY,
        "Kinh",
        "",
        "dai_hoc",
        "trung_cap",
        D(2024, 7, 1),
    )
    _member(y, "Khải K2", M, D(1970, 1, 1), S.EXPELLED, "Kinh", "", "", "", D(1999, 1, 1))
    j = _member(k, "Long J", M, D(1960, 1, 1), S.FULL, "", "", "dai_hoc", "cao_cap", D(1995, 7, 1))

    _account(a)
    _account(b, AccountStatus.PENDING, signed_in=False)
    _account(c, signed_in=False)  # active but never signed in
    _account(d, AccountStatus.DISABLED)
    _account(e)  # off the roll: not counted
    _account(g, AccountStatus.REJECTED, signed_in=False)
    _account(i)
    _account(j)

    office_m = make_member(
        Organization.create_root(code="S", name="Nơi khác", org_type=OrgType.PROVINCE),
        "Cán bộ Văn phòng",
    )
    officer = make_user(office_m)
    RoleGrant.objects.create(
        user=officer, organization=k, role=Role.OFFICE, starts_on=D(2020, 1, 1)
    )
    return StatsTree(root, k, x, y, z, w, officer)
