"""`make bench-perf`: the agent's latency figures (issue 19, sections 1 to 6) in one run.

    .venv/bin/python -m benchmarks.perf [--quick] [--only overhead,parallel-fake,...]
        [--baseline-commit SHA] [--doc]

Sections: overhead.py (1), parallel.py (2, 3), cold.py (4), end_to_end.py (5),
render_memory.py (6); the run, its JSON and its table: __main__.py, table.py;
the baseline commit from a temporary git worktree: baseline.py.
"""
