"""Uploaded files held between a dry run and its apply.

The file goes to the private storage under a random name; the page carries a signed
token naming it, the user, the kind of import and the file's SHA-256, so the apply writes
exactly the file that was checked, for the person who checked it, within an hour.
"""

from __future__ import annotations

import hashlib
import secrets
import time

from django.contrib import messages
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from sotay.core.errors import ServiceError
from sotay.core.xlsx import ImportRefused, check_upload

MAX_AGE = 3600
_DIR = "staged"
EXPIRED = "Phiên kiểm tra tệp đã hết hạn hoặc không hợp lệ; hãy tải tệp lên và kiểm tra lại."


def stage(data: bytes, *, user, kind: str, **meta) -> str:
    """Keep `data` and return the token that gives it back to the same user."""
    store = storages["private"]
    _purge(store)
    name = store.save(f"{_DIR}/{secrets.token_hex(16)}.xlsx", ContentFile(data))
    payload = {"u": user.pk, "k": kind, "f": name, "h": hashlib.sha256(data).hexdigest(), **meta}
    return signing.dumps(payload, salt=f"staging.{kind}")


def unstage(token: str, *, user, kind: str) -> tuple[bytes, dict]:
    """The staged bytes and the metadata given to `stage`; refuses a token of another
    user or kind, an expired one, or a file that changed."""
    try:
        payload = signing.loads(token or "", salt=f"staging.{kind}", max_age=MAX_AGE)
    except signing.BadSignature:
        raise ServiceError(EXPIRED) from None
    store = storages["private"]
    name = payload.get("f", "")
    if payload.get("u") != user.pk or not name.startswith(f"{_DIR}/") or not store.exists(name):
        raise ServiceError(EXPIRED)
    with store.open(name, "rb") as f:
        data = f.read()
    if hashlib.sha256(data).hexdigest() != payload.get("h"):
        raise ServiceError(EXPIRED)
    return data, payload


def discard(payload: dict) -> None:
    store = storages["private"]
    name = payload.get("f", "")
    if name.startswith(f"{_DIR}/") and store.exists(name):
        store.delete(name)


def _purge(store) -> None:
    """Delete staged files older than their token can live."""
    try:
        _dirs, files = store.listdir(_DIR)
    except FileNotFoundError:
        return
    cutoff = time.time() - MAX_AGE - 60
    for name in files:
        path = f"{_DIR}/{name}"
        try:
            if store.get_modified_time(path).timestamp() < cutoff:
                store.delete(path)
        except (FileNotFoundError, OSError):
            continue


# ----------------------------------------------------------- the two import screens


def check_and_stage(request, form, run_plan, *, kind: str):
    """The POST of an import page: check the upload, run the dry run `run_plan(data,
    cleaned_data) -> (plan, meta)` and, when there is something to write and no problem,
    stage the file. Returns (plan, token, HTTP status)."""
    plan = token = None
    if request.method == "POST" and form.is_valid():
        try:
            data = check_upload(form.cleaned_data["file"])
            plan, meta = run_plan(data, form.cleaned_data)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            if plan.ok and (plan.new or plan.changes):
                name = form.cleaned_data["file"].name[:100]
                token = stage(data, user=request.user, kind=kind, name=name, **meta)
    failed = request.method == "POST" and (form.errors or (plan is not None and not plan.ok))
    return plan, token, 400 if failed else 200


def apply_staged(request, run_apply, *, kind: str):
    """The POST of an apply button: `run_apply(data, meta) -> plan`. Returns (plan, None)
    on success, after discarding the file; (None, refused plan or None) otherwise, with
    the reason as a flash message."""
    try:
        data, meta = unstage(request.POST.get("token"), user=request.user, kind=kind)
        plan = run_apply(data, meta)
    except ImportRefused as exc:
        messages.error(request, exc.message)
        return None, exc.plan
    except ServiceError as exc:
        messages.error(request, exc.message)
        return None, None
    discard(meta)
    return plan, None
