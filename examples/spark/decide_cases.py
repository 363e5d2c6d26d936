"""Decide a Parquet file of cases on Spark with charter.

Each case is one row whose column `case` holds its JSON text (as `charter decide` reads it). The
policy's import root (the folder that holds the policy's folder, with the files it imports) is
shipped to the executors as a zip archive; each Python worker compiles the policy once and
decides every Arrow batch Spark hands it with `Policy.decide_arrow` (`mapInArrow`).

    pip install './python[spark]'          # pyarrow, pyspark, pandas; and Java 17 or later
    python examples/spark/decide_cases.py --policy policies/complaint-office \
        --cases cases.parquet --now 2026-11-30T12:00:00+08:00 --out decisions.parquet

With spark-submit on a cluster, the executors need the package too (a wheel built by
`pip wheel ./python`, installed on them or shipped with `--py-files`/an archive).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from typing import Any, Dict, Iterator, Optional

_POLICIES: Dict[str, Any] = {}


def _policy(path: str) -> Any:
    """The policy at `path`, compiled once per Python worker."""
    import charter

    if path not in _POLICIES:
        _POLICIES[path] = charter.Policy.load(path)
    return _POLICIES[path]


def _spark_ready(batch: Any) -> Any:
    """Spark's timestamps are microseconds."""
    import pyarrow as pa

    arrays = [
        column.cast(pa.timestamp("us", tz="UTC")) if pa.types.is_timestamp(column.type) else column
        for column in batch.columns
    ]
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)


def decide(
    spark: Any,
    policy: str,
    cases: Any,
    now: str,
    column: str = "case",
    mapping: Optional[Dict[str, str]] = None,
) -> Any:
    """The decisions of the `cases` DataFrame (JSON text in `column`, or with `mapping` the
    case's parts in columns of their own, renamed to the case columns: {"ticket_no": "id",
    "opened": "received_at", ...}) as a DataFrame with one row per case: `id`, `outcome`,
    `role`, `rule`, `error_code`, `error`, and per target of the policy its deadline and state
    (see docs/python.md, Arrow)."""
    import pyarrow as pa
    from pyspark import SparkFiles
    from pyspark.sql.pandas.types import from_arrow_schema

    import charter

    policy = os.path.normpath(os.path.abspath(policy))
    # The import root, as charter has it: the folder that holds the policy's folder (imports
    # reach into it, the shipped calendars among them). Shipped as a zip archive, which
    # Spark unpacks on every node (a folder can be shipped in local mode only).
    folder = policy if os.path.isdir(policy) else os.path.dirname(policy)
    root = os.path.dirname(folder)
    name = os.path.relpath(policy, root)
    archive = shutil.make_archive(
        os.path.join(tempfile.mkdtemp(prefix="charter-"), "charter-policy"), "zip", root
    )
    spark.sparkContext.addArchive(archive)
    shipped = os.path.basename(archive)
    # The workers unpickle `run`, which lives in this module: they need it too.
    spark.sparkContext.addPyFile(__file__)
    # The result's columns, from the policy itself: its decisions of no cases.
    none = pa.record_batch({column: pa.array([], pa.string())})
    schema = from_arrow_schema(_spark_ready(charter.Policy.load(policy).decide_arrow(none, now=now)).schema)

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        here = _policy(os.path.join(SparkFiles.get(shipped), name))
        for batch in batches:
            yield _spark_ready(here.decide_arrow(batch, now=now, column=column, mapping=mapping))

    columns = list(mapping) if mapping is not None else [column]
    return cases.select(*columns).mapInArrow(run, schema)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policy", required=True, help="the policy's folder or file")
    parser.add_argument("--cases", required=True, help="a Parquet file or folder with a `case` column (or the columns of --map)")
    parser.add_argument("--now", required=True, help="the evaluation instant, RFC 3339")
    parser.add_argument("--out", required=True, help="where to write the decisions (Parquet)")
    parser.add_argument("--master", default="local[*]", help="the Spark master (default: local[*])")
    parser.add_argument(
        "--map",
        action="append",
        metavar="THEIRS=OURS",
        help="take the case from columns of its own instead of `case`: a column and the case "
        "column it is (id, received_at, channel, category, severity, handler, field.NAME, "
        "attr.NAME, events); once per column, e.g. --map ticket_no=id --map opened=received_at",
    )
    args = parser.parse_args()
    mapping = None
    if args.map:
        pairs = [item.split("=", 1) for item in args.map]
        bad = [item for item, pair in zip(args.map, pairs) if len(pair) != 2 or not all(pair)]
        if bad:
            parser.error(f"--map {bad[0]}: give THEIRS=OURS, e.g. --map ticket_no=id")
        mapping = dict(pairs)

    from pyspark.sql import SparkSession

    # Local workers run this Python (with charter and pyarrow), not whichever is on the PATH.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master(args.master)
        .appName("charter decide")
        # Deadlines as UTC instants in Parquet, not the legacy INT96.
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        .getOrCreate()
    )
    try:
        decisions = decide(spark, args.policy, spark.read.parquet(args.cases), args.now, mapping=mapping)
        decisions.write.mode("overwrite").parquet(args.out)
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
