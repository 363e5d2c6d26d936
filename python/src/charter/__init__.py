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
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Union

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

    def decide_stream(
        self,
        cases: Iterable[CaseLike],
        now: Instant = None,
        *,
        ids: bool = True,
    ) -> Iterator[Dict[str, Any]]:
        """Decides ``cases`` as :meth:`decide_many` does (one batch on every core, in order,
        error records for bad cases, a repeated id refused), but as they come: ``cases`` may
        be any iterable, a generator over a file or a database cursor, and each decision is
        given as soon as it is made. Memory holds a few megabytes of cases and decisions,
        however many go through. An exception raised by ``cases`` is raised here, after the decisions
        of the cases before it."""
        at = _instant(now) or datetime.now().astimezone().isoformat()
        for line in self._engine.decide_stream((_case_text(case) for case in cases), at, ids):
            yield json.loads(line)

    def render(self, kind: str, id: Optional[str] = None, *, format: str = "md", lang: str = "zh") -> str:
        """A document of the policy's latest version, the text ``charter doc`` writes:
        ``kind`` is ``"role"`` (``id``: the role), ``"procedure"`` (``id``: a named procedure,
        or none for the policy's) or ``"org-chart"``; ``format`` is ``"md"`` or ``"html"``;
        ``lang`` is ``"zh"`` or ``"en"``. Word files: ``charter doc --format docx``."""
        return self._engine.render(kind, id, format, lang)

    def audit(
        self,
        cases: Union[Iterable[CaseLike], str, "os.PathLike[str]"],
        *,
        as_of: Instant = None,
        compare: Optional["Policy"] = None,
        mapping: Optional[Mapping[str, str]] = None,
        csv: Optional[bool] = None,
        format: str = "json",
        lang: str = "zh",
        list: int = 1000,
    ) -> Union[Dict[str, Any], str]:
        """The audit of real case histories, as ``charter audit`` writes it: attainment per
        target by category, role, channel and month, breaches, procedure problems, callbacks,
        and with ``compare`` the what-if under another policy.

        ``cases`` is an iterable of cases, or the path of a file of them: NDJSON, or CSV
        (a ``.csv`` file, ``csv=True``, or with ``mapping``, a dict renaming the file's
        columns to the case columns: ``{"Ticket ID": "id", "Amount": "attr.amount"}``). A
        file is read as it is decided, so its size does not matter. States are evaluated at
        ``as_of`` (the clock's now when left out). ``format="json"`` gives the report as a
        dict; ``"md"`` and ``"html"`` give the document's text in ``lang`` (``"zh"`` or
        ``"en"``). At most ``list`` breaches and malformed records are listed (all are
        counted). A malformed case is counted and listed, not raised."""
        at = _instant(as_of) or datetime.now().astimezone().isoformat()
        other = compare._engine if compare is not None else None
        common = dict(compare=other, list=list, format=format, lang=lang)
        if isinstance(cases, (str, os.PathLike)):
            path = os.fspath(cases)
            as_csv = csv if csv is not None else (path.lower().endswith(".csv") or mapping is not None)
            mapped = dict(mapping) if mapping is not None else None
            out = self._engine.audit(at, path=path, csv=as_csv, mapping=mapped, **common)
        else:
            if csv or mapping is not None:
                raise ValueError("csv and mapping are for a file of cases; give its path")
            out = self._engine.audit(at, cases=[_case_text(c) for c in cases], **common)
        return json.loads(out) if format == "json" else out

    def decide_arrow(
        self,
        batch: Any,
        now: Instant = None,
        *,
        column: str = "case",
        mapping: Optional[Mapping[str, str]] = None,
    ) -> Any:
        """Decides the cases of a ``pyarrow.RecordBatch`` (or ``Table``) as one batch on
        every core, and gives a RecordBatch (a Table for a Table) with one row per case, in
        order. The cases are either the JSON texts of ``column``, or, with ``mapping``, the
        batch's own columns renamed to the case columns of ``charter decide --batch`` (as
        the audit's CSV mapping: ``{"ticket_no": "id", "opened": "received_at",
        "amount": "attr.amount", "tags": "attr.tags"}``; other columns are left alone).
        Timestamp columns need a time zone; a list column is a set attribute. The result:

        - ``id``, and for a decided case ``outcome``, ``role`` and ``rule`` (``file:line``);
        - for a case that cannot be decided (a null too), ``error_code`` and ``error``;
        - per target the policy declares, ``<target>_deadline`` (timestamp, UTC) and
          ``<target>_state`` (``met``, ``breached``, ``running``…), null where the case
          has no such target.

        The values are those of :meth:`decide_many` on the same cases (a test holds them
        to it). Needs pyarrow (``pip install './python[arrow]'``)."""
        import pyarrow as pa

        if isinstance(batch, pa.Table):
            parts = [self.decide_arrow(b, now, column=column, mapping=mapping) for b in batch.to_batches()]
            return pa.Table.from_batches(parts) if parts else pa.table({})
        at = _instant(now) or datetime.now().astimezone().isoformat()
        if mapping is not None:
            out = self._engine.decide_csv_buffers(_mapped_csv(batch, mapping), dict(mapping), at)
            return _decided_batch(out)
        cases = batch.column(column)
        if pa.types.is_large_string(cases.type):
            cases = cases.cast(pa.string())
        if not pa.types.is_string(cases.type):
            raise TypeError(f"column `{column}` holds {cases.type}, not the cases' JSON text")
        valid, offsets, data = cases.buffers()
        out = self._engine.decide_arrow_buffers(
            data.to_pybytes() if data is not None else b"",
            offsets.to_pybytes(),
            valid.to_pybytes() if valid is not None else b"",
            cases.offset,
            len(cases),
            at,
        )
        return _decided_batch(out)

    def __repr__(self) -> str:
        latest = self.versions[-1]
        return f"<charter.Policy {latest['name']} {latest['version']}>"


