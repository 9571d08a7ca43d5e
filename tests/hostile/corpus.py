"""The hostile-input corpus, generated per surface.

Every surface that reads a YAML file (channel files for ``check`` and ``loss``, user
catalogues, user grades, cluster specs) gets every generic hostile shape: an alias bomb,
nesting past the depth limit (flow and block), nesting past libyaml's own cap, a
duplicated key, a number as a key, a FIFO, ``/dev/zero``, a folder, bytes that are not
UTF-8, and a file over the size limit. Surface-specific cases (the defects of issue 8 and
the hostile cluster specs of issue 11) are listed beside them.

A case is data: the command line, the files to create, the expected exit code and the
text the message must contain (the file, and the field or limit where one applies).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EX = ROOT / "examples"


def _strip_comments(text: str) -> str:
    return "".join(ln + "\n" for ln in text.splitlines() if ln.strip() and not
                   ln.lstrip().startswith("#"))


CHANNEL = _strip_comments((EX / "channels" / "direct-type-b-cord.yaml").read_text())
CATALOGUE = _strip_comments((EX / "catalog" / "my-parts.yaml").read_text())
GRADES = """grades:
  - name: MY-GRADE
    kind: connection
    description: "a user grade"
    mean_db: 0.2
    p97_db: 0.4
    source: "my lab"
    status: typical
