"""Resolution: defaults per pattern and framework, overlays, provenance, and the lock."""

from __future__ import annotations

import json
import textwrap

import pytest

from specql_deploy.program import catalogue, defaults
from specql_deploy.program.lock import lock_changes, lock_document, read_lock, write_lock
from specql_deploy.program.manifest import load, parse
from specql_deploy.program.resolve import ResolutionError, resolve

from support import EXAMPLE_NAMES, resolve_example


def resolved_from(text: str, environment: str | None = None, **kwargs):
    return resolve(parse(textwrap.dedent(text)), environment, default_name="shop", **kwargs)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_example_resolves_with_full_provenance(name):
    resolved = resolve_example(name)
    flat = resolved.flat()
    # every leaf has a recorded source and reason
    assert set(flat) <= set(resolved.provenance), set(flat) - set(resolved.provenance)
    assert all(p.reason for p in resolved.provenance.values())


@pytest.mark.parametrize(
    ("pattern", "instance_class", "multi_az", "nat", "azs", "instances", "nat_source"),
    [
        # small-saas takes the global one NAT gateway; production-saas puts one in every zone
        ("small-saas", "db.t4g.micro", False, "single", 2, 2, "default"),
        ("production-saas", "db.r7g.xlarge", True, "one-per-az", 3, 3, "pattern"),
    ],
)
def test_aws_pattern_defaults(pattern, instance_class, multi_az, nat, azs, instances, nat_source):
    # GIVEN only a pattern
    resolved = resolved_from(f"deployment: {{pattern: {pattern}}}")
    # THEN the pattern table decides sizes and counts, and says so
    assert resolved.database.instance_class == instance_class
    assert resolved.database.multi_az is multi_az
    assert resolved.network.nat_strategy == nat
    assert resolved.platform.availability_zones == azs
    assert resolved.application.instances == instances
    assert resolved.provenance["network.nat_strategy"].source == nat_source
    assert resolved.provenance["database.instance_class"].reason == (
        f"{pattern} maps size {resolved.database.size} to {instance_class}"
    )


def test_size_word_maps_to_class_through_the_pattern():
    resolved = resolved_from("deployment: {pattern: small-saas}\ndatabase: {size: medium}")
    assert resolved.database.instance_class == "db.t4g.medium"
    assert resolved.provenance["database.size"].source == "user"


def test_container_patterns_size_containers_not_instances():
    resolved = resolved_from("deployment: {pattern: kubernetes}\ndatabase: {size: large}")
    assert resolved.database.instance_class is None
    assert (resolved.database.cpu, resolved.database.memory_mib, resolved.database.instances) == (2, 8192, 3)


@pytest.mark.parametrize(
    ("framework", "port", "health", "runtime"),
    [
        ("fraiseql", 8000, "/health", "python"),
        ("django", 8000, "/health/", "python"),
        ("rails", 3000, "/up", "ruby"),
        ("nodejs", 3000, "/health", "nodejs"),
    ],
)
def test_framework_defaults(framework, port, health, runtime):
    resolved = resolved_from(f"deployment: {{pattern: small-saas, framework: {framework}}}")
    assert resolved.application.port == port
    assert resolved.application.health_check_path == health
    assert resolved.application.runtime == runtime
    assert resolved.provenance["application.port"].source == "framework"


def test_user_value_beats_every_table():
    resolved = resolved_from("""
        deployment: {pattern: production-saas}
        database: {multi_az: false, size: small}
        application: {health_check: {path: /ready}}
    """)
    assert resolved.database.multi_az is False
    assert resolved.application.health_check_path == "/ready"
    assert resolved.provenance["database.multi_az"].source == "user"


def test_environment_overlay_and_builtin_production_protection():
    text = """
        deployment: {pattern: small-saas}
        application: {instances: 2}
        environments:
          - name: staging
          - name: production
            application: {instances: 4}
            variables: {LOG_LEVEL: warn}
            secrets: [JWT_SECRET]
    """
    staging = resolved_from(text, "staging")
    production = resolved_from(text, "production")
    assert staging.application.instances == 2
    assert (staging.database.final_snapshot, staging.database.multi_az) == (False, False)
    assert production.application.instances == 4
    assert production.provenance["application.instances"].source == "environment"
    assert (production.database.final_snapshot, production.database.multi_az) == (True, True)
    assert production.provenance["database.final_snapshot"].source == "environment"
    # deletion protection is on in every AWS stack (`destroy` lifts it); production adds Pulumi's protect
    assert staging.database.deletion_protection and staging.load_balancer.deletion_protection
    assert production.database.deletion_protection is True
    assert production.application.variables == {"LOG_LEVEL": "warn"}
    assert production.application.secrets == ("JWT_SECRET",)


