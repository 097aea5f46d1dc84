"""Load shedding (P4): answer 503 at once instead of letting a queue grow without end.

granian runs more request threads than there are work slots (deploy/serve.sh: admitted
threads plus waiting threads). This middleware, first in MIDDLEWARE, admits at most
SOTAY_WEB_ADMIT requests per process to the rest of the stack; up to SOTAY_SHED_QUEUE
others wait for a slot up to SOTAY_SHED_WAIT_MS; past either they get `503 Service
Unavailable` with `Retry-After`
— before any session, database or view work, so a shed request changes nothing and
costs next to nothing. Without it, a meeting night above capacity measured a p99 of
9.8 s and phones giving up while their votes were still being recorded behind them.

Static files (served by whitenoise before Django's stack) and /healthz are never shed:
the load balancer must see a busy process as alive.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.http import HttpResponse, JsonResponse

log = logging.getLogger(__name__)

RETRY_AFTER_S = 2
MESSAGE = "Hệ thống đang quá tải, xin đồng chí thử lại sau ít giây."
EXEMPT = ("/healthz",)
_PAGE = (
    '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>Hệ thống đang bận</title>"
    "<style>body{font:1.2rem/1.5 system-ui,sans-serif;margin:2rem auto;max-width:30rem;"
    "padding:0 1rem;color:#222}a{color:#b3140f}</style></head><body>"
    f"<h1>Hệ thống đang bận</h1><p>{MESSAGE}</p>"
    "<p>Việc của đồng chí <strong>chưa được ghi nhận</strong>; hãy bấm lại nút vừa bấm.</p>"
    '<p><a href="{again}">Thử lại</a></p></body></html>'
)
# A GET is simply asked again; after a POST, going back shows the form to press again
# (reloading would re-send it behind the browser's "resubmit?" dialogue).
_AGAIN = {"GET": "javascript:location.reload()", "POST": "javascript:history.back()"}


def busy_response(request) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": MESSAGE}, status=503)
    else:
        again = _AGAIN["GET" if request.method in ("GET", "HEAD") else "POST"]
        response = HttpResponse(
            _PAGE.replace("{again}", again), status=503, content_type="text/html; charset=utf-8"
        )
    response["Retry-After"] = str(RETRY_AFTER_S)
    response["Cache-Control"] = "no-store"
    return response


_lock = threading.Lock()
_semaphores: dict[int, threading.BoundedSemaphore] = {}
_shed = {"count": 0, "logged_at": 0.0}
_waiting = {"now": 0}


def slots() -> threading.BoundedSemaphore | None:
    """This process's admission slots (None: no limit). One per process, shared by every
    request thread and handler."""
    size = settings.SOTAY_WEB_ADMIT
    if size <= 0:
        return None
    found = _semaphores.get(size)
    if found is None:
        with _lock:
            found = _semaphores.setdefault(size, threading.BoundedSemaphore(size))
    return found


def shed_count() -> int:
    return _shed["count"]


def _count_shed() -> None:
    with _lock:
        _shed["count"] += 1
        now = time.monotonic()
        if now - _shed["logged_at"] < 10:
            return
        _shed["logged_at"], count = now, _shed["count"]
    log.warning("overloaded: %d requests answered 503 so far in this process", count)


def _wait_for(admit: threading.BoundedSemaphore) -> bool:
    """Queue for a slot, unless SOTAY_SHED_QUEUE requests already wait: a long queue
    only turns into answers that come too late, and the threads it holds could not
    answer 503 either (granian reads no new request on a busy thread)."""
    with _lock:
        if _waiting["now"] >= max(settings.SOTAY_SHED_QUEUE, 0):
            return False
        _waiting["now"] += 1
    try:
        return admit.acquire(timeout=settings.SOTAY_SHED_WAIT_MS / 1000)
    finally:
        with _lock:
            _waiting["now"] -= 1


class AdmissionControl:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        admit = slots()
        if admit is None or request.path_info in EXEMPT:
            return self.get_response(request)
        if not admit.acquire(blocking=False) and not _wait_for(admit):
            _count_shed()
            return busy_response(request)
        try:
            return self.get_response(request)
        finally:
            admit.release()
