"""The documents tests' world: one database per test module, seeded once, since PDFs are slow to make."""

import pytest

from tests.conftest import build_test_app, copy_of_template
from tests.reports.test_documents import seed_world


@pytest.fixture(scope="module")
def module_database_url(database_template, tmp_path_factory):
    with copy_of_template(database_template, tmp_path_factory.mktemp("documents")) as url:
        yield url


@pytest.fixture(scope="module")
def world_app(module_database_url):
    with build_test_app(module_database_url) as app:
        yield app, seed_world(app)
