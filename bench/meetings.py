#!/usr/bin/env python
"""Branch meetings under load (issue 5, P4): check-in and vote POSTs at Hà Nội scale.

    .venv/bin/python bench/meetings.py        (or: make bench SCENARIO=meetings)

1. Preparation, on the bench database of bench/run.py (BENCH_DATABASE_URL): branches
   picked at random (fixed seed, not the bench personas' branches) get a meeting through
   the services as their secretary would run it: `schedule_meeting`, then `start_meeting`
   (the roster snapshot); a meeting used for votes has its roster marked present and two
   motions opened with `open_motion`. Every such meeting's topic starts with
   "[bench-meetings]"; they and their rosters, attendances, motions, votes, voter marks
   and ballot boxes are deleted at the end, and at the start of the next run if a run
   died. Each member gets a session (database sessions, written in bulk with Django's
   session store, 6 h expiry, deleted at the end) or an API token (rows named
   "bench-meetings", deleted at the end).
2. In-process (no HTTP): one `check_in` and one `cast_vote` (open and secret ballot)
   through the services, each a different member, p50/p95.
3. P4, one run of deploy/serve.sh: H (/healthz) at the start and the end; between them
   wrk (bench/wrk_post.lua, 32 connections) POSTs, every request a different member
   with their own session or token: the HTML check-in form, the HTML vote form (open
   and secret ballot), the API check-in and the API vote (open and secret). Answers by
   status; the HTML forms answer 302 either way, so the `messages` cookie of every
   answer is decoded with the server's key to count accepted and refused. Afterwards
   SQL checks: votes (or voter marks, and the ballot boxes' sealed counts) == accepted
   vote answers, attendances checked in == accepted check-ins, no member twice on a
   motion.
4. A meeting night: 8,000 branches starting within an hour, ~30 members each, two
   motions: 240,000 check-ins/h ≈ 67/s and ≈ 133 votes/s. A fixed-arrival-rate load
   generator (asyncio, HTTP/1.1 keep-alive on 127.0.0.1, latency from the scheduled
   send time so a slow server cannot hide its queue) sends the HTML forms for 2 min at
   that rate, then 1 min at 3x, then a short overload slice above the capacity wrk
   measured; bounded in requests and in time.

Writes bench/results/meetings.md and a JSON next to it (not committed).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import random
import secrets
import signal
import string
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as harness  # noqa: E402  (bench/run.py: environment, server, wrk, statistics)

ROOT = harness.ROOT
BENCH = harness.BENCH
RESULTS = harness.RESULTS
MARKER = "[bench-meetings]"
TOKEN_NAME = "bench-meetings"  # noqa: S105 - a name, not a secret
SEED = 5
# Requests each P4 endpoint may send (warm-up + measured) before a member repeats.
POOL = int(os.environ.get("BENCH_MEETINGS_POOL", "16000"))
ONLY = [k for k in os.environ.get("BENCH_MEETINGS_ONLY", "").split(",") if k]  # debugging
DIRECT_RUNS = int(os.environ.get("BENCH_MEETINGS_DIRECT", "200"))
# The meeting night (per second): 8,000 branches x 30 members / 3,600 s, two motions.
NIGHT_CHECKIN_RATE = 67
NIGHT_VOTE_RATE = 133
NIGHT_BASE_S = int(os.environ.get("BENCH_NIGHT_BASE", "120"))
NIGHT_PEAK_S = int(os.environ.get("BENCH_NIGHT_PEAK", "60"))
NIGHT_PEAK_X = 3
NIGHT_OVERLOAD_S = int(os.environ.get("BENCH_NIGHT_OVERLOAD", "20"))
NIGHT_OVERLOAD_X = 1.5  # times the capacity wrk measured for check-in + vote forms
NIGHT_CAPACITY_S = int(os.environ.get("BENCH_NIGHT_CAPACITY", "60"))
NIGHT_CAPACITY_X = 0.8
NIGHT_CONNECTIONS = int(
    os.environ.get("BENCH_NIGHT_CONNECTIONS", "64")
)  # phones in flight at once (each request waits for a free one)
NIGHT_TIMEOUT_S = 10
NIGHT_DRAIN_S = 15
SESSION_HOURS = 6
CSRF_CHARS = string.ascii_letters + string.digits
log = harness.log


@dataclass
class Pool:
    """The meetings and the request lines of one load: each line one member's POST."""

    key: str
    label: str
    action: str  # "check_in" | "vote"
    client: str  # "html" | "api"
    ballot: str = ""
    meetings: list[int] = field(default_factory=list)
    motions: list[int] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    users: list[int] = field(default_factory=list)  # whose lines these are
    members: int = 0
    smoke: dict = field(default_factory=dict)
    opened_s: float = 0.0  # Credentials.open_pages before the measurement
    sql: dict = field(default_factory=dict)
    loads: list[dict] = field(default_factory=list)
    verify: dict = field(default_factory=dict)


# ----- setup and cleanup ----------------------------------------------------------------


def setup() -> dict:
    db_url = os.environ.get("BENCH_DATABASE_URL", harness.DEFAULT_DB)
    env = harness.bench_env(db_url, "bench-" + secrets.token_urlsafe(48))
    os.environ.update({k: env[k] for k in env if k.startswith(("SOTAY_", "DATABASE_URL", "DJANGO_"))})  # fmt: skip
    os.environ.pop("REDIS_URL", None)
    if "REDIS_URL" in env:
        os.environ["REDIS_URL"] = env["REDIS_URL"]
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


def cleanup(session_keys: list[str] | None = None) -> dict:
    """Delete every bench meeting and what hangs off it, the bench tokens, and the given
    sessions. Child rows first: votes, marks, boxes and motions are PROTECTed."""
    from django.contrib.sessions.models import Session
    from django.db import transaction

    from sotay.accounts.models import ApiToken
    from sotay.meetings.models import (
        AgendaItem,
        Attendance,
        BallotBox,
        Meeting,
        Motion,
        RosterEntry,
        Vote,
        VoterMark,
    )

    meetings = Meeting.objects.filter(topic__startswith=MARKER)
    out = {}
    with transaction.atomic():
        for name, qs in (
            ("votes", Vote.objects.filter(motion__meeting__in=meetings)),
            ("voter_marks", VoterMark.objects.filter(motion__meeting__in=meetings)),
            ("ballot_boxes", BallotBox.objects.filter(motion__meeting__in=meetings)),
            ("motions", Motion.objects.filter(meeting__in=meetings)),
            ("attendances", Attendance.objects.filter(entry__meeting__in=meetings)),
            ("roster", RosterEntry.objects.filter(meeting__in=meetings)),
            ("agenda", AgendaItem.objects.filter(meeting__in=meetings)),
        ):
            out[name] = qs._raw_delete(qs.db)
        out["meetings"] = meetings.delete()[0]
        out["tokens"] = ApiToken.objects.filter(name=TOKEN_NAME).delete()[0]
    deleted = 0
    keys = list(session_keys or [])
    for i in range(0, len(keys), 5000):
        deleted += Session.objects.filter(session_key__in=keys[i : i + 5000]).delete()[0]
    out["sessions"] = deleted
    vacuum()
    return out


CHURNED = ("meetings_vote", "meetings_votermark", "meetings_ballotbox", "meetings_motion",
           "meetings_attendance", "meetings_rosterentry", "meetings_agendaitem",
           "meetings_meeting", "accounts_apitoken", "django_session")  # fmt: skip


def vacuum() -> None:
    """Each run inserts and deletes ~100,000 roster lines, votes and sessions. Their dead
    index entries sit at the end of the id indexes, exactly where the planner probes
    for the newest ids (it reads the index's actual extremes when a value lies past the
    statistics): unvacuumed, planning the check-in's join took 5.4 ms instead of 2.7.
    A live system does not delete a night's rows; vacuum so the next run measures that."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM (ANALYZE) " + ", ".join(CHURNED))


def analyze() -> None:
    """Once the pools are prepared, the tables they filled are analysed, as a live
    system's statistics know its sessions and tonight's rosters. The run's own cleanup
    had vacuumed them nearly empty: on those statistics the session lookup took the
    expiry-date index and rechecked all ~70,000 new sessions (8–14 ms per signed-in
    request instead of ~0.1 ms; the signed-in floor fell to 0.09 H)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE " + ", ".join(CHURNED))


# ----- preparation ----------------------------------------------------------------------


