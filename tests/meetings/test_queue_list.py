"""The referral queue as a list that scales: search (POST, so no name sits in a URL: SECURITY D2),
filters, sort, pages with counts, bulk accept, and withdrawal by the coordinator. Exclusion lists hold:
a case kept from the reader is neither a row nor counted."""

import re
from datetime import date, timedelta

from sqlalchemy import func, select

from access import store as access_store
from access.models import Agency, AuditEvent, Notification, Role, User
from cases import store as cases_store
from cases.models import Case, ExcludedPerson, PartyRole, Referral, ReferralState
from demo.cases import add_assessment, add_person, refer_now, yes_to
from extensions import db
from meetings import queue
from tests.meetings.factories import AGENCIES, agency_ids
from tests.meetings.test_home import signed_in
from tests.sql_statements import query_plan, statements_run, statements_with_parameters_run


def seed_referral(app, given, *, days_ago, agency="Riverside IDVA Service", children=False, repeat=False, score=15):
    """A received referral of a victim named GIVEN Case, DAYS_AGO days ago; returns (referral id, case reference)."""
    with app.app_context():
        agencies = agency_ids()
        email = f"referrer-{agencies[agency]}@example.org"
        referrer = access_store.get_user_by_email(email) or access_store.create_user(
            name="Seed Referrer",
            email=email,
            agency=db.session.get(Agency, agencies[agency]),
            role=Role.PRACTITIONER,
            password_hash="unused",
        )
        case = cases_store.create_case(
            victim=add_person(referrer.agency_id, given, "Case", date(1990, 1, 1), "RV1 2AB"),
            marac_area="Riverside",
            agency_id=referrer.agency_id,
        )
        if children:
            child = add_person(referrer.agency_id, f"{given}child", "Case", date(2018, 1, 1))
            cases_store.add_party(case, child, PartyRole.CHILD)
        received = date.today() - timedelta(days=days_ago)
        add_assessment(case, referrer, "dash-ric", yes_to(score), received)
        referral = refer_now(case, referrer, received, "Riverside", received=received)
        if repeat:
            referral.criteria = [*referral.criteria, "repeat"]
        db.session.commit()
        return referral.id, case.reference


def queue_page(client, **search) -> str:
    data = {key: value for key, value in search.items()}
    if data:
        response = client.post(client.url("meetings.list_referrals"), data=data)
    else:
        response = client.get(client.url("meetings.list_referrals"))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def coordinator(app, make_user, name="Sam Coordinator"):
    return signed_in(app, make_user, Role.COORDINATOR, "Riverside IDVA Service", "coord@example.org", name=name)


def test_the_queue_is_oldest_first_by_default_and_can_be_sorted_newest_or_highest_risk(app, make_user):
    _, old = seed_referral(app, "Olive", days_ago=10, score=10)
    _, new = seed_referral(app, "Nora", days_ago=1, score=20)
    client = coordinator(app, make_user)

    assert queue_page(client).index(old) < queue_page(client).index(new)
    newest = queue_page(client, sort="newest")
    assert newest.index(new) < newest.index(old)
    riskiest = queue_page(client, sort="risk", page="1")
    assert riskiest.index(new) < riskiest.index(old)
    assert queue_page(client, sort="oldest").index(old) < queue_page(client, sort="oldest").index(new)


def test_the_queue_searches_by_reference_and_by_a_near_spelling_of_the_name(app, make_user):
    _, grace = seed_referral(app, "Grace", days_ago=3)
    _, mary = seed_referral(app, "Mary", days_ago=2)
    client = coordinator(app, make_user)

    by_reference = queue_page(client, search=grace.lower())
    assert grace in by_reference and mary not in by_reference
    by_name = queue_page(client, search="Grayce Case")
    assert grace in by_name and mary not in by_name


