"""The Python package against the engine's own front end: every decision equal to what
`charter decide` prints for the same case, errors as exceptions with their codes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import charter

ROOT = Path(__file__).resolve().parents[2]
OFFICE = ROOT / "policies" / "complaint-office"
CASES = ROOT / "examples" / "cases" / "complaint-office"
NOW = "2026-11-30T12:00:00+08:00"


@pytest.fixture(scope="module")
def policy() -> charter.Policy:
    return charter.Policy.load(OFFICE)


def example_cases() -> list:
    return [json.loads(p.read_text("utf-8")) for p in sorted(CASES.glob("*.json"))]


def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    """The command line: CHARTER_BIN, or the project's own through cargo."""
    binary = os.environ.get("CHARTER_BIN")
    command = [binary] if binary else ["cargo", "run", "--quiet", "--locked", "--"]
    return subprocess.run(
        [*command, *args], cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=600
    )


def test_every_example_decides_as_the_command_line_does(policy: charter.Policy) -> None:
    cases = example_cases()
    assert len(cases) >= 10
    ndjson = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases)
    run = cli("decide", "--policy", str(OFFICE), "--batch", "-", "--no-id", "--now", NOW, stdin=ndjson)
    assert run.returncode in (0, 1), run.stderr
    expected = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(expected) == len(cases)
    many = list(policy.decide_many(cases, now=NOW, ids=False))
    assert many == expected
    for case, want in zip(cases, expected):
        if "error" in want:
            with pytest.raises(charter.CaseError) as refused:
                policy.decide(case, now=NOW, ids=False)
            assert refused.value.code == want["code"]
        else:
            assert policy.decide(case, now=NOW, ids=False) == want
            # JSON text in gives the same as a dict.
            assert policy.decide(json.dumps(case), now=NOW, ids=False) == want


def test_decisions_carry_their_own_id_and_the_digest_of_the_case(policy: charter.Policy) -> None:
    case = json.loads((CASES / "accepted-phone.json").read_text("utf-8"))
    first = policy.decide(case, now=NOW)
    second = policy.decide(case, now=NOW)
    uuid7 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
    assert uuid7.match(first["decision_id"]) and uuid7.match(second["decision_id"])
    assert first["decision_id"] != second["decision_id"]
    assert re.fullmatch(r"[0-9a-f]{64}", first["input_digest"])
    assert first["input_digest"] == second["input_digest"]
    run = cli("decide", "--policy", str(OFFICE), "--now", NOW, str(CASES / "accepted-phone.json"))
    assert json.loads(run.stdout)["input_digest"] == first["input_digest"]


def test_now_is_text_or_an_aware_datetime(policy: charter.Policy) -> None:
    case = json.loads((CASES / "accepted-phone.json").read_text("utf-8"))
    at = datetime(2026, 11, 30, 12, 0, tzinfo=timezone(timedelta(hours=8)))
    assert policy.decide(case, now=at, ids=False) == policy.decide(case, now=NOW, ids=False)
    with pytest.raises(ValueError, match="time zone"):
        policy.decide(case, now=datetime(2026, 11, 30, 12, 0))
    with pytest.raises(ValueError, match="now"):
        policy.decide(case, now="yesterday")


def test_a_case_that_cannot_be_decided_is_a_case_error_with_its_code(policy: charter.Policy) -> None:
    with pytest.raises(charter.CaseError) as not_json:
        policy.decide('{"id": "C-1",\n  "channel": }', now=NOW)
    assert not_json.value.code == "C0001"
    assert not_json.value.line == 2
    with pytest.raises(charter.CaseError) as no_receipt:
        policy.decide({"id": "C-2", "channel": "phone"}, now=NOW)
    assert no_receipt.value.code == "C0002"
    assert "received_at" in str(no_receipt.value)
    assert isinstance(no_receipt.value, ValueError)


def test_many_cases_keep_their_order_and_number_their_errors(policy: charter.Policy) -> None:
    good = json.loads((CASES / "accepted-phone.json").read_text("utf-8"))
    other = dict(good, id="C-OTHER")
    cases = [good, {"id": "bad"}, other, good, "not json"]
    out = policy.decide_many(iter(cases), now=NOW, ids=False)
    assert len(out) == 5
    errors = [(r["line"], r["code"]) for r in out if "error" in r]
    # The second case with the id of the first is refused, as the command line refuses it.
    assert errors == [(2, "C0002"), (4, "C0015"), (5, "C0001")]
    assert out[0] == policy.decide(good, now=NOW, ids=False)
    assert out[2]["case"] == "C-OTHER"
    # A blank case, a raw line break inside a string, a line separator inside an id: each
    # one record, in its place, as deciding it alone says.
    text = json.dumps(dict(good, id="C-BROKEN"), ensure_ascii=False)
    broken = text.replace('"channel": "', '"channel": "ph\none', 1)
    with pytest.raises(charter.CaseError) as alone:
        policy.decide(broken, now=NOW)
    odd = [" ", broken, dict(good, id="C-\u2028-\u0085"), dict(good, id="C-LAST")]
    out = policy.decide_many(odd, now=NOW, ids=False)
    assert len(out) == 4
    assert out[0]["code"] == "C0002" and out[0]["line"] == 1
    assert out[1]["code"] == alone.value.code == "C0001"
    assert out[2]["case"] == "C-\u2028-\u0085"
    assert out[3]["case"] == "C-LAST"


