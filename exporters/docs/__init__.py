"""Docs target: ``docs/DEPLOYMENT.md``, ``docs/RUNBOOK.md`` and ``docs/ROLLBACK.md``,
written for this deployment from the resolved model and the program's offline capture.

Resource names, alarms and costs come from the ResourceGraph (what `up` creates), so the
docs name what exists; alert rules come from :mod:`...program.alerts`, the table the
observability exporter writes ``alerts.yml`` from. Every ``specql deploy`` command shown
is one the CLI parses (tests/exporters/test_docs.py parses each one).
"""

from __future__ import annotations

from typing import Any

from ...components.observability.logs import loki_url, uses_loki
from ...program.alerts import alert_rules
from ...program.building_blocks import RDS_DATABASE_NAME, RDS_MASTER_USERNAME
from ...program.model import ResolvedDeployment
from ..contract import ExportContext, GeneratedFile
from ..headers import header_lines
from .runbook_text import cloudwatch_advice, signal_advice

__all__ = ["render"]

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
_OPERATORS = {
    "GreaterThanThreshold": ">",
    "GreaterThanOrEqualToThreshold": ">=",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "<=",
}
_PHYSICAL = ("identifier", "name", "imageName", "dashboardName", "bucket", "replicationGroupId")
"""Inputs that carry a resource's name in the cloud (the rest get the engine's suffix)."""


def _header(context: ExportContext) -> str:
    lines = header_lines(context)
    return "<!-- " + "\n     ".join(lines) + " -->\n\n"


def _block(*commands: str) -> str:
    return "```bash\n" + "\n".join(commands) + "\n```\n"


def _env_flag(resolved: ResolvedDeployment) -> str:
    return f"--env {resolved.deployment.environment}"


def _manifest(context: ExportContext) -> str:
    return context.manifest_name


def _custom(graph: Any) -> list[Any]:
    from ...capture import iter_custom

    # Two resources may share a name (a task definition and a role policy): the type breaks the tie.
    return sorted(iter_custom(graph), key=lambda resource: (resource.name, resource.type))


def _physical(resource: Any) -> str:
    if resource.type.startswith("random:"):
        return "(generated; a secret in the stack's state)"
    inputs = resource.inputs
    for key in _PHYSICAL:
        value = inputs.get(key)
        if isinstance(value, str) and value:
            return value
    metadata = inputs.get("metadata")
    if isinstance(metadata, dict) and metadata.get("name"):
        return str(metadata["name"])
    return f"{resource.name}-<suffix>"


def _url(resolved: ResolvedDeployment, graph: Any) -> str:
    url = graph.outputs.get("url") if graph.outputs else None
    return str(url) if url else "(the load balancer's DNS name: `load_balancer_dns_name` in the outputs)"


# --------------------------------------------------------------------- DEPLOYMENT


def _deploy_commands(resolved: ResolvedDeployment, context: ExportContext) -> str:
    manifest = _manifest(context)
    lines = [f"specql deploy validate {manifest}", f"specql deploy resolve {manifest} {_env_flag(resolved)} --explain"]
    for environment in resolved.environments:
        lines += [
            f"specql deploy preview {manifest} --env {environment}",
            f"specql deploy up {manifest} --env {environment}",
        ]
    lines.append(f"specql deploy outputs {manifest} {_env_flag(resolved)} --json")
    lines.append(f"specql deploy stacks {manifest}")
    return _block(*lines)


def _ejected_commands(resolved: ResolvedDeployment, context: ExportContext) -> str:
    manifest = _manifest(context)
    eject = f"specql deploy eject {manifest} -o generated {_env_flag(resolved)}"
    if resolved.cloud == "aws":
        return _block(
            eject,
            "cd generated/infrastructure/opentofu",
            "cp terraform.tfvars.example terraform.tfvars",
            "tofu init",
            "tofu plan -out plan.tfplan",
            "tofu apply plan.tfplan",
        )
    if resolved.cloud == "docker":
        return _block(
            eject,
            "cd generated",
            "cp config/.env.production.example config/.env.production   # then fill in the secrets",
            "docker compose --env-file config/.env.production -f docker/docker-compose.prod.yaml up -d",
            "docker compose --env-file config/.env.production -f docker/docker-compose.prod.yaml ps",
        )
    return _block(
        eject,
        "kubectl apply --server-side -f generated/infrastructure/kubernetes/manifests/",
        f"kubectl --namespace {resolved.kubernetes.namespace} get pods",
    )


