"""The manifest language: examples parse, shorthands equal long forms, bad input is named."""

from __future__ import annotations

import textwrap

import pytest

from specql_deploy.program.manifest import ManifestError, load, parse
from specql_deploy.program.spec import DeploymentSpec

from support import EXAMPLE_NAMES, example_path


def spec(text: str) -> DeploymentSpec:
    return parse(textwrap.dedent(text))


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_example_parses(name):
    manifest = load(example_path(name))
    assert manifest.spec.deployment.pattern in {"hobby-project", "small-saas", "production-saas", "kubernetes"}


def test_there_is_an_example_per_seed_manifest():
    assert set(EXAMPLE_NAMES) == {
        "hobby-project",
        "small-saas",
        "production-saas",
        "kubernetes",
        "kubernetes-eks",  # the kubernetes seed with its `cluster: create` alternative
        "full-manifest",
        "phase2-extended",
    }


SHORTHANDS = [
    # (shorthand, long form): each pair must produce the same model
    (
        "deployment: {pattern: small-saas, platform: aws}",
        "deployment: {pattern: small-saas}\nplatform: {provider: aws}",
    ),
    (
        "deployment: {pattern: small-saas, region: eu-west-1}",
        "deployment: {pattern: small-saas}\nplatform: {region: eu-west-1}",
    ),
    (
        "deployment: {pattern: production-saas, regions: [us-east-1, eu-west-1]}",
        "deployment: {pattern: production-saas}\nplatform: {regions: [us-east-1, eu-west-1]}",
    ),
    (
        "deployment: {pattern: small-saas}\ndatabase: {backup: daily}",
        "deployment: {pattern: small-saas}\ndatabase: {backup: {frequency: daily}}",
    ),
    (
        "deployment: {pattern: small-saas}\nmonitoring: standard",
        "deployment: {pattern: small-saas}\nmonitoring: {level: standard}",
    ),
    (
        "deployment: {pattern: production-saas}\ncache: redis-cluster",
        "deployment: {pattern: production-saas}\ncache: {enabled: true, type: redis, cluster_mode: true}",
    ),
    ("deployment: {pattern: small-saas}\nstorage: s3", "deployment: {pattern: small-saas}\nstorage: {type: s3}"),
    (
        "deployment: {pattern: production-saas}\nsecurity: {waf: enabled, ddos_protection: disabled}",
        "deployment: {pattern: production-saas}\nsecurity: {waf: true, ddos_protection: false}",
    ),
    (
        "deployment: {pattern: kubernetes}\napplication: {hpa: enabled}",
        "deployment: {pattern: kubernetes}\napplication: {hpa: true}",
    ),
    (
        "deployment: {pattern: small-saas}\napplication: {memory: 512Mi}",
        "deployment: {pattern: small-saas}\napplication: {memory: 512}",
    ),
    (
        "deployment: {pattern: small-saas}\napplication: {memory: 1Gi}",
        "deployment: {pattern: small-saas}\napplication: {memory: 1024}",
    ),
    (
        "deployment: {pattern: small-saas}\napplication: {memory: '2048'}",
        "deployment: {pattern: small-saas}\napplication: {memory: 2Gi}",
    ),
    (
        "deployment: {pattern: kubernetes}\napplication: {cpu: 500m}",
        "deployment: {pattern: kubernetes}\napplication: {cpu: 0.5}",
    ),
    (
        "deployment: {pattern: kubernetes}\napplication: {replicas: 3}",
        "deployment: {pattern: kubernetes}\napplication: {instances: 3}",
    ),
    (
        "deployment: {pattern: small-saas}\ndatabase: {size: small}",
        "database: {size: small}\ndeployment: {pattern: small-saas}",
    ),
    (
        "deployment: {pattern: small-saas}\napplication: {autoscale: enabled}",
        "deployment: {pattern: small-saas}\napplication: {autoscale: {enabled: true}}",
    ),
    (
        "deployment: {pattern: kubernetes, cluster: existing, namespace: shop, ingress: {class: nginx}}",
        "deployment: {pattern: kubernetes}\nkubernetes: {cluster: existing, namespace: shop, ingress: {class: nginx}}",
    ),
    (
        "deployment: {pattern: small-saas}\nnetworking: {nat_gateway: false}",
        "deployment: {pattern: small-saas}\nnetworking: {nat_gateway: none}",
    ),
    (
        "deployment: {pattern: small-saas}\nmonitoring: {alerts: [{type: cpu_high}]}",
        "deployment: {pattern: small-saas}\nmonitoring: {alarms: [{type: cpu_high}]}",
    ),
]


@pytest.mark.parametrize(("short", "long"), SHORTHANDS)
def test_shorthand_equals_long_form(short, long):
    assert spec(short) == spec(long)


