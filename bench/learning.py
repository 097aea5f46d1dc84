#!/usr/bin/env python
"""Study programmes at Hà Nội scale (issue 6): 1,000 members submitting quiz attempts
at once, and the programme report for the whole city and for one commune (P5).

    .venv/bin/python bench/learning.py

On the bench database of bench/run.py (BENCH_DATABASE_URL, 470,000 members):

1. A programme addressed to the city root, made through the services as a system
   administrator would (a reading lesson, a bank of 12 questions in two categories, 8
   drawn per attempt, published). Its title starts with "[bench-learning]"; it and
   everything hanging off it (attempts, standings, tokens named "bench-learning") are
   deleted at the end, and at the start of the next run if a run died.
2. Standings for the whole city, written set-based (one INSERT … SELECT over the
   members: 70 % started, 40 % completed, scores spread 0–100), so the report counts a
   realistic table (~330,000 rows).
3. Direct timings (server idle): `learning.reports.count_report` (live) for the city
   root (10 runs) and for the bench commune (50 runs), p50/p95/max, with the plans; and
   `programme_report` as the page serves it (a slow count kept 5 minutes, P5).
4. Load: 1,000 attempts started through `quizzes.start_attempt` for 1,000 different
   members, each with an API token; the server (deploy/serve.sh, as bench/run.py) then
   gets all 1,000 `POST /api/v1/learning/attempts/<id>/submit` (JSON answers) from 32
   keep-alive connections at once, each request once. The client is a small Python
   thread pool (wrk cannot send a fixed list once); H (/healthz) is measured with the
   same client right before and after, and with wrk for reference. Afterwards SQL
   checks that exactly 1,000 attempts are submitted and graded.

Writes bench/results/learning.md (and a JSON next to it, not committed).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import queue
import secrets
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as harness  # noqa: E402  (bench/run.py: environment, server, wrk, statistics)

MARKER = "[bench-learning]"
TOKEN_NAME = "bench-learning"  # noqa: S105 - a name, not a secret
ATTEMPTS = int(os.environ.get("BENCH_LEARNING_ATTEMPTS", "1000"))
# The wrk pass sends ATTEMPTS submissions for SUBMIT_S seconds (repeats, if the list
# runs out, answer 400 "already submitted" and are counted apart); the Python client
# then sends PY_ATTEMPTS more, each once.
SUBMIT_S = int(os.environ.get("BENCH_LEARNING_SUBMIT_S", "20"))
PY_ATTEMPTS = int(os.environ.get("BENCH_LEARNING_PY_ATTEMPTS", "300"))
CONNECTIONS = harness.CONNECTIONS
log = harness.log


def setup() -> dict:
    db_url = os.environ.get("BENCH_DATABASE_URL", harness.DEFAULT_DB)
    env = harness.bench_env(db_url, "bench-" + secrets.token_urlsafe(48))
    os.environ.update({k: env[k] for k in env if k.startswith(("SOTAY_", "DATABASE_URL", "DJANGO_"))})  # fmt: skip
    os.environ.pop("REDIS_URL", None)
    harness.ensure_database(db_url)
    log("migrate")
    harness.manage(env, "migrate", "--noinput", "-v0")
    harness.manage(env, "collectstatic", "--noinput", "-v0")
    harness.django_setup()
    if not harness.personas_ready():
        raise SystemExit(
            "no bench data: run `.venv/bin/python bench/run.py tree` once (seed_scale)"
        )
    return env


def cleanup() -> None:
    from sotay.accounts.models import ApiToken
    from sotay.learning.models import Attempt, Programme, Question

    programmes = Programme.objects.filter(title__startswith=MARKER)
    Attempt.objects.filter(quiz__programme__in=programmes).delete()
    Question.objects.filter(programme__in=programmes).delete()  # PROTECTs categories
    programmes.delete()
    ApiToken.objects.filter(name=TOKEN_NAME).delete()


def make_programme(admin, root):
    import datetime as dt

    from django.utils import timezone

    from sotay.learning import quizzes, services

    today = timezone.localdate()
    programme = services.create_programme(
        actor=admin, organization=root, title=f"{MARKER} Học tập Nghị quyết 57-NQ/TW",
        opens_on=today - dt.timedelta(days=3), closes_on=today + dt.timedelta(days=27),
    )  # fmt: skip
    services.add_lesson(actor=admin, programme=programme, kind="text", title="Nội dung",
                        body="<p>Nội dung cơ bản của Nghị quyết.</p>")  # fmt: skip
    for category in ("Cơ bản", "Vận dụng"):
        for i in range(6):
            multiple = category == "Vận dụng" and i % 2 == 0
            quizzes.add_question(
                actor=admin, programme=programme, category=category,
                kind="multiple" if multiple else "single", text=f"{category}: câu {i + 1}?",
                options=[("Phương án A", True), ("Phương án B", multiple), ("Phương án C", False)],
            )  # fmt: skip
    cats = {c.name: c.pk for c in programme.categories.all()}
    quizzes.configure_quiz(actor=admin, programme=programme, time_limit_minutes=60, max_attempts=3,
                           pass_mark=60, quotas={cats["Cơ bản"]: 4, cats["Vận dụng"]: 4})  # fmt: skip
    services.publish_programme(actor=admin, programme=programme)
    programme.refresh_from_db()
    return programme


def fill_standings(programme) -> int:
    """70 % of the city's studying roll started, 40 % completed, scores 0–100: one
    INSERT … SELECT (pseudo-random by member id, so every run writes the same)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO learning_programmeprogress
              (programme_id, member_id, org_path, status, lessons_done, quiz_score, quiz_passed,
               reflection_accepted, paper, started_at, completed_at)
            SELECT %s, m.id, m.org_path,
                   CASE WHEN m.id %% 10 < 4 THEN 'completed' ELSE 'in_progress' END,
                   CASE WHEN m.id %% 10 < 4 THEN 1 ELSE 0 END,
                   CASE WHEN m.id %% 10 < 6 THEN ((m.id * 37) %% 101) END,
                   m.id %% 10 < 4,
                   m.id %% 20 = 0,
                   m.id %% 50 = 0,
                   now(), CASE WHEN m.id %% 10 < 4 THEN now() END
            FROM members_member m
            WHERE m.org_path LIKE %s AND m.status IN ('du_bi', 'chinh_thuc') AND m.id %% 10 < 7
            """,
            [programme.pk, programme.path + "%"],
        )
        rows = cur.rowcount
        cur.execute("VACUUM (ANALYZE) learning_programmeprogress")
    return rows


def direct_reports(programme, root, commune) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sotay.learning import reports

    out = {}
    for key, org, runs in (("city", root, 10), ("commune", commune, 50)):
        ms = harness.timed(lambda org=org: reports.count_report(programme, org), runs)
        served = harness.timed(lambda org=org: reports.programme_report(programme, org), runs)
        with CaptureQueriesContext(connection) as ctx:
            data = reports.count_report(programme, org)
        plans = []
        with connection.cursor() as cur:
            for q in ctx.captured_queries:
                if q["sql"].lstrip().upper().startswith("SELECT"):
                    cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                    plans.append([r[0] for r in cur.fetchall()])
        out[key] = {
            "org": org.name, "assigned": data.total.assigned, "started": data.total.started,
            "statements": len(ctx.captured_queries), **harness.summary(ms), "plans": plans,
            "served": harness.summary(served),
        }  # fmt: skip
        log(f"report {key}: {out[key]['p50_ms']} ms p50, {out[key]['p95_ms']} ms p95")
    return out


def prepare_attempts(programme) -> list[tuple[str, str]]:
    """(path, JSON body) of ATTEMPTS submissions, each a different member's attempt,
    each with that member's API token (as "Bearer" header in the body tuple)."""
    from sotay.accounts.models import AccountStatus, User
    from sotay.accounts.services import create_api_token
    from sotay.learning import quizzes
    from sotay.learning.models import Option, Quiz

    quiz = Quiz.objects.get(programme=programme)
    quiz.programme = programme
    users = list(
        User.objects.filter(
            status=AccountStatus.ACTIVE, is_active=True, is_superuser=False,
            member__status__in=("du_bi", "chinh_thuc"),
            member__org_path__startswith=programme.path,
        )
        .extra(where=["accounts_user.id %% 389 = 7"])
        .select_related("member")[: ATTEMPTS + PY_ATTEMPTS]
    )  # fmt: skip
    right = {}
    for qid, oid in Option.objects.filter(
        question__programme=programme, is_correct=True
    ).values_list("question_id", "pk"):
        right.setdefault(qid, []).append(oid)
    requests = []
    started = time.perf_counter()
    for n, user in enumerate(users):
        attempt = quizzes.start_attempt(user=user, quiz=quiz)
        _, token = create_api_token(user=user, name=TOKEN_NAME, ip="127.0.0.1")
        answers = {}
        for item in attempt.items.all():
            # Half the members answer everything right, the others half of it.
            if n % 2 == 0 or item.position % 2 == 0:
                answers[str(item.question_id)] = right[item.question_id]
        requests.append(
            (
                token,
                f"/api/v1/learning/attempts/{attempt.pk}/submit",
                json.dumps({"answers": answers}),
            )
        )
    log(f"{len(requests)} attempts started in {time.perf_counter() - started:.1f} s")
    return requests


