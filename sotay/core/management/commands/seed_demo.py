"""Load the demo data set: one province, communes, grassroots committees, ~30 branches,
~1,000 members, committee seats and one account per persona. Idempotent: a second run
only prints the logins."""

import datetime as dt
import random

from django.core.management.base import BaseCommand
from django.db import transaction

from sotay.accounts.models import AccountStatus, Role, RoleGrant, User
from sotay.core.management.commands.seed_scale import (
    EDUCATION,
    ETHNICITY,
    RELIGION,
    THEORY,
    sampler,
)
from sotay.core.management.commands.seed_scale import (
    RESIDENTIAL as RESIDENTIAL_KIND,
)
from sotay.core.names import random_name
from sotay.documents.demo import seed_documents
from sotay.handbook.demo import seed_handbook
from sotay.learning.demo import seed_learning
from sotay.meetings.demo import seed_meetings
from sotay.members.imports import opening
from sotay.members.models import EventKind, Member, MemberEvent, MemberStatus, Sex
from sotay.news.demo import seed_news
from sotay.organizations.models import Organization, OrgType, Position, Seat, Term

PASSWORD = "Demo@2026"  # noqa: S105 - published demo password
ROOT_CODE = "HN"

COMMUNES = [
    ("HN.HK", "Đảng bộ phường Hoàn Kiếm"),
    ("HN.BD", "Đảng bộ phường Ba Đình"),
    ("HN.CG", "Đảng bộ phường Cầu Giấy"),
    ("HN.DA", "Đảng bộ xã Đông Anh"),
]
RESIDENTIAL = [
    "Tổ dân phố số 1",
    "Tổ dân phố số 2",
    "Tổ dân phố số 3",
    "Khu dân cư Hàng Bạc",
    "Khu dân cư Hàng Đào",
]
GRASSROOTS = [
    "Trường Trung học phổ thông Chu Văn An",
    "Bệnh viện Đa khoa khu vực",
    "Công ty Điện lực",
    "Ủy ban nhân dân",
]


