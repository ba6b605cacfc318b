"""Where a case stands now, for the panel at the top of the case page: a few facts, each supplied by
the package that holds it. Like the chronology (cases/chronology.py), each package registers its
providers when the app starts; a provider is `(user, case, scope, records) -> list[Fact]`, reads in a fixed
number of queries, and gives only what the policy lets that user see. `records` (cases.store.CaseRecords) holds
the case's assessments, judgements, incidents and referrals, read once for the whole page."""

from collections.abc import Callable
from dataclasses import dataclass

from access import policy
from access.models import User
from access.policy import CaseScope
from cases.models import Case
from cases.store import CaseRecords


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    link: str | None = None


Provider = Callable[[User, Case, CaseScope, CaseRecords], list[Fact]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Adds a provider (usable as a decorator); registering the same one again changes nothing. The
    panel shows the facts in the order their providers were registered."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def facts_for(user: User, case: Case, scope: CaseScope, records: CaseRecords | None = None) -> list[Fact]:
    if not policy.may_view_case(user, scope):
        return []
    records = records or CaseRecords(case)
    return [fact for provider in _providers for fact in provider(user, case, scope, records)]
