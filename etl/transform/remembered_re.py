"""The ``re`` module, but for :func:`compile`: :func:`etl.transform.gates.compile`, which during a run
rebuilds each pattern from code remembered in the rules cache instead of parsing and compiling it
again.  The stages import it as ``re`` (``from etl.transform import remembered_re as re``): every
other name is ``re``'s own.
"""

from __future__ import annotations

import re as _re
from re import *  # noqa: F403 - this module stands in for re
from typing import Any

from etl.transform.gates import compile  # noqa: F401, A004 - the one difference

__all__ = list(_re.__all__)


def __getattr__(name: str) -> Any:
    """Any other attribute of ``re``."""
    return getattr(_re, name)
