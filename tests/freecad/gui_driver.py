"""Runs inside FreeCAD's GUI (Debian's FreeCAD 0.20 under xvfb), with the workbench unzipped into
the user's Mod folder and a live engine: drives the workbench like a user, clicking the task
panel's buttons, then saves a screenshot. Writes what it saw to PARTSMITH_FC_OUT."""

import itertools
import json
import os
import sys
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


def panel_widgets(mw):
    prompt = [w for w in mw.findChildren(QtWidgets.QPlainTextEdit) if w.isVisible()
              and "plate" in w.placeholderText()]
    buttons = {b.text(): b for b in mw.findChildren(QtWidgets.QPushButton) if b.isVisible()}
    labels = [lab for lab in mw.findChildren(QtWidgets.QLabel) if lab.isVisible()]
    return prompt[0] if prompt else None, buttons, labels


def status_text(labels):
    texts = [lab.text() for lab in labels]
    return next((t for t in texts if t.startswith(("done", "failed", "ready", "generating", "running",
                                                   "queued", "retrieving", "saving", "exporting"))), "")


def screenshot(mw, path):
    """The X screen as it is (the 3D view is OpenGL, which a widget grab leaves blank)."""
    import subprocess

    try:
        subprocess.run(["import", "-window", "root", path], check=True, timeout=30, capture_output=True)
    except (OSError, subprocess.SubprocessError):
        mw.grab().save(path)


def run():
    seen = {}
    mw = Gui.getMainWindow()
    mw.setGeometry(0, 0, 1600, 1000)
    combo = [d for d in mw.findChildren(QtWidgets.QDockWidget) if d.objectName() == "Combo View"]
    if combo:
        mw.resizeDocks(combo, [380], QtCore.Qt.Horizontal)
    Gui.activateWorkbench("PartsmithWorkbench")
    pump(1)
    seen["workbench"] = Gui.activeWorkbench().name() if hasattr(Gui.activeWorkbench(), "name") \
        else type(Gui.activeWorkbench()).__name__
    seen["commands"] = sorted(c for c in Gui.listCommands() if c.startswith("Partsmith_"))
    from partsmith_freecad import commands

    seen["icons"] = {name: Path(c.GetResources()["Pixmap"]).name for name, c in commands.COMMANDS.items()}
    seen["icons_exist"] = all(Path(c.GetResources()["Pixmap"]).is_file() for c in commands.COMMANDS.values())
    toolbars = [t.windowTitle() for t in mw.findChildren(QtWidgets.QToolBar) if t.isVisible()]
    seen["toolbar"] = "Partsmith" in toolbars
    seen["generate_active_without_document"] = Gui.Command.get("Partsmith_Generate").isActive() \
        if hasattr(Gui, "Command") else None
    doc = App.newDocument("Demo")
    pump(0.5)
    seen["generate_active"] = Gui.Command.get("Partsmith_Generate").isActive()
    seen["like_active_nothing_selected"] = Gui.Command.get("Partsmith_LikeSelected").isActive()

    Gui.runCommand("Partsmith_Generate")
    pump(0.5)
    seen["dialog_open"] = Gui.Control.activeDialog()
    seen["generate_active_with_dialog"] = Gui.Command.get("Partsmith_Generate").isActive()
    prompt, buttons, _ = panel_widgets(mw)
    prompt.setPlainText(os.environ["PARTSMITH_FC_PROMPT"])
    started = time.monotonic()
    buttons["Generate"].click()
    responsive = []
    wait_for(lambda: responsive.append(time.monotonic()) or status_text(panel_widgets(mw)[2]).startswith(
        ("done:", "failed:")), 180)  # the panel's last word, with the part or the reason
    seen["seconds"] = time.monotonic() - started
    gaps = [b - a for a, b in itertools.pairwise(responsive)]
    seen["longest_event_gap_s"] = max(gaps) if gaps else None
    seen["status"] = status_text(panel_widgets(mw)[2])
    objects = [o for o in doc.Objects if o.TypeId == "Part::FeaturePython"]
    seen["objects"] = [o.Label for o in objects]
    if objects:
        box = objects[0].Shape.BoundBox
        seen["box"] = [box.XLength, box.YLength, box.ZLength]
        seen["solid"] = objects[0].Shape.isValid() and len(objects[0].Shape.Solids) == 1
        seen["facts_property"] = list(objects[0].Facts)
    seen["facts_label"] = next((lab.text() for lab in panel_widgets(mw)[2]
                                if lab.text().startswith("<b>The prompt asked for")), "")
    if os.environ.get("PARTSMITH_FC_SCREENSHOT_ONLY"):
        shot_parameters_panel(mw, doc, seen)
        return seen  # scripts/screenshots.py: the picture is all it wants

    prompt, buttons, _ = panel_widgets(mw)
    prompt.setPlainText("an impossible part")
    buttons["Generate"].click()
    wait_for(lambda: status_text(panel_widgets(mw)[2]).startswith("failed:"), 120)
    seen["failure_status"] = status_text(panel_widgets(mw)[2])
    seen["progress_after_failure"] = [bar.value() for bar in mw.findChildren(QtWidgets.QProgressBar)
                                      if bar.isVisible()]
    seen["objects_after_failure"] = len([o for o in doc.Objects if o.TypeId == "Part::FeaturePython"])
    Gui.Control.closeDialog()
    pump(0.5)
    seen["dialog_after_close"] = Gui.Control.activeDialog()

    doc.undo()
    pump(0.3)
    seen["objects_after_undo"] = len([o for o in doc.Objects if o.TypeId == "Part::FeaturePython"])
    doc.redo()
    pump(0.3)
    part = next(o for o in doc.Objects if o.TypeId == "Part::FeaturePython")
    Gui.Selection.clearSelection()
    Gui.Selection.addSelection(part)
    pump(0.3)
    seen["like_active_with_selection"] = Gui.Command.get("Partsmith_LikeSelected").isActive()
    seen["edit_active_with_selection"] = Gui.Command.get("Partsmith_EditParameters").isActive()
    Gui.runCommand("Partsmith_EditParameters")
    pump(0.5)
    fields = form_fields(mw)
    seen["parameter_fields"] = sorted(fields)
    fields["length"].setProperty("rawValue", 70.0)
    apply_button = [b for b in mw.findChildren(QtWidgets.QPushButton) if b.isVisible() and b.text() == "Apply"]
    # The button is on screen at the panel's width (a prompt as the panel's title once pushed it off).
    right = apply_button[0].mapTo(mw, QtCore.QPoint(apply_button[0].width(), 0)).x()
    seen["apply_on_screen"] = [right, mw.width(), apply_button[0].visibleRegion().isEmpty()]
    apply_button[0].click()
    wait_for(lambda: abs(part.Shape.BoundBox.XLength - 70) < 1e-6, 60)
    seen["after_apply_box"] = [part.Shape.BoundBox.XLength, part.Shape.BoundBox.YLength, part.Shape.BoundBox.ZLength]
    Gui.Control.closeDialog()
    pump(0.3)
    shot_parameters_panel(mw, doc, seen)
    slow_rebuild(seen)
    engine_that_never_starts(mw, seen)
    seen["cad_modules"] = sorted(m for m in sys.modules if m.split(".")[0] in {"build123d", "OCP", "cadquery"})
    return seen