def test_seed_small_saas_shorthands_in_one_manifest():
    # GIVEN the proposal's small-saas manifest, everything nested under deployment:
    parsed = load(example_path("small-saas")).spec
    # THEN each shorthand landed in its long form
    assert parsed.platform.provider == "aws" and parsed.platform.region == "us-east-1"
    assert parsed.database.backup.frequency == "daily"
    assert parsed.application.memory == 512
    assert parsed.monitoring.level == "standard"


def problems(text: str) -> list[str]:
    with pytest.raises(ManifestError) as caught:
        parse(textwrap.dedent(text))
    return [str(problem) for problem in caught.value.problems]


INVALID = [
    # (manifest, expected substring of one problem line)
    ("deployment: {pattern: small-sass}", "deployment.pattern: 'small-sass' is not one of"),
    ("deployment: {pattern: small-sass}", "did you mean 'small-saas'"),
    (
        "deployment:\n  pattern: small-saas\n  databse: {size: small}",
        "deployment.databse: unknown key; did you mean 'database'? (line 3)",
    ),
    ("deployment: {pattern: small-saas}\ndatabase: {sise: small}", "database.sise: unknown key; did you mean 'size'?"),
    (
        "deployment: {pattern: small-saas}\ndatabase: {size: huge}",
        "database.size: 'huge' is not one of small, medium, large, xlarge",
    ),
    (
        "deployment: {pattern: small-saas}\ndatabase: {backup: {retention: 40}}",
        "database.backup.retention: must be at most 35",
    ),
    (
        "deployment: {pattern: small-saas}\ndatabase: {backup: {retention: -1}}",
        "database.backup.retention: must be at least 0",
    ),
    ("deployment: {pattern: small-saas, name: My_App}", "deployment.name: 'My_App' is not DNS-safe"),
    (
        "deployment: {pattern: small-saas}\nnetworking: {vpc_cidr: 10.0.0.0/33}",
        "networking.vpc_cidr: '10.0.0.0/33' is not a valid CIDR",
    ),
    (
        "deployment: {pattern: small-saas}\nnetworking: {vpc_cidr: 8.8.0.0/16}",
        "networking.vpc_cidr: '8.8.0.0/16' is public address space",
    ),
    ("deployment: {pattern: small-saas}\nnetworking: {vpc_cidr: 10.0.0.0/8}", "from /16 to /24"),
    (
        "deployment: {pattern: small-saas, region: us-east-9}",
        "deployment.region: 'us-east-9' is not an AWS region; did you mean 'us-east-2'?",
    ),
    (
        "deployment: {pattern: production-saas}\nplatform: {regions: [us-east-1, us-east-1]}",
        "platform.regions: the disaster-recovery region must differ",
    ),
    (
        "deployment: {pattern: small-saas}\napplication: {autoscale: {min: 5, max: 2}}",
        "application.autoscale: `min` (5) must not exceed `max` (2)",
    ),
    ("deployment: {pattern: small-saas}\napplication: {instances: 0}", "application.instances: must be at least 1"),
    (
        "deployment: {pattern: small-saas}\napplication: {instances: two}",
        "application.instances: must be a whole number",
    ),
    (
        "deployment: {pattern: small-saas}\napplication: {memory: lots}",
        "application.memory: 'lots' is not a memory size",
    ),
    (
        "deployment: {pattern: small-saas}\nenvironments:\n  - name: production\n    variables:\n      DB_PASSWORD: hunter2",
        "environments[0].variables.DB_PASSWORD: looks like a secret: list it under `secrets:`",
    ),
    (
        "deployment: {pattern: small-saas}\nenvironments:\n  - name: production\n    variables:\n      API_TOKEN: abc",
        "environments[0].variables.API_TOKEN",
    ),
    (
        "deployment: {pattern: small-saas}\nenvironments: [{name: prod}, {name: prod}]",
        "environments: environment names must be unique: prod",
    ),
    (
        "deployment: {pattern: small-saas}\nstorage: {buckets: [{name: uploads, public: true}]}",
        "storage.buckets[0].public: public buckets are not created",
    ),
    (
        "deployment: {pattern: small-saas}\nsecurity: {encryption_at_rest: false}",
        "security.encryption_at_rest: encryption at rest cannot be turned off",
    ),
    ("deployment: {pattern: small-saas}\nplatform: gcp", "platform.provider: pattern small-saas runs on AWS"),
    (
        "deployment: {pattern: small-saas}\napplication: {health_check: {path: health}}",
        "application.health_check.path: 'health' must start with '/'",
    ),
    (
        "deployment: {pattern: small-saas}\nmonitoring: {alarms: [{condition: 'cpu is high'}]}",
        "monitoring.alarms[0].condition",
    ),
    (
        "deployment: {pattern: small-saas}\nmonitoring: {alarms: [{type: cpu_high, email: nobody}]}",
        "monitoring.alarms[0].email: 'nobody' is not an email address",
    ),
    (
        "deployment: {pattern: small-saas, platform: aws}\nplatform: {region: us-east-1}",
        "deployment.platform: `platform` is also given at the top level",
    ),
    ("pattern: small-saas", "pattern: unknown top-level key; `pattern` belongs under `deployment:`"),
    ("deployment: {}", "deployment.pattern: required: choose hobby-project, small-saas"),
    (
        "deployment: {pattern: small-saas}\ncicd: {triggers: [{push: {action: deploy}, pull_request: {action: test}}]}",
        "cicd.triggers[0]: a trigger is exactly one of",
    ),
    (
        "deployment: {pattern: kubernetes}\nkubernetes: {namespace: My NS}",
        "kubernetes.namespace: 'My NS' is not DNS-safe",
    ),
    (
        "deployment: {pattern: small-saas}\napplication: {instances: 2, replicas: 3}",
        "application: `instances` and `replicas` mean the same thing",
    ),
    (
        "deployment: {pattern: small-saas}\napplication: {health_check: {interval: 10, timeout: 10}}",
        "application.health_check: `timeout` (10s) must be shorter than `interval` (10s)",
    ),
    (
        "deployment: {pattern: small-saas, domain: app.example.com, dns_zone: other.org}",
        "deployment.dns_zone: app.example.com is not inside the zone other.org",
    ),
    (
        "deployment: {pattern: small-saas, dns_zone: example.com}",
        "deployment.dns_zone: a DNS zone serves `deployment.domain`: set the domain too",
    ),
    (
        "deployment: {pattern: small-saas, domain: app.example.com, dns_zone: 'ex ample'}",
        "deployment.dns_zone: 'ex ample' is not a zone name",
    ),
    (
        "deployment: {pattern: small-saas, domain: app.example.com, dns_zone: ample.com}",
        "is not inside the zone ample.com",
    ),
    (
        "deployment: {pattern: hobby-project}\ndatabase: {backup: {destination: 'https://bucket'}}",
        "database.backup.destination: 'https://bucket' is not an S3 location",
    ),
    (
        "deployment: {pattern: hobby-project}\ndatabase: {backup: {destination: 's3://bkt/x', endpoint: 'http://minio:9000'}}",
        "database.backup.endpoint: 'http://minio:9000' is not an HTTPS endpoint",
    ),
    (
        "deployment: {pattern: hobby-project}\ndatabase: {backup: {region: auto}}",
        "`endpoint` and `region` describe `destination`",
    ),
]


