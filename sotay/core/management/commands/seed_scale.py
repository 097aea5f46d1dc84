"""Hà Nội-scale data for benchmarks: one city committee, 126 communes and wards plus a few
bloc committees, 16,000+ branches at depth 3-5 and 470,000 members, loaded set-based.

PostgreSQL only. Paths, depth and numchild are computed in Python with treebeard's own
path encoding and every table is loaded with COPY. The whole load is one transaction:
the member table's secondary indexes and foreign keys are dropped first and rebuilt after
the COPY (one bulk build is many times faster than 470,000 random inserts into a trigram
GIN and four b-trees), so a failure leaves the database exactly as it was.

Members are written branch by branch in tree order, so every subtree's members hold one
contiguous id range: committee seats are drawn from that range without a query.

Member sheets carry realistic ethnicity, religion, education and political theory (drawn
from a second random stream, so the tree, names and personas do not depend on them), and
about 98 % of members have an account (most active and signed in at least once, some
pending, disabled or refused), so statistics join a users table of real size.

Bench personas get accounts with unusable passwords (benchmarks write sessions directly):
  bench_city     Ủy viên Ban Thường vụ of the city committee (reads the whole city)
  bench_commune  cấp ủy viên of the largest commune/ward (reads that commune)
  bench_member   a plain member with no seat
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from sotay.accounts.models import AccountStatus, User
from sotay.core.names import FEMALE_MIDDLE, MALE_MIDDLE, random_name
from sotay.core.text import fold, name_sort_key
from sotay.members.models import MemberStatus, Sex
from sotay.organizations.models import Organization, OrgType, Position

ROOT_CODE = "HN"
ROOT_NAME = "Đảng bộ Thành phố Hà Nội"
PERSONAS = ("bench_city", "bench_commune", "bench_member")
MIN_PER_BRANCH, MAX_PER_BRANCH = 10, 80

# The 126 wards (phường) and communes (xã) of Hà Nội since 1 July 2025.
WARDS = [
    "Hoàn Kiếm", "Cửa Nam", "Ba Đình", "Ngọc Hà", "Giảng Võ", "Hai Bà Trưng", "Vĩnh Tuy",
    "Bạch Mai", "Đống Đa", "Kim Liên", "Văn Miếu - Quốc Tử Giám", "Láng", "Ô Chợ Dừa",
    "Hồng Hà", "Lĩnh Nam", "Hoàng Mai", "Vĩnh Hưng", "Tương Mai", "Định Công", "Hoàng Liệt",
    "Yên Sở", "Thanh Xuân", "Khương Đình", "Phương Liệt", "Cầu Giấy", "Nghĩa Đô", "Yên Hòa",
    "Tây Hồ", "Phú Thượng", "Tây Tựu", "Phú Diễn", "Xuân Đỉnh", "Đông Ngạc", "Thượng Cát",
    "Từ Liêm", "Xuân Phương", "Tây Mỗ", "Đại Mỗ", "Long Biên", "Bồ Đề", "Việt Hưng",
    "Phúc Lợi", "Hà Đông", "Dương Nội", "Yên Nghĩa", "Phú Lương", "Kiến Hưng", "Thanh Liệt",
    "Chương Mỹ", "Sơn Tây", "Tùng Thiện",
]  # fmt: skip
COMMUNES = [
    "Thanh Trì", "Đại Thanh", "Nam Phù", "Ngọc Hồi", "Thượng Phúc", "Thường Tín",
    "Chương Dương", "Hồng Vân", "Phú Xuyên", "Phượng Dực", "Chuyên Mỹ", "Đại Xuyên",
    "Thanh Oai", "Bình Minh", "Tam Hưng", "Dân Hòa", "Vân Đình", "Ứng Thiên", "Hòa Xá",
    "Ứng Hòa", "Mỹ Đức", "Hồng Sơn", "Phúc Sơn", "Hương Sơn", "Phú Nghĩa", "Xuân Mai",
    "Trần Phú", "Hòa Phú", "Quảng Bị", "Minh Châu", "Quảng Oai", "Vật Lại", "Cổ Đô",
    "Bất Bạt", "Suối Hai", "Ba Vì", "Yên Bài", "Đoài Phương", "Phúc Thọ", "Phúc Lộc",
    "Hát Môn", "Thạch Thất", "Hạ Bằng", "Tây Phương", "Hòa Lạc", "Yên Xuân", "Quốc Oai",
    "Hưng Đạo", "Kiều Phú", "Phú Cát", "Hoài Đức", "Dương Hòa", "Sơn Đồng", "An Khánh",
    "Đan Phượng", "Ô Diên", "Liên Minh", "Gia Lâm", "Thuận An", "Bát Tràng", "Phù Đổng",
    "Thư Lâm", "Đông Anh", "Phúc Thịnh", "Thiên Lộc", "Vĩnh Thanh", "Mê Linh", "Yên Lãng",
    "Tiến Thắng", "Quang Minh", "Sóc Sơn", "Đa Phúc", "Nội Bài", "Trung Giã", "Kim Anh",
]  # fmt: skip
BLOCS = [
    ("CQD", "Đảng bộ các cơ quan Đảng Thành phố", [
        "Văn phòng Thành ủy", "Ban Tổ chức Thành ủy", "Ban Tuyên giáo và Dân vận Thành ủy",
        "Ủy ban Kiểm tra Thành ủy", "Báo Hànộimới", "Trường Chính trị Tô Hiệu",
        "Mặt trận Tổ quốc Thành phố", "Ban Nội chính Thành ủy",
    ]),
    ("UBND", "Đảng bộ Ủy ban nhân dân Thành phố", [
        "Sở Tài chính", "Sở Xây dựng", "Sở Y tế", "Sở Giáo dục và Đào tạo", "Sở Nội vụ",
        "Sở Tư pháp", "Sở Công Thương", "Sở Nông nghiệp và Môi trường",
        "Sở Văn hóa và Thể thao", "Sở Khoa học và Công nghệ", "Sở Du lịch",
        "Sở Quy hoạch - Kiến trúc", "Thuế Thành phố", "Bệnh viện Đa khoa Xanh Pôn",
        "Bệnh viện Thanh Nhàn", "Trường Đại học Thủ đô Hà Nội", "Tổng công ty Vận tải Hà Nội",
        "Công ty Nước sạch Hà Nội", "Công ty Môi trường đô thị Hà Nội",
    ]),
    ("CA", "Đảng bộ Công an Thành phố", [
        "Phòng Cảnh sát giao thông", "Phòng Cảnh sát hình sự", "Phòng Cảnh sát cơ động",
        "Phòng Tham mưu", "Phòng An ninh chính trị nội bộ", "Phòng Cảnh sát PCCC và CNCH",
        "Trại tạm giam số 1", "Phòng Hậu cần",
    ]),
    ("QS", "Đảng bộ Quân sự Thành phố", [
        "Cơ quan Bộ Chỉ huy Quân sự", "Trung đoàn 1", "Trung đoàn 692", "Ban Chỉ huy Phòng thủ khu vực 1",
        "Ban Chỉ huy Phòng thủ khu vực 2", "Trường Quân sự Thành phố",
    ]),
]  # fmt: skip
VILLAGES = [
    "Đông", "Đoài", "Thượng", "Hạ", "Trung", "Nam", "Bắc", "An Lạc", "Phú Mỹ", "Tân Hưng",
    "Yên Phú", "Hòa Bình", "Cổ Loa", "Văn Điển", "Đại Từ", "Ngọc Trục", "Vân Canh", "Lai Xá",
]  # fmt: skip
DIRECT_INSTITUTIONS = [
    "Trường Mầm non {p}", "Trường Tiểu học {p}", "Trường Trung học cơ sở {p}", "Trạm Y tế {u} {p}",
    "Hội Cựu chiến binh {u} {p}", "Ban Chỉ huy Quân sự {u} {p}", "Hợp tác xã Nông nghiệp {p}",
    "Quỹ Tín dụng nhân dân {p}", "Trường Mầm non {p} số 2", "Trường Tiểu học {p} số 2",
]  # fmt: skip
COMMITTEES = [
    "Đảng bộ Ủy ban nhân dân {u} {p}", "Đảng bộ Công an {u} {p}", "Đảng bộ các cơ quan Đảng {u} {p}",
    "Đảng bộ Trường Trung học phổ thông {p}", "Đảng bộ Bệnh viện Đa khoa {p}",
    "Đảng bộ Công ty Cổ phần Xây dựng {p}", "Đảng bộ Công ty Điện lực {p}",
    "Đảng bộ Công ty Thương mại {p}", "Đảng bộ Công ty May {p}", "Đảng bộ Công ty Cơ khí {p}",
]  # fmt: skip
SUB_UNITS = [
    "Văn phòng", "Phòng Kinh tế", "Phòng Văn hóa - Xã hội", "Phòng Nội vụ", "Phòng Tài chính",
    "Phòng Kỹ thuật", "Phòng Kinh doanh", "Tổ chuyên môn", "Khoa Nội", "Khoa Ngoại",
    "Phân xưởng sản xuất", "Đội thi công", "Đội bảo vệ", "Bộ phận Hành chính",
]  # fmt: skip
PARTIAL_UNITS = [
    "Khối Văn phòng",
    "Khối Sản xuất",
    "Khối Kỹ thuật",
    "Khối Kinh doanh",
    "Khối Dịch vụ",
]
# Birth provinces on the citizen identity card (first three digits); Hà Nội is 001.
CCCD_PROVINCES = ["001"] * 14 + [
    "034",
    "036",
    "035",
    "033",
    "030",
    "037",
    "038",
    "040",
    "027",
    "026",
]

RESIDENTIAL, INSTITUTION = "res", "inst"

MEMBER_COLUMNS = (
    "id", "full_name", "name_folded", "name_sort", "birth_date", "sex", "phone", "card_number",
    "cccd", "status", "joined_on", "full_on", "organization_id", "org_path", "created_at",
    "updated_at", "ethnicity", "religion", "education", "political_theory",
)  # fmt: skip
# Member sheet distributions, (value, weight): residential branches hold many retirees,
# institutions younger graduates.
ETHNICITY = [("Kinh", 9750), ("Mường", 80), ("Tày", 50), ("Thái", 30), ("Nùng", 20),
             ("Dao", 15), ("Hoa", 10), ("Sán Dìu", 5), ("", 40)]  # fmt: skip
RELIGION = [("", 9400), ("Phật giáo", 450), ("Công giáo", 120), ("Tin lành", 20), ("Cao đài", 10)]
EDUCATION = {
    RESIDENTIAL: [("", 30), ("so_cap_nghe", 25), ("cao_dang", 10), ("dai_hoc", 30),
                  ("thac_si", 4), ("tien_si", 1)],
    INSTITUTION: [("", 3), ("so_cap_nghe", 7), ("cao_dang", 10), ("dai_hoc", 60),
                  ("thac_si", 17), ("tien_si", 3)],
}  # fmt: skip
THEORY = {
    RESIDENTIAL: [("", 35), ("so_cap", 45), ("trung_cap", 15), ("cao_cap", 5), ("cu_nhan", 1)],
    INSTITUTION: [("", 10), ("so_cap", 40), ("trung_cap", 35), ("cao_cap", 13), ("cu_nhan", 2)],
}
ORG_COLUMNS = (
    "id", "path", "depth", "numchild", "code", "name", "name_folded", "org_type", "valid_from",
    "valid_to", "successor_id", "created_at", "updated_at",
)  # fmt: skip


@dataclass(slots=True, eq=False)
class Node:
    """One organisation while the tree is being planned."""

    path: str
    depth: int
    code: str
    name: str
    org_type: str
    kind: str = RESIDENTIAL
    children: list[Node] = field(default_factory=list)
    id: int = 0
    size: int = 0  # members attached here (branches only)
    first: int = 0  # member id range of the whole subtree, inclusive
    last: int = 0
    total: int = 0

    def add(self, code: str, name: str, org_type: str, kind: str = RESIDENTIAL) -> Node:
        depth = self.depth + 1
        path = Organization._get_path(self.path, depth, len(self.children) + 1)
        child = Node(path, depth, code, name, org_type, kind)
        self.children.append(child)
        return child

    def walk(self) -> Iterator[Node]:
        """Pre-order, which is also path order."""
        yield self
        for child in self.children:
            yield from child.walk()


def sampler(rng: random.Random, table: list[tuple[str, int]]):
    """A function drawing a value with the table's weights (bisect on the cumulative
    weights: cheaper than `rng.choices` 470,000 times)."""
    values = [v for v, _ in table]
    cumulative = list(itertools.accumulate(w for _, w in table))
    top, rand = cumulative[-1], rng.random
    return lambda: values[bisect.bisect_right(cumulative, rand() * top)]


class Phases:
    """Prints and remembers how long each phase took."""

    def __init__(self, out):
        self.out = out
        self.start = self.last = time.perf_counter()
        self.rows: list[tuple[str, float]] = []

    def done(self, label: str) -> None:
        now = time.perf_counter()
        self.rows.append((label, now - self.last))
        self.out.write(f"  {label:<44} {now - self.last:7.1f} s")
        self.last = now

    def total(self) -> float:
        return time.perf_counter() - self.start


def split(total: int, weights: list[float]) -> list[int]:
    """Integers proportional to `weights` summing exactly to `total` (largest remainder)."""
    s = sum(weights)
    exact = [total * w / s for w in weights]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - parts[i], reverse=True)
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def fit_sizes(raw: list[float], total: int, rng: random.Random) -> list[int]:
    """Scale raw branch sizes to sum exactly to `total`, each within the branch bounds."""
    lo, hi = MIN_PER_BRANCH, MAX_PER_BRANCH
    factor = total / sum(raw)
    sizes = [min(hi, max(lo, round(s * factor))) for s in raw]
    diff = total - sum(sizes)
    order = list(range(len(sizes)))
    while diff:
        rng.shuffle(order)
        step = 1 if diff > 0 else -1
        for i in order:
            if not diff:
                break
            if lo <= sizes[i] + step <= hi:
                sizes[i] += step
                diff -= step
    return sizes


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu quy mô Hà Nội (470.000 đảng viên, 16.000+ chi bộ) vào PostgreSQL bằng "
        "COPY, cho các phép đo hiệu năng (bench/)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=470_000)
        parser.add_argument("--branches", type=int, default=16_200)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--reset",
            action="store_true",
            help="TRUNCATE … CASCADE the organisation, member, seat, term, account and session "
            "tables first (audit entries go too). Only on a database whose name contains "
            "'bench', 'scale' or 'test', unless --any-database is also given.",
        )
        parser.add_argument(
            "--any-database", action="store_true", help="allow --reset on any database"
        )

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql":
            raise CommandError(
                "seed_scale chỉ chạy trên PostgreSQL (COPY, chỉ mục trigram). "
                "Đặt DATABASE_URL=postgres://… trỏ tới một cơ sở dữ liệu riêng cho đo hiệu năng."
            )
        members, branches = opts["members"], opts["branches"]
        if branches < 20:
            raise CommandError("--branches phải từ 20 trở lên.")
        if not MIN_PER_BRANCH * branches <= members <= MAX_PER_BRANCH * branches:
            raise CommandError(
                f"--members phải nằm trong [{MIN_PER_BRANCH}, {MAX_PER_BRANCH}] × số chi bộ "
                f"({MIN_PER_BRANCH * branches}–{MAX_PER_BRANCH * branches})."
            )
        db_name = settings.DATABASES["default"]["NAME"]
        if (
            opts["reset"]
            and not opts["any_database"]
            and not re.search("bench|scale|test", db_name)
        ):
            raise CommandError(
                f"Từ chối --reset trên cơ sở dữ liệu '{db_name}': tên phải chứa 'bench', 'scale' "
                "hoặc 'test' (hoặc thêm --any-database nếu thật sự muốn xóa)."
            )
        if not opts["reset"] and Organization.objects.exists():
            raise CommandError(
                f"Cơ sở dữ liệu '{db_name}' đã có tổ chức; dùng --reset để xóa và nạp lại."
            )

        self.rng = random.Random(opts["seed"])  # noqa: S311 - synthetic data
        self.seed = opts["seed"]
        self.now = timezone.now()
        self.today = timezone.localdate()
        phases = Phases(self.stdout)
        self.stdout.write(f"seed_scale → {db_name}: {members:,} đảng viên, {branches:,} chi bộ")

        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            cursor.execute("SET LOCAL max_parallel_maintenance_workers = 2")
            cursor.execute("SET LOCAL synchronous_commit = off")  # bench data only
            if opts["reset"]:
                cursor.execute(
                    "TRUNCATE organizations_organization, organizations_term, "
                    "organizations_seat, members_member, accounts_user, django_session "
                    "RESTART IDENTITY CASCADE"
                )
                phases.done("reset (TRUNCATE … CASCADE)")

            root = self.plan_tree(branches)
            nodes = list(root.walk())
            for i, node in enumerate(nodes, start=1):
                node.id = i
            leaves = [n for n in nodes if n.org_type in (OrgType.BRANCH, OrgType.GRASSROOTS_BRANCH)]
            self.plan_sizes(leaves, members)
            phases.done(f"plan tree ({len(nodes):,} organisations, python)")

            # Before any COPY: ALTER TABLE refuses while deferred FK checks are pending.
            suspended = self.suspend_member_indexes(cursor)
            phases.done(f"drop {len(suspended[0])} member indexes, {len(suspended[1])} FKs")

            self.copy_organizations(cursor, nodes)
            phases.done("COPY organisations")

            statuses = self.copy_members(cursor, leaves)
            phases.done(f"generate + COPY {members:,} members")

            self.restore_member_indexes(cursor, *suspended)
            phases.done("rebuild member indexes and FKs")

            n_seats = self.copy_terms_and_seats(cursor, root, nodes, statuses)
            personas = self.create_personas(cursor, root, statuses)
            phases.done(f"terms, {n_seats:,} seats, personas")

            n_accounts = self.insert_accounts(cursor)
            phases.done(f"{n_accounts:,} member accounts (INSERT … SELECT)")

            for table in (
                "organizations_organization",
                "members_member",
                "organizations_term",
                "organizations_seat",
                "accounts_user",
            ):
                seq = f"pg_get_serial_sequence('{table}', 'id')"
                top = f"SELECT COALESCE(max(id), 1) FROM {table}"  # noqa: S608 - fixed names
                cursor.execute(f"SELECT setval({seq}, ({top}))")
        phases.done("sequences + COMMIT")

        with connection.cursor() as cursor:
            cursor.execute(
                "VACUUM (ANALYZE) organizations_organization, members_member, organizations_term, "
                "organizations_seat, accounts_user"
            )
        phases.done("VACUUM ANALYZE")

        depth = max(n.depth for n in nodes)
        self.stdout.write(
            self.style.SUCCESS(
                f"Xong trong {phases.total():.1f} s: {len(nodes):,} tổ chức (sâu {depth} cấp), "
                f"{len(leaves):,} chi bộ, {members:,} đảng viên, {n_seats:,} chức vụ."
            )
        )
        for line in personas:
            self.stdout.write(f"  {line}")

    # ----- the tree -------------------------------------------------------------------

    def plan_tree(self, n_branches: int) -> Node:
        rng = self.rng
        root = Node(Organization._get_path(None, 1, 1), 1, ROOT_CODE, ROOT_NAME, OrgType.PROVINCE)
        places = [(name, True) for name in WARDS] + [(name, False) for name in COMMUNES]
        n_communes = min(len(places), max(2, n_branches // 120))
        n_blocs = min(len(BLOCS), max(1, n_branches // 3000))
        chosen = places[:n_communes]
        weights = [rng.uniform(0.7, 1.6) if ward else rng.uniform(0.55, 1.3) for _, ward in chosen]
        weights += [rng.uniform(2.5, 4.0) for _ in range(n_blocs)]
        counts = split(n_branches, weights)
        for i, ((place, ward), nb) in enumerate(zip(chosen, counts, strict=False), start=1):
            unit = "phường" if ward else "xã"
            code = f"{ROOT_CODE}.{'P' if ward else 'X'}{i:03d}"
            commune = root.add(code, f"Đảng bộ {unit} {place}", OrgType.ABOVE_GRASSROOTS)
            self.fill_commune(commune, nb, place, unit, ward)
        for (code, name, agencies), nb in zip(BLOCS[:n_blocs], counts[n_communes:], strict=True):
            bloc = root.add(f"{ROOT_CODE}.{code}", name, OrgType.ABOVE_GRASSROOTS, INSTITUTION)
            self.fill_bloc(bloc, nb, agencies)
        return root

    def fill_commune(self, commune: Node, nb: int, place: str, unit: str, ward: bool) -> None:
        rng = self.rng
        n_res = round(nb * rng.uniform(0.45, 0.65))
        rest = nb - n_res
        n_direct = min(len(DIRECT_INSTITUTIONS), round(rest * rng.uniform(0.15, 0.3)))
        seq = iter(range(1, 10_000))
        for k in range(1, n_res + 1):
            if ward:
                name = f"Chi bộ Tổ dân phố số {k}"
            else:
                village = VILLAGES[(k - 1) % len(VILLAGES)]
                name = f"Chi bộ Thôn {village}" + (
                    f" {(k - 1) // len(VILLAGES) + 1}" if k > len(VILLAGES) else ""
                )
            commune.add(f"{commune.code}.CB{next(seq):03d}", name, OrgType.GRASSROOTS_BRANCH)
        for template in DIRECT_INSTITUTIONS[:n_direct]:
            name = "Chi bộ " + template.format(p=place, u=unit)
            commune.add(
                f"{commune.code}.CB{next(seq):03d}", name, OrgType.GRASSROOTS_BRANCH, INSTITUTION
            )
        self.fill_committees(
            commune, rest - n_direct, [t.format(p=place, u=unit) for t in COMMITTEES]
        )

    def fill_bloc(self, bloc: Node, nb: int, agencies: list[str]) -> None:
        n_direct = max(1, round(nb * 0.05))
        for k in range(1, n_direct + 1):
            name = f"Chi bộ {agencies[(k - 1) % len(agencies)]}" + (
                f" {k}" if k > len(agencies) else ""
            )
            bloc.add(f"{bloc.code}.CB{k:03d}", name, OrgType.GRASSROOTS_BRANCH, INSTITUTION)
        self.fill_committees(bloc, nb - n_direct, [f"Đảng bộ {a}" for a in agencies])

    def fill_committees(self, parent: Node, nb: int, names: list[str]) -> None:
        """Grassroots committees (co_so) holding `nb` branches, 3-25 each; the larger ones
        split part of their branches into partial committees (bo_phan, depth 5)."""
        rng = self.rng
        k = 0
        while nb > 0:
            size = min(nb, rng.randint(3, 25))
            if nb - size < 3:
                size = nb
            nb -= size
            name = names[k % len(names)] + (f" {k // len(names) + 1}" if k >= len(names) else "")
            k += 1
            committee = parent.add(
                f"{parent.code}.DB{k:02d}", name, OrgType.GRASSROOTS, INSTITUTION
            )
            direct = size
            if size >= 10 and rng.random() < 0.5:
                parts = rng.randint(2, 4)
                inside = split(round(size * 0.7), [1.0] * parts)
                direct = size - sum(inside)
                for p, n in enumerate(inside, start=1):
                    partial = committee.add(
                        f"{committee.code}.BP{p}", f"Đảng bộ bộ phận {PARTIAL_UNITS[p - 1]}",
                        OrgType.PARTIAL, INSTITUTION,
                    )  # fmt: skip
                    self.add_branches(partial, n)
            self.add_branches(committee, direct)

    def add_branches(self, parent: Node, n: int) -> None:
        for j in range(1, n + 1):
            unit = SUB_UNITS[(j - 1) % len(SUB_UNITS)]
            name = f"Chi bộ {unit}" + (
                f" {(j - 1) // len(SUB_UNITS) + 1}" if j > len(SUB_UNITS) else ""
            )
            parent.add(f"{parent.code}.CB{j:02d}", name, OrgType.BRANCH, INSTITUTION)

    def plan_sizes(self, leaves: list[Node], total: int) -> None:
        """Residential branches are larger (retired members), institutional ones smaller."""
        rng = self.rng
        raw = [
            rng.lognormvariate(math.log(32 if leaf.kind == RESIDENTIAL else 20), 0.5)
            for leaf in leaves
        ]
        for leaf, size in zip(leaves, fit_sizes(raw, total, rng), strict=True):
            leaf.size = size

    def copy_organizations(self, cursor, nodes: list[Node]) -> None:
        valid_from = dt.date(2025, 7, 1).isoformat()
        now = self.now.isoformat()
        sql = f"COPY organizations_organization ({', '.join(ORG_COLUMNS)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for n in nodes:
                since = "2008-08-01" if n.depth == 1 else valid_from
                copy.write_row(
                    (n.id, n.path, n.depth, len(n.children), n.code, n.name, fold(n.name),
                     n.org_type, since, None, None, now, now)
                )  # fmt: skip

    # ----- members --------------------------------------------------------------------

    def suspend_member_indexes(self, cursor) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """Drop the member table's secondary indexes (not the primary key or unique
        constraints) and its foreign keys; return what is needed to rebuild them."""
        cursor.execute(
            """SELECT c.relname, pg_get_indexdef(x.indexrelid)
                 FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
                WHERE x.indrelid = 'members_member'::regclass AND NOT x.indisprimary
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)"""
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'members_member'::regclass AND contype = 'f'"
        )
        fks = cursor.fetchall()
        for name, _ in fks:
            cursor.execute(f'ALTER TABLE members_member DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        return indexes, fks

    def restore_member_indexes(self, cursor, indexes, fks) -> None:
        for _, ddl in indexes:
            cursor.execute(ddl)
        for name, ddl in fks:
            cursor.execute(f'ALTER TABLE members_member ADD CONSTRAINT "{name}" {ddl}')

    def copy_members(self, cursor, leaves: list[Node]) -> bytearray:
        """Stream every member through one COPY; returns each member's status code
        (index = id; 1 full, 2 probationary, 3 exempt) for picking committee seats."""
        rng = self.rng
        rand, randint, choice = rng.random, rng.randint, rng.choice
        triangular = rng.triangular
        today = self.today
        this_year = today.year
        recent_cutoff = today - dt.timedelta(days=400)
        now = self.now.isoformat()
        derived: dict[str, tuple[str, str]] = {}
        cccd_seq: dict[str, int] = {}
        phone_prefixes = ("09", "08", "03", "07", "05")
        full, probationary, exempt = (
            MemberStatus.FULL.value,
            MemberStatus.PROBATIONARY.value,
            MemberStatus.EXEMPT.value,
        )
        total = sum(leaf.size for leaf in leaves)
        statuses = bytearray(total + 1)
        sheet_rng = random.Random(self.seed + 1)  # the main stream stays as it was
        ethnicity, religion = sampler(sheet_rng, ETHNICITY), sampler(sheet_rng, RELIGION)
        education = {k: sampler(sheet_rng, t) for k, t in EDUCATION.items()}
        theory = {k: sampler(sheet_rng, t) for k, t in THEORY.items()}
        sql = f"COPY members_member ({', '.join(MEMBER_COLUMNS)}) FROM STDIN"
        member_id = 0
        with cursor.cursor.copy(sql) as copy:
            write = copy.write_row
            for leaf in leaves:
                residential = leaf.kind == RESIDENTIAL
                leaf.first = member_id + 1
                for _ in range(leaf.size):
                    member_id += 1
                    female = rand() < (0.45 if residential else 0.38)
                    name = random_name(rng, female)
                    if rand() < (
                        0.2 if female else 0.05
                    ):  # two middle names: "Nguyễn Thị Thu Hằng"
                        words = name.split(" ")
                        extra = choice(FEMALE_MIDDLE if female else MALE_MIDDLE)
                        if extra not in words:
                            name = " ".join([*words[:2], extra, words[2]])
                    cached = derived.get(name)
                    if cached is None:
                        cached = derived[name] = (fold(name), name_sort_key(name))
                    age = int(triangular(22, 95, 68) if residential else triangular(23, 62, 40))
                    birth_year = this_year - age
                    birth = dt.date(birth_year, randint(1, 12), randint(1, 28))
                    if rand() < (0.03 if residential else 0.07) and age < 60:
                        status = probationary
                        joined = today - dt.timedelta(days=randint(1, 360))
                        full_on = None
                    else:
                        status = exempt if residential and age >= 75 and rand() < 0.15 else full
                        join_year = birth_year + randint(18, max(18, min(age - 1, 45)))
                        joined = min(
                            dt.date(join_year, randint(1, 12), randint(1, 28)), recent_cutoff
                        )
                        full_on = (joined + dt.timedelta(days=365)).isoformat()
                    statuses[member_id] = (
                        1 if status == full else 2 if status == probationary else 3
                    )
                    century_sex = (0 if birth_year < 2000 else 2) + (1 if female else 0)
                    bucket = f"{choice(CCCD_PROVINCES)}{century_sex}{birth_year % 100:02d}"
                    n = cccd_seq.get(bucket, 0)
                    cccd_seq[bucket] = n + 1
                    cccd = f"{bucket}{(n * 7919 + 104729) % 1_000_000:06d}"
                    phone = (
                        f"{phone_prefixes[member_id % 5]}{(member_id * 48271) % 100_000_000:08d}"
                        if rand() < 0.85
                        else ""
                    )
                    card = str(10_000_000 + (member_id * 7919) % 90_000_000)
                    write(
                        (member_id, name, cached[0], cached[1], birth.isoformat(),
                         Sex.FEMALE.value if female else Sex.MALE.value, phone, card, cccd, status,
                         joined.isoformat(), full_on, leaf.id, leaf.path, now, now, ethnicity(),
                         religion(), education[leaf.kind](), theory[leaf.kind]())
                    )  # fmt: skip
                leaf.last = member_id
        return statuses

    # ----- committees, terms and personas ---------------------------------------------

    def copy_terms_and_seats(
        self, cursor, root: Node, nodes: list[Node], statuses: bytearray
    ) -> int:
        """One open term per organisation; a secretary (and a deputy in larger branches)
        per branch; secretary, deputies, standing members and committee members drawn
        from each committee's own subtree."""
        rng = self.rng
        for node in reversed(nodes):  # children before parents: member ranges bubble up
            if node.children:
                node.first = min(c.first for c in node.children)
                node.last = max(c.last for c in node.children)
            node.total = node.last - node.first + 1 if node.first else 0
        self.seated: set[int] = set()
        seats: list[tuple] = []

        def pick(node: Node) -> int:
            for _ in range(200):
                mid = rng.randint(node.first, node.last)
                if statuses[mid] == 1 and mid not in self.seated:
                    self.seated.add(mid)
                    return mid
            raise CommandError(f"Không chọn được cấp ủy viên cho {node.code}")

        with cursor.cursor.copy(
            "COPY organizations_term (id, name, starts_on, ends_on, closed_on, organization_id) FROM STDIN"
        ) as copy:
            for node in nodes:
                if node.org_type in (OrgType.BRANCH, OrgType.GRASSROOTS_BRANCH):
                    term = ("Nhiệm kỳ 2025–2027", "2025-05-01", "2027-10-31")
                else:
                    term = ("Nhiệm kỳ 2025–2030", "2025-10-01", "2030-10-31")
                copy.write_row((node.id, *term, None, node.id))
        for node in nodes:
            if not node.first:
                continue
            if node.org_type in (OrgType.BRANCH, OrgType.GRASSROOTS_BRANCH):
                plan = [
                    (Position.SECRETARY, 1),
                    (Position.DEPUTY_SECRETARY, 1 if node.size >= 25 else 0),
                ]
                start = "2025-05-01"
            elif node.depth == 1:
                plan = [(Position.SECRETARY, 1), (Position.DEPUTY_SECRETARY, 3),
                        (Position.STANDING_MEMBER, 12), (Position.COMMITTEE_MEMBER, 45),
                        (Position.INSPECTION_CHAIR, 1), (Position.INSPECTION_MEMBER, 6)]  # fmt: skip
                start = "2025-10-01"
            elif node.org_type == OrgType.ABOVE_GRASSROOTS:
                plan = [(Position.SECRETARY, 1), (Position.DEPUTY_SECRETARY, 2),
                        (Position.STANDING_MEMBER, 5), (Position.COMMITTEE_MEMBER, 12),
                        (Position.INSPECTION_CHAIR, 1)]  # fmt: skip
                start = "2025-10-01"
            else:
                plan = [(Position.SECRETARY, 1), (Position.DEPUTY_SECRETARY, 1),
                        (Position.COMMITTEE_MEMBER, 5 if node.total > 150 else 3)]  # fmt: skip
                start = "2025-10-01"
            for position, count in plan:
                for _ in range(count):
                    seats.append((pick(node), position.value, start, node.id))
        self.seat_rows = seats
        self.node_by_code = {n.code: n for n in nodes}
        self.communes = [n for n in root.children if n.code[len(ROOT_CODE) + 1] in "PX"]
        return len(seats)

    def insert_accounts(self, cursor) -> int:
        """Accounts for about 98 % of members in one INSERT … SELECT: 96 % active (85 % of
        those have signed in within the last 90 days), 1 % pending, 1 % disabled, 0.5 %
        refused. A hash of the member id decides, so a reload gives the same accounts.
        Usernames are card numbers (as for members without a phone); passwords unusable."""
        cursor.execute(
            """
            INSERT INTO accounts_user (password, last_login, is_superuser, username, phone,
                full_name, member_id, status, status_reason, decided_at, is_staff, is_active,
                date_joined, failed_logins, totp_secret, totp_last_step)
            SELECT '!', CASE WHEN h < 9600 AND l < 85
                             THEN %(now)s - make_interval(mins => (l * 1511 + h) %% 129600) END,
                   false, m.card_number, NULL, m.full_name, m.id,
                   CASE WHEN h < 9600 THEN 'active' WHEN h < 9700 THEN 'pending'
                        WHEN h < 9800 THEN 'disabled' ELSE 'rejected' END,
                   '', NULL, false, h < 9700, %(now)s, 0, '', 0
              FROM (SELECT id, card_number, full_name,
                           abs(hashtext(id::text)) %% 10000 AS h,
                           abs(hashtext('login' || id::text)) %% 100 AS l
                      FROM members_member) m
             WHERE m.h < 9850
               AND NOT EXISTS (SELECT 1 FROM accounts_user u WHERE u.member_id = m.id)
            """,
            {"now": self.now},
        )
        return cursor.rowcount

    def create_personas(self, cursor, root: Node, statuses: bytearray) -> list[str]:
        rng = self.rng
        commune = max(self.communes, key=lambda n: n.total)
        blocs = [n for n in root.children if n not in self.communes] or self.communes[-1:]
        bloc_branch = next(n for n in blocs[0].walk() if n.size)
        commune_branch = next(n for n in commune.walk() if n.size)
        plain_branch = next(n for n in self.communes[len(self.communes) // 2].walk() if n.size)

        def free_member(node: Node) -> int:
            for mid in range(node.first, node.last + 1):
                if statuses[mid] == 1 and mid not in self.seated:
                    self.seated.add(mid)
                    return mid
            raise CommandError(f"Chi bộ {node.code} không còn đảng viên để làm persona")

        city_m, commune_m, plain_m = (
            free_member(bloc_branch),
            free_member(commune_branch),
            free_member(plain_branch),
        )
        self.seat_rows.append((city_m, Position.STANDING_MEMBER.value, "2025-10-01", root.id))
        self.seat_rows.append(
            (commune_m, Position.COMMITTEE_MEMBER.value, "2025-10-01", commune.id)
        )
        rng.shuffle(self.seat_rows)  # seats are entered over time, not committee by committee
        with cursor.cursor.copy(
            "COPY organizations_seat (member_id, position, starts_on, ends_on, organization_id, term_id) FROM STDIN"
        ) as copy:
            for member_id, position, start, org_id in self.seat_rows:
                copy.write_row((member_id, position, start, None, org_id, org_id))

        lines = []
        cursor.execute(
            "SELECT id, full_name FROM members_member WHERE id = ANY(%s)",
            [[city_m, commune_m, plain_m]],
        )
        names = dict(cursor.fetchall())
        for username, member_id, where in (
            ("bench_city", city_m, f"UV BTV {root.name} ({root.total:,} đảng viên)"),
            (
                "bench_commune",
                commune_m,
                f"cấp ủy viên {commune.name} ({commune.total:,} đảng viên)",
            ),
            ("bench_member", plain_m, f"đảng viên {plain_branch.name}"),
        ):
            user = User(
                username=username,
                full_name=names[member_id],
                member_id=member_id,
                status=AccountStatus.ACTIVE,
            )
            user.set_unusable_password()
            user.save()
            lines.append(f"{username:<14} → {names[member_id]}, {where}")
        return lines
