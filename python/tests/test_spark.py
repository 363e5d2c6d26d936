"""The Spark example on a local Spark: 100,000 cases decided through mapInArrow and by
`charter decide --batch` on the same cases, every row compared."""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from test_policy import CASES, NOW, OFFICE, ROOT, _columns, cli

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pytest.importorskip("pyspark")

N = 100_000


def test_spark_decides_as_the_command_line_does(tmp_path: Path) -> None:
    from pyspark.sql import SparkSession

    # The workers run this Python, which has charter and pyarrow.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    sys.path.insert(0, str(ROOT / "examples" / "spark"))
    import decide_cases

    examples = [json.loads(p.read_text("utf-8")) for p in sorted(CASES.glob("*.json"))]
    texts = [
        json.dumps(dict(examples[i % len(examples)], id=f"S-{i}"), ensure_ascii=False)
        for i in range(N)
    ]
    pq.write_table(pa.table({"case": pa.array(texts, pa.string())}), tmp_path / "cases.parquet")
    run = cli("decide", "--policy", str(OFFICE), "--batch", "-", "--no-id", "--now", NOW,
              stdin="\n".join(texts) + "\n")
    assert run.returncode in (0, 1), run.stderr[-2000:]
    expected = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(expected) == N

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("charter test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        .getOrCreate()
    )
    # The same cases as a data lake keeps them: a column per part, timestamps with a zone,
    # sets as arrays, the events as JSON text.
    dated = [dict(examples[i % len(examples)], id=f"S-{i}") for i in range(2_000)]
    dated = [case for case in dated if "received_at" in case]
    columns, mapping = _columns(dated)
    pq.write_table(pa.table(columns), tmp_path / "columns.parquet")
    try:
        cases = spark.read.parquet(str(tmp_path / "cases.parquet"))
        started = time.perf_counter()
        decide_cases.decide(spark, str(OFFICE), cases, NOW).write.parquet(str(tmp_path / "out"))
        print(f"Spark local[2]: {N:,} cases read, decided and written in {time.perf_counter() - started:.1f} s")
        by_columns = spark.read.parquet(str(tmp_path / "columns.parquet"))
        decide_cases.decide(spark, str(OFFICE), by_columns, NOW, mapping=mapping).write.parquet(
            str(tmp_path / "out-columns")
        )
    finally:
        spark.stop()
    # Decided by columns, the rows are those decided from the JSON text.
    from_columns = pq.read_table(tmp_path / "out-columns").to_pylist()
    assert len(from_columns) == len(dated)
    from_text = {row["id"]: row for row in pq.read_table(tmp_path / "out").to_pylist() if row["id"]}
    for row in from_columns:
        assert row == from_text[row["id"]]
    rows = pq.read_table(tmp_path / "out").to_pylist()
    assert len(rows) == N
    by_id = {row["id"]: row for row in rows}
    errors = 0
    for want in expected:
        if "error" in want:
            errors += 1
            continue
        row = by_id[want["case"]]
        route = want.get("route") or {}
        rule = route.get("rule")
        assert (row["outcome"], row["role"], row["rule"]) == (
            want["acceptance"]["outcome"],
            route.get("role"),
            f"{rule['file']}:{rule['line']}" if rule else None,
        )
        for target in want["targets"]:
            name = (f"{target['stage']}__" if target.get("stage") else "") + target["name"]
            assert row[f"{name}_state"] == target["state"]
            deadline = row[f"{name}_deadline"]
            want_deadline = target.get("deadline")
            assert (deadline.astimezone(timezone.utc).isoformat() if deadline else None) == (
                datetime.fromisoformat(want_deadline).astimezone(timezone.utc).isoformat()
                if want_deadline
                else None
            )
    assert sum(1 for row in rows if row["error_code"]) == errors
