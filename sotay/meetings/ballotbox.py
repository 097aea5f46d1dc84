"""Sealing the tally of a secret ballot (docs/decisions/0002-secret-ballot.md).

The tally of a motion is a vector of counts — ballots cast, then one count per option —
packed as fixed-width integers and encrypted with AES-GCM under a fresh random 96-bit
nonce each time it is written; the motion id is bound as associated data so a box cannot
be moved to another motion. Consecutive versions of the row therefore look like
independent random strings of the same length: neither the row, its dead versions, the
WAL nor a statement log tells which option a vote went to, unless one also holds the key.

The key comes from `SOTAY_BALLOT_KEY` (url-safe base64 of 32 bytes) when set, so it can
live on the application servers only; otherwise it is derived from SECRET_KEY under its
own label (still outside the database).
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

NONCE_BYTES = 12


def _key() -> bytes:
    configured = getattr(settings, "SOTAY_BALLOT_KEY", "") or os.environ.get("SOTAY_BALLOT_KEY")
    if configured:
        key = base64.urlsafe_b64decode(configured)
        if len(key) != 32:
            raise ValueError("SOTAY_BALLOT_KEY must be 32 bytes (url-safe base64)")
        return key
    return hashlib.sha256(b"sotay-ballot-box:" + settings.SECRET_KEY.encode()).digest()


def _aad(motion_id: int) -> bytes:
    return f"sotay-ballot:{motion_id}".encode()


def seal(motion_id: int, counts: list[int]) -> bytes:
    """Encrypt the count vector; a different ciphertext every call, same length."""
    plain = struct.pack(f">{len(counts)}Q", *counts)
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(_key()).encrypt(nonce, plain, _aad(motion_id))


def unseal(motion_id: int, sealed: bytes) -> list[int]:
    """The count vector, or ValueError when the box was tampered with or moved."""
    sealed = bytes(sealed)
    nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    try:
        plain = AESGCM(_key()).decrypt(nonce, body, _aad(motion_id))
    except InvalidTag as exc:
        raise ValueError("the ballot box does not open with the configured key") from exc
    return list(struct.unpack(f">{len(plain) // 8}Q", plain))


def empty(motion_id: int, n_options: int) -> bytes:
    return seal(motion_id, [0] * (n_options + 1))


def add_ballot(motion_id: int, sealed: bytes, chosen: list[int]) -> bytes:
    """Open, count one ballot for the chosen option indexes, reseal."""
    counts = unseal(motion_id, sealed)
    counts[0] += 1
    for index in chosen:
        counts[index + 1] += 1
    return seal(motion_id, counts)
