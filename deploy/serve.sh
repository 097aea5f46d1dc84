#!/usr/bin/env bash
# Production app server: granian, WSGI interface (Django under ASGI measured 5-10x slower
# here, see /docs/deployment.md), config.wsgi:application.
#
#   SOTAY_BIND            host:port (default 127.0.0.1:8000) or unix:/run/sotay/web.sock
#   SOTAY_WEB_WORKERS     worker processes (default: number of CPUs)
#   SOTAY_WEB_THREADS     request threads per worker (default 8)
#   SOTAY_WEB_BACKPRESSURE  requests admitted per worker at once (default = threads)
#   SOTAY_DB_CONN_BUDGET  optional: refuse to start when workers x threads exceeds it
#   SOTAY_WEB_THREAD_IDLE seconds an idle request thread is kept (default 600, granian's
#                         maximum; its default of 30 s replaced idle threads after quiet
#                         spells, and the bench then saw 33 PostgreSQL connections for
#                         16 threads: a replaced thread's connection lingers until collected)
#
# Connection cap. Every request thread keeps ONE persistent PostgreSQL connection
# (SOTAY_DB_CONN_MAX_AGE, 60 s in production). granian's own WSGI default is
# backpressure/2 = 256 threads per worker: two workers could open 512 connections and
# exhaust max_connections (the trap measured in PERFORMANCE.md: over half the requests
# failed). So threads are always set explicitly, and
#     machines x workers x threads + workers(db_worker) + admin/cron/replication slack
#         <= max_connections - superuser_reserved_connections
# (docs/deployment.md has the arithmetic). Backpressure equals the thread count, so
# excess requests wait in the listen backlog instead of piling up inside a worker.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
GRANIAN="${SOTAY_GRANIAN:-$ROOT/.venv/bin/granian}"

WORKERS="${SOTAY_WEB_WORKERS:-$(nproc 2>/dev/null || echo 2)}"
THREADS="${SOTAY_WEB_THREADS:-8}"
BACKPRESSURE="${SOTAY_WEB_BACKPRESSURE:-$THREADS}"
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
    --blocking-threads "$THREADS" \
    --blocking-threads-idle-timeout "${SOTAY_WEB_THREAD_IDLE:-600}" \
    --backpressure "$BACKPRESSURE" \
    --no-ws \
    --respawn-failed-workers \
    --workers-kill-timeout 30 \
    --log-level "${SOTAY_WEB_LOG_LEVEL:-warning}" \
    "${LISTEN[@]}" \
    config.wsgi:application