def test_the_queue_filters_by_state_repeat_children_and_agency(app, make_user):
    accepted_id, accepted = seed_referral(app, "Alma", days_ago=5)
    _, repeat = seed_referral(app, "Rita", days_ago=4, repeat=True)
    _, children = seed_referral(app, "Cora", days_ago=3, children=True)
    _, police = seed_referral(app, "Pia", days_ago=2, agency="Riverside Police")
    with app.app_context():
        db.session.get(Referral, accepted_id).state = ReferralState.ACCEPTED
        police_id = agency_ids()["Riverside Police"]
        db.session.commit()
    client = coordinator(app, make_user)
    everyone = {accepted, repeat, children, police}

    def shown(**search):
        page = queue_page(client, **search)
        return {reference for reference in everyone if reference in page}

    assert shown(state="accepted") == {accepted}
    assert shown(flags="repeat") == {repeat}
    assert shown(flags="children") == {children}
    assert shown(agency=str(police_id)) == {police}
    assert shown(criterion="visible-high-risk") == everyone


def test_the_queue_is_paged_with_counts(app, make_user):
    references = [
        seed_referral(app, f"Victim{number}", days_ago=30 - number)[1] for number in range(queue.PAGE_SIZE + 1)
    ]
    client = coordinator(app, make_user)

    first = queue_page(client)
    second = queue_page(client, page="2")

    assert f"{queue.PAGE_SIZE + 1} referrals, page 1 of 2" in first
    assert references[0] in first and references[-1] not in first
    assert references[-1] in second and references[0] not in second


def test_an_excluded_chair_sees_neither_a_row_nor_a_count_for_the_case(app, make_user):
    _, kept = seed_referral(app, "Kept", days_ago=3)
    _, other = seed_referral(app, "Other", days_ago=2)
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.reference == kept))
        db.session.add(ExcludedPerson(case_id=case.id, name="JONES, Pat", recorded_by_id=1))
        db.session.commit()
    chair = signed_in(app, make_user, Role.CHAIR, "Riverside IDVA Service", "chair@example.org", name="Pat Jones")

    page = queue_page(chair)

    assert kept not in page and other in page
    assert "1 referral" in page and "2 referrals" not in page


def test_bulk_accept_accepts_each_ticked_referral_and_names_one_that_changed_meanwhile(app, make_user):
    first, _ = seed_referral(app, "First", days_ago=3)
    second, _ = seed_referral(app, "Second", days_ago=2)
    moved, moved_reference = seed_referral(app, "Moved", days_ago=1)
    client = coordinator(app, make_user)
    queue_page(client)
    with app.app_context():
        db.session.get(Referral, moved).state = ReferralState.WITHDRAWN
        db.session.commit()

    response = client.post(
        client.url("meetings.accept_referrals"), data={"referral_ids": [first, second, moved]}, follow_redirects=True
    )

    page = response.get_data(as_text=True)
    assert "2 referrals accepted" in page and moved_reference in page
    with app.app_context():
        assert db.session.get(Referral, first).state is ReferralState.ACCEPTED
        assert db.session.get(Referral, second).state is ReferralState.ACCEPTED
        assert db.session.get(Referral, moved).state is ReferralState.WITHDRAWN
        accepted = select(AuditEvent.object_id).where(AuditEvent.action == "referral-accepted")
        assert sorted(db.session.scalars(accepted)) == sorted([first, second])


def test_bulk_accept_with_nothing_ticked_says_what_to_do_and_changes_nothing(app, make_user):
    referral, _ = seed_referral(app, "Only", days_ago=1)
    client = coordinator(app, make_user)

    response = client.post(client.url("meetings.accept_referrals"), data={}, follow_redirects=True)

    assert "Tick the referrals to accept" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Referral, referral).state is ReferralState.RECEIVED


def test_the_coordinator_withdraws_a_referral_after_confirming_with_a_reason(app, make_user):
    referral_id, reference = seed_referral(app, "Wendy", days_ago=2)
    client = coordinator(app, make_user)
    address = client.url("meetings.withdraw_referral", referral_id=referral_id)

    confirm = client.get(address).get_data(as_text=True)
    assert "The referrer, Seed Referrer (Riverside IDVA Service), will be told" in confirm
    refused = client.post(address, data={"reason": "  "})
    assert refused.status_code == 400 and "Enter the reason" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Referral, referral_id).state is ReferralState.RECEIVED

    done = client.post(address, data={"reason": "Sent twice by mistake"})

    assert done.status_code == 302
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        assert referral.state is ReferralState.WITHDRAWN and referral.state_reason == "Sent twice by mistake"
        withdrawn = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "referral-withdrawn")
        assert db.session.scalar(withdrawn) == 1
        told = select(Notification.message).where(Notification.user_id == referral.referrer_id)
        assert list(db.session.scalars(told)) == [
            f"Your referral for {reference} was withdrawn by the MARAC coordinator"
        ]
    history = client.get(client.url("cases.view_case", case_id=referral.case_id)).get_data(as_text=True)
    assert "Referral withdrawn" in history and "Sent twice by mistake" in history


