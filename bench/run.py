#!/usr/bin/env python
"""Load scenarios against the production server on Hà Nội-scale data.

    make bench SCENARIO=tree|stats|search|all      (or: .venv/bin/python bench/run.py tree)

Uses its own database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/
sotay_bench): creates it, migrates it and runs `seed_scale` when it holds no bench
personas. Starts `deploy/serve.sh` (granian WSGI) on 127.0.0.1 on a free port, measures H
(/healthz, the floor) at the start and at the end of the same run and every scenario URL
in between with wrk, counts SQL queries per request in-process, and writes
bench/results/<scenario>-<timestamp>.json and bench/results/<scenario>.md.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib
import json
import os
import platform
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PY = sys.executable
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/sotay_bench"
SCENARIOS = ("tree", "stats", "search", "content", "all")
PERSONAS = ("bench_city", "bench_commune", "bench_member")

CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
WRK_THREADS = int(os.environ.get("BENCH_WRK_THREADS", "2"))
WARMUP_S = int(os.environ.get("BENCH_WARMUP", "3"))
DURATION_S = int(os.environ.get("BENCH_DURATION", "15"))
WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "2"))
DIRECT_RUNS = 50
SEARCH_QUERIES = 200
QUIET_WAIT_S = int(os.environ.get("BENCH_QUIET_WAIT", "60"))


@dataclass
class Target:
    """One URL (or a rotation of URLs) loaded by one persona."""

    key: str
    label: str
    persona: str
    paths: list[str]
    htmx: bool = False
    queries_per_request: int | None = None
    status_check: int | None = None
    load: dict = field(default_factory=dict)


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S', time.gmtime())}] {msg}", flush=True)


# ----- environment, database, server -----------------------------------------------------


def bench_env(db_url: str, secret: str) -> dict[str, str]:
    """Production settings on the bench database; plain http on 127.0.0.1 only."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=db_url,
        SOTAY_PRODUCTION="1",
        SOTAY_SECRET_KEY=secret,
        SOTAY_SSL_REDIRECT="0",
        SOTAY_ALLOWED_HOSTS="127.0.0.1,localhost",
        SOTAY_DB_CONN_MAX_AGE="60",
        SOTAY_LOG_LEVEL="WARNING",
    )
    # Database sessions unless BENCH_REDIS_URL asks for Redis (cache + cached_db sessions).
    env.pop("REDIS_URL", None)
    if os.environ.get("BENCH_REDIS_URL"):
        env["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    return env


def ensure_database(db_url: str) -> None:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    info = conninfo_to_dict(db_url)
    name = info.get("dbname")
    if not name:
        raise SystemExit("BENCH_DATABASE_URL must name a database")
    with psycopg.connect(make_conninfo(db_url, dbname="postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            log(f"creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict[str, str], *args: str, timeout: int = 1800) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, timeout=timeout)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """deploy/serve.sh in its own process group, stopped by that group's id."""

    def __init__(self, env: dict[str, str], workers: int, threads: int, log_path: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = dict(env, SOTAY_BIND=f"127.0.0.1:{self.port}", SOTAY_WEB_WORKERS=str(workers),
                        SOTAY_WEB_THREADS=str(threads))  # fmt: skip
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.log_file = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            ["bash", str(ROOT / "deploy" / "serve.sh")],
            cwd=ROOT, env=self.env, stdout=self.log_file, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited ({self.proc.returncode}); see {self.log_path}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(self.base + "/healthz", timeout=2) as r,  # noqa: S310
            ):
                if r.status == 200:
                    return
            time.sleep(0.3)
        raise SystemExit(f"server did not answer /healthz within 60 s; see {self.log_path}")

    def stop(self) -> None:
        if self.proc is None:
            return
        group = self.proc.pid  # start_new_session: the group id is the leader's pid
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):  # workers that outlived the leader
            os.killpg(group, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        self.log_file.close()
        self.proc = None


def cpu_busy(interval: float = 1.0) -> float:
    """Fraction of all CPUs busy over `interval` seconds (from /proc/stat)."""

    def sample():
        with open("/proc/stat") as f:
            values = [int(v) for v in f.readline().split()[1:]]
        return values[3] + values[4], sum(values)  # idle + iowait, total

    idle0, total0 = sample()
    time.sleep(interval)
    idle1, total1 = sample()
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


def wait_for_quiet(limit_s: int = QUIET_WAIT_S, threshold: float = 0.25) -> float:
    """Wait (bounded) until other work leaves the CPUs mostly idle: the machine is shared
    and a test suite running beside the bench halves its figures. Returns the busy
    fraction seen last."""
    deadline = time.monotonic() + limit_s
    busy = cpu_busy()
    while busy > threshold and time.monotonic() < deadline:
        busy = cpu_busy(2.0)
    return round(busy, 2)


def fetch_status(base: str, path: str, cookie: str | None, htmx: bool) -> int:
    req = urllib.request.Request(base + path)  # noqa: S310 - 127.0.0.1 only
    if cookie:
        req.add_header("Cookie", cookie)
    if htmx:
        req.add_header("HX-Request", "true")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(req, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def run_wrk(
    base: str, paths: list[str], cookie: str | list[str] | None, htmx: bool, seconds: int
) -> dict:
    """`cookie`: one session for every request, or a list: each request the next one."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(paths) + "\n")
        paths_file = f.name
    cookies_file = ""
    if isinstance(cookie, list):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write("\n".join(cookie) + "\n")
            cookies_file = f.name
        cookie = None
    env = dict(os.environ, BENCH_PATHS_FILE=paths_file, BENCH_COOKIE=cookie or "",
               BENCH_COOKIES_FILE=cookies_file, BENCH_HX="1" if htmx else "0")  # fmt: skip
    cmd = ["wrk", f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s",
           "-s", str(BENCH / "wrk.lua"), base]  # fmt: skip
    try:
        out = subprocess.run(
            cmd, env=env, capture_output=True, text=True, timeout=seconds + 60, check=True
        )
    finally:
        os.unlink(paths_file)
        if cookies_file:
            os.unlink(cookies_file)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("BENCHJSON ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no result:\n{out.stdout}\n{out.stderr}")
    raw = json.loads(line.removeprefix("BENCHJSON "))
    secs = raw["duration_us"] / 1e6
    lat = raw["latency_us"]
    e = raw["errors"]
    return {
        "requests": raw["requests"],
        "seconds": round(secs, 2),
        "rps": round(raw["requests"] / secs, 1),
        "p50_ms": lat["p50"] / 1000, "p90_ms": lat["p90"] / 1000,
        "p95_ms": lat["p95"] / 1000, "p99_ms": lat["p99"] / 1000,
        "max_ms": lat["max"] / 1000, "mean_ms": round(lat["mean"] / 1000, 2),
        "non2xx": raw["non2xx"], "redirects": raw["redirects"],
        "socket_errors": e["connect"] + e["read"] + e["write"] + e["timeout"],
        "errors": e,
    }  # fmt: skip


# ----- Django in-process: personas, sessions, query counts, direct timings -------------


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def personas_ready() -> bool:
    from sotay.accounts.models import User

    return User.objects.filter(username__in=PERSONAS).count() == len(PERSONAS)


def session_cookie(user) -> str:
    from django.conf import settings

    store = importlib.import_module(settings.SESSION_ENGINE).SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = "sotay.accounts.backends.IdentifierBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def count_queries(target: Target, cookie: str) -> tuple[int, int]:
    """SQL statements of one request (the second of two, so nothing is first-call work)
    and its status, through Django's test client against the same database."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    name, value = cookie.split("=", 1)
    client.cookies[name] = value
    headers = {"HX-Request": "true"} if target.htmx else {}
    client.get(target.paths[0], headers=headers)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(target.paths[0], headers=headers)
    return len(ctx.captured_queries), response.status_code


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def timed(fn, runs: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def explain(fn) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the last SQL statement `fn` runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    sql = ctx.captured_queries[-1]["sql"]
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return [sql, *(row[0] for row in cur.fetchall())]


def summary(ms: list[float]) -> dict:
    return {
        "runs": len(ms),
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "max_ms": round(max(ms), 2),
        "mean_ms": round(statistics.fmean(ms), 2),
    }


def direct_subtree_counts(ctx: dict) -> dict:
    """`member_counts(org)` timed live (a dummy cache, so every call runs the grouped
    query) and as served (the configured cache, which may hold a roll-up)."""
    from django.core.cache import cache
    from django.test import override_settings

    from sotay.organizations.queries import member_counts

    no_cache = override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    )
    out = {}
    for key, org in (("city", ctx["root"]), ("commune", ctx["commune"])):
        with no_cache:
            live = timed(lambda org=org: member_counts(org), DIRECT_RUNS)
            plan = explain(lambda org=org: member_counts(org))
        cache.clear()
        served = timed(lambda org=org: member_counts(org), DIRECT_RUNS)
        out[key] = {
            "org": org.name,
            "members": member_counts(org)["total"],
            **summary(live),
            "served": summary(served),
            "explain": plan,
        }
        log(
            f"subtree count {key}: live p50 {out[key]['p50_ms']} ms, p95 {out[key]['p95_ms']} ms; "
            f"as served p95 {out[key]['served']['p95_ms']} ms"
        )
    return out


def explain_all(fn) -> list[list[str]]:
    """EXPLAIN (ANALYZE, BUFFERS) of every SQL statement `fn` runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    plans = []
    for query in ctx.captured_queries:
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plans.append([query["sql"], *(row[0] for row in cur.fetchall())])
    return plans


def direct_statistics(ctx: dict) -> dict:
    """The statistics page's count, `reports.queries.organization_statistics(org)` (=
    `member_statistics` + `children_statistics` from one count: statuses, children ×
    account state, the dimension cube, then the children list), timed live (a dummy
    cache, so every call runs the queries) and as served (the configured cache, which
    holds the five-minute roll-up of a slow subtree). Each statement's own time too."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import override_settings
    from django.test.utils import CaptureQueriesContext

    from sotay.reports.queries import organization_statistics

    no_cache = override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    )
    out = {}
    # A live city count takes seconds: fewer runs there.
    for key, org, runs in (("city", ctx["root"], 10), ("commune", ctx["commune"], DIRECT_RUNS)):
        statements: list[list[float]] = []

        def page_count(org=org, statements=statements):
            with CaptureQueriesContext(connection) as cq:
                stats, children = organization_statistics(org)
            statements.append([float(q["time"]) * 1000 for q in cq.captured_queries])
            return stats

        with no_cache:
            live = timed(page_count, runs, warmup=2)
            plans = explain_all(lambda org=org: organization_statistics(org))
        per_statement = [
            summary([run[i] for run in statements[2:]]) for i in range(len(statements[-1]))
        ]
        cache.clear()
        served = timed(lambda org=org: organization_statistics(org), DIRECT_RUNS)
        stats = organization_statistics(org)[0]
        out[key] = {
            "org": org.name,
            "members": stats.members,
            "accounts_ratio": f"{stats.accounts}/{stats.members}",
            **summary(live),
            "statements": per_statement,
            "served": summary(served),
            "rolled_up": stats.rolled_up,
            "explain": plans,
        }
        log(
            f"statistics {key}: live p50 {out[key]['p50_ms']} ms, p95 {out[key]['p95_ms']} ms "
            f"(statements p50 {[s['p50_ms'] for s in per_statement]}); as served p95 "
            f"{out[key]['served']['p95_ms']} ms{' (roll-up)' if stats.rolled_up else ''}"
        )
    return out