class Preparer:
    """Picks branches and opens meetings in them through the services."""

    def __init__(self, exclude_orgs: set[int]):
        from sotay.accounts.models import AccountStatus, User
        from sotay.organizations.models import BRANCH_TYPES, Organization, Position, Seat

        today = dt.date.today()
        seats = dict(
            Seat.objects.filter(
                position=Position.SECRETARY,
                organization__org_type__in=BRANCH_TYPES,
                starts_on__lte=today,
                ends_on__isnull=True,
            ).values_list("organization_id", "member_id")
        )
        secretaries = {
            u.member_id: u
            for u in User.objects.filter(
                member_id__in=seats.values(), status=AccountStatus.ACTIVE, is_active=True
            ).select_related("member")
        }
        orgs = [o for o in seats if o not in exclude_orgs and seats[o] in secretaries]
        random.Random(SEED).shuffle(orgs)
        self.queue = orgs
        self.seats = seats
        self.secretaries = secretaries
        self.organizations = Organization.objects.in_bulk(orgs)
        self.now = dt.datetime.now(dt.UTC)
        self.meetings_opened = 0
        self.seconds = 0.0

    def next_branch(self):
        org_id = self.queue.pop()
        return self.organizations[org_id], self.secretaries[self.seats[org_id]]

    def open_meeting(self, org, secretary):
        """Scheduled and started by the branch's secretary. The announcement is set on the
        row, not through `announce_meeting`: its notices to every member would stay in
        their inboxes (and in other benches' home feeds) after the run."""
        from sotay.meetings import services
        from sotay.meetings.models import Meeting, MeetingState

        t0 = time.perf_counter()
        meeting = services.schedule_meeting(
            user=secretary,
            organization=org,
            topic=f"{MARKER} Sinh hoạt chi bộ",
            starts_at=self.now - dt.timedelta(minutes=5),
            ends_at=self.now + dt.timedelta(hours=4),
            place="Hội trường nhà văn hóa",
            agenda=[("Thông qua nghị quyết tháng", None)],
        )
        Meeting.objects.filter(pk=meeting.pk).update(
            state=MeetingState.ANNOUNCED, announced_at=self.now
        )
        meeting.state = MeetingState.ANNOUNCED
        meeting = services.start_meeting(user=secretary, meeting=meeting)
        self.meetings_opened += 1
        self.seconds += time.perf_counter() - t0
        return meeting

    def open_motions(self, meeting, secretary, ballots: list[str]) -> list[int]:
        """All summoned marked present (set on the rows: the check-in itself is measured
        elsewhere), then the motions opened through the service."""
        from sotay.meetings import services
        from sotay.meetings.models import Attendance, AttendanceStatus, CheckInMethod

        t0 = time.perf_counter()
        Attendance.objects.filter(entry__meeting=meeting).update(
            status=AttendanceStatus.PRESENT, method=CheckInMethod.PHONE, checked_in_at=self.now
        )
        motions = [
            services.open_motion(
                user=secretary,
                meeting=meeting,
                title=f"Biểu quyết {n}: thông qua nghị quyết chi bộ",
                ballot=ballot,
            ).pk
            for n, ballot in enumerate(ballots, start=1)
        ]
        self.seconds += time.perf_counter() - t0
        return motions


def users_by_member(member_ids) -> dict:
    from sotay.accounts.models import AccountStatus, User

    return {
        u.member_id: u
        for u in User.objects.filter(
            member_id__in=list(member_ids), status=AccountStatus.ACTIVE, is_active=True
        ).select_related("member")
    }


def roster(meeting_id: int, voters_only: bool) -> list[int]:
    from sotay.meetings import quorum
    from sotay.meetings.models import RosterEntry

    qs = RosterEntry.objects.filter(meeting_id=meeting_id)
    if voters_only:
        qs = qs.filter(category__in=quorum.VOTING_CATEGORIES)
    return list(qs.order_by("pk").values_list("member_id", flat=True))


def fill(prep: Preparer, need: int, action: str, ballots: list[str]):
    """Meetings until `need` (member, meeting) check-ins or (member, motion) votes exist.
    Yields (meeting_id, motion_ids, secretary_member_id, [users])."""
    made = 0
    while made < need:
        org, secretary = prep.next_branch()
        meeting = prep.open_meeting(org, secretary)
        motions = prep.open_motions(meeting, secretary, ballots) if action == "vote" else []
        members = roster(meeting.pk, voters_only=action == "vote")
        users = users_by_member(members)
        people = [users[m] for m in members if m in users]
        made += len(people) * (len(motions) if action == "vote" else 1)
        yield meeting.pk, motions, people


class Credentials:
    """Sessions (written in bulk with the configured session store's encoding) and API
    tokens (rows with the hash `accounts.services` gives them), one per member."""

    def __init__(self):
        self.csrf = "".join(secrets.choice(CSRF_CHARS) for _ in range(32))
        self.session_keys: list[str] = []
        self.pending_sessions: list = []
        self.pending_tokens: list = []
        self.cookies: dict[int, str] = {}
        self.tokens: dict[int, str] = {}

    def cookie(self, user) -> str:
        if user.pk not in self.cookies:
            import importlib

            from django.conf import settings
            from django.contrib.sessions.models import Session
            from django.utils.crypto import get_random_string

            store = importlib.import_module(settings.SESSION_ENGINE).SessionStore()
            key = get_random_string(32, string.ascii_lowercase + string.digits)
            data = store.encode(
                {
                    "_auth_user_id": str(user.pk),
                    "_auth_user_backend": "sotay.accounts.backends.IdentifierBackend",
                    "_auth_user_hash": user.get_session_auth_hash(),
                }
            )
            expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=SESSION_HOURS)
            self.pending_sessions.append(
                Session(session_key=key, session_data=data, expire_date=expires)
            )
            self.session_keys.append(key)
            self.cookies[user.pk] = (
                f"{settings.SESSION_COOKIE_NAME}={key}; {settings.CSRF_COOKIE_NAME}={self.csrf}"
            )
        return self.cookies[user.pk]

    def token(self, user) -> str:
        if user.pk not in self.tokens:
            from django.conf import settings

            from sotay.accounts.models import ApiToken
            from sotay.accounts.services import _hash_token

            plain = "sotay_" + secrets.token_urlsafe(32)
            now = dt.datetime.now(dt.UTC)
            self.pending_tokens.append(
                ApiToken(
                    user=user, name=TOKEN_NAME, key_hash=_hash_token(plain), prefix=plain[6:14],
                    expires_at=now + dt.timedelta(days=settings.SOTAY_API_TOKEN_DAYS),
                    last_used_at=now,
                )
            )  # fmt: skip
            self.tokens[user.pk] = plain
        return self.tokens[user.pk]

    def flush(self) -> None:
        from django.contrib.sessions.models import Session

        from sotay.accounts.models import ApiToken

        Session.objects.bulk_create(self.pending_sessions, batch_size=2000)
        self._cache_sessions(self.pending_sessions)
        ApiToken.objects.bulk_create(self.pending_tokens, batch_size=2000)
        self.pending_sessions, self.pending_tokens = [], []

    @staticmethod
    def _cache_sessions(sessions: list) -> None:
        """With Redis sessions (`cached_db`), signing in writes the session to the cache
        as well as to the table (`SessionStore.save`); rows written in bulk skip that, and
        every measured request would read its session from PostgreSQL. Write the cache
        entries the store would have written."""
        import importlib

        from django.conf import settings
        from django.core.cache import caches

        if settings.SESSION_ENGINE != "django.contrib.sessions.backends.cached_db":
            return
        module = importlib.import_module(settings.SESSION_ENGINE)
        store = module.SessionStore()
        cache = caches[settings.SESSION_CACHE_ALIAS]
        age = SESSION_HOURS * 3600
        for i in range(0, len(sessions), 2000):
            cache.set_many(
                {
                    module.KEY_PREFIX + s.session_key: store.decode(s.session_data)
                    for s in sessions[i : i + 2000]
                },
                age,
            )

    @staticmethod
    def touch_tokens() -> None:
        """A phone that has just opened the meeting: its token was used within 5 min, so
        the API's throttled `last_used_at` write is not paid by every measured request."""
        from django.utils import timezone

        from sotay.accounts.models import ApiToken

        ApiToken.objects.filter(name=TOKEN_NAME).update(last_used_at=timezone.now())

    @staticmethod
    def open_pages(user_ids: list[int], grants: bool = False) -> float:
        """Every measured POST follows, on a real phone, the GET of the page that holds its
        button and CSRF token (the check-in page, the meeting page with the open motion):
        that GET has put the member's session user in the shared cache seconds before
        (`cached_for_user`, kept 5 min). Do what that GET did, through the same backend
        call, so a POST is not charged for a first request it never is. Only the Redis
        entry: the near copy in the process that served the GET is not made, so a POST
        still reads its session and user from Redis (2 round trips). `grants`: the GET
        was the API's motion, whose answer needs the user's roles (`may_run`), so their
        grants were cached too. Seconds taken."""
        from sotay.accounts import permissions
        from sotay.accounts.backends import IdentifierBackend

        t0 = time.perf_counter()
        backend = IdentifierBackend()
        for pk in dict.fromkeys(user_ids):
            user = backend.get_user(pk)
            if grants and user is not None:
                permissions.grants_for(user)
        return round(time.perf_counter() - t0, 1)


