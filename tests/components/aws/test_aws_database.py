"""Database: encrypted RDS PostgreSQL reachable only from the application, no password in inputs."""

from __future__ import annotations

import pytest

from specql_deploy.components.aws.database import (
    Database,
    DatabaseArgs,
    database_settings,
    first_secret_arn,
    parameter_family,
    tuned_parameters,
)

from aws_harness import KEY, SMALL, SUBNETS, VPC, build, only

INSTANCE = "aws:rds/instance:Instance"


def database(**overrides):
    args = {**database_settings(SMALL), "vpc_id": VPC, "subnet_ids": SUBNETS, "kms_key_arn": KEY, "region": "us-east-1"}
    args.update(overrides)
    return build(lambda: Database("shop-dev-db", DatabaseArgs(**args)))


def primary(graph):
    return next(r for r in graph.of_type(INSTANCE) if r.name.endswith("-primary"))


# ----------------------------------------------------------------------------- defaults


def test_storage_performance_insights_and_master_secret_use_the_deployment_key():
    db = primary(database()).inputs
    assert db["storageEncrypted"] is True
    assert db["kmsKeyId"] == KEY
    assert db["performanceInsightsEnabled"] is True
    assert db["performanceInsightsKmsKeyId"] == KEY
    assert db["masterUserSecretKmsKeyId"] == KEY


def test_master_password_is_managed_by_secrets_manager_and_never_an_input():
    db = primary(database())
    assert db.inputs["manageMasterUserPassword"] is True
    assert not {"password", "passwordWo"} & set(db.inputs)


def test_never_public_and_its_group_admits_nobody_until_a_client_adds_its_rule():
    # the application admits itself (tests/components/aws/test_aws_firewall.py)
    graph = database()
    assert primary(graph).inputs["publiclyAccessible"] is False
    sg = only(graph, "aws:ec2/securityGroup:SecurityGroup")
    assert sg.inputs["egress"] == [] and "ingress" not in sg.inputs
    assert not graph.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert primary(graph).inputs["vpcSecurityGroupIds"] == [f"{sg.name}-id"]


def test_default_class_storage_and_backups():
    db = primary(database()).inputs
    assert db["instanceClass"] == "db.t4g.micro"
    assert db["engine"] == "postgres" and db["engineVersion"] == "16"
    assert (db["allocatedStorage"], db["maxAllocatedStorage"], db["storageType"]) == (20, 100, "gp3")
    assert db["backupRetentionPeriod"] == 7
    assert db["multiAz"] is False


