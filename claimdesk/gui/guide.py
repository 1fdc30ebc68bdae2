"""The user guide: Markdown pages in resources/guide, read offline in a small browser window.

Help ▸ User guide (F1) opens it at the page of the screen in front; the "?" button of a screen
(``help_button``) opens it at that screen's page. Pages link to each other with relative links
("calls.md"); the box above the contents finds words in every page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import (
    QDesktopServices,
    QKeySequence,
    QShortcut,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from claimdesk.gui import theme
from claimdesk.paths import resources_dir

HOME = "index"
# The contents, in reading order: the fight step by step, then the screens not covered there.
# Each name is a page resources/guide/NAME.md; a screen's page has the screen's key as its name
# (the workspace panels' ``key``, and "today", "cases", "search").
CONTENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "From denial to external review",
        (
            "index",
            "first-steps",
            "calls",
            "requests",
            "deadlines",
            "specialists",
            "appeals",
            "letters",
            "packet",
            "escalation",
            "backup",
        ),
    ),
    (
        "The screens",
        ("today", "dashboard", "cases", "search", "overview", "documents", "timeline", "audit"),
    ),
)
PAGES: tuple[str, ...] = tuple(page for _section, pages in CONTENTS for page in pages)
PAGE_ROLE = Qt.ItemDataRole.UserRole


def guide_dir() -> Path:
    """Where the guide's pages are: bundled with the app (wheel, frozen build or checkout)."""
    return resources_dir() / "guide"


def page_path(page: str) -> Path:
    return guide_dir() / f"{page}.md"


@cache
def page_text(page: str) -> str:
    """A page's Markdown (read once: the pages do not change while the app runs)."""
    return page_path(page).read_text(encoding="utf-8")


def page_title(page: str) -> str:
    """The page's first heading."""
    for line in page_text(page).splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return page


def pages_with(words: str) -> list[str]:
    """The pages holding every one of the words (any case), in contents order."""
    wanted = words.casefold().split()
    return [page for page in PAGES if all(w in page_text(page).casefold() for w in wanted)]


def page_of(widget: QWidget | None) -> str:
    """The guide page of the screen ``widget`` is (its ``guide_page``), else the first page."""
    found = getattr(widget, "guide_page", None)
    if callable(found):
        found = found()
    return found if isinstance(found, str) and found in PAGES else HOME


