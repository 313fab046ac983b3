"""Runs inside FreeCAD's GUI (under xvfb) for scripts/walkthrough.py: a new user's first session
with the workbench, driven through its panels' widgets and real keys (xdotool), against the engine
the workbench starts itself (the embedded model): the plate prompt, Apply length 80, Like "but
10 mm thick", Undo (Ctrl+Z), Apply again. A screenshot after each step; what each step made goes
to PARTSMITH_WALK_OUT."""

import json
import os
import subprocess
import time
import traceback
from pathlib import Path

import FreeCAD as App
import FreeCADGui as Gui

try:
    from PySide import QtCore, QtWidgets
except ImportError:
    from PySide import QtCore
    from PySide import QtGui as QtWidgets

OUT = Path(os.environ["PARTSMITH_WALK_OUT"])
PROMPT = os.environ["PARTSMITH_WALK_PROMPT"]


def pump(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QtWidgets.QApplication.processEvents(QtCore.QEventLoop.AllEvents, 50)
        time.sleep(0.02)


def wait_for(check, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        QtWidgets.QApplication.processEvents(QtCore.QEventLoop.AllEvents, 50)
        if check():
            return True
        time.sleep(0.05)
    return False


def shot(name):
    Gui.ActiveDocument.ActiveView.viewIsometric()
    Gui.SendMsgToActiveView("ViewFit")
    pump(1.0)
    subprocess.run(["import", "-window", "root", str(OUT / f"freecad-{name}.png")], check=False, timeout=30)


def visible(kind):
    mw = Gui.getMainWindow()
    return [w for w in mw.findChildren(kind) if w.isVisible()]


def status():
    texts = [lab.text() for lab in visible(QtWidgets.QLabel)]
    return next((t for t in texts if t.startswith(("done:", "failed:"))), "")


def parts():
    doc = App.ActiveDocument
    found = [o for o in doc.Objects if o.TypeId == "Part::FeaturePython"] if doc else []
    return [{"label": o.Label, "box": [round(o.Shape.BoundBox.XLength, 3), round(o.Shape.BoundBox.YLength, 3),
                                       round(o.Shape.BoundBox.ZLength, 3)]} for o in found]


def job(command, text, stages, timeout=300):
    """Open a job panel, type the text, press its button, wait until it is done or failed."""
    Gui.runCommand(command)
    pump(0.5)
    prompt = next(iter(visible(QtWidgets.QPlainTextEdit)))
    prompt.setFocus()
    prompt.setPlainText(text)
    button = next(b for b in visible(QtWidgets.QPushButton) if b.text() in ("Generate", "Make it"))
    started = time.monotonic()
    button.click()
    seen_lines = []

    def over():
        for lab in visible(QtWidgets.QLabel):
            line = lab.text()
            if line and (not seen_lines or seen_lines[-1][0] != line) and len(line) < 200:
                seen_lines.append([line, round(time.monotonic() - started, 2)])
        return status() != ""

    wait_for(over, timeout)
    stages.append({"command": command, "text": text, "seconds": round(time.monotonic() - started, 2),
                   "status": status(), "lines": seen_lines[-12:]})


def apply_field(name, value):
    """Edit parameters on the selected part: set one field, press Apply, wait for the rebuild."""
    Gui.runCommand("Partsmith_EditParameters")
    pump(0.5)
    fields = {}
    for form in Gui.getMainWindow().findChildren(QtWidgets.QFormLayout):
        parent = form.parentWidget()
        if parent is None or not parent.isVisible():
            continue
        for row in range(form.rowCount()):
            label = form.itemAt(row, QtWidgets.QFormLayout.LabelRole)
            field = form.itemAt(row, QtWidgets.QFormLayout.FieldRole)
            if label is not None and field is not None and label.widget() is not None:
                fields[label.widget().text()] = field.widget()
    fields[name].setProperty("rawValue", float(value))
    selected = Gui.Selection.getSelection()[0]
    next(b for b in visible(QtWidgets.QPushButton) if b.text() == "Apply").click()
    wait_for(lambda: selected.Status == "" and json.loads(selected.Applied or "{}") != {}, 120)
    pump(1.0)
    return sorted(fields)


def select(label):
    doc = App.ActiveDocument
    obj = doc.getObjectsByLabel(label)[0]
    Gui.Selection.clearSelection()
    Gui.Selection.addSelection(obj)
    pump(0.3)


def run():
    walk = {"steps": []}
    mw = Gui.getMainWindow()
    mw.setGeometry(0, 0, 1600, 1000)
    Gui.activateWorkbench("PartsmithWorkbench")
    pump(2)
    walk["generate_active_without_document"] = Gui.Command.get("Partsmith_Generate").isActive()
    cold = []
    job("Partsmith_Generate", PROMPT, cold)  # no document: the part goes into a new one
    walk["cold_generate"] = cold[0]
    walk["steps"].append({"step": "plate prompt", "parts": parts()})
    shot("1-generate")
    Gui.Control.closeDialog()
    first = parts()[0]["label"]

    select(first)
    walk["fields"] = apply_field("length", 80)
    walk["steps"].append({"step": "apply length 80", "parts": parts()})
    shot("2-apply-80")
    Gui.Control.closeDialog()

    select(first)
    like = []
    job("Partsmith_LikeSelected", "but 10 mm thick", like)
    walk["like"] = like[0]
    walk["steps"].append({"step": "like: but 10 mm thick", "parts": parts()})
    shot("3-like-thick")
    Gui.Control.closeDialog()
    pump(0.5)

    # Undo as a user does: Ctrl+Z in the 3D view.
    view = mw.findChild(QtWidgets.QMdiArea)
    centre = view.mapToGlobal(view.rect().center())
    subprocess.run(["xdotool", "mousemove", str(centre.x()), str(centre.y()), "click", "1"], check=False)
    pump(0.5)
    subprocess.run(["xdotool", "key", "ctrl+z"], check=False)
    pump(1.5)
    walk["steps"].append({"step": "undo (Ctrl+Z)", "parts": parts()})
    shot("4-undo")

    select(first)
    apply_field("width", 50)
    walk["steps"].append({"step": "apply width 50", "parts": parts()})
    shot("5-apply-again")
    Gui.Control.closeDialog()
    return walk


def main():
    try:
        walk = run()
    except Exception:  # noqa: BLE001 (written for the caller, which reports it)
        walk = {"crash": traceback.format_exc()}
    (OUT / "freecad-walk.json").write_text(json.dumps(walk, indent=2))
    os._exit(0)


QtCore.QTimer.singleShot(1000, main)