def search_queries(n: int = SEARCH_QUERIES) -> list[str]:
    """What people type: unaccented, lower-case, often a prefix of the given name."""
    from sotay.core.names import FEMALE_GIVEN, FEMALE_MIDDLE, MALE_GIVEN, MALE_MIDDLE, SURNAMES
    from sotay.core.text import fold

    rng = random.Random(7)  # noqa: S311 - reproducible query set
    surnames = [fold(s) for s, w in SURNAMES for _ in range(w)]
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        female = rng.random() < 0.45
        sur = rng.choice(surnames)
        mid = fold(rng.choice(FEMALE_MIDDLE if female else MALE_MIDDLE))
        given = fold(rng.choice(FEMALE_GIVEN if female else MALE_GIVEN))
        r = rng.random()
        if r < 0.30:
            q = f"{sur} {mid} {given[: rng.randint(1, 2)]}"  # "nguyen van h"
        elif r < 0.50:
            q = f"{sur} {mid} {given}"  # "tran thi thu"
        elif r < 0.62:
            q = f"{sur} {mid}"  # "pham thi"
        elif r < 0.77:
            q = f"{mid} {given}"  # "van hung"
        elif r < 0.87:
            q = given if len(given) > 2 else f"{mid} {given}"  # "thao"
        elif r < 0.95:
            q = f"{sur} {given}"  # "nguyen hung": skips the middle name, few or no hits
        else:
            q = f"{given} {sur}"[: rng.randint(4, 9)].strip()  # a typo-ish fragment
        if q not in seen:
            seen.add(q)
            out.append(q)
    return out


