"""Glue between forms and services: run a service, turn its refusal into form errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied

from sotay.core.errors import PermissionDenied, ServiceError


def call_service(form: forms.Form | None, func: Callable[..., Any], **kwargs) -> tuple[bool, Any]:
    """Call `func(**kwargs)`. On a ServiceError the message lands on the form (on its
    field when the service named one) and (False, None) is returned; a PermissionDenied
    becomes Django's 403."""
    try:
        return True, func(**kwargs)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    except ServiceError as exc:
        if form is None:
            raise
        field = exc.field if exc.field in form.fields else None
        form.add_error(field, exc.message)
        return False, None


def call_with_message(request, func: Callable[..., Any], **kwargs) -> tuple[bool, Any]:
    """Like `call_service` for form-less POSTs: a refusal becomes a flash message."""
    from django.contrib import messages

    try:
        return call_service(None, func, **kwargs)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return False, None