def _resources_table(graph: Any) -> str:
    lines = ["| Type | Pulumi name | Name in the cloud |", "|---|---|---|"]
    for item in _custom(graph):
        physical = _physical(item)
        shown = physical if physical.startswith("(") else f"`{physical}`"
        lines.append(f"| `{item.type}` | `{item.name}` | {shown} |")
    return "\n".join(lines) + "\n"


def _cost(resolved: ResolvedDeployment, graph: Any) -> str:
    if resolved.cloud != "aws":
        return (
            "No cloud bill comes from this stack itself: it runs on "
            + ("your Docker host (a small VPS is enough)." if resolved.cloud == "docker" else "your existing cluster.")
            + "\n"
        )
    from ...capture.cost import estimate

    return estimate(graph, resolved).markdown()


def _access(resolved: ResolvedDeployment) -> str:
    if resolved.cloud == "aws":
        return (
            "There is no SSH bastion, and none is needed: nothing in this stack accepts SSH. The tasks run on "
            "Fargate in private subnets and the database has no public address. When a shell is needed, use "
            "AWS Systems Manager Session Manager, which IAM authorizes and CloudTrail records: ECS Exec "
            "(`aws ecs execute-command --cluster <cluster> --task <task> --container app --interactive "
            '--command "/bin/sh"`, after `aws ecs update-service --enable-execute-command` on the service and the '
            "Session Manager plugin locally) opens it inside a task, through Session Manager, with no port open.\n"
        )
    if resolved.cloud == "docker":
        host = resolved.deployment.host or "ssh://deploy@<server>"
        return (
            f"The engine is reached over SSH (`{host}`). Prepare a new server with the playbooks in "
            "`infrastructure/ansible/` (Docker engine and the deploy user, then hardening: SSH keys only, "
            "UFW 22/80/443, fail2ban, unattended upgrades, auditd; then the node exporter and the log shipper):\n\n"
            + _block(
                "cd generated/infrastructure/ansible",
                "ansible-playbook -i inventory/hosts.yml playbooks/setup-docker-host.yml",
                "ansible-playbook -i inventory/hosts.yml playbooks/harden-server.yml",
                "ansible-playbook -i inventory/hosts.yml playbooks/install-monitoring.yml",
            )
            + "\nPrometheus and Uptime Kuma listen on the host's loopback only: "
            "`ssh -L 9090:127.0.0.1:9090 <server>` and open http://127.0.0.1:9090.\n"
        )
    return f"Everything lives in the namespace `{resolved.kubernetes.namespace}` of the cluster your kubeconfig points at.\n"


def deployment_md(resolved: ResolvedDeployment, context: ExportContext) -> str:
    graph = context.graph
    info = resolved.deployment
    where = {
        "aws": f"AWS, region `{resolved.platform.region}`",
        "docker": f"one Docker host ({f'`{info.host}`' if info.host else 'the local engine'})",
        "kubernetes": f"Kubernetes, namespace `{resolved.kubernetes.namespace}`",
    }[resolved.cloud]
    return (
        _header(context)
        + f"# Deploying {info.name}\n\n"
        + f"Pattern `{info.pattern}` on {where}; environment `{info.environment}` "
        + f"(stacks: {', '.join(f'`{name}`' for name in resolved.environments)}). URL: {_url(resolved, graph)}\n\n"
        + "## With specql-deploy\n\n"
        + "Each environment is one stack. `up` shows the preview and asks before changing anything.\n\n"
        + _deploy_commands(resolved, context)
        + "\n## With the ejected files\n\n"
        + _ejected_commands(resolved, context)
        + "\n## Access\n\n"
        + _access(resolved)
        + f"\n## Resources ({len(_custom(graph))})\n\n"
        + _resources_table(graph)
        + "\n## Monthly cost\n\n"
        + _cost(resolved, graph)
        + "\n## Backups\n\n"
        + _backups(resolved)
        + "\nRestoring them: [ROLLBACK.md](ROLLBACK.md). When something fires: [RUNBOOK.md](RUNBOOK.md).\n"
    )


def _backups(resolved: ResolvedDeployment) -> str:
    database = resolved.database
    if resolved.cloud == "aws":
        return (
            f"RDS takes an automated snapshot every day in `{database.backup_window}` (UTC) and keeps transaction "
            f"logs, so any second of the last {database.backup_retention_days} days can be restored "
            "(point-in-time recovery). Backups are encrypted with the stack's KMS key.\n"
        )
    if resolved.cloud == "docker":
        return (
            f"The backup container runs `pg_dump` ({database.backup_frequency}, from `{database.backup_window}` UTC) "
            f"into the `backups` volume and keeps {database.backup_retention_days} days of dumps"
            + (f"; each dump is copied to `{database.backup_destination}`" if database.backup_destination else "")
            + ".\n"
        )
    return "CloudNativePG takes a scheduled backup of the cluster (see its `ScheduledBackup`).\n"


