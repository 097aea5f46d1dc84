"""A small tree and the personas every screen and endpoint test uses (DESIGN §4).

    P   Đảng bộ Thành phố Thử nghiệm (province)          ← province officer (UV BTV seat)
    ├── C1  Đảng bộ phường An Hòa (commune)               ← commune officer (cấp ủy viên), office grant
    │   ├── B1  Chi bộ Khu phố 1   ← member, probationary, secretary (Bí thư), pending registrant
    │   └── B2  Chi bộ Khu phố 2   ← outsider (sibling branch)
    └── C2  Đảng bộ xã Bình Minh (commune)
        └── B3  Chi bộ Thôn Đông
    Q   Đảng bộ Tỉnh Khác (another province)

Every persona signs in with PASSWORD. `admin` is a superuser with no member record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sotay.accounts.models import AccountStatus, Role, RoleGrant, User
from sotay.core.dates import add_months
from sotay.members.models import Member, MemberStatus, Sex
from sotay.organizations.models import Organization, OrgType, Position, Seat

PASSWORD = "Matkhau@2026"  # noqa: S105 - test fixture


@dataclass
class World:
    province: Organization
    commune: Organization
    commune2: Organization
    branch: Organization
    sibling: Organization
    branch3: Organization
    other_province: Organization
    member: User
    probationary: User
    secretary: User
    commune_officer: User
    province_officer: User
    office: User
    inspector: User
    outsider: User
    pending: User
    admin: User

    def persona(self, name: str) -> User:
        return getattr(self, name)


PERSONAS = (
    "member", "probationary", "secretary", "commune_officer", "province_officer",
    "office", "inspector", "outsider", "pending", "admin",
)  # fmt: skip

_counter = {"n": 0}


def make_member(
    org: Organization,
    name: str,
    *,
    status=MemberStatus.FULL,
    sex=Sex.MALE,
    birth=dt.date(1970, 5, 19),
    **extra,
) -> Member:
    _counter["n"] += 1
    n = _counter["n"]
    fields = {
        "full_name": name,
        "birth_date": birth,
        "sex": sex,
        "phone": f"09{n:08d}",
        "card_number": f"{80000000 + n}",
        "cccd": f"{1000000000 + n:012d}",
        "status": status,
        # Admitted in 2000, or at 18 for anyone younger.
        "joined_on": max(dt.date(2000, 1, 1), add_months(birth, 18 * 12)),
        "organization": org,
    }
    fields.update(extra)
    return Member.objects.create(**fields)


def make_user(
    member: Member | None, *, username: str | None = None, status=AccountStatus.ACTIVE, **extra
) -> User:
    user = User(
        username=username or member.phone,
        phone=member.phone if member else None,
        full_name=member.full_name if member else (username or "Quản trị"),
        member=member,
        status=status,
        **extra,
    )
    user.set_password(PASSWORD)
    user.save()
    return user


def build_world() -> World:
    today = dt.date.today()
    start = today - dt.timedelta(days=365)
    p = Organization.create_root(
        code="P", name="Đảng bộ Thành phố Thử nghiệm", org_type=OrgType.PROVINCE
    )
    c1 = p.create_child(code="C1", name="Đảng bộ phường An Hòa", org_type=OrgType.ABOVE_GRASSROOTS)
    c2 = p.create_child(code="C2", name="Đảng bộ xã Bình Minh", org_type=OrgType.ABOVE_GRASSROOTS)
    c1.create_child(code="B1", name="Chi bộ Khu phố 1", org_type=OrgType.GRASSROOTS_BRANCH)
    c1.create_child(code="B2", name="Chi bộ Khu phố 2", org_type=OrgType.GRASSROOTS_BRANCH)
    c2.create_child(code="B3", name="Chi bộ Thôn Đông", org_type=OrgType.GRASSROOTS_BRANCH)
    Organization.create_root(code="Q", name="Đảng bộ Tỉnh Khác", org_type=OrgType.PROVINCE)
    orgs = {o.code: o for o in Organization.objects.all()}
    p, c1, c2, b1, b2, b3, q = (orgs[k] for k in ("P", "C1", "C2", "B1", "B2", "B3", "Q"))

    member = make_user(make_member(b1, "Nguyễn Văn An"))
    probationary = make_user(
        make_member(
            b1,
            "Trần Thị Bình",
            status=MemberStatus.PROBATIONARY,
            sex=Sex.FEMALE,
            birth=dt.date(1998, 3, 8),
        )
    )
    sec_m = make_member(b1, "Lê Đức Cường")
    secretary = make_user(sec_m)
    Seat.objects.create(organization=b1, member=sec_m, position=Position.SECRETARY, starts_on=start)
    co_m = make_member(b2, "Phạm Thị Dung", sex=Sex.FEMALE)
    commune_officer = make_user(co_m)
    Seat.objects.create(
        organization=c1, member=co_m, position=Position.COMMITTEE_MEMBER, starts_on=start
    )
    po_m = make_member(b3, "Hoàng Văn Em")
    province_officer = make_user(po_m)
    Seat.objects.create(
        organization=p, member=po_m, position=Position.STANDING_MEMBER, starts_on=start
    )
    office = make_user(make_member(b2, "Vũ Thị Giang", sex=Sex.FEMALE))
    RoleGrant.objects.create(user=office, organization=c1, role=Role.OFFICE, starts_on=start)
    ins_m = make_member(b3, "Đặng Văn Hùng")
    inspector = make_user(ins_m)
    Seat.objects.create(
        organization=p, member=ins_m, position=Position.INSPECTION_MEMBER, starts_on=start
    )
    outsider = make_user(make_member(b2, "Bùi Văn Khánh"))
    pending = make_user(make_member(b1, "Đỗ Thị Lan", sex=Sex.FEMALE), status=AccountStatus.PENDING)
    admin = User.objects.create_superuser("admin", PASSWORD, full_name="Quản trị hệ thống")
    return World(p, c1, c2, b1, b2, b3, q, member, probationary, secretary, commune_officer, province_officer,
                 office, inspector, outsider, pending, admin)  # fmt: skip
