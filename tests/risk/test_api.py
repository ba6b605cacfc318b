import pytest
from sqlalchemy import func, select

from access.models import ApiToken, AuditEvent, Role
from extensions import db
from risk.instruments import get_pack
from risk.scoring import score

DASH_ANSWERS = {f"q{number}": "yes" for number in range(1, 15)} | {"q15": "dk"}


def create_token(client, sign_in_as, make_agency, name="Police case system") -> str:
    agency_id = make_agency("Northshire Police")
    sign_in_as(Role.ADMIN, email="token-admin@example.org")
    page = client.post(client.url("access.create_api_token"), data={"name": name, "agency_id": str(agency_id)})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    return html.split('<code class="app-secret">')[1].split("</code>")[0]


def audit_count(app, action=None) -> int:
    with app.app_context():
        query = select(func.count()).select_from(AuditEvent)
        if action:
            query = query.where(AuditEvent.action == action)
        return db.session.scalar(query)


def post_score(app, token, body):
    api = app.test_client()
    return api.post(api.url("risk.score_api"), json=body, headers={"Authorization": f"Bearer {token}"})


def test_a_token_scores_exactly_as_the_core_does_and_each_call_is_audited(app, client, sign_in_as, make_agency):
    token = create_token(client, sign_in_as, make_agency)

    response = post_score(app, token, {"tool": "dash-ric", "answers": DASH_ANSWERS})

    assert response.status_code == 200
    assert response.get_json() == score(get_pack("dash-ric"), DASH_ANSWERS).to_dict()
    assert audit_count(app, "api-score") == 1
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "api-score")).one()
        token_row = db.session.scalars(select(ApiToken)).one()
        assert event.agency_id == token_row.agency_id
        assert event.object_id == str(token_row.id)
        assert token_row.last_used_at is not None


def test_only_a_hash_of_the_token_is_stored(app, client, sign_in_as, make_agency):
    token = create_token(client, sign_in_as, make_agency)

    with app.app_context():
        row = db.session.scalars(select(ApiToken)).one()
        stored = [row.token_hash, row.prefix, row.name]
    assert token not in stored
    assert row.prefix == token[:8]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"answers": {"q1": "yes"}}, 'Send a JSON object with "tool" and "answers"'),
        ({"tool": "dash-ric"}, 'needs an "answers" object'),
        ({"tool": "nope", "answers": {}}, "There is no tool 'nope'"),
        ({"tool": "dash-ric", "answers": {"q1": "maybe"}}, "q1: 'maybe' is not an answer"),
        ({"tool": "dash-ric", "answers": {"q99": "yes"}}, "q99: not an item of dash-ric"),
        (["not", "an", "object"], 'Send a JSON object with "tool" and "answers"'),
    ],
)
def test_bad_requests_get_a_400_that_says_what_to_fix_and_write_nothing(
    app, client, sign_in_as, make_agency, body, message
):
    token = create_token(client, sign_in_as, make_agency)
    before = audit_count(app)

    response = post_score(app, token, body)

    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert audit_count(app) == before
    with app.app_context():
        assert db.session.scalars(select(ApiToken)).one().last_used_at is None


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer not-a-real-token", "Basic abc", "bearer  "])
def test_a_missing_or_wrong_token_is_refused(app, client, sign_in_as, make_agency, header):
    create_token(client, sign_in_as, make_agency)
    api = app.test_client()

    response = api.post(
        api.url("risk.score_api"), json={"tool": "dash-ric", "answers": {}}, headers={"Authorization": header}
    )

    assert response.status_code == 401
    assert audit_count(app, "api-score") == 0


def test_a_revoked_token_stops_working_at_once(app, client, sign_in_as, make_agency):
    token = create_token(client, sign_in_as, make_agency)
    assert post_score(app, token, {"tool": "da-5", "answers": {}}).status_code == 200
    with app.app_context():
        token_id = db.session.scalars(select(ApiToken.id)).one()

    client.post(client.url("access.revoke_api_token", token_id=token_id))

    assert post_score(app, token, {"tool": "da-5", "answers": {}}).status_code == 401
    assert audit_count(app, "api-token-revoked") == 1


def test_the_token_list_never_shows_whole_tokens(app, client, sign_in_as, make_agency):
    token = create_token(client, sign_in_as, make_agency)

    page = client.get(client.url("access.list_api_tokens")).get_data(as_text=True)

    assert "Police case system" in page
    assert token[:8] in page
    assert token not in page


def test_a_token_form_without_a_name_says_what_to_enter(client, sign_in_as, make_agency):
    agency_id = make_agency("Northshire Police")
    sign_in_as(Role.ADMIN)

    page = client.post(client.url("access.create_api_token"), data={"name": " ", "agency_id": str(agency_id)})

    assert "Enter what the token is for" in page.get_data(as_text=True)
