# Partsmith workbench for FreeCAD 0.20 and later. FreeCAD runs this file with its own globals,
# so everything it needs is imported inside the class.


class PartsmithWorkbench(Workbench):  # noqa: F821 (FreeCAD provides Workbench)
    MenuText = "Partsmith"
    ToolTip = "Text to CAD with a local model: describe a part, get a parametric solid"

    def __init__(self):
        import partsmith_freecad

        self.__class__.Icon = str(partsmith_freecad.RESOURCES / "icons" / "partsmith.svg")

    def Initialize(self):
        from partsmith_freecad import commands

        commands.register()
        self.appendToolbar("Partsmith", commands.NAMES)
        self.appendMenu("Partsmith", commands.NAMES)

    def Activated(self):
        pass

    def Deactivated(self):
        pass

    def GetClassName(self):
        return "Gui::PythonWorkbench"


Gui.addWorkbench(PartsmithWorkbench())  # noqa: F821 (FreeCAD provides Gui)