def test_default_environment_is_first_listed_or_dev():
    assert resolved_from("deployment: {pattern: small-saas}").deployment.environment == "dev"
    listed = resolved_from("deployment: {pattern: small-saas}\nenvironments: [{name: qa}, {name: production}]")
    assert listed.deployment.environment == "qa"


def test_unknown_environment_is_refused_with_a_suggestion():
    with pytest.raises(ResolutionError, match="did you mean 'production'"):
        resolved_from("deployment: {pattern: small-saas}\nenvironments: [{name: production}]", "prodution")


def test_fargate_pair_is_completed_when_only_one_side_is_given():
    memory_only = resolved_from("deployment: {pattern: small-saas}\napplication: {memory: 4Gi}")
    assert (memory_only.application.cpu, memory_only.application.memory_mib) == (0.5, 4096)
    cpu_only = resolved_from("deployment: {pattern: small-saas}\napplication: {cpu: 2}")
    assert (cpu_only.application.cpu, cpu_only.application.memory_mib) == (2, 4096)


def test_https_without_domain_serves_plain_http_with_a_warning():
    # GIVEN ssl: true and no domain (the proposal's full manifest)
    resolved = resolved_from("deployment: {pattern: small-saas}\nnetworking: {load_balancer: {ssl: true}}")
    # THEN plain HTTP on the load balancer's own name, said once, naming the key
    assert resolved.load_balancer.https is False
    assert "deployment.domain, which is not set" in resolved.provenance["load_balancer.https"].reason
    assert resolved.warnings == (
        "networking.load_balancer.ssl: HTTPS needs deployment.domain for its certificate; the load balancer "
        "serves plain HTTP on its own DNS name until a domain is set",
    )


@pytest.mark.parametrize(
    ("application", "cpu", "memory", "warnings"),
    [
        # the proposal's pair: memory raised, one line naming the key
        (
            "{cpu: 0.5, memory: 512Mi}",
            0.5,
            1024,
            ["application.memory: 512Mi raised to 1Gi, Fargate's smallest with 0.5 vCPU"],
        ),
        # between two steps: the next step up, never less
        (
            "{cpu: 1, memory: 2500}",
            1,
            3072,
            ["application.memory: 2500Mi raised to 3Gi, Fargate's smallest with 1 vCPU"],
        ),
        # a cpu Fargate does not offer: the next size, and memory to fit it
        (
            "{cpu: 3, memory: 4Gi}",
            4,
            8192,
            [
                "application.cpu: 3 vCPU raised to 4 vCPU, Fargate's smallest with at least 3 vCPU",
                "application.memory: 4Gi raised to 8Gi, Fargate's smallest with 4 vCPU",
            ],
        ),
        # more memory than the cpu can hold: the cpu is raised
        (
            "{cpu: 0.25, memory: 4Gi}",
            0.5,
            4096,
            ["application.cpu: 0.25 vCPU raised to 0.5 vCPU, Fargate's smallest that runs 4Gi"],
        ),
        # a valid pair: untouched, silent
        ("{cpu: 0.5, memory: 1Gi}", 0.5, 1024, []),
    ],
)
def test_fargate_sizes_are_raised_to_the_smallest_that_gives_what_was_asked(application, cpu, memory, warnings):
    # GIVEN / WHEN
    resolved = resolved_from(f"deployment: {{pattern: small-saas}}\napplication: {application}")
    # THEN
    assert (resolved.application.cpu, resolved.application.memory_mib) == (cpu, memory)
    assert list(resolved.warnings) == warnings
    if warnings:
        raised = "application.memory_mib" if "memory" in warnings[-1].split(":")[0] else "application.cpu"
        provenance = resolved.provenance[raised]
        assert provenance.source == "user" and "raised to" in provenance.reason


