"""Dependencies pinned with hashes, installed as pinned, and listed in an SBOM (SECURITY D8).

pyproject.toml keeps the ranges; requirements.lock (`make lock`) pins every package, with hashes, and
`make install` installs only from it. A venv that has drifted from the lock fails here, so a test run
never passes on versions other than the ones that will be deployed.
"""

import json
import re
import subprocess
import sys
import tomllib
from functools import cache
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).parent.parent
LOCK = ROOT / "requirements.lock"
PIP_LOCK = ROOT / "requirements-pip.lock"
MAKEFILE = ROOT / "Makefile"
PINNED = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+)$")
HASH = re.compile(r"^--hash=sha256:[0-9a-f]{64}$")


@cache
def locked(lock: Path = LOCK) -> dict[str, tuple[str, list[str]]]:
    """{canonical name: (version, [hash options])} read from the lock, its backslash-continued lines joined."""
    text = re.sub(r"\\\n", " ", lock.read_text())
    packages = {}
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        match = PINNED.match(words[0])
        assert match, f"{lock.name}: {words[0]!r} is not pinned as name==version"
        packages[canonicalize_name(match["name"])] = (match["version"], words[1:])
    return packages


def declared_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    return [Requirement(text) for text in [*project["dependencies"], *extras["test"], *extras["bench"]]]


def installed_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def recipe(target: str) -> list[str]:
    """The recipe lines of one Makefile rule, as written (variables not expanded)."""
    lines = MAKEFILE.read_text().splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith(f"{target}:"))
    body = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        body.append(line.strip())
    return body


def make_variable(name: str) -> str:
    match = re.search(rf"^{name} :?= (.+)$", MAKEFILE.read_text(), re.MULTILINE)
    assert match, f"The Makefile does not set {name}"
    return match.group(1).strip()


def test_d8_every_declared_dependency_is_pinned_with_a_hash_within_its_declared_range():
    packages = locked()
    for requirement in declared_requirements():
        name = canonicalize_name(requirement.name)
        assert name in packages, f"{requirement.name} is in pyproject.toml but not in requirements.lock: run make lock"
        version, options = packages[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"requirements.lock pins {requirement.name}=={version}, outside {requirement}: run make lock"
        )
        hashes = [option for option in options if option.startswith("--hash")]
        assert hashes, f"{requirement.name} has no --hash in requirements.lock"
        assert all(HASH.match(option) for option in hashes), f"{requirement.name} has a malformed hash"
        for extra in requirement.extras:  # psycopg[binary]: the extra's own package is pinned too
            assert canonicalize_name(f"{requirement.name}-{extra}") in packages


def test_d8_every_package_in_the_lock_has_a_hash():
    unhashed = [name for name, (_, options) in locked().items() if not any(HASH.match(o) for o in options)]
    assert unhashed == []


def test_d8_the_installed_packages_are_the_locked_versions():
    checked, drifted = [], []
    for name, (version, _) in locked().items():
        installed = installed_version(name)
        if installed is None:
            continue
        checked.append(name)
        if installed != version:
            drifted.append(f"{name} {installed} (locked {version})")
    assert drifted == [], "The venv differs from requirements.lock; run make install: " + ", ".join(drifted)
    assert {"flask", "sqlalchemy", "weasyprint", "pandas", "playwright", "psycopg"} <= set(checked)


def test_d8_make_install_installs_only_from_the_lock_with_hashes_then_the_project_without_dependencies():
    assert make_variable("LOCK") == "requirements.lock"
    installs = [line for line in recipe("$(STAMPS)/python") if "pip install" in line]
    assert installs, "make install runs no pip install"
    own_pip, from_lock, project = installs
    assert "--require-hashes" in own_pip.split() and own_pip.endswith("-r $(PIP_LOCK)")
    assert "--require-hashes" in from_lock.split() and "-r $(LOCK)" in from_lock
    assert "--no-deps" in project.split() and project.endswith("-e .")
    prerequisites = MAKEFILE.read_text().split("$(STAMPS)/python:", 1)[1].splitlines()[0].split()
    assert {"$(LOCK)", "$(PIP_LOCK)"} <= set(prerequisites), "make install must run again when a lock changes"


def test_d8_the_venvs_own_pip_is_the_locked_one_with_hashes():
    """Python 3.11's own pip (23.2) installed weasyprint's fonttools[woff] at a newer release than the lock's
    fonttools, and then refused the whole lock in hash-checking mode (a fresh clone's make install, 6 Dec 2026)."""
    pinned = locked(PIP_LOCK)
    assert list(pinned) == ["pip"]
    version, options = pinned["pip"]
    assert options and all(HASH.match(option) for option in options)
    assert installed_version("pip") == version


def test_d8_make_lock_compiles_the_lock_with_hashes_from_pyproject():
    compile_line = " ".join(recipe("lock"))
    assert "pip-compile" in compile_line
    assert "--generate-hashes" in compile_line
    assert compile_line.rstrip().endswith("pyproject.toml")
    assert "--output-file $(LOCK)" in compile_line


def test_d8_the_sbom_lists_flask_and_sqlalchemy_at_their_installed_versions(tmp_path):
    sbom = tmp_path / "sbom.cdx.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "cyclonedx_py",
            "environment",
            "--output-format",
            "JSON",
            "--output-file",
            str(sbom),
            sys.executable,
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    document = json.loads(sbom.read_text())
    assert document["bomFormat"] == "CycloneDX"
    components = {canonicalize_name(c["name"]): c.get("version") for c in document["components"]}
    assert components["flask"] == metadata.version("flask")
    assert components["sqlalchemy"] == metadata.version("sqlalchemy")


def test_d8_make_sbom_writes_cyclonedx_json_to_a_path_git_ignores():
    sbom = make_variable("SBOM")
    command = " ".join(recipe("sbom"))
    assert "cyclonedx-py environment" in command and "--output-format JSON" in command
    assert "--output-file $(SBOM)" in command
    ignored = subprocess.run(["git", "check-ignore", "-q", sbom], cwd=ROOT, check=False)
    assert ignored.returncode == 0, f"{sbom} is not ignored by git"