def blast(port: int, jobs: list[tuple[str | None, str, str | None]]) -> dict:
    """Send every job once over CONNECTIONS keep-alive connections at once; latency per
    request, answers by status, wall time."""
    work: queue.Queue = queue.Queue()
    for job in jobs:
        work.put(job)
    lat: list[float] = []
    statuses: dict[int, int] = {}
    errors = [0]
    lock = threading.Lock()
    gate = threading.Barrier(CONNECTIONS + 1)

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        gate.wait()
        while True:
            try:
                token, path, body = work.get_nowait()
            except queue.Empty:
                break
            headers = {"Host": "127.0.0.1"}
            if token:
                headers["Authorization"] = f"Bearer {token}"
            if body is not None:
                headers["Content-Type"] = "application/json"
            t0 = time.perf_counter()
            try:
                conn.request(
                    "POST" if body is not None else "GET", path, body=body, headers=headers
                )
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                with lock:
                    errors[0] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            ms = (time.perf_counter() - t0) * 1000
            with lock:
                lat.append(ms)
                statuses[status] = statuses.get(status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for t in threads:
        t.start()
    gate.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {
        "requests": len(lat), "seconds": round(wall, 2), "rps": round(len(lat) / wall, 1),
        "p50_ms": round(harness.percentile(lat, 50), 1), "p95_ms": round(harness.percentile(lat, 95), 1),
        "p99_ms": round(harness.percentile(lat, 99), 1), "max_ms": round(max(lat), 1),
        "statuses": statuses, "socket_errors": errors[0],
    }  # fmt: skip


def run_post_wrk(base: str, jobs: list[tuple[str, str, str]], seconds: int) -> dict:
    """wrk with bench/wrk_post.lua: every request a different member's submission (a
    line each; "repeats" counts any sent after the list ran out)."""
    import subprocess
    import tempfile

    lines = [f"bearer\t{token}\t{path}\t{body}" for token, path, body in jobs]
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(lines) + "\n")
        lines_file = f.name
    env = dict(os.environ, BENCH_LINES_FILE=lines_file, BENCH_WRK_THREADS=str(harness.WRK_THREADS))
    cmd = ["wrk", f"-t{harness.WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s",
           "-s", str(harness.BENCH / "wrk_post.lua"), base]  # fmt: skip
    try:
        out = subprocess.run(
            cmd, env=env, capture_output=True, text=True, timeout=seconds + 60, check=True
        )
    finally:
        os.unlink(lines_file)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("BENCHJSON ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no result:\n{out.stdout}\n{out.stderr}")
    raw = json.loads(line.removeprefix("BENCHJSON "))
    secs = raw["duration_us"] / 1e6
    lat, e = raw["latency_us"], raw["errors"]
    return {
        "requests": raw["requests"], "seconds": round(secs, 2), "rps": round(raw["requests"] / secs, 1),
        "p50_ms": lat["p50"] / 1000, "p95_ms": lat["p95"] / 1000, "p99_ms": lat["p99"] / 1000,
        "max_ms": lat["max"] / 1000, "statuses": raw["statuses"], "repeats": raw["repeats"],
        "socket_errors": e["connect"] + e["read"] + e["write"] + e["timeout"],
    }  # fmt: skip