def test_hardening_flags_checkov_asks_for():
    db = primary(database()).inputs
    assert db["iamDatabaseAuthenticationEnabled"] is True
    assert db["monitoringInterval"] == 60 and db["monitoringRoleArn"]
    assert db["enabledCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    assert db["copyTagsToSnapshot"] is True
    assert db["autoMinorVersionUpgrade"] is True


def test_non_production_skips_the_final_snapshot_and_keeps_deletion_protection():
    # GIVEN the small-saas example's dev stack: AWS refuses a delete, but no final snapshot piles up
    graph = database()
    db = primary(graph)
    assert db.inputs["deletionProtection"] is True
    assert db.inputs["skipFinalSnapshot"] is True
    assert "finalSnapshotIdentifier" not in db.inputs
    assert (db.protect, db.retain_on_delete) == (False, False)
    assert [r for r in graph.of_type(INSTANCE) if "-replica-" in r.name] == []


def test_exported_log_groups_exist_up_front_encrypted_and_expiring():
    groups = database().of_type("aws:cloudwatch/logGroup:LogGroup")
    assert sorted(g.inputs["name"] for g in groups) == [
        "/aws/rds/instance/shop-dev-db-postgres/postgresql",
        "/aws/rds/instance/shop-dev-db-postgres/upgrade",
    ]
    retention = SMALL.monitoring.log_retention_days
    assert all(g.inputs["kmsKeyId"] == KEY and g.inputs["retentionInDays"] == retention for g in groups)


def test_parameter_group_forces_tls_and_logs_statements():
    group = only(database(), "aws:rds/parameterGroup:ParameterGroup").inputs
    assert group["family"] == "postgres16"
    values = {p["name"]: p["value"] for p in group["parameters"]}
    assert values["rds.force_ssl"] == "1"
    assert values["log_statement"] == "ddl"
    assert values["log_min_duration_statement"] == "1000"
    assert values["max_connections"] == "200"
    assert values["shared_buffers"] == "{DBInstanceClassMemory/32768}"  # a quarter of RAM in 8 kB pages


# ---------------------------------------------------------------------------- overrides


def test_production_values_protect_keep_and_snapshot_the_database():
    graph = database(
        instance_class="db.r7g.xlarge",
        multi_az=True,
        read_replicas=2,
        deletion_protection=True,
        final_snapshot=True,
        backup_retention_days=30,
        protect=True,
    )
    db = primary(graph)
    assert db.inputs["instanceClass"] == "db.r7g.xlarge"
    assert db.inputs["multiAz"] is True
    assert db.inputs["deletionProtection"] is True
    assert db.inputs["skipFinalSnapshot"] is False
    assert db.inputs["finalSnapshotIdentifier"] == "shop-dev-db-postgres-final"
    assert db.inputs["backupRetentionPeriod"] == 30
    assert (db.protect, db.retain_on_delete) == (True, True)
    replicas = [r for r in graph.of_type(INSTANCE) if "-replica-" in r.name]
    assert len(replicas) == 2
    for replica in replicas:
        assert replica.inputs["replicateSourceDb"] == "shop-dev-db-postgres"
        assert replica.inputs["storageEncrypted"] is True and replica.inputs["kmsKeyId"] == KEY
        assert (replica.protect, replica.retain_on_delete) == (True, True)


def test_cross_region_replica_follows_the_source_arn_and_creates_no_login():
    source = "arn:aws:rds:us-east-1:123456789012:db:shop-prod-db-postgres"
    graph = database(replicate_source_db=source, monitoring_role_arn="arn:aws:iam::123456789012:role/monitoring")
    db = primary(graph)
    assert db.inputs["replicateSourceDb"] == source
    assert not {"username", "manageMasterUserPassword", "engine", "allocatedStorage"} & set(db.inputs)
    # a cross-region replica needs its own subnet group in the DR VPC
    assert db.inputs["dbSubnetGroupName"] == only(graph, "aws:rds/subnetGroup:SubnetGroup").inputs["name"]
    assert db.inputs["monitoringRoleArn"] == "arn:aws:iam::123456789012:role/monitoring"


def test_replica_without_clients_gets_a_closed_security_group():
    graph = database(replicate_source_db="arn:aws:rds:us-east-1:1:db:x")
    sg = only(graph, "aws:ec2/securityGroup:SecurityGroup").inputs
    assert "ingress" not in sg and sg["egress"] == []
    assert not graph.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")


def test_monitoring_off_creates_no_role():
    graph = database(monitoring_interval=0)
    assert graph.of_type("aws:iam/role:Role") == []
    assert "monitoringRoleArn" not in primary(graph).inputs


def test_performance_insights_off_sets_no_key():
    db = primary(database(performance_insights=False)).inputs
    assert db["performanceInsightsEnabled"] is False
    assert "performanceInsightsKmsKeyId" not in db


# ------------------------------------------------------------------------------ helpers


@pytest.mark.parametrize(("version", "family"), [("16", "postgres16"), ("15.7", "postgres15")])
def test_parameter_family(version, family):
    assert parameter_family(version) == family


def test_tuned_parameters_carry_the_resolved_values():
    values = {p["name"]: p["value"] for p in tuned_parameters(350, 250)}
    assert (values["max_connections"], values["log_min_duration_statement"]) == ("350", "250")


def test_invalid_arguments_are_refused():
    with pytest.raises(ValueError, match="max_storage_gb"):
        DatabaseArgs(
            **{**database_settings(SMALL), "storage_gb": 100, "max_storage_gb": 50},
            vpc_id=VPC,
            subnet_ids=SUBNETS,
            kms_key_arn=KEY,
        )
    with pytest.raises(ValueError, match="monitoring_interval"):
        DatabaseArgs(
            **{**database_settings(SMALL), "monitoring_interval": 7}, vpc_id=VPC, subnet_ids=SUBNETS, kms_key_arn=KEY
        )


def test_first_secret_arn_reads_the_first_managed_secret():
    import pulumi_aws as aws

    secret = aws.rds.outputs.InstanceMasterUserSecret(secret_arn="arn:secret", secret_status="active")
    assert first_secret_arn([secret]) == "arn:secret"
    assert first_secret_arn([]) is None
    assert first_secret_arn(None) is None
