#!/usr/bin/env python
"""Member-registry figures at Hà Nội scale, measured in-process through the real views.

    .venv/bin/python bench/registry.py        (or: make bench SCENARIO=registry)

1. Import (P7): a 6,083-row .xlsx for the branches of the largest commune, uploaded to
   the import page (upload checks + dry run), then applied through the apply button,
   then the same file checked again (idempotence: every row unchanged). All inside one
   transaction that is rolled back, so the bench data stays as it was (the final COMMIT
   of a real apply is not in the figure).
2. Member list, first page, two filters (sex + age band, then ethnicity + party age),
   as the city officer and as the commune officer: 30 requests after 3 warm-ups through
   Django's test client (middleware, session, view, template), p50/p95 and SQL count.
3. Export to .xlsx through the export view, in a child process each so peak memory is
   the export's own: the largest committee under the city (≈ 9,000 members) and a
   16,000-member selection (the first 16,000 members of the city in tree order, through
   the same `export_workbook`). Time, rows, file size, resident memory before and its
   peak during the export (VmHWM, reset just before).

Uses the same database and settings as bench/run.py (BENCH_DATABASE_URL, production
settings, seed_scale when the personas are missing). Writes bench/results/registry.md and
a JSON next to it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import random
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as harness  # noqa: E402  (bench/run.py: environment, seeding, statistics)

ROOT = harness.ROOT
IMPORT_ROWS = 6083
LIST_RUNS = 30


def setup() -> dict:
    db_url = os.environ.get("BENCH_DATABASE_URL", harness.DEFAULT_DB)
    env = harness.bench_env(db_url, "bench-" + secrets.token_urlsafe(48))
    os.environ.update({k: env[k] for k in env if k.startswith(("SOTAY_", "DATABASE_URL", "DJANGO_"))})  # fmt: skip
    os.environ.pop("REDIS_URL", None)
    return env


def office_grant(user, org):
    """An office role for `user` on `org` (inside the caller's transaction)."""
    from sotay.accounts.models import Role, RoleGrant
    from sotay.accounts.permissions import invalidate_all

    RoleGrant.objects.create(user=user, organization=org, role=Role.OFFICE,
                             starts_on=dt.date.today() - dt.timedelta(days=1))  # fmt: skip
    invalidate_all()


def client_for(user):
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user, backend="sotay.accounts.backends.IdentifierBackend")
    return client


