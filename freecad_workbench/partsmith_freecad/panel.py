"""The task panels: a prompt with Generate, progress and Cancel; the history; parameters.

Every engine call runs on a background thread (`background.Task`: starting the engine,
submitting, following the job, reading the history and its thumbnails); a QTimer reads the task's
snapshot every 0.1 s and shows it, so FreeCAD never waits on the engine. Engine errors go to the
panel and to the report view, with the engine's message.
"""

from __future__ import annotations

import html
from typing import Any

import FreeCAD as App
import FreeCADGui as Gui

from . import background, connection, facts, feature, fields, messages

try:  # FreeCAD's PySide shim: PySide2 in 0.20, PySide6 later
    from PySide import QtCore, QtGui, QtWidgets
except ImportError:  # pragma: no cover (older shims put the widgets in QtGui)
    from PySide import QtCore, QtGui

    QtWidgets = QtGui

POLL_MS = 100


class JobPanel:
    """Prompt, Generate / Like / Again, progress, Cancel, warnings. `mode`: generate, like or again."""

    def __init__(self, mode: str = "generate", like: Any = None) -> None:
        self.mode = mode
        self.like = like
        self.task: background.Task | None = None
        self.inserted: Any = None
        self.form = QtWidgets.QWidget()
        self.form.setWindowTitle({"generate": "Partsmith: generate", "like": "Partsmith: like selected",
                                  "again": "Partsmith: again"}[mode])
        layout = QtWidgets.QVBoxLayout(self.form)
        hint = {"generate": "Describe the part, with its sizes in mm:",
                "like": f"How should it differ from {like.Label if like is not None else 'the last part'}?",
                "again": "Another variant of:"}[mode]
        question = QtWidgets.QLabel(hint)
        question.setWordWrap(True)  # it names the part: a long prompt must not widen the panel
        layout.addWidget(question)
        self.prompt = QtWidgets.QPlainTextEdit()
        self.prompt.setPlaceholderText("a 40 x 30 x 5 mm plate with four 4 mm holes 5 mm from the edges")
        self.prompt.setMaximumHeight(90)
        if mode == "again" and like is not None:
            self.prompt.setPlainText(like.Prompt)
        layout.addWidget(self.prompt)
        buttons = QtWidgets.QHBoxLayout()
        self.go = QtWidgets.QPushButton({"generate": "Generate", "like": "Make it", "again": "Again"}[mode])
        self.go.setDefault(True)
        self.cancel_button = QtWidgets.QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        buttons.addWidget(self.go)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        self.progress = QtWidgets.QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        layout.addWidget(self.progress)
        self.status = QtWidgets.QLabel("ready")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        # What the prompt stated, ticked or with what is off; then any other warning.
        self.facts = QtWidgets.QLabel("")
        self.facts.setWordWrap(True)
        self.facts.setTextFormat(QtCore.Qt.RichText)
        layout.addWidget(self.facts)
        self.warnings = QtWidgets.QLabel("")
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet("color: #b36b00;")
        layout.addWidget(self.warnings)
        layout.addStretch(1)
        self.timer = QtCore.QTimer()
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        self.go.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)

    # The task dialog's protocol ---------------------------------------------------------------

    def getStandardButtons(self) -> int:
        return int(QtWidgets.QDialogButtonBox.Close)

    def reject(self) -> bool:
        self.cancel()
        self.timer.stop()
        Gui.Control.closeDialog()
        return True

    # ------------------------------------------------------------------------------------------

    def start(self) -> None:
        text = self.prompt.toPlainText().strip()
        if not text and self.mode != "again":
            self.show_error("type a prompt first, with the sizes in mm")
            return
        request: dict[str, Any] = {"prompt": text, "host": "freecad"}
        if self.mode == "like":
            request["like"] = self.like.EntryId if self.like is not None else "last"
        self.task = background.start(background.job(connection.get(), self.mode, request))
        self.go.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.facts.setText("")
        self.warnings.setText("")
        self.status.setStyleSheet("")
        self.status.setText("connecting to the engine...")
        self.timer.start()

    def poll(self) -> None:
        if self.task is None:
            return
        now = self.task.snapshot()
        if now.job is not None:
            self.show(now.job)
        else:
            self.status.setText(now.stage)
        if not now.over:
            return
        self.finish()
        self.done(background.outcome(now, messages.FREECAD))

    def show(self, job: dict[str, Any]) -> None:
        self.progress.setValue(int(100 * float(job.get("progress") or 0)))
        rate = f", {job['tokens_per_second']:.0f} tok/s" if job.get("tokens_per_second") else ""
        attempt = f" (attempt {job['attempt']})" if job.get("attempt", 0) > 1 else ""
        queued = f", {job['queue_position']} ahead" if job.get("queue_position") else ""
        self.status.setText(f"{job.get('stage', '')}{attempt}{rate}{queued}")

    def done(self, ended: background.Outcome) -> None:
        if ended.state == background.CANCELLED:
            self.status.setText("cancelled")
            return
        entry = ended.entry
        if not ended.ok or entry is None:
            self.show_error(ended.message, ended.detail)
            return
        try:
            doc = App.ActiveDocument or App.newDocument()
            self.inserted = feature.insert(doc, entry)
        except (connection.EngineError, ValueError, OSError, RuntimeError) as exc:
            self.show_error(str(exc))
            return
        size = " x ".join(f"{v:g}" for v in entry.get("size") or [])
        self.status.setText(f"done: {self.inserted.Label} ({size} mm)")
        self.facts.setText(facts_html(facts.lines(entry)))
        self.warnings.setText("\n".join(f"warning: {w}" for w in ended.warnings))
        if ended.missed:
            App.Console.PrintWarning(f"Partsmith: {ended.missed} of what the prompt states is not met: "
                                     + "; ".join(line for line in ended.facts if line.startswith(facts.CROSS))
                                     + "\n")
        for warning in ended.warnings:
            App.Console.PrintWarning(f"Partsmith: {warning}\n")
        if App.GuiUp:
            Gui.Selection.clearSelection()
            Gui.Selection.addSelection(self.inserted)
            Gui.SendMsgToActiveView("ViewFit")

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()  # the task cancels the job and ends
            if self.task.snapshot().job is None:  # still waiting for the engine: stop waiting now
                self.finish()
                self.status.setText("cancelled")

    def finish(self) -> None:
        self.timer.stop()
        self.task = None
        self.go.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def show_error(self, message: str, detail: str = "") -> None:
        """Say what happened in the panel; the report view also gets the engine's own words."""
        self.progress.setValue(0)  # a failed job's bar does not stay where it stopped
        self.status.setText(f"failed: {message}")
        self.status.setStyleSheet("color: #c0392b;")
        connection.report(f"{message} ({detail})" if detail else message)


