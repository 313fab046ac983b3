"""The task panels: a prompt with Generate, progress and Cancel; the history; parameters.

The engine is polled from a QTimer every 0.1 s, so FreeCAD never waits on it. Engine errors go
to the panel and to the report view, with the engine's message.
"""

from __future__ import annotations

from typing import Any

import FreeCAD as App
import FreeCADGui as Gui

from . import connection, feature

try:  # FreeCAD's PySide shim: PySide2 in 0.20, PySide6 later
    from PySide import QtCore, QtGui, QtWidgets
except ImportError:  # pragma: no cover (older shims put the widgets in QtGui)
    from PySide import QtCore, QtGui

    QtWidgets = QtGui

POLL_MS = 100
FINISHED = ("done", "failed", "cancelled")


class JobPanel:
    """Prompt, Generate / Like / Again, progress, Cancel, warnings. `mode`: generate, like or again."""

    def __init__(self, mode: str = "generate", like: Any = None) -> None:
        self.mode = mode
        self.like = like
        self.job_id: str | None = None
        self.inserted: Any = None
        self.form = QtWidgets.QWidget()
        self.form.setWindowTitle({"generate": "Partsmith: generate", "like": "Partsmith: like selected",
                                  "again": "Partsmith: again"}[mode])
        layout = QtWidgets.QVBoxLayout(self.form)
        hint = {"generate": "Describe the part, with its sizes in mm:",
                "like": f"How should it differ from {like.Label if like is not None else 'the last part'}?",
                "again": "Another variant of:"}[mode]
        layout.addWidget(QtWidgets.QLabel(hint))
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
        fields: dict[str, Any] = {"prompt": text, "host": "freecad"}
        if self.mode == "like":
            fields["like"] = self.like.EntryId if self.like is not None else "last"
        try:
            client = connection.get()
            if not client.find():
                self.status.setText("starting the engine...")
                QtWidgets.QApplication.processEvents()
                client.connect()
            job = client.submit(self.mode, **fields)
        except connection.EngineError as exc:
            self.show_error(str(exc))
            return
        self.job_id = job["id"]
        self.go.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.warnings.setText("")
        self.show(job)
        self.timer.start()

    def poll(self) -> None:
        if self.job_id is None:
            return
        try:
            job = connection.get().job(self.job_id)
        except connection.EngineError as exc:
            self.finish()
            self.show_error(str(exc))
            return
        self.show(job)
        if job["state"] in FINISHED:
            self.finish()
            self.done(job)

    def show(self, job: dict[str, Any]) -> None:
        self.progress.setValue(int(100 * float(job.get("progress") or 0)))
        rate = f", {job['tokens_per_second']:.0f} tok/s" if job.get("tokens_per_second") else ""
        attempt = f" (attempt {job['attempt']})" if job.get("attempt", 0) > 1 else ""
        queued = f", {job['queue_position']} ahead" if job.get("queue_position") else ""
        self.status.setText(f"{job.get('stage', '')}{attempt}{rate}{queued}")

    def done(self, job: dict[str, Any]) -> None:
        if job["state"] == "cancelled":
            self.status.setText("cancelled")
            return
        if job["state"] == "failed":
            error = job.get("error") or {}
            hint = f"\n{error['hint']}" if error.get("hint") else ""
            self.show_error(f"{error.get('message', 'the engine failed')}{hint}")
            return
        try:
            entry = connection.get().entry(job["entry"]["id"])
            doc = App.ActiveDocument or App.newDocument()
            self.inserted = feature.insert(doc, entry)
        except (connection.EngineError, ValueError, OSError, RuntimeError) as exc:
            self.show_error(str(exc))
            return
        size = " x ".join(f"{v:g}" for v in entry.get("size") or [])
        self.status.setText(f"done: {self.inserted.Label} ({size} mm)")
        self.warnings.setText("\n".join(f"warning: {w}" for w in entry.get("warnings") or []))
        for warning in entry.get("warnings") or []:
            App.Console.PrintWarning(f"Partsmith: {warning}\n")
        if App.GuiUp:
            Gui.Selection.clearSelection()
            Gui.Selection.addSelection(self.inserted)
            Gui.SendMsgToActiveView("ViewFit")

    def cancel(self) -> None:
        if self.job_id is not None:
            try:
                connection.get().cancel(self.job_id)
            except connection.EngineError as exc:
                self.show_error(str(exc))

    def finish(self) -> None:
        self.timer.stop()
        self.job_id = None
        self.go.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def show_error(self, message: str) -> None:
        self.status.setText(f"failed: {message}")
        self.status.setStyleSheet("color: #c0392b;")
        connection.report(message)


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
        self.refresh()

    def getStandardButtons(self) -> int:
        return int(QtWidgets.QDialogButtonBox.Close)

    def reject(self) -> bool:
        Gui.Control.closeDialog()
        return True

    def refresh(self) -> None:
        self.list.clear()
        try:
            client = connection.connected()
            query = self.search.text().strip()
            rows = client.search(query, 20) if query else client.history(40)
            for row in rows:
                item = QtWidgets.QListWidgetItem(row.get("prompt", ""))
                item.setData(QtCore.Qt.UserRole, row["id"])
                if row.get("status", "ok") == "ok":
                    image = QtGui.QImage.fromData(client.file(row["id"], "thumbnail"))
                    item.setIcon(QtGui.QIcon(QtGui.QPixmap.fromImage(image)))
                self.list.addItem(item)
            self.status.setText(f"{len(rows)} parts")
        except connection.EngineError as exc:
            self.status.setText(f"failed: {exc}")
            connection.report(str(exc))

    def insert(self) -> None:
        item = self.list.currentItem()
        if item is None:
            self.status.setText("choose a part first")
            return
        try:
            entry = connection.get().entry(item.data(QtCore.Qt.UserRole))
            feature.insert(App.ActiveDocument or App.newDocument(), entry)
        except (connection.EngineError, ValueError, OSError) as exc:
            self.status.setText(f"failed: {exc}")
            connection.report(str(exc))


