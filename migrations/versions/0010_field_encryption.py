"""Safe-contact details and security-code secrets encrypted by the app with the field key ring (SECURITY D4).

case_safe_contact.phone (widened to text) and case_safe_contact.safe_address are sealed where they stand.
user_account.totp_secret_encrypted, sealed until now with a key derived from SECRET_KEY, becomes
user_account.totp_secret, sealed with the field key ring.

Both keys come from the settings `flask --app app db upgrade` loads: run it with the SECRET_KEY the
app has been using and the MARAC_FIELD_KEYS (or MARAC_FIELD_KEYS_FILE) it will use from now on. If
any stored secret does not decrypt with that SECRET_KEY, the upgrade stops before changing anything
and names the accounts. The downgrade puts everything back the way it was.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 10:00:00

"""
import base64
import secrets

import sqlalchemy as sa
from alembic import op
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

NONCE_BYTES = 12
SAFE_CONTACT_FIELDS = ('phone', 'safe_address')
TOTP_LABEL = 'user_account.totp_secret'


# Frozen copies of the v1 field format (access/field_crypto.py) and of the scheme before it, so this
# migration keeps doing the same thing whatever the app's code becomes.
def seal(ring, label, plaintext):
    key_id, key = ring[0]
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), label.encode())
    return f"v1.{key_id}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def open_sealed(ring, label, stored):
    _, key_id, body = stored.split('.', 2)
    raw = base64.urlsafe_b64decode(body)
    return AESGCM(dict(ring)[key_id]).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], label.encode()).decode()


def secret_key_cipher(secret_key):
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"marac-totp-secret").derive(secret_key.encode())
    return AESGCM(key)


def open_with_secret_key(cipher, token):
    raw = base64.urlsafe_b64decode(token.encode())
    return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None).decode()


def seal_with_secret_key(cipher, plaintext):
    nonce = secrets.token_bytes(NONCE_BYTES)
    return base64.urlsafe_b64encode(nonce + cipher.encrypt(nonce, plaintext.encode(), None)).decode()


safe_contact = sa.table('case_safe_contact', sa.column('id'), *(sa.column(name) for name in SAFE_CONTACT_FIELDS))
user_account = sa.table('user_account', sa.column('id'), sa.column('totp_secret_encrypted'), sa.column('totp_secret'))


def upgrade():
    connection = op.get_bind()
    ring = current_app.config['FIELD_KEYS']
    secrets_by_user = old_totp_secrets(connection, current_app.config['SECRET_KEY'])

    with op.batch_alter_table('case_safe_contact') as batch:
        batch.alter_column('phone', type_=sa.Text(), existing_type=sa.String(length=30), existing_nullable=True)
    reseal_safe_contacts(connection, lambda label, value: seal(ring, label, value))

    op.add_column('user_account', sa.Column('totp_secret', sa.Text(), nullable=True))
    for user_id, secret in secrets_by_user.items():
        connection.execute(
            user_account.update().where(user_account.c.id == user_id).values(totp_secret=seal(ring, TOTP_LABEL, secret))
        )
    op.drop_column('user_account', 'totp_secret_encrypted')


def old_totp_secrets(connection, secret_key):
    cipher = secret_key_cipher(secret_key)
    opened, unreadable = {}, []
    rows = connection.execute(sa.select(user_account.c.id, user_account.c.totp_secret_encrypted)
                              .where(user_account.c.totp_secret_encrypted.is_not(None)).order_by(user_account.c.id))
    for user_id, token in rows:
        try:
            opened[user_id] = open_with_secret_key(cipher, token)
        except (InvalidTag, ValueError):
            unreadable.append(str(user_id))
    if unreadable:
        raise RuntimeError(
            f"Security-code secrets do not decrypt with this SECRET_KEY for user account ids {', '.join(unreadable)}. "
            "Run the upgrade with the SECRET_KEY the app has been using; nothing has been changed."
        )
    return opened


def reseal_safe_contacts(connection, convert):
    rows = connection.execute(sa.select(safe_contact)).all()
    for row in rows:
        values = {
            name: convert(f"case_safe_contact.{name}", row._mapping[name])
            for name in SAFE_CONTACT_FIELDS
            if row._mapping[name] is not None
        }
        if values:
            connection.execute(safe_contact.update().where(safe_contact.c.id == row.id).values(values))


def downgrade():
    connection = op.get_bind()
    ring = current_app.config['FIELD_KEYS']
    cipher = secret_key_cipher(current_app.config['SECRET_KEY'])

    op.add_column('user_account', sa.Column('totp_secret_encrypted', sa.String(length=255), nullable=True))
    rows = connection.execute(sa.select(user_account.c.id, user_account.c.totp_secret).where(user_account.c.totp_secret.is_not(None)))
    for user_id, stored in rows.all():
        token = seal_with_secret_key(cipher, open_sealed(ring, TOTP_LABEL, stored))
        connection.execute(user_account.update().where(user_account.c.id == user_id).values(totp_secret_encrypted=token))
    op.drop_column('user_account', 'totp_secret')

    reseal_safe_contacts(connection, lambda label, value: open_sealed(ring, label, value))
    with op.batch_alter_table('case_safe_contact') as batch:
        batch.alter_column('phone', type_=sa.String(length=30), existing_type=sa.Text(), existing_nullable=True)
