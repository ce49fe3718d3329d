"""Rows of the op table (tests/op_table.py) for the shape ops of the tensor API (issue 12), added to OPS there.

Import the helpers from op_table (OpInfo, Sample, method, function, with_function, each_shape, ...)."""

from __future__ import annotations

from op_table import OpInfo

ROWS: list[OpInfo] = []