class HistoryPanel:
    """Earlier parts (with thumbnails), searchable by meaning; Insert puts one into the document."""

    def __init__(self) -> None:
        self.form = QtWidgets.QWidget()
        self.form.setWindowTitle("Partsmith: history")
        layout = QtWidgets.QVBoxLayout(self.form)
        self.search = QtWidgets.QLineEdit()
        self.search.setPlaceholderText("search: the bracket with slots")
        self.search.returnPressed.connect(self.refresh)
        layout.addWidget(self.search)
        self.list = QtWidgets.QListWidget()
        self.list.setIconSize(QtCore.QSize(64, 64))
        layout.addWidget(self.list)
        insert = QtWidgets.QPushButton("Insert")
        insert.clicked.connect(self.insert)
        layout.addWidget(insert)
        self.status = QtWidgets.QLabel("")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.task: background.Task | None = None
        self.timer = QtCore.QTimer()
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        self.refresh()

    def getStandardButtons(self) -> int:
        return int(QtWidgets.QDialogButtonBox.Close)

    def reject(self) -> bool:
        Gui.Control.closeDialog()
        return True

    def refresh(self) -> None:
        """Ask for the history (or the search's results) and their thumbnails in the background."""
        client, query = connection.get(), self.search.text().strip()

        def work(task: background.Task) -> list[tuple[dict[str, Any], bytes | None]]:
            background.connect(client, task)
            rows = client.search(query, 20) if query else client.history(40)
            found = []
            for row in rows:
                thumbnail = None
                if row.get("status", "ok") == "ok":
                    try:
                        thumbnail = client.file(row["id"], "thumbnail")
                    except connection.EngineError as exc:
                        connection.report(f"no thumbnail for {row['id']}: {exc}", error=False)
                found.append((row, thumbnail))
            return found

        self.task = background.start(work)
        self.status.setText("reading the history...")
        self.timer.start()

    def poll(self) -> None:
        if self.task is None:
            return
        now = self.task.snapshot()
        if not now.over:
            self.status.setText(now.stage)
            return
        self.timer.stop()
        self.task = None
        if now.error is not None:
            ended = background.failure(now.error, messages.FREECAD)
            self.status.setText(f"failed: {ended.message}")
            connection.report(f"{ended.message} ({ended.detail})")
            return
        self.list.clear()
        for row, thumbnail in now.result:
            item = QtWidgets.QListWidgetItem(row.get("prompt", ""))
            item.setData(QtCore.Qt.UserRole, row["id"])
            if thumbnail:
                image = QtGui.QImage.fromData(thumbnail)
                item.setIcon(QtGui.QIcon(QtGui.QPixmap.fromImage(image)))
            self.list.addItem(item)
        self.status.setText(f"{len(now.result)} parts")

    def insert(self) -> None:
        item = self.list.currentItem()
        if item is None:
            self.status.setText("choose a part first")
            return
        try:  # one quick local call: the engine answered the list a moment ago
            entry = connection.get().entry(item.data(QtCore.Qt.UserRole))
            feature.insert(App.ActiveDocument or App.newDocument(), entry)
        except connection.EngineError as exc:
            ended = background.failure(exc, messages.FREECAD)
            self.status.setText(f"failed: {ended.message}")
            connection.report(f"{ended.message} ({ended.detail})")
        except (ValueError, OSError) as exc:
            self.status.setText(f"failed: {exc}")
            connection.report(str(exc))


