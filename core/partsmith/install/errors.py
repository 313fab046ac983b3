"""The error every install step raises: a message for the user and what to do about it."""

from __future__ import annotations

from partsmith.errors import PartsmithError


class InstallError(PartsmithError):
    """Installing into Blender or FreeCAD failed: program not found, too old, folder not writable."""

    kind = "install"
