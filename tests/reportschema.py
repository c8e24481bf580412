"""Validate a JSON report against docs/report.schema.json (every report a test produces goes here)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "docs" / "report.schema.json"


@lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def validate_report(data: Dict[str, Any]) -> None:
    """Schema-valid, and the summary counts agree with the findings."""
    _validator().validate(data)
    counts = data["summary"]["counts"]
    for status, n in counts.items():
        assert n == sum(1 for f in data["findings"] if f["status"] == status), status
    statuses = {f["status"] for f in data["findings"]}
    expected = "non_compliant" if "fail" in statuses else "incomplete" if "error" in statuses else "compliant"
    assert data["summary"]["status"] == expected