def test_a_referral_on_an_agenda_cannot_be_withdrawn_from_the_queue_until_taken_off(app, make_user):
    referral_id, _ = seed_referral(app, "Tess", days_ago=2)
    with app.app_context():
        db.session.get(Referral, referral_id).state = ReferralState.SCHEDULED
        db.session.commit()
    client = coordinator(app, make_user)

    response = client.post(client.url("meetings.withdraw_referral", referral_id=referral_id), data={"reason": "x"})

    assert response.status_code == 409
    assert "Take it off the meeting" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Referral, referral_id).state is ReferralState.SCHEDULED


def test_an_accepted_referral_waiting_for_the_planner_can_be_withdrawn(app, make_user):
    referral_id, _ = seed_referral(app, "Tess", days_ago=2)
    with app.app_context():
        db.session.get(Referral, referral_id).state = ReferralState.ACCEPTED
        db.session.commit()
    client = coordinator(app, make_user)

    response = client.post(
        client.url("meetings.withdraw_referral", referral_id=referral_id), data={"reason": "Moved out of the area"}
    )

    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Referral, referral_id).state is ReferralState.WITHDRAWN


def page_order(page: str, references: list[str]) -> list[str]:
    shown = [reference for reference in references if reference in page]
    return sorted(shown, key=page.index)


def test_each_sort_pages_through_every_referral_once_in_its_order(app, make_user):
    """Issue 20: the queue is paged in the database; page 1 then page 2 are the whole queue, in the order asked."""
    scores = [10 if number % 3 else 20 for number in range(queue.PAGE_SIZE + 3)]
    # received 30, 29, ... days ago, so the list order is the oldest first; every third scores higher.
    references = [
        seed_referral(app, f"Victim{number}", days_ago=30 - number, score=score)[1]
        for number, score in enumerate(scores)
    ]
    client = coordinator(app, make_user)
    riskier = [reference for reference, score in zip(references, scores) if score == 20]
    others = [reference for reference, score in zip(references, scores) if score == 10]
    expected = {"oldest": references, "newest": references[::-1], "risk": riskier + others}

    for sort, order in expected.items():
        first, second = queue_page(client, sort=sort, page="1"), queue_page(client, sort=sort, page="2")
        assert page_order(first, references) == order[: queue.PAGE_SIZE], sort
        assert page_order(second, references) == order[queue.PAGE_SIZE :], sort
        assert f"{queue.PAGE_SIZE + 3} referrals, page 2 of 2" in second


def test_a_filter_counts_and_pages_only_the_referrals_it_keeps(app, make_user):
    references = [
        seed_referral(app, f"Victim{number}", days_ago=40 - number, children=number % 2 == 0)[1]
        for number in range(queue.PAGE_SIZE * 2 + 2)
    ]
    with_children = references[::2]
    client = coordinator(app, make_user)

    first = queue_page(client, flags="children", page="1")
    second = queue_page(client, flags="children", page="2")

    assert f"{len(with_children)} referrals, page 1 of 2" in first
    assert page_order(first, references) == with_children[: queue.PAGE_SIZE]
    assert page_order(second, references) == with_children[queue.PAGE_SIZE :]


def test_possible_matches_are_looked_for_only_for_the_rows_shown(app, make_user, monkeypatch):
    """Issue 20: at a force's size the queue must not build a row (and match people) for every open referral."""
    for number in range(queue.PAGE_SIZE + 5):
        seed_referral(app, f"Victim{number}", days_ago=30 - number)
    client = coordinator(app, make_user)
    looked_up = []
    original = queue.possible_match_counts_of
    monkeypatch.setattr(
        queue, "possible_match_counts_of", lambda referrals: looked_up.extend(referrals) or original(referrals)
    )

    queue_page(client)

    assert len(looked_up) == queue.PAGE_SIZE