class GuideWindow(QWidget):
    """The contents on the left (with a search box), the page on the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("ClaimDesk user guide")
        self.setAccessibleName("User guide")
        self.find_field = QLineEdit()
        self.find_field.setPlaceholderText("Find in the guide…")
        self.find_field.setAccessibleName("Find in the guide")
        self.find_field.setClearButtonEnabled(True)
        self.contents = QListWidget()
        self.contents.setAccessibleName("Contents of the guide")
        self.contents.setWordWrap(True)  # long titles wrap instead of running off the side
        self.contents.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.contents.setSpacing(1)
        for section, pages in CONTENTS:
            heading = QListWidgetItem(section)
            heading.setFlags(Qt.ItemFlag.ItemIsEnabled)  # readable, not choosable
            font = heading.font()
            font.setBold(True)
            heading.setFont(font)
            self.contents.addItem(heading)
            for page in pages:
                item = QListWidgetItem(f"  {page_title(page)}")
                item.setData(PAGE_ROLE, page)
                self.contents.addItem(item)
        self.found = QLabel()
        self.found.setWordWrap(True)
        self.browser = QTextBrowser()
        self.browser.setAccessibleName("Guide page")
        self.browser.setOpenLinks(False)  # links are followed here: guide pages, or outside
        self.browser.document().setDocumentMargin(14)
        theme.follow(self.browser, self._colour_links)
        self.back = QToolButton()
        self.back.setText("◀ Back")
        self.back.setEnabled(False)
        self.forward = QToolButton()
        self.forward.setText("Forward ▶")
        self.forward.setEnabled(False)

        left = QWidget()
        side = QVBoxLayout(left)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.find_field)
        side.addWidget(self.found)
        side.addWidget(self.contents, 1)
        right = QWidget()
        main = QVBoxLayout(right)
        main.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back)
        buttons.addWidget(self.forward)
        buttons.addStretch(1)
        main.addLayout(buttons)
        main.addWidget(self.browser, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([280, 660])
        QVBoxLayout(self).addWidget(splitter)
        self.resize(940, 680)

        self.contents.currentItemChanged.connect(self._chosen)
        self.browser.anchorClicked.connect(self.follow)
        self.browser.sourceChanged.connect(self._shown)
        self.browser.backwardAvailable.connect(self.back.setEnabled)
        self.browser.forwardAvailable.connect(self.forward.setEnabled)
        self.back.clicked.connect(self.browser.backward)
        self.forward.clicked.connect(self.browser.forward)
        self.find_field.textChanged.connect(self._filter)
        self.find_field.returnPressed.connect(self.find_next)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self, self.find_field.setFocus)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)

    def _colour_links(self) -> None:
        """Links in the app's accent: Markdown's link blue (the desktop's) can vanish on a dark
        page. Run after each page loads and when the scheme flips."""
        colour = theme.ACCENT.color(self.browser.palette())
        document = self.browser.document()
        block = document.begin()
        while block.isValid():
            iterator = block.begin()
            while not iterator.atEnd():
                fragment = iterator.fragment()
                if fragment.isValid() and fragment.charFormat().isAnchor():
                    cursor = QTextCursor(document)
                    cursor.setPosition(fragment.position())
                    cursor.setPosition(
                        fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor
                    )
                    recoloured = QTextCharFormat()
                    recoloured.setForeground(colour)
                    cursor.mergeCharFormat(recoloured)
                iterator += 1
            block = block.next()

    # ---- pages ----------------------------------------------------------------------------

    def open_page(self, page: str, fragment: str = "") -> None:
        """Show ``page`` (a name from PAGES; an unknown one shows the first page)."""
        if page not in PAGES:
            page = HOME
        url = QUrl.fromLocalFile(str(page_path(page)))
        if fragment:
            url.setFragment(fragment)
        if url != self.browser.source():
            self.browser.setSource(url, QTextDocument.ResourceType.MarkdownResource)

    def current_page(self) -> str:
        return Path(self.browser.source().toLocalFile()).stem

    def follow(self, link: QUrl) -> None:
        """A clicked link: another guide page here; a web or mail address in its own app."""
        if link.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(link)
            return
        target = self.browser.source().resolved(link)
        path = Path(target.toLocalFile())
        if (
            path.suffix == ".md"
            and path.parent.resolve() == guide_dir().resolve()
            and path.stem in PAGES
        ):
            self.open_page(path.stem, target.fragment())
        elif not link.path() and link.fragment():
            self.browser.scrollToAnchor(link.fragment())

    def _chosen(self, item: QListWidgetItem | None) -> None:
        page = item.data(PAGE_ROLE) if item is not None else None
        if page:
            self.open_page(str(page))

    def _shown(self, url: QUrl) -> None:
        page = Path(url.toLocalFile()).stem  # source() may still say the page before
        if page not in PAGES:
            return  # cleared on the way to another page
        self._colour_links()
        title = "ClaimDesk user guide"
        self.setWindowTitle(title if page == HOME else f"{page_title(page)} — {title}")
        for row in range(self.contents.count()):
            item = self.contents.item(row)
            if item.data(PAGE_ROLE) == page:
                self.contents.blockSignals(True)
                self.contents.setCurrentItem(item)
                self.contents.blockSignals(False)
        words = self.find_field.text().strip()
        if words:
            self.browser.moveCursor(self.browser.textCursor().MoveOperation.Start)
            self.browser.find(words.split()[0])

    # ---- finding --------------------------------------------------------------------------

    def _filter(self, text: str) -> None:
        """Only the pages holding every word stay in the contents."""
        matching = set(pages_with(text)) if text.strip() else set(PAGES)
        for row in range(self.contents.count()):
            item = self.contents.item(row)
            page = item.data(PAGE_ROLE)
            item.setHidden(bool(page) and page not in matching)
        if not text.strip():
            self.found.clear()
        elif matching:
            count = len(matching)
            self.found.setText(f"{count} page{'s' if count != 1 else ''} found. Enter: next.")
        else:
            self.found.setText("No page holds all these words.")

    def find_next(self) -> None:
        """The next place the first word appears: on this page, then on the next page with it."""
        words = self.find_field.text().strip()
        if not words:
            return
        if self.browser.find(words.split()[0]):
            return
        pages = pages_with(words)
        if not pages:
            return
        here = self.current_page()
        later = [p for p in pages if PAGES.index(p) > PAGES.index(here)] if here in PAGES else []
        self.open_page((later or pages)[0])
        self.browser.moveCursor(self.browser.textCursor().MoveOperation.Start)
        self.browser.find(words.split()[0])


def show_guide(page: str | None, near: QWidget | None) -> GuideWindow:
    """The guide, opened at ``page``: one window per main window, brought to the front."""
    owner = near.window() if near is not None else None
    guide = owner.findChild(GuideWindow) if owner is not None else None
    if guide is None:
        guide = GuideWindow(owner)
    guide.open_page(page or HOME)
    guide.show()
    guide.raise_()
    guide.activateWindow()
    return guide


def help_button(page: str | Callable[[], str], parent: QWidget | None = None) -> QToolButton:
    """A small "?" that opens the guide at ``page`` (or at what ``page()`` says when clicked)."""
    button = QToolButton(parent)
    button.setText("?")
    button.setAutoRaise(True)
    button.setToolTip("Help on this screen: opens the user guide (F1)")
    button.setAccessibleName("Help on this screen")
    button.setCursor(Qt.CursorShape.WhatsThisCursor)
    button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
    font = button.font()
    font.setBold(True)
    button.setFont(font)
    button.clicked.connect(lambda: show_guide(page() if callable(page) else page, button))
    return button
