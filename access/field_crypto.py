"""Restricted fields and security-code secrets, encrypted in the application before they reach the
database (SECURITY D4), so a database dump, replica or backup holds no readable safe address.

Keys come from a key ring in the environment (MARAC_FIELD_KEYS or MARAC_FIELD_KEYS_FILE), never
from the repository: `id:base64-key` entries, the first one current. A stored value is
`v1.<key id>.<base64 nonce + AES-256-GCM ciphertext>`, so it names the key that sealed it and older
keys keep working until `flask --app app keys rotate` has re-sealed everything with the current one.
The column's `table.column` is the associated data: a value copied into another column will not open.
"""

import base64
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from sqlalchemy.types import TypeDecorator

FORMAT = "v1"
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12
MIN_DISTINCT_KEY_BYTES = 16  # 32 random bytes have about 30; fewer means a typed or patterned key
KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
GENERATE_ADVICE = (
    "Generate a key with: python -c 'import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())'"
)

KeyRing = tuple[tuple[str, bytes], ...]  # (key id, key), the current key first


class KeyRingError(ValueError):
    """The key ring cannot be used; the message says what to fix and never quotes a key."""


class FieldDecryptionError(RuntimeError):
    """A stored value does not open: a wrong or missing key, a value moved between columns, or plaintext."""


def parse_key_ring(text: str, source: str = "MARAC_FIELD_KEYS") -> KeyRing:
    """Keys as `id:base64-key`, separated by commas or new lines; the first is the one that seals."""
    entries = [entry for entry in re.split(r"[,\s]+", text.strip()) if entry]
    if not entries:
        raise KeyRingError(
            f"{source} holds no keys. Give one or more id:key pairs, like k2026:BASE64KEY. {GENERATE_ADVICE}"
        )
    ring = []
    for position, entry in enumerate(entries, start=1):
        key_id, separator, encoded = entry.partition(":")
        if not separator or not KEY_ID.fullmatch(key_id):
            raise KeyRingError(f"Entry {position} of {source} must be id:key, the id 1 to 32 letters, digits, - or _.")
        if key_id in (known for known, _ in ring):
            raise KeyRingError(f"{source} names key {key_id!r} twice; each key needs its own id.")
        ring.append((key_id, decode_key(encoded, key_id, source)))
    return tuple(ring)


def decode_key(encoded: str, key_id: str, source: str) -> bytes:
    try:
        key = base64.b64decode(encoded.replace("-", "+").replace("_", "/"), validate=True)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES or len(set(key)) < MIN_DISTINCT_KEY_BYTES:
        raise KeyRingError(f"Key {key_id!r} in {source} must be 32 random bytes in base64. {GENERATE_ADVICE}")
    return key


def format_key_ring(ring: KeyRing) -> str:
    return ",".join(f"{key_id}:{base64.b64encode(key).decode()}" for key_id, key in ring)


def new_key_ring_text(key_id: str) -> str:
    return format_key_ring(((key_id, secrets.token_bytes(KEY_BYTES)),))


def seal(ring: KeyRing, label: str, plaintext: str) -> str:
    key_id, key = ring[0]
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), label.encode())
    return f"{FORMAT}.{key_id}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def sealed_with(stored: str) -> str | None:
    """The id of the key that sealed a stored value, or None if it is not in the sealed format."""
    version, _, rest = stored.partition(".")
    key_id, separator, _ = rest.partition(".")
    return key_id if version == FORMAT and separator else None


def open_sealed(ring: KeyRing, label: str, stored: str) -> str:
    key_id = sealed_with(stored)
    if key_id is None:
        raise FieldDecryptionError(f"A value in {label} is not encrypted; it is refused rather than shown.")
    keys = dict(ring)
    if key_id not in keys:
        raise FieldDecryptionError(
            f"A value in {label} was encrypted with key {key_id!r}, which is not in the key ring. "
            "Put that key back until `keys rotate` has finished."
        )
    try:
        raw = base64.urlsafe_b64decode(stored.rsplit(".", 1)[1])
        return AESGCM(keys[key_id]).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], label.encode()).decode()
    except (InvalidTag, ValueError):
        raise FieldDecryptionError(
            f"A value in {label} does not decrypt with key {key_id!r}: the key is wrong or the value was moved."
        ) from None


def current_key_ring() -> KeyRing:
    # Read on every use, never cached: each worker sees the ring its configuration gives it.
    return current_app.config["FIELD_KEYS"]


class EncryptedText(TypeDecorator):
    """A text column stored sealed. It cannot be searched, compared or sorted in SQL: every seal differs."""

    impl = sa.Text
    cache_ok = True

    def __init__(self, label: str):
        super().__init__()
        self.label = label

    def process_bind_param(self, value, dialect):
        return None if value is None else seal(current_key_ring(), self.label, value)

    def process_result_value(self, value, dialect):
        return None if value is None else open_sealed(current_key_ring(), self.label, value)


@dataclass(frozen=True)
class RotatedColumn:
    label: str
    resealed: int
    already_current: int


def encrypted_columns(metadata: sa.MetaData) -> list[sa.Column]:
    return [
        column for table in metadata.sorted_tables for column in table.columns if isinstance(column.type, EncryptedText)
    ]


def rotate_column(connection, column: sa.Column, ring: KeyRing) -> RotatedColumn:
    """Re-seal every value of one column with the current key; the caller owns the transaction."""
    keys = [sa.column(key.name) for key in column.table.primary_key.columns]
    # Untyped columns read and write the stored text as it is, without the type's own sealing.
    raw = sa.table(column.table.name, *keys, sa.column(column.name))
    current_id = ring[0][0]
    resealed = already_current = 0
    # Locked as read, so a change saved meanwhile is not overwritten with the value read here.
    rows = connection.execute(sa.select(raw).where(raw.c[column.name].is_not(None)).with_for_update()).all()
    for row in rows:
        stored = row._mapping[column.name]
        if sealed_with(stored) == current_id:
            already_current += 1
            continue
        plaintext = open_sealed(ring, column.type.label, stored)
        match = [raw.c[key.name] == row._mapping[key.name] for key in keys]
        connection.execute(sa.update(raw).where(*match).values({column.name: seal(ring, column.type.label, plaintext)}))
        resealed += 1
    return RotatedColumn(column.type.label, resealed, already_current)


def rotate_all(connection, metadata: sa.MetaData, ring: KeyRing) -> list[RotatedColumn]:
    return [rotate_column(connection, column, ring) for column in encrypted_columns(metadata)]
