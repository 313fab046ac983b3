"""What a front end tells its user when the engine could not do something: what happened and
what to do, in Blender's or FreeCAD's own terms.

The engine's messages are written for the command line and the logs (they name settings, CLI
commands, schema paths and errno values); a person in Blender or FreeCAD gets one of these
instead, chosen by the error's kind, with the engine's own words kept only where they are already
plain (a parameter that is out of range, a feature that could not be built). Standard library
only: it is copied into both front ends with the client.
"""

from __future__ import annotations

import re

BLENDER, FREECAD = "Blender", "FreeCAD"

# Where each program keeps the engine's settings (the engine command, the model).
SETTINGS = {
    BLENDER: "Edit > Preferences > Add-ons > Partsmith",
    FREECAD: "Tools > Edit parameters > BaseApp > Preferences > Mod > Partsmith",
}
# Where the engine writes what it did, for when a person needs to look.
LOG = "engine.log in Partsmith's data folder"

# Words that mark a message as written for developers, not for people.
INTERNAL = re.compile(r"schema|errno|traceback|value error|features?\[|`|partsmith \w+|"
                      r"line \d+|\w+Error\b|0x[0-9a-f]+|http \d{3}", re.IGNORECASE)
# A feature the kernel could not build, as the engine says it: "feature 2 (fillet) ...".
FEATURE = re.compile(r"\bfeature (\d+) \((\w+)\)")

SANDBOX_KINDS = ("script", "policy", "syscall", "killed", "crash", "no_result", "geometry", "export",
                 "sandbox")


def _plain(message: str) -> bool:
    return bool(message) and not INTERNAL.search(message)


def _why_the_part_failed(message: str) -> str:
    """A plain reason from the last attempt's message, or ""."""
    reason = message.split(": ", 1)[1] if message.startswith("no usable part") and ": " in message \
        else message
    feature = FEATURE.search(reason)
    if feature is not None:
        return f"the {feature.group(2).replace('_', ' ')} (feature {feature.group(1)}) could not be built"
    if re.search(r"schema|program", reason, re.IGNORECASE):
        return "the model's answer did not describe a part it could build"
    return reason if _plain(reason) else ""


def for_people(kind: str, message: str, hint: str | None = None, program: str = BLENDER) -> str:
    """The sentence (or two) a person sees for an error of `kind` with the engine's `message`."""
    settings = SETTINGS.get(program, SETTINGS[BLENDER])
    if kind in ("unreachable", "not_running", "http"):
        return ("The Partsmith engine stopped or could not be reached. Press Generate again to "
                f"start it; if this keeps happening, look at {LOG}.")
    if kind == "start_failed":
        return (f"Partsmith could not start its engine. Check the engine command in {settings}; "
                f"{LOG} says why it stopped.")
    if kind == "generation":
        why = _why_the_part_failed(message)
        because = f" ({why})" if why else ""
        return (f"No part could be made from this prompt{because}. Give the sizes in mm and name "
                f"each feature, for example 'a plate 100 x 60 x 5 mm with four 6 mm holes', or "
                f"choose a larger model in {settings}.")
    if kind == "timeout":
        return ("Building the part took too long and was stopped. Try fewer or simpler features "
                "(fewer holes in a pattern, smaller fillets).")
    if kind == "memory":
        return "Building the part needed more memory than a part may use. Try a simpler part."
    if kind in SANDBOX_KINDS:
        why = _why_the_part_failed(message)
        return (f"The part could not be built{f' ({why})' if why else ''}. Change the sizes or "
                "the prompt and try again.")
    if kind == "sandbox_unavailable":
        return (f"This computer cannot run Partsmith's safe part builder, so nothing was made; "
                f"{LOG} says what is missing.")
    if kind == "model":
        return (f"The language model could not be used ({message if _plain(message) else 'see ' + LOG}). "
                f"Choose another model in {settings}.")
    if kind == "not_found":
        return ("That part is no longer in Partsmith's history (it was removed). Generate it "
                "again, or pick another part.")
    if kind == "storage":
        return f"Partsmith could not save to its data folder (is the disk full?); {LOG} says more."
    if kind == "input" and _plain(message):
        return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
    if kind == "input":
        return "Partsmith could not use that input. Check the prompt or the values and try again."
    return f"Something went wrong inside Partsmith. Try again; {LOG} says what happened."
