"""The add-on's operators. Thin: each reads its properties, hands the engine work to a background
thread (`background.Task`), and a modal operator's 0.1 s timer reads the task's snapshot, so
Blender's UI never waits on the engine, not even while it starts. `bpy.data` is only touched on
the main thread, when the task is over. Run from a script or in background mode (`blender -b`),
the same operators wait for the task instead (for tests and batch use). Engine errors become
Blender reports with the engine's message."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import bpy

from . import background, connection, importer, preferences, state

POLL_S = 0.1
STARTING = "starting"  # the job id shown while the engine starts, before the job has its id


def _show(context: bpy.types.Context, now: background.Snapshot) -> None:
    status = state.status(context)
    job = now.job or {}
    rate = f", {job['tokens_per_second']:.0f} tok/s" if job.get("tokens_per_second") else ""
    attempt = f" (attempt {job['attempt']})" if job.get("attempt", 0) > 1 else ""
    waiting = f", {job['queue_position']} ahead" if job.get("queue_position") else ""
    status.stage = f"{job.get('stage') or now.stage}{attempt}{rate}{waiting}"
    status.progress = float(job.get("progress") or 0.0)
    if job.get("id"):
        status.job_id = job["id"]
        status.engine = "running"  # it took the job
    for area in context.screen.areas if context.screen else []:
        if area.type == "VIEW_3D":
            # The sidebar only: redrawing the 3D view ten times a second takes the CPU the model
            # needs where OpenGL is software (it slowed decoding to a few tokens/s here).
            for region in area.regions:
                if region.type == "UI":
                    region.tag_redraw()
    if context.workspace is not None:
        context.workspace.status_text_set(f"Partsmith: {status.stage}")


class _JobOperator(bpy.types.Operator):
    """Submits one engine job on a background thread, follows it, and puts its part into the scene."""

    bl_options = {"REGISTER", "UNDO"}  # noqa: RUF012 (Blender's class attribute)
    _timer: Any = None
    _task: background.Task | None = None
    _target: str = ""

    # What each button asks the engine for, and where its part goes.
    def request(self, context: bpy.types.Context) -> dict[str, Any]:
        raise NotImplementedError

    def work(self, context: bpy.types.Context) -> Callable[[background.Task], Any]:
        fields = self.request(context)
        kind = fields.pop("kind")
        prefs = preferences.get(context)
        if prefs.model and kind in {"generate", "like", "again"}:
            fields.setdefault("model", prefs.model)
        return background.job(connection.get(context), kind, {**fields, "host": "blender"})

    def place(self, context: bpy.types.Context, entry: dict[str, Any]) -> bpy.types.Object:
        return importer.add_part(context, entry)

    @classmethod
    def missing(cls, context: bpy.types.Context) -> str | None:
        """What this button still needs, in words; None when it can run."""
        return None

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        reason = "a part is being made: wait for it, or press Cancel" if state.status(context).job_id \
            else cls.missing(context)
        if reason:
            cls.poll_message_set(reason)
        return reason is None

    def _finish(self, context: bpy.types.Context, now: background.Snapshot) -> set[str]:
        status = state.status(context)
        status.job_id = ""
        if context.workspace is not None:
            context.workspace.status_text_set(None)
        ended = background.outcome(now)
        if ended.state == background.CANCELLED:
            status.stage = "cancelled"
            self.report({"WARNING"}, "Partsmith: cancelled")
            return {"CANCELLED"}
        if not ended.ok or ended.entry is None:
            status.stage = f"failed: {ended.message}"[:200]
            print(f"Partsmith: {ended.detail}")  # the engine's own words, for the system console
            if ended.engine_gone:
                status.engine = "not running"
            self.report({"ERROR"}, f"Partsmith: {ended.message}")
            return {"CANCELLED"}
        entry = ended.entry
        try:
            obj = self.place(context, entry)
        except RuntimeError as exc:
            message = importer.last_line(exc)
            status.stage = f"failed: {message}"[:200]
            self.report({"ERROR"}, f"Partsmith: {message}")
            return {"CANCELLED"}
        copy_failed = _copy_out(context, entry)
        if copy_failed:
            self.report({"WARNING"}, f"Partsmith: {copy_failed}")
        state.load_params(context)
        status.stage = "done"
        status.progress = 1.0
        status.engine = "running"
        for warning in ended.warnings:
            self.report({"WARNING"}, f"Partsmith: {warning}")
        self.report({"INFO"}, f"Partsmith: {obj.name} ({' x '.join(f'{v:g}' for v in entry['size'])} mm)")
        state.refresh_history(context)
        return {"FINISHED"}

    # Blocking: scripts and background mode.
    def execute(self, context: bpy.types.Context) -> set[str]:
        task = background.start(self.work(context))
        state.status(context).job_id = STARTING
        return self._finish(context, task.wait())

    # Interactive: a timer reads the task; Blender stays responsive; ESC cancels.
    def invoke(self, context: bpy.types.Context, event: bpy.types.Event) -> set[str]:
        if bpy.app.background:
            return self.execute(context)
        self._task = background.start(self.work(context))
        status = state.status(context)
        status.job_id = STARTING
        status.cancel_requested = False
        _show(context, self._task.snapshot())
        self._timer = context.window_manager.event_timer_add(POLL_S, window=context.window)
        context.window_manager.modal_handler_add(self)
        return {"RUNNING_MODAL"}

    def modal(self, context: bpy.types.Context, event: bpy.types.Event) -> set[str]:
        status = state.status(context)
        assert self._task is not None
        if event.type == "ESC" or status.cancel_requested:
            status.cancel_requested = False
            self._task.cancel()
            if self._task.snapshot().job is None:  # still waiting for the engine: stop waiting now
                self._stop(context)
                return self._finish(context, background.Snapshot(stage="cancelled", over=True))
        if event.type != "TIMER":
            return {"PASS_THROUGH"}
        now = self._task.snapshot()
        _show(context, now)
        if not now.over:
            return {"PASS_THROUGH"}
        self._stop(context)
        return self._finish(context, now)

    def _stop(self, context: bpy.types.Context) -> None:
        if self._timer is not None:
            context.window_manager.event_timer_remove(self._timer)
            self._timer = None


class PARTSMITH_OT_generate(_JobOperator):
    """Make a part from the prompt with the local model"""

    bl_idname = "partsmith.generate"
    bl_label = "Generate"

    @classmethod
    def missing(cls, context: bpy.types.Context) -> str | None:
        return None if context.scene.partsmith_prompt.strip() else "type a prompt first, with the sizes in mm"

    def request(self, context: bpy.types.Context) -> dict[str, Any]:
        return {"kind": "generate", "prompt": context.scene.partsmith_prompt}


class PARTSMITH_OT_like(_JobOperator):
    """Make a new part like the selected one (or the last one), changed as the prompt says"""

    bl_idname = "partsmith.like"
    bl_label = "Like"

    @classmethod
    def missing(cls, context: bpy.types.Context) -> str | None:
        if context.scene.partsmith_prompt.strip():
            return None
        return "type the change first, e.g. 'but 60 mm long'"

    def request(self, context: bpy.types.Context) -> dict[str, Any]:
        part = state.selected_part(context)
        return {"kind": "like", "prompt": context.scene.partsmith_prompt,
                "like": part[importer.KEY_ID] if part is not None else "last"}


class PARTSMITH_OT_again(_JobOperator):
    """Another variant of the selected part's prompt (or of the prompt box)"""

    bl_idname = "partsmith.again"
    bl_label = "Again"

    @classmethod
    def missing(cls, context: bpy.types.Context) -> str | None:
        if state.selected_part(context) is None and not context.scene.partsmith_prompt.strip():
            return "select a Partsmith part or type a prompt"
        return None

    def request(self, context: bpy.types.Context) -> dict[str, Any]:
        part = state.selected_part(context)
        prompt = part[importer.KEY_PROMPT] if part is not None else context.scene.partsmith_prompt
        return {"kind": "again", "prompt": prompt}


