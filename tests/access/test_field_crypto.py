"""SECURITY D4: restricted fields and TOTP secrets are sealed by the app, so the database never holds them readable."""

import base64

import pyotp
import pytest
from sqlalchemy import select, text

from access.audit import verify_chain
from access.field_crypto import (
    FieldDecryptionError,
    encrypted_columns,
    format_key_ring,
    open_sealed,
    parse_key_ring,
    seal,
    sealed_with,
)
from access.models import AuditEvent, User
from cases.models import Case, Person, SafeContact
from config import TEST_FIELD_KEYS
from extensions import db
from tests.conftest import TEST_PASSWORD

KEY_A = ("a", bytes(range(1, 33)))
KEY_B = ("b", bytes(range(101, 133)))
ADDRESS = "Flat 3, Canary Refuge, 1 Hidden Lane, RV1 9ZZ"
PHONE = "07700 900123"
LABEL = "case_safe_contact.safe_address"


# --- the sealed format ---------------------------------------------------------------------------


def test_D4_a_sealed_value_names_its_key_hides_the_text_and_opens_again():
    stored = seal((KEY_A,), LABEL, ADDRESS)

    assert stored.startswith("v1.a.")
    assert sealed_with(stored) == "a"
    assert "Canary" not in stored
    assert open_sealed((KEY_A,), LABEL, stored) == ADDRESS
    assert seal((KEY_A,), LABEL, ADDRESS) != stored  # a fresh nonce every time


@pytest.mark.parametrize("text_value", ["", "x", "é 🏠", "a" * 10_000])
def test_D4_any_text_round_trips(text_value):
    assert open_sealed((KEY_A,), LABEL, seal((KEY_A,), LABEL, text_value)) == text_value


def test_D4_the_wrong_key_fails_loudly_and_says_nothing_of_the_value():
    stored = seal((KEY_A,), LABEL, ADDRESS)
    wrong = (("a", KEY_B[1]),)

    with pytest.raises(FieldDecryptionError, match="does not decrypt with key 'a'") as raised:
        open_sealed(wrong, LABEL, stored)
    assert ADDRESS not in str(raised.value) and stored not in str(raised.value)


def test_D4_a_key_missing_from_the_ring_is_named():
    with pytest.raises(FieldDecryptionError, match="key 'a', which is not in the key ring"):
        open_sealed((KEY_B,), LABEL, seal((KEY_A,), LABEL, ADDRESS))


def test_D4_a_value_moved_to_another_column_does_not_open():
    with pytest.raises(FieldDecryptionError, match="the key is wrong or the value was moved"):
        open_sealed((KEY_A,), "case_safe_contact.phone", seal((KEY_A,), LABEL, ADDRESS))


@pytest.mark.parametrize("stored", [ADDRESS, "v1.a.", "v1.a.!!!", "v2.a.AAAA"])
def test_D4_plaintext_or_a_damaged_value_is_refused_not_shown(stored):
    with pytest.raises(FieldDecryptionError):
        open_sealed((KEY_A,), LABEL, stored)


def test_D4_a_changed_ciphertext_is_refused():
    stored = seal((KEY_A,), LABEL, ADDRESS)
    raw = bytearray(base64.urlsafe_b64decode(stored.split(".")[2]))
    raw[-1] ^= 1

    with pytest.raises(FieldDecryptionError):
        open_sealed((KEY_A,), LABEL, f"v1.a.{base64.urlsafe_b64encode(bytes(raw)).decode()}")


def test_D4_a_key_ring_reads_back_from_its_text_form_current_key_first():
    assert parse_key_ring(format_key_ring((KEY_B, KEY_A))) == (KEY_B, KEY_A)
    assert parse_key_ring(f" {format_key_ring((KEY_B,))}\n{format_key_ring((KEY_A,))}\n") == (KEY_B, KEY_A)


def test_D4_every_encrypted_column_binds_its_own_table_and_column_name():
    columns = encrypted_columns(db.metadata)

    assert {f"{column.table.name}.{column.name}" for column in columns} == {
        "case_safe_contact.phone",
        "case_safe_contact.safe_address",
        "person.address",
        "subject_access_item.content",
        "user_account.totp_secret",
    }
    assert all(column.type.label == f"{column.table.name}.{column.name}" for column in columns)


# --- in the database -----------------------------------------------------------------------------


@pytest.fixture
def victim_with_safe_contact(app, make_user):
    return add_victim_with_safe_contact(app, make_user)


def add_victim_with_safe_contact(app, make_user) -> int:
    """A victim's case whose safe contact holds canary values, added by a new user; returns the safe contact's id."""
    user_id, _ = make_user()
    with app.app_context():
        agency_id = db.session.get(User, user_id).agency_id
        victim = Person(given_name="Test", family_name="Victim", created_by_agency_id=agency_id)
        case = Case(victim=victim, marac_area="Riverside", created_by_agency_id=agency_id, reference="MARAC-2026-0001")
        db.session.add_all([victim, case])
        db.session.flush()
        contact = SafeContact(
            case_id=case.id, agency_id=agency_id, phone=PHONE, safe_to_call=True, safe_address=ADDRESS
        )
        db.session.add(contact)
        db.session.commit()
        return contact.id


def raw_safe_contact(app, contact_id) -> tuple[str, str]:
    with app.app_context():
        return tuple(
            db.session.execute(
                text("SELECT phone, safe_address FROM case_safe_contact WHERE id = :id"), {"id": contact_id}
            ).one()
        )


