import json

import pytest

from forms.instrument import FIELD_FOR_ANSWER_TYPE, change_form_class_for, form_class_for
from risk.instruments import SCHEMA_PATH, load_all_packs


def test_every_answer_type_in_the_pack_schema_has_a_form_field():
    answer_types = json.loads(SCHEMA_PATH.read_text())["$defs"]["item"]["properties"]["answer_type"]["enum"]

    assert set(answer_types) == set(FIELD_FOR_ANSWER_TYPE)


@pytest.mark.parametrize("tool_id", sorted(load_all_packs()))
def test_every_pack_builds_a_form_with_a_field_per_item(app, tool_id):
    pack = load_all_packs()[tool_id]
    with app.test_request_context():
        form = form_class_for(pack)()

    names = [field.name for field in form if field.name != "csrf_token"]
    assert names == [name for item in pack.items for name in (item.id, f"{item.id}_comment")]
    for item in pack.items:
        choices = [choice.value for choice in form[item.id].choices]
        if item.answer_type == "yes-no":
            assert "unknown" in choices and "yes" in choices
        elif item.answer_type == "choice":
            assert choices == [choice.id for choice in item.choices]


@pytest.mark.parametrize("tool_id", sorted(load_all_packs()))
def test_every_answer_the_form_offers_is_shown_on_the_result_in_the_words_it_was_offered_in(app, tool_id):
    pack = load_all_packs()[tool_id]
    with app.test_request_context():
        form = change_form_class_for(pack)()

    for item in pack.items:
        for choice in form[item.id].choices:
            assert item.answer_label(choice.value) == choice.label
        assert item.answer_label(None) == item.answer_label("") == "Not answered"
        assert form[item.id].label.text == (f"{item.number}. {item.label}" if item.number else item.label)
    assert {"reason", "change_key", "lower_tier_accepted"} <= {field.name for field in form}