def test_the_engine_lets_other_threads_run(policy: charter.Policy) -> None:
    case = (CASES / "accepted-phone.json").read_text("utf-8")
    ticks = []
    running = threading.Event()

    def count() -> None:
        running.wait()
        while running.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    counter = threading.Thread(target=count)
    counter.start()
    texts = [case] * 40_000
    started = time.perf_counter()
    running.set()
    engine = policy._engine
    engine.decide_many(texts, NOW, False)
    ended = time.perf_counter()
    running.clear()
    counter.join()
    during = [t for t in ticks if started < t < ended]
    # Held, the GIL would stop the counter for the whole batch.
    assert ended - started > 0.05
    assert len(during) >= 5, f"{len(during)} ticks in {ended - started:.2f} s"


def test_check_lists_diagnostics_with_their_places() -> None:
    assert [d for d in charter.Policy.load(OFFICE).check() if d.is_error] == []
    text = 'policy p "P" { version "1" timezone "Asia/Shanghai" }\nroute { otherwise -> nobody }\n'
    with pytest.raises(charter.PolicyError) as failed:
        charter.Policy.from_text(text)
    errors = [d for d in failed.value.diagnostics if d.is_error]
    unknown = next(d for d in errors if d.code == "E0006")
    assert (unknown.file, unknown.line, unknown.column) == ("policy.charter", 2, 22)
    assert "nobody" in unknown.message and unknown.help
    assert "policy.charter:2:22" in str(failed.value)


def test_a_missing_or_broken_policy_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(charter.PolicyError, match="no such file"):
        charter.Policy.load(tmp_path / "nowhere")
    broken = tmp_path / "broken.charter"
    broken.write_text('policy p "P" {\n  version "1"\n', "utf-8")
    with pytest.raises(charter.PolicyError) as failed:
        charter.Policy.load(broken)
    assert failed.value.diagnostics and failed.value.diagnostics[0].file.endswith("broken.charter")


def test_versions_name_the_policy(policy: charter.Policy) -> None:
    versions = policy.versions
    assert versions[-1]["name"] == "complaint_office" == policy.name
    assert re.fullmatch(r"[0-9a-f]{64}", versions[-1]["digest"])
    assert repr(policy).startswith("<charter.Policy complaint_office ")


