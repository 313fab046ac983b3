"""`partsmith history ...` and `partsmith rerun` on a real store in the test's data folder."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from typer.testing import CliRunner

from partsmith.cli.main import app
from partsmith.config import get_settings
from partsmith.history import History

from .conftest import entry

runner = CliRunner()
SCRIPT = "from partsmith.kit import plate\n\nlength = 40.0  # mm\n\nresult = plate(length=length)\n"


def _store() -> tuple[History, list[str]]:
    history = History(get_settings().history_dir)
    ids = [history.add(entry(p, script=SCRIPT, parameters={"length": 40.0}, route="structured",
                             family="plate")).id
           for p in ("a 40 mm plate", "a spur gear with 20 teeth")]
    return history, ids


def test_list_search_show_export_rm(tmp_path: Path) -> None:
    history, ids = _store()
    listed = runner.invoke(app, ["history", "list"])
    assert listed.exit_code == 0 and ids[0] in listed.output and "2 entries" in listed.output
    found = runner.invoke(app, ["history", "search", "the gear"])
    assert found.exit_code == 0 and found.output.index(ids[1]) < found.output.index(ids[0])  # best first
    shown = runner.invoke(app, ["history", "show", ids[0]])
    assert shown.exit_code == 0 and "a 40 mm plate" in shown.output and "from partsmith.kit" in shown.output
    target = tmp_path / "out.zip"
    assert runner.invoke(app, ["history", "export", str(target)]).exit_code == 0
    assert len({n.split("/")[0] for n in zipfile.ZipFile(target).namelist()}) == 2
    assert runner.invoke(app, ["history", "rm", ids[0]]).exit_code == 0
    assert ids[0] not in runner.invoke(app, ["history", "list"]).output
    missing = runner.invoke(app, ["history", "show", "nope"])
    assert missing.exit_code == 1 and "there is no history entry 'nope'" in missing.output
    assert runner.invoke(app, ["history", "reindex"]).output.strip() == "reindexed 1 entries"
    history.close()


def test_rerun_with_a_parameter() -> None:
    history, ids = _store()
    result = runner.invoke(app, ["rerun", ids[0], "--param", "length=55", "--local"])
    assert result.exit_code == 0, result.output
    assert "55 x 30 x 5 mm" in result.output and "rerun, no model" in result.output
    bad = runner.invoke(app, ["rerun", ids[0], "--param", "colour=red", "--local"])
    assert bad.exit_code == 1 and "colour: not a parameter" in bad.output
    history.close()


def test_piped_lists_keep_whole_prompts_and_json_is_the_record() -> None:
    history = History(get_settings().history_dir)
    long_prompt = "a mounting plate " + "with a long description " * 8 + "END"
    made = history.add(entry(long_prompt, script=SCRIPT, parameters={"length": 40.0}))
    listed = runner.invoke(app, ["history", "list"])  # CliRunner's output is a pipe, not a terminal
    line = next(row for row in listed.output.splitlines() if row.startswith(made.id))
    assert line.split("\t")[-1] == long_prompt
    as_json = json.loads(runner.invoke(app, ["history", "list", "--json"]).output)
    assert as_json[0]["id"] == made.id and as_json[0]["prompt"] == long_prompt
    shown = json.loads(runner.invoke(app, ["history", "show", made.id, "--json"]).output)
    assert shown["id"] == made.id and shown["parameters"] == {"length": 40.0} and shown["schema"] >= 3
    found = json.loads(runner.invoke(app, ["history", "search", "mounting plate", "--json"]).output)
    assert found[0]["id"] == made.id and 0 < found[0]["similarity"] <= 1
    history.close()


def test_show_last_is_the_newest_entry_even_when_it_failed() -> None:
    history = History(get_settings().history_dir)
    empty = runner.invoke(app, ["history", "show", "last"])
    assert empty.exit_code == 1 and "the history is empty" in empty.output
    made = history.add(entry("a 40 mm plate", script=SCRIPT, parameters={"length": 40.0}))
    failed = history.add(entry("a thing no model could make", status="failed"))
    shown = json.loads(runner.invoke(app, ["history", "show", "last", "--json"]).output)
    assert shown["id"] == failed.id and shown["status"] == "failed"
    assert made.id != failed.id
    history.close()
