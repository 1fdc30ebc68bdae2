"""The case workspace's panels, in tab order."""

from __future__ import annotations

from claimdesk.gui.panels.base import CasePanel
from claimdesk.gui.panels.deadlines import DeadlinesPanel
from claimdesk.gui.panels.overview import OverviewPanel

PANELS: list[type[CasePanel]] = [OverviewPanel, DeadlinesPanel]
