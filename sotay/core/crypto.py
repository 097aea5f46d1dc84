"""Encryption of small secrets stored in the database (TOTP seeds).

Fernet (AES-128-CBC + HMAC-SHA256). The key comes from SOTAY_FIELD_KEY (a Fernet key, so
it can be rotated apart from SECRET_KEY); without it a key is derived from SECRET_KEY.
A database dump alone then no longer yields anyone's second factor.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    key = settings.SOTAY_FIELD_KEY
    if not key:
        digest = hashlib.sha256(b"sotay-field-key:" + settings.SECRET_KEY.encode()).digest()
        key = base64.urlsafe_b64encode(digest).decode()
    return Fernet(key)


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    """The plain text, or ValueError when the token was not made with this key."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt with the configured key") from exc
