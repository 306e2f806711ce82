"""Typed compute tools for the computable gaps of image requests.

The model fills a tool's typed inputs (constrained JSON); code checks that the grounded
inputs come from the request or the answers, and computes. `spec` declares a tool
(`ToolSpec`, `ToolResult`, `ToolError`), `registry` names them (`TOOLS`, `tool`),
`knowledge` loads and validates the data tables in `data/`, and each other module is one
tool defining its `SPEC`.
"""