class Command(BaseCommand):
    help = (
        "Nạp bộ dữ liệu mẫu (1 thành phố, ~30 chi bộ, ~1.000 đảng viên) và in tài khoản dùng thử."
    )

    def handle(self, *args, **options):
        if Organization.objects.filter(code=ROOT_CODE).exists():
            self.stdout.write("Dữ liệu mẫu đã có sẵn.")
        else:
            with transaction.atomic():
                self._build()
            self.stdout.write(
                self.style.SUCCESS(
                    f"Đã nạp dữ liệu mẫu: {Member.objects.count()} đảng viên, {Organization.objects.count()} tổ chức."
                )
            )
        seed_documents()  # idempotent: adds the demo documents a database lacks
        seed_handbook()  # idempotent: adds the handbook pages a database lacks
        seed_news()  # idempotent: adds the demo news posts a database lacks
        seed_learning()  # idempotent: adds the demo study programme a database lacks
        seed_meetings()  # idempotent: a held meeting with approved minutes, the next one announced
        self._print_logins()

    def _build(self):
        rng = random.Random(2026)  # noqa: S311 - demo data
        today = dt.date.today()
        term_start = dt.date(2025, 10, 1)
        root = Organization.create_root(
            code=ROOT_CODE, name="Đảng bộ Thành phố Hà Nội (dữ liệu mẫu)", org_type=OrgType.PROVINCE
        )
        branches = []
        communes = []
        for ci, (code, name) in enumerate(COMMUNES):
            commune = root.create_child(code=code, name=name, org_type=OrgType.ABOVE_GRASSROOTS)
            communes.append(commune)
            for i, res in enumerate(RESIDENTIAL[: 4 + (ci % 2)]):
                branches.append(
                    commune.create_child(
                        code=f"{code}.CB{i + 1}",
                        name=f"Chi bộ {res}",
                        org_type=OrgType.GRASSROOTS_BRANCH,
                    )
                )
            g = commune.create_child(
                code=f"{code}.DB1", name=f"Đảng bộ {GRASSROOTS[ci]}", org_type=OrgType.GRASSROOTS
            )
            for j in range(3):
                branches.append(
                    g.create_child(
                        code=f"{code}.DB1.CB{j + 1}",
                        name=f"Chi bộ {['Hành chính', 'Chuyên môn', 'Hưu trí'][j]}",
                        org_type=OrgType.BRANCH,
                    )
                )
        orgs = {o.pk: o for o in Organization.objects.all()}
        branches = [orgs[b.pk] for b in branches]
        communes = [orgs[c.pk] for c in communes]
        root = orgs[root.pk]

        members = []
        n = 0
        for b in branches:
            for _ in range(rng.randint(30, 40)):
                n += 1
                female = rng.random() < 0.42
                birth = dt.date(rng.randint(1940, 2002), rng.randint(1, 12), rng.randint(1, 28))
                joined = dt.date(max(birth.year + 19, 1965), rng.randint(1, 12), rng.randint(1, 28))
                status = (
                    MemberStatus.PROBATIONARY
                    if joined > today - dt.timedelta(days=365) or rng.random() < 0.04
                    else MemberStatus.FULL
                )
                if rng.random() < 0.02:
                    status = MemberStatus.EXEMPT
                members.append(
                    Member(
                        full_name=random_name(rng, female), birth_date=birth, sex=Sex.FEMALE if female else Sex.MALE,
                        phone=f"09{n + 10000000:08d}", card_number=f"{50000000 + n}", cccd=f"001{n + 70000000:09d}",
                        status=status, joined_on=joined, full_on=None if status == MemberStatus.PROBATIONARY else joined + dt.timedelta(days=365),
                        organization=b,
                    ).fill_derived()
                )  # fmt: skip
        # The member sheet from the scale data's distributions, on a stream of its own so
        # names and branches stay what they were.
        sheet_rng = random.Random(2027)  # noqa: S311 - demo data
        ethnicity, religion = sampler(sheet_rng, ETHNICITY), sampler(sheet_rng, RELIGION)
        education, theory = (
            sampler(sheet_rng, EDUCATION[RESIDENTIAL_KIND]),
            sampler(sheet_rng, THEORY[RESIDENTIAL_KIND]),
        )
        for m in members:
            m.ethnicity, m.religion, m.education, m.political_theory = (
                ethnicity(),
                religion(),
                education(),
                theory(),
            )
        Member.objects.bulk_create(members, batch_size=500)
        # Each record's history starts with the standing it was brought in with.
        events = []
        for m in Member.objects.filter(card_number__in=[x.card_number for x in members]):
            first = opening(
                {
                    "joined_on": m.joined_on,
                    "admission_decided_on": None,
                    "full_on": m.full_on,
                    "status": MemberStatus.FULL if m.full_on else MemberStatus.PROBATIONARY,
                },
                "Dữ liệu mẫu",
            )
            if first:
                events.append(
                    MemberEvent(
                        member=m,
                        kind=EventKind.RECORD_OPENED,
                        effective_on=first[0],
                        organization_id=m.organization_id,
                        note=first[1],
                    )
                )
            if m.status == MemberStatus.EXEMPT:
                events.append(
                    MemberEvent(
                        member=m,
                        kind=EventKind.EXEMPTION,
                        effective_on=today,
                        decided_on=today,
                        deciding_body="Chi bộ",
                        decision_number="01-QĐ/CB",
                        organization_id=m.organization_id,
                        note="Dữ liệu mẫu",
                    )
                )
        MemberEvent.objects.bulk_create(events, batch_size=1000)

        by_branch: dict[int, list[Member]] = {}
        for m in Member.objects.filter(status=MemberStatus.FULL).order_by("pk"):
            by_branch.setdefault(m.organization_id, []).append(m)
        seats = []
        for b in branches:
            full = by_branch[b.pk]
            seats.append(
                Seat(
                    organization=b,
                    member=full[0],
                    position=Position.SECRETARY,
                    starts_on=term_start,
                )
            )
            seats.append(
                Seat(
                    organization=b,
                    member=full[1],
                    position=Position.DEPUTY_SECRETARY,
                    starts_on=term_start,
                )
            )
        Term.objects.create(
            organization=root,
            name="Nhiệm kỳ 2025–2030",
            starts_on=dt.date(2025, 10, 1),
            ends_on=dt.date(2030, 10, 1),
        )
        first = by_branch[branches[0].pk]
        commune_first = communes[0]
        # Personas: the first branch of Hoàn Kiếm holds most of them.
        secretary_m = first[0]
        member_m = first[3]
        probationary_m = Member.objects.filter(
            organization=branches[0], status=MemberStatus.PROBATIONARY
        ).first()
        commune_officer_m = by_branch[branches[1].pk][3]
        province_officer_m = by_branch[branches[-1].pk][3]
        inspector_m = by_branch[branches[-2].pk][3]
        office_m = by_branch[branches[2].pk][3]
        pending_m = first[5]
        seats += [
            Seat(organization=org, member=m, position=position, starts_on=term_start)
            for org, m, position in (
                (commune_first, commune_officer_m, Position.COMMITTEE_MEMBER),
                (root, province_officer_m, Position.STANDING_MEMBER),
                (root, inspector_m, Position.INSPECTION_MEMBER),
            )
        ]
        Seat.objects.bulk_create(seats)

        def account(m, status=AccountStatus.ACTIVE):
            u = User(
                username=m.phone, phone=m.phone, full_name=m.full_name, member=m, status=status
            )
            u.set_password(PASSWORD)
            u.save()
            return u

        for m in (
            secretary_m,
            member_m,
            probationary_m,
            commune_officer_m,
            province_officer_m,
            inspector_m,
        ):
            account(m)
        office = account(office_m)
        RoleGrant.objects.create(
            user=office, organization=commune_first, role=Role.OFFICE, starts_on=term_start
        )
        account(pending_m, AccountStatus.PENDING)
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", PASSWORD, full_name="Quản trị hệ thống")

    def _print_logins(self):
        root = Organization.objects.filter(code=ROOT_CODE).first()
        if root is None:
            return
        rows = []
        first_branch = Organization.objects.get(code="HN.HK.CB1")
        sec = (
            Seat.objects.filter(organization=first_branch, position=Position.SECRETARY)
            .select_related("member__account")
            .first()
        )
        labels = [
            ("Quản trị hệ thống", User.objects.filter(username="admin").first()),
            ("Bí thư chi bộ", getattr(sec.member, "account", None) if sec else None),
            ("Cán bộ Đảng ủy phường", User.objects.filter(member__seats__position=Position.COMMITTEE_MEMBER).first()),
            ("Cán bộ Thành ủy", User.objects.filter(member__seats__position=Position.STANDING_MEMBER).first()),
            ("Ủy ban Kiểm tra", User.objects.filter(member__seats__position=Position.INSPECTION_MEMBER).first()),
            ("Ban Tổ chức (văn phòng)", User.objects.filter(role_grants__role=Role.OFFICE).first()),
            ("Đảng viên dự bị", User.objects.filter(member__status=MemberStatus.PROBATIONARY, member__organization=first_branch).first()),
            ("Đảng viên", User.objects.filter(member__organization=first_branch, member__seats__isnull=True, status=AccountStatus.ACTIVE, member__status=MemberStatus.FULL).first()),
            ("Đăng ký chờ duyệt", User.objects.filter(status=AccountStatus.PENDING).first()),
        ]  # fmt: skip
        self.stdout.write(f"\nTài khoản dùng thử (mật khẩu chung: {PASSWORD}):")
        for label, user in labels:
            if user is not None:
                rows.append(f"  {label:<26} {user.username}")
        self.stdout.write("\n".join(rows))