SPEC_SCRIPT = '''"""A mounting plate whose head comments follow the parameter contract."""
from build123d import Box, Cylinder, Locations, Pos

length = 60  # mm [10, 200] - along X
width = 40.0  # mm [10, 200] - along Y
thickness = 5  # mm [1, 20]
holes = "corners"  # one of: none, corners, centre - where the holes go
hole_diameter = 5.0  # mm [1, 12]
WORK
result = Box(length, width, thickness)
if holes == "corners":
    spots = [(x, y) for x in (-length / 2 + 8, length / 2 - 8) for y in (-width / 2 + 8, width / 2 - 8)]
    result -= Locations(*spots) * Cylinder(hole_diameter / 2, thickness * 2)
elif holes == "centre":
    result -= Pos(0, 0, 0) * Cylinder(hole_diameter / 2, thickness * 2)
'''


# The test's part also has busy work that makes a rebuild slow; the README's picture does not.
BUSY = "work = 0  # [0, 100000000] - busy work that makes a rebuild slow\n\nsum(i * i for i in range(work))\n"


def script_part(doc, script, prompt):
    """A part from a script job (the contract's comments give its fields), inserted into doc."""
    from partsmith_freecad import connection, feature

    client = connection.connected()
    job = client.wait(client.submit("script", script=script, prompt=prompt, host="freecad")["id"], timeout_s=120)
    return feature.insert(doc, client.entry(job["entry"]["id"]))


def form_fields(mw):
    """The visible parameters panel's fields by their labels."""
    found = {}
    for form in mw.findChildren(QtWidgets.QFormLayout):
        parent = form.parentWidget()
        if parent is None or not parent.isVisible():
            continue
        for row in range(form.rowCount()):
            label = form.itemAt(row, QtWidgets.QFormLayout.LabelRole)
            field = form.itemAt(row, QtWidgets.QFormLayout.FieldRole)
            if label is not None and field is not None and label.widget() is not None:
                found[label.widget().text()] = field.widget()
    return found