def raw_totp_secret(app, user_id) -> str:
    with app.app_context():
        return db.session.execute(
            text("SELECT totp_secret FROM user_account WHERE id = :id"), {"id": user_id}
        ).scalar_one()


def test_D4_a_raw_database_read_shows_no_safe_address_phone_or_totp_secret(app, make_user, victim_with_safe_contact):
    user_id, secret = make_user(email="second@example.org")

    phone, address = raw_safe_contact(app, victim_with_safe_contact)
    stored_secret = raw_totp_secret(app, user_id)

    assert (sealed_with(phone), sealed_with(address), sealed_with(stored_secret)) == ("test1",) * 3
    assert PHONE not in phone and "900123" not in phone
    assert ADDRESS not in address and "Canary" not in address
    assert secret not in stored_secret
    with app.app_context():
        contact = db.session.get(SafeContact, victim_with_safe_contact)
        assert (contact.phone, contact.safe_address) == (PHONE, ADDRESS)
        assert db.session.get(User, user_id).totp_secret == secret


def test_D4_a_database_read_with_the_wrong_key_fails_loudly(app, victim_with_safe_contact):
    app.config["FIELD_KEYS"] = (("test1", KEY_B[1]),)

    with app.app_context(), pytest.raises(FieldDecryptionError, match="safe_contact"):
        db.session.get(SafeContact, victim_with_safe_contact)


def test_D4_ciphertext_copied_into_another_column_does_not_open(app, victim_with_safe_contact):
    with app.app_context():
        db.session.execute(text("UPDATE case_safe_contact SET phone = safe_address"))
        db.session.commit()
        with pytest.raises(FieldDecryptionError, match="case_safe_contact.phone"):
            db.session.get(SafeContact, victim_with_safe_contact)


def test_D4_saving_other_fields_leaves_the_sealed_values_alone(app, victim_with_safe_contact):
    before = raw_safe_contact(app, victim_with_safe_contact)
    with app.app_context():
        db.session.get(SafeContact, victim_with_safe_contact).safe_to_call = False
        db.session.commit()

    assert raw_safe_contact(app, victim_with_safe_contact) == before


# --- keys rotate -------------------------------------------------------------------------------


def rotate(app):
    return app.test_cli_runner().invoke(args=["keys", "rotate"])


def test_D4_rotation_reseals_everything_with_the_new_key_and_the_old_key_can_go(app, make_user):
    app.config["FIELD_KEYS"] = (KEY_A,)
    contact_id = add_victim_with_safe_contact(app, make_user)
    user_id, secret = make_user(email="rotated@example.org")
    before = (*raw_safe_contact(app, contact_id), raw_totp_secret(app, user_id))
    assert {sealed_with(value) for value in before} == {"a"}

    app.config["FIELD_KEYS"] = (KEY_B, KEY_A)
    result = rotate(app)

    assert result.exit_code == 0, result.output
    assert "case_safe_contact.phone: 1 re-encrypted, 0 already with key b" in result.output
    assert "user_account.totp_secret: 2 re-encrypted, 0 already with key b" in result.output
    after = (*raw_safe_contact(app, contact_id), raw_totp_secret(app, user_id))
    assert {sealed_with(value) for value in after} == {"b"}
    for raw in (*before, *after):
        assert PHONE not in raw and "Canary" not in raw and secret not in raw

    app.config["FIELD_KEYS"] = (KEY_B,)
    with app.app_context():
        contact = db.session.get(SafeContact, contact_id)
        assert (contact.phone, contact.safe_address) == (PHONE, ADDRESS)
        assert db.session.get(User, user_id).totp_secret == secret
        assert db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()[-1] == "field-keys-rotated"
        assert verify_chain()[1] is None
    assert "case_safe_contact.phone: 0 re-encrypted, 1 already with key b" in rotate(app).output


def test_D4_rotation_refuses_a_value_whose_key_has_gone_and_changes_nothing(app, make_user, victim_with_safe_contact):
    before = raw_safe_contact(app, victim_with_safe_contact)
    app.config["FIELD_KEYS"] = (KEY_B,)

    result = rotate(app)

    assert result.exit_code == 1
    assert "key 'test1', which is not in the key ring" in result.output
    assert "Nothing has been changed" in result.output
    assert raw_safe_contact(app, victim_with_safe_contact) == before


def test_D4_rotation_refuses_plaintext_left_in_an_encrypted_column(app, victim_with_safe_contact):
    with app.app_context():
        db.session.execute(text("UPDATE case_safe_contact SET phone = :phone"), {"phone": PHONE})
        db.session.commit()
    app.config["FIELD_KEYS"] = (KEY_B, *TEST_FIELD_KEYS)

    result = rotate(app)

    assert result.exit_code == 1
    assert "case_safe_contact.phone is not encrypted" in result.output
    assert PHONE not in result.output
    assert {sealed_with(value) for value in raw_safe_contact(app, victim_with_safe_contact)} == {None, "test1"}


def test_D4_sign_in_with_a_security_code_works_after_rotation(app, client, make_user):
    user_id, secret = make_user()
    app.config["FIELD_KEYS"] = (KEY_B, *TEST_FIELD_KEYS)
    assert rotate(app).exit_code == 0
    app.config["FIELD_KEYS"] = (KEY_B,)

    client.post(client.url("access.sign_in"), data={"email": "worker@example.org", "password": TEST_PASSWORD})
    response = client.post(client.url("access.verify_second_factor"), data={"code": pyotp.TOTP(secret).now()})

    assert response.location == client.url("meetings.home")
    assert sealed_with(raw_totp_secret(app, user_id)) == "b"
