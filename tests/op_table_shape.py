"""Rows of the op table (tests/op_table.py) for the shape ops of the tensor API (issue 12); op_table.py adds them to OPS.

Import the helpers from op_table (OpInfo, Sample, method, function, with_function, each_shape, ...)."""

from __future__ import annotations

from op_table import OpInfo

ROWS: list[OpInfo] = []