"""
SPEC = _strip_comments((EX / "cluster" / "superpod-1su.yaml").read_text())
GOOD_CHANNEL = str(EX / "channels" / "direct-type-b-cord.yaml")


@dataclass(frozen=True)
class Surface:
    """A command that reads one hostile file ``F`` (the argv has ``{F}`` where it goes)."""

    name: str
    argv: tuple[str, ...]
    seed: str  # a valid file of this surface (top-level mapping, no comments)
    output: str | None = None  # the output folder the command may write
    kinds: tuple[str, ...] | None = None  # a subset of the generic shapes (None: all)


SURFACES = [
    Surface("channel-check", ("check", "{F}"), CHANNEL),
    # the same reader as channel-check: the shapes that reach the loss code differently
    Surface("channel-loss", ("loss", "{F}"), CHANNEL,
            kinds=("alias-bomb", "deep-flow", "fifo", "dev-zero", "duplicate-key")),
    Surface("channel-trace", ("trace", "{F}"), CHANNEL,
            kinds=("alias-bomb", "deep-flow", "fifo", "dev-zero", "duplicate-key")),
    Surface("catalogue", ("check", "--catalog", "{F}", GOOD_CHANNEL), CATALOGUE),
    Surface("grades", ("loss", "--grades", "{F}", GOOD_CHANNEL), GRADES),
    Surface("spec", ("plan", "{F}", "-o", "out"), SPEC, output="out"),
]


@dataclass(frozen=True)
class Case:
    """One hostile run: ``files`` are written into the working folder (``setup`` makes
    the special ones: FIFOs, links)."""

    id: str
    argv: tuple[str, ...]
    files: dict[str, bytes] = field(default_factory=dict)
    exit_code: int = 1
    names: str = "error:"
    env: dict[str, str] = field(default_factory=dict)
    setup: Callable[[Path], None] | None = None
    allowed: str | None = None  # a path the run may create or change (its output)
    seconds: float = 60.0


def _alias_bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        refs = ",".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def _first_key_line(seed: str) -> str:
    return next(ln for ln in seed.splitlines() if re.match(r"^[A-Za-z_]+:", ln))


def _generic(s: Surface) -> list[Case]:
    """The hostile shapes every YAML surface must refuse."""

    def argv(fname: str) -> tuple[str, ...]:
        return tuple(a.replace("{F}", fname) for a in s.argv)

    def mk(kind: str, fname: str, content: bytes | None, names: str, **kw: object) -> Case:
        files = {fname: content} if content is not None else {}
        return Case(f"{s.name}-{kind}", argv(fname), files, names=names, **kw)  # type: ignore[arg-type]

    seed = s.seed
    deep_flow = "x: " + "[" * 200 + "]" * 200 + "\n"
    deep_block = "".join("  " * i + "k:\n" for i in range(100)) + "  " * 100 + "k: 1\n"
    over_cap = "x: " + "[" * 5000 + "]" * 5000 + "\n"
    dup = seed + _first_key_line(seed) + "\n"
    not_utf8 = seed.encode() + b"# \xff\xfe caf\xe9\n"
    big = seed + ("# padding " + "x" * 90 + "\n") * 12_000  # ~1.2 MB
    cases = [
        mk("alias-bomb", "bomb.yaml", (seed + _alias_bomb()).encode(),
           "bomb.yaml:"),
        mk("deep-flow", "deep.yaml", deep_flow.encode(), "YAML nesting depth"),
        mk("deep-block", "deep.yaml", deep_block.encode(), "deep.yaml:65: YAML nesting depth"),
        mk("deep-past-libyaml", "deep.yaml", over_cap.encode(), "deep.yaml:1:"),
        mk("duplicate-key", "dup.yaml", dup.encode(), "duplicate key"),
        mk("number-key", "num.yaml", (seed + "1: x\n").encode(), "num.yaml:"),
        mk("not-utf8", "bad.yaml", not_utf8, "bad.yaml:"),
        mk("empty", "empty.yaml", b"", "empty.yaml"),
        mk("folder", "adir", None, "adir: is a folder",
           setup=lambda d: (d / "adir").mkdir()),
        mk("fifo", "pipe.yaml", None, "pipe.yaml: not a regular file",
           setup=lambda d: __import__("os").mkfifo(d / "pipe.yaml"), seconds=20.0),
        mk("dev-zero", "/dev/zero", None, "/dev/zero: not a regular file", seconds=20.0),
        mk("over-size-limit", "big.yaml", big.encode(), "MPOKIT_LIMIT_FILE_MB",
           env={"MPOKIT_LIMIT_FILE_MB": "1"}),
    ]
    return [c for c in cases if s.kinds is None or c.id.removeprefix(s.name + "-") in s.kinds]


def _cord(**over: object) -> str:
    body = {"connector": "MPO-12", "type": "B", "polish": "APC", "ends": "[female, female]",
            "fiber": "OS2", "length_m": 5, **over}
    inner = ", ".join(f"{k}: {v}" for k, v in body.items())
    return f"  - cord: {{{inner}}}\n"


def _channel(name: str = "c", cord: str | None = None, extra: str = "") -> str:
    return (f"name: {name}\na: 400GBASE-DR4\nb: 400GBASE-DR4\n{extra}path:\n"
            + (cord or _cord()))


def _spec(cluster: str = "", fabric: str = "", layout: str = "", name: str = "pod") -> str:
    return (f'cluster: {{name: "{name}", nodes: 31, rails: 8, nic_speed_gbps: 400{cluster}}}\n'
            f"fabric: {{switch: {{ports: 64, port_speed_gbps: 400}}{fabric}}}\n"
            + (f"layout: {{{layout}}}\n" if layout else ""))


def _long_path(n: int) -> str:
    body = "".join(_cord(type="A") + "  - adapter: {type: A}\n" for _ in range(n // 2))
    return "a: 400GBASE-DR4\nb: 400GBASE-DR4\npath:\n" + body + _cord(type="A")


def _big_channel_list(n: int, last: str) -> str:
    item = ("    a: 400GBASE-DR4\n    b: 400GBASE-DR4\n    path:\n      - cord: {connector: "
            "MPO-12, type: B, polish: APC, ends: [female, female], fiber: OS2, length_m: 5}\n")
    return "channels:\n" + "".join(f'  - name: "c{i}"\n' + item for i in range(n)) + last


def _specific() -> list[Case]:
    """Each defect of issue 8's "Why" (and issue 9 item 6, issue 11's hostile specs)."""
    spec = ("plan", "s.yaml", "-o", "out")
    cases = [
        # channel files
        Case("channel-length-true", ("check", "c.yaml"),
             {"c.yaml": _channel(cord=_cord(length_m="true")).encode()},
             names="c.yaml:5: path[0].cord.length_m: a yes/no value is not a number"),
        Case("channel-length-inf", ("loss", "c.yaml"),
             {"c.yaml": _channel(cord=_cord(length_m=".inf")).encode()},
             names="c.yaml:5: path[0].cord.length_m"),
        Case("channel-list-number-key", ("check", "c.yaml"),
             {"c.yaml": ("channels:\n  - a: 400GBASE-DR4\n    b: 400GBASE-DR4\n    1: x\n"
                         "    path:\n" + _cord().replace("  - ", "      - ")).encode()},
             names="c.yaml:4: channels[0][1]: unknown key 1"),
        Case("channel-big-duplicate-name", ("check", "big.yaml"),
             {"big.yaml": _big_channel_list(
                 2000, '  - name: "z"\n    name: "y"\n    a: 400GBASE-DR4\n    b: 400GBASE-DR4\n'
                 "    path:\n" + _cord().replace("  - ", "      - ")).encode()},
             names="big.yaml:10003: duplicate key 'name'"),
        Case("channel-big-duplicate-key", ("check", "big.yaml"),
             {"big.yaml": _big_channel_list(
                 2000, '  - name: "z"\n    a: 400GBASE-DR4\n    a: 400GBASE-SR4\n'
                 "    b: 400GBASE-DR4\n    path:\n" + _cord().replace("  - ", "      - ")
             ).encode()},
             names="duplicate key 'a'"),
        Case("channel-path-over-limit", ("check", "long.yaml"),
             {"long.yaml": _long_path(201).encode()}, env={"MPOKIT_LIMIT_PATH_ELEMENTS": "100"},
             names="MPOKIT_LIMIT_PATH_ELEMENTS"),
        # the fix search of a 2001-element failing path: a verdict (exit 2) within bounds
        Case("channel-fix-search-2001", ("check", "long.yaml"),
             {"long.yaml": _long_path(2001).encode()}, exit_code=2,
             names="fix search ran out of its time budget", seconds=40.0),
        # long lists (a million-element one is in benchmarks/bench_hostile.py: PyYAML needs
        # about 30 s of CPU to parse it, too long for the test suite)
        Case("channel-long-item-list", ("check", "m.yaml"),
             {"m.yaml": ("channels: [" + "1," * 30_000 + "1]\n").encode()},
             names="m.yaml:1: channels[0]"),
        Case("channel-long-path", ("check", "m.yaml"),
             {"m.yaml": ("a: 400GBASE-DR4\nb: 400GBASE-DR4\npath: ["
                         + "{splice: {}}," * 20_000 + "{splice: {}}]\n").encode()},
             names="m.yaml:3: path: 20001 path elements are over the limit"),
        Case("limit-env-malformed", ("check", "c.yaml"), {"c.yaml": _channel().encode()},
             env={"MPOKIT_LIMIT_FILE_MB": "lots"}, names="MPOKIT_LIMIT_FILE_MB='lots'"),
        # numeric CLI options
        Case("reach-connections", ("reach", "--pmd", "400GBASE-SR8", "--fiber", "OM4",
                                   "--connections", "10000000000000"),
             names="--connections: connections 10000000000000 is over the limit"),
        Case("reach-table-to", ("reach", "--pmd", "400GBASE-SR8", "--fiber", "OM4",
                                "--table-to", "100000000"), names="--table-to"),
        Case("loss-trials", ("loss", "--statistical", "--trials", "2000000000", GOOD_CHANNEL),
             names="--trials: Monte Carlo trials 2000000000"),
        # user catalogues
        Case("catalogue-claims-verified", ("check", "--catalog", "cat.yaml", GOOD_CHANNEL),
             {"cat.yaml": CATALOGUE.replace("status: vendor", "status: verified", 1).encode()},
             names="cat.yaml:9: transceivers[0].status"),
        Case("catalogue-replaces-builtin", ("check", "--catalog", "cat.yaml", GOOD_CHANNEL),
             {"cat.yaml": CATALOGUE.replace("ACME-400G-PSM4", "400GBASE-DR4", 1).encode()},
             names="already in the catalogue"),
        Case("grades-claims-verified", ("loss", "--grades", "g.yaml", GOOD_CHANNEL),
             {"g.yaml": GRADES.replace("typical", "verified").encode()},
             names="g.yaml:8: grades[0].status"),
        # hostile cluster specs (issue 11)
        Case("spec-negative-ufm", spec, {"s.yaml": _spec(cluster=", ufm_links: -4").encode()},
             names="s.yaml:1: cluster.ufm_links"),
        Case("spec-port-speed-1e30", spec, {"s.yaml": _spec().replace(
            "port_speed_gbps: 400", "port_speed_gbps: " + "1" + "0" * 30).encode()},
             names="s.yaml:2: fabric.switch.port_speed_gbps"),
        Case("spec-scalable-unit-1", spec, {"s.yaml": (_spec().replace(
            "nodes: 31", "nodes: 127").replace("port_speed_gbps: 400}", "port_speed_gbps: 400}"
                                              ", scalable_unit: 1")).encode()},
             names="s.yaml"),
        Case("spec-hall-gap-15km", spec, {"s.yaml": _spec(
            layout="rows_per_hall: 1, racks_per_row: 4, hall_gap_m: 15000").encode()},
             names="s.yaml:3: layout.hall_gap_m"),
        Case("spec-rack-width-inf", spec, {"s.yaml": _spec(layout="rack_width_m: .inf").encode()},
             names="s.yaml:3: layout.rack_width_m"),
        Case("spec-aisle-inf", spec, {"s.yaml": _spec(layout="aisle_m: .inf").encode()},
             names="s.yaml:3: layout.aisle_m"),
        Case("spec-slack-inf", spec, {"s.yaml": _spec(layout="slack_per_end_m: .inf").encode()},
             names="s.yaml:3: layout.slack_per_end_m"),
        Case("spec-low-tray", spec, {"s.yaml": _spec(layout="tray_height_m: 0.5").encode()},
             names="tray_height_m 0.5 m is below the top of the racks"),
        Case("spec-48ru-nodes-in-10ru-rack", spec, {"s.yaml": _spec(
            layout="rack_units: 10, node_ru: 48, nodes_per_rack: 4").encode()},
             names="more than rack_units 10"),
        Case("spec-allow-copper-number", spec, {"s.yaml": (_spec() + "optics: {allow_copper: 1}"
                                                          "\n").encode()},
             names="s.yaml:3: optics.allow_copper: expected true or false"),
    ]
    return cases


def _output_paths() -> list[Case]:
    """``plan -o`` on paths it must not destroy (each run starts in a fresh folder)."""
    spec = {"s.yaml": SPEC.encode()}

    def foreign(d: Path) -> None:
        (d / "mine").mkdir()
        (d / "mine" / "thesis.tex").write_text("years of work\n")

    def link(d: Path) -> None:
        (d / "elsewhere").mkdir()
        (d / "ln").symlink_to(d / "elsewhere")

    def sub(d: Path) -> None:
        (d / "proj").mkdir()

    return [
        Case("out-cwd", ("plan", "s.yaml", "-o", "."), spec, names="current folder"),
        Case("out-parent", ("plan", "s.yaml", "-o", ".."), spec, names="current folder"),
        Case("out-regular-file", ("plan", "s.yaml", "-o", "s.yaml"), spec,
             names="s.yaml: the output exists and is not a folder"),
        Case("out-foreign-folder", ("plan", "s.yaml", "-o", "mine"), spec, setup=foreign,
             names="mine: the output folder is not empty and is not an earlier mpokit output"),
        Case("out-symlink", ("plan", "s.yaml", "-o", "ln"), spec, setup=link,
             names="ln: the output is a symbolic link"),
        Case("demo-out-cwd", ("demo", "--examples", str(EX), "-o", "."), {},
             names="current folder"),
    ]


def corpus() -> list[Case]:
    """Every case: the generic shapes on every surface, then the specific ones."""
    cases = [c for s in SURFACES for c in _generic(s)]
    return cases + _specific() + _output_paths()
