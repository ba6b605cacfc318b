import pytest

DEMO_BANNER = "DEMO — not for real data"


@pytest.mark.parametrize("app_settings", [{"DEMO_MODE": True}], indirect=False)
def test_demo_mode_shows_the_banner_on_every_page(client, app_settings):
    assert DEMO_BANNER in client.get(client.url("access.sign_in")).get_data(as_text=True)
    assert DEMO_BANNER in client.get("/no-such-page").get_data(as_text=True)


def test_outside_demo_mode_there_is_no_banner(client):
    assert DEMO_BANNER not in client.get(client.url("access.sign_in")).get_data(as_text=True)


def test_the_service_is_the_marac_toolkit_and_not_a_gov_uk_service(client):
    page = client.get(client.url("access.sign_in")).get_data(as_text=True)

    assert "MARAC toolkit" in page
    assert "GOV.UK" not in page
    assert "crown" not in page.lower()
    assert "govuk-logo" not in page


def test_the_stylesheet_uses_system_fonts_not_gds_transport():
    from pathlib import Path

    source = (Path(__file__).parent.parent / "assets" / "app.scss").read_text()

    assert "$govuk-include-default-font-face: false" in source
    assert "system-ui" in source


def test_templates_never_mark_text_safe():
    from pathlib import Path

    templates = Path(__file__).parent.parent / "templates"
    offenders = [str(path) for path in templates.rglob("*.html") if "|safe" in path.read_text().replace(" ", "")]

    assert offenders == []