def direct_search(ctx: dict, queries: list[str]) -> dict:
    """The member list's own query (scope, name match, the view's candidate cap when
    `members.queries.capped` exists, name order, first page = 31 rows) for every query
    text; also without the cap, for comparison."""
    from sotay.members import queries as mq

    def build(user, q, cap: bool):
        qs = mq.search_members(mq.members_visible_to(user), q)
        if cap and hasattr(mq, "capped"):
            qs = mq.capped(qs, q)
        return qs.select_related("organization").order_by("name_sort", "id")

    out = {}
    for key, user in (
        ("city", ctx["users"]["bench_city"]),
        ("commune", ctx["users"]["bench_commune"]),
    ):
        for variant, cap in (("", True), ("_uncapped", False)):
            if variant and not hasattr(mq, "capped"):
                continue

            def page(q, user=user, cap=cap):
                return list(build(user, q, cap)[:31])

            for q in queries[:20]:  # warm caches the way traffic would
                page(q)
            times = []
            for q in queries:
                t0 = time.perf_counter()
                page(q)
                times.append(((time.perf_counter() - t0) * 1000, q))
            ms = [t for t, _ in times]
            slowest = sorted(times, reverse=True)[:5]
            out[key + variant] = {
                **summary(ms),
                "queries": len(queries),
                "cap": getattr(mq, "SEARCH_CAP", None) if cap else None,
                "slowest": [{"q": q, "ms": round(t, 2)} for t, q in slowest],
                "explain_slowest": explain(lambda q=slowest[0][1], page=page: page(q)),
            }
            d = out[key + variant]
            log(f"name search {key}{variant}: p50 {d['p50_ms']} ms, p95 {d['p95_ms']} ms")
    return out