def shot_parameters_panel(mw, doc, seen):
    """The README's picture: a part and its parameters panel, its choice open as a drop-down."""
    Gui.Control.closeDialog()
    shot = App.newDocument("Shot")
    pump(0.5)
    busy = "" if os.environ.get("PARTSMITH_FC_SCREENSHOT_ONLY") else BUSY
    script = SPEC_SCRIPT.replace("WORK\n", busy)
    part = script_part(shot, script, "a 60 x 40 x 5 mm mounting plate with 5 mm holes in the corners")
    App.setActiveDocument(shot.Name)
    Gui.setActiveDocument(shot.Name)
    pump(0.3)
    Gui.Selection.clearSelection()
    Gui.Selection.addSelection(part)
    seen["shot_debug"] = [App.ActiveDocument.Name, [o.Name for o in Gui.Selection.getSelection()],
                          Gui.Control.activeDialog(), Gui.Command.get("Partsmith_EditParameters").isActive(),
                          part.TypeId, type(part.Proxy).__name__]
    Gui.runCommand("Partsmith_EditParameters")
    pump(0.5)
    fields = form_fields(mw)
    seen["shot_debug"].append(sorted(fields))
    seen["shot_field_types"] = {name: type(field).__name__ for name, field in fields.items()}
    view = Gui.ActiveDocument.ActiveView
    view.viewIsometric()
    Gui.SendMsgToActiveView("ViewFit")
    pump(1.0)
    if "holes" not in fields:
        raise RuntimeError(f"no holes field: {seen['shot_debug']}")
    fields["holes"].showPopup()
    pump(1.0)
    screenshot(mw, os.environ["PARTSMITH_FC_SCREENSHOT"])
    fields["holes"].hidePopup()
    Gui.Control.closeDialog()
    pump(0.3)
    seen["shot_part"] = part.Name
    App.setActiveDocument(doc.Name)
    Gui.setActiveDocument(doc.Name)
    Gui.getMainWindow().findChild(QtWidgets.QMdiArea).activatePreviousSubWindow()
    pump(0.3)


def slow_rebuild(seen):
    """A rebuild that takes seconds in the engine: the recompute returns at once, the window keeps
    turning, the part says it is rebuilding, and the new shape comes in when the engine is done."""
    shot = App.getDocument("Shot")
    part = shot.getObject(seen["shot_part"])
    part.work = 30_000_000
    started = time.monotonic()
    shot.recompute()
    seen["recompute_returned_s"] = time.monotonic() - started
    seen["status_while_rebuilding"] = part.Status
    ticks = []
    wait_for(lambda: ticks.append(time.monotonic()) or part.Status == "", 120)
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    seen["rebuild_seconds"] = time.monotonic() - started
    seen["rebuild_longest_gap_s"] = max(gaps) if gaps else None
    seen["rebuilt_work"] = json.loads(part.Applied).get("work")


def engine_that_never_starts(mw, seen):
    """No engine running, and an engine command that takes seconds to fail: the panel says what is
    happening and the window keeps turning until the failure is shown."""
    from partsmith_freecad import connection

    group = App.ParamGet(connection.PARAMS)
    group.SetString("EngineCommand", "sleep 4")  # "starts", answers nothing, exits after 4 s
    empty = Path(os.environ["PARTSMITH_FC_OUT"]).parent / "no-engine"
    empty.mkdir(exist_ok=True)
    os.environ["PARTSMITH_HOME"] = str(empty)
    connection._client = None
    Gui.runCommand("Partsmith_Generate")
    pump(0.5)
    prompt, buttons, _ = panel_widgets(mw)
    prompt.setPlainText("a 10 mm cube")
    buttons["Generate"].click()
    ticks, lines = [], set()

    def over():
        ticks.append(time.monotonic())
        lines.update(lab.text() for lab in panel_widgets(mw)[2])
        return status_text(panel_widgets(mw)[2]).startswith("failed:")

    wait_for(over, 60)
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    seen["no_engine_longest_gap_s"] = max(gaps) if gaps else None
    seen["no_engine_seconds"] = ticks[-1] - ticks[0] if ticks else None
    seen["no_engine_lines"] = sorted(lines)
    seen["no_engine_status"] = status_text(panel_widgets(mw)[2])
    Gui.Control.closeDialog()
    pump(0.3)


def main():
    try:
        seen = run()
    except Exception:  # noqa: BLE001 (reported to the test, which fails with it)
        seen = {"crash": traceback.format_exc()}
    with Path(os.environ["PARTSMITH_FC_OUT"]).open("w") as handle:
        json.dump(seen, handle, indent=2)
    os._exit(0)


QtCore.QTimer.singleShot(500, main)