def verify(programme) -> dict:
    from django.db.models import Count, Q

    from sotay.learning.models import Attempt, ProgrammeProgress

    attempts = Attempt.objects.filter(quiz__programme=programme)
    counts = attempts.aggregate(
        total=Count("pk"), submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
        graded=Count("pk", filter=Q(score__isnull=False)),
    )  # fmt: skip
    counts["passed_standings_of_bench_members"] = ProgrammeProgress.objects.filter(
        programme=programme, member_id__in=attempts.values("member_id"), quiz_passed=True
    ).count()
    return counts


def markdown(result: dict) -> str:
    r, s = result["reports"], result["submit"]
    h0, h1 = result["h_before"], result["h_after"]
    h = (h0["rps"] + h1["rps"]) / 2
    lines = [
        "# Learning: quiz submissions and programme reports (Hà Nội scale)",
        "",
        f"{result['when']} · {result['machine']} · git {result['git']} · granian {result['workers']}×{result['threads']} (WSGI)",
        "",
        "## Programme report (`learning.reports`, server idle, P5)",
        "",
        "| scope | assigned | started | statements | live p50 | live p95 | live max | served p50 | served p95 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key in ("city", "commune"):
        x = r[key]
        v = x["served"]
        lines.append(f"| {key}: {x['org']} | {x['assigned']:,} | {x['started']:,} | {x['statements']} | "
                     f"{x['p50_ms']} ms | {x['p95_ms']} ms | {x['max_ms']} ms | {v['p50_ms']} ms | {v['p95_ms']} ms |")  # fmt: skip
    w, hw0, hw1 = result["submit_wrk"], result["h_wrk"], result["h_wrk_after"]
    hwm = (hw0["rps"] + hw1["rps"]) / 2
    first = w["statuses"].get("200", w["statuses"].get(200, 0))
    lines += [
        "",
        f"## {ATTEMPTS:,} members' attempts submitted by wrk, 32 connections, {w['seconds']} s",
        "",
        "| what | req/s | ratio to H | p50 | p95 | p99 | max | answers | repeats | socket errors |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|",
        f"| H before (/healthz, wrk) | {hw0['rps']} | 1 | {hw0['p50_ms']} | {hw0['p95_ms']} | {hw0['p99_ms']} | {hw0['max_ms']} | non-2xx {hw0['non2xx']} | – | {hw0['socket_errors']} |",
        f"| submit (API, JSON answers, graded) | {w['rps']} | {w['rps'] / hwm:.3f} | {w['p50_ms']} | {w['p95_ms']} | {w['p99_ms']} | {w['max_ms']} | {w['statuses']} | {w['repeats']} | {w['socket_errors']} |",
        f"| H after (/healthz, wrk) | {hw1['rps']} | 1 | {hw1['p50_ms']} | {hw1['p95_ms']} | {hw1['p99_ms']} | {hw1['max_ms']} | non-2xx {hw1['non2xx']} | – | {hw1['socket_errors']} |",
        "",
        f"First-time submissions answered 200: {first}; a repeat (the list ran out) answers 400.",
    ]
    lines += [
        "",
        f"## {s['requests']:,} more submissions, each once, from a Python client (32 connections)",
        "",
        "| what | req/s | ratio to H | p50 | p95 | p99 | max | answers | socket errors |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|",
        f"| H before (/healthz, same client) | {h0['rps']} | 1 | {h0['p50_ms']} | {h0['p95_ms']} | {h0['p99_ms']} | {h0['max_ms']} | {h0['statuses']} | {h0['socket_errors']} |",
        f"| submit (API, JSON answers, graded) | {s['rps']} | {s['rps'] / h:.2f} | {s['p50_ms']} | {s['p95_ms']} | {s['p99_ms']} | {s['max_ms']} | {s['statuses']} | {s['socket_errors']} |",
        f"| H after (same client) | {h1['rps']} | 1 | {h1['p50_ms']} | {h1['p95_ms']} | {h1['p99_ms']} | {h1['max_ms']} | {h1['statuses']} | {h1['socket_errors']} |",
        "",
        "Latencies in ms. A client request that got no answer within 30 s counts as a socket error.",
        "",
        f"After the burst: {result['verify']}.",
        "",
    ]  # fmt: skip
    return "\n".join(lines)


def main() -> int:
    import datetime as dt
    import platform

    env = setup()
    from django.contrib.auth import get_user_model

    from sotay.accounts.models import RoleGrant
    from sotay.organizations.models import Organization

    cleanup()
    User = get_user_model()
    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    made_admin = admin is None
    if made_admin:
        admin = User.objects.create_superuser("bench_learning_admin", secrets.token_urlsafe(16))
    root = Organization.objects.get(depth=1, code="HN")
    commune = (
        Organization.objects.get(
            pk=RoleGrant.objects.filter(user__username="bench_commune").values("organization_id")[
                :1
            ]
        )
        if RoleGrant.objects.filter(user__username="bench_commune").exists()
        else None
    )
    if commune is None:
        from sotay.organizations.models import Seat

        seat = (
            Seat.objects.filter(member__account__username="bench_commune")
            .select_related("organization")
            .first()
        )
        commune = seat.organization if seat else Organization.objects.filter(depth=2).first()
    server = None
    try:
        programme = make_programme(admin, root)
        log(f"standings: {fill_standings(programme):,} rows")
        log(f"waiting for a quiet machine: {harness.wait_for_quiet():.0%} busy")
        reports_out = direct_reports(programme, root, commune)
        jobs = prepare_attempts(programme)
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("SHOW max_connections")
            max_conn = int(cur.fetchone()[0])
        threads = int(os.environ.get("BENCH_WEB_THREADS", "0")) or max(
            2, min(8, max_conn // 4 // harness.WORKERS)
        )
        log_path = harness.RESULTS / "learning-server.log"
        server = harness.Server(env, harness.WORKERS, threads, log_path)
        server.start()
        port = server.port
        warm = blast(port, [(None, "/healthz", None)] * 300)
        log(f"warm-up {warm['rps']} req/s")
        harness.wait_for_quiet()
        h_before = blast(port, [(None, "/healthz", None)] * 3000)
        log(f"H before: {h_before['rps']} req/s")
        h_wrk = harness.run_wrk(server.base, ["/healthz"], None, False, 10)
        log(f"H (wrk) before: {h_wrk['rps']} req/s")
        submit_wrk = run_post_wrk(server.base, jobs[:ATTEMPTS], SUBMIT_S)
        log(
            f"submit (wrk): {submit_wrk['rps']} req/s, p99 {submit_wrk['p99_ms']} ms, {submit_wrk['statuses']}"
        )
        h_wrk_after = harness.run_wrk(server.base, ["/healthz"], None, False, 10)
        submit = blast(port, jobs[ATTEMPTS:])
        log(
            f"submit (python client): {submit['rps']} req/s, p99 {submit['p99_ms']} ms, {submit['statuses']}"
        )
        h_after = blast(port, [(None, "/healthz", None)] * 3000)
        result = {
            "when": dt.datetime.now().strftime("%d/%m/%Y %H:%M"),
            "machine": f"{platform.node()} ({os.cpu_count()} CPU)", "git": harness.git_revision(),
            "workers": harness.WORKERS, "threads": threads, "reports": reports_out,
            "submit": submit, "h_before": h_before, "h_after": h_after, "h_wrk": h_wrk,
            "submit_wrk": submit_wrk, "h_wrk_after": h_wrk_after,
            "verify": verify(programme),
        }  # fmt: skip
    finally:
        if server is not None:
            server.stop()
        cleanup()
        if made_admin:
            admin.delete()
    harness.RESULTS.mkdir(exist_ok=True)
    (harness.RESULTS / "learning.md").write_text(markdown(result))
    (harness.RESULTS / "learning.json").write_text(json.dumps(result, indent=1, default=str))
    print(markdown(result))
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
