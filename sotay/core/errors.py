"""Errors raised by services. Views and the API turn them into a Vietnamese message and
a 4xx answer; the database is left unchanged because services run in a transaction."""


class ServiceError(Exception):
    """A rule refused the operation; `message` is shown to the user as is."""

    status_code = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionDenied(ServiceError):
    """The user may see the object but not do this to it (403)."""

    status_code = 403

    def __init__(self, message: str = "Bạn không có quyền thực hiện thao tác này."):
        super().__init__(message)


class Conflict(ServiceError):
    """Someone else changed the object since the user read it (409): nothing was saved."""

    status_code = 409
