#!/usr/bin/env python3
"""Where a decided case's instructions go, by source function: the companion of
benches/instructions.sh when the total is not enough.

Runs examples/decide_loop.rs under callgrind for 2 and for 6 rounds (so that loading the policy
and generating the cases cancel out), counts the instructions executed at each address, and
maps every address to its chain of inlined functions with addr2line. Each instruction is
charged to the first DEPTH functions of its chain, outermost first, so DEPTH 2 shows
`run::decide_into > targets` beside `validate::validate > names::NameIndex::get`.

Only instructions are charged, never calls: a call instruction's line in the debug information
is unreliable once LLVM has merged code, and charging a callee's cost to it misleads.

Needs valgrind, addr2line (binutils) and python3.
Usage: benches/attribute.py [MODE [DEPTH [ROWS]]]   (default: into 2 40)
"""

import collections
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, "target", "release", "examples", "decide_loop")
# The engine's entry point for each mode of decide_loop: only instructions under it count (not
# the loop, nor dropping a decision in `decide` mode).
ENTRY = {
    "into": "charter::decide::<impl charter::decide::engine::Engine>::decide_into",
    "reasons": "charter::decide::<impl charter::decide::engine::Engine>::decide_into",
    "decide": "charter::decide::<impl charter::decide::engine::Engine>::decide",
}


def instructions_by_address(path):
    """Self cost (instructions) per instruction address of a callgrind output file."""
    costs = collections.Counter()
    positions, last, after_calls = [], [], False
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("positions:"):
                positions = line.split()[1:]
                last = [0] * len(positions)
                continue
            if line.startswith("calls="):
                # The next cost line is the call's inclusive cost: not this address's own.
                after_calls = True
                continue
            if not line or not (line[0].isdigit() or line[0] in "+-*"):
                continue
            tokens = line.split()
            for i in range(len(positions)):
                t = tokens[i]
                if t == "*":
                    continue
                last[i] = last[i] + int(t, 0) if t[0] in "+-" else int(t, 0)
            if after_calls:
                after_calls = False
                continue
            if len(tokens) > len(positions):
                costs[last[0]] += int(tokens[len(positions)])
    return costs


def run(mode, rounds, out):
    subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--dump-instr=yes",
            "--collect-atstart=no",
            f"--toggle-collect={ENTRY[mode]}",
            f"--callgrind-out-file={out}",
            BINARY,
            mode,
            str(rounds),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return instructions_by_address(out)


def inline_chains(addresses):
    """Outermost-first chain of function names for each address."""
    text = "\n".join(hex(a) for a in addresses)
    lines = subprocess.run(
        ["addr2line", "-a", "-i", "-f", "-C", "-e", BINARY],
        input=text,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    chains, current = {}, None
    i = 0
    while i < len(lines):
        if lines[i].startswith("0x"):
            current = int(lines[i], 16)
            chains[current] = []
            i += 1
        else:
            if current is not None:
                chains[current].append(lines[i])
            i += 2  # a function name, then its file:line
    return {a: list(reversed(c)) for a, c in chains.items()}


def short(name):
    name = re.sub(r"^charter::(decide|time)::", "", name)
    return name.replace("run::Ctx::", "")[:60]


def main():
    args = sys.argv[1:]
    mode = args[0] if args else "into"
    depth = int(args[1]) if len(args) > 1 else 2
    rows = int(args[2]) if len(args) > 2 else 40
    if mode not in ENTRY:
        sys.exit(f"mode must be one of {', '.join(ENTRY)}")
    subprocess.run(
        ["cargo", "build", "--release", "--quiet", "--example", "decide_loop"],
        cwd=ROOT,
        check=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        two = run(mode, 2, os.path.join(tmp, "two"))
        six = run(mode, 6, os.path.join(tmp, "six"))
    cases = 4000.0
    costs = {a: six[a] - two.get(a, 0) for a in six if six[a] != two.get(a, 0)}
    chains = inline_chains(sorted(costs))
    by_chain = collections.Counter()
    for address, cost in costs.items():
        chain = chains.get(address) or ["??"]
        by_chain[" > ".join(short(f) for f in chain[:depth])] += cost
    print(f"{mode}: {sum(costs.values()) / cases:.0f} instructions per case")
    for chain, cost in by_chain.most_common(rows):
        print(f"{cost / cases:8.1f}  {chain}")


if __name__ == "__main__":
    main()