def import_file(commune) -> bytes:
    from openpyxl import Workbook

    from sotay.core.names import random_name
    from sotay.members.excel import COLUMNS
    from sotay.members.reference import ETHNIC_GROUPS
    from sotay.organizations.models import BRANCH_TYPES, Organization

    rng = random.Random(6083)
    branches = list(
        Organization.objects.filter(
            path__startswith=commune.path, org_type__in=BRANCH_TYPES
        ).values_list("code", "name")
    )
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Đảng viên")
    ws.append(list(COLUMNS.values()))
    today = dt.date.today()
    for n in range(IMPORT_ROWS):
        female = rng.random() < 0.45
        birth = dt.date(rng.randint(1940, 2003), rng.randint(1, 12), rng.randint(1, 28))
        joined = birth.replace(year=birth.year + rng.randint(19, 22))
        joined = min(joined, today - dt.timedelta(days=30))
        full = joined.replace(year=joined.year + 1) if joined.year < today.year - 1 else None
        code, name = rng.choice(branches)
        row = {
            "org_code": code, "org_name": name, "full_name": random_name(rng, female),
            "birth_date": birth.strftime("%d/%m/%Y"), "sex": "Nữ" if female else "Nam",
            "card_number": f"BX{n:07d}", "cccd": f"09{n:010d}", "phone": f"08{n:08d}",
            "admission_decided_on": (joined - dt.timedelta(days=20)).strftime("%d/%m/%Y"),
            "joined_on": joined.strftime("%d/%m/%Y"),
            "full_on": full.strftime("%d/%m/%Y") if full else None,
            "ethnicity": "Kinh" if rng.random() < 0.9 else rng.choice(ETHNIC_GROUPS),
            "religion": "Không", "hometown": "Hà Nội", "residence": name,
            "occupation": "Viên chức", "education": "Đại học", "political_theory": "Trung cấp",
        }  # fmt: skip
        ws.append([row.get(k) for k in COLUMNS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


class _Count:
    n = 0


@contextlib.contextmanager
def counting():
    """Counts the SQL statements run inside (Django's query log is cleared whenever a
    request starts, so CaptureQueriesContext sees nothing through the test client)."""
    from django.db import connection

    counter = _Count()

    def wrapper(execute, sql, params, many, context):
        counter.n += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield counter


def _figure(page: str, label: str) -> int:
    """A count shown on the import result page (the bench reads the page a person reads)."""
    return int(re.search(rf"{label}: <strong>(\d+)</strong>", page).group(1))


def bench_import(ctx: dict) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from sotay.members.models import Member

    data = import_file(ctx["commune"])
    user = ctx["users"]["bench_commune"]
    out: dict = {"rows": IMPORT_ROWS, "file_bytes": len(data)}
    with transaction.atomic():
        office_grant(user, ctx["commune"])
        client = client_for(user)
        # A served process is warm: the first request of this one would also pay for
        # loading the middleware, the static-file index and the import modules.
        assert client.get("/dang-vien/nhap/").status_code == 200
        before = Member.objects.count()
        t0 = time.perf_counter()
        with counting() as q1:
            r = client.post("/dang-vien/nhap/", {"file": SimpleUploadedFile("bench.xlsx", data), "mode": "them"})  # fmt: skip
        t1 = time.perf_counter()
        page = r.content.decode()
        assert r.status_code == 200 and "không có lỗi" in page, page[-3000:]
        assert _figure(page, "Sẽ thêm mới") == IMPORT_ROWS
        token = re.search(r'name="token" value="([^"]+)"', page).group(1)
        with counting() as q2:
            r2 = client.post("/dang-vien/nhap/ap-dung/", {"token": token})
        t2 = time.perf_counter()
        assert r2.status_code == 302, r2.status_code
        added = Member.objects.count() - before
        t3 = time.perf_counter()
        again = client.post("/dang-vien/nhap/", {"file": SimpleUploadedFile("bench.xlsx", data), "mode": "them"})  # fmt: skip
        t4 = time.perf_counter()
        replan = again.content.decode()
        out.update(
            dry_run_s=round(t1 - t0, 2), dry_run_queries=q1.n,
            apply_s=round(t2 - t1, 2), apply_queries=q2.n,
            end_to_end_s=round(t2 - t0, 2), added=added,
            reimport_check_s=round(t4 - t3, 2), reimport_new=_figure(replan, "Sẽ thêm mới"),
            reimport_unchanged=_figure(replan, "Đã có, không thay đổi"),
        )  # fmt: skip
        transaction.set_rollback(True)
    return out


def bench_lists(ctx: dict) -> list[dict]:

    cases = [
        ("bench_city", "sex=nu&age=41-50", "city, female, 41–50"),
        ("bench_commune", "sex=nu&age=41-50", "commune, female, 41–50"),
        ("bench_city", "ethnicity=T%C3%A0y&party_age=30-39", "city, Tày, party age 30–39"),
        ("bench_commune", "status=chinh_thuc&theory=cao_cap", "commune, full, theory cao cấp"),
    ]
    out = []
    for persona, query, label in cases:
        client = client_for(ctx["users"][persona])
        url = f"/dang-vien/?{query}"

        def get(client=client, url=url):
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            return response

        ms = harness.timed(get, LIST_RUNS)
        with counting() as q:
            response = get()
        out.append({"label": label, "persona": persona, "url": url, **harness.summary(ms),
                    "queries": q.n,
                    "rows": response.content.decode().count('<li><a href="/dang-vien/')})  # fmt: skip
    return out


def export_child(which: str) -> None:
    """In a fresh process: one export, its time and peak memory, as JSON on stdout."""
    from django.db import transaction
    from django.db.models import Subquery

    from sotay.members.excel import export_workbook
    from sotay.members.models import Member
    from sotay.organizations.models import Organization

    ctx = harness.bench_context()
    rss_before = _memory()["VmRSS"]
    _reset_peak()
    with transaction.atomic():
        t0 = time.perf_counter()
        if which == "committee":
            org = max(
                Organization.objects.filter(depth=2),
                key=lambda o: Member.objects.filter(org_path__startswith=o.path).count(),
            )
            t0 = time.perf_counter()
            user = ctx["users"]["bench_city"]
            office_grant(user, org)
            response = client_for(user).get(f"/dang-vien/xuat/?org={org.pk}")
            assert response.status_code == 200, response.status_code
            body = b"".join(response.streaming_content)
            label = f"export view, {org.name}"
        else:
            ids = Member.objects.filter(org_path__startswith=ctx["root"].path).order_by("org_path", "id").values("pk")[:16000]  # fmt: skip
            file, _rows = export_workbook(Member.objects.filter(pk__in=Subquery(ids)), "bench")
            body = file.read()
            label = "export_workbook, 16,000 members of the city in tree order"
        seconds = time.perf_counter() - t0
        transaction.set_rollback(True)
    peak = _memory()["VmHWM"]
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_name("Đảng viên")
    rows = len(sheet.to_python()) - 3  # title, date line, header
    print(json.dumps({"label": label, "seconds": round(seconds, 2), "rows": rows,
                      "file_bytes": len(body), "rss_before_mb": round(rss_before / 1024, 1),
                      "rss_peak_mb": round(peak / 1024, 1)}))  # fmt: skip


def _memory() -> dict[str, int]:
    """This process's resident memory now and its peak, in KiB (Linux /proc)."""
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0])
    return out