class ParametersPanel:
    """The selected part's parameters as fields; Apply recomputes (the engine reruns the script)."""

    def __init__(self, obj: Any) -> None:
        self.obj = obj
        self.form = QtWidgets.QWidget()
        self.form.setWindowTitle(f"Partsmith: {obj.Label}")
        layout = QtWidgets.QFormLayout(self.form)
        self.fields: dict[str, Any] = {}
        for name, value in feature.PartsmithPart.parameters(obj).items():
            current = getattr(obj, name)
            field = QtWidgets.QLineEdit(str(getattr(current, "UserString", value)))
            self.fields[name] = field
            layout.addRow(name.replace("_", " "), field)
        self.status = QtWidgets.QLabel("")
        layout.addRow(self.status)

    def getStandardButtons(self) -> int:
        return int(QtWidgets.QDialogButtonBox.Apply | QtWidgets.QDialogButtonBox.Close)

    def clicked(self, button: int) -> None:
        if button == int(QtWidgets.QDialogButtonBox.Apply):
            self.apply()

    def accept(self) -> bool:
        return self.apply()

    def reject(self) -> bool:
        Gui.Control.closeDialog()
        return True

    def apply(self) -> bool:
        doc = self.obj.Document
        doc.openTransaction("Partsmith parameters")
        try:
            for name, field in self.fields.items():
                current = getattr(self.obj, name)
                text = field.text().strip()
                if isinstance(current, bool):
                    setattr(self.obj, name, text.lower() in {"1", "true", "yes"})
                elif isinstance(current, int):
                    setattr(self.obj, name, int(float(text)))
                else:
                    setattr(self.obj, name, text if isinstance(current, str) else App.Units.Quantity(text))
            doc.recompute()
        except (ValueError, RuntimeError) as exc:
            doc.abortTransaction()
            self.status.setText(f"failed: {exc}")
            connection.report(str(exc))
            return False
        doc.commitTransaction()
        self.status.setText("applied")
        return True
