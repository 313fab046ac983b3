"""The add-on's operators. Jobs are polled on a 0.1 s timer from a modal operator, so Blender never
waits on the engine; `bpy.data` is only touched here, on the main thread. Run from a script or in
background mode (`blender -b`), the same operators wait for the job instead (for tests and batch
use). Engine errors become Blender reports with the engine's message."""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from typing import Any

import bpy

from . import connection, importer, preferences

POLL_S = 0.1
FINISHED = ("done", "failed", "cancelled")


def _status(context: bpy.types.Context) -> Any:
    return context.window_manager.partsmith


def _selected_part(context: bpy.types.Context) -> bpy.types.Object | None:
    obj = context.active_object
    return obj if obj is not None and importer.KEY_ID in obj else None


def _show(context: bpy.types.Context, job: dict[str, Any]) -> None:
    status = _status(context)
    stage = job.get("stage", "")
    rate = f", {job['tokens_per_second']:.0f} tok/s" if job.get("tokens_per_second") else ""
    attempt = f" (attempt {job['attempt']})" if job.get("attempt", 0) > 1 else ""
    waiting = f", {job['queue_position']} ahead" if job.get("queue_position") else ""
    status.stage = f"{stage}{attempt}{rate}{waiting}"
    status.progress = float(job.get("progress") or 0.0)
    for area in context.screen.areas if context.screen else []:
        if area.type == "VIEW_3D":
            area.tag_redraw()


class _JobOperator(bpy.types.Operator):
    """Submits one engine job, follows it, and puts its part into the scene."""

    bl_options = {"REGISTER", "UNDO"}  # noqa: RUF012 (Blender's class attribute)
    _timer: Any = None
    _job: str = ""
    _target: str = ""

    # What each button asks the engine for, and where its part goes.
    def request(self, context: bpy.types.Context) -> dict[str, Any]:
        raise NotImplementedError

    def place(self, context: bpy.types.Context, entry: dict[str, Any]) -> bpy.types.Object:
        return importer.add_part(context, entry)

    @classmethod
    def missing(cls, context: bpy.types.Context) -> str | None:
        """What this button still needs, in words; None when it can run."""
        return None

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        reason = "a part is being made: wait for it, or press Cancel" if _status(context).job_id \
            else cls.missing(context)
        if reason:
            cls.poll_message_set(reason)
        return reason is None

    def _submit(self, context: bpy.types.Context) -> dict[str, Any] | None:
        fields = self.request(context)
        prefs = preferences.get(context)
        if prefs.model and fields.get("kind") in {"generate", "like", "again"}:
            fields.setdefault("model", prefs.model)
        try:
            client = connection.get(context)
            health = client.connect()
            _status(context).engine = f"running, {health.get('model') or 'loading the model'}"
            return client.submit(host="blender", **fields)
        except connection.EngineError as exc:
            self.report({"ERROR"}, str(exc))
            return None

    def _finish(self, context: bpy.types.Context, job: dict[str, Any]) -> set[str]:
        status = _status(context)
        status.job_id = ""
        if job["state"] == "cancelled":
            status.stage = "cancelled"
            self.report({"WARNING"}, "Partsmith: cancelled")
            return {"CANCELLED"}
        if job["state"] == "failed":
            error = job.get("error") or {}
            message = error.get("message") or "the engine failed"
            status.stage = f"failed: {message}"[:200]
            hint = f" ({error['hint']})" if error.get("hint") else ""
            self.report({"ERROR"}, f"Partsmith: {message}{hint}")
            return {"CANCELLED"}
        try:
            entry = connection.get(context).entry(job["entry"]["id"])
            obj = self.place(context, entry)
        except (connection.EngineError, RuntimeError) as exc:
            message = importer.last_line(exc)
            status.stage = f"failed: {message}"[:200]
            self.report({"ERROR"}, f"Partsmith: {message}")
            return {"CANCELLED"}
        _copy_out(context, entry)
        load_params(context)
        status.stage = "done"
        status.progress = 1.0
        for warning in entry.get("warnings") or []:
            self.report({"WARNING"}, f"Partsmith: {warning}")
        self.report({"INFO"}, f"Partsmith: {obj.name} ({' x '.join(f'{v:g}' for v in entry['size'])} mm)")
        refresh_history(context)
        return {"FINISHED"}

    # Blocking: scripts and background mode.
    def execute(self, context: bpy.types.Context) -> set[str]:
        job = self._submit(context)
        if job is None:
            return {"CANCELLED"}
        _status(context).job_id = job["id"]
        try:
            job = connection.get(context).wait(job["id"], poll_s=POLL_S)
        except connection.EngineError as exc:
            _status(context).job_id = ""
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        return self._finish(context, job)

    # Interactive: a timer polls the job; Blender stays responsive; ESC cancels.
    def invoke(self, context: bpy.types.Context, event: bpy.types.Event) -> set[str]:
        if bpy.app.background:
            return self.execute(context)
        job = self._submit(context)
        if job is None:
            return {"CANCELLED"}
        self._job = job["id"]
        _status(context).job_id = job["id"]
        _show(context, job)
        self._timer = context.window_manager.event_timer_add(POLL_S, window=context.window)
        context.window_manager.modal_handler_add(self)
        return {"RUNNING_MODAL"}

    def modal(self, context: bpy.types.Context, event: bpy.types.Event) -> set[str]:
        status = _status(context)
        if event.type == "ESC" or status.cancel_requested:
            status.cancel_requested = False
            with contextlib.suppress(connection.EngineError):
                connection.get(context).cancel(self._job)
        if event.type != "TIMER":
            return {"PASS_THROUGH"}
        try:
            job = connection.get(context).job(self._job)
        except connection.EngineError as exc:
            self._stop(context)
            status.job_id = ""
            status.stage = f"failed: {exc}"[:200]
            self.report({"ERROR"}, f"Partsmith: {exc}")
            return {"CANCELLED"}
        _show(context, job)
        if job["state"] not in FINISHED:
            return {"PASS_THROUGH"}
        self._stop(context)
        return self._finish(context, job)

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
        part = _selected_part(context)
        return {"kind": "like", "prompt": context.scene.partsmith_prompt,
                "like": part[importer.KEY_ID] if part is not None else "last"}


