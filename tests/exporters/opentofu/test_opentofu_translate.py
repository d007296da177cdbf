"""Translation machinery on small programs of real pulumi_aws resources, and the HCL writer."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from specql_deploy.exporters.opentofu import hcl, mapping
from specql_deploy.exporters.opentofu.references import ReferenceHook
from specql_deploy.exporters.opentofu.translate import Translator

from .tofu_support import resolve


def _program(extra=None):
    import pulumi
    import pulumi_aws as aws
    import pulumi_random as random

    class Part(pulumi.ComponentResource):
        def __init__(self, kind: str, name: str, opts=None):
            super().__init__(f"specql:aws:{kind}", name, None, opts)

    class Pattern(pulumi.ComponentResource):
        def __init__(self, name: str):
            super().__init__("specql:patterns:Test", name, None, None)
            provider = aws.Provider(f"{name}-aws", region="us-east-1", opts=pulumi.ResourceOptions(parent=self))
            dr = aws.Provider(f"{name}-dr", region="eu-west-1", opts=pulumi.ResourceOptions(parent=self))
            net = Part("Network", f"{name}-net", pulumi.ResourceOptions(parent=self, provider=provider))
            child = pulumi.ResourceOptions(parent=net)
            vpc = aws.ec2.Vpc(f"{name}-net-vpc", cidr_block="10.0.0.0/16", tags={"Name": f"{name}-net-vpc"}, opts=child)
            db = Part("Database", f"{name}-db", pulumi.ResourceOptions(parent=self, provider=provider))
            inner = pulumi.ResourceOptions(parent=db)
            sg = aws.ec2.SecurityGroup(
                f"{name}-db-sg",
                vpc_id=vpc.id,
                ingress=[{"protocol": "tcp", "from_port": 5432, "to_port": 5432, "cidr_blocks": [vpc.cidr_block]}],
                opts=inner,
            )
            params = aws.rds.ParameterGroup(
                f"{name}-db-params",
                family="postgres16",
                parameters=[{"name": "rds.force_ssl", "value": "1"}, {"name": "log_statement", "value": "ddl"}],
                opts=inner,
            )
            role = aws.iam.Role(
                f"{name}-db-role",
                assume_role_policy=json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": "sts:AssumeRole",
                                "Principal": {"Service": "rds.amazonaws.com"},
                            }
                        ],
                    }
                ),
                opts=inner,
            )
            aws.iam.RolePolicy(
                f"{name}-db-policy",
                role=role.id,
                policy=pulumi.Output.json_dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Effect": "Allow", "Action": "logs:*", "Resource": pulumi.Output.concat(vpc.arn, ":*")}
                        ],
                    }
                ),
                opts=inner,
            )
            aws.rds.Instance(
                f"{name}-db-postgres",
                instance_class="db.t4g.micro",
                engine="postgres",
                allocated_storage=20,
                manage_master_user_password=True,
                username="app",
                parameter_group_name=params.name,
                vpc_security_group_ids=[sg.id],
                opts=pulumi.ResourceOptions(parent=db, protect=True),
            )
            password = random.RandomPassword(f"{name}-db-token", length=32, special=False, opts=inner)
            aws.secretsmanager.SecretVersion(
                f"{name}-db-token-value", secret_id="token", secret_string=password.result, opts=inner
            )
            aws.ssm.Parameter(
                f"{name}-db-literal",
                name="/x/literal",
                type="SecureString",
                value=pulumi.Output.secret("hunter2-literal"),
                opts=inner,
            )
            replica = Part("Database", f"{name}-dr-db", pulumi.ResourceOptions(parent=self, provider=dr))
            aws.ec2.Vpc(f"{name}-dr-db-vpc", cidr_block="10.1.0.0/16", opts=pulumi.ResourceOptions(parent=replica))
            if extra:
                extra(self, provider)
            self.register_outputs({})

    return Pattern


def translate_program(extra=None):
    from specql_deploy.capture import run_under_mocks

    resolved = resolve("small-saas")
    pattern = _program(extra)
    hook = ReferenceHook()
    graph = run_under_mocks(lambda: pattern(resolved.stack_prefix), project="small-saas", stack="dev", outputs_for=hook)
    return Translator(graph, hook.urns, resolved).build()


@pytest.fixture(scope="module")
def config():
    return translate_program()


def has(text: str, name: str, value: str) -> bool:
    """`name = value` on one line, whatever the alignment padding."""
    return re.search(rf"^\s*{re.escape(name)}\s+= {re.escape(value)}$", text, re.MULTILINE) is not None


def _block(config, module: str, label: str) -> str:
    target = config.modules[module]
    for resource, block in zip(target.resources, target.body, strict=False):
        if resource.label == label:
            return hcl.render_file([block])
    raise KeyError(label)


def test_modules_follow_top_level_components_and_providers(config):
    # GIVEN a pattern with a network, a database and a DR database on an aliased provider
    # THEN each top-level component is a module; the second Database gets a qualified name
    assert list(config.modules) == ["networking", "database", "dr_database"]
    assert [provider.alias for provider in config.providers] == [None, "dr"]
    assert config.modules["dr_database"].aliases == {"dr"}
    assert config.modules["database"].aliases == {None}


def test_references_and_cross_module_wiring(config):
    database = config.modules["database"]
    sg = _block(config, "database", "sg")
    # THEN a reference to another module's resource is a variable wired from its output
    assert has(sg, "vpc_id", "var.networking_vpc_id")
    assert database.arguments["networking_vpc_id"] == hcl.Expr("module.networking.vpc_id")
    assert config.modules["networking"].outputs["vpc_id"].value == hcl.Expr("aws_vpc.vpc.id")
    # AND a reference inside the module is a plain HCL reference
    assert has(_block(config, "database", "postgres"), "parameter_group_name", "aws_db_parameter_group.params.name")


def test_pluralised_blocks_and_attribute_maps(config):
    params = _block(config, "database", "params")
    # Pulumi `parameters` ↔ HCL repeated `parameter` blocks
    assert params.count("  parameter {") == 2 and "parameters" not in params
    sg = _block(config, "database", "sg")
    assert "  ingress {" in sg and has(sg, "cidr_blocks", "[var.networking_vpc_cidr_block]")
    vpc = _block(config, "networking", "vpc")
    # tags stay an attribute map, and the stack prefix becomes var.name_prefix
    assert 'tags = {\n    Name = "${var.name_prefix}-net-vpc"\n  }' in vpc


def test_policies_become_jsonencode_with_live_references(config):
    role = _block(config, "database", "role")
    assert "assume_role_policy = jsonencode({" in role and 'Service = "rds.amazonaws.com"' in role
    policy = _block(config, "database", "policy")
    assert has(policy, "Resource", '"${var.networking_vpc_arn}:*"')
    assert has(policy, "role", "aws_iam_role.role.id")


def test_manifest_values_become_variables_and_protect_prevents_destroy(config):
    postgres = _block(config, "database", "postgres")
    assert has(postgres, "instance_class", "var.database_instance_class")
    assert config.root.variables["database_instance_class"].default == "db.t4g.micro"
    assert has(postgres, "prevent_destroy", "true")
    assert has(postgres, "manage_master_user_password", "true") and not re.search(
        r"^\s*password\s", postgres, re.MULTILINE
    )


def test_secrets_are_references_or_sensitive_variables_never_literals(config):
    # a generated password is ephemeral (never in the state) and stored write-only in its secret
    token = _block(config, "database", "token_value")
    assert has(token, "secret_string_wo", "ephemeral.aws_secretsmanager_random_password.token.random_password")
    assert has(token, "secret_string_wo_version", "1") and "secret_string " not in token
    literal = _block(config, "database", "literal")
    assert has(literal, "value", "var.literal_value")
    variable = config.root.variables["literal_value"]
    assert variable.sensitive and not variable.has_default
    rendered = "".join(hcl.render_file([block for block in module.body if block]) for module in config.modules.values())
    assert "hunter2" not in rendered


def test_unmapped_type_fails_loudly_naming_the_token():
    def add_queue(parent, provider):
        import pulumi
        import pulumi_aws as aws

        aws.sqs.Queue("small-saas-dev-queue", opts=pulumi.ResourceOptions(parent=parent, provider=provider))

    with pytest.raises(mapping.UnmappedTypeError, match="aws:sqs/queue:Queue"):
        translate_program(add_queue)


def test_snake_case_and_singular_names():
    assert mapping.snake("multiAz") == "multi_az"
    assert mapping.snake("enableHttp2") == "enable_http2"
    assert mapping.snake("ipv6CidrBlock") == "ipv6_cidr_block"
    assert mapping.block_name("aws_lb_listener", "defaultActions") == "default_action"
    assert mapping.block_name("aws_ecs_service", "capacityProviderStrategies") == "capacity_provider_strategy"
    assert mapping.singular("policies") == "policy"


SAMPLE = hcl.Block(
    "resource",
    ("aws_db_instance", "this"),
    hcl.spaced(
        [
            hcl.Attribute("identifier", hcl.Template(("", hcl.Expr("var.name_prefix"), "-db"))),
            hcl.Attribute("instance_class", "db.t4g.micro"),
            hcl.Attribute("multi_az", False),
            hcl.Attribute("tags", {"Name": "db", "aws:cost-center": "x"}),
            hcl.Attribute("port", 5432),
            hcl.Attribute("literal", "keep ${this} and %{that}"),
            hcl.Block("timeouts", (), [hcl.Attribute("create", "40m")]),
        ]
    ),
)

EXPECTED = """resource "aws_db_instance" "this" {
  identifier     = "${var.name_prefix}-db"
  instance_class = "db.t4g.micro"
  multi_az       = false
  tags = {
    Name              = "db"
    "aws:cost-center" = "x"
  }
  port    = 5432
  literal = "keep $${this} and %%{that}"

  timeouts {
    create = "40m"
  }
}
"""


def test_writer_aligns_equals_like_tofu_fmt():
    # GIVEN attributes of different widths, a multi-line map between them and a nested block
    # THEN `=` aligns within each run, the map breaks the run, literal ${ is escaped
    assert hcl.render_file([SAMPLE]) == EXPECTED


def test_writer_output_is_unchanged_by_the_real_formatter(tmp_path):
    binary = shutil.which("tofu") or shutil.which("terraform")
    if binary is None:
        pytest.skip("neither tofu nor terraform is installed")
    path = tmp_path / "sample.tf"
    path.write_text(EXPECTED)
    result = subprocess.run([binary, "fmt", "-check", "-diff", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout


def test_a_list_of_objects_output_answers_with_one_object_of_references():
    # GIVEN a component reading the first element's field of a list-of-objects output
    # (RDS's managed master secret), as it does in a real run
    import pulumi
    import pulumi_aws as aws

    from specql_deploy.capture import run_under_mocks

    seen: dict[str, object] = {}

    def program():
        instance = aws.rds.Instance(
            "db", engine="postgres", instance_class="db.t4g.micro", manage_master_user_password=True
        )
        arn = instance.master_user_secrets.apply(lambda secrets: secrets[0].secret_arn if secrets else None)
        arn.apply(lambda value: seen.setdefault("arn", value))
        aws.ssm.Parameter("arn", name="/x/arn", type="String", value=arn)
        pulumi.export("arn", arn)

    # WHEN it runs under the OpenTofu reference hook
    hook = ReferenceHook()
    graph = run_under_mocks(program, outputs_for=hook)
    # THEN the capture knows the output's shape and the field carries the HCL traversal
    instance = graph.named("db")
    assert instance.list_outputs["masterUserSecrets"] == ("kmsKeyId", "secretArn", "secretStatus")
    key = next(key for key, urn in hook.urns.items() if urn == instance.urn)
    assert seen["arn"] == "${«" + key + ".masterUserSecrets»[0].secret_arn}"
    assert graph.named("arn").inputs["value"] == seen["arn"]