def statements_for_the_queue(app, client) -> int:
    queue_page(client)  # what a process loads once (packs, rules) is not counted
    with statements_run(app) as statements:
        queue_page(client)
    return len(statements)


def test_the_queue_runs_as_many_statements_for_twelve_rows_as_for_two(app, make_user):
    """Issue 20: each row's victim, children, referring agency, tier and last MARAC are read for the whole page,
    not with a query per row (the seeded worlds of tests/test_query_counts.py have no open referral)."""
    agencies = list(AGENCIES)
    client = coordinator(app, make_user)
    for number in range(2):
        seed_referral(app, f"Victim{number}", days_ago=30 - number, agency=agencies[number], children=True)
    two = statements_for_the_queue(app, client)
    for number in range(2, 12):
        seed_referral(
            app, f"Victim{number}", days_ago=30 - number, agency=agencies[number % len(agencies)], children=True
        )
    twelve = statements_for_the_queue(app, client)

    assert twelve == two


def test_the_coordinators_queue_counts_and_pages_referrals_without_reading_every_case(app, make_user):
    """Issue 20: the coordinator may see every case, so the queue's count and page need nothing of the case table;
    joined to it anyway, PostgreSQL read all 120,000 cases of a force to count 4,000 open referrals (a third of
    the queue's time). Joined so that the database leaves out a join that asks nothing of it."""
    for number in range(3):
        seed_referral(app, f"Victim{number}", days_ago=30 - number)
    client = coordinator(app, make_user)
    queue_page(client)
    with statements_with_parameters_run(app) as statements:
        page = queue_page(client)
    # The open referrals' statements; the victims' earlier referrals are found through her cases (their victim_id).
    of_referrals = [
        (text, parameters)
        for text, parameters in statements
        if re.search(r"\bFROM referral\b", text) and "marac_case.victim_id" not in text
    ]

    assert "3 referrals" in page
    assert len(of_referrals) >= 3  # the count, the page and the cases matched against exclusion lists
    assert [text for text, parameters in of_referrals if reads_every_case(query_plan(app, text, parameters))] == []


def reads_every_case(plan: str) -> bool:
    """PostgreSQL leaves the case table out altogether; SQLite keeps it in a count, looked up by its key."""
    return bool(re.search(r"Seq Scan on marac_case\b|^SCAN marac_case\b", plan, re.MULTILINE))


def test_the_queue_of_someone_who_sees_only_some_cases_still_leaves_out_the_rest(app, make_user):
    """The queue's store asked for a practitioner, who sees only her agency's cases: the case table is still
    asked then, and another agency's case is neither a row nor counted."""
    seed_referral(app, "Ours", days_ago=3, agency="Riverside IDVA Service")
    seed_referral(app, "Theirs", days_ago=2, agency="Riverside Police")
    user_id, _ = make_user(email="idva@example.org", role=Role.PRACTITIONER, agency="Riverside IDVA Service")

    with app.app_context():
        found = queue.queue_for(db.session.get(User, user_id), queue.QueueSearch(), date.today())
        assert (found.total, [row.initials for row in found.rows]) == (1, ["OC"])


def test_the_queue_counts_possible_matches_without_reading_the_people_matched_whole(app, make_user, monkeypatch):
    """Issue 20: a row shows how many known people may be its victim, so the people matched are read only as the
    matcher reads them, not whole (a row of a force's queue has dozens of people sharing a key, and read whole
    each would have her sealed address opened too)."""
    seed_referral(app, "Alexandra", days_ago=5)
    with app.app_context():
        add_person(agency_ids()["Riverside IDVA Service"], "Alexandra", "Case", date(1990, 1, 1), "RV1 2AB")
        db.session.commit()
    client = coordinator(app, make_user)
    read_whole = []
    original = cases_store.people_with_ids

    def people_with_ids(person_ids):
        read_whole.extend(person_ids := list(person_ids))
        return original(person_ids)

    monkeypatch.setattr(cases_store, "people_with_ids", people_with_ids)

    page = queue_page(client)

    assert "1 possible match<" in page
    assert read_whole == []