class PARTSMITH_OT_again(_JobOperator):
    """Another variant of the selected part's prompt (or of the prompt box)"""

    bl_idname = "partsmith.again"
    bl_label = "Again"

    @classmethod
    def missing(cls, context: bpy.types.Context) -> str | None:
        if _selected_part(context) is None and not context.scene.partsmith_prompt.strip():
            return "select a Partsmith part or type a prompt"
        return None

    def request(self, context: bpy.types.Context) -> dict[str, Any]:
        part = _selected_part(context)
        prompt = part[importer.KEY_PROMPT] if part is not None else context.scene.partsmith_prompt
        return {"kind": "again", "prompt": prompt}


class PARTSMITH_OT_apply(_JobOperator):
    """Rebuild the selected part with the parameter values below (no model)"""

    bl_idname = "partsmith.apply"
    bl_label = "Apply"

    @classmethod
    def missing(cls, context: bpy.types.Context) -> str | None:
        return "select a part made by Partsmith" if _selected_part(context) is None else None

    def request(self, context: bpy.types.Context) -> dict[str, Any]:
        part = _selected_part(context)
        assert part is not None
        self._target = part.name
        values = {item.name: item.value() for item in _status(context).params}
        return {"kind": "rerun", "entry_id": part[importer.KEY_ID], "params": values}

    def place(self, context: bpy.types.Context, entry: dict[str, Any]) -> bpy.types.Object:
        return importer.replace_part(bpy.data.objects[self._target], entry)


class PARTSMITH_OT_import_entry(_JobOperator):
    """Put the history entry into the scene at the 3D cursor"""

    bl_idname = "partsmith.import_entry"
    bl_label = "Import"
    entry_id: bpy.props.StringProperty()  # type: ignore[valid-type]

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return True  # importing an earlier part needs no engine job, so it never waits for one

    def execute(self, context: bpy.types.Context) -> set[str]:
        job = {"state": "done", "entry": {"id": self.entry_id}}
        return self._finish(context, job)

    def invoke(self, context: bpy.types.Context, event: bpy.types.Event) -> set[str]:
        return self.execute(context)


class PARTSMITH_OT_cancel(bpy.types.Operator):
    """Stop the part being made"""

    bl_idname = "partsmith.cancel"
    bl_label = "Cancel"

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        if not _status(context).job_id:
            cls.poll_message_set("nothing is being made")
            return False
        return True

    def execute(self, context: bpy.types.Context) -> set[str]:
        status = _status(context)
        status.cancel_requested = True
        try:
            connection.get(context).cancel(status.job_id)
        except connection.EngineError as exc:
            self.report({"ERROR"}, str(exc))
        return {"FINISHED"}


