"""TOTP second factor (RFC 6238, 30-second steps) and single-use recovery codes.

TOTP secrets are encrypted at rest by their column type (access.field_crypto.EncryptedText).
"""

import base64
import hmac
import secrets
from datetime import datetime

import pyotp

ISSUER = "MARAC toolkit"
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_BYTES = 15  # 120 bits: 24 base32 characters
ACCEPTED_STEPS_BACK = (0, -1)  # the current step and the one before it, never a future one


def new_totp_secret() -> str:
    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def matching_timecode(secret: str, code: str, now: datetime) -> int | None:
    """The timecode the code belongs to, if it is the current or the previous step's code."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for offset in ACCEPTED_STEPS_BACK:
        if hmac.compare_digest(totp.generate_otp(current + offset), code):
            return current + offset
    return None


def new_recovery_codes() -> list[str]:
    return [format_recovery_code(secrets.token_bytes(RECOVERY_CODE_BYTES)) for _ in range(RECOVERY_CODE_COUNT)]


def format_recovery_code(raw: bytes) -> str:
    text = base64.b32encode(raw).decode()
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def normalise_recovery_code(code: str) -> str:
    text = "".join(code.split()).replace("-", "").upper()
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))