def bench_context() -> dict:
    from sotay.accounts.models import User
    from sotay.members.models import Member
    from sotay.organizations.models import Organization, Position, Seat

    users = {
        u.username: u for u in User.objects.filter(username__in=PERSONAS).select_related("member")
    }
    root = Organization.objects.get(depth=1, code="HN")
    seat = Seat.objects.filter(member_id=users["bench_commune"].member_id,
                               position=Position.COMMITTEE_MEMBER).select_related("organization").get()  # fmt: skip
    return {
        "users": users,
        "root": root,
        "commune": seat.organization,
        "members": Member.objects.count(),
        "organizations": Organization.objects.count(),
        "branches": Organization.objects.filter(org_type__in=["chi_bo", "chi_bo_co_so"]).count(),
        "max_depth": Organization.objects.order_by("-depth")
        .values_list("depth", flat=True)
        .first(),
    }


def build_targets(scenario: str, ctx: dict, queries: list[str]) -> list[Target]:
    root, commune = ctx["root"], ctx["commune"]
    n_root = root.numchild
    n_commune = commune.numchild
    # The signed-in floor: /healthz with a session cookie costs the session and user
    # lookups every signed-in page pays (AccountStateMiddleware reads request.user).
    targets: list[Target] = [
        Target(
            "floor_signed_in",
            "signed-in floor: /healthz with a session",
            "bench_city",
            ["/healthz"],
        )
    ]
    if scenario in ("tree", "all"):
        targets += [
            Target("tree_city", "tree page /to-chuc/", "bench_city", ["/to-chuc/"]),
            Target("children_city", f"children fragment, city root ({n_root} children)", "bench_city",
                   [f"/to-chuc/{root.pk}/con/"], htmx=True),
            Target("tree_commune", "tree page /to-chuc/", "bench_commune", ["/to-chuc/"]),
            Target("children_commune", f"children fragment, commune ({n_commune} children)",
                   "bench_commune", [f"/to-chuc/{commune.pk}/con/"], htmx=True),
        ]  # fmt: skip
    if scenario in ("stats", "all"):
        targets += [
            Target("org_city", f"organisation page, city root ({ctx['members']:,} members)",
                   "bench_city", [f"/to-chuc/{root.pk}/"]),
            Target("org_commune", f"organisation page, {commune.name}", "bench_commune",
                   [f"/to-chuc/{commune.pk}/"]),
            Target("stats_city", f"statistics page, city root ({ctx['members']:,} members)",
                   "bench_city", [f"/thong-ke/{root.pk}/"]),
            Target("stats_commune", f"statistics page, {commune.name}", "bench_commune",
                   [f"/thong-ke/{commune.pk}/"]),
        ]  # fmt: skip
    if scenario in ("content", "all"):
        targets += content_targets(ctx)
    if scenario in ("search", "all"):
        paths = ["/dang-vien/?" + urllib.parse.urlencode({"q": q}) for q in queries]
        targets += [
            Target("search_city", f"member search, city scope ({len(paths)} queries)", "bench_city", paths),
            Target("search_commune", f"member search, commune scope ({len(paths)} queries)",
                   "bench_commune", paths),
        ]  # fmt: skip
    return targets


