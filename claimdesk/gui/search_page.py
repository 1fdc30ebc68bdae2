"""Global search: one box over every case, hits grouped by case, each a click from its panel."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QFont,
    QPainter,
    QPalette,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from claimdesk.errors import ClaimDeskError, SearchCancelled
from claimdesk.gui.dates import readable_dates
from claimdesk.gui.env import GuiEnv
from claimdesk.gui.guide import help_button
from claimdesk.gui.tasks import TaskControl

if TYPE_CHECKING:  # the results' classes are built when the first search needs them
    from claimdesk.services.dto import CaseHits, SearchHit, SearchResult

Index = QModelIndex | QPersistentModelIndex

WHERE, FOUND = range(2)
HEADERS = ("Case / where", "What was found")
CLAIM_ID_ROLE = Qt.ItemDataRole.UserRole + 1
PANEL_ROLE = Qt.ItemDataRole.UserRole + 2
SNIPPET_HTML_ROLE = Qt.ItemDataRole.UserRole + 3

# Which workspace panel shows each kind of hit.
PANEL_FOR_KIND = {
    "claim": "overview",
    "note": "overview",
    "call": "calls",
    "request": "requests",
    "document": "documents",
    "opinion": "specialists",
    "ime": "appeals",
    "appeal": "appeals",
    "letter": "letters",
}

# Hit rows carry their case's row + 1 as internal id; case rows carry 0.
_CASE_ROW = 0


def plain_snippet(snippet: str) -> str:
    """The snippet without its match marks."""
    from claimdesk.services.dto import HIT_END, HIT_START

    return snippet.replace(HIT_START, "").replace(HIT_END, "")


def snippet_html(snippet: str) -> str:
    """The snippet escaped, its matched words in bold."""
    from claimdesk.services.dto import HIT_END, HIT_START

    escaped = html.escape(readable_dates(snippet))
    return escaped.replace(HIT_START, "<b>").replace(HIT_END, "</b>")


class SearchResultsModel(QAbstractItemModel):
    """Two levels: a row per case, under it a row per record that matched."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.cases: list[CaseHits] = []

    def set_result(self, result: SearchResult | None) -> None:
        self.beginResetModel()
        self.cases = list(result.cases) if result is not None else []
        self.endResetModel()

    def hit(self, index: Index) -> tuple[CaseHits, SearchHit | None] | None:
        if not index.isValid():
            return None
        if index.internalId() == _CASE_ROW:
            return self.cases[index.row()], None
        case = self.cases[index.internalId() - 1]
        return case, case.hits[index.row()]

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _CASE_ROW)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid() or index.internalId() == _CASE_ROW:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, _CASE_ROW)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self.cases)
        if parent.column() != 0 or parent.internalId() != _CASE_ROW:
            return 0
        return len(self.cases[parent.row()].hits)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        found = self.hit(index)
        if found is None:
            return None
        case, hit = found
        column = index.column()
        if role == CLAIM_ID_ROLE:
            return case.claim_id
        if role == PANEL_ROLE:
            return PANEL_FOR_KIND.get(hit.kind, "overview") if hit is not None else "overview"
        if hit is None:
            if role == Qt.ItemDataRole.DisplayRole:
                if column == WHERE:
                    return f"{case.case_number} · {case.claimant_name}"
                count = len(case.hits)
                return f"{count} record{'s' if count != 1 else ''} found"
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.AccessibleTextRole and column == WHERE:
                return f"Case {case.case_number}, {case.claimant_name}"
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if column == WHERE:
                return readable_dates(hit.where)
            return readable_dates(plain_snippet(hit.snippet))
        if role == SNIPPET_HTML_ROLE and column == FOUND:
            return snippet_html(hit.snippet)
        if role == Qt.ItemDataRole.ToolTipRole:
            title = readable_dates(hit.title)
            return f"{hit.kind_label}: {title}\nDouble-click or press Enter to open it."
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class SnippetDelegate(QStyledItemDelegate):
    """Draws a snippet with its matched words in bold (rich text, one line)."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        markup = index.data(SNIPPET_HTML_ROLE)
        if not markup:
            super().paint(painter, option, index)
            return
        self.initStyleOption(option, index)
        style = option.widget.style() if option.widget is not None else None
        option_text = option.text
        option.text = ""
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        option.text = option_text
        document = QTextDocument()
        document.setDefaultFont(option.font)
        document.setDocumentMargin(0)
        document.setHtml(markup)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        context = QAbstractTextDocumentLayout.PaintContext()
        context.palette.setColor(QPalette.ColorRole.Text, option.palette.color(role))
        text_rect = option.rect.adjusted(4, 0, -4, 0)
        painter.save()
        painter.translate(text_rect.left(), text_rect.top())
        top = max(0.0, (text_rect.height() - document.size().height()) / 2)
        painter.translate(0, top)
        clip = QRectF(0, 0, text_rect.width(), text_rect.height())
        painter.setClipRect(clip)
        context.clip = clip
        document.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width(), max(size.height(), option.fontMetrics.height() + 6))


class SearchPage(QWidget):
    """The Search tab: type, and every case's records that hold the words are listed."""

    open_item = Signal(int, str)  # claim id, panel key

    def guide_page(self) -> str:
        """The user guide's page about this screen."""
        return "search"

    def __init__(self, env: GuiEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.model = SearchResultsModel(self)
        # Search as one types, once the typing pauses.
        self._typing = QTimer(self, singleShot=True, interval=450)
        self._typing.timeout.connect(self._search_if_long_enough)

        self.field = QLineEdit()
        self.field.setObjectName("searchField")
        self.field.setPlaceholderText(
            "Names, reference numbers, words from call notes or documents…"
        )
        self.field.setClearButtonEnabled(True)
        self.field.setAccessibleName("Search every case")
        self.field.returnPressed.connect(self.search_now)
        self.field.textEdited.connect(lambda _text: self._typing.start())
        self.button = QPushButton("Search")
        self.button.clicked.connect(self.search_now)
        label = QLabel("&Find:")
        label.setBuddy(self.field)
        top = QHBoxLayout()
        top.addWidget(label)
        top.addWidget(self.field, 1)
        top.addWidget(self.button)
        top.addWidget(help_button(self.guide_page, self))

        self.status = QLabel()
        self.status.setObjectName("searchStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.status.setAccessibleName("Search result summary")
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(12)
        self.progress.hide()
        self.stop = QPushButton("Stop")
        self.stop.setToolTip("Stop indexing; what is indexed so far is kept")
        self.stop.clicked.connect(self._stop)
        self.stop.hide()
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.progress)
        status_row.addWidget(self.stop)

        self.tree = QTreeView()
        self.tree.setObjectName("searchResults")
        self.tree.setAccessibleName("Search results, grouped by case")
        self.tree.setModel(self.model)
        self.tree.setItemDelegateForColumn(FOUND, SnippetDelegate(self.tree))
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.tree.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(WHERE, QHeaderView.ResizeMode.Interactive)
        self.tree.setColumnWidth(WHERE, 430)
        self.tree.activated.connect(self._activated)
        self.tree.doubleClicked.connect(self._activated)

        hint = QLabel(
            "Every word must appear; the start of a word is enough, accents do not matter. "
            'Put words in quotes to find them together ("peer to peer"). '
            "Double-click or press Enter on a result to open it."
        )
        hint.setWordWrap(True)
        hint.setEnabled(False)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(status_row)
        layout.addWidget(self.tree, 1)
        layout.addWidget(hint)
        self.setTabOrder(self.field, self.button)
        self.setTabOrder(self.button, self.tree)

        self._control: TaskControl | None = None
        self._queued: str | None = None
        self.status.setText(
            "Search the calls, notes, names, references and documents of every case."
        )

    # ---- searching ---------------------------------------------------------------------------

    def focus_field(self) -> None:
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()

    def search_now(self) -> None:
        self._typing.stop()
        self.search(self.field.text())

    def _search_if_long_enough(self) -> None:
        text = self.field.text().strip()
        if len(text) >= 2:
            self.search(text)

    def search(self, query: str) -> None:
        if not query.strip():
            self.model.set_result(None)
            self.status.setText("Type a word, a name or a reference number to search for.")
            return
        if self._control is not None:
            self._queued = query  # the newest query runs when the one in flight returns
            return
        self._control = self.env.tasks.run_controlled(
            lambda control: self.env.services.search.search(
                query,
                progress=lambda done, total: control.progress(done, total),
                cancelled=control.cancelled,
            ),
            on_done=self._show,
            on_error=self._failed,
            on_progress=self._progressed,
        )

    def _progressed(self, done: int, total: int, _text: str) -> None:
        if total < 20:
            return  # a few changed cases: too quick to be worth a progress bar
        self.progress.setMaximum(total)
        self.progress.setValue(done)
        self.progress.show()
        self.stop.show()
        self.status.setText(f"Indexing cases changed since the last search: {done} of {total}…")

    def _stop(self) -> None:
        if self._control is not None:
            self._control.cancel()
            self.status.setText("Stopping…")

    def _finished(self) -> bool:
        """Clear the in-flight state; True if a newer query took over."""
        self._control = None
        self.progress.hide()
        self.stop.hide()
        if self._queued is not None:
            query, self._queued = self._queued, None
            self.search(query)
            return True
        return False

    def _show(self, result: SearchResult) -> None:
        if self._finished():
            return
        self.model.set_result(result)
        self.tree.expandAll()
        if result.empty:
            self.status.setText(
                f"Nothing found for “{html.escape(result.query)}”. "
                "Try fewer words, or the start of a word."
            )
            return
        cases = len(result.cases)
        text = (
            f"<b>{result.total_hits}</b> record{'s' if result.total_hits != 1 else ''} "
            f"in <b>{cases}</b> case{'s' if cases != 1 else ''} "
            f"for “{html.escape(result.query)}”"
        )
        if result.truncated:
            text += " — only the best matches are listed; add words to narrow the search"
        self.status.setText(text + ".")
        first = self.model.index(0, 0)
        self.tree.setCurrentIndex(self.model.index(0, 0, first) if first.isValid() else first)

    def _failed(self, error: BaseException) -> None:
        if self._finished():
            return
        if isinstance(error, SearchCancelled):
            self.status.setText(str(error))
            return
        if not isinstance(error, ClaimDeskError):
            raise error
        self.status.setText(html.escape(str(error)))

    def _activated(self, index: QModelIndex) -> None:
        claim_id = index.data(CLAIM_ID_ROLE)
        if claim_id is not None:
            self.open_item.emit(int(claim_id), str(index.data(PANEL_ROLE)))