def choice_for(rng: random.Random) -> int:
    """Mostly "Tán thành", some "Không tán thành", a few "Ý kiến khác"."""
    r = rng.random()
    return 0 if r < 0.85 else 1 if r < 0.95 else 2


def line_for(pool: Pool, creds: Credentials, user, meeting: int, motion: int | None, rng) -> str:
    if pool.client == "html":
        auth = creds.cookie(user)
        if pool.action == "check_in":
            path, body = f"/sinh-hoat/{meeting}/diem-danh/", f"csrfmiddlewaretoken={creds.csrf}"
        else:
            path = f"/sinh-hoat/{meeting}/bieu-quyet/{motion}/"
            body = f"csrfmiddlewaretoken={creds.csrf}&choice={choice_for(rng)}"
        return f"cookie\t{auth}\t{path}\t{body}"
    auth = creds.token(user)
    if pool.action == "check_in":
        path, body = f"/api/v1/meetings/{meeting}/check-in", '{"code": ""}'
    else:
        path = f"/api/v1/meetings/{meeting}/motions/{motion}/vote"
        body = json.dumps({"choices": [choice_for(rng)]})
    return f"bearer\t{auth}\t{path}\t{body}"


def prepare_pool(prep: Preparer, creds: Credentials, pool: Pool, need: int, ballots: list[str]):
    rng = random.Random(f"{SEED}-{pool.key}")
    for meeting, motions, people in fill(prep, need, pool.action, ballots):
        pool.meetings.append(meeting)
        pool.motions += motions
        pool.members += len(people)
        for user in people:
            pool.users.append(user.pk)
            if pool.action == "check_in":
                pool.lines.append(line_for(pool, creds, user, meeting, None, rng))
            else:
                pool.lines += [line_for(pool, creds, user, meeting, m, rng) for m in motions]
    # Many meetings at once, as on a meeting night: consecutive requests hit different
    # meetings and motions (a secret ballot's box row is locked per motion).
    rng.shuffle(pool.lines)
    creds.flush()


# ----- in-process timings -----------------------------------------------------------------


def direct_timings(prep: Preparer) -> dict:
    """One `check_in` and one `cast_vote` (open, then secret ballot) through the services,
    each call a different member, each its own transaction and commit."""
    from sotay.meetings import services
    from sotay.meetings.models import Ballot, Meeting, Motion

    out = {}
    calls: list = []
    while len(calls) < DIRECT_RUNS + 3:
        org, secretary = prep.next_branch()
        meeting = prep.open_meeting(org, secretary)
        meeting = Meeting.objects.select_related("organization").get(pk=meeting.pk)
        users = users_by_member(roster(meeting.pk, voters_only=False))
        calls += [(u, meeting) for u in users.values()]
    it = iter(calls)

    def check_in():
        user, meeting = next(it)
        services.check_in(user=user, meeting=meeting)

    out["check_in"] = harness.summary(harness.timed(check_in, DIRECT_RUNS))
    for ballot in (Ballot.OPEN, Ballot.SECRET):
        votes: list = []
        while len(votes) < DIRECT_RUNS + 3:
            org, secretary = prep.next_branch()
            meeting = prep.open_meeting(org, secretary)
            motion_ids = prep.open_motions(meeting, secretary, [ballot, ballot])
            motions = Motion.objects.select_related("meeting__organization").filter(
                pk__in=motion_ids
            )
            users = users_by_member(roster(meeting.pk, voters_only=True)).values()
            votes += [(u, m) for m in motions for u in users]
        random.Random(SEED).shuffle(votes)
        it_votes = iter(votes)

        def vote(it_votes=it_votes):
            user, motion = next(it_votes)
            services.cast_vote(user=user, motion=motion, choices=[0])

        out[f"cast_vote_{ballot}"] = harness.summary(harness.timed(vote, DIRECT_RUNS))
    for key, d in out.items():
        log(f"in-process {key}: p50 {d['p50_ms']} ms, p95 {d['p95_ms']} ms")
    return out


def direct_requests(prep: Preparer, creds: Credentials, floor_user) -> dict:
    """The whole request in-process, no HTTP and no concurrency: Django's test client
    (one client, so the middleware is loaded once) through the same middleware, view and
    service, each POST a different member: shows what the server spends per request."""
    from django.db import connection
    from django.test import Client

    from sotay.meetings.models import Ballot

    client = Client(HTTP_HOST="127.0.0.1")
    out = {}
    sql_ms: list[float] = []

    def wrapper(execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            sql_ms.append((time.perf_counter() - t0) * 1000)

    for key, action, ballots in (("html_check_in", "check_in", []),
                                 ("html_vote_open", "vote", [Ballot.OPEN, Ballot.OPEN])):  # fmt: skip
        pool = Pool("direct_" + key, "", action, "html", ballots[0] if ballots else "")
        prepare_pool(prep, creds, pool, DIRECT_RUNS + 3, ballots)
        analyze()
        lines = iter(pool.lines)
        statuses: Counter = Counter()

        def post(lines=lines, statuses=statuses):
            _kind, auth, path, body = next(lines).split("\t", 3)
            client.cookies.clear()
            for part in auth.split("; "):
                name, value = part.split("=", 1)
                client.cookies[name] = value
            statuses[
                client.post(
                    path, body, content_type="application/x-www-form-urlencoded"
                ).status_code
            ] += 1

        sql_ms.clear()
        with connection.execute_wrapper(wrapper):
            ms = harness.timed(post, DIRECT_RUNS)
        out[key] = harness.summary(ms) | {
            "sql_ms_per_request": round(sum(sql_ms) / (DIRECT_RUNS + 3), 2),
            "statuses": {str(k): v for k, v in statuses.items()},
        }
    name, value = harness.session_cookie(floor_user).split("=", 1)
    client.cookies.clear()
    client.cookies[name] = value
    out["floor"] = harness.summary(harness.timed(lambda: client.get("/healthz"), DIRECT_RUNS))
    for key, d in out.items():
        log(f"in-process request {key}: p50 {d['p50_ms']} ms, p95 {d['p95_ms']} ms")
    return out


# ----- load -------------------------------------------------------------------------------


def run_post_wrk(base: str, lines: list[str], seconds: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(lines) + "\n")
        lines_file = f.name
    env = dict(os.environ, BENCH_LINES_FILE=lines_file, BENCH_WRK_THREADS=str(harness.WRK_THREADS))
    cmd = ["wrk", f"-t{harness.WRK_THREADS}", f"-c{harness.CONNECTIONS}", f"-d{seconds}s",
           "--timeout", "10s", "-s", str(BENCH / "wrk_post.lua"), base]  # fmt: skip
    try:
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=seconds + 60,
                             check=True)  # fmt: skip
    finally:
        os.unlink(lines_file)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("BENCHJSON ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no result:\n{out.stdout}\n{out.stderr}")
    raw = json.loads(line.removeprefix("BENCHJSON "))
    secs = raw["duration_us"] / 1e6
    lat, e = raw["latency_us"], raw["errors"]
    return {
        "requests": raw["requests"], "seconds": round(secs, 2),
        "rps": round(raw["requests"] / secs, 1),
        "p50_ms": lat["p50"] / 1000, "p90_ms": lat["p90"] / 1000, "p95_ms": lat["p95"] / 1000,
        "p99_ms": lat["p99"] / 1000, "max_ms": lat["max"] / 1000,
        "mean_ms": round(lat["mean"] / 1000, 2),
        "socket_errors": e["connect"] + e["read"] + e["write"] + e["timeout"], "errors": e,
        "repeats": raw["repeats"], "statuses": raw["statuses"], "messages": raw["messages"],
        "calls": raw["calls"], "unanswered": raw["calls"] - raw["requests"],
        "lines": len(lines),
    }  # fmt: skip


_decoded: dict[str, tuple[str, str]] = {}