# ------------------------------------------------------------------------ RUNBOOK


def _alarm_section(resolved: ResolvedDeployment, alarm: Any, graph: Any) -> str:
    inputs = alarm.inputs
    advice = cloudwatch_advice(inputs["namespace"], inputs["metricName"])
    statistic = inputs.get("statistic") or inputs.get("extendedStatistic")
    condition = (
        f"`{inputs['namespace']}` `{inputs['metricName']}` ({statistic}) "
        f"{_OPERATORS[inputs['comparisonOperator']]} {inputs['threshold']:g} "
        f"for {inputs['evaluationPeriods']} period(s) of {inputs['period']} s"
    )
    region = resolved.platform.region
    return (
        f"### {alarm.name}\n\n"
        f"{inputs.get('alarmDescription', '')}. Fires when {condition}; it notifies the SNS topic of "
        f"the monitoring block (and its email subscribers).\n\n"
        f"- **What it means:** {advice.means}\n"
        f"- **How to look:** {advice.look}\n"
        f"- **What to do:** {advice.act}\n\n"
        + _block(
            f"aws cloudwatch describe-alarms --region {region} --alarm-name-prefix {alarm.name} "
            "--query 'MetricAlarms[].[AlarmName,StateValue,StateReason]' --output table"
        )
        + "\n"
    )


def _rule_section(resolved: ResolvedDeployment, rule: Any) -> str:
    advice = signal_advice(rule.signal, resolved.cloud)
    return (
        f"### {rule.name}\n\n"
        f"{rule.summary} (severity `{rule.severity}`).\n\n"
        f"- **What it means:** {advice.means}\n"
        f"- **How to look:** {advice.look}\n"
        f"- **What to do:** {advice.act}\n\n"
    )


def _logs(resolved: ResolvedDeployment, context: ExportContext) -> str:
    graph = context.graph
    if resolved.cloud == "aws":
        groups = [item.inputs["name"] for item in _custom(graph) if item.type == "aws:cloudwatch/logGroup:LogGroup"]
        region = resolved.platform.region
        return _block(*(f"aws logs tail {group} --region {region} --since 1h" for group in groups))
    if resolved.cloud == "docker":
        containers = graph.outputs.get("containers", {}) if graph.outputs else {}
        return _block(*(f"docker logs --since 1h {name}" for name in containers.values()))
    namespace = resolved.kubernetes.namespace
    block = _block(
        f"kubectl --namespace {namespace} get pods",
        f"kubectl --namespace {namespace} logs deployment/{graph.outputs.get('service', resolved.name)} --since 1h",
        f"kubectl --namespace {namespace} get events --sort-by=.lastTimestamp",
    )
    if not uses_loki(resolved):
        return block
    query = f'{{deployment="{resolved.deployment.name}", environment="{resolved.deployment.environment}"}}'
    where = "in Grafana, Explore → Loki" if resolved.monitoring.grafana else f"at `{loki_url(resolved)}` (logcli)"
    return block + (
        f"\nOlder logs, every pod of `{namespace}` for {resolved.monitoring.log_retention_days} days, are in Loki "
        f"(Grafana Alloy ships them): {where}, query `{query}`.\n"
    )


def runbook_md(resolved: ResolvedDeployment, context: ExportContext) -> str:
    graph = context.graph
    alarms = sorted(graph.of_type(ALARM), key=lambda item: item.name)
    rules = alert_rules(resolved)
    parts = [
        _header(context),
        f"# Runbook: {resolved.name} ({resolved.deployment.environment})\n\n",
        "First look: is it still up, and what do the logs say?\n\n",
        _block(
            f"specql deploy outputs {_manifest(context)} {_env_flag(resolved)}",
            f"specql deploy preview {_manifest(context)} {_env_flag(resolved)}   # drift or a pending change?",
        ),
        "\nLogs:\n\n",
        _logs(resolved, context),
        "\nA release that broke something is rolled back first and investigated after: [ROLLBACK.md](ROLLBACK.md).\n",
    ]
    if resolved.cloud == "aws":
        parts.append(
            "\nNo SSH bastion exists: a shell inside a task goes through SSM Session Manager (DEPLOYMENT.md, Access).\n"
        )
    parts.append(f"\n## CloudWatch alarms ({len(alarms)})\n\n")
    if alarms:
        parts += [_alarm_section(resolved, alarm, graph) for alarm in alarms]
    else:
        parts.append("This stack creates no CloudWatch alarm.\n\n")
    parts.append(f"## Alert rules ({len(rules)})\n\n")
    if rules:
        parts.append("The rules in `observability/prometheus/alerts.yml`, as Prometheus names them.\n\n")
        parts += [_rule_section(resolved, rule) for rule in rules]
    else:
        parts.append("Prometheus does not watch this deployment (`monitoring.metrics.prometheus` is off).\n")
    return "".join(parts)


