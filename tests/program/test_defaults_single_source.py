"""Defaults live in program/ (building_blocks.py and the tables): no component module hard-codes a size, a count,
a window, a threshold, a version or an image at module level, and every building-block
constant in defaults.py carries its one-line reason."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMPONENTS = ROOT / "components"
BUILDING_BLOCKS = ROOT / "program" / "building_blocks.py"

# Strings that carry a default even though they are not numbers.
DEFAULT_LIKE_STRINGS = {
    "a digit string (a count kept as text)": re.compile(r"^\d+(\.\d+)?$"),
    "a size or a duration (10m, 512Mi, 20Gi, 30s)": re.compile(r"^\d+(\.\d+)?\s*(b|[kmgtp]i?b?|ms|s|h|d|w)$", re.IGNORECASE),
    "a time window (02:00-03:00, sun:05:00-sun:06:00)": re.compile(r"\d{1,2}:\d{2}"),
    "a version or a dated policy (16.6, TLSv1.2_2021, ...-2021-06)": re.compile(r"\d+\.\d+|\d{4}-\d{2}"),
    "an instance class (t3.large, db.t4g.micro)": re.compile(
        r"^(db\.|cache\.)?[a-z]+\d[a-z\d-]*\.(nano|micro|small|medium|\d*x?large|metal)$"),
    "an image with a tag (postgres:16, ghcr.io/x/y:1.2)": re.compile(r"^[\w.\-/]+:(latest|[\w.\-]*\d[\w.\-]*)$"),
    "an option with a number (ConnectTimeout=15)": re.compile(r"=\d+$"),
}

# Module-level constants that look like defaults but are facts nobody chooses. Each entry
# was inspected; the reason says why it stays beside the code that uses it.
ALLOWED: dict[str, str] = {
    # Well-known ports of the protocols the building blocks speak: changing one breaks clients.
    "aws/cache.py:_REDIS_PORT": "Redis's port (ElastiCache serves on it)",
    "aws/database.py:_POSTGRES_PORT": "PostgreSQL's port (RDS serves on it)",
    "aws/firewall.py:_HTTPS": "HTTPS's port",
    "aws/firewall.py:_HTTP": "HTTP's port",
    "aws/firewall.py:_POSTGRES": "PostgreSQL's port",
    "aws/firewall.py:_REDIS": "Redis's port",
    "kubernetes/common.py:POSTGRES_PORT": "PostgreSQL's port in the operators' pods",
    "kubernetes/application.py:SERVICE_PORT": "HTTP's port, the one an Ingress backend expects",
    "kubernetes/metrics.py:CNPG_METRICS_PORT": "the port CloudNativePG's built-in exporter listens on",
    "kubernetes/network_policies.py:ACME_SOLVER_PORT": "the port cert-manager's HTTP-01 solver listens on",
    "kubernetes/postgres_cluster.py:OPERATOR_PORTS": "ports each operator reaches its pods on",
    # Addresses and identifiers published by AWS, not settings.
    "aws/firewall.py:_ANYWHERE": "0.0.0.0/0 is 'every IPv4 address', the meaning of a public ingress rule",
    "aws/log_archive.py:ELB_ACCOUNT_BY_REGION": "AWS's Elastic Load Balancing account id per region",
}


def _component_modules() -> list[Path]:
    return sorted(path for path in COMPONENTS.rglob("*.py") if "__pycache__" not in path.parts)


def _is_constant_name(name: str) -> bool:
    bare = name.lstrip("_")
    return bool(bare) and bare.upper() == bare and any(char.isalpha() for char in bare)


def _module_constants(tree: ast.Module) -> list[tuple[str, ast.expr, int]]:
    found = []
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                names = target.elts if isinstance(target, ast.Tuple) else [target]
                found += [(n.id, node.value, node.lineno) for n in names
                          if isinstance(n, ast.Name) and _is_constant_name(n.id)]
        elif (isinstance(node, ast.AnnAssign) and node.value is not None
              and isinstance(node.target, ast.Name) and _is_constant_name(node.target.id)):
            found.append((node.target.id, node.value, node.lineno))
    return found


def default_like_values(value: ast.expr) -> list[str]:
    """Why a constant's value looks like a default: each number or default-like string in
    it, however deeply nested in tuples, lists, sets and mappings."""
    reasons = []
    for node in ast.walk(value):
        if not isinstance(node, ast.Constant) or isinstance(node.value, bool) or node.value is None:
            continue
        if isinstance(node.value, int | float):
            reasons.append(f"the number {node.value!r}")
        elif isinstance(node.value, str):
            reasons += [f"{node.value!r} is {kind}" for kind, pattern in DEFAULT_LIKE_STRINGS.items()
                        if pattern.search(node.value)]
    return reasons


def offending_constants(source: str, module: str) -> dict[str, list[str]]:
    """`module:NAME` → why, for each module-level constant that hard-codes a default."""
    found = {}
    for name, value, _ in _module_constants(ast.parse(source)):
        reasons = default_like_values(value)
        if reasons:
            found[f"{module}:{name}"] = reasons
    return found


def _all_component_offenders() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in _component_modules():
        found.update(offending_constants(path.read_text(), path.relative_to(COMPONENTS).as_posix()))
    return found


def test_no_component_module_hard_codes_a_default():
    offenders = {key: why for key, why in _all_component_offenders().items() if key not in ALLOWED}
    assert not offenders, (
        "move these into program/building_blocks.py (with a one-line "
        "reason) or, if they are facts rather than choices, allow them with a reason:\n"
        + "\n".join(f"  {key}: {'; '.join(why)}" for key, why in sorted(offenders.items()))
    )


def test_every_allowed_constant_still_exists_and_still_needs_allowing():
    # a stale entry would silently allow a future default under the same name
    offenders = _all_component_offenders()
    stale = sorted(key for key in ALLOWED if key not in offenders)
    assert not stale, f"remove from ALLOWED (no longer defined or no longer default-like): {stale}"


@pytest.mark.parametrize("line", [
    "CLUSTER_SHARDS = 2",
    "_POSTGRES_HEALTH = {'interval_s': 10, 'timeout_s': 5}",
    "THRESHOLD: float = -0.5",
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
    "A, B = 1, 2",
])
def test_the_check_catches_defaults(line):
    assert offending_constants(line, "m.py"), line


@pytest.mark.parametrize("line", [
    "CONTAINER_NAME = 'app'",
    "CNPG_API = 'postgresql.cnpg.io/v1'",
    "LETSENCRYPT_SERVER = 'https://acme-v02.api.letsencrypt.org/directory'",
    "CACHING_DISABLED_POLICY = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad'",
    "OPERATORS = {'>': 'GreaterThanThreshold', '<': 'LessThanThreshold'}",
    "SECURITY = ('no-new-privileges', True)",
    "log = 30",  # not a constant name
])
def test_the_check_leaves_names_and_identifiers_alone(line):
    assert not offending_constants(line, "m.py"), line


def test_every_building_block_default_has_a_reason_above_it():
    source = BUILDING_BLOCKS.read_text()
    lines = source.splitlines()
    constants = [(name, lineno) for name, _, lineno in _module_constants(ast.parse(source))]
    assert len(constants) >= 50, "the building-blocks section should hold the moved constants"
    missing = [name for name, lineno in constants
               if not lines[lineno - 2].lstrip().startswith("#") or lines[lineno - 2].lstrip().startswith("# --")]
    assert not missing, f"give each a one-line reason as the comment right above it: {missing}"


def test_no_table_repeats_what_a_lower_layer_already_gives():
    # A pattern (or the production layer) that restates the global value keeps a second
    # copy that drifts: every entry must change the value it overrides.
    from specql_deploy.program import defaults
    from specql_deploy.program.markers import Default, Derived

    def same(entry, lower) -> bool:
        if isinstance(entry, Default) and isinstance(lower, Default):
            return entry.value == lower.value
        return (isinstance(entry, Derived) and isinstance(lower, Derived) and entry.inputs == lower.inputs
                and all(entry.compute(n) == lower.compute(n) for n in range(1, 64)))

    repeats = [f"{name}: {path}" for name, pattern in defaults.PATTERNS.items()
               for path, entry in pattern.defaults.items() if same(entry, defaults.GLOBAL_DEFAULTS.get(path))]
    for environment_class, table in defaults.ENVIRONMENT_DEFAULTS.items():
        for path, entry in table.items():
            lowers = [pattern.defaults.get(path, defaults.GLOBAL_DEFAULTS.get(path)) for pattern in defaults.PATTERNS.values()]
            if all(same(entry, lower) for lower in lowers):
                repeats.append(f"{environment_class} environments: {path}")
    assert not repeats, f"these entries repeat the value below them; remove them: {repeats}"
