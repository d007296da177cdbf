"""PostgresCluster: CloudNativePG or Crunchy PGO, sized from the manifest, with scheduled backups."""

from __future__ import annotations

import pytest

from specql_deploy.components.kubernetes.postgres_cluster import backup_cron, cnpg_image
from specql_deploy.program.catalogue import CONTAINER_SIZES, DATABASE_INSTANCES_BY_SIZE, IMAGES

from k8s_support import captured, one  # noqa: F401  (captured is a fixture)


def test_cloudnative_pg_cluster_from_the_example(captured):
    # GIVEN the example (size medium)
    resolved, graph = captured("kubernetes")
    cluster = one(graph, "kubernetes:postgresql.cnpg.io/v1:Cluster").inputs
    spec = cluster["spec"]
    cpu, memory = CONTAINER_SIZES["medium"]["database"]
    # THEN instances, storage and resources follow the size
    assert spec["instances"] == DATABASE_INSTANCES_BY_SIZE["medium"] == 2
    assert spec["storage"] == {"size": f"{resolved.database.storage_gb}Gi"}
    assert spec["resources"]["limits"] == {"cpu": str(cpu), "memory": f"{memory // 1024}Gi"}
    assert spec["enableSuperuserAccess"] is False
    # the default major runs the exact image pinned in defaults, not a floating major tag
    assert resolved.database.version == "16"
    assert spec["imageName"] == IMAGES["cloudnative-pg-postgres"] == "ghcr.io/cloudnative-pg/postgresql:16.6"
    assert spec["postgresql"]["parameters"]["max_connections"] == str(resolved.database.max_connections)
    assert cluster["metadata"] == {**cluster["metadata"], "name": "kubernetes-db", "namespace": "myapp-prod"}
    assert spec["backup"] == {"volumeSnapshot": {"online": True}}


@pytest.mark.parametrize(
    ("version", "image"),
    [
        ("16", "ghcr.io/cloudnative-pg/postgresql:16.6"),
        ("17", "ghcr.io/cloudnative-pg/postgresql:17"),
        ("16.4", "ghcr.io/cloudnative-pg/postgresql:16.4"),
    ],
)
def test_cloudnative_pg_image_is_pinned_for_its_major_and_follows_any_other(version, image):
    assert cnpg_image(version) == image


def test_cloudnative_pg_scheduled_backup_in_the_backup_window(captured):
    _, graph = captured("kubernetes")
    spec = one(graph, "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup").inputs["spec"]
    # daily at the start of the 03:00-04:00 window; CloudNativePG's cron has seconds
    assert spec["schedule"] == "0 0 3 * * *"
    assert spec["cluster"] == {"name": "kubernetes-db"}
    assert spec["method"] == "volumeSnapshot"


def test_crunchy_pgo_cluster_with_pgbackrest_schedule_and_retention(captured):
    # GIVEN PGO, size large, hourly backups kept 14 days
    resolved, graph = captured("pgo-traefik-eks")
    spec = one(graph, "kubernetes:postgres-operator.crunchydata.com/v1beta1:PostgresCluster").inputs["spec"]
    assert spec["postgresVersion"] == int(resolved.database.version)
    instance = spec["instances"][0]
    assert instance["replicas"] == DATABASE_INSTANCES_BY_SIZE["large"] == 3
    assert instance["dataVolumeClaimSpec"]["resources"]["requests"]["storage"] == f"{resolved.database.storage_gb}Gi"
    assert instance["resources"]["requests"] == {"cpu": "2", "memory": "8Gi"}
    backrest = spec["backups"]["pgbackrest"]
    assert backrest["global"]["repo1-retention-full"] == "14"
    assert backrest["repos"][0]["schedules"] == {"full": "0 * * * *"}
    assert graph.of_type("kubernetes:postgresql.cnpg.io/v1:Cluster") == []


@pytest.mark.parametrize(
    ("frequency", "window", "seconds", "expected"),
    [
        ("daily", "03:00-04:00", True, "0 0 3 * * *"),
        ("daily", "22:30-23:30", False, "30 22 * * *"),
        ("hourly", "03:15-04:00", False, "15 * * * *"),
        ("weekly", "01:00-02:00", True, "0 0 1 * * 0"),
        ("continuous", "03:00-04:00", False, "0 3 * * *"),
    ],
)
def test_backup_cron(frequency, window, seconds, expected):
    assert backup_cron(frequency, window, seconds=seconds) == expected


def test_production_protects_the_database_and_its_namespace(tmp_path):
    # GIVEN the example resolved for a production environment
    import textwrap

    from specql_deploy.capture import capture
    from specql_deploy.program.manifest import load
    from specql_deploy.program.resolve import resolve

    path = tmp_path / "deployment.yaml"
    path.write_text(
        textwrap.dedent("""
        deployment:
          name: ledger
          pattern: kubernetes
        environments:
          - name: staging
          - name: production
        """)
    )
    manifest = load(path)
    graphs = {
        env: capture(resolve(manifest.spec, env, default_name=manifest.default_name))
        for env in ("staging", "production")
    }
    cluster = {env: one(g, "kubernetes:postgresql.cnpg.io/v1:Cluster") for env, g in graphs.items()}
    namespace = {env: one(g, "kubernetes:core/v1:Namespace") for env, g in graphs.items()}
    # THEN production's cluster is protected and kept through a destroy; staging's is not
    assert cluster["production"].protect and cluster["production"].retain_on_delete
    assert namespace["production"].protect
    assert not cluster["staging"].protect and not cluster["staging"].retain_on_delete
    assert not namespace["staging"].protect