def test_the_raised_fargate_size_is_what_the_task_and_the_estimate_use():
    from specql_deploy.capture import capture
    from specql_deploy.capture.cost import estimate

    # GIVEN the proposal's 0.5 vCPU with 512Mi, and the 1Gi it is raised to, written directly
    raised = resolved_from("deployment: {pattern: small-saas}\napplication: {cpu: 0.5, memory: 512Mi}")
    written = resolved_from("deployment: {pattern: small-saas}\napplication: {cpu: 0.5, memory: 1Gi}")
    # WHEN both are captured and priced
    graph = capture(raised)
    (task,) = graph.of_type("aws:ecs/taskDefinition:TaskDefinition")
    # THEN the task asks Fargate for the raised pair, priced as if written
    assert (task.inputs["cpu"], task.inputs["memory"]) == ("512", "1024")
    assert estimate(graph, raised).total == estimate(capture(written), written).total


def test_a_route53_zone_is_an_aws_setting():
    aws = resolved_from("deployment: {pattern: small-saas, domain: app.example.com, dns_zone: Example.COM.}")
    assert aws.deployment.dns_zone == "example.com"
    assert aws.provenance["deployment.dns_zone"].source == "user"
    assert resolved_from("deployment: {pattern: small-saas}").deployment.dns_zone is None
    with pytest.raises(ResolutionError, match="deployment.dns_zone: a Route 53 zone serves the AWS patterns"):
        resolved_from("deployment: {pattern: hobby-project, domain: app.example.com, dns_zone: example.com}")


def test_redis_cluster_brings_a_replica_and_failover():
    resolved = resolved_from("deployment: {pattern: small-saas}\ncache: redis-cluster")
    assert resolved.cache.enabled and resolved.cache.replicas == 1 and resolved.cache.automatic_failover


def test_dr_region_from_regions_list():
    resolved = resolve_example("production-saas")
    assert (resolved.platform.region, resolved.platform.dr_region) == ("us-east-1", "eu-west-1")


def test_every_table_entry_has_a_reason():
    tables = [
        defaults.GLOBAL_DEFAULTS,
        *defaults.FRAMEWORKS.values(),
        *(p.defaults for p in defaults.PATTERNS.values()),
        *defaults.ENVIRONMENT_DEFAULTS.values(),
    ]
    for table in tables:
        for path, entry in table.items():
            reason = entry.reason if isinstance(entry, defaults.Default) else "derived"
            assert reason and path.count(".") == 1, path


# ---------------------------------------------------------------------------- lock


def write_manifest(tmp_path, text: str):
    path = tmp_path / "deployment.yaml"
    path.write_text(textwrap.dedent(text))
    return load(path)


def test_lock_round_trip_pins_defaults(tmp_path, monkeypatch):
    manifest = write_manifest(
        tmp_path,
        """
        deployment: {pattern: small-saas}
        environments: [{name: staging}, {name: production}]
    """,
    )
    resolutions = [resolve(manifest.spec, env, default_name="shop") for env in ("staging", "production")]
    write_lock(manifest.path, lock_document(resolutions, "0.1.0"))
    document = json.loads((tmp_path / "deployment.lock.json").read_text())
    assert document["environments"]["production"]["database.instance_class"]["value"] == "db.t4g.micro"
    assert "deployment.pattern" not in document["environments"]["production"]  # user-written

    # WHEN a new release changes a default
    new_sizes = {**catalogue.SMALL_SAAS_SIZES, "small": {"database": "db.t4g.small", "cache": "cache.t4g.micro"}}
    monkeypatch.setitem(
        defaults.PATTERNS,
        "small-saas",
        defaults.PatternInfo(**{**defaults.PATTERNS["small-saas"].__dict__, "sizes": new_sizes}),
    )
    monkeypatch.setitem(defaults.GLOBAL_DEFAULTS, "database.max_connections", defaults.Default(300, "new"))
    fresh = resolve(manifest.spec, "production", default_name="shop")
    assert fresh.database.instance_class == "db.t4g.small"
    # THEN the lock keeps what is running
    locked = resolve(manifest.spec, "production", default_name="shop", lock=read_lock(manifest.path, "production"))
    assert locked.database.instance_class == "db.t4g.micro"
    assert locked.provenance["database.instance_class"].source == "lock"
    assert "today's default: 'db.t4g.small'" in locked.provenance["database.instance_class"].reason
    # AND the upgrade diff names each change
    upgraded = lock_document(
        [resolve(manifest.spec, env, default_name="shop") for env in ("staging", "production")], "0.2.0"
    )
    changes = {(c.environment, c.path): (c.locked, c.current) for c in lock_changes(document, upgraded)}
    assert changes[("production", "database.instance_class")] == ("db.t4g.micro", "db.t4g.small")
    assert changes[("staging", "database.max_connections")] == (200, 300)