# ----------------------------------------------------------------------- ROLLBACK


def _release_rollback(resolved: ResolvedDeployment, context: ExportContext) -> str:
    manifest = _manifest(context)
    select = (
        '--image "<registry>/<repository>:<commit-sha>"' if resolved.cloud == "kubernetes" else "--version <commit-sha>"
    )
    text = "Redeploy the image of an earlier release (its tag is the commit SHA CI built it from):\n\n" + _block(
        f"specql deploy stacks {manifest}",
        f"specql deploy up {manifest} {_env_flag(resolved)} {select}",
    )
    if resolved.cicd.provider == "github-actions":
        text += "\nFrom CI: `gh workflow run rollback.yml -f environment=<stage> -f image_tag=<commit-sha>`.\n"
    else:
        text += (
            "\nFrom CI: run a pipeline on the main branch with the variable `ROLLBACK_IMAGE_TAG=<commit-sha>`, "
            "then start its `rollback-<stage>` job.\n"
        )
    if resolved.cloud == "aws":
        text += (
            "\nThe image must still be in the stack's ECR repository (it keeps the most recent ones); a failed "
            "deployment is also rolled back by the ECS deployment circuit breaker on its own.\n"
        )
    return text


def _infrastructure_rollback(resolved: ResolvedDeployment, context: ExportContext) -> str:
    manifest = _manifest(context)
    text = "Revert the change to the manifest, preview, and apply:\n\n" + _block(
        f"git revert <commit>   # the commit that changed {manifest}",
        f"specql deploy preview {manifest} {_env_flag(resolved)}",
        f"specql deploy up {manifest} {_env_flag(resolved)}",
    )
    if resolved.cloud == "aws":
        text += "\nWith the ejected OpenTofu instead:\n\n" + _block(
            "cd generated/infrastructure/opentofu",
            "git revert <commit>",
            "tofu plan -out plan.tfplan",
            "tofu apply plan.tfplan",
        )
    return text


