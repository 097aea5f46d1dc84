#!/usr/bin/env python
"""Documents library search and list timings on PostgreSQL at 200,000 documents.

    .venv/bin/python bench/documents_search.py [--documents 200000]

Uses its own database (BENCH_DOCS_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/sotay_docs_bench), never DATABASE_URL: creates and
migrates it, loads a small tree (1 province, 30 communes, 300 branches) and the documents
with bulk_create when they are missing, then times in-process, through the same ORM code
the views use, the member's library page (first 20) and search for selective queries
(symbols, rare words) and common ones, with EXPLAIN ANALYZE of one of each. Writes
bench/results/documents.md. A benchmark, not a test: it never fails on timing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/sotay_docs_bench"

WORDS = (  # noqa: SIM905
    "xây dựng chỉnh đốn Đảng hệ thống chính trị đổi mới sáng tạo phát triển kinh tế xã hội "
    "quốc phòng an ninh đối ngoại văn hóa giáo dục đào tạo khoa học công nghệ chuyển đổi số "
    "nông nghiệp nông thôn đô thị môi trường tài nguyên biển đảo dân vận mặt trận đoàn thể "
    "thanh niên phụ nữ cựu chiến binh công đoàn cán bộ đảng viên tổ chức cơ sở chi bộ sinh "
    "hoạt kiểm tra giám sát kỷ luật phòng chống tham nhũng lãng phí tiêu cực học tập làm theo "
    "tư tưởng đạo đức phong cách Hồ Chí Minh"
).split()
KINDS = [("nghi_quyet", "NQ"), ("chi_thi", "CT"), ("quy_dinh", "QĐ"), ("ket_luan", "KL"),
         ("huong_dan", "HD"), ("ke_hoach", "KH"), ("thong_bao", "TB"), ("cong_van", "CV")]  # fmt: skip
KIND_NAMES = {
    "nghi_quyet": "Nghị quyết", "chi_thi": "Chỉ thị", "quy_dinh": "Quy định",
    "ket_luan": "Kết luận", "huong_dan": "Hướng dẫn", "ke_hoach": "Kế hoạch",
    "thong_bao": "Thông báo", "cong_van": "Công văn",
}  # fmt: skip


def setup(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname=%s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True, env=os.environ
    )
    import django

    django.setup()


def load(n: int) -> None:
    from django.db import connection

    from sotay.accounts.models import Role, RoleGrant
    from sotay.core.testing import make_member, make_user
    from sotay.documents.models import Document
    from sotay.documents.text import search_text, symbol_key, words
    from sotay.organizations.models import Organization, OrgType

    if Document.objects.count() >= n:
        return
    rng = random.Random(339)
    root = Organization.objects.filter(code="DB-P").first()
    if root is None:
        root = Organization.create_root(code="DB-P", name="Đảng bộ Thành phố", org_type="tinh")
        for c in range(30):
            commune = root.create_child(
                code=f"DB-C{c}", name=f"Đảng bộ phường {c}", org_type=OrgType.ABOVE_GRASSROOTS
            )
            for b in range(10):
                commune.create_child(
                    code=f"DB-C{c}-B{b}",
                    name=f"Chi bộ {c}.{b}",
                    org_type=OrgType.GRASSROOTS_BRANCH,
                )
        branch = Organization.objects.get(code="DB-C0-B0")
        make_user(make_member(branch, "Nguyễn Văn Bench"), username="bench_docs_member")
        office = make_user(None, username="bench_docs_office")
        RoleGrant.objects.create(
            user=office, organization=root, role=Role.OFFICE, starts_on=dt.date(2020, 1, 1)
        )
    orgs = list(Organization.objects.filter(code__startswith="DB-").values_list("pk", "path"))
    communes = [o for o in orgs if len(o[1]) == 8]
    branches = [o for o in orgs if len(o[1]) == 12]
    root_row = next(o for o in orgs if len(o[1]) == 4)
    Document.objects.all().delete()
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    batch = []
    for i in range(n):
        kind, code = rng.choice(KINDS)
        # 10 % to the whole city, 30 % to a commune, 60 % to a branch.
        r = rng.random()
        org = root_row if r < 0.1 else rng.choice(communes if r < 0.4 else branches)
        number = i % 997 + 1
        symbol = f"{number}-{code}/{'TW' if org is root_row else 'ĐU'}"
        title = f"{KIND_NAMES[kind]} số {symbol} về " + " ".join(rng.sample(WORDS, 8))
        body = " ".join(rng.choices(WORDS, k=120)) + f" mã {i:06d}"
        published = now - dt.timedelta(minutes=i * 7)
        batch.append(
            Document(
                kind=kind,
                symbol=symbol,
                symbol_key=symbol_key(symbol),
                title=title,
                summary="",
                issuer_name="Ban Thường vụ",
                issued_on=published.date(),
                body=body,
                audience_org_id=org[0],
                path=org[1],
                state="published",
                published_at=published,
                search_text=search_text(symbol, KIND_NAMES[kind], title, body, symbol=symbol),
                title_key=f" {' '.join(words(title))} ",
            )
        )
        if len(batch) == 5000:
            Document.objects.bulk_create(batch)
            batch = []
    Document.objects.bulk_create(batch)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE documents_document")


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(3):
        fn()
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DOCS_DATABASE_URL", DEFAULT_URL)
    setup(url)
    t0 = time.perf_counter()
    load(args.documents)
    load_s = time.perf_counter() - t0
    from django.db import connection as conn

    with conn.cursor() as cur:
        # Fresh statistics, the generated search_vector column included: without them the
        # planner guessed 80 rows for a word found in 130,000 documents.
        cur.execute("ANALYZE documents_document")

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sotay.accounts.models import User
    from sotay.documents.models import Document
    from sotay.documents.queries import documents_visible_to, search_documents

    member = User.objects.get(username="bench_docs_member")
    visible = documents_visible_to(member).filter(state="published")
    n_visible = visible.count()
    rows = []

    def library():
        list(visible.defer("body", "search_text").order_by("-published_at", "-pk")[:21])

    rows.append(("library page, member (first 20)", timed(library, args.runs), 1))
    selective = ["52-NQ/TW", "52 nq tw", "312/KL-ĐU", "ma 004217", "quyet dinh 77 du"]
    # Words in ~65 % of all documents, alone and as 2-word phrases.
    common = ["dang vien", "nghi quyet", "chi bo", "xay dung", "dang vien chi bo", "xay dung dang"]
    # Matching 500-5,000 of the member's documents (1,000-25,000 of all), some only in
    # the oldest ones (ma 19…: the last 10,000 loaded), where newest-first walks longest.
    mid = ["nghi quyet tw", "ma 00", "ma 15", "ma 19", "so 5", "chi thi 5"]
    # With the library's filters (kind, issue year); 2020 matches nothing.
    filtered = [
        ("dang vien", {"kind": "chi_thi"}),
        ("xay dung", {"issued_on__year": 2024}),
        ("dang vien", {"issued_on__year": 2020}),
        ("ma 19", {"kind": "ke_hoach"}),
        ("52 nq tw", {"issued_on__year": 2025}),
        ("chi bo", {"kind": "thong_bao", "issued_on__year": 2025}),
    ]
    groups = (
        ("search, selective", [(q, {}) for q in selective]),
        ("search, common", [(q, {}) for q in common]),
        ("search, mid-frequency", [(q, {}) for q in mid]),
        ("search with kind / year filter", filtered),
    )
    every = []
    for label, queries in groups:
        times = []
        for q, where in queries:
            qs = visible.filter(**where)
            times += timed(
                lambda q=q, qs=qs: list(search_documents(qs, q).defer("body", "search_text")[:21]),
                args.runs // 5,
            )
        every += times
        rows.append((f"{label} ({len(queries)} queries)", times, len(queries)))
    rows.append(("search, any query (all of the above)", every, 0))

    from sotay.documents.snippets import annotate_results

    def page_with_snippets(q):
        items = list(search_documents(visible, q).defer("body", "search_text")[:20])
        annotate_results(items, q)

    times = []
    for q in ("dang vien", "nghi quyet tw", "52 nq tw", "ma 15"):
        times += timed(lambda q=q: page_with_snippets(q), args.runs // 5)
    rows.append(("search page of 20 + highlighted snippets (4 queries)", times, 4))
    plans = {}
    for q in ("52 nq tw", "dang vien", "ma 19"):
        qs = search_documents(visible, q)[:21]
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plans[q] = "\n".join(r[0] for r in cur.fetchall())
    with CaptureQueriesContext(connection) as ctx:
        list(search_documents(visible, "dang vien")[:21])
    with CaptureQueriesContext(connection) as snip_ctx:
        page_with_snippets("dang vien")
    pg = connection.cursor().connection.info.server_version
    lines = [
        f"# Bench `documents` — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"PostgreSQL {pg}; {Document.objects.count():,} documents, {n_visible:,} visible to "
        f"a branch member (city + commune + branch); load {load_s:.0f} s. In-process ORM, "
        f"{args.runs} runs per measurement after 3 warm-ups; 2 CPUs shared.",
        "",
        "| measurement | runs | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, times, _ in rows:
        lines.append(
            f"| {label} | {len(times)} | {statistics.median(times):.1f} | {p95(times):.1f} "
            f"| {max(times):.1f} |"
        )
    lines += [
        "",
        f"SQL statements per search: {len(ctx)}; search page with snippets: {len(snip_ctx)}",
        "",
    ]
    for q, plan in plans.items():
        lines += [f"Plan for “{q}”:", "", "```", plan, "```", ""]
    out = ROOT / "bench" / "results" / "documents.md"
    out.write_text("\n".join(lines))
    print("\n".join(lines[:20]))


if __name__ == "__main__":
    main()