# Document searches typed the way members type them: symbols in any form, unaccented words;
# selective ones (a symbol, a rare pair) and common ones (one frequent word).
DOC_SEARCH_SELECTIVE = [
    "52 nq tw",
    "144-qđ/đu",
    "nghi quyet 37",
    "ke hoach 512",
    "12/CT-ĐU",
    "chi thi 88 phong chong",
    "thong bao 601",
    "huong dan 9 kiem tra",
]
DOC_SEARCH_COMMON = ["dang", "chi bo", "phat trien", "kinh te xa hoi", "to chuc"]  # fmt: skip


MANY = "members×500"
MANY_MEMBERS = 500


def many_members(n: int) -> list:
    """`n` active member accounts, each from a different branch (a fixed random pick): the
    home feed when members open the app one after another, not one member reloading."""
    from django.db import connection

    from sotay.accounts.models import User

    with connection.cursor() as cur:
        cur.execute(
            "SELECT id FROM (SELECT DISTINCT ON (m.organization_id) u.id, m.organization_id "
            "FROM accounts_user u JOIN members_member m ON m.id = u.member_id "
            "WHERE u.status = 'active' AND u.username NOT LIKE 'bench%%' "
            "ORDER BY m.organization_id, u.id) x ORDER BY md5(organization_id::text) LIMIT %s",
            [n],
        )
        ids = [r[0] for r in cur.fetchall()]
    return list(User.objects.filter(pk__in=ids))


def content_targets(ctx: dict) -> list[Target]:
    """P2 home feed (first page, and later pages as htmx fragments), P3 document and
    member detail, P6 document search over HTTP. The cursors and documents are read
    in-process from the same feed and scope code the pages use."""
    from sotay.documents.queries import documents_visible_to
    from sotay.members.queries import members_visible_to
    from sotay.news import feed

    member = ctx["users"]["bench_member"]
    cursors, cursor = [], None
    for _ in range(5):
        items, nxt = feed.stream(member, feed.decode_cursor(cursor))
        if not nxt:
            break
        cursors.append(nxt)
        cursor = nxt
    doc_ids = list(documents_visible_to(member).order_by("?").values_list("pk", flat=True)[:200])
    commune = ctx["commune"]
    member_ids = list(
        members_visible_to(ctx["users"]["bench_commune"])
        .filter(org_path__startswith=commune.path)
        .order_by("?")
        .values_list("pk", flat=True)[:200]
    )

    def search(qs):
        return ["/van-ban/?" + urllib.parse.urlencode({"q": q}) for q in qs]

    return [
        Target("feed_member", "P2 home feed, branch member (first page)", "bench_member", ["/"]),
        Target("feed_commune", "P2 home feed, commune committee member", "bench_commune", ["/"]),
        Target("feed_many", f"P2 home feed, each request the next of {MANY_MEMBERS} members "
               f"of {MANY_MEMBERS} branches", MANY, ["/"]),
        Target("feed_scroll", f"P2 feed pages 2-{len(cursors) + 1} (htmx)", "bench_member",
               ["/?" + urllib.parse.urlencode({"sau": c}) for c in cursors], htmx=True),
        Target("document_detail", f"P3 document reader ({len(doc_ids)} documents)",
               "bench_member", [f"/van-ban/{pk}/" for pk in doc_ids]),
        Target("member_detail", f"P3 member record ({len(member_ids)} members of the commune)",
               "bench_commune", [f"/dang-vien/{pk}/" for pk in member_ids]),
        Target("doc_search_selective", "P6 document search, selective queries", "bench_member",
               search(DOC_SEARCH_SELECTIVE)),
        Target("doc_search_common", "P6 document search, common words", "bench_member",
               search(DOC_SEARCH_COMMON)),
    ]  # fmt: skip


def db_connections() -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        return cur.fetchone()[0]


# ----- report -----------------------------------------------------------------------------


def git_revision() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout.strip()  # fmt: skip
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
        return rev + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def fmt_ms(v: float) -> str:
    return f"{v:.1f}" if v < 100 else f"{v:.0f}"


