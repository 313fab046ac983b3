"""The command line that talks to a running engine stays light: it never imports the engine, the
model's bindings, OCCT or ChromaDB (they cost seconds on every call)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("partsmith.engine.engine", "partsmith.generate.pipeline", "partsmith.history.store", "chromadb", "build123d",
         "OCP", "llama_cpp", "torch", "sentence_transformers")


def test_the_client_side_of_the_command_line_imports_no_engine() -> None:
    code = (
        "import sys\n"
        "import partsmith.cli.main, partsmith.cli.link, partsmith.cli.console, partsmith.progress\n"
        "from partsmith.history import Entry\n"
        f"print(','.join(name for name in {HEAVY!r} if name in sys.modules))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                            text=True).stdout.strip()
    assert loaded == "", f"the command line's client side imported {loaded}"


def test_the_history_package_still_gives_the_store_on_first_use() -> None:
    from partsmith.history import History
    from partsmith.history.store import History as Store

    assert History is Store
