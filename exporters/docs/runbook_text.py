"""What to do when an alarm or an alert fires: the RUNBOOK's advice, written once per
CloudWatch metric and once per alert signal, per kind of target.

Every CloudWatch metric the monitoring block alarms on and every signal of
`program/alerts.py` has an entry; a missing one fails the eject (and its test) by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple


class Advice(NamedTuple):
    means: str
    look: str
    act: str


CLOUDWATCH: Mapping[str, Advice] = {
    "AWS/ECS CPUUtilization": Advice(
        "The service's tasks use most of the CPU they reserve; requests queue and slow down.",
        "CloudWatch > Container Insights for the cluster: CPU per task; the application log group for slow requests.",
        "Autoscaling adds tasks up to its maximum: if it is at the maximum, raise `application.autoscale.max` or "
        "`application.cpu` in deployment.yaml and run `specql deploy up`. A sudden rise after a deploy: roll back "
        "(ROLLBACK.md).",
    ),
    "AWS/ECS MemoryUtilization": Advice(
        "The tasks use most of their memory; the kernel kills a task that runs out (exit code 137).",
        "Container Insights: memory per task; `aws ecs describe-tasks` for stopped tasks and their stop reason.",
        "Raise `application.memory` (a valid Fargate pairing with the CPU) and `specql deploy up`; a leak that "
        "started with a release: roll back.",
    ),
    "AWS/ApplicationELB HTTPCode_Target_5XX_Count": Advice(
        "The application answers with server errors.",
        "The application log group (errors and stack traces); the load balancer's access logs in the log archive bucket.",
        "A release just went out: roll back (ROLLBACK.md). Otherwise the logs name the failing dependency "
        "(database, cache, a third-party API).",
    ),
    "AWS/ApplicationELB UnHealthyHostCount": Advice(
        "Tasks fail the load balancer's health check and are being replaced.",
        "EC2 > Target groups > Targets (the failing reason); the ECS service's events; the application log group.",
        "A new task that never gets healthy is rolled back by the deployment circuit breaker; if the old ones fail "
        "too, check the database and the health path the manifest names.",
    ),
    "AWS/ApplicationELB TargetResponseTime": Advice(
        "The slowest 1% of responses take longer than the threshold.",
        "Performance Insights for slow queries; Container Insights for CPU; the application log for slow requests.",
        "Slow queries: add the missing index (a migration). CPU-bound: scale out. After a release: roll back.",
    ),
    "AWS/RDS CPUUtilization": Advice(
        "The database's CPU is busy; every query slows down.",
        "Performance Insights (top SQL by load); the postgresql log group (queries over log_min_duration_statement).",
        "Fix or index the top query; if the load is real, raise `database.size` (a few minutes of changes, "
        "Multi-AZ fails over instead of stopping).",
    ),
    "AWS/RDS DatabaseConnections": Advice(
        "Connections approach max_connections; new ones will be refused.",
        "Performance Insights > Top SQL and waits; `SELECT state, count(*) FROM pg_stat_activity GROUP BY 1`.",
        "Look for idle-in-transaction sessions and a pool size times the task count above the limit; lower the "
        "pool or raise `database.max_connections` with `database.size`.",
    ),
    "AWS/RDS FreeStorageSpace": Advice(
        "Less free storage than the threshold; storage autoscaling grows it up to its maximum.",
        "RDS > the instance > Monitoring (free storage); the table sizes (`pg_total_relation_size`).",
        "If the allocation is at its maximum, raise `database.storage` and `specql deploy up`; delete or archive "
        "what is no longer needed.",
    ),
    "AWS/RDS ReadLatency": Advice(
        "Disk reads take long: the working set no longer fits in memory or the volume is saturated.",
        "Performance Insights (IO waits); RDS > Monitoring (read IOPS and throughput).",
        "Raise `database.size` (more memory for the cache) or add the missing index.",
    ),
    "AWS/RDS WriteLatency": Advice(
        "Disk writes take long: bulk writes or a saturated volume.",
        "Performance Insights (IO waits); RDS > Monitoring (write IOPS and throughput).",
        "Spread bulk jobs over time; raise `database.size` or the storage allocation (gp3 IOPS grow with it).",
    ),
    "AWS/RDS ReplicaLag": Advice(
        "A read replica is behind the primary; reads from it are stale.",
        "RDS > the replica > Monitoring (replica lag, CPU, write IOPS).",
        "Long writes on the primary or an undersized replica: wait for it to catch up, or give the replica the "
        "primary's size.",
    ),
    "AWS/ElastiCache EngineCPUUtilization": Advice(
        "Redis's engine thread is busy; every command waits.",
        "ElastiCache > the cluster > Metrics; the slow-log log group.",
        "Find the expensive commands in the slow log (KEYS, large ranges); raise `cache.size`.",
    ),
    "AWS/ElastiCache DatabaseMemoryUsagePercentage": Advice(
        "Redis memory is nearly full; keys are evicted or writes refused.",
        "ElastiCache > Metrics (memory, evictions).",
        "Give keys a TTL; raise `cache.size`.",
    ),
}
"""`<namespace> <metric>` → advice, for every metric the AWS monitoring block alarms on."""


SIGNALS: Mapping[str, Mapping[str, Advice]] = {
    "cpu": {
        "docker": Advice(
            "The application container uses most of its CPU limit; requests queue.",
            "`docker stats` on the host; the app container's log.",
            "Raise `application.cpu` and `specql deploy up`, or move to a bigger server; after a release, roll back.",
        ),
        "kubernetes": Advice(
            "The pods use most of their CPU request.",
            "`kubectl top pods`; the HorizontalPodAutoscaler's status.",
            "The HPA adds pods up to its maximum; raise it or `application.cpu`.",
        ),
        "aws": Advice(
            "The tasks use most of their CPU.",
            "Container Insights: CPU per task.",
            "Raise `application.autoscale.max` or `application.cpu`.",
        ),
    },
    "memory": {
        "docker": Advice(
            "The application container is near its memory limit; Docker kills it at the limit.",
            "`docker stats`; `docker inspect --format '{{.State.OOMKilled}}'` on the app container.",
            "Raise `application.memory`; a leak that started with a release: roll back.",
        ),
        "kubernetes": Advice(
            "The pods are near their memory limit; the kubelet kills them at the limit (OOMKilled).",
            "`kubectl top pods`; `kubectl describe pod` (Last State: OOMKilled).",
            "Raise `application.memory`; after a release, roll back.",
        ),
        "aws": Advice(
            "The tasks are near their memory.",
            "Container Insights: memory per task.",
            "Raise `application.memory`.",
        ),
    },
    "connections": {
        "*": Advice(
            "PostgreSQL connections approach max_connections; new ones will be refused.",
            "`SELECT state, count(*) FROM pg_stat_activity GROUP BY 1` (psql, see DEPLOYMENT.md).",
            "Close idle-in-transaction sessions; lower the application's pool or raise `database.max_connections`.",
        )
    },
    "errors": {
        "*": Advice(
            "A share of requests end in 5xx server errors.",
            "The application's log (errors, stack traces) around the time the alert started.",
            "Right after a release: roll back (ROLLBACK.md). Otherwise the log names the failing dependency.",
        )
    },
    "latency": {
        "*": Advice(
            "The slowest responses take longer than the threshold.",
            "The database's slow-query log (`log_min_duration_statement`); CPU of the app and the database.",
            "Index the slow query (a migration) or scale; after a release, roll back.",
        )
    },
    "disk": {
        "docker": Advice(
            "A filesystem of the host (or the PostgreSQL volume on it) is nearly full.",
            "`df -h` and `docker system df` on the host; the size of the backups volume.",
            "`docker image prune` (old images), prune old dumps, or grow the server's disk.",
        ),
        "kubernetes": Advice(
            "A PostgreSQL volume is nearly full.",
            "`kubectl get pvc`; the Cluster's status (`kubectl get cluster`).",
            "Grow the volume (`database.storage`; the storage class must allow expansion).",
        ),
        "aws": Advice(
            "The database storage is nearly full.",
            "RDS > Monitoring (free storage).",
            "Raise `database.storage`.",
        ),
    },
    "backup": {
        "docker": Advice(
            "No new dump was written in the backup interval: the backup container failed or stopped.",
            "`docker logs` of the backup container; the dumps in the backups volume (ROLLBACK.md lists them).",
            "Restart the container (`specql deploy up`); take a dump by hand now (ROLLBACK.md).",
        ),
        "kubernetes": Advice(
            "The newest backup of the PostgreSQL cluster is too old.",
            "`kubectl get backups`; the ScheduledBackup's status; the operator's log.",
            "Fix the cause the Backup's status names; take one now with a Backup object (ROLLBACK.md).",
        ),
        "aws": Advice(
            "The newest automated backup is too old.",
            "RDS > Automated backups.",
            "Take a manual snapshot now (ROLLBACK.md) and check the backup window.",
        ),
    },
    "target": {
        "*": Advice(
            "Prometheus cannot scrape a target: the service, or its exporter, is down or unreachable.",
            "Prometheus > Status > Targets (the error of the failing target); the service's log.",
            "Restart what is down (`specql deploy up` recreates a removed container or pod).",
        )
    },
    "custom": {
        "*": Advice(
            "The condition the manifest's alert names holds for its duration.",
            "The metric in Prometheus (Graph) over the last hours.",
            "Act as the alert's owner decided when it was added to deployment.yaml.",
        )
    },
}
"""Alert signal → target (`docker`, `kubernetes`, `aws`, or `*` for all) → advice."""


def cloudwatch_advice(namespace: str, metric: str) -> Advice:
    key = f"{namespace} {metric}"
    if key not in CLOUDWATCH:
        raise LookupError(f"RUNBOOK has no advice for the CloudWatch metric {key}; add it to CLOUDWATCH")
    return CLOUDWATCH[key]


def signal_advice(signal: str, target: str) -> Advice:
    entries = SIGNALS.get(signal, {})
    found = entries.get(target) or entries.get("*")
    if found is None:
        raise LookupError(f"RUNBOOK has no advice for the alert signal {signal!r} on {target}; add it to SIGNALS")
    return found