class PARTSMITH_OT_apply(_JobOperator):
    """Rebuild the selected part with the parameter values below (no model)"""

    bl_idname = "partsmith.apply"
    bl_label = "Apply"

    @classmethod
    def missing(cls, context: bpy.types.Context) -> str | None:
        return "select a part made by Partsmith" if state.selected_part(context) is None else None

    def request(self, context: bpy.types.Context) -> dict[str, Any]:
        part = state.selected_part(context)
        assert part is not None
        self._target = part.name
        values = {item.name: item.value() for item in state.status(context).params}
        return {"kind": "rerun", "entry_id": part[importer.KEY_ID], "params": values}

    def place(self, context: bpy.types.Context, entry: dict[str, Any]) -> bpy.types.Object:
        obj = importer.replace_part(bpy.data.objects[self._target], entry)
        importer.make_active(context, obj)  # the part stays selected: its fields stay in the panel
        importer.redraw(context)
        return obj


class PARTSMITH_OT_import_entry(_JobOperator):
    """Put the history entry into the scene at the 3D cursor"""

    bl_idname = "partsmith.import_entry"
    bl_label = "Import"
    entry_id: bpy.props.StringProperty()  # type: ignore[valid-type]

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return True  # importing an earlier part needs no model job, so it never waits for one

    def work(self, context: bpy.types.Context) -> Callable[[background.Task], Any]:
        client, entry_id = connection.get(context), self.entry_id

        def fetch(task: background.Task) -> dict[str, Any]:
            return {"job": {"state": "done"}, "entry": client.entry(entry_id)}

        return fetch