def _decided_batch(out: Dict[str, Any]) -> Any:
    """The RecordBatch of the columns the engine gave as Arrow buffers."""
    import pyarrow as pa

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


def _mapped_csv(batch: Any, mapping: Mapping[str, str]) -> bytes:
    """The mapped columns of ``batch`` as CSV text, under their own names, in the forms the
    batch's CSV reader takes: timestamps in RFC 3339 (UTC), booleans as ``true``/``false``,
    lists as JSON arrays (``[]`` the empty set), nulls as empty cells."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    names = batch.schema.names
    missing = [theirs for theirs in mapping if theirs not in names]
    if missing:
        raise KeyError(f"mapping: the batch has no column {', '.join(map(repr, missing))}; it has {', '.join(names)}")
    arrays = []
    for theirs in mapping:
        array = batch.column(theirs)
        kind = array.type
        if pa.types.is_timestamp(kind):
            if kind.tz is None:
                raise TypeError(f"column `{theirs}`: a timestamp without a time zone is not an instant; give it one (cast to timestamp with tz)")
            array = pc.strftime(array.cast(pa.timestamp(kind.unit, tz="UTC")), format="%Y-%m-%dT%H:%M:%SZ")
        elif pa.types.is_list(kind) or pa.types.is_large_list(kind):
            array = _json_lists(array.cast(pa.list_(pa.string())))
        elif pa.types.is_boolean(kind):
            array = pc.if_else(array, "true", "false")
        elif pa.types.is_dictionary(kind):
            array = array.cast(kind.value_type)
        arrays.append(array)
    table = pa.Table.from_arrays(arrays, names=[str(n) for n in mapping])
    out = pa.BufferOutputStream()
    pacsv.write_csv(table, out, write_options=pacsv.WriteOptions(quoting_style="needed"))
    return out.getvalue().to_pybytes()


def _json_lists(lists: Any) -> Any:
    """Each list of strings as the text of a JSON array; a null stays null."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(lists, pa.ChunkedArray):
        return pa.chunked_array([_json_lists(chunk) for chunk in lists.chunks], pa.string())
    values = lists.values.slice(lists.offsets[0].as_py(), lists.offsets[-1].as_py() - lists.offsets[0].as_py())
    for special, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
        values = pc.replace_substring(values, special, escaped)
    offsets = pc.subtract(lists.offsets, lists.offsets[0])
    quoted = pa.ListArray.from_arrays(offsets, values)
    joined = pc.binary_join_element_wise('["', pc.binary_join(quoted, '","'), '"]', "")
    empty = pc.equal(pc.list_value_length(lists), 0)
    return pc.if_else(lists.is_null(), pa.scalar(None, pa.string()), pc.if_else(empty, "[]", joined))
