import json

import pytest

from risk.instruments import get_pack, load_all_packs
from risk.scoring import score

OUTPUT_KEYS = {"tool", "version", "score", "max_score", "band", "tier", "factors", "missing", "prompts"}


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_tools_lists_every_pack_with_method_and_item_count(runner):
    result = runner.invoke(args=["risk", "tools"])

    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert len(lines) == len(load_all_packs())
    assert "dash-ric\tSafeLives DASH Risk Identification Checklist\t2009\tcount\t24 items" in lines
    assert any(line.startswith("lap\t") and "\tlap-screen\t12 items" in line for line in lines)


def test_score_reads_a_file_and_prints_one_json_object(runner, tmp_path):
    answers = {"q1": "yes", "q2": "Y", "q3": "don't know"}
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"answers": answers}))

    result = runner.invoke(args=["risk", "score", "dash-ric", str(path)])

    assert result.exit_code == 0
    output = json.loads(result.stdout)
    assert set(output) == OUTPUT_KEYS
    assert output == score(get_pack("dash-ric"), answers).to_dict()
    assert output["score"] == 2
    assert "q3" in output["missing"]


def test_score_reads_standard_input_with_a_dash(runner):
    result = runner.invoke(
        args=["risk", "score", "da-5", "-"], input='{"answers": {"q1": "yes", "q2": "yes", "q3": "yes"}}'
    )

    assert result.exit_code == 0
    assert json.loads(result.stdout)["tier"] == 3


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["nope", "-"], '{"answers": {}}', "There is no tool 'nope'"),
        (["dash-ric", "-"], "{not json", "The input is not valid JSON"),
        (["dash-ric", "-"], '{"answers": []}', 'The input needs an "answers" object'),
        (["dash-ric", "-"], '{"answers": {"q1": "perhaps"}}', "q1: 'perhaps' is not an answer"),
        (["dash-ric", "-"], '{"answers": {"q25": "yes"}}', "q25: not an item of dash-ric"),
        (["dash-ric", "/no/such/file.json"], "", "Cannot read /no/such/file.json"),
    ],
)
def test_bad_input_exits_2_with_one_line_on_stderr_and_nothing_on_stdout(runner, args, stdin, message):
    result = runner.invoke(args=["risk", "score", *args], input=stdin)

    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
