"""The workbench's commands (toolbar and menu): Generate, Like selected, Again, History, Edit
parameters. Each needs an open document and no other task dialog."""

from __future__ import annotations

from typing import Any

import FreeCAD as App
import FreeCADGui as Gui

from . import RESOURCES, feature

ICON = str(RESOURCES / "icons" / "partsmith.svg")


def _free() -> bool:
    return App.ActiveDocument is not None and Gui.Control.activeDialog() is False


def _selected() -> Any:
    chosen = Gui.Selection.getSelection()
    return chosen[0] if len(chosen) == 1 and feature.is_partsmith(chosen[0]) else None


class _Command:
    text = ""
    tip = ""

    def GetResources(self) -> dict[str, str]:
        return {"Pixmap": ICON, "MenuText": self.text, "ToolTip": self.tip}

    def IsActive(self) -> bool:
        return _free()


class Generate(_Command):
    text = "Generate from prompt"
    tip = "Describe a part in words; the local model makes it as a parametric solid"

    def Activated(self) -> None:
        from .panel import JobPanel

        Gui.Control.showDialog(JobPanel("generate"))


class LikeSelected(_Command):
    text = "Like selected"
    tip = "A new part like the selected Partsmith part, changed as you say"

    def IsActive(self) -> bool:
        return _free() and _selected() is not None

    def Activated(self) -> None:
        from .panel import JobPanel

        Gui.Control.showDialog(JobPanel("like", _selected()))


class Again(_Command):
    text = "Again"
    tip = "Another variant of the selected part's prompt"

    def IsActive(self) -> bool:
        return _free() and _selected() is not None

    def Activated(self) -> None:
        from .panel import JobPanel

        panel = JobPanel("again", _selected())
        Gui.Control.showDialog(panel)
        panel.start()


class History(_Command):
    text = "History"
    tip = "Earlier parts, searchable by meaning"

    def Activated(self) -> None:
        from .panel import HistoryPanel

        Gui.Control.showDialog(HistoryPanel())


class EditParameters(_Command):
    text = "Edit parameters"
    tip = "Change the selected part's sizes; the engine rebuilds it (no model)"

    def IsActive(self) -> bool:
        return _free() and _selected() is not None

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