def decode_message(value: str | None) -> tuple[str, str]:
    """("accepted" | "refused" | "none", text) of a `messages` cookie set by the forms."""
    if not value:
        return "none", ""
    if value not in _decoded:
        from http.cookies import SimpleCookie

        from django.contrib import messages
        from django.contrib.messages.storage.cookie import CookieStorage
        from django.http import HttpRequest

        jar = SimpleCookie()
        jar.load(f"messages={value}")
        decoded = CookieStorage(HttpRequest())._decode(jar["messages"].value) or []
        levels = {m.level for m in decoded}
        text = " / ".join(str(m.message) for m in decoded)
        kind = "accepted" if levels == {messages.SUCCESS} else "refused" if levels else "none"
        _decoded[value] = (kind, text)
    return _decoded[value]


def classify(pool: Pool, statuses: dict, cookies: dict) -> dict:
    """Accepted, refused (by message or status) and failed answers of one load."""
    out = {"accepted": 0, "refused": Counter(), "other": Counter()}
    for status, n in statuses.items():
        s = int(status)
        if pool.client == "api":
            if s == 200:
                out["accepted"] += n
            elif s in (400, 403, 409):
                out["refused"][f"HTTP {s}"] += n
            else:
                out["other"][f"HTTP {s}"] += n
        elif s != 302:
            out["other"][f"HTTP {s}"] += n
    if pool.client == "html":
        seen = 0
        for value, n in cookies.items():
            kind, text = decode_message(value)
            seen += n
            if kind == "accepted":
                out["accepted"] += n
            elif kind == "refused":
                out["refused"][text] += n
            else:
                out["other"]["302 without message"] += n
        missing = int(statuses.get("302", 0)) - seen
        if missing:
            out["other"]["302 without message"] += missing
    return {"accepted": out["accepted"], "refused": dict(out["refused"]), "other": dict(out["other"])}  # fmt: skip


def sql_of_one(pool: Pool) -> dict:
    """The SQL statements of one request (the pool's last line, taken out of the load),
    in-process through Django's test client and the same middleware."""
    from django.db import connection
    from django.test import Client

    kind, auth, path, body = pool.lines.pop().split("\t", 3)
    client = Client(HTTP_HOST="127.0.0.1")
    statements: list[str] = []

    def wrapper(execute, sql, params, many, context):
        statements.append(sql[:160])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        if kind == "cookie":
            for part in auth.split("; "):
                name, value = part.split("=", 1)
                client.cookies[name] = value
            response = client.post(path, body, content_type="application/x-www-form-urlencoded")
        else:
            response = client.post(path, body, content_type="application/json",
                                   headers={"Authorization": f"Bearer {auth}"})  # fmt: skip
    message = response.cookies["messages"].value if "messages" in response.cookies else None
    accepted = (
        response.status_code == 200
        if kind == "bearer"
        else decode_message(message)[0] == "accepted"
    )
    return {"statements": len(statements), "status": response.status_code, "accepted": accepted,
            "sql": statements}  # fmt: skip


def smoke(base: str, line: str) -> dict:
    """One request by hand before the load: its status and headers, so a CSRF or session
    problem stops the bench instead of being measured."""
    import http.client

    kind, auth, path, body = line.split("\t", 3)
    headers = (
        {"Cookie": auth, "Content-Type": "application/x-www-form-urlencoded"}
        if kind == "cookie"
        else {"Authorization": f"Bearer {auth}", "Content-Type": "application/json"}
    )
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request("POST", path, body=body.encode(), headers=headers)
        r = conn.getresponse()
        payload = r.read()
        cookies = [v for k, v in r.getheaders() if k.lower() == "set-cookie"]
    finally:
        conn.close()
    message = next((c.split(";")[0][9:] for c in cookies if c.startswith("messages=")), None)
    return {
        "status": r.status,
        "set_cookie_names": [c.split("=")[0] for c in cookies],
        "location": r.getheader("Location"),
        "message": decode_message(message)[1] if message else "",
        "cookie": message,
        "body": payload[:300].decode(errors="replace") if kind == "bearer" else "",
    }


# ----- the meeting night: fixed arrival rate --------------------------------------------------


def request_bytes(line: str, port: int) -> bytes:
    kind, auth, path, body = line.split("\t", 3)
    auth_header = f"Cookie: {auth}" if kind == "cookie" else f"Authorization: Bearer {auth}"
    ctype = "application/x-www-form-urlencoded" if kind == "cookie" else "application/json"
    data = body.encode()
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{auth_header}\r\n"
            f"Content-Type: {ctype}\r\nContent-Length: {len(data)}\r\n\r\n")  # fmt: skip
    return head.encode() + data


async def _read_response(reader) -> tuple[int, str | None, bool]:
    line = await reader.readline()
    if not line:
        raise ConnectionError("closed before the answer")
    status = int(line.split()[1])
    length, chunked, cookie, close = 0, False, None, False
    while True:
        h = await reader.readline()
        if h in (b"\r\n", b"\n", b""):
            break
        name, _, value = h.decode("latin-1").partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
        elif name == "set-cookie" and value.startswith("messages="):
            cookie = value.split(";", 1)[0][len("messages=") :]
        elif name == "connection" and value.lower() == "close":
            close = True
    if chunked:
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status, cookie, close


async def _night(port: int, schedule: list[tuple[float, str, str, bytes, int]]) -> list[tuple]:
    """Send each request at its scheduled offset (seconds) over at most NIGHT_CONNECTIONS
    keep-alive connections. A phone gives up NIGHT_TIMEOUT_S after its scheduled time:
    still waiting for a free connection then, it is never sent ("unsent"); sent and not
    answered, "TimeoutError" (the server may still handle it). Result per request:
    (phase, stream, offset, latency from the scheduled time, status or 0, messages
    cookie or error name, the index of its prepared line)."""
    loop = asyncio.get_running_loop()
    idle: list = []
    slots = asyncio.Semaphore(NIGHT_CONNECTIONS)
    results: list[tuple] = []
    start = loop.time() + 0.5

    async def exchange(conn, raw):
        reader, writer = conn
        writer.write(raw)
        await writer.drain()
        return await _read_response(reader)

    async def send(raw):
        conn, reused = (idle.pop(), True) if idle else (None, False)
        for attempt in (1, 2):
            try:
                if conn is None:
                    conn = await asyncio.open_connection("127.0.0.1", port)
                status, cookie, close = await exchange(conn, raw)
                break
            except (ConnectionError, asyncio.IncompleteReadError):
                # a kept-alive connection the server had closed: once more on a fresh one
                if conn is not None:
                    conn[1].close()
                conn = None
                if attempt == 2 or not reused:
                    raise
            except BaseException:  # the phone's deadline (cancellation): drop the connection
                if conn is not None:
                    conn[1].close()
                raise
        if close:
            conn[1].close()
        else:
            idle.append(conn)
        return status, cookie

    async def one(offset, phase, stream, raw, line_no):
        deadline = start + offset + NIGHT_TIMEOUT_S
        try:
            async with asyncio.timeout_at(deadline):
                await slots.acquire()
        except TimeoutError:
            results.append((phase, stream, offset, NIGHT_TIMEOUT_S, 0, "unsent", line_no))
            return
        try:
            async with asyncio.timeout_at(deadline):
                status, cookie = await send(raw)
            results.append(
                (phase, stream, offset, loop.time() - start - offset, status, cookie, line_no)
            )
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
            results.append(
                (phase, stream, offset, loop.time() - start - offset, 0, type(exc).__name__,
                 line_no)
            )  # fmt: skip
        finally:
            slots.release()

    tasks = []
    for offset, phase, stream, raw, line_no in schedule:
        delay = start + offset - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(
            asyncio.create_task(
                one(offset, phase, stream, raw, line_no), name=f"{phase}|{stream}|{line_no}"
            )
        )
    if tasks:  # every task ends by its deadline; the bound is a safety net
        _done, pending = await asyncio.wait(tasks, timeout=NIGHT_TIMEOUT_S + NIGHT_DRAIN_S)
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError):
                await task
            phase, stream, line_no = task.get_name().split("|")
            results.append((phase, stream, 0.0, float("nan"), 0, "unfinished", int(line_no)))
    for conn in idle:
        conn[1].close()
    return results


