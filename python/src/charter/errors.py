"""The exceptions and diagnostics of :mod:`charter`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, List, Optional


@dataclass(frozen=True)
class Diagnostic:
    """One finding of the compiler: an error or a warning, with where it is and what to do.

    ``code`` is stable (``E0006``, ``W0102``…); ``file``, ``line`` and ``column`` (1-based)
    name the place, when there is one.
    """

    severity: str
    code: str
    message: str
    file: Optional[str] = None
    line: Optional[int] = None
    column: Optional[int] = None
    end_line: Optional[int] = None
    end_column: Optional[int] = None
    label: Optional[str] = None
    help: Optional[str] = None
    kind: Optional[str] = None

    @classmethod
    def _from(cls, fields: dict) -> "Diagnostic":
        known = {name: fields.get(name) for name in cls.__dataclass_fields__}
        return cls(**known)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        place = ""
        if self.file is not None:
            place = f"{self.file}:{self.line}:{self.column}: "
        text = f"{place}{self.severity}[{self.code}]: {self.message}"
        if self.help:
            text += f" (help: {self.help})"
        return text


class CharterError(Exception):
    """Every error charter raises."""


class PolicyError(CharterError):
    """A policy that cannot be loaded or does not compile.

    ``diagnostics`` lists what the compiler found (errors and warnings); ``str()`` is the
    errors as ``charter check`` prints them, each with its file, line, column and source line.
    """

    def __init__(self, details: str) -> None:
        fields: dict = json.loads(details)
        self.diagnostics: List[Diagnostic] = [
            Diagnostic._from(d) for d in fields.get("diagnostics", [])
        ]
        super().__init__(fields.get("message", "the policy does not compile"))


class CaseError(CharterError, ValueError):
    """A case that cannot be decided: not JSON, not a case, or refused by the policy.

    ``code`` is the stable code of ``charter decide`` (``C0001``…, listed in the docs),
    ``field`` the case's field it is about, ``line``/``column`` the place in the JSON text
    when it is not JSON, ``case`` the case's id when it has one.
    """

    def __init__(self, details: str) -> None:
        fields: dict = json.loads(details)
        self.code: str = fields.get("code", "")
        self.field: Optional[str] = fields.get("field")
        self.line: Optional[int] = fields.get("line")
        self.column: Optional[int] = fields.get("column")
        self.case: Optional[str] = fields.get("case")
        super().__init__(f"[{self.code}] {fields.get('message', '')}")


def _json_default(value: Any) -> Any:
    """Dates and times in a case dict are written as RFC 3339 text."""
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        return isoformat()
    raise TypeError(f"a case holds a {type(value).__name__}, which is not JSON")
