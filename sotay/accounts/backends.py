"""Authentication backend for Django's own machinery (admin, `authenticate`). The pages
and the API sign in through `services.sign_in`, which adds lock-out and auditing."""

from django.contrib.auth.backends import ModelBackend
from django.db import transaction

from sotay.accounts.models import User
from sotay.core.cache import bump, cached_for_user, forget_user

# The session's user, member and organisation, kept in the shared cache (Redis) so a
# signed-in request does not compile and run a three-table query before its view: on
# 2 cores that query was most of the signed-in floor (2.4 ms against 0.2 ms for /healthz).
SESSION_USER = "session-user"


class IdentifierBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        from sotay.accounts.services import find_user_by_identifier

        if username is None or password is None:
            return None
        user = find_user_by_identifier(username)
        if user is None:
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The session's user with their member row and its organisation in the same
        query (every page needs the member for the permission check; the shell and the
        home page name the organisation)."""
        user = cached_for_user(SESSION_USER, user_id, lambda: _load(user_id))
        return user if user is not None and self.user_can_authenticate(user) else None


def _load(user_id) -> User | None:
    return User.objects.select_related("member__organization").filter(pk=user_id).first()


def forget_session_user(user_id: int | None) -> None:
    """Drop one user's cached copy once the transaction commits (User.save calls it)."""
    if user_id is not None:
        transaction.on_commit(lambda: forget_user(SESSION_USER, user_id))


def forget_all_session_users() -> None:
    """A member's status, branch or an organisation changed: every cached copy may hold
    it (permissions.invalidate_all calls this with the grants' epoch)."""
    transaction.on_commit(lambda: bump(SESSION_USER))