def markdown(result: dict) -> str:
    env, h = result["environment"], result["h"]
    busy = max(
        [h["start"]["cpu_busy_before"], h["end"]["cpu_busy_before"]]
        + [t["load"]["cpu_busy_before"] for t in result["targets"]]
    )
    lines = [
        f"# Bench `{result['name']}` — {result['started'][:16].replace('T', ' ')} UTC",
        "",
        f"Commit {env['git']}. {env['cpus']} CPUs shared by app, PostgreSQL and wrk; "
        f"PostgreSQL {env['postgres']} (max_connections {env['max_connections']}); "
        f"granian {env['granian']} WSGI, {env['workers']} workers × {env['threads']} threads "
        f"(≤ {env['workers'] * env['threads']} DB connections; most seen {result['max_db_connections']}); "
        f"wrk {CONNECTIONS} connections, {env['warmup_s']} s warm-up + {env['duration_s']} s per URL. "
        f"Data: {env['members']:,} members, {env['organizations']:,} organisations, "
        f"{env['branches']:,} branches, depth {env['max_depth']}. Sessions: {env['sessions']}. "
        f"CPU busy with other work just before a measurement: at most {busy:.0%} "
        f"(the bench waits ≤ {QUIET_WAIT_S} s for < 25 %).",
        "",
        f"**H** (`/healthz`, same server and middleware): {h['start']['rps']:,.0f} req/s at the start, "
        f"{h['end']['rps']:,.0f} at the end → **H = {h['rps']:,.0f} req/s** "
        f"(p50 {fmt_ms(h['start']['p50_ms'])} ms, p99 {fmt_ms(h['start']['p99_ms'])} ms).",
        "",
        "| URL | persona | req/s | × H | p50 ms | p95 ms | p99 ms | non-2xx | socket errors | SQL/req |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for t in result["targets"]:
        load = t["load"]
        lines.append(
            f"| {t['label']} `{t['paths'][0] if len(t['paths']) == 1 else t['paths'][0].split('?')[0] + '?q=…'}`"
            f"{' (htmx)' if t['htmx'] else ''} | {t['persona']} | {load['rps']:,.0f} | "
            f"{load['rps'] / h['rps']:.2f} | {fmt_ms(load['p50_ms'])} | {fmt_ms(load['p95_ms'])} | "
            f"{fmt_ms(load['p99_ms'])} | {load['non2xx']} | {load['socket_errors']} | "
            f"{t['queries_per_request']} |"
        )
    direct = result.get("direct", {})
    if direct:
        lines += ["", "Direct query timings (in-process ORM, server idle):", "",
                  "| query | runs | p50 ms | p95 ms | max ms | target |", "|---|---:|---:|---:|---:|---|"]  # fmt: skip
    for key, label, limit in (
        ("city", "subtree member count, city", 300),
        ("commune", "subtree member count, commune", 50),
    ):
        if d := direct.get("subtree", {}).get(key):
            ok = "✓" if d["p95_ms"] <= limit else "✗"
            lines.append(f"| {label} ({d['members']:,} members), live query | {d['runs']} | {d['p50_ms']} | "
                         f"{d['p95_ms']} | {d['max_ms']} | P5 ≤ {limit} ms {ok} |")  # fmt: skip
            if sv := d.get("served"):
                lines.append(f"| {label}, as served (`member_counts`, cache on) | {sv['runs']} | "
                             f"{sv['p50_ms']} | {sv['p95_ms']} | {sv['max_ms']} | |")  # fmt: skip
    for key, label, limit in (
        ("city", "member statistics + children (statistics page count), city", 300),
        ("commune", "member statistics + children (statistics page count), commune", 50),
    ):
        if d := direct.get("statistics", {}).get(key):
            ok = "✓" if d["p95_ms"] <= limit else "✗"
            parts = " + ".join(str(s["p50_ms"]) for s in d["statements"])
            lines.append(f"| {label} ({d['members']:,} members), live; p50 per statement: {parts} | "
                         f"{d['runs']} | {d['p50_ms']} | {d['p95_ms']} | {d['max_ms']} | P5 ≤ {limit} ms {ok} |")  # fmt: skip
            sv = d["served"]
            how = "roll-up ≤ 5 min old" if d["rolled_up"] else "counted live"
            ok = "✓" if sv["p95_ms"] <= limit else "✗"
            lines.append(f"| {label}, as served ({how}) | {sv['runs']} | {sv['p50_ms']} | "
                         f"{sv['p95_ms']} | {sv['max_ms']} | P5 ≤ {limit} ms {ok} |")  # fmt: skip
    for key, label in (
        ("city", "member name search, city scope"),
        ("commune", "member name search, commune scope"),
        ("city_uncapped", "same, city scope, without the candidate cap"),
        ("commune_uncapped", "same, commune scope, without the candidate cap"),
    ):
        if d := direct.get("search", {}).get(key):
            ok = "✓" if d["p95_ms"] <= 50 else "✗"
            cap = f", cap {d['cap']}" if d.get("cap") else ""
            target = f"P6 p95 ≤ 50 ms {ok}" if not key.endswith("_uncapped") else "(reference)"
            lines.append(f"| {label} ({d['queries']} queries{cap}) | {d['runs']} | {d['p50_ms']} | "
                         f"{d['p95_ms']} | {d['max_ms']} | {target} |")  # fmt: skip
    if d := direct.get("search", {}).get("city"):
        slow = ", ".join(f"“{s['q']}” {s['ms']} ms" for s in d["slowest"])
        lines += ["", f"Slowest name searches (city scope): {slow}."]
    lines += [
        "",
        f"Raw figures, EXPLAIN ANALYZE plans and the query list: `{result['json']}` (not committed).",
    ]
    return "\n".join(lines) + "\n"


# ----- main ------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("scenario", choices=SCENARIOS)
    args = parser.parse_args()
    if subprocess.run(["which", "wrk"], capture_output=True).returncode != 0:
        raise SystemExit("wrk not found: apt-get install -y wrk")

    db_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    secret = "bench-" + secrets.token_urlsafe(48)
    env = bench_env(db_url, secret)
    os.environ.update(
        {k: env[k] for k in env if k.startswith(("SOTAY_", "DATABASE_URL", "DJANGO_"))}
    )
    os.environ.pop("REDIS_URL", None)
    if "REDIS_URL" in env:
        os.environ["REDIS_URL"] = env["REDIS_URL"]
    started = dt.datetime.now(dt.UTC)
    stamp = started.strftime("%Y%m%d-%H%M%S")
    # Runs with other settings keep their own table: tree-redis.md next to tree.md.
    label = os.environ.get("BENCH_LABEL") or ("redis" if "REDIS_URL" in env else "")
    name = f"{args.scenario}-{label}" if label else args.scenario
    RESULTS.mkdir(parents=True, exist_ok=True)

    ensure_database(db_url)
    log("migrate")
    manage(env, "migrate", "--noinput", "-v0")
    django_setup()
    if not personas_ready():
        from sotay.organizations.models import Organization

        log("no bench data: running seed_scale (470,000 members)")
        manage(env, "seed_scale", *(["--reset"] if Organization.objects.exists() else []))
    if args.scenario in ("content", "all"):
        log("content: seed_scale_content (200,000 documents, 20,000 posts) when missing")
        manage(env, "seed_scale_content")
    manage(env, "collectstatic", "--noinput", "-v0")  # production serves hashed static names
    # Measure a steady state: a test that loaded rows into the bench database and rolled
    # back (an import of 6,083 members, say) leaves dead rows in one commune's index range
    # that autovacuum (20 % of 470,000 rows) does not clear for a long time; they made
    # that commune's counts 2-5× slower.
    from django.db import connection

    log("VACUUM (ANALYZE) members, accounts, organisations")
    with connection.cursor() as cur:
        cur.execute("VACUUM (ANALYZE) members_member, accounts_user, organizations_organization")
    with connection.cursor() as cur:
        cur.execute("SHOW max_connections")
        max_conn = int(cur.fetchone()[0])
        cur.execute("SHOW server_version")
        pg_version = cur.fetchone()[0]
    # Stay at a quarter of the server's connections: other databases share this cluster.
    threads = int(os.environ.get("BENCH_WEB_THREADS", "0")) or max(
        2, min(8, max_conn // 4 // WORKERS)
    )
    import granian

    ctx = bench_context()
    queries = search_queries()
    targets = build_targets(args.scenario, ctx, queries)
    if only := os.environ.get("BENCH_ONLY"):  # a quick look at some URLs: BENCH_ONLY=feed_member,…
        wanted = set(only.split(","))
        targets = [t for t in targets if t.key in wanted]
    cookies: dict[str, str | list[str]] = {
        name: session_cookie(user) for name, user in ctx["users"].items()
    }
    if any(t.persona == MANY for t in targets):
        log(f"sessions for {MANY_MEMBERS} members of {MANY_MEMBERS} branches")
        cookies[MANY] = [session_cookie(user) for user in many_members(MANY_MEMBERS)]

    def first(cookie):
        return cookie[0] if isinstance(cookie, list) else cookie

    for t in targets:
        t.queries_per_request, t.status_check = count_queries(t, first(cookies[t.persona]))
        log(f"{t.key}: {t.queries_per_request} SQL queries/request, status {t.status_check}")

    direct: dict = {}
    if args.scenario in ("stats", "all"):
        direct["subtree"] = direct_subtree_counts(ctx)
        direct["statistics"] = direct_statistics(ctx)
    if args.scenario in ("search", "all"):
        direct["search"] = direct_search(ctx, queries)

    result: dict = {
        "scenario": args.scenario,
        "name": name,
        "started": started.isoformat(),
        "json": f"bench/results/{name}-{stamp}.json",
        "environment": {
            "git": git_revision(), "cpus": os.cpu_count(), "host": platform.node(),
            "postgres": pg_version, "max_connections": max_conn, "granian": granian.__version__,
            "workers": WORKERS, "threads": threads, "connections": CONNECTIONS,
            "wrk_threads": WRK_THREADS, "warmup_s": WARMUP_S, "duration_s": DURATION_S,
            "members": ctx["members"], "organizations": ctx["organizations"],
            "branches": ctx["branches"], "max_depth": ctx["max_depth"],
            "commune": ctx["commune"].name, "commune_members": None,
            "sessions": "redis (cached_db)" if "REDIS_URL" in env else "database",
            "loadavg_start": [round(x, 2) for x in os.getloadavg()],
        },
        "direct": direct,
        "search_queries": queries if args.scenario in ("search", "all") else [],
    }  # fmt: skip
    if "subtree" in direct:
        result["environment"]["commune_members"] = direct["subtree"]["commune"]["members"]

    log_path = RESULTS / f"server-{name}-{stamp}.log"
    server = Server(env, WORKERS, threads, log_path)

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    max_db = 0
    try:
        log(f"starting granian: {WORKERS} workers × {threads} threads on {server.base}")
        server.start()

        def measure(paths, cookie, htmx):
            nonlocal max_db
            busy = wait_for_quiet()
            run_wrk(server.base, paths, cookie, htmx, WARMUP_S)
            res = run_wrk(server.base, paths, cookie, htmx, DURATION_S)
            res["cpu_busy_before"] = busy
            max_db = max(max_db, db_connections())
            return res

        h_start = measure(["/healthz"], None, False)
        log(f"H (start): {h_start['rps']:.0f} req/s")
        for t in targets:
            status = fetch_status(server.base, t.paths[0], first(cookies[t.persona]), t.htmx)
            if status != 200:
                log(f"WARNING {t.key}: first request answered {status}")
            t.load = measure(t.paths, cookies[t.persona], t.htmx)
            t.load["first_status"] = status
            log(f"{t.key}: {t.load['rps']:.0f} req/s, p95 {t.load['p95_ms']:.1f} ms, "
                f"p99 {t.load['p99_ms']:.1f} ms, non-2xx {t.load['non2xx']}, "
                f"socket errors {t.load['socket_errors']}")  # fmt: skip
        h_end = measure(["/healthz"], None, False)
        log(f"H (end): {h_end['rps']:.0f} req/s")
    finally:
        server.stop()
    result["environment"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    server_log = log_path.read_text(errors="replace")
    result["h"] = {
        "start": h_start,
        "end": h_end,
        "rps": round((h_start["rps"] + h_end["rps"]) / 2, 1),
    }
    result["targets"] = [
        asdict(t) | {"ratio_to_h": round(t.load["rps"] / result["h"]["rps"], 3)} for t in targets
    ]
    result["max_db_connections"] = max_db
    result["server_log"] = {"path": str(log_path.relative_to(ROOT)), "tracebacks": server_log.count("Traceback"),
                            "lines": len(server_log.splitlines())}  # fmt: skip

    json_path = ROOT / result["json"]
    json_path.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    md = markdown(result)
    (RESULTS / f"{name}.md").write_text(md)
    print()
    print(md)
    log(f"wrote {json_path.relative_to(ROOT)} and bench/results/{name}.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
