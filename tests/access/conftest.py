import re
from datetime import UTC, datetime

import pyotp
import pytest

from access.models import User, UserSession
from extensions import db

START = datetime(2026, 11, 23, 9, 0, 5, tzinfo=UTC)


def totp_code(secret: str, at: datetime, steps_back: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(at) - steps_back)


def session_cookie(client, app) -> str | None:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return cookie.value if cookie else None


def mask_tokens(html: str) -> str:
    return re.sub(r'value="[^"]*"', 'value=""', html)


@pytest.fixture
def load_user(app):
    def load(user_id: int) -> User:
        with app.app_context():
            user = db.session.get(User, user_id)
            db.session.expunge(user)
            return user

    return load


@pytest.fixture
def live_sessions(app):
    def count(user_id: int) -> int:
        with app.app_context():
            return db.session.query(UserSession).filter_by(user_id=user_id, revoked_at=None).count()

    return count
