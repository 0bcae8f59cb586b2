"""The start page: what ``designer`` shows with no file. New design, open,
the recent designs, and the samples as cards (a picture of the design, its
name and what it teaches): one click opens a sample ready to train."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from designer.project import FORMAT, ProjectError

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "samples"
# The order a course would take them in; samples not listed follow by name.
TEACHING_ORDER = [
    "xor_mlp",
    "spirals_mlp",
    "cancer_dropout",
    "digits_cnn",
    "residual_cnn",
    "residual_blocks",
    "digits_autoencoder",
    "sine_lstm",
    "waves_gru",
    "tokens_transformer",
]
THUMBNAIL = QSize(300, 120)
PAGE_STYLE = (
    "#startPage { background: #f6f8fa; }"
    "#sampleCard { background: white; border: 1px solid #d0d7de; border-radius: 8px; }"
    "#sampleCard:hover { border: 1px solid #2f80ed; }"
    "QLabel#muted { color: #57606a; }"
    "QLabel#tagline { color: #57606a; font-size: 14px; }"
)


@dataclass(frozen=True)
class SampleInfo:
    path: Path
    name: str
    summary: str  # first sentence of the description


def find_samples(folder: Path = SAMPLES_DIR) -> list[SampleInfo]:
    """The samples, in teaching order: their names and descriptions only (read
    as JSON: loading and checking a dozen designs would hold up the start page;
    each is loaded when its picture is drawn, and a card whose design does not
    load is taken away then)."""
    found = []
    rank = {stem: i for i, stem in enumerate(TEACHING_ORDER)}
    for path in sorted(folder.glob("*.nnd"), key=lambda p: (rank.get(p.stem, len(rank)), p.stem)):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            continue
        name, description = data.get("name"), data.get("description")
        description = description if isinstance(description, str) else ""
        summary = description.split(". ")[0].rstrip(".") + "." if description else ""
        found.append(SampleInfo(path, name if isinstance(name, str) and name else path.stem, summary))
    return found


def render_thumbnail(path: Path, size: QSize = THUMBNAIL) -> QPixmap | None:
    """A picture of the design, drawn by the canvas itself; None when the design does not load."""
    from designer.document import Document
    from designer.ui.canvas.scene import DesignScene

    pixmap = QPixmap(size)
    pixmap.fill(QColor("#f3f4f6"))
    try:
        document = Document.open(path)
    except ProjectError:
        return None
    _wrap_into_bands(document, size.width() / size.height())
    scene = DesignScene(document)
    painter = QPainter(pixmap)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    scene.render(painter, QRectF(4, 4, size.width() - 8, size.height() - 8), scene.items_rect(), Qt.AspectRatioMode.KeepAspectRatio)
    painter.end()
    return pixmap


def _wrap_into_bands(document, aspect: float) -> None:
    """Fold a long left-to-right design into bands so its picture fills a
    card instead of being a thin line (the file is not touched)."""
    graph = document.graph
    positions = {n.id: n.position for n in graph.nodes}
    if not positions:
        return
    xs = sorted({round(x) for x, _ in positions.values()})
    ys = [y for _, y in positions.values()]
    height = max(ys) - min(ys) + 120.0
    width = xs[-1] - xs[0] + 270.0
    if len(xs) <= 6:
        return  # short designs read well in one band
    best = min(range(1, 5), key=lambda bands: abs((width / bands) / (bands * height + (bands - 1) * 60) - aspect))
    per_band = -(-len(xs) // best)
    column = {x: i for i, x in enumerate(xs)}
    graph.move_nodes(
        {
            nid: (xs[column[round(x)] % per_band] - xs[0], y - min(ys) + (column[round(x)] // per_band) * (height + 60))
            for nid, (x, y) in positions.items()
        }
    )


class SampleCard(QFrame):
    clicked = Signal(Path)

    def __init__(self, sample: SampleInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sample = sample
        self.setObjectName("sampleCard")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setToolTip(f"Open {sample.name}")
        column = QVBoxLayout(self)
        column.setContentsMargins(10, 10, 10, 10)
        self.picture = picture = QLabel(self)
        blank = QPixmap(THUMBNAIL)
        blank.fill(QColor("#f3f4f6"))
        picture.setPixmap(blank)
        picture.setFixedSize(THUMBNAIL)
        title = QLabel(f"<b>{sample.name}</b>", self)
        text = QLabel(sample.summary, self)
        text.setWordWrap(True)
        text.setObjectName("muted")
        text.setFixedWidth(THUMBNAIL.width())
        for widget in (picture, title, text):
            column.addWidget(widget)
        column.addStretch(1)

    def draw_picture(self) -> None:
        """Draw the design's picture; a sample that does not load loses its card."""
        pixmap = render_thumbnail(self.sample.path)
        if pixmap is None:
            self.hide()
        else:
            self.picture.setPixmap(pixmap)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit(self.sample.path)
        super().mouseReleaseEvent(event)


