"""Pulumi.yaml's program (`program/__main__.py`) builds what the CLI builds."""

from __future__ import annotations

import runpy

import pytest

from specql_deploy.capture import capture, run_under_mocks

from support import example_path, resolve_example


@pytest.fixture
def manifest_config():
    from pulumi.runtime import config

    config.set_config("specql:manifest", str(example_path("small-saas")))
    config.set_config("specql:environment", "dev")
    yield
    config.set_all_config({})


def test_plain_pulumi_program_matches_the_inline_program(manifest_config):
    # GIVEN the manifest path in stack config, as `pulumi config set specql:manifest` leaves it
    # WHEN the plain pulumi entry point runs under mocks
    graph = run_under_mocks(
        lambda: runpy.run_module("specql_deploy.program.__main__", run_name="__main__"),
        project="small-saas",
        stack="dev",
    )
    # THEN it registers exactly what the inline program registers
    inline = capture(resolve_example("small-saas"))
    assert sorted(r.urn for r in graph.resources) == sorted(r.urn for r in inline.resources)
    assert graph.of_type("aws:rds/instance:Instance")


def test_plain_pulumi_program_takes_the_release_from_the_stack_config(manifest_config):
    import json

    from pulumi.runtime import config

    # GIVEN the tag CI pushed in the stack config, as `pulumi config set specql:version` leaves it
    config.set_config("specql:version", "3f2c1ab")
    # WHEN the plain pulumi entry point runs under mocks
    graph = run_under_mocks(
        lambda: runpy.run_module("specql_deploy.program.__main__", run_name="__main__"),
        project="small-saas",
        stack="dev",
    )
    # THEN the task runs the stack's repository at that tag
    [task] = graph.of_type("aws:ecs/taskDefinition:TaskDefinition")
    [container] = json.loads(task.inputs["containerDefinitions"])
    assert container["image"].endswith(":3f2c1ab")
