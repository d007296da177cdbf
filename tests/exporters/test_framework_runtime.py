"""What each framework needs at run time reaches every target: Rails' master key in the
env templates and the application's secrets, and Prometheus scraping only a metrics
endpoint the framework really serves (program/frameworks.py)."""

from __future__ import annotations

import pytest
import yaml

from eject_support import FRAMEWORKS, framework_manifest, render_path, resolve_path


@pytest.mark.parametrize("pattern", ["hobby-project", "small-saas", "kubernetes"])
def test_rails_env_templates_name_the_master_key(tmp_path, pattern):
    # GIVEN a Rails application
    files = render_path(framework_manifest(tmp_path, "rails", pattern), "config")
    # THEN the production template asks for RAILS_MASTER_KEY, and says why
    production = files["config/.env.production.example"]
    assert "\nRAILS_MASTER_KEY=\n" in production
    assert "config/master.key" in production
    # AND the application receives it as one of its secrets
    assert "RAILS_MASTER_KEY" in resolve_path(framework_manifest(tmp_path, "rails", pattern)).application.secrets


def test_other_frameworks_need_no_master_key(tmp_path):
    for framework in ("fraiseql", "django", "nodejs"):
        path = framework_manifest(tmp_path / framework, framework, "hobby-project")
        assert "RAILS_MASTER_KEY" not in render_path(path, "config")["config/.env.production.example"]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_prometheus_scrapes_the_app_only_where_the_framework_serves_metrics(tmp_path, framework):
    # GIVEN the hobby stack's Prometheus configuration
    from specql_deploy.components.observability import PROMETHEUS_CONFIG
    from specql_deploy.program.frameworks import METRICS

    files = render_path(framework_manifest(tmp_path, framework, "hobby-project"), "observability")
    config = yaml.safe_load(files[PROMETHEUS_CONFIG])
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    # THEN the app job exists exactly when the framework serves metrics, on its own path
    path = METRICS[framework].path
    assert ("app" in jobs) == (path is not None)
    if path is not None:
        assert jobs["app"]["metrics_path"] == path
    assert "prometheus" in jobs


def test_rails_on_ecs_reads_the_master_key_from_secrets_manager(tmp_path):
    import json

    from specql_deploy.capture import capture

    graph = capture(resolve_path(framework_manifest(tmp_path, "rails", "small-saas")))
    [task] = [r for r in graph.resources if r.type == "aws:ecs/taskDefinition:TaskDefinition"]
    [container] = json.loads(task.inputs["containerDefinitions"])
    assert "RAILS_MASTER_KEY" in {secret["name"] for secret in container["secrets"]}
