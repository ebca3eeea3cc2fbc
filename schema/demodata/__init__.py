"""The deterministic demo warehouse: a sales company whose data tells a true story.

``generate(url, seed=..., end_date=..., scale=...)`` builds the eleven contract
tables (DuckDB by default, or PostgreSQL / any SQLAlchemy URL) so that the same
seed and end date always give the same rows; ``summarize(engine)`` reports what
a warehouse holds. Generation is vectorised (numpy, then DuckDB ``INSERT ...
SELECT``); PostgreSQL is loaded with ``COPY`` in one transaction.

Modules: ``departments`` and ``staff`` (the org and its people), ``market``
(spend, leads, customers), ``orders`` (orders, interactions, targets), ``pay``
(payroll, reviews), ``attendance`` (leave, attendance), ``build`` (all tables
into a DuckDB connection), ``generate`` (targets: files and databases).
"""

from __future__ import annotations

from schema.demodata.errors import DemoDataError
from schema.demodata.generate import generate
from schema.demodata.scales import SCALES, Scale
from schema.demodata.summary import DepartmentSummary, Summary, summarize

__all__ = [
    "SCALES",
    "DemoDataError",
    "DepartmentSummary",
    "Scale",
    "Summary",
    "generate",
    "summarize",
]
