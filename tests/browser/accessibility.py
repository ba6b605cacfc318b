"""axe-core (from npm, in node_modules) run inside the page: WCAG 2.2 AA rules, serious and critical
violations fail. `Accessibility.check(page)` checks what the page shows now; `assert_every_page_checked`
fails a journey that loaded a page it never checked."""

import json
from pathlib import Path

AXE_SOURCE = Path(__file__).parent.parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING_IMPACTS = {"serious", "critical"}


def axe_source() -> str:
    if not AXE_SOURCE.exists():
        raise AssertionError(f"axe-core is missing at {AXE_SOURCE}: run `npm ci` (make install does)")
    return AXE_SOURCE.read_text(encoding="utf-8")


def run_axe(page) -> list[dict]:
    """Evaluated through the DevTools protocol, which the page's script-src 'self' policy does not govern."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    options = json.dumps({"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]})
    return page.evaluate(f"axe.run(document, {options}).then(result => result.violations)")


def describe(violation: dict) -> str:
    targets = [" ".join(node["target"]) for node in violation["nodes"][:3]]
    return f"{violation['impact']} {violation['id']}: {violation['help']} at {targets}"


class Accessibility:
    def __init__(self):
        self.loaded: list[tuple[int, str]] = []
        self.checked: set[tuple[int, str]] = set()

    def watch(self, page) -> None:
        page.on("load", lambda loaded: self.loaded.append((id(loaded), loaded.url)))

    def check(self, page) -> None:
        page.wait_for_load_state()
        problems = [describe(violation) for violation in run_axe(page) if violation["impact"] in FAILING_IMPACTS]
        assert problems == [], f"{page.url}:\n" + "\n".join(problems)
        self.checked.add((id(page), page.url))

    def assert_every_page_checked(self) -> None:
        unchecked = sorted({url for page_id, url in self.loaded if (page_id, url) not in self.checked})
        assert unchecked == [], f"pages loaded but never checked with axe: {unchecked}"