def night_plan(capacity: float) -> list[dict]:
    """First a minute at 0.8 x the capacity wrk measured for the forms (what the server
    does sustain, before any backlog) and a pause, then the night's rate, its 3x peak and, when the
    peak stayed below it, 1.5 x capacity. Check-ins and votes 1 : 2 throughout."""
    phases = []
    if capacity and NIGHT_CAPACITY_S:
        total = capacity * NIGHT_CAPACITY_X
        # then a pause as long as a phone waits, so this minute's requests are not caught
        # in the next phase's queue
        phases.append({"phase": f"{NIGHT_CAPACITY_X}x capacity", "seconds": NIGHT_CAPACITY_S,
                       "check_in": max(1, round(total / 3)), "vote": max(1, round(total * 2 / 3)),
                       "quiet_after": NIGHT_TIMEOUT_S + 2})  # fmt: skip
    phases += [
        {"phase": "base", "seconds": NIGHT_BASE_S, "check_in": NIGHT_CHECKIN_RATE, "vote": NIGHT_VOTE_RATE},
        {"phase": f"peak {NIGHT_PEAK_X}x", "seconds": NIGHT_PEAK_S,
         "check_in": NIGHT_CHECKIN_RATE * NIGHT_PEAK_X, "vote": NIGHT_VOTE_RATE * NIGHT_PEAK_X},
    ]  # fmt: skip
    if NIGHT_OVERLOAD_S and capacity:
        total = capacity * NIGHT_OVERLOAD_X
        if total > NIGHT_PEAK_X * (NIGHT_CHECKIN_RATE + NIGHT_VOTE_RATE):
            phases.append({"phase": f"overload {NIGHT_OVERLOAD_X}x capacity", "seconds": NIGHT_OVERLOAD_S,
                           "check_in": round(total / 3), "vote": round(total * 2 / 3)})  # fmt: skip
    return [p for p in phases if p["seconds"] > 0]


def night_needs(phases: list[dict]) -> dict:
    return {
        stream: sum(int(p[stream] * p["seconds"]) for p in phases)
        for stream in ("check_in", "vote")
    }


def run_night(port: int, phases: list[dict], pools: dict[str, Pool]) -> dict:
    schedule: list[tuple[float, str, str, bytes, int]] = []
    cursor = {"check_in": 0, "vote": 0}
    t = 0.0
    for p in phases:
        p["starts_s"] = t
        for stream in ("check_in", "vote"):
            n = int(p[stream] * p["seconds"])
            lines = pools[stream].lines
            for k in range(n):
                line_no = cursor[stream] % len(lines)
                cursor[stream] += 1
                schedule.append(
                    (t + (k + 0.5) / p[stream], p["phase"], stream,
                     request_bytes(lines[line_no], port), line_no)
                )  # fmt: skip
        t += p["seconds"] + p.get("quiet_after", 0)
    schedule.sort(key=lambda item: item[0])
    log(f"night: {len(schedule):,} requests over {t:.0f} s: "
        + ", ".join(f"{p['phase']} {p['seconds']} s at {p['check_in']}+{p['vote']}/s" for p in phases))  # fmt: skip
    t0, cpu0 = time.monotonic(), time.process_time()
    results = asyncio.run(_night(port, schedule))
    wall, cpu = time.monotonic() - t0, time.process_time() - cpu0
    out: dict = {"phases": [], "wall_s": round(wall, 1), "requests": len(schedule),
                 "generator_cpu_s": round(cpu, 1)}  # fmt: skip
    for p in phases:
        row = dict(p)
        for stream in ("check_in", "vote"):
            mine = [r for r in results if r[0] == p["phase"] and r[1] == stream]
            statuses = Counter(str(r[4]) for r in mine if r[4])
            errors = Counter(r[5] for r in mine if not r[4])
            cls = classify(
                pools[stream], dict(statuses), Counter(r[5] for r in mine if r[4] == 302 and r[5])
            )
            lat = [r[3] * 1000 for r in mine if r[4]]
            # when, from the phase's start, its last answer arrived
            late = max((r[2] + r[3] for r in mine if r[4]), default=0) - p["starts_s"]
            row[stream + "_result"] = {
                "sent": len(mine), "answered": sum(statuses.values()),
                "accepted": cls["accepted"], "refused": cls["refused"], "other": cls["other"],
                "statuses": dict(statuses), "errors": dict(errors),
                "accepted_per_s": round(cls["accepted"] / p["seconds"], 1),
                "last_answer_s": round(late, 1),
                **({"p50_ms": round(harness.percentile(lat, 50), 1), "p95_ms": round(harness.percentile(lat, 95), 1),
                    "p99_ms": round(harness.percentile(lat, 99), 1), "max_ms": round(max(lat), 1)} if lat else {}),
            }  # fmt: skip
            r = row[stream + "_result"]
            log(f"night {p['phase']} {stream}: {r['accepted_per_s']}/s accepted of {p[stream]}/s offered, "
                f"p99 {r.get('p99_ms')} ms, statuses {r['statuses']}, errors {r['errors']}")  # fmt: skip
        out["phases"].append(row)
    out["unfinished"] = sum(1 for r in results if r[5] == "unfinished")
    out["unfinished_by_stream"] = dict(Counter(r[1] for r in results if r[5] == "unfinished"))
    out["repeats"] = {s: max(0, cursor[s] - len(pools[s].lines)) for s in cursor}
    # A member sent twice is answered "accepted" twice for one check-in: what the
    # database must hold is the members with an accepted answer (+ some timed out).
    answered_ok = {
        r[6] for r in results
        if r[1] == "check_in" and r[4] == 302 and decode_message(r[5])[0] == "accepted"
    }  # fmt: skip
    out["check_in_members_accepted"] = len(answered_ok)
    out["check_in_lost_unaccepted"] = len(
        {r[6] for r in results if r[1] == "check_in" and not r[4]} - answered_ok
    )
    return out


# ----- SQL checks -----------------------------------------------------------------------------


def pool_rows(pool: Pool) -> int:
    from sotay.meetings.models import Attendance, AttendanceStatus, Vote, VoterMark

    if pool.action == "check_in":
        return (
            Attendance.objects.filter(entry__meeting_id__in=pool.meetings)
            .exclude(status=AttendanceStatus.ABSENT)
            .count()
        )
    return (
        Vote.objects.filter(motion_id__in=pool.motions).count()
        + VoterMark.objects.filter(motion_id__in=pool.motions).count()
    )


def settle(pool: Pool, limit_s: float = 30) -> float:
    """Wait (bounded) until the server has finished the requests its clients gave up
    on: the pool's rows unchanged over 1 s. Returns the seconds waited."""
    t0 = time.monotonic()
    last = pool_rows(pool)
    steady = 0
    while steady < 2 and time.monotonic() - t0 < limit_s:
        time.sleep(0.5)
        now = pool_rows(pool)
        steady = steady + 1 if now == last else 0
        last = now
    return round(time.monotonic() - t0, 1)


def verify(pool: Pool, accepted: int, unanswered: int = 0, repeats: int = 0) -> dict:
    """What the database holds for the pool's meetings against what the server said.
    Exact when every request was answered (the night); after wrk, the requests still in
    flight when it stopped (`unanswered`) were handled by the server but their answers
    never read, so rows lie in [accepted, accepted + unanswered]. A repeated check-in is
    answered as accepted and adds no row; a repeated vote is refused."""
    from django.db import connection, transaction

    out: dict = {"accepted_answers": accepted, "unanswered": unanswered, "repeats": repeats,
                 "settled_s": settle(pool)}  # fmt: skip
    with transaction.atomic():  # one snapshot for every count below
        with connection.cursor() as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        return _verify(pool, accepted, unanswered, repeats, out)


def _verify(pool: Pool, accepted: int, unanswered: int, repeats: int, out: dict) -> dict:
    from django.db import connection

    from sotay.meetings import ballotbox
    from sotay.meetings.models import Attendance, AttendanceStatus, BallotBox, Vote, VoterMark

    if pool.action == "check_in":
        out["checked_in"] = n = (
            Attendance.objects.filter(entry__meeting_id__in=pool.meetings)
            .exclude(status=AttendanceStatus.ABSENT)
            .count()
        )
        out["ok"] = accepted - repeats <= n <= accepted + unanswered
        return out
    table = "meetings_votermark" if pool.ballot == "secret" else "meetings_vote"
    model = VoterMark if pool.ballot == "secret" else Vote
    out["rows"] = model.objects.filter(motion_id__in=pool.motions).count()
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT count(*) FROM (SELECT motion_id, member_id FROM {table} "  # noqa: S608
            "WHERE motion_id = ANY(%s) GROUP BY 1, 2 HAVING count(*) > 1) d",
            [pool.motions],
        )
        out["double_votes"] = cur.fetchone()[0]
    if pool.ballot == "secret":
        boxes = BallotBox.objects.filter(motion_id__in=pool.motions)
        out["sealed_ballots"] = sum(ballotbox.unseal(b.motion_id, b.sealed)[0] for b in boxes)
    out["ok"] = (
        accepted <= out["rows"] <= accepted + unanswered
        and out["double_votes"] == 0
        and out.get("sealed_ballots", out["rows"]) == out["rows"]
    )
    return out


