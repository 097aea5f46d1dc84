"""Authentication backend for Django's own machinery (admin, `authenticate`). The pages
and the API sign in through `services.sign_in`, which adds lock-out and auditing."""

from django.contrib.auth.backends import ModelBackend

from sotay.accounts.models import User


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
        user = User.objects.select_related("member__organization").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