def test_lock_does_not_pin_over_a_user_change(tmp_path):
    manifest = write_manifest(tmp_path, "deployment: {pattern: small-saas}\n")
    write_lock(manifest.path, lock_document([resolve(manifest.spec, None, default_name="shop")], "0.1.0"))
    # the user now asks for a bigger database: the derived class follows the new size
    bigger = write_manifest(tmp_path, "deployment: {pattern: small-saas}\ndatabase: {size: large}\n")
    resolved = resolve(bigger.spec, None, default_name="shop", lock=read_lock(bigger.path, "dev"))
    assert resolved.database.instance_class == "db.t4g.large"
    assert resolved.provenance["database.instance_class"].source == "pattern"


def test_production_environments_default_to_multi_az_unless_the_manifest_says_otherwise():
    text = "deployment: {pattern: small-saas}\nenvironments: [{name: staging}, {name: production}]"
    assert resolved_from(text, "staging").database.multi_az is False
    production = resolved_from(text, "production")
    assert production.database.multi_az is True
    assert production.provenance["database.multi_az"].source == "environment"
    explicit = resolved_from(text + "\ndatabase: {multi_az: false}", "production")
    assert explicit.database.multi_az is False


def test_an_off_site_backup_copy_serves_the_hobby_pattern_only():
    hobby = resolved_from(
        "deployment: {pattern: hobby-project}\n"
        "database: {backup: {destination: 's3://shop-backups/db/', region: eu-west-1}}"
    )
    assert (hobby.database.backup_destination, hobby.database.backup_region) == ("s3://shop-backups/db", "eu-west-1")
    assert resolved_from("deployment: {pattern: hobby-project}").database.backup_region == "us-east-1"
    with pytest.raises(ResolutionError, match="database.backup.destination: small-saas keeps its backups"):
        resolved_from("deployment: {pattern: small-saas}\ndatabase: {backup: {destination: 's3://bkt/x'}}")
    with pytest.raises(ResolutionError, match="backups are off"):
        resolved_from(
            "deployment: {pattern: hobby-project}\ndatabase: {backup: {retention: 0, destination: 's3://bkt/x'}}"
        )