class StartPage(QScrollArea):
    new_requested = Signal()
    open_requested = Signal()
    file_chosen = Signal(str)  # a sample or a recent design
    first_painted = Signal()  # the page is on screen: what it hides can be built now

    def __init__(self, recent: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._undrawn: list[SampleCard] = []
        self._painted = False
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # A viewport of its own, kept: the first widget PySide6 is handed by Qt
        # (viewport()) makes it look through every widget class for the right
        # one, about 10 ms, which the window's start need not spend before its first paint.
        self._viewport = QWidget(self)
        self.setViewport(self._viewport)
        page = QWidget(self)
        page.setObjectName("startPage")
        page.setStyleSheet(PAGE_STYLE)  # one sheet for the page and its cards (a sheet per card cost a polish each)
        column = QVBoxLayout(page)
        column.setContentsMargins(40, 30, 40, 30)
        column.setSpacing(14)
        heading = QLabel("<h1 style='margin:0'>Neural Network Designer</h1>", page)
        tagline = QLabel("Wire layers on a canvas, see every shape as you go, train on real data and watch it learn.", page)
        tagline.setObjectName("tagline")
        column.addWidget(heading)
        column.addWidget(tagline)
        buttons = QHBoxLayout()
        new_button = QPushButton("New design", page)
        open_button = QPushButton("Open…", page)
        for button in (new_button, open_button):
            button.setMinimumHeight(32)
            buttons.addWidget(button)
        buttons.addStretch(1)
        new_button.clicked.connect(self.new_requested)
        open_button.clicked.connect(self.open_requested)
        column.addLayout(buttons)
        self.cards: list[SampleCard] = []
        samples = find_samples()
        if samples:
            column.addWidget(QLabel("<h3 style='margin-bottom:0'>Start from a sample</h3>", page))
            hint = QLabel("Each opens ready to train: press Train and watch the curves.", page)
            hint.setObjectName("muted")
            column.addWidget(hint)
            self.grid = QGridLayout()
            self.grid.setSpacing(14)
            for sample in samples:
                card = SampleCard(sample, page)
                card.clicked.connect(lambda path: self.file_chosen.emit(str(path)))
                self.cards.append(card)
            self._columns = 0
            self._place_cards()
            # Drawn once the page has been painted (the window is up: a picture
            # takes 10-40 ms), one per turn of the event loop: the window answers meanwhile.
            self._undrawn = list(self.cards)
            holder = QHBoxLayout()
            holder.addLayout(self.grid)
            holder.addStretch(1)
            column.addLayout(holder)
        existing = [p for p in recent if Path(p).exists()]
        if existing:
            column.addWidget(QLabel("<h3 style='margin-bottom:0'>Recent designs</h3>", page))
            for path in existing[:8]:
                link = QLabel(
                    f"<a href='{Path(path).as_uri()}'>{Path(path).name}</a> <span style='color:#8b949e'>{Path(path).parent}</span>", page
                )
                link.linkActivated.connect(lambda _url, p=path: self.file_chosen.emit(p))
                column.addWidget(link)
        column.addStretch(1)
        self.setWidget(page)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        # The scroll area filters its page's events (for widgetResizable): its
        # first paint says so, then starts the pictures, each after the paint.
        if event.type() == QEvent.Type.Paint and watched is self.widget() and not self._painted:
            self._painted = True
            QTimer.singleShot(0, self, self._after_first_paint)
        return super().eventFilter(watched, event)

    def _after_first_paint(self) -> None:
        self.first_painted.emit()
        if self._undrawn:
            QTimer.singleShot(0, self, self._draw_next_picture)

    def _draw_next_picture(self) -> None:
        if self._undrawn:
            self._undrawn.pop(0).draw_picture()
        if self._undrawn:
            QTimer.singleShot(0, self, self._draw_next_picture)

    def _place_cards(self) -> None:
        """As many cards per row as fit the width."""
        columns = max(1, (self._viewport.width() - 80) // (THUMBNAIL.width() + 40))
        if columns == self._columns or not self.cards:
            return
        self._columns = columns
        for card in self.cards:
            self.grid.removeWidget(card)
        for index, card in enumerate(self.cards):
            self.grid.addWidget(card, index // columns, index % columns)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self.cards:
            self._place_cards()
