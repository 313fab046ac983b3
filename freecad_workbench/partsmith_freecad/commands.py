"""The workbench's commands (toolbar and menu): Generate, Like selected, Again, History, Edit
parameters, each with its own icon. Generate and History need no open document (the part goes into
a new one when there is none); the others need one Partsmith part selected. None runs while another
task dialog is open."""

from __future__ import annotations

from typing import Any

import FreeCAD as App
import FreeCADGui as Gui

from . import RESOURCES, feature

ICONS = RESOURCES / "icons"
# What a greyed command needs, said in its tooltip (FreeCAD shows no reason of its own).
NEEDS_PART = " (select one part made by Partsmith first)"


def _free() -> bool:
    return Gui.Control.activeDialog() is False


def _selected() -> Any:
    chosen = Gui.Selection.getSelection()
    return chosen[0] if len(chosen) == 1 and feature.is_partsmith(chosen[0]) else None


class _Command:
    text = ""
    tip = ""
    icon = "partsmith"

    def GetResources(self) -> dict[str, str]:
        return {"Pixmap": str(ICONS / f"{self.icon}.svg"), "MenuText": self.text, "ToolTip": self.tip}

    def IsActive(self) -> bool:
        return _free()


class _OnSelected(_Command):
    """A command on the one selected Partsmith part."""

    def IsActive(self) -> bool:
        return _free() and App.ActiveDocument is not None and _selected() is not None


class Generate(_Command):
    text = "Generate from prompt"
    tip = ("Describe a part in words; the local model makes it as a parametric solid "
           "(in a new document when none is open)")
    icon = "generate"

    def Activated(self) -> None:
        from .panel import JobPanel

        Gui.Control.showDialog(JobPanel("generate"))


class LikeSelected(_OnSelected):
    text = "Like selected"
    tip = "A new part like the selected Partsmith part, changed as you say" + NEEDS_PART
    icon = "like"

    def Activated(self) -> None:
        from .panel import JobPanel

        Gui.Control.showDialog(JobPanel("like", _selected()))


class Again(_OnSelected):
    text = "Again"
    tip = "Another variant of the selected part's prompt" + NEEDS_PART
    icon = "again"

    def Activated(self) -> None:
        from .panel import JobPanel

        panel = JobPanel("again", _selected())
        Gui.Control.showDialog(panel)
        panel.start()


class History(_Command):
    text = "History"
    tip = ("Earlier parts, searchable by meaning; Insert puts one into the document "
           "(a new one when none is open)")
    icon = "history"

    def Activated(self) -> None:
        from .panel import HistoryPanel

        Gui.Control.showDialog(HistoryPanel())


class EditParameters(_OnSelected):
    text = "Edit parameters"
    tip = "Change the selected part's sizes; the engine rebuilds it (no model)" + NEEDS_PART
    icon = "parameters"

    def Activated(self) -> None:
        from .panel import ParametersPanel

        Gui.Control.showDialog(ParametersPanel(_selected()))


COMMANDS = {
    "Partsmith_Generate": Generate(),
    "Partsmith_LikeSelected": LikeSelected(),
    "Partsmith_Again": Again(),
    "Partsmith_History": History(),
    "Partsmith_EditParameters": EditParameters(),
}
NAMES = list(COMMANDS)


def register() -> None:
    for name, command in COMMANDS.items():
        Gui.addCommand(name, command)
