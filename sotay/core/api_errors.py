"""Vietnamese messages for the API's input errors. django-ninja answers malformed input
(a date that is not a date, a missing or unknown field, broken JSON) in pydantic's
English; the mobile app shows `detail` to the user as is, so it must name the field in
Vietnamese like every other refusal."""

from __future__ import annotations

from typing import Any

PARSE_FAILED = "Nội dung gửi lên không phải là JSON hợp lệ."

_DATE = "phải là ngày dạng YYYY-MM-DD (ví dụ 2025-09-02)"
_MESSAGES = {
    "missing": "là bắt buộc",
    "extra_forbidden": "không phải là trường được phép gửi",
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "date_type": _DATE,
    "datetime_parsing": "phải là thời điểm dạng ISO 8601",
    "datetime_from_date_parsing": "phải là thời điểm dạng ISO 8601",
    "int_parsing": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "int_from_float": "phải là số nguyên",
    "string_type": "phải là chuỗi ký tự",
    "bool_parsing": "phải là true hoặc false",
    "bool_type": "phải là true hoặc false",
    "model_type": "phải là một đối tượng JSON",
    "model_attributes_type": "phải là một đối tượng JSON",
    "dict_type": "phải là một đối tượng JSON",
    "list_type": "phải là một danh sách",
    "json_invalid": "không phải là JSON hợp lệ",
}
# Locations ninja puts before the field: where it came from and the handler's argument.
_SOURCES = {"body", "query", "path", "form", "header", "cookie", "file"}


def _field(loc: Any, param_names: set[str]) -> str:
    parts = [str(p) for p in (loc or ())]
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in param_names:
        parts = parts[1:]
    return ".".join(parts)


def validation_detail(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """{"detail": one Vietnamese sentence naming each field, "errors": [{field,
    message}]} for ninja's ValidationError.errors."""
    items = []
    for err in errors:
        field = _field(err.get("loc"), {"payload", "data"})
        message = _MESSAGES.get(err.get("type", ""), "có giá trị không hợp lệ")
        items.append({"field": field, "message": message})
    parts = [f"trường “{i['field']}” {i['message']}" if i["field"] else i["message"] for i in items]
    detail = "Dữ liệu không hợp lệ: " + "; ".join(parts) + "."
    return {"detail": detail, "errors": items}