def _reset_peak() -> None:
    """Restart the peak (VmHWM) from the current size, so it measures the export only."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def bench_exports(env) -> list[dict]:
    out = []
    for which in ("committee", "16000"):
        proc = subprocess.run([harness.PY, __file__, "--export-child", which], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=900)  # fmt: skip
        if proc.returncode != 0:
            raise SystemExit(proc.stderr[-3000:])
        out.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return out


def markdown(result: dict) -> str:
    imp, lines = result["import"], []
    lines += [
        f"# Bench `registry` — {result['started'][:16].replace('T', ' ')} UTC", "",
        f"Commit {result['commit']}. In-process through Django's test client on the bench "
        f"database ({result['members']:,} members), production settings; 2 CPUs. "
        "Import and export run inside a transaction that is rolled back.", "",
        "## Import of a 6,083-row file (P7: ≤ 5 s end to end)", "",
        "| step | seconds | SQL statements |", "|---|---:|---:|",
        f"| upload + checks + dry run (`POST /dang-vien/nhap/`) | {imp['dry_run_s']} | {imp['dry_run_queries']} |",
        f"| apply: checks again + write (`POST /dang-vien/nhap/ap-dung/`) | {imp['apply_s']} | {imp['apply_queries']} |",
        f"| **end to end** | **{imp['end_to_end_s']}** {'✓' if imp['end_to_end_s'] <= 5 else '✗'} | |",
        f"| same file again (idempotence check) | {imp['reimport_check_s']} | |", "",
        f"File {imp['file_bytes'] / 1024:.0f} KB; {imp['added']:,} members added; the re-check "
        f"found {imp['reimport_new']} new and {imp['reimport_unchanged']:,} unchanged.", "",
        "## Member list, first page with two filters", "",
        "| case | p50 ms | p95 ms | max ms | SQL/request | rows |", "|---|---:|---:|---:|---:|---:|",
    ]  # fmt: skip
    for c in result["lists"]:
        lines.append(f"| {c['label']} (`{c['url']}`) | {c['p50_ms']} | {c['p95_ms']} | {c['max_ms']} | {c['queries']} | {c['rows']} |")  # fmt: skip
    lines += ["", "## Export to .xlsx", "",
              "| export | rows | seconds | file | RSS before | peak RSS during the export |",
              "|---|---:|---:|---:|---:|---:|"]  # fmt: skip
    for e in result["exports"]:
        lines.append(f"| {e['label']} | {e['rows']:,} | {e['seconds']} | {e['file_bytes'] / 2**20:.1f} MB | {e['rss_before_mb']} MB | {e['rss_peak_mb']} MB (+{e['rss_peak_mb'] - e['rss_before_mb']:.1f}) |")  # fmt: skip
    return "\n".join(lines) + "\n"


def main() -> int:
    env = setup()
    if len(sys.argv) == 3 and sys.argv[1] == "--export-child":
        harness.django_setup()
        export_child(sys.argv[2])
        return 0
    db_url = os.environ.get("BENCH_DATABASE_URL", harness.DEFAULT_DB)
    harness.ensure_database(db_url)
    harness.manage(env, "migrate", "--noinput", "-v0")
    harness.django_setup()
    if not harness.personas_ready():
        harness.manage(env, "seed_scale")
    harness.manage(env, "collectstatic", "--noinput", "-v0")  # production static names
    ctx = harness.bench_context()
    started = dt.datetime.now(dt.UTC)
    harness.log("import")
    result = {"started": started.isoformat(), "commit": harness.git_revision(),
              "members": ctx["members"], "import": bench_import(ctx)}  # fmt: skip
    harness.log(f"import: {result['import']}")
    harness.log("lists")
    result["lists"] = bench_lists(ctx)
    harness.log("exports")
    result["exports"] = bench_exports(env)
    stamp = started.strftime("%Y%m%d-%H%M%S")
    harness.RESULTS.mkdir(parents=True, exist_ok=True)
    (harness.RESULTS / f"registry-{stamp}.json").write_text(
        json.dumps(result, indent=2, default=str)
    )
    (harness.RESULTS / "registry.md").write_text(markdown(result))
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
