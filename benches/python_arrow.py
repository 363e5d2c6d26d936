"""decide_arrow (the Python package) against `charter decide --batch` on the same cases, in
one run: N cases made from the complaint office's examples with ids of their own, as NDJSON for
the command line and as an Arrow column of JSON text for Python. Both without decision ids.

    cargo build --release --locked && pip install './python[arrow]'
    python benches/python_arrow.py [N]        # default 1,000,000
"""

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa

import charter

ROOT = Path(__file__).resolve().parents[1]
NOW = "2026-11-30T12:00:00+08:00"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    examples = []
    for path in sorted((ROOT / "examples/cases/complaint-office").glob("*.json")):
        case = json.loads(path.read_text("utf-8"))
        if "received_at" in case and case.get("id"):
            examples.append(case)
    texts = []
    for i in range(n):
        case = dict(examples[i % len(examples)], id=f"B-{i}")
        texts.append(json.dumps(case, ensure_ascii=False, separators=(",", ":")))
    with tempfile.TemporaryDirectory() as tmp:
        ndjson = Path(tmp) / "cases.ndjson"
        ndjson.write_text("\n".join(texts) + "\n", "utf-8")
        table = pa.table({"case": pa.array(texts, pa.string())})
        del texts
        policy = charter.Policy.load(ROOT / "policies/complaint-office")
        binary = ROOT / "target/release/charter"
        # The same cases as a tool's columns, decided through a mapping.
        sys.path.insert(0, str(ROOT / "python/tests"))
        from test_policy import _columns

        columns, mapping = _columns(examples)
        repeat = -(-n // len(examples))
        mapped = pa.table({k: (v * repeat)[:n] for k, v in columns.items()})
        mapped = mapped.set_column(0, "ticket", pa.array([f"B-{i}" for i in range(n)]))
        runs = {"cli": [], "arrow": [], "mapped": []}
        for _ in range(3):
            started = time.perf_counter()
            with open(Path(tmp) / "out.ndjson", "wb") as out:
                subprocess.run(
                    [binary, "decide", "--policy", ROOT / "policies/complaint-office", "--batch",
                     "--no-id", "--now", NOW, ndjson],
                    check=False, stdout=out, stderr=subprocess.DEVNULL,
                )
            runs["cli"].append(time.perf_counter() - started)
            started = time.perf_counter()
            out = policy.decide_arrow(table, now=NOW)
            runs["arrow"].append(time.perf_counter() - started)
            assert out.num_rows == n
            started = time.perf_counter()
            by_columns = policy.decide_arrow(mapped, now=NOW, mapping=mapping)
            runs["mapped"].append(time.perf_counter() - started)
            assert by_columns.num_rows == n
        cli, arrow, by_columns = min(runs["cli"]), min(runs["arrow"]), min(runs["mapped"])
        print(f"{n:,} cases, best of 3: charter decide --batch {cli:.2f} s, decide_arrow {arrow:.2f} s "
              f"(ratio {arrow / cli:.2f}), decide_arrow by a mapping {by_columns:.2f} s "
              f"(ratio {by_columns / cli:.2f})")


if __name__ == "__main__":
    main()
