#!/usr/bin/env bash
# Production app server: granian, WSGI interface (Django under ASGI measured 5-10x slower
# here, see /docs/deployment.md), config.wsgi:application.
#
#   SOTAY_BIND            host:port (default 127.0.0.1:8000) or unix:/run/sotay/web.sock
#   SOTAY_WEB_WORKERS     worker processes (default: number of CPUs)
#   SOTAY_WEB_THREADS     requests per worker doing work at once (default 8): the
#                         admission slots (SOTAY_WEB_ADMIT) and the worker's database
#                         pool size (SOTAY_DB_POOL_SIZE)
#   SOTAY_WEB_QUEUE_THREADS  further threads per worker that only wait for a slot
#                         (default 3 x SOTAY_WEB_THREADS); past SOTAY_SHED_WAIT_MS
#                         (default 1000) they answer 503 + Retry-After, and at once when
#                         SOTAY_SHED_QUEUE (default 2 x SOTAY_WEB_THREADS) already wait, so the
#                         other waiting threads stay free to answer (sotay/core/admission.py)
#   SOTAY_WEB_BACKPRESSURE  connections granian hands to a worker at once (default =
#                         all its threads)
#   SOTAY_DB_CONN_BUDGET  optional: refuse to start when workers x threads exceeds it
#   SOTAY_WEB_THREAD_IDLE seconds an idle request thread is kept (default 600, granian's
#                         maximum; its default of 30 s replaced idle threads after quiet
#                         spells, and the bench then saw 33 PostgreSQL connections for
#                         16 threads: a replaced thread's connection lingers until collected)
#
# Connection cap. Each worker holds a PostgreSQL pool of SOTAY_WEB_THREADS connections
# (psycopg_pool, SOTAY_DB_POOL=1 in production); only admitted requests use it, so the
# waiting threads open none. granian's own WSGI default is backpressure/2 = 256 threads
# per worker, each with a persistent connection: two workers could open 512 and exhaust
# max_connections (the trap measured in PERFORMANCE.md: over half the requests failed).
# So threads are always set explicitly, and
#     machines x workers x SOTAY_WEB_THREADS + workers(db_worker) + admin/cron/replication
#         slack  <=  max_connections - superuser_reserved_connections
# (docs/deployment.md has the arithmetic). Load shedding: without waiting threads the
# excess sat unseen in granian's queue (a meeting night above capacity: p99 9.8 s and no
# 503); now it waits in the app for at most SOTAY_SHED_WAIT_MS, then answers 503.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
GRANIAN="${SOTAY_GRANIAN:-$ROOT/.venv/bin/granian}"

WORKERS="${SOTAY_WEB_WORKERS:-$(nproc 2>/dev/null || echo 2)}"
THREADS="${SOTAY_WEB_THREADS:-8}"
QUEUE_THREADS="${SOTAY_WEB_QUEUE_THREADS:-$((3 * THREADS))}"
ALL_THREADS=$((THREADS + QUEUE_THREADS))
BACKPRESSURE="${SOTAY_WEB_BACKPRESSURE:-$ALL_THREADS}"
export SOTAY_WEB_ADMIT="${SOTAY_WEB_ADMIT:-$THREADS}"
export SOTAY_DB_POOL_SIZE="${SOTAY_DB_POOL_SIZE:-$THREADS}"
BIND="${SOTAY_BIND:-127.0.0.1:8000}"

if [[ -n "${SOTAY_DB_CONN_BUDGET:-}" ]] && (( WORKERS * THREADS > SOTAY_DB_CONN_BUDGET )); then
    echo "serve.sh: ${WORKERS} workers x ${THREADS} threads = $((WORKERS * THREADS)) connections" \
         "> SOTAY_DB_CONN_BUDGET=${SOTAY_DB_CONN_BUDGET}; lower SOTAY_WEB_THREADS." >&2
    exit 2
fi

if [[ "$BIND" == unix:* ]]; then
    LISTEN=(--uds "${BIND#unix:}" --uds-permissions 0660)  # leading 0: octal
else
    LISTEN=(--host "${BIND%:*}" --port "${BIND##*:}")
fi

export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-config.settings}"
export SOTAY_PRODUCTION="${SOTAY_PRODUCTION:-1}"

exec "$GRANIAN" \
    --interface wsgi \
    --workers "$WORKERS" \
    --blocking-threads "$ALL_THREADS" \
    --blocking-threads-idle-timeout "${SOTAY_WEB_THREAD_IDLE:-600}" \
    --backpressure "$BACKPRESSURE" \
    --no-ws \
    --respawn-failed-workers \
    --workers-kill-timeout 30 \
    --log-level "${SOTAY_WEB_LOG_LEVEL:-warning}" \
    "${LISTEN[@]}" \
    config.wsgi:application