def _restore(resolved: ResolvedDeployment, context: ExportContext) -> str:
    graph = context.graph
    database = resolved.database
    if resolved.cloud == "aws":
        primary = next(
            item for item in graph.of_type("aws:rds/instance:Instance") if not item.inputs.get("replicateSourceDb")
        )
        identifier = primary.inputs["identifier"]
        subnets = primary.inputs.get("dbSubnetGroupName", "<db subnet group>")
        region = resolved.platform.region
        same = f"--region {region} --db-instance-identifier {identifier}"
        placement = (
            f"--db-subnet-group-name {subnets} --vpc-security-group-ids $SECURITY_GROUPS "
            '--db-parameter-group-name "$PARAMETERS" --no-publicly-accessible --enable-iam-database-authentication'
            + (" --multi-az" if database.multi_az else "")
            + (" --deletion-protection" if database.deletion_protection else "")
        )
        lookup = (
            f'PARAMETERS="$(aws rds describe-db-instances {same} '
            "--query 'DBInstances[0].DBParameterGroups[0].DBParameterGroupName' --output text)\"",
            f'SECURITY_GROUPS="$(aws rds describe-db-instances {same} '
            "--query 'DBInstances[0].VpcSecurityGroups[].VpcSecurityGroupId' --output text)\"",
        )
        return (
            f"The database is `{identifier}` (database `{RDS_DATABASE_NAME}`, admin `{RDS_MASTER_USERNAME}`, "
            "its password in Secrets Manager). A restore always creates a **new** instance, encrypted with the "
            "same key; the old one stays until you remove it. The restored copy must get the original's "
            "parameter group and security groups (RDS would otherwise use its defaults); read them first:\n\n"
            + _block(*lookup)
            + "\nBefore a risky change, take a manual snapshot (kept until deleted):\n\n"
            + _block(
                f"aws rds create-db-snapshot {same} --db-snapshot-identifier {identifier}-before-change",
                f"aws rds wait db-snapshot-available --region {region} --db-snapshot-identifier {identifier}-before-change",
            )
            + f"\nPoint-in-time restore (any second of the last {database.backup_retention_days} days):\n\n"
            + _block(
                f"aws rds describe-db-instance-automated-backups {same}",
                "RESTORE_TIME=\"$(date -u -d '30 minutes ago' +%Y-%m-%dT%H:%M:%SZ)\"   # or the moment to return to, UTC",
                f"aws rds restore-db-instance-to-point-in-time --region {region} "
                f"--source-db-instance-identifier {identifier} --target-db-instance-identifier {identifier}-restored "
                f'--restore-time "$RESTORE_TIME" {placement}',
                f"aws rds wait db-instance-available --region {region} --db-instance-identifier {identifier}-restored",
            )
            + "\nFrom a snapshot:\n\n"
            + _block(
                f"aws rds restore-db-instance-from-db-snapshot --region {region} "
                f"--db-snapshot-identifier {identifier}-before-change --db-instance-identifier {identifier}-restored "
                f"{placement}",
            )
            + "\nThen bring the data back: copy it into the original (`pg_dump` from the restored instance, "
            "`pg_restore` into the original, from a task), or swap the identifiers (rename the original away "
            "and the restored one to the original's name with `aws rds modify-db-instance "
            "--new-db-instance-identifier`), then let the stack read the change:\n\n"
            + _block(
                f"specql deploy refresh {_manifest(context)} {_env_flag(resolved)}",
                f"specql deploy preview {_manifest(context)} {_env_flag(resolved)}",
            )
        )
    if resolved.cloud == "docker":
        containers = graph.outputs.get("containers", {}) if graph.outputs else {}
        postgres = containers.get("postgres", f"{resolved.stack_prefix}-postgres")
        backup = containers.get("backup", f"{resolved.stack_prefix}-backup")
        ident = resolved.name.replace("-", "_")
        app = containers.get("app", f"{resolved.stack_prefix}-app")
        return (
            f"The database runs in the container `{postgres}` (database and user `{ident}`); dumps are in the "
            f"`backups` volume, written by `{backup}`. Run these on the host (or with `DOCKER_HOST` set).\n\n"
            "List the dumps, and take one now:\n\n"
            + _block(
                f"docker exec {backup} ls -l /backups",
                f"docker exec {postgres} pg_dump --username {ident} --dbname {ident} --format=custom "
                f"--file /tmp/manual.dump",
                f"docker cp {postgres}:/tmp/manual.dump ./manual.dump",
            )
            + "\nRestore a dump (stop the application first so nothing writes meanwhile):\n\n"
            + _block(
                f"docker stop {app}",
                f"docker cp ./manual.dump {postgres}:/tmp/restore.dump",
                f"docker exec {postgres} pg_restore --username {ident} --dbname {ident} --clean --if-exists "
                "--single-transaction /tmp/restore.dump",
                f"docker start {app}",
            )
            + "\nA dump from the backups volume is copied out the same way: "
            f"`docker cp {backup}:/backups/<file>.dump ./restore.dump`.\n"
        )
    namespace = resolved.kubernetes.namespace
    cluster = graph.outputs.get("database_cluster", f"{resolved.name}-db") if graph.outputs else f"{resolved.name}-db"
    return (
        f"The database is the CloudNativePG cluster `{cluster}` in `{namespace}`. Take a backup now:\n\n"
        + _block(
            f"kubectl --namespace {namespace} get backups",
            f"kubectl --namespace {namespace} cnpg backup {cluster}   # kubectl-cnpg plugin",
        )
        + "\nA restore bootstraps a **new** cluster from a backup (`spec.bootstrap.recovery.backup.name`), "
        "then the application is pointed at it. A logical copy works too:\n\n"
        + _block(
            f"kubectl --namespace {namespace} exec {cluster}-1 -- pg_dump --format=custom --file /tmp/manual.dump app",
            f"kubectl --namespace {namespace} cp {cluster}-1:/tmp/manual.dump ./manual.dump",
        )
    )


def rollback_md(resolved: ResolvedDeployment, context: ExportContext) -> str:
    return (
        _header(context)
        + f"# Rolling back {resolved.name} ({resolved.deployment.environment})\n\n"
        + "## A release\n\n"
        + _release_rollback(resolved, context)
        + "\n## An infrastructure change\n\n"
        + _infrastructure_rollback(resolved, context)
        + "\n## The database\n\n"
        + _restore(resolved, context)
    )


def render(resolved: ResolvedDeployment, context: ExportContext) -> list[GeneratedFile]:
    return [
        GeneratedFile("docs/DEPLOYMENT.md", deployment_md(resolved, context)),
        GeneratedFile("docs/RUNBOOK.md", runbook_md(resolved, context)),
        GeneratedFile("docs/ROLLBACK.md", rollback_md(resolved, context)),
    ]
