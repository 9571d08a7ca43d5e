"""Benchmark: ``mpokit check`` end to end (file in, JSON out) on real plans.

Run: ``.venv/bin/python benchmarks/bench_check_cli.py [--sizes 512,4096,16384] [--repeat 5]
[--keep DIR]`` (plans are cached in ``benchmarks/.cache/``, which git ignores; ``--keep`` names
another folder).

For each size (nodes of a rail-optimized 3-tier fabric, 8 rails: 512 -> ~12k channels,
4096 -> ~98k, 16384 -> ~393k) it writes the plan's ``channels.yaml`` with ``mpokit plan``,
makes two JSON twins (``json.dumps`` with ``indent=2``, 2.4x the YAML's bytes, and its
one-line default, 1.1x) and a twin with comment lines, then times the real CLI in a child
process: ``check FILE`` (human output), ``check FILE --json > out.json`` for the YAML, both
JSON and the commented files. It prints wall seconds, user and system CPU seconds, channels per
second and the child's peak memory (max RSS), and checks that the JSON of the four inputs
is identical. With ``--repeat N`` the five runs are repeated N times, interleaved (so a
change of load hits every input alike), and the medians are printed; the load average
is printed with every row.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import textwrap
from pathlib import Path

import yaml

SPEC = """cluster: {{name: bench-{n}, nodes: {n}, rails: 8, nic_speed_gbps: 400}}
fabric: {{topology: rail-optimized, scalable_unit: 64, tiers: 3,
         switch: {{ports: 128, port_speed_gbps: 400, cages: 64}}}}
"""
MPOKIT = [sys.executable, "-m", "mpokit"]


def run(args: list[str], out: Path | None) -> tuple[float, float, float, float, int]:
    """Wall seconds, user and system CPU seconds, peak MB (max RSS) and exit code of
    ``mpokit ARGS > out``.

    The CLI runs as the child of a small wrapper, so the figures are that run's own. On a
    shared machine the CPU seconds are the steadier figure (wall time includes waiting).
    """
    code = ("import resource,subprocess,sys,time;"
            "f=open(sys.argv[1],'w');t=time.perf_counter();"
            "rc=subprocess.run(sys.argv[2:],stdout=f,stderr=subprocess.DEVNULL).returncode;"
            "w=time.perf_counter()-t;u=resource.getrusage(resource.RUSAGE_CHILDREN);"
            "print(w,u.ru_utime,u.ru_stime,u.ru_maxrss,rc)")
    r = subprocess.run([sys.executable, "-c", code, str(out or os.devnull), *MPOKIT, *args],
                       capture_output=True, text=True, check=True)
    wall, user, sys_s, rss, rc = r.stdout.split()
    return float(wall), float(user), float(sys_s), int(rss) / 1024, int(rc)


def yaml_to_json(text: str, indent: int | None = 2) -> str:
    """The same channels as JSON (each distinct item body parsed once: PyYAML on a whole
    393k-channel file takes many minutes and ~10 GB); ``indent=None`` is ``json.dumps``'s
    default layout (one line, 1.1x the YAML's bytes; ``indent=2`` is 2.4x)."""
    head, _, rest = text.partition("\n  - ")
    assert head == "channels:", head
    bodies: dict[str, dict] = {}
    items = []
    for chunk in rest.rstrip("\n").split("\n  - "):
        first, _, body = chunk.partition("\n")
        if body not in bodies:
            bodies[body] = yaml.load(textwrap.dedent(body), Loader=yaml.CSafeLoader)
        items.append({**yaml.load(first, Loader=yaml.CSafeLoader), **bodies[body]})
    return json.dumps({"channels": items}, indent=indent)


def twins(src: Path) -> tuple[Path, Path, Path]:
    """The JSON twins of a channel file (indented, and json.dumps's one-line default) and a
    YAML twin with comment lines."""
    text = src.read_text()
    js = src.with_suffix(".json")
    if not js.exists():
        js.write_text(yaml_to_json(text))
    compact = src.with_name("compact.json")
    if not compact.exists():
        compact.write_text(yaml_to_json(text, indent=None))
    commented = src.with_name("commented.yaml")
    if commented.exists():
        return js, compact, commented
    lines = text.split("\n")
    lines.insert(1, "  # written by mpokit plan; edited by hand")
    commented.write_text("# a comment line at the top\n" + "\n".join(lines))
    return js, compact, commented


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="512,4096,16384")
    ap.add_argument("--repeat", type=int, default=1, help="runs per input (medians)")
    ap.add_argument("--keep", type=Path, default=Path(__file__).parent / ".cache",
                    help="reuse/keep plans in this folder")
    a = ap.parse_args()
    root = a.keep
    head = (f"{'channels':>9} {'input':>10} {'mode':>6} {'wall s':>7} {'user s':>6} "
            f"{'sys s':>6} {'channels/s':>11} {'peak MB':>8}")
    print(head)
    for n in (int(x) for x in a.sizes.split(",")):
        d = root / f"n{n}"
        chans = d / "plan" / "channels.yaml"
        if not chans.exists():
            d.mkdir(parents=True, exist_ok=True)
            (d / "spec.yaml").write_text(SPEC.format(n=n))
            subprocess.run([*MPOKIT, "plan", str(d / "spec.yaml"), "-o", str(d / "plan")],
                           check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        js, compact, commented = twins(chans)
        count = chans.read_text().count('\n  - name: "')
        runs = (("yaml", chans, False), ("yaml", chans, True), ("json", js, True),
                ("json-1line", compact, True), ("commented", commented, True))
        rows: dict[tuple[str, bool], list[tuple[float, float, float, float]]] = {}
        texts: dict[str, bytes] = {}
        inputs = {"yaml": chans, "json": js, "json-1line": compact, "commented": commented}
        for _ in range(a.repeat):
            for label, f, json_out in runs:
                out = d / "out.json" if json_out else None
                load = os.getloadavg()[0]
                wall, user, sys_s, peak, rc = run(["check", str(f)]
                                                  + (["--json"] if json_out else []), out)
                rows.setdefault((label, json_out), []).append((wall, user, sys_s, peak))
                print(f"{count:>9,} {label:>10} {'json' if json_out else 'human':>6} "
                      f"{wall:>7.2f} {user:>6.2f} {sys_s:>6.2f} {count / wall:>11,.0f} "
                      f"{peak:>8.0f}   (exit {rc}, load {load:.1f})", flush=True)
                if out is not None:
                    # the "file" field names each input; everything else must be the same
                    text = out.read_bytes().replace(json.dumps(str(inputs[label])).encode(),
                                                    b'"FILE"')
                    texts.setdefault(label, text)
                    if text != texts[label]:
                        print(f"{'':>9} JSON output of {label} differs between runs")
                    out.unlink()  # about 3.5 kB per channel
        if a.repeat > 1:
            print(f"{'':>9} medians of {a.repeat} runs:")
            for (label, json_out), r in rows.items():
                wall, user, sys_s, peak = (statistics.median(x[i] for x in r) for i in range(4))
                print(f"{count:>9,} {label:>10} {'json' if json_out else 'human':>6} "
                      f"{wall:>7.2f} {user:>6.2f} {sys_s:>6.2f} {count / wall:>11,.0f} "
                      f"{peak:>8.0f}", flush=True)
        same = all(t == texts["yaml"] for t in texts.values())
        print(f"{'':>9} JSON output identical for all inputs: {same}")


if __name__ == "__main__":
    main()