class ParametersPanel:
    """The selected part's parameters as fields that fit them: a drop-down for a choice, an integer
    box, lengths and angles in the document's units, each within its range. Apply recomputes (the
    engine reruns the script in the background; the status line follows it)."""

    def __init__(self, obj: Any) -> None:
        self.obj = obj
        self.form = QtWidgets.QWidget()
        # A short title: the task panel is as wide as its title, and a prompt is long.
        self.form.setWindowTitle("Partsmith: parameters")
        layout = QtWidgets.QFormLayout(self.form)
        title = QtWidgets.QLabel(obj.Label)
        title.setWordWrap(True)
        layout.addRow(title)
        self.fields: dict[str, Any] = {}
        self.specs = specs = feature.PartsmithPart.specs(obj)
        values = feature.PartsmithPart.parameters(obj)
        for name, value in values.items():
            spec = specs.get(name) or {}
            if fields.hidden(spec, value):
                continue  # the property is hidden too
            field = field_for(obj, name, spec)
            if spec.get("description"):
                field.setToolTip(spec["description"])
            self.fields[name] = field
            layout.addRow(spec.get("label") or name.replace("_", " "), field)
        for field in self.fields.values():
            if isinstance(field, QtWidgets.QComboBox):
                field.currentIndexChanged.connect(self.show_what_counts)
        self.show_what_counts()
        stated = facts_html(list(getattr(obj, "Facts", []) or []))
        if stated:  # what the prompt stated, and whether the part meets each
            said = QtWidgets.QLabel(stated)
            said.setTextFormat(QtCore.Qt.RichText)
            said.setWordWrap(True)
            layout.addRow(said)
        self.status = QtWidgets.QLabel("")
        self.status.setWordWrap(True)
        layout.addRow(self.status)
        self.timer = QtCore.QTimer()
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)

    def show_what_counts(self, *_: Any) -> None:
        """Grey a field that has no effect with the current choices ("when size is custom")."""
        choices = {name: field.currentText() for name, field in self.fields.items()
                   if isinstance(field, QtWidgets.QComboBox)}
        for name, field in self.fields.items():
            field.setEnabled(fields.counts(self.specs.get(name) or {}, choices))

    def getStandardButtons(self) -> int:
        return int(QtWidgets.QDialogButtonBox.Apply | QtWidgets.QDialogButtonBox.Close)

    def clicked(self, button: int) -> None:
        if button == int(QtWidgets.QDialogButtonBox.Apply):
            self.apply()

    def accept(self) -> bool:
        return self.apply()

    def reject(self) -> bool:
        self.timer.stop()
        Gui.Control.closeDialog()
        return True

    def apply(self) -> bool:
        doc = self.obj.Document
        doc.openTransaction("Partsmith parameters")
        try:
            for name, field in self.fields.items():
                setattr(self.obj, name, value_of(self.obj, name, field))
            doc.recompute()
        except (ValueError, RuntimeError) as exc:
            doc.abortTransaction()
            self.status.setText(f"failed: {exc}")
            connection.report(str(exc))
            return False
        doc.commitTransaction()
        self.timer.start()
        self.poll()
        return True

    def poll(self) -> None:
        status = getattr(self.obj, "Status", "")
        self.status.setText(status or "applied")
        if not feature.rebuilding(self.obj):
            self.timer.stop()


