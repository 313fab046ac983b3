"""Where the checkout's folders are: the one place that knows the layout around `core/partsmith`.

The engine is installed editable from a checkout, so the front ends' sources and the `models/`
folder sit beside `core/`. Every other module asks here instead of counting `parents[...]`.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parents[1]


def models_dir() -> Path:
    """The project's `models/` folder: the catalog and the shipped adapters.

    It sits beside `core/` in the checkout the engine is installed from; set
    PARTSMITH_MODELS_DIR to use another copy.
    """
    override = os.environ.get("PARTSMITH_MODELS_DIR")
    return Path(override) if override else CHECKOUT / "models"