# ----- report ---------------------------------------------------------------------------------


def fmt(v) -> str:
    return "–" if v is None else harness.fmt_ms(v)


def markdown(result: dict) -> str:
    env, h = result["environment"], result["h"]
    busy = max([h["start"]["cpu_busy_before"], h["end"]["cpu_busy_before"]]
               + [ld["cpu_busy_before"] for p in result["pools"] for ld in p["loads"] if "cpu_busy_before" in ld])  # fmt: skip
    lines = [
        f"# Bench `meetings` — {result['started'][:16].replace('T', ' ')} UTC",
        "",
        f"Commit {env['git']}. {env['cpus']} CPUs shared by app, PostgreSQL and the load "
        f"generator (other engineers' tests may run beside it); PostgreSQL {env['postgres']} "
        f"(max_connections {env['max_connections']}); granian {env['granian']} WSGI, "
        f"{env['workers']} workers × {env['threads']} threads (most DB connections seen "
        f"{result['max_db_connections']}); wrk {harness.CONNECTIONS} connections, "
        f"{harness.WARMUP_S} s warm-up + {harness.DURATION_S} s per endpoint. Data: "
        f"{env['members']:,} members, {env['branches']:,} branches; this run opened "
        f"{env['meetings']:,} meetings ({env['roster']:,} roster lines) in randomly picked "
        f"branches through `schedule_meeting` + `start_meeting` ({env['prepare_s']} s), "
        f"{env['sessions']:,} sessions and {env['tokens']:,} API tokens, all deleted at the end. "
        f"CPU busy with other work just before a measurement: at most {busy:.0%} "
        f"(the bench waits ≤ {harness.QUIET_WAIT_S} s for < 25 %).",
        "",
        f"**H** (`/healthz`): {h['start']['rps']:,.0f} req/s at the start, {h['end']['rps']:,.0f} "
        f"at the end → **H = {h['rps']:,.0f} req/s**; signed-in floor (`/healthz` with a session) "
        f"{result['floor']['rps']:,.0f} req/s = {result['floor']['rps'] / h['rps']:.2f} H.",
        "",
        "## P4: check-in and vote POSTs, each request a different member (wrk, closed loop)",
        "",
        "| endpoint | accepted/s | × H | P4 ≥ 0.25 H | answers/s (503 included) | p50 ms | p95 ms | p99 ms | accepted | refused | other non-2xx | socket errors | repeats | SQL/req | SQL check |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]  # fmt: skip
    for p in result["pools"]:
        ld = p["loads"][-1]
        c = ld["classified"]
        refused = sum(c["refused"].values())
        other = sum(c["other"].values())
        v = p["verify"]
        if p["action"] == "check_in":
            check = f"{v['checked_in']:,} checked in; {v['accepted_answers']:,} accepted"
        else:
            what = "voter marks" if p["ballot"] == "secret" else "votes"
            sealed = f", sealed count {v['sealed_ballots']:,}" if "sealed_ballots" in v else ""
            check = f"{v['rows']:,} {what}{sealed}; {v['accepted_answers']:,} accepted"
        check += (f" + ≤ {v['unanswered']} in flight when wrk stopped"
                  + (f", {v['repeats']} repeats" if v["repeats"] else "")
                  + (f"; doubles {v['double_votes']}" if "double_votes" in v else "")
                  + f" {'✓' if v['ok'] else '✗'}")  # fmt: skip
        done = ld.get("accepted_rps", ld["rps"])
        ratio = done / h["rps"]
        lines.append(
            f"| {p['label']} | {done:,.0f} | {ratio:.3f} | {'✓' if ratio >= 0.25 else '✗'} | "
            f"{ld['rps']:,.0f} | "
            f"{fmt(ld['p50_ms'])} | {fmt(ld['p95_ms'])} | {fmt(ld['p99_ms'])} | {c['accepted']:,} | "
            f"{refused:,} | {other:,} | {ld['socket_errors']} | {ld['repeats']} | "
            f"{p['sql'].get('statements', '–')} | {check} |"
        )
    lines += ["", "Endpoints: " + "; ".join(f"{p['label']} `{p['path']}`" for p in result["pools"]) + ".",
              "SQL check covers, per pool, one request in-process (its SQL/req), the smoke request, "
              "the warm-up and the measured run (their accepted answers are summed).",
              "On a phone every POST follows the GET of the page that holds its button (and its "
              "CSRF token), which has just put the member's session user in Redis; before each "
              "endpoint (and before the night) the bench does what that GET did for each member "
              "(`Credentials.open_pages`: " + ", ".join(f"{p['opened_s']} s" for p in result["pools"])
              + "). Not the near copy in the serving process: each POST still reads its session "
              "and user from Redis."]  # fmt: skip
    refusals = {t: n for p in result["pools"] for ld in p["loads"] for t, n in ld["classified"]["refused"].items()}  # fmt: skip
    others = {t: n for p in result["pools"] for ld in p["loads"] for t, n in ld["classified"]["other"].items()}  # fmt: skip
    if refusals:
        lines.append(
            "Refusals seen: " + "; ".join(f"“{t}” ×{n}" for t, n in refusals.items()) + "."
        )
    if others:
        lines.append("Other answers: " + "; ".join(f"{t} ×{n}" for t, n in others.items()) + ".")
    d = result["direct"]
    lines += [
        "",
        "## In-process, no HTTP, one at a time (before the server starts)",
        "",
        "| service | runs | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for key, label in (("check_in", "`services.check_in` (button)"),
                       ("cast_vote_open", "`services.cast_vote`, open ballot"),
                       ("cast_vote_secret", "`services.cast_vote`, secret ballot")):  # fmt: skip
        if key in d:
            lines.append(f"| {label} | {d[key]['runs']} | {d[key]['p50_ms']} | {d[key]['p95_ms']} | {d[key]['max_ms']} |")  # fmt: skip
    dr = result.get("direct_requests", {})
    for key, label in (("html_check_in", "whole HTML check-in POST (test client: middleware, session, view, service)"),
                       ("html_vote_open", "whole HTML vote POST, open ballot (same)"),
                       ("floor", "signed-in floor `/healthz` with a session (same)")):  # fmt: skip
        if key in dr:
            sql = (
                f"; SQL {dr[key]['sql_ms_per_request']} ms of it"
                if "sql_ms_per_request" in dr[key]
                else ""
            )
            lines.append(f"| {label}{sql} | {dr[key]['runs']} | {dr[key]['p50_ms']} | {dr[key]['p95_ms']} | {dr[key]['max_ms']} |")  # fmt: skip
    n = result.get("night")
    if n:
        lines += [
            "",
            "## A meeting night (HTML forms, fixed arrival rate)",
            "",
            f"8,000 branches × ~30 members in one hour → {NIGHT_CHECKIN_RATE} check-ins/s and "
            f"{NIGHT_VOTE_RATE} votes/s on average. Open-loop generator: each request leaves at "
            f"its scheduled time over ≤ {NIGHT_CONNECTIONS} keep-alive connections; latency is "
            f"counted from the scheduled time (queueing in the generator included); a phone "
            f"gives up {NIGHT_TIMEOUT_S} s after its scheduled time, sent or not. p50–max are of "
            f"the answered requests. After the 0.8x-capacity minute, {NIGHT_TIMEOUT_S + 2} s without "
            f"arrivals. Votes: one open and one secret motion per meeting. "
            f"{n['requests']:,} requests in {n['wall_s']} s (the generator used "
            f"{n['generator_cpu_s']} s of CPU); CPU busy before: {n['cpu_busy_before']:.0%}; "
            f"capacity taken from wrk above (HTML forms, accepted answers only): {n['capacity_rps']:.0f} req/s.",
            "",
            "| phase | s | stream | offered /s | accepted /s | p50 ms | p95 ms | p99 ms | max ms | refused | 429/503 | 500 | gave up unsent | timed out / socket errors |",
            "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]  # fmt: skip
        for p in n["phases"]:
            for stream in ("check_in", "vote"):
                r = p[stream + "_result"]
                shed = sum(v for k, v in r["statuses"].items() if k in ("429", "503"))
                five = sum(
                    v for k, v in r["statuses"].items() if k.startswith("5") and k not in ("503",)
                )
                lines.append(
                    f"| {p['phase']} | {p['seconds']} | {stream.replace('_', '-')} | {p[stream]} | "
                    f"{r['accepted_per_s']} | {fmt(r.get('p50_ms'))} | {fmt(r.get('p95_ms'))} | "
                    f"{fmt(r.get('p99_ms'))} | {fmt(r.get('max_ms'))} | {sum(r['refused'].values())} | "
                    f"{shed} | {five} | {r['errors'].get('unsent', 0)} | "
                    f"{sum(v for k, v in r['errors'].items() if k != 'unsent')} |"
                )
        nv = n["verify"]
        ci, vt = nv["check_in"], nv["votes_total"]
        per_ballot = "; ".join(
            f"{k} ballot {nv[k]['rows']:,} rows"
            + (f", sealed count {nv[k]['sealed_ballots']:,}" if "sealed_ballots" in nv[k] else "")
            + f", doubles {nv[k]['double_votes']}"
            for k in ("open", "secret")
        )
        lines += [
            "",
            f"SQL after the night (once the server had finished what phones gave up on): "
            f"{ci['checked_in']:,} check-ins = {ci['accepted_answers']:,} members answered "
            f"“accepted” + {ci['checked_in'] - ci['accepted_answers']:,} of the "
            f"{ci['unanswered']:,} whose requests all timed out {'✓' if ci['ok'] else '✗'} "
            f"({ci.get('accepted_answers_all', ci['accepted_answers']):,} accepted answers in "
            f"all: a member sent twice is answered “accepted” again, with no second row); "
            f"{vt['rows']:,} votes = {vt['accepted_answers']:,} accepted "
            f"+ {vt['rows'] - vt['accepted_answers']:,} of the {vt['unanswered']:,} timed out "
            f"{'✓' if vt['ok'] else '✗'} ({per_ballot}). "
            f"Requests left unanswered at the bound: {n['unfinished']}; members sent twice "
            f"because the night outran its prepared lines: {n['repeats']}.",
        ]
    statuses: Counter = Counter()
    for p in result["pools"]:
        for ld in p["loads"]:
            statuses.update({k: v for k, v in ld["statuses"].items()})
    for p in (n or {}).get("phases", []):
        for stream in ("check_in", "vote"):
            statuses.update(p[stream + "_result"]["statuses"])
    shed = sum(v for k, v in statuses.items() if k in ("429", "503"))
    five = sum(v for k, v in statuses.items() if k.startswith("5") and k != "503")
    lines += [
        "",
        "## Reading",
        "",
        f"- P4 (≥ 0.25 H): best endpoint {max(p['loads'][-1].get('accepted_rps', p['loads'][-1]['rps']) for p in result['pools']) / h['rps']:.3f} H accepted; "
        f"the signed-in floor alone is {result['floor']['rps'] / h['rps']:.2f} H.",
        f"- Overload answers over the whole run: {shed} × 429/503, {five} × 5xx (of "
        f"{sum(statuses.values()):,} answers). "
        + (
            "Past its admitted requests and a short queue the server answers 503 + Retry-After "
            "at once (sotay/core/admission.py) instead of letting phones wait until they give up."
            if shed
            else "The server shed nothing: excess requests waited (granian backpressure, then the "
            "listen backlog) until the phone gave up."
        ),
    ]
    if n:
        ci, vt = n["verify"]["check_in"], n["verify"]["votes_total"]
        lines.append(
            f"- The night: {ci['checked_in'] - ci['accepted_answers']:,} check-ins and "
            f"{vt['rows'] - vt['accepted_answers']:,} votes were recorded although the phone had "
            "timed out (it will see “already voted” if it tries again, never a second vote)."
        )
    lines += [
        f"- DB connections (P1: at most workers × threads = {env['workers'] * env['threads']}): "
        f"most seen {result['max_db_connections']} "
        + (
            "✓."
            if result["max_db_connections"] <= env["workers"] * env["threads"]
            else "✗ (counted from pg_stat_activity for the bench database right after the load; "
            "which process held the extra one was not traced)."
        ),
        "",
        f"Server log: {result['server_log']['tracebacks']} tracebacks in "
        f"{result['server_log']['lines']} lines. Raw figures: `{result['json']}` (not committed).",
    ]
    return "\n".join(lines) + "\n"


# ----- main -----------------------------------------------------------------------------------


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--markdown":  # rewrite the table from a JSON
        result = json.loads(Path(sys.argv[2]).read_text())
        (RESULTS / "meetings.md").write_text(markdown(result))
        return 0
    if subprocess.run(["which", "wrk"], capture_output=True).returncode != 0:
        raise SystemExit("wrk not found: apt-get install -y wrk")
    env = setup()
    from django.db import connection

    from sotay.accounts.models import User
    from sotay.meetings.models import Ballot
    from sotay.members.models import Member

    started = dt.datetime.now(dt.UTC)
    stamp = started.strftime("%Y%m%d-%H%M%S")
    RESULTS.mkdir(parents=True, exist_ok=True)
    leftovers = cleanup()
    if any(leftovers.values()):
        log(f"removed leftovers of an earlier run: {leftovers}")
    with connection.cursor() as cur:
        cur.execute("SHOW max_connections")
        max_conn = int(cur.fetchone()[0])
        cur.execute("SHOW server_version")
        pg_version = cur.fetchone()[0]
    threads = int(os.environ.get("BENCH_WEB_THREADS", "0")) or max(
        2, min(8, max_conn // 4 // harness.WORKERS)
    )
    personas = User.objects.filter(username__in=harness.PERSONAS)
    exclude = {o for u in personas.select_related("member") for o in (u.member.organization_id, u.member.temp_organization_id) if o}  # fmt: skip
    creds = Credentials()
    pools: list[Pool] = [
        Pool("html_check_in", "HTML check-in form (button)", "check_in", "html"),
        Pool("html_vote_open", "HTML vote form, open ballot", "vote", "html", Ballot.OPEN),
        Pool("html_vote_secret", "HTML vote form, secret ballot", "vote", "html", Ballot.SECRET),
        Pool("api_check_in", "API check-in", "check_in", "api"),
        Pool("api_vote_open", "API vote, open ballot", "vote", "api", Ballot.OPEN),
        Pool("api_vote_secret", "API vote, secret ballot", "vote", "api", Ballot.SECRET),
    ]
    pools = [p for p in pools if not ONLY or p.key in ONLY]
    paths = {
        "html_check_in": "POST /sinh-hoat/<id>/diem-danh/",
        "html_vote_open": "POST /sinh-hoat/<id>/bieu-quyet/<motion>/",
        "html_vote_secret": "POST /sinh-hoat/<id>/bieu-quyet/<motion>/",
        "api_check_in": "POST /api/v1/meetings/<id>/check-in",
        "api_vote_open": "POST /api/v1/meetings/<id>/motions/<motion>/vote",
        "api_vote_secret": "POST /api/v1/meetings/<id>/motions/<motion>/vote",
    }
    night_pools = {
        "check_in": Pool("night_check_in", "night check-in", "check_in", "html"),
        "vote": Pool("night_vote", "night votes", "vote", "html", "mixed"),
    }
    session_keys: list[str] = []
    server = None
    result: dict = {"name": "meetings", "started": started.isoformat(),
                    "json": f"bench/results/meetings-{stamp}.json"}  # fmt: skip

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        prep = Preparer(exclude)
        log(
            f"{len(prep.queue):,} branches with an active secretary; preparing pools of {POOL:,} requests"
        )
        t0 = time.perf_counter()
        result["direct"] = direct_timings(prep)
        result["direct_requests"] = direct_requests(
            prep, creds, personas.get(username="bench_member")
        )
        for pool in pools:
            ballots = [pool.ballot, pool.ballot] if pool.action == "vote" else []
            prepare_pool(prep, creds, pool, POOL, ballots)
            log(f"{pool.key}: {len(pool.meetings)} meetings, {len(pool.lines):,} requests")
        # The night: sized for a capacity up to 400/s (beyond it, members repeat: counted).
        need = night_needs(night_plan(400))
        prepare_pool(prep, creds, night_pools["check_in"], need["check_in"], [])
        prepare_pool(prep, creds, night_pools["vote"], need["vote"], [Ballot.OPEN, Ballot.SECRET])
        for pool in night_pools.values():
            log(f"{pool.key}: {len(pool.meetings)} meetings, {len(pool.lines):,} requests")
        session_keys = creds.session_keys
        analyze()
        prepare_s = round(time.perf_counter() - t0, 1)
        log(f"prepared {prep.meetings_opened:,} meetings in {prepare_s} s "
            f"(services {prep.seconds:.1f} s); {len(creds.session_keys):,} sessions, "
            f"{len(creds.tokens):,} tokens")  # fmt: skip
        for pool in pools:
            pool.sql = sql_of_one(pool)
            log(f"{pool.key}: {pool.sql['statements']} SQL statements, status {pool.sql['status']}")
        from sotay.meetings.models import RosterEntry

        with connection.cursor() as cur:
            cur.execute("ANALYZE meetings_meeting, meetings_rosterentry, meetings_attendance, "
                        "meetings_motion, meetings_vote, meetings_votermark, django_session, accounts_apitoken")  # fmt: skip
        import granian

        result["environment"] = {
            "git": harness.git_revision(), "cpus": os.cpu_count(), "host": platform.node(),
            "postgres": pg_version, "max_connections": max_conn, "granian": granian.__version__,
            "workers": harness.WORKERS, "threads": threads, "members": Member.objects.count(),
            "branches": len(prep.seats), "meetings": prep.meetings_opened,
            "roster": RosterEntry.objects.filter(meeting__topic__startswith=MARKER).count(),
            "prepare_s": prepare_s, "sessions": len(creds.session_keys), "tokens": len(creds.tokens),
            "loadavg_start": [round(x, 2) for x in os.getloadavg()],
        }  # fmt: skip

        log_path = RESULTS / f"server-meetings-{stamp}.log"
        server = harness.Server(env, harness.WORKERS, threads, log_path)
        log(f"starting granian: {harness.WORKERS} workers × {threads} threads on {server.base}")
        server.start()
        max_db = 0

        def measure_get(paths_, cookie):
            nonlocal max_db
            busy = harness.wait_for_quiet()
            harness.run_wrk(server.base, paths_, cookie, False, harness.WARMUP_S)
            res = harness.run_wrk(server.base, paths_, cookie, False, harness.DURATION_S)
            res["cpu_busy_before"] = busy
            res["db_connections"] = harness.db_connections()
            max_db = max(max_db, res["db_connections"])
            return res

        h_start = measure_get(["/healthz"], None)
        log(f"H (start): {h_start['rps']:.0f} req/s")
        floor_cookie = harness.session_cookie(personas.get(username="bench_member"))
        result["floor"] = measure_get(["/healthz"], floor_cookie)
        log(f"signed-in floor: {result['floor']['rps']:.0f} req/s")

        warm_share = harness.WARMUP_S / (harness.WARMUP_S + harness.DURATION_S)
        for pool in pools:
            pool.smoke = smoke(server.base, pool.lines[0])
            log(
                f"{pool.key} smoke: {pool.smoke['status']} {pool.smoke['message'] or pool.smoke['body'][:120]}"
            )
            if pool.smoke["status"] >= 500 or pool.smoke["status"] in (401, 403, 404):
                raise SystemExit(f"{pool.key}: the first request answered {pool.smoke}")
            if pool.key.startswith("api"):
                Credentials.touch_tokens()
            pool.opened_s = Credentials.open_pages(
                pool.users, grants=pool.client == "api" and pool.action == "vote"
            )
            cut = 1 + int((len(pool.lines) - 1) * warm_share)
            busy = harness.wait_for_quiet()
            warm = run_post_wrk(server.base, pool.lines[1:cut], harness.WARMUP_S)
            load = run_post_wrk(server.base, pool.lines[cut:], harness.DURATION_S)
            load["cpu_busy_before"] = busy
            load["db_connections"] = harness.db_connections()
            max_db = max(max_db, load["db_connections"])
            for ld in (warm, load):
                ld["classified"] = classify(pool, ld["statuses"], ld["messages"])
                # P4 counts work done: a 503 answered at once is not throughput.
                ld["accepted_rps"] = round(ld["classified"]["accepted"] / ld["seconds"], 1)
            pool.loads = [warm, load]
            smoke_ok = (
                pool.smoke["status"] == 200
                if pool.client == "api"
                else decode_message(pool.smoke["cookie"])[0] == "accepted"
            )
            accepted = (
                int(smoke_ok)
                + int(pool.sql["accepted"])
                + warm["classified"]["accepted"]
                + load["classified"]["accepted"]
            )
            pool.verify = verify(
                pool,
                accepted,
                unanswered=warm["unanswered"] + load["unanswered"],
                repeats=warm["repeats"] + load["repeats"],
            )
            c = load["classified"]
            log(f"{pool.key}: {load['rps']:.0f} req/s, p99 {load['p99_ms']:.1f} ms, statuses "
                f"{load['statuses']}, accepted {c['accepted']}, refused {c['refused']}, other "
                f"{c['other']}, repeats {load['repeats']}, socket errors {load['socket_errors']}; "
                f"SQL {pool.verify}")  # fmt: skip

        h_end = measure_get(["/healthz"], None)
        log(f"H (end): {h_end['rps']:.0f} req/s")
        result["h"] = {"start": h_start, "end": h_end,
                       "rps": round((h_start["rps"] + h_end["rps"]) / 2, 1)}  # fmt: skip

        # The night, after P4: the overload slice is sized from the forms' capacity.
        capacity = min(
            (
                p.loads[-1]["accepted_rps"]
                for p in pools
                if p.key in ("html_check_in", "html_vote_open")
            ),
            default=0,
        )
        phases = night_plan(capacity)
        opened_s = Credentials.open_pages(night_pools["check_in"].users + night_pools["vote"].users)
        busy = harness.wait_for_quiet()
        night = run_night(server.port, phases, night_pools)
        night["cpu_busy_before"] = busy
        night["opened_s"] = opened_s
        night["capacity_rps"] = capacity
        night["db_connections"] = harness.db_connections()
        max_db = max(max_db, night["db_connections"])
        accepted = {s: sum(p[f"{s}_result"]["accepted"] for p in night["phases"]) for s in ("check_in", "vote")}  # fmt: skip
        # Timed-out and unfinished requests (counted in errors) may have reached the server.
        lost = {
            s: sum(sum(p[f"{s}_result"]["errors"].values()) for p in night["phases"])
            for s in ("check_in", "vote")
        }
        night["verify"] = {
            "check_in": verify(
                night_pools["check_in"],
                night["check_in_members_accepted"],
                unanswered=night["check_in_lost_unaccepted"],
            )
            | {"accepted_answers_all": accepted["check_in"], "unanswered_all": lost["check_in"]}
        }
        vote_pool = night_pools["vote"]
        # Two motions per meeting, opened in order (open, secret): split by ballot.
        from sotay.meetings.models import Motion

        rows = {}
        for ballot in ("open", "secret"):
            part = Pool("night_vote_" + ballot, "", "vote", "html", ballot)
            part.motions = list(Motion.objects.filter(pk__in=vote_pool.motions, ballot=ballot).values_list("pk", flat=True))  # fmt: skip
            rows[ballot] = verify(part, 0)
        total_rows = sum(v["rows"] for v in rows.values())
        for v in rows.values():
            v.pop("accepted_answers")
            v["ok"] = v["double_votes"] == 0 and v.get("sealed_ballots", v["rows"]) == v["rows"]
        night["verify"]["votes_total"] = {
            "rows": total_rows, "accepted_answers": accepted["vote"], "unanswered": lost["vote"],
            "double_votes": sum(v["double_votes"] for v in rows.values()),
            "ok": accepted["vote"] <= total_rows <= accepted["vote"] + lost["vote"]
            and all(v["ok"] for v in rows.values()),
        }  # fmt: skip
        night["verify"].update(rows)
        result["night"] = night
        result["max_db_connections"] = max_db
    finally:
        if server is not None:
            server.stop()
        removed = cleanup(session_keys)
        log(f"cleanup: {removed}")
    server_log = log_path.read_text(errors="replace")
    result["server_log"] = {"path": str(log_path.relative_to(ROOT)), "tracebacks": server_log.count("Traceback"),
                            "lines": len(server_log.splitlines())}  # fmt: skip
    result["environment"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    result["pools"] = [
        # the lines hold session keys and tokens: counted, not written
        asdict(p) | {"path": paths[p.key], "lines": len(p.lines), "users": len(p.users)}
        for p in pools
    ]
    result["night_pools"] = {k: {"meetings": len(p.meetings), "lines": len(p.lines)} for k, p in night_pools.items()}  # fmt: skip
    result["cleanup"] = removed
    json_path = ROOT / result["json"]
    json_path.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    md = markdown(result)
    (RESULTS / "meetings.md").write_text(md)
    print()
    print(md)
    log(f"wrote {json_path.relative_to(ROOT)} and bench/results/meetings.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