def test_the_readme_example_runs_as_written(capsys: pytest.CaptureFixture) -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("### From Python", 1)[1]
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert len(example.strip().splitlines()) == 3
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        exec(compile(example, "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    assert capsys.readouterr().out == "office_director\n"


def test_arrow_rows_hold_what_the_decisions_say(policy: charter.Policy) -> None:
    pa = pytest.importorskip("pyarrow")
    texts = [p.read_text("utf-8") for p in sorted(CASES.glob("*.json"))]
    texts += [None, "not json", "", texts[0].replace("C-1001", "C-ARROW")]
    batch = pa.record_batch({"n": pa.array(range(len(texts))), "case": pa.array(texts, pa.string())})
    # A slice: the array starts at an offset into its buffers.
    sliced = batch.slice(1)
    out = policy.decide_arrow(sliced, now=NOW)
    assert out.num_rows == sliced.num_rows
    many = policy.decide_many([t if t is not None else "null" for t in texts[1:]], now=NOW, ids=False)
    targets = [c[: -len("_state")] for c in out.schema.names if c.endswith("_state")]
    # A stage's target is named with its stage: the review stage has a `resolve` of its own.
    assert targets[:3] == ["acknowledge", "resolve", "update"]
    assert "review__resolve" in targets
    assert out.schema.field("resolve_deadline").type == pa.timestamp("s", tz="UTC")
    for row, decision in zip(out.to_pylist(), many):
        if "error" in decision:
            assert (row["error_code"], row["error"], row["outcome"]) == (decision["code"], decision["error"], None)
            continue
        assert row["id"] == decision["case"]
        assert row["outcome"] == decision["acceptance"]["outcome"]
        route = decision.get("route") or {}
        assert row["role"] == route.get("role")
        rule = route.get("rule")
        assert row["rule"] == (f"{rule['file']}:{rule['line']}" if rule else None)
        assert row["error_code"] is None
        by_name = {(f"{t['stage']}__" if t.get("stage") else "") + t["name"]: t for t in decision["targets"]}
        assert len(by_name) == len(decision["targets"])
        for name in targets:
            target = by_name.get(name)
            state, deadline = row[f"{name}_state"], row[f"{name}_deadline"]
            if target is None:
                assert (state, deadline) == (None, None)
                continue
            assert state == target["state"]
            want = target.get("deadline")
            assert (deadline.isoformat() if deadline else None) == (
                datetime.fromisoformat(want).astimezone(timezone.utc).isoformat() if want else None
            )
    codes = [r["error_code"] for r in out.to_pylist()]
    assert codes[-4:] == ["C0002", "C0001", "C0002", None]
    # A table is decided batch by batch, the same rows.
    table = pa.Table.from_batches([sliced.slice(0, 4), sliced.slice(4)])
    assert policy.decide_arrow(table, now=NOW).to_pylist() == out.to_pylist()
    with pytest.raises(TypeError, match="`n`"):
        policy.decide_arrow(batch, now=NOW, column="n")


def test_documents_are_those_of_the_command_line(policy: charter.Policy) -> None:
    for kind, id, format, lang in [
        ("role", "office_director", "md", "zh"),
        ("procedure", None, "html", "en"),
        ("org-chart", None, "md", "en"),
    ]:
        args = ["doc", kind, "--policy", str(OFFICE), "--format", format, "--lang", lang]
        run = cli(*args, *([id] if id else []))
        assert run.returncode == 0, run.stderr
        assert policy.render(kind, id, format=format, lang=lang) == run.stdout
    with pytest.raises(ValueError, match="office_director"):
        policy.render("role", "nobody")
    with pytest.raises(ValueError, match="charter doc --format docx"):
        policy.render("procedure", format="docx")


def _columns(cases: list) -> tuple:
    """The cases as columns of their own names (a ticketing tool's export), with the mapping
    from those names to the case columns."""
    mapping = {"ticket": "id", "opened": "received_at", "via": "channel", "kind": "category", "level": "severity"}
    for case in cases:
        for key in case.get("attributes", {}):
            mapping[f"a {key}"] = f"attr.{key}"
        for key in case.get("fields", {}):
            mapping[f"f {key}"] = f"field.{key}"
        if "events" in case:
            mapping["history"] = "events"
    columns: dict = {name: [] for name in mapping}
    for case in cases:
        for theirs, ours in mapping.items():
            if ours == "received_at":
                value = datetime.fromisoformat(case["received_at"]).astimezone(timezone.utc)
            elif ours == "events":
                value = json.dumps(case["events"], ensure_ascii=False) if "events" in case else None
            elif ours.startswith("attr."):
                value = case.get("attributes", {}).get(ours[5:])
            elif ours.startswith("field."):
                value = case.get("fields", {}).get(ours[6:])
            else:
                value = case.get(ours)
            columns[theirs].append(value)
    return columns, mapping


def test_arrow_columns_by_a_mapping_decide_as_the_json_does(policy: charter.Policy) -> None:
    pa = pytest.importorskip("pyarrow")
    cases = [c for c in example_cases() if "received_at" in c]
    columns, mapping = _columns(cases)
    table = pa.table(columns)
    assert pa.types.is_timestamp(table.schema.field("opened").type)
    assert any(pa.types.is_list(f.type) for f in table.schema), "a set attribute as a list column"
    by_columns = policy.decide_arrow(table, now=NOW, mapping=mapping)
    texts = pa.table({"case": [json.dumps(c, ensure_ascii=False) for c in cases]})
    by_json = policy.decide_arrow(texts, now=NOW)
    assert by_columns.num_rows == len(cases)
    assert by_columns.to_pylist() == by_json.to_pylist()
    # Columns the mapping does not name are left alone; a name it gives that the batch does
    # not have, and a timestamp without a zone, are refused with the column's name.
    extra = table.append_column("notes", pa.array(["x"] * len(cases)))
    assert policy.decide_arrow(extra, now=NOW, mapping=mapping).to_pylist() == by_json.to_pylist()
    with pytest.raises(KeyError, match="'opened_at'"):
        policy.decide_arrow(table, now=NOW, mapping={**mapping, "opened_at": "received_at"})
    naive = table.set_column(1, "opened", table.column("opened").cast(pa.timestamp("us")))
    with pytest.raises(TypeError, match="`opened`"):
        policy.decide_arrow(naive, now=NOW, mapping=mapping)


def test_the_audit_is_that_of_the_command_line(policy: charter.Policy, tmp_path: Path) -> None:
    cases = example_cases()
    ndjson = tmp_path / "cases.ndjson"
    ndjson.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), "utf-8")
    run = cli("audit", "--policy", str(OFFICE), "--as-of", NOW, "--format", "json", str(ndjson))
    assert run.returncode == 0, run.stderr
    expected = json.loads(run.stdout)
    assert expected["input"]["records"] == len(cases)
    assert policy.audit(cases, as_of=NOW) == expected
    assert policy.audit(ndjson, as_of=NOW) == expected
    assert policy.audit(str(ndjson), as_of=NOW) == expected
    run = cli("audit", "--policy", str(OFFICE), "--as-of", NOW, "--format", "md", "--lang", "en", str(ndjson))
    assert run.returncode == 0, run.stderr
    assert policy.audit(cases, as_of=NOW, format="md", lang="en") == run.stdout
    # What-if under another policy: the report names it as the command line does.
    proposed = ROOT / "policies" / "complaint-office"
    run = cli("audit", "--policy", str(OFFICE), "--compare", str(proposed), "--as-of", NOW, "--format", "json", str(ndjson))
    assert run.returncode == 0, run.stderr
    compared = policy.audit(cases, as_of=NOW, compare=charter.Policy.load(str(proposed)))
    assert compared == json.loads(run.stdout)
    assert compared["what_if"] is not None


