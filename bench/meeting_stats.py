#!/usr/bin/env python
"""Meeting statistics (sotay.meetings.stats) at Hà Nội scale on PostgreSQL.

    .venv/bin/python bench/meeting_stats.py

Uses its own database (BENCH_MEETINGS_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/sotay_meetings_bench), never DATABASE_URL nor the
shared bench database: it is created as a copy of the seeded scale database
(BENCH_DATABASE_URL's, `manage.py seed_scale`: 16,200 branches, 470,000 members) when
missing, migrated, and given one month of meetings in one SQL script when it has none:
87 % of the open branches held their November 2026 meeting (a quarter of those also an
October one), every active member of the branch on the roster, about 80 % present. Then
times in-process the city and its largest commune: the first call (which counts each
held meeting's attendance once, AttendanceCount) and the following ones, with the number
of statements. Writes bench/results/meeting_stats.md. A benchmark, not a test.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/sotay_meetings_bench"
SOURCE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sotay_bench")

SEED = """
INSERT INTO meetings_meeting (org_path, kind, topic, starts_at, ends_at, place, online_link,
  state, qr_secret, created_at, announced_at, started_at, closed_at, organization_id,
  with_thematic)
SELECT o.path, 'thuong_ky', 'Sinh hoạt chi bộ thường kỳ tháng ' || m.mon, m.ts,
  m.ts + interval '2 hours', 'Nhà văn hóa', '', 'closed', md5(o.id::text || m.mon),
  m.ts - interval '7 days', m.ts - interval '6 days', m.ts, m.ts + interval '2 hours',
  o.id, false
FROM organizations_organization o
CROSS JOIN LATERAL (VALUES (11, timestamptz '2026-11-05 12:30+00'),
                           (10, timestamptz '2026-10-05 12:30+00')) AS m(mon, ts)
WHERE o.org_type IN ('chi_bo', 'chi_bo_co_so') AND o.valid_to IS NULL
  AND (hashtext(o.code) & 1023) < 870
  AND (m.mon = 11 OR (hashtext(o.code || 'x') & 3) = 0);
INSERT INTO meetings_rosterentry (full_name, name_sort, category, member_status,
  category_note, meeting_id, member_id)
SELECT mb.full_name, mb.name_sort,
  CASE mb.status WHEN 'chinh_thuc' THEN 'chinh_thuc' WHEN 'du_bi' THEN 'du_bi'
                 ELSE 'mien_sinh_hoat' END,
  mb.status, '', mt.id, mb.id
FROM meetings_meeting mt JOIN members_member mb ON mb.organization_id = mt.organization_id
WHERE mb.status IN ('chinh_thuc', 'du_bi', 'mien_sinh_hoat');
INSERT INTO meetings_attendance (status, reason, reason_accepted, checked_in_at, method,
  by_secretary, entry_id)
SELECT CASE WHEN (hashtext(r.id::text) & 1023) < 820 THEN 'present' ELSE 'absent' END,
  '', NULL, NULL, '', false, r.id
FROM meetings_rosterentry r;
"""


def setup(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    source = SOURCE_URL.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            print(f"copying {source} to {name} …", flush=True)
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    with psycopg.connect(url, autocommit=True) as conn:
        if conn.execute("SELECT count(*) FROM meetings_meeting").fetchone()[0] == 0:
            print("seeding a month of meetings …", flush=True)
            with conn.transaction():
                conn.execute(SEED)
            for table in ("meetings_meeting", "meetings_rosterentry", "meetings_attendance"):
                conn.execute(f"ANALYZE {table}")


def measure() -> str:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sotay.meetings import stats
    from sotay.meetings.models import AttendanceCount, Meeting, RosterEntry
    from sotay.organizations.models import Organization

    AttendanceCount.objects.all().delete()
    city = Organization.objects.get(depth=1)
    commune = Organization.objects.filter(depth=2).order_by("-numchild").first()
    lines = [
        "# Meeting statistics at Hà Nội scale",
        "",
        f"{Meeting.objects.count():,} meetings, {RosterEntry.objects.count():,} roster lines. "
        "In-process, PostgreSQL, `stats.meeting_statistics(org, 2026, 11)`.",
        "",
        "| organisation | children | statements | first call | median of 9 after |",
        "|---|---|---|---|---|",
    ]
    for org in (city, commune):
        t = time.perf_counter()
        stats.meeting_statistics(org, 2026, 11)
        first = (time.perf_counter() - t) * 1000
        times = []
        for _ in range(9):
            with CaptureQueriesContext(connection) as q:
                t = time.perf_counter()
                s = stats.meeting_statistics(org, 2026, 11)
                times.append((time.perf_counter() - t) * 1000)
        lines.append(
            f"| {org.name} ({s.total.branches:,} branches, {s.total.meetings:,} meetings) "
            f"| {len(s.children)} | {len(q)} | {first:.0f} ms | {statistics.median(times):.0f} ms |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    url = os.environ.get("BENCH_MEETINGS_DATABASE_URL", DEFAULT_URL)
    setup(url)
    os.environ["DATABASE_URL"] = url
    report = measure()
    out = ROOT / "bench" / "results" / "meeting_stats.md"
    out.write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
