"""charter for Python: load a complaint-handling policy, check it, decide cases.

>>> import charter
>>> policy = charter.Policy.load("policies/complaint-office")
>>> decision = policy.decide(case, now="2026-11-30T12:00:00+08:00")
>>> decision["route"]["role"]

Cases go in as dicts (or JSON text), decisions come out as dicts equal to what
``charter decide`` prints. The engine runs without the GIL.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from typing import Any, Dict, Iterable, List, Mapping, Optional, Union

from . import _charter
from .errors import CaseError, CharterError, Diagnostic, PolicyError, _json_default

__all__ = ["Policy", "Diagnostic", "CharterError", "PolicyError", "CaseError", "__version__"]
__version__: str = _charter.__version__

#: A case: a dict as ``charter decide`` reads it, or its JSON text.
CaseLike = Union[Mapping[str, Any], str, bytes]
#: An evaluation instant: RFC 3339 text or an aware datetime; ``None`` is the clock's now.
Instant = Union[str, datetime, None]


def _case_text(case: CaseLike) -> str:
    if isinstance(case, (bytes, bytearray)):
        return bytes(case).decode("utf-8")
    if isinstance(case, str):
        return case
    if isinstance(case, Mapping):
        return json.dumps(case, ensure_ascii=False, default=_json_default)
    raise TypeError(f"a case is a dict or JSON text, not a {type(case).__name__}")


def _instant(now: Instant) -> Optional[str]:
    if now is None or isinstance(now, str):
        return now
    if isinstance(now, datetime):
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("now: give a datetime with a time zone (tzinfo), or RFC 3339 text")
        return now.isoformat()
    raise TypeError(f"now is RFC 3339 text or a datetime, not a {type(now).__name__}")


class Policy:
    """A compiled policy: every version in its files, ready to decide cases.

    Make one with :meth:`Policy.load` or :meth:`Policy.from_text`. A policy is immutable and
    may be shared between threads.
    """

    __slots__ = ("_engine",)

    def __init__(self, engine: "_charter.Engine_") -> None:
        self._engine = engine

    @classmethod
    def load(cls, path: Union[str, "os.PathLike[str]"]) -> "Policy":
        """Loads and compiles the policy at ``path``: a ``.charter`` file or a folder of them,
        with the files they import. Raises :class:`PolicyError` when it does not compile."""
        return cls(_charter.Engine_.load(os.fspath(path)))

    @classmethod
    def from_text(cls, text: str) -> "Policy":
        """Compiles a policy held in one string (named ``policy.charter`` in diagnostics;
        imports are not followed). Raises :class:`PolicyError` when it does not compile."""
        return cls(_charter.Engine_.from_text(text))

    @property
    def versions(self) -> List[Dict[str, Any]]:
        """The versions, oldest first: ``name``, ``version``, ``effective`` and ``digest``."""
        return json.loads(self._engine.versions())

    @property
    def name(self) -> str:
        """The policy's name (of its latest version)."""
        return self.versions[-1]["name"]

    def check(self) -> List[Diagnostic]:
        """Every diagnostic of the policy's text, warnings included (``charter check``)."""
        return [Diagnostic._from(d) for d in json.loads(self._engine.check())]

    def decide(self, case: CaseLike, now: Instant = None, *, ids: bool = True) -> Dict[str, Any]:
        """Decides one case at ``now``: the decision as a dict, equal to ``charter decide``'s.

        With ``ids`` (the default) the decision carries its own ``decision_id`` and the
        case's ``input_digest``; ``ids=False`` leaves them out (``--no-id``), so that the
        same case decided twice gives the same dict. Raises :class:`CaseError`.
        """
        return json.loads(self._engine.decide(_case_text(case), _instant(now), ids))

    def decide_many(
        self,
        cases: Iterable[CaseLike],
        now: Instant = None,
        *,
        ids: bool = True,
    ) -> List[Dict[str, Any]]:
        """Decides ``cases`` as one batch on every core: one dict per case, in order, its
        decision or, for a case that cannot be decided, an error record (``line``: its
        1-based position, ``code``, ``id``, ``field``, ``error``), exactly as
        ``charter decide --batch`` writes them (two cases with one id: the second is refused).
        All are decided at one instant, ``now`` or the clock's when it is left out. Nothing is
        raised for a bad case."""
        texts = [_case_text(case) for case in cases]
        at = _instant(now) or datetime.now().astimezone().isoformat()
        # Split on line feeds only: str.splitlines() would also split at U+2028 and U+0085,
        # which a decision may hold unescaped in its strings.
        lines = self._engine.decide_many(texts, at, ids).split("\n")
        return [json.loads(line) for line in lines if line]

    def render(self, kind: str, id: Optional[str] = None, *, format: str = "md", lang: str = "zh") -> str:
        """A document of the policy's latest version, the text ``charter doc`` writes:
        ``kind`` is ``"role"`` (``id``: the role), ``"procedure"`` (``id``: a named procedure,
        or none for the policy's) or ``"org-chart"``; ``format`` is ``"md"`` or ``"html"``;
        ``lang`` is ``"zh"`` or ``"en"``. Word files: ``charter doc --format docx``."""
        return self._engine.render(kind, id, format, lang)

    def decide_arrow(self, batch: Any, now: Instant = None, *, column: str = "case") -> Any:
        """Decides the cases of a ``pyarrow.RecordBatch`` (or ``Table``) whose ``column``
        holds each case's JSON text, as one batch on every core, and gives a RecordBatch (a
        Table for a Table) with one row per case, in order:

        - ``id``, and for a decided case ``outcome``, ``role`` and ``rule`` (``file:line``);
        - for a case that cannot be decided (a null too), ``error_code`` and ``error``;
        - per target the policy declares, ``<target>_deadline`` (timestamp, UTC) and
          ``<target>_state`` (``met``, ``breached``, ``running``…), null where the case
          has no such target.

        The values are those of :meth:`decide_many` on the same cases (a test holds them
        to it). Needs pyarrow (``pip install './python[arrow]'``)."""
        import pyarrow as pa

        if isinstance(batch, pa.Table):
            parts = [self.decide_arrow(b, now, column=column) for b in batch.to_batches()]
            return pa.Table.from_batches(parts) if parts else pa.table({})
        cases = batch.column(column)
        if pa.types.is_large_string(cases.type):
            cases = cases.cast(pa.string())
        if not pa.types.is_string(cases.type):
            raise TypeError(f"column `{column}` holds {cases.type}, not the cases' JSON text")
        valid, offsets, data = cases.buffers()
        at = _instant(now) or datetime.now().astimezone().isoformat()
        out = self._engine.decide_arrow_buffers(
            data.to_pybytes() if data is not None else b"",
            offsets.to_pybytes(),
            valid.to_pybytes() if valid is not None else b"",
            cases.offset,
            len(cases),
            at,
        )
        rows = out["rows"]

        def strings(parts: tuple) -> Any:
            nulls, valid, offsets, data = parts
            buffers = [pa.py_buffer(valid) if nulls else None, pa.py_buffer(offsets), pa.py_buffer(data)]
            return pa.Array.from_buffers(pa.string(), rows, buffers, null_count=nulls)

        def times(parts: tuple) -> Any:
            nulls, valid, values = parts
            buffers = [pa.py_buffer(valid) if nulls else None, pa.py_buffer(values)]
            return pa.Array.from_buffers(pa.timestamp("s", tz="UTC"), rows, buffers, null_count=nulls)

        names = ["id", "outcome", "role", "rule", "error_code", "error"]
        arrays = [strings(out[name]) for name in names]
        for target, deadline, state in out["targets"]:
            names += [f"{target}_deadline", f"{target}_state"]
            arrays += [times(deadline), strings(state)]
        return pa.RecordBatch.from_arrays(arrays, names=names)

    def __repr__(self) -> str:
        latest = self.versions[-1]
        return f"<charter.Policy {latest['name']} {latest['version']}>"