def test_the_audit_reads_a_tools_csv_by_a_mapping(policy: charter.Policy, tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.csv as pacsv

    cases = [c for c in example_cases() if "received_at" in c]
    columns, mapping = _columns(cases)
    columns["opened"] = [t.isoformat() for t in columns["opened"]]
    columns = {k: ["|".join(v) if isinstance(v, list) else v for v in vs] for k, vs in columns.items()}
    export = tmp_path / "tickets.csv"
    pacsv.write_csv(pa.table(columns), export)
    toml = tmp_path / "columns.toml"
    toml.write_text("[columns]\n" + "".join(f'"{k}" = "{v}"\n' for k, v in mapping.items()), "utf-8")
    run = cli("audit", "--policy", str(OFFICE), "--as-of", NOW, "--format", "json", "--mapping", str(toml), str(export))
    assert run.returncode == 0, run.stderr
    expected = json.loads(run.stdout)
    assert expected["input"]["decided"] == len(cases) - expected["input"]["malformed"]
    assert policy.audit(export, as_of=NOW, mapping=mapping) == expected
    with pytest.raises(ValueError, match="path"):
        policy.audit(cases, as_of=NOW, mapping=mapping)
    with pytest.raises(OSError, match="missing.csv"):
        policy.audit(tmp_path / "missing.csv", as_of=NOW)


def test_a_stream_decides_as_the_batch_does_as_the_cases_come(policy: charter.Policy) -> None:
    cases = example_cases()
    want = policy.decide_many(cases, now=NOW, ids=False)
    # A generator, read as the decisions are taken: sixty thousand cases go through while
    # the generator is never more than a few megabytes of cases ahead of the caller.
    total = 60_000
    taken = 0
    made = 0
    lead = 0

    def generated():
        nonlocal made, lead
        for i in range(total):
            lead = max(lead, made - taken)
            made += 1
            case = dict(cases[i % len(cases)])
            case["id"] = f"S-{i}"
            yield case

    for decision in policy.decide_stream(generated(), now=NOW, ids=False):
        i = taken
        taken += 1
        expected = want[i % len(cases)]
        if "error" in expected:
            assert decision["code"] == expected["code"] and decision["line"] == i + 1
        else:
            assert decision["case"] == f"S-{i}"
            assert decision["targets"] == expected["targets"]
    assert taken == made == total
    assert lead < total / 3, f"the stream read {lead} cases ahead of the caller"
    # The same cases as a list give decide_many's records, a repeated id refused.
    assert list(policy.decide_stream(cases + cases[:1], now=NOW, ids=False))[:-1] == want
    # An exception of the iterable is raised after the decisions before it.
    def broken():
        yield cases[0]
        raise RuntimeError("the cursor was closed")

    stream = policy.decide_stream(broken(), now=NOW, ids=False)
    assert next(stream)["case"] == cases[0]["id"]
    with pytest.raises(RuntimeError, match="cursor was closed"):
        next(stream)
    # A stream given up half way stops its batch; the policy goes on deciding.
    stream = policy.decide_stream((cases[0] for _ in range(100_000)), now=NOW, ids=False)
    next(stream)
    del stream
    assert policy.decide(cases[0], now=NOW, ids=False) == want[0]
