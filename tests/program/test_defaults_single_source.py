"""Defaults are defined once, in program/: the resolved model's fields and the layered
tables (defaults.py), the catalogues they choose from (catalogue.py) and the values no
manifest key controls (building_blocks.py), each with its reason.

Nothing under components/ or exporters/ writes a number or a duration itself. The check
reads every literal of every module (an AST walk: function bodies, arguments, defaults,
not only module-level constants) and allows a number only where it is structural, by
these rules, and never by name:

1. 0 and 1 (and -1): nothing, one, the first or last, an increment, off and on.
2. A position in a sequence: a subscript index or slice bound (`parts[2]`, `name[:-3]`).
3. A unit conversion: 24, 60, 100, 1000, 1024 or 3600 as an operand of `*`, `/`, `//`,
   `%` or `**`, or the exponent of such a factor (`gb * 1024 ** 3`, `vcpu * 1000`).
4. A regex group number: the argument of a match's `.group()`, `.start()`, `.end()`
   or `.span()`.

A string that is a duration or a size (`10m`, `30s`, `512Mi`) is refused anywhere; a
format specification (`{order:02d}`) is not a literal. Module-level constants of
components/ must not hold other default-like strings either (windows, versions,
instance classes, pinned images, digit strings); an address (`0.0.0.0/0`) is not a
version.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUARDED = (ROOT / "components", ROOT / "exporters")
COMPONENTS = ROOT / "components"
BUILDING_BLOCKS = ROOT / "program" / "building_blocks.py"

UNIT_FACTORS = frozenset({24, 60, 100, 1000, 1024, 3600})
"""Hours a day, seconds a minute (minutes an hour), percent, SI and binary prefixes, seconds an hour."""
ARITHMETIC = (ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)
MATCH_POSITIONS = frozenset({"group", "start", "end", "span"})

DURATION_OR_SIZE = re.compile(r"^\d+(\.\d+)?\s*(ms|s|m|h|d|w|[kmgtp]i?b?)$", re.IGNORECASE)

# Strings that carry a default even though they are not numbers (module-level constants).
DEFAULT_LIKE_STRINGS = {
    "a digit string (a count kept as text)": re.compile(r"^\d+(\.\d+)?$"),
    "a size or a duration (10m, 512Mi, 20Gi, 30s)": DURATION_OR_SIZE,
    "a time window (02:00-03:00, sun:05:00-sun:06:00)": re.compile(r"\d{1,2}:\d{2}"),
    "a version or a dated policy (16.6, TLSv1.2_2021, ...-2021-06)": re.compile(r"\d+\.\d+|\d{4}-\d{2}"),
    "an instance class (t3.large, db.t4g.micro)": re.compile(
        r"^(db\.|cache\.)?[a-z]+\d[a-z\d-]*\.(nano|micro|small|medium|\d*x?large|metal)$"
    ),
    "an image with a tag (postgres:16, ghcr.io/x/y:1.2)": re.compile(r"^[\w.\-/]+:(latest|[\w.\-]*\d[\w.\-]*)$"),
    "an option with a number (ConnectTimeout=15)": re.compile(r"=\d+$"),
}
ADDRESS = re.compile(r"^\d{1,3}(\.\d{1,3}){3}(/\d{1,2})?$")
"""An IPv4 address or CIDR block: an address, not a version."""


# ------------------------------------------------------------------------- the AST walk


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _number(node: ast.AST) -> float | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return node.value
    return None


def _structural(node: ast.Constant, parents: dict[ast.AST, ast.AST]) -> bool:
    value = node.value
    parent = parents.get(node)
    if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.USub):
        node, parent = parent, parents.get(parent)  # -1 is 1 with its sign
    if value in (0, 1):
        return True
    # rule 2: a position in a sequence
    if isinstance(parent, ast.Subscript) and parent.slice is node:
        return True
    if isinstance(parent, ast.Slice):
        return True
    # rule 3: a unit conversion
    if isinstance(parent, ast.BinOp) and isinstance(parent.op, ARITHMETIC):
        if value in UNIT_FACTORS:
            return True
        if isinstance(parent.op, ast.Pow) and parent.right is node and _number(parent.left) in UNIT_FACTORS:
            return True
    # rule 4: a regex group number
    return bool(
        isinstance(parent, ast.Call)
        and isinstance(parent.func, ast.Attribute)
        and parent.func.attr in MATCH_POSITIONS
        and node in parent.args
    )


def _format_specs(tree: ast.AST) -> set[ast.AST]:
    specs: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            specs.update(ast.walk(node.format_spec))
    return specs


def literal_offences(source: str, module: str = "m.py") -> list[str]:
    """`module:line: why` for each number or duration literal that is not structural."""
    tree = ast.parse(source)
    parents = _parents(tree)
    specs = _format_specs(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or node in specs:
            continue
        if _number(node) is not None and not _structural(node, parents):
            found.append(f"{module}:{node.lineno}: the number {node.value!r}")
        elif isinstance(node.value, str) and DURATION_OR_SIZE.match(node.value.strip()):
            found.append(f"{module}:{node.lineno}: {node.value!r} is a duration or a size")
    return found


def _modules() -> list[Path]:
    return sorted(path for root in GUARDED for path in root.rglob("*.py") if "__pycache__" not in path.parts)


def test_no_number_or_duration_is_written_in_components_or_exporters():
    offences = [
        offence
        for path in _modules()
        for offence in literal_offences(path.read_text(), path.relative_to(ROOT).as_posix())
    ]
    assert not offences, (
        "move these into program/ (building_blocks.py with a one-line reason, the catalogue for a fact, "
        "the resolved model for a manifest setting):\n" + "\n".join(f"  {offence}" for offence in offences)
    )


@pytest.mark.parametrize(
    "source",
    [
        "def f(args):\n    return Thing(retention_in_days=30)",
        "@dataclass\nclass Args:\n    log_retention_days: int = 30",
        "def f(x=5):\n    return x",
        "ports = [Port(80, 80)]",
        "THRESHOLD: float = -0.5",
        "limit = count * 2",
        "ok = len(zones) >= 2",
        "wait = {'interval': '10s'}",
        "memory = '512Mi'",
        "def f():\n    return ('-o', '30m')",
    ],
)
def test_the_walk_catches_defaults_wherever_they_are_written(source):
    assert literal_offences(source), source


@pytest.mark.parametrize(
    "source",
    [
        "first, last = items[0], items[-1]",
        "head = name[:-3] + parts[2]",
        "every_other = pieces[::2]",
        "gib = mib / 1024",
        "seconds = days * 24 * 60 * 60",
        "bytes_ = storage_gb * 1024 ** 3 * share / 100",
        "millicores = round(vcpu * 1000)",
        "name = match.group(2)",
        "label = f'{order:02d}-{stem}'",
        "enabled = flag or 0",
        "retries = 1",
    ],
)
def test_the_walk_leaves_structural_numbers_alone(source):
    assert not literal_offences(source), source


# ------------------------------------------------------------------- module-level strings


def _is_constant_name(name: str) -> bool:
    bare = name.lstrip("_")
    return bool(bare) and bare.upper() == bare and any(char.isalpha() for char in bare)


def _module_constants(tree: ast.Module) -> list[tuple[str, ast.expr, int]]:
    found = []
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                names = target.elts if isinstance(target, ast.Tuple) else [target]
                found += [
                    (n.id, node.value, node.lineno)
                    for n in names
                    if isinstance(n, ast.Name) and _is_constant_name(n.id)
                ]
        elif (
            isinstance(node, ast.AnnAssign)
            and node.value is not None
            and isinstance(node.target, ast.Name)
            and _is_constant_name(node.target.id)
        ):
            found.append((node.target.id, node.value, node.lineno))
    return found


def default_like_strings(value: ast.expr) -> list[str]:
    """Why a constant's value looks like a default: each default-like string in it,
    however deeply nested in tuples, lists, sets and mappings."""
    reasons = []
    for node in ast.walk(value):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and not ADDRESS.match(node.value):
            reasons += [
                f"{node.value!r} is {kind}"
                for kind, pattern in DEFAULT_LIKE_STRINGS.items()
                if pattern.search(node.value)
            ]
    return reasons


def offending_constants(source: str, module: str) -> dict[str, list[str]]:
    """`module:NAME` → why, for each module-level constant that holds a default-like string."""
    found = {}
    for name, value, _ in _module_constants(ast.parse(source)):
        reasons = default_like_strings(value)
        if reasons:
            found[f"{module}:{name}"] = reasons
    return found


def test_no_component_constant_holds_a_default_like_string():
    offenders: dict[str, list[str]] = {}
    for path in sorted(COMPONENTS.rglob("*.py")):
        offenders.update(offending_constants(path.read_text(), path.relative_to(COMPONENTS).as_posix()))
    assert not offenders, (
        "move these into program/ (building_blocks.py with a one-line reason, or the catalogue):\n"
        + "\n".join(f"  {key}: {'; '.join(why)}" for key, why in sorted(offenders.items()))
    )


@pytest.mark.parametrize(
    "line",
    [
        "SNAPSHOT_WINDOW = '02:00-03:00'",
        "MAINTENANCE_WINDOW = 'sun:05:00-sun:06:00'",
        "LOG_ROTATION = (('max-size', '10m'), ('max-file', '5'))",
        "SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06'",
        "VIEWER_TLS_POLICY = 'TLSv1.2_2021'",
        "NODE_INSTANCE_TYPE = 't3.large'",
        "CLASS = 'db.r7g.2xlarge'",
        "IMAGE = 'ghcr.io/cloudnative-pg/postgresql:16'",
        "PINNED = f'postgres:16.6-alpine3.21'",
        "SSH = ('-o', 'ConnectTimeout=15')",
        "ACCOUNTS = {'us-east-1': '127311923021'}",
    ],
)
def test_the_string_check_catches_defaults(line):
    assert offending_constants(line, "m.py"), line


@pytest.mark.parametrize(
    "line",
    [
        "CONTAINER_NAME = 'app'",
        "CNPG_API = 'postgresql.cnpg.io/v1'",
        "LETSENCRYPT_SERVER = 'https://acme-v02.api.letsencrypt.org/directory'",
        "CACHING_DISABLED_POLICY = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad'",
        "OPERATORS = {'>': 'GreaterThanThreshold', '<': 'LessThanThreshold'}",
        "SECURITY = ('no-new-privileges', True)",
        "ANYWHERE = '0.0.0.0/0'",
        "log = '30s'",  # not a constant name (the AST walk catches it)
    ],
)
def test_the_string_check_leaves_names_and_identifiers_alone(line):
    assert not offending_constants(line, "m.py"), line


# ----------------------------------------------------------------------- building blocks


def test_every_building_block_default_has_a_reason_above_it():
    source = BUILDING_BLOCKS.read_text()
    lines = source.splitlines()
    constants = [(name, lineno) for name, _, lineno in _module_constants(ast.parse(source))]
    assert len(constants) >= 50, "the building blocks hold the values no manifest key controls"
    missing = [
        name
        for name, lineno in constants
        if not lines[lineno - 2].lstrip().startswith("#") or lines[lineno - 2].lstrip().startswith("# --")
    ]
    assert not missing, f"give each a one-line reason as the comment right above it: {missing}"


def test_no_table_repeats_what_a_lower_layer_already_gives():
    # A pattern (or the production layer) that restates the global value keeps a second
    # copy that drifts: every entry must change the value it overrides.
    from specql_deploy.program import defaults
    from specql_deploy.program.markers import Default, Derived

    def same(entry, lower) -> bool:
        if isinstance(entry, Default) and isinstance(lower, Default):
            return entry.value == lower.value
        return (
            isinstance(entry, Derived)
            and isinstance(lower, Derived)
            and entry.inputs == lower.inputs
            and all(entry.compute(n) == lower.compute(n) for n in range(1, 64))
        )

    repeats = [
        f"{name}: {path}"
        for name, pattern in defaults.PATTERNS.items()
        for path, entry in pattern.defaults.items()
        if same(entry, defaults.GLOBAL_DEFAULTS.get(path))
    ]
    for environment_class, table in defaults.ENVIRONMENT_DEFAULTS.items():
        for path, entry in table.items():
            lowers = [
                pattern.defaults.get(path, defaults.GLOBAL_DEFAULTS.get(path)) for pattern in defaults.PATTERNS.values()
            ]
            if all(same(entry, lower) for lower in lowers):
                repeats.append(f"{environment_class} environments: {path}")
    assert not repeats, f"these entries repeat the value below them; remove them: {repeats}"