class PARTSMITH_OT_cancel(bpy.types.Operator):
    """Stop the part being made"""

    bl_idname = "partsmith.cancel"
    bl_label = "Cancel"

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        if not state.status(context).job_id:
            cls.poll_message_set("nothing is being made")
            return False
        return True

    def execute(self, context: bpy.types.Context) -> set[str]:
        state.status(context).cancel_requested = True  # the job's own operator cancels it
        return {"FINISHED"}


class PARTSMITH_OT_start_engine(bpy.types.Operator):
    """Start the Partsmith engine with the command from the preferences"""

    bl_idname = "partsmith.start_engine"
    bl_label = "Start engine"
    _timer: Any = None
    _task: background.Task | None = None

    def _work(self, context: bpy.types.Context) -> Callable[[background.Task], Any]:
        client = connection.get(context)
        return lambda task: background.connect(client, task)

    def _done(self, context: bpy.types.Context, now: background.Snapshot) -> set[str]:
        status = state.status(context)
        if now.error is not None:
            status.engine = "failed to start"
            self.report({"ERROR"}, f"Partsmith: {now.error}")
            return {"CANCELLED"}
        status.engine = f"running, {now.result.get('model') or 'model loads on first use'}"
        state.refresh_history(context)
        return {"FINISHED"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        return self._done(context, background.start(self._work(context)).wait())

    def invoke(self, context: bpy.types.Context, event: bpy.types.Event) -> set[str]:
        if bpy.app.background:
            return self.execute(context)
        self._task = background.start(self._work(context))
        state.status(context).engine = "starting..."
        self._timer = context.window_manager.event_timer_add(0.25, window=context.window)
        context.window_manager.modal_handler_add(self)
        return {"RUNNING_MODAL"}

    def modal(self, context: bpy.types.Context, event: bpy.types.Event) -> set[str]:
        if event.type != "TIMER":
            return {"PASS_THROUGH"}
        assert self._task is not None
        now = self._task.snapshot()
        if not now.over:
            state.status(context).engine = now.stage
            return {"PASS_THROUGH"}
        context.window_manager.event_timer_remove(self._timer)
        return self._done(context, now)


class PARTSMITH_OT_refresh(bpy.types.Operator):
    """Read the history again (with the search words, if any)"""

    bl_idname = "partsmith.refresh"
    bl_label = "Refresh"

    def execute(self, context: bpy.types.Context) -> set[str]:
        try:
            state.refresh_history(context, strict=True)
        except connection.EngineError as exc:
            self.report({"ERROR"}, background.failure(exc).message)
            return {"CANCELLED"}
        return {"FINISHED"}


def _copy_out(context: bpy.types.Context, entry: dict[str, Any]) -> str | None:
    """Copy the part's files to the output folder of the preferences, when one is set; what went
    wrong when the copy failed (the part is in the scene and the history all the same)."""
    folder = bpy.path.abspath(preferences.get(context).output_folder or "")
    if not folder:
        return None
    target = Path(folder) / entry["id"]
    try:
        target.mkdir(parents=True, exist_ok=True)
        for path in (entry.get("files") or {}).values():
            (target / Path(path).name).write_bytes(Path(path).read_bytes())
        (target / "meta.json").write_text(json.dumps(entry, indent=2))
    except OSError as exc:
        return (f"the part's files could not be copied to the output folder {target} "
                f"({exc.strerror or exc}); choose another folder in the add-on's preferences")
    return None


CLASSES = (PARTSMITH_OT_generate, PARTSMITH_OT_like, PARTSMITH_OT_again, PARTSMITH_OT_apply,
           PARTSMITH_OT_import_entry, PARTSMITH_OT_cancel, PARTSMITH_OT_start_engine, PARTSMITH_OT_refresh)


def register() -> None:
    for cls in CLASSES:
        bpy.utils.register_class(cls)


def unregister() -> None:
    for cls in reversed(CLASSES):
        bpy.utils.unregister_class(cls)
