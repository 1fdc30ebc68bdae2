"""The app's own colours, by meaning, each in a light and a dark variant.

Which variant applies is read from the palette in use, so ClaimDesk follows whatever the desktop
hands Qt: a system light/dark switch (QStyleHints.colorScheme) reaches widgets as a new palette,
and so does a dark palette set by hand. Item models ask at paint time; widgets that bake a colour
into a style sheet or HTML call ``follow`` to be redone when the application palette flips.

Every text colour reads at WCAG AA (4.5:1) on the Base and Window of a light and a dark palette;
tests/test_gui_theme.py checks it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QEvent, QObject, QTimer, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QWidget


def is_dark(palette: QPalette | None = None) -> bool:
    """Whether the palette (the application's when None) draws light text on a dark ground."""
    palette = palette if palette is not None else QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


@dataclass(frozen=True)
class Tone:
    """One meaning, with the colour that carries it on a light and on a dark ground."""

    light: str
    dark: str

    def hex(self, palette: QPalette | None = None) -> str:
        """The variant for the palette, as "#rrggbb" for a style sheet or HTML."""
        return self.dark if is_dark(palette) else self.light

    def color(self, palette: QPalette | None = None) -> QColor:
        return QColor(self.hex(palette))

    def brush(self, palette: QPalette | None = None) -> QBrush:
        return QBrush(self.color(palette))


# Text (and marks) on the palette's Base or Window.
DANGER = Tone("#b3261e", "#ff8a80")  # overdue, late, upheld, conflict of interest, errors
WARNING = Tone("#8a5300", "#ffb74d")  # due soon, unchecked, something still missing
MUTED = Tone("#666666", "#a6a6a6")  # superseded, withdrawn, closed, hints
SUCCESS = Tone("#1e6b24", "#81c784")  # received, overturned, in the claimant's favour
ACCENT = Tone("#1556a8", "#90caf9")  # requested, done: neutral information
AGAINST = Tone("#a84300", "#ffab70")  # a decision against the claimant (not yet late)
TEXT_TONES = {
    "danger": DANGER,
    "warning": WARNING,
    "muted": MUTED,
    "success": SUCCESS,
    "accent": ACCENT,
    "against": AGAINST,
}

# Chart series with no meaning of their own (a stage, a level): distinct hues, each readable
# as a bar beside text on the Base of a light and a dark palette.
CHART_SERIES = (
    Tone("#1556a8", "#90caf9"),
    Tone("#1e6b24", "#81c784"),
    Tone("#8a5300", "#ffb74d"),
    Tone("#6a1b9a", "#ce93d8"),
    Tone("#00695c", "#80cbc4"),
    Tone("#6b6a00", "#dce775"),
    Tone("#4e5b6e", "#b0bec5"),
    Tone("#ad1457", "#f48fb1"),
)


def chart_tone(name: str) -> Tone:
    """A service's tone name ("danger", "series:3") as the theme's tone."""
    if name.startswith("series:"):
        return CHART_SERIES[int(name.partition(":")[2]) % len(CHART_SERIES)]
    return TEXT_TONES.get(name, ACCENT)


# Grounds.
DANGER_BACKGROUND = Tone("#fdecea", "#3d1f1f")  # a conflict-of-interest row, an error box
DANGER_BORDER = Tone("#f5c2c0", "#7a3030")
ERROR_LINE = Tone("#ffd6d6", "#5c2b2b")  # behind the editor's own text on the failing line
EDITOR_GUTTER = Tone("#f2f2f2", "#2e2e2e")  # line numbers (MUTED) sit on it
DESK = Tone("#d9d9d9", "#1a1a1a")  # around the letter preview's page

# The letter preview is a printed page: white paper with dark ink in either scheme.
PAPER = QColor("#ffffff")
INK = QColor("#1f1f1f")
INK_DANGER = DANGER.light


def contrast(first: QColor, second: QColor) -> float:
    """The WCAG contrast ratio of two colours, 1 to 21."""

    def luminance(colour: QColor) -> float:
        def channel(value: float) -> float:
            return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

        red, green, blue = (channel(c) for c in (colour.redF(), colour.greenF(), colour.blueF()))
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


class _Scheme(QWidget):
    """Hears of a new application palette and says when it has turned light or dark.

    Qt sends ApplicationPaletteChange to windows only; a child hears of the new palette as a
    PaletteChange handed down by its parent, and a child whose style sheet has been polished
    hears nothing at all (the polish pins its whole palette). So one window, never shown,
    listens for every follower.
    """

    flipped = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("claimdeskSchemeWatch")
        self._dark = is_dark()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ApplicationPaletteChange:
            # Announced once the event loop is back: by then every window has handed its new
            # palette down to its children, so a follower reading one sees the new scheme.
            QTimer.singleShot(0, self, self._announce)
        return super().event(event)

    def _announce(self) -> None:
        dark = is_dark()
        if dark != self._dark:
            self._dark = dark
            self.flipped.emit()


_scheme: _Scheme | None = None


def _scheme_watch() -> _Scheme:
    global _scheme
    if _scheme is None or not shiboken6.isValid(_scheme):  # a new QApplication deleted it
        _scheme = _Scheme()
    return _scheme


class _Follower(QObject):
    def __init__(self, widget: QWidget, apply: Callable[[], None]) -> None:
        super().__init__(widget)  # goes with the widget, and its connection with it
        self._widget = widget
        self._apply = apply
        _scheme_watch().flipped.connect(self._redo)
        apply()

    @Slot()
    def _redo(self) -> None:
        owner = getattr(self._apply, "__self__", None)
        if isinstance(owner, QObject) and not shiboken6.isValid(owner):
            return  # ``apply`` belongs to a window already gone; its widget follows it soon
        sheet = self._widget.styleSheet()
        if sheet:
            # The widget's palette is still the one its last polish pinned, the old scheme's.
            # Setting the same sheet again repolishes it (Qt does not skip an unchanged sheet),
            # which resolves the palette afresh from the parent's, so ``apply`` reads the new.
            self._widget.setStyleSheet(sheet)
        self._apply()


def follow(widget: QWidget, apply: Callable[[], None]) -> None:
    """Run ``apply`` now and again whenever the application's palette turns light or dark.

    When ``apply`` runs, ``widget.palette()`` is the new scheme's, even for a widget with a
    style sheet. A widget whose own sheet sets a background carries that background in its
    palette, though: read its tone from the palette of the ground it sits on instead.
    """
    _Follower(widget, apply)