class PARTSMITH_OT_start_engine(bpy.types.Operator):
    """Start the Partsmith engine with the command from the preferences"""

    bl_idname = "partsmith.start_engine"
    bl_label = "Start engine"
    _timer: Any = None
    _deadline: float = 0.0

    def execute(self, context: bpy.types.Context) -> set[str]:
        try:
            health = connection.get(context).connect()
        except connection.EngineError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        _status(context).engine = f"running, {health.get('model') or 'model loads on first use'}"
        return {"FINISHED"}

    def invoke(self, context: bpy.types.Context, event: bpy.types.Event) -> set[str]:
        if bpy.app.background:
            return self.execute(context)
        client = connection.get(context)
        if not client.find():
            try:
                client.start()
            except connection.EngineError as exc:
                self.report({"ERROR"}, str(exc))
                return {"CANCELLED"}
        _status(context).engine = "starting..."
        self._deadline = time.monotonic() + 180
        self._timer = context.window_manager.event_timer_add(0.5, window=context.window)
        context.window_manager.modal_handler_add(self)
        return {"RUNNING_MODAL"}

    def modal(self, context: bpy.types.Context, event: bpy.types.Event) -> set[str]:
        if event.type != "TIMER":
            return {"PASS_THROUGH"}
        client = connection.get(context)
        if client.find():
            context.window_manager.event_timer_remove(self._timer)
            _status(context).engine = connection.state()
            refresh_history(context)
            return {"FINISHED"}
        if time.monotonic() > self._deadline or (client.started and client.started.poll() is not None):
            context.window_manager.event_timer_remove(self._timer)
            _status(context).engine = "failed to start"
            self.report({"ERROR"}, f"Partsmith: the engine did not start; try `{client.start_command}` "
                        "in a terminal")
            return {"CANCELLED"}
        return {"PASS_THROUGH"}


class PARTSMITH_OT_refresh(bpy.types.Operator):
    """Read the history again (with the search words, if any)"""

    bl_idname = "partsmith.refresh"
    bl_label = "Refresh"

    def execute(self, context: bpy.types.Context) -> set[str]:
        try:
            refresh_history(context, strict=True)
        except connection.EngineError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        return {"FINISHED"}


def refresh_history(context: bpy.types.Context, strict: bool = False) -> None:
    from . import panel

    status = _status(context)
    client = connection.get(context)
    try:
        if client.info is None and not client.find():
            raise connection.EngineError("the Partsmith engine is not running", hint="press Start engine")
        query = status.search.strip()
        rows = client.search(query, 20) if query else client.history(30)
    except connection.EngineError:
        status.engine = "not running"
        if strict:
            raise
        return
    status.history.clear()
    for row in rows:
        item = status.history.add()
        item.entry_id = row["id"]
        item.prompt = row.get("prompt", "")
        item.ok = row.get("status") == "ok"
    panel.load_thumbnails(client, [row["id"] for row in rows if row.get("status") == "ok"])


def load_params(context: bpy.types.Context) -> None:
    """Show the active part's parameters as fields (called when the selection changes)."""
    status = _status(context)
    status.params.clear()
    for name, value in importer.params_of(context.active_object).items():
        item = status.params.add()
        item.name = name
        item.set(value)


def _copy_out(context: bpy.types.Context, entry: dict[str, Any]) -> None:
    folder = bpy.path.abspath(preferences.get(context).output_folder or "")
    if not folder:
        return
    target = Path(folder) / entry["id"]
    try:
        target.mkdir(parents=True, exist_ok=True)
        for path in (entry.get("files") or {}).values():
            (target / Path(path).name).write_bytes(Path(path).read_bytes())
        (target / "meta.json").write_text(json.dumps(entry, indent=2))
    except OSError:
        pass


CLASSES = (PARTSMITH_OT_generate, PARTSMITH_OT_like, PARTSMITH_OT_again, PARTSMITH_OT_apply,
           PARTSMITH_OT_import_entry, PARTSMITH_OT_cancel, PARTSMITH_OT_start_engine, PARTSMITH_OT_refresh)


def register() -> None:
    for cls in CLASSES:
        bpy.utils.register_class(cls)


def unregister() -> None:
    for cls in reversed(CLASSES):
        bpy.utils.unregister_class(cls)