def test_the_healthy_threshold_is_a_manifest_setting_with_its_default_stated_once():
    # GIVEN a manifest that asks for four passing checks before traffic
    resolved = resolved_from("""
        deployment: {pattern: small-saas}
        application: {health_check: {healthy_threshold: 4}}
    """)
    # THEN it lands on the resolved path, as the user's
    assert resolved.application.healthy_threshold == 4
    assert resolved.provenance["application.healthy_threshold"].source == "user"
    # and left out it is the model's default, which the schema states from the same marker
    assert resolved_from("deployment: {pattern: small-saas}").application.healthy_threshold == 2
    from specql_deploy.program.schema import manifest_schema

    described = manifest_schema()["$defs"]["HealthCheckSpec"]["properties"]["healthy_threshold"]["description"]
    assert described.endswith("Defaults to `2` (two passes before traffic arrives).")
    with pytest.raises(Exception, match="healthy_threshold"):
        resolved_from("deployment: {pattern: small-saas}\napplication: {health_check: {healthy_threshold: 1}}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "deployment: {pattern: small-saas}\nplatform: {regions: [us-east-1, eu-west-1]}",
            "platform.regions: small-saas runs in one region; production-saas adds a disaster-recovery region",
        ),
        ("deployment: {pattern: small-saas}\nsecurity: {secrets_manager: vault}", "security.secrets_manager: Vault"),
        ("deployment: {pattern: hobby-project}\nsecurity: {secrets_manager: vault}", "`env-file`"),
        (
            "deployment: {pattern: kubernetes}\nmonitoring: {logs: {aggregator: elasticsearch}}",
            "monitoring.logs.aggregator: Elasticsearch is not built",
        ),
        (
            "deployment: {pattern: small-saas}\nmonitoring: {logs: {aggregator: none}}",
            "monitoring.logs.aggregator: ECS sends every container's output to CloudWatch Logs",
        ),
        ("deployment: {pattern: small-saas}\ncache: memcached", "cache.type: memcached has no encryption in transit"),
        ("deployment: {pattern: small-saas}\ncicd: {provider: circleci}", "cicd.provider: circleci workflows"),
        ("deployment: {pattern: hobby-project}\nstorage: gcs", "storage.type: objects are stored in S3"),
        (
            "deployment: {pattern: small-saas}\nmonitoring: {alerts: [{name: queue, condition: queue_depth > 5}]}",
            "monitoring.alarms[0]: no CloudWatch metric is known for 'queue_depth'",
        ),
        (
            "deployment: {pattern: small-saas}\nmonitoring: {alerts: [{type: cache_memory}]}",
            "monitoring.alarms[0]: cache_memory watches the cache, and this deployment has none",
        ),
        (
            "deployment: {pattern: production-saas}\nnetworking: {load_balancer: {type: network}}",
            "networking.load_balancer.type: a web ACL (security.waf, on by default on production-saas) attaches",
        ),
        (
            "deployment: {pattern: small-saas}\nnetworking: {load_balancer: {type: network}}\n"
            "monitoring: {alerts: [{name: errors, condition: http_5xx > 10}]}",
            "monitoring.alarms[0]: errors watches HTTP errors, which a Network Load Balancer does not see",
        ),
        (
            "deployment: {pattern: small-saas}\napplication: {autoscale: {min: 3}}",
            "application.autoscale.min: the service starts with 2 task(s), outside autoscale min 3",
        ),
    ],
)
def test_what_no_pattern_builds_is_refused_with_the_alternative(text, expected):
    # GIVEN a key the pattern does not build  WHEN resolved  THEN refused, naming the key
    with pytest.raises(ResolutionError) as error:
        resolved_from(text)
    lines = [f"{path}: {message}" for path, message in error.value.problems]
    assert any(expected in line for line in lines), lines


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "deployment: {pattern: small-saas}\nmonitoring: {logs: {aggregator: loki}}",
            "monitoring.logs.aggregator: Loki is not built for the AWS patterns",
        ),
        (
            "deployment: {pattern: production-saas}\nmonitoring: {dashboards: {grafana: true}}",
            "monitoring.dashboards.grafana: Grafana is not built for the AWS patterns",
        ),
        (
            "deployment: {pattern: small-saas}\nmonitoring: {alerts: [{name: db, condition: connections > 80%, channel: slack}]}",
            "monitoring.alarms[0].channel: slack is delivered by AWS Chatbot",
        ),
        (
            "deployment: {pattern: small-saas, framework: fraiseql}\napplication: {runtime: nodejs}",
            "application.runtime: fraiseql runs on python, not nodejs",
        ),
    ],
)
def test_what_is_accepted_but_not_built_is_a_warning_naming_the_key(text, expected):
    # GIVEN a key accepted but not built for the pattern  WHEN resolved  THEN one warning names it
    resolved = resolved_from(text)
    assert any(line.startswith(expected) for line in resolved.warnings), resolved.warnings


@pytest.mark.parametrize(
    ("text", "warned"),
    [
        # Loki keeps the logs (the kubernetes default, or asked for on hobby-project): retention is built
        ("deployment: {pattern: kubernetes}\nmonitoring: {logs: {retention: 14}}", False),
        ("deployment: {pattern: hobby-project}\nmonitoring: {logs: {aggregator: loki, retention: 14}}", False),
        # no Loki: nothing here keeps the logs for a number of days
        ("deployment: {pattern: hobby-project}\nmonitoring: {logs: {retention: 14}}", True),
        ("deployment: {pattern: kubernetes}\nmonitoring: {logs: {aggregator: none, retention: 14}}", True),
    ],
)
def test_log_retention_warns_only_where_no_loki_keeps_the_logs(text, warned):
    resolved = resolved_from(text)
    found = [line for line in resolved.warnings if line.startswith("monitoring.logs.retention:")]
    assert bool(found) is warned, resolved.warnings
    if not warned:
        assert resolved.monitoring.log_retention_days == 14
