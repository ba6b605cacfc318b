"""The page-action counter (issue 18): what a person does to get through a journey, counted per role.

A page action is a click that loads a page (a link followed, a form sent) or starts a download. Typing,
ticking a box or choosing an option is not one: those are part of filling in the page."""

from collections import Counter


class PageActions:
    """One tally for a journey, shared by every role's pages."""

    def __init__(self):
        self.by_role: Counter[str] = Counter()

    def page(self, page, role: str) -> "CountedPage":
        return CountedPage(page, role, self.by_role)

    @property
    def total(self) -> int:
        return sum(self.by_role.values())

    def report(self, heading: str) -> str:
        lines = [f"== Page actions: {heading} ==", *(f"{role:<24}{count:>4}" for role, count in self.by_role.items())]
        return "\n".join([*lines, f"{'total':<24}{self.total:>4}"])


class CountedPage:
    """A Playwright page whose clicks are counted when they load a page."""

    def __init__(self, page, role: str, tally: Counter):
        self.page, self.role, self.tally = page, role, tally
        self.loads = 0
        page.on("framenavigated", lambda frame: self._loaded(frame))

    def _loaded(self, frame) -> None:
        if frame == self.page.main_frame:
            self.loads += 1

    def click(self, locator) -> None:
        """Clicks; counted if a page was loaded (a link followed or a form sent)."""
        before = self.loads
        locator.click()
        self.page.wait_for_load_state()
        if self.loads > before:
            self.tally[self.role] += 1

    def download(self, locator):
        """A click that starts a download loads no page but is a page action all the same."""
        with self.page.expect_download() as download:
            locator.click()
        self.tally[self.role] += 1
        return download.value