def test_a_wrong_domain_is_not_blamed_on_its_zone():
    lines = problems("deployment: {pattern: small-saas, domain: 'not a domain', dns_zone: example.com}")
    assert len(lines) == 1 and lines[0].startswith("deployment.domain:")


@pytest.mark.parametrize(("text", "expected"), INVALID)
def test_invalid_manifest_names_the_field(text, expected):
    lines = problems(text)
    assert any(expected in line for line in lines), lines


def test_every_problem_is_reported_not_just_the_first():
    lines = problems("""
        deployment: {pattern: small-saas}
        database: {size: huge}
        application: {instances: 0}
    """)
    assert len(lines) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "(root): the manifest is empty"),
        ("- a\n- b\n", "(root): the manifest must be a mapping with a `deployment:` key, not a list"),
        ("just words", "(root): the manifest must be a mapping"),
        ("deployment: [unclosed", "deployment: invalid YAML"),
        (
            "deployment: {pattern: small-saas}\ndeployment: {pattern: kubernetes}",
            "deployment: the key `deployment` appears twice in the same mapping, first on line 1; keep one (line 2)",
        ),
        ("deployment:\n\tpattern: small-saas", "deployment.pattern: YAML forbids tabs for indentation (line 2)"),
    ],
)
def test_broken_documents_get_clear_messages(text, expected):
    assert any(line.startswith(expected) for line in problems(text)), problems(text)


def test_file_problems(tmp_path):
    with pytest.raises(ManifestError, match="file not found"):
        load(tmp_path / "missing.yaml")
    with pytest.raises(ManifestError, match="is a directory"):
        load(tmp_path)
    binary = tmp_path / "deployment.yaml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ManifestError, match="not UTF-8"):
        load(binary)


def test_line_numbers_point_at_the_user_text():
    lines = problems("""\
        deployment:
          pattern: small-saas
          database:
            size: small
            backup:
              retention: 99
    """)
    assert lines == ["deployment.database.backup.retention: must be at most 35 (line 6)"]


def test_secret_reference_is_allowed():
    parsed = spec("""
        deployment: {pattern: small-saas}
        environments:
          - name: production
            variables: {DB_PASSWORD: "${DB_PASSWORD}", LOG_LEVEL: warn}
            secrets: [JWT_SECRET]
    """)
    assert parsed.environments[0].variables["DB_PASSWORD"] == "${DB_PASSWORD}"