def _quantity_box(obj: Any, name: str, spec: dict[str, Any], unit: str) -> Any:
    """FreeCAD's own quantity field: shows and reads the value in the user's unit schema."""
    box = Gui.UiLoader().createWidget("Gui::QuantitySpinBox")
    box.setProperty("unit", unit)
    box.setProperty("partsmith_unit", unit)
    if spec.get("minimum") is not None:
        box.setProperty("minimum", App.Units.Quantity(f"{spec['minimum']} {unit}").Value)
    if spec.get("maximum") is not None:
        box.setProperty("maximum", App.Units.Quantity(f"{spec['maximum']} {unit}").Value)
    box.setProperty("rawValue", float(getattr(obj, name).Value))
    return box


def field_for(obj: Any, name: str, spec: dict[str, Any]) -> Any:
    """The widget that fits the parameter `name` of `obj` (its property type and spec)."""
    kind = obj.getTypeIdOfProperty(name)
    value = getattr(obj, name)
    if kind == "App::PropertyEnumeration":
        field = QtWidgets.QComboBox()
        field.addItems(obj.getEnumerationsOfProperty(name))
        field.setCurrentText(str(value))
        return field
    if kind == "App::PropertyBool":
        field = QtWidgets.QCheckBox()
        field.setChecked(bool(value))
        return field
    if kind in {"App::PropertyInteger", "App::PropertyIntegerConstraint"}:
        field = QtWidgets.QSpinBox()
        field.setRange(int(spec["minimum"]) if spec.get("minimum") is not None else -2**31,
                       int(spec["maximum"]) if spec.get("maximum") is not None else 2**31 - 1)
        field.setValue(int(value))
        return field
    if kind in {"App::PropertyLength", "App::PropertyDistance"}:
        return _quantity_box(obj, name, spec, "mm")
    if kind == "App::PropertyAngle":
        return _quantity_box(obj, name, spec, "deg")
    if kind in {"App::PropertyFloat", "App::PropertyFloatConstraint"}:
        field = QtWidgets.QDoubleSpinBox()
        field.setDecimals(4)
        field.setRange(float(spec["minimum"]) if spec.get("minimum") is not None else -1e12,
                       float(spec["maximum"]) if spec.get("maximum") is not None else 1e12)
        field.setValue(float(value))
        return field
    return QtWidgets.QLineEdit(str(value))


def value_of(obj: Any, name: str, field: Any) -> Any:
    """What `field` holds, as the property `name` takes it."""
    if isinstance(field, QtWidgets.QComboBox):
        return field.currentText()
    if isinstance(field, QtWidgets.QCheckBox):
        return field.isChecked()
    if isinstance(field, (QtWidgets.QSpinBox, QtWidgets.QDoubleSpinBox)):
        return field.value()
    if isinstance(field, QtWidgets.QLineEdit):
        return field.text()
    return App.Units.Quantity(f"{float(field.property('rawValue'))} {field.property('partsmith_unit')}")


def facts_html(lines: list[str]) -> str:
    """Facts' lines as a panel shows them: green ticks, red crosses with what is off."""
    rows = []
    for line in lines:
        colour = "#c62828" if line.startswith(facts.CROSS) else "#2e7d32"
        rows.append(f'<span style="color: {colour};">{html.escape(line)}</span>')
    return ("<b>The prompt asked for</b><br>" + "<br>".join(rows)) if rows else ""
