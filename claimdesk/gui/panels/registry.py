"""The case workspace's panels, in tab order."""

from __future__ import annotations

from claimdesk.gui.panels.appeals import AppealsPanel
from claimdesk.gui.panels.base import CasePanel
from claimdesk.gui.panels.calls import CallsPanel
from claimdesk.gui.panels.deadlines import DeadlinesPanel
from claimdesk.gui.panels.documents import DocumentsPanel
from claimdesk.gui.panels.letters import LettersPanel
from claimdesk.gui.panels.overview import OverviewPanel
from claimdesk.gui.panels.requests import RequestsPanel
from claimdesk.gui.panels.specialists import SpecialistsPanel
from claimdesk.gui.panels.timeline import TimelinePanel

PANELS: list[type[CasePanel]] = [
    OverviewPanel,
    CallsPanel,
    RequestsPanel,
    SpecialistsPanel,
    AppealsPanel,
    DocumentsPanel,
    LettersPanel,
    DeadlinesPanel,
    TimelinePanel,
]
