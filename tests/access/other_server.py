"""A second app server in a process of its own, for tests/access/test_two_servers.py: what it counts cannot be
shared with the test's server through Python memory, only through the storage both are configured with.

    python -m tests.access.other_server '{"database_url": ..., "settings": {...}, "email": ..., "attempts": N}'

Prints the status of each failed sign-in it sends, as JSON."""

import json
import sys

from app import create_app
from config import test_settings

WRONG_PASSWORD = "not the password"


def failed_sign_in_statuses(database_url: str, settings: dict, email: str, attempts: int) -> list[int]:
    client = create_app(test_settings(database_url, **settings)).test_client()
    return [
        client.post("/sign-in", data={"email": email, "password": WRONG_PASSWORD}).status_code for _ in range(attempts)
    ]


if __name__ == "__main__":
    request = json.loads(sys.argv[1])
    print(json.dumps(failed_sign_in_statuses(**request)))
