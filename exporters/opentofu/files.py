"""The eject tree: root and module files written from a translated configuration."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...program.building_blocks import DELETION_PROTECTION_INPUTS, EKS_CONTROL_PLANE_LOGS, README_MODULE_TYPES_SHOWN
from ...program.catalogue import PORTS
from ..contract import ExportContext, GeneratedFile
from ..headers import hash_header, header_lines
from . import mapping
from .configuration import Configuration, Module, TfResource, Variable
from .hcl import Attribute, Blank, Block, Comment, Expr, render_file, spaced
from .mapping import BINDINGS, DATA_ARGUMENTS, IMAGE_TAG_BINDINGS

if TYPE_CHECKING:
    from ...capture.cost import CostEstimate

BASE = "infrastructure/opentofu"
TOFU_VERSION = ">= 1.12.6"
"""The OpenTofu release the test tier runs every eject with (plan, apply, a second plan);
it has S3-native state locking (`use_lockfile`), ephemeral resources and write-only arguments."""

SKIP_REASONS: dict[str, str] = {
    "CKV_AWS_378": "TLS ends at the load balancer; targets are tasks in private subnets reachable only from its security group",
    "CKV_AWS_18": "this bucket receives the access logs; logging it to itself would loop",
    "CKV_AWS_145": "ELB access-log delivery supports only SSE-S3 (AES256), not KMS keys",
    "CKV_AWS_144": "log archive of this region; the logs are not needed to recover elsewhere",
    "http": "no domain in the manifest means no certificate: plain HTTP is the only listener (set deployment.domain for HTTPS and a redirect)",
    "CKV_AWS_157": "non-production stack: single-AZ by the pattern to halve the cost (Multi-AZ in production)",
    "single_az_asked": "the manifest sets database.multi_az: false (one instance, half the cost; "
    "no standby in another zone)",
    "replica": "read replica: availability comes from the primary's Multi-AZ standby",
    "CKV2_AWS_57": "Redis AUTH token: Secrets Manager has no rotation function for ElastiCache AUTH tokens; "
    "rotate by regenerating the token and applying",
    "no_dr": "no disaster-recovery region in this deployment to replicate to (platform regions: add a second)",
    "cdn_certificate": "no domain in the manifest: CloudFront's default *.cloudfront.net certificate is the only one "
    "(set deployment.domain for an ACM certificate with TLS 1.2+)",
    "CKV_AWS_374": "geo restriction is a legal decision of each business, not a default: the API serves every country",
    "CKV_AWS_310": "origin failover serves only GET/HEAD/OPTIONS behaviours; this API's behaviour forwards writes",
    "CKV_AWS_305": "an API, not a website: there is no index object to serve at /",
    "waf_off": "{pattern} leaves WAF off for cost (about $10/month); set security.waf: enabled",
    "replica_bucket": "cross-region replica written only by S3 replication; access logs need a bucket in its "
    "region, which a failover brings with the DR stack",
    "zones": "modules take the first zones of this list, which AWS orders by name; a zone AWS adds later "
    "sorts after them, so the set a module uses never changes under it",
    "CKV_AWS_86": "access logs go through standard logging v2 (aws_cloudwatch_log_delivery_source here); "
    "checkov reads only legacy logging_config, which would need bucket ACLs",
    "eks_public_endpoint": "the deployer (CI, kubectl on a workstation) reaches the API from outside the VPC and "
    "authenticates with IAM (aws eks get-token); nodes use the private endpoint. Narrow "
    "vpc_config.public_access_cidrs to your CI and office ranges once you know them",
    "CKV_AWS_37": "control-plane logs are api, audit and authenticator: who called the API and how they "
    "authenticated; controllerManager and scheduler logs are debugging output billed per GB ingested",
}
"""Why a checkov check is wrong for the pattern, per check (or per situation)."""


def checkov_skips(resource: TfResource, configuration: Configuration) -> list[tuple[str, str]]:
    """Inline skips for checks that do not apply to this resource in this pattern, each with its reason."""
    resolved = configuration.resolved
    inputs = resource.captured.inputs
    module = configuration.modules.get(resource.module)
    skips: list[str | tuple[str, str]] = []
    kind = resource.type
    no_domain = not resolved.deployment.domain
    if kind == "aws_lb_target_group" and inputs.get("protocol") == "HTTP":
        skips.append("CKV_AWS_378")
    if kind == "aws_s3_bucket" and module is not None and module.component_type.endswith(":LogArchive"):
        skips += ["CKV_AWS_18", "CKV_AWS_145", "CKV_AWS_144"]
    if not no_domain and kind == "aws_security_group" and _open_port_80(inputs):
        skips.append(("CKV_AWS_260", "port 80 is open only for the listener that redirects to HTTPS"))
    if no_domain:
        if kind == "aws_lb_listener" and inputs.get("protocol") == "HTTP":
            skips += [("CKV_AWS_2", SKIP_REASONS["http"]), ("CKV_AWS_103", SKIP_REASONS["http"])]
        if kind == "aws_lb" and not inputs.get("internal"):
            skips.append(("CKV2_AWS_20", SKIP_REASONS["http"]))
        if kind == "aws_security_group" and _open_port_80(inputs):
            skips.append(("CKV_AWS_260", SKIP_REASONS["http"]))
    if kind == "aws_db_instance":
        source = str(inputs.get("replicateSourceDb") or "")
        if source and resolved.database.multi_az and not inputs.get("multiAz"):
            skips.append(("CKV_AWS_157", SKIP_REASONS["replica"]))
        elif (
            not inputs.get("multiAz")
            and resolved.provenance["database.multi_az"].source in ("user", "environment")
            and not resolved.database.multi_az
        ):
            skips.append(("CKV_AWS_157", SKIP_REASONS["single_az_asked"]))
        elif not resolved.is_production and not inputs.get("multiAz"):
            skips.append("CKV_AWS_157")
    if kind == "aws_lb" and not inputs.get("internal") and not _waf_associated(resource, configuration):
        skips.append(("CKV2_AWS_28", SKIP_REASONS["waf_off"].format(pattern=resolved.deployment.pattern)))
    if kind == "aws_secretsmanager_secret" and _in_component(module, "Cache"):
        skips.append("CKV2_AWS_57")
    if (
        kind == "aws_s3_bucket"
        and _in_component(module, "Storage")
        and not inputs.get("replicationConfiguration")
        and not resolved.platform.dr_region
    ):
        skips.append(("CKV_AWS_144", SKIP_REASONS["no_dr"]))
    if (
        kind == "aws_s3_bucket"
        and _in_component(module, "Storage")
        and _replica_without_logging(resource, configuration)
    ):
        skips.append(("CKV_AWS_18", SKIP_REASONS["replica_bucket"]))
    if kind == "aws_cloudfront_distribution":
        if (inputs.get("viewerCertificate") or {}).get("cloudfrontDefaultCertificate"):
            skips += [
                ("CKV_AWS_174", SKIP_REASONS["cdn_certificate"]),
                ("CKV2_AWS_42", SKIP_REASONS["cdn_certificate"]),
            ]
        skips += ["CKV_AWS_374", "CKV_AWS_310", "CKV_AWS_305"]
        if not inputs.get("loggingConfig") and _log_delivery_source(resource, configuration):
            skips.append("CKV_AWS_86")
    if kind == "aws_eks_cluster":
        if (inputs.get("vpcConfig") or {}).get("endpointPublicAccess"):
            reason = SKIP_REASONS["eks_public_endpoint"]
            skips += [("CKV_AWS_38", reason), ("CKV_AWS_39", reason)]
        if set(inputs.get("enabledClusterLogTypes") or ()) == set(EKS_CONTROL_PLANE_LOGS):
            skips.append("CKV_AWS_37")
    return [item if isinstance(item, tuple) else (item, SKIP_REASONS[item]) for item in skips]


def _data_skips(source: str) -> list[Comment]:
    """Inline skips of a data source the configuration reads."""
    if source.startswith("aws_availability_zones."):
        return [Comment(f"checkov:skip=CKV_AWS_394:{SKIP_REASONS['zones']}")]
    return []


def _in_component(module: Module | None, kind: str) -> bool:
    return module is not None and module.component_type.endswith(f":{kind}")


def _replica_without_logging(resource: TfResource, configuration: Configuration) -> bool:
    """A replication destination that no server access logging covers."""
    related = [item for item in configuration.all_resources() if resource.captured.urn in item.captured.dependencies]
    return any(item.type == "aws_s3_bucket_replication_configuration" for item in related) and not any(
        item.type == "aws_s3_bucket_logging" for item in related
    )


def _log_delivery_source(resource: TfResource, configuration: Configuration) -> bool:
    """A CloudWatch Logs delivery source reads this resource's logs (standard logging v2)."""
    return any(
        resource.captured.urn in item.captured.dependencies
        for item in configuration.all_resources()
        if item.type == "aws_cloudwatch_log_delivery_source"
    )


def _waf_associated(resource: TfResource, configuration: Configuration) -> bool:
    """A WAFv2 association in the program points at this load balancer (through its ARN)."""
    return any(
        resource.captured.urn in item.captured.dependencies
        for item in configuration.all_resources()
        if item.type == "aws_wafv2_web_acl_association"
    )


def _open_port_80(inputs: Any) -> bool:
    return any(
        rule.get("fromPort") == PORTS["http"] and "0.0.0.0/0" in (rule.get("cidrBlocks") or [])
        for rule in inputs.get("ingress") or []
    )


def _hcl_file(path: str, context: ExportContext, items: list[Any], what: str = "") -> GeneratedFile:
    return GeneratedFile(f"{BASE}/{path}", render_file(items, hash_header(context, what=what)))


def _variable_block(variable: Variable) -> Block:
    body: list[Any] = [Attribute("description", variable.description), Attribute("type", Expr(variable.type))]
    if variable.has_default:
        body.append(Attribute("default", variable.default))
    if variable.sensitive:
        body.append(Attribute("sensitive", True))
    return Block("variable", (variable.name,), body)


def _variables(variables: dict[str, Variable]) -> list[Any]:
    return [_variable_block(variables[name]) for name in sorted(variables)]


def _outputs(module: Module) -> list[Any]:
    blocks = []
    for name in sorted(module.outputs):
        output = module.outputs[name]
        body: list[Any] = [Attribute("description", output.description), Attribute("value", output.value)]
        if output.sensitive:
            body.append(Attribute("sensitive", True))
        blocks.append(Block("output", (name,), body))
    return blocks


def _required_providers(configuration: Configuration, module: Module | None) -> Block:
    providers = Block("required_providers")
    aws_source, aws_version = mapping.PROVIDER_SOURCES["aws"]
    aws: dict[Any, Any] = {"source": aws_source, "version": aws_version}
    if module is not None:
        aliases = sorted(alias for alias in module.aliases if alias is not None)
        if aliases and len(module.aliases) > 1:
            aws["configuration_aliases"] = [Expr(f"aws.{alias}") for alias in aliases]
    providers.attr("aws", aws)
    return providers


def _versions(configuration: Configuration, module: Module | None, context: ExportContext) -> list[Any]:
    terraform = Block("terraform")
    terraform.attr("required_version", TOFU_VERSION)
    terraform.body.append(Blank())
    terraform.body.append(_required_providers(configuration, module))
    if module is None:
        resolved = configuration.resolved
        terraform.body.append(Blank())
        terraform.body.append(
            Comment(
                "Remote state in S3 with locking. Create the bucket (versioned, encrypted) first,\n"
                "fill in the names, uncomment, then run `tofu init -migrate-state`.\n"
                'backend "s3" {\n'
                '  bucket       = "REPLACE-with-your-state-bucket"\n'
                f'  key          = "{resolved.deployment.name}/{resolved.deployment.environment}/terraform.tfstate"\n'
                f'  region       = "{resolved.platform.region}"\n'
                "  encrypt      = true\n"
                "  use_lockfile = true # S3-native locking (OpenTofu >= 1.10)\n"
                "}"
            )
        )
    return [terraform]


def _provider_blocks(configuration: Configuration) -> list[Any]:
    blocks = []
    tags = configuration.resolved.tags()
    for provider in configuration.providers:
        block = Block("provider", ("aws",))
        if provider.alias:
            block.attr("alias", provider.alias)
        block.attr("region", Expr(f"var.{provider.region_var}"))
        default_tags = provider.inputs.get("defaultTags")
        if isinstance(default_tags, str):
            import json

            default_tags = json.loads(default_tags)
        if isinstance(default_tags, dict) and default_tags.get("tags"):
            value = Expr("var.tags") if default_tags["tags"] == tags else default_tags["tags"]
            block.body.append(Blank())
            block.body.append(Block("default_tags", (), [Attribute("tags", value)]))
        blocks.append(block)
    return blocks


def _root_variables(configuration: Configuration) -> dict[str, Variable]:
    resolved = configuration.resolved
    variables = dict(configuration.root.variables)
    variables["name_prefix"] = Variable(
        "name_prefix",
        "string",
        "Prefix of every cloud resource name (`<name>-<environment>`).",
        resolved.stack_prefix,
        True,
    )
    for provider in configuration.providers:
        region = str(provider.inputs.get("region") or resolved.platform.region)
        what = "Primary AWS region." if provider.alias is None else f"AWS region of the `{provider.alias}` provider."
        variables[provider.region_var] = Variable(provider.region_var, "string", what, region, True)
    variables["tags"] = Variable(
        "tags", "map(string)", "Tags every resource carries (provider default tags).", resolved.tags(), True
    )
    return variables


def _module_call(configuration: Configuration, module: Module) -> Block:
    block = Block("module", (module.name,))
    block.attr("source", f"./modules/{module.name}")
    aliases = module.aliases - {None}
    if aliases:
        if len(module.aliases) == 1:
            (alias,) = aliases
            mapping_ = {Expr("aws"): Expr(f"aws.{alias}")}
        else:
            mapping_ = {Expr("aws"): Expr("aws")}
            mapping_.update(
                {Expr(f"aws.{alias}"): Expr(f"aws.{alias}") for alias in sorted(alias for alias in aliases if alias)}
            )
        block.body.append(Blank())
        block.attr("providers", mapping_)
    if module.arguments:
        block.body.append(Blank())
        for name in sorted(module.arguments):
            block.attr(name, module.arguments[name])
    if module.depends_on:
        block.body.append(Blank())
        block.attr("depends_on", [Expr(f"module.{name}") for name in sorted(module.depends_on)])
    return block


def _module_blocks(module: Module, configuration: Configuration) -> list[Any]:
    """Module main.tf: its data sources, then its resources (with their inline checkov skips)."""
    data = [
        Block(
            "data",
            tuple(source.split(".")),
            [
                *_data_skips(source),
                *(
                    Attribute(name, value)
                    for name, value in (DATA_ARGUMENTS.get(source) or module.data_arguments.get(source, {})).items()
                ),
            ],
        )
        for source in sorted(module.data)
    ]
    resources = []
    for resource, block in zip(module.resources, module.body, strict=True):
        if block is None:
            continue  # a later copy of a `count` family: written once, with its first copy
        skips = checkov_skips(resource, configuration)
        if skips:
            body = [Comment(f"checkov:skip={check}:{reason}") for check, reason in skips]
            block = Block(block.type, block.labels, body + list(block.body))
        resources.append(block)
    return data + resources


def render_configuration(
    configuration: Configuration, context: ExportContext, cost: CostEstimate
) -> list[GeneratedFile]:
    files: list[GeneratedFile] = []
    root = configuration.root
    root_blocks = _module_blocks(root, configuration)
    data = [block for block in root_blocks if block.type == "data"]
    main: list[Any] = _provider_blocks(configuration) + data
    main += [_module_call(configuration, module) for module in configuration.modules.values()]
    main += [block for block in root_blocks if block.type != "data"]
    files.append(_hcl_file("main.tf", context, main, "Root module: providers and one module per component."))
    variables = _root_variables(configuration)
    files.append(_hcl_file("variables.tf", context, _variables(variables)))
    files.append(_hcl_file("outputs.tf", context, _outputs(root)))
    files.append(_hcl_file("versions.tf", context, _versions(configuration, None, context)))
    files.append(GeneratedFile(f"{BASE}/terraform.tfvars.example", _tfvars(variables, context)))
    for module in configuration.modules.values():
        folder = f"modules/{module.name}"
        what = f"Module `{module.name}`: the resources of the `{module.component}` component."
        files.append(_hcl_file(f"{folder}/main.tf", context, _module_blocks(module, configuration), what))
        files.append(_hcl_file(f"{folder}/variables.tf", context, _variables(module.variables)))
        files.append(_hcl_file(f"{folder}/outputs.tf", context, _outputs(module)))
        files.append(_hcl_file(f"{folder}/versions.tf", context, _versions(configuration, module, context)))
    files.append(GeneratedFile(f"{BASE}/README.md", _readme(configuration, context, cost)))
    files.append(GeneratedFile(f"{BASE}/deploy.sh", _deploy_script(configuration, context), executable=True))
    return files


def _tfvars(variables: dict[str, Variable], context: ExportContext) -> str:
    from .hcl import render_value

    lines = [
        hash_header(context).rstrip("\n"),
        "# Copy to terraform.tfvars and adjust. Defaults shown; sensitive values have no default.",
        "",
    ]
    for name in sorted(variables):
        variable = variables[name]
        lines.append(f"# {variable.description}")
        if variable.sensitive:
            lines.append(f'# {name} = "set me (or export TF_VAR_{name})"')
        else:
            lines.append(f"{name} = {render_value(variable.default, 0)}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


_FLOW = (
    ("edge", "CloudFront + WAF"),
    ("loadbalancer", "ALB (public subnets)"),
    ("compute", "ECS Fargate (private subnets)"),
)
_DATA = (("database", "RDS PostgreSQL"), ("cache", "ElastiCache Redis"), ("storage", "S3"))


def _flow(configuration: Configuration) -> list[str]:
    """Request path through the modules present, then the data stores the tasks use."""
    names = set(configuration.modules)
    if "eks" in names:
        return [
            "  Internet ─▶ the ingress controller's load balancer (created by Kubernetes) ─▶ EKS nodes [eks]",
            "  kubectl, CI ─▶ EKS API endpoint (public; nodes use the private one) [eks]",
            "  EKS nodes ─▶ private subnets, out through NAT [networking]",
        ]
    path = ["Internet"] + [f"{label} [{name}]" for name, label in _FLOW if name in names]
    lines = ["  " + " ─▶ ".join(path)]
    stores = [f"{label} [{name}]" for name, label in _DATA if name in names]
    if stores:
        lines.append("  tasks ─▶ " + ", ".join(stores))
    dr = sorted(name for name in names if name.startswith("dr_"))
    if dr:
        lines.append("  disaster recovery (aliased provider): " + ", ".join(dr))
    return lines


def _architecture(configuration: Configuration) -> str:
    lines = _flow(configuration) + [
        "",
        "root (providers: "
        + ", ".join(
            f"aws{'.' + provider.alias if provider.alias else ''} {provider.inputs.get('region', '')}"
            for provider in configuration.providers
        )
        + ")",
    ]
    modules = list(configuration.modules.values())
    for position, module in enumerate(modules):
        branch = "└──" if position == len(modules) - 1 else "├──"
        counts: dict[str, int] = {}
        for resource in module.resources:
            counts[resource.type] = counts.get(resource.type, 0) + 1
        shown = README_MODULE_TYPES_SHOWN
        main = ", ".join(f"{count}× {kind}" if count > 1 else kind for kind, count in list(counts.items())[:shown])
        more = "" if len(counts) <= shown else f", +{len(counts) - shown} more"
        region = ""
        aliases = module.aliases - {None}
        if aliases and len(module.aliases) == 1:
            region = f" [aws.{next(iter(aliases))}]"
        lines.append(f"{branch} modules/{module.name}{region}: {main}{more}")
    return "\n".join(lines)


def _certificate_note(configuration: Configuration) -> str:
    """How the certificates get validated: by the Route 53 zone, or by a record the user publishes."""
    certificates = [resource for resource in configuration.all_resources() if resource.type == "aws_acm_certificate"]
    if not certificates:
        return ""
    domain = configuration.resolved.deployment.domain
    zone = configuration.resolved.deployment.dns_zone
    if zone:
        return (
            f"\nACM validates `{domain}` by DNS: the Route 53 zone `{zone}` (`deployment_dns_zone`) receives "
            "the validation record and the alias of the domain, and `tofu apply` goes on once ACM has "
            "issued the certificate.\n"
        )
    first = certificates[0]
    address = f"module.{first.module}.{first.address}" if first.module else first.address
    return (
        f"\nACM validates `{domain}` by DNS and `tofu apply` waits until it has. The domain's zone is not in "
        f"Route 53 here, so create the certificate first (`tofu apply -target={address}`), publish the "
        f"CNAME that `tofu state show {address}` lists under `domain_validation_options` at your DNS "
        f"provider, then run the full apply; point `{domain}` at the entry point named by `tofu output`.\n"
    )


def _destroy_note(configuration: Configuration) -> str:
    if configuration.resolved.is_production:
        return (
            "A production stack's data resources carry `prevent_destroy`: deleting them takes a "
            "deliberate edit of the modules."
        )
    addresses, variables = deletion_protected(configuration)
    if not addresses:
        return "`./deploy.sh destroy` deletes every resource after you type the stack's name."
    lift = ", ".join(f"`{variable}`" for variable in variables)
    return (
        f"`./deploy.sh destroy` deletes every resource after you type the stack's name: AWS refuses to "
        f"delete the {len(addresses)} resources with deletion protection on, so it first applies {lift} "
        "set to `false` to exactly those."
    )


def _image_tag_variable(configuration: Configuration) -> str | None:
    """The variable that names the image tag the service runs, when the stack runs one."""
    name = IMAGE_TAG_BINDINGS["aws_ecs_task_definition"].name
    return name if name in configuration.root.variables else None


def _release_note(configuration: Configuration) -> str:
    """How a release reaches the service: an image pushed once under its commit's SHA, then its tag."""
    variable = _image_tag_variable(configuration)
    if variable is None:
        return ""
    tag = configuration.resolved.deployment.version
    return f"""
## Releases

The service runs `<ecr_repository_url>:<{variable}>` (now `{tag}`). The repository's tags
are immutable, so a release is an image built once and tagged with its commit's SHA, as the
deploy workflow does; until the first one is pushed, the service's tasks have no image to start.
Build and push it (Docker and the AWS CLI):

```sh
REPOSITORY="$(tofu output -raw ecr_repository_url)"
IMAGE_TAG="$(git rev-parse HEAD)"
aws ecr get-login-password | docker login --username AWS --password-stdin "${{REPOSITORY%%/*}}"
docker build --file ../../docker/Dockerfile --target runtime --tag "$REPOSITORY:$IMAGE_TAG" ../..
docker push "$REPOSITORY:$IMAGE_TAG"
```

then deploy that tag (or set `{variable}` in `terraform.tfvars`):

```sh
IMAGE_TAG="$(git rev-parse HEAD)" ./deploy.sh
```
"""


def _readme(configuration: Configuration, context: ExportContext, cost: CostEstimate) -> str:
    resolved = configuration.resolved
    header = "\n".join(f"<!-- {line} -->" for line in header_lines(context))
    resources = configuration.all_resources()
    return f"""{header}

# {resolved.deployment.name} ({resolved.deployment.environment}): OpenTofu

Pattern `{resolved.deployment.pattern}` in `{resolved.platform.region}`: {len(resources)} resources in
{len(configuration.modules)} modules, translated from the exact resources the specql-deploy Pulumi
program registers (same types, same settings).

## Steps

Install OpenTofu ({TOFU_VERSION}) and give it credentials for the account (`AWS_PROFILE`, or the
keys `aws configure` writes). Optional but recommended: fill in the `backend "s3"` block in
`versions.tf` for shared, locked state. Then, in this folder:

```sh
cp terraform.tfvars.example terraform.tfvars  # then adjust the values
tofu init
tofu plan -out=tfplan  # read the plan
tofu apply tfplan
tofu output
```

`./deploy.sh` runs the same after checking the prerequisites. {_destroy_note(configuration)}
{_certificate_note(configuration)}{_release_note(configuration)}
## Architecture

```
{_architecture(configuration)}
```

Each module is one component of the program; values one module needs from another
(`vpc_id`, security group IDs, the KMS key ARN) are module outputs wired in `main.tf`.
Settings that came from the manifest (instance class, task size, counts) are variables
in `variables.tf` with the manifest's values as defaults.

## Secrets

No secret is written in these files.{_secrets_note(configuration)}
Sensitive variables, if any, have no default and must be set in `terraform.tfvars` or
`TF_VAR_...`.
{_cluster_note(configuration)}
## Estimated monthly cost: ${cost.total:,.2f}

{cost.markdown()}"""


def _secrets_note(configuration: Configuration) -> str:
    types = {resource.type for resource in configuration.all_resources()}
    notes = []
    if "aws_db_instance" in types:
        notes.append("\nThe database master password is managed by RDS in Secrets Manager.")
    if "aws_eks_cluster" in types:
        notes.append(
            "\nKubernetes Secrets in the EKS cluster are envelope-encrypted with the KMS key of `modules/encryption`."
        )
    return "".join(notes)


def _cluster_note(configuration: Configuration) -> str:
    """The EKS cluster: how to reach it, and where its workloads are."""
    if not any(resource.type == "aws_eks_cluster" for resource in configuration.all_resources()):
        return ""
    region = configuration.resolved.platform.region
    return f"""
## The cluster and its workloads

These files create the EKS cluster, its managed node group, their IAM roles, the KMS key
and the network. Once `tofu apply` is done, point kubectl at the cluster (the kubeconfig
runs `aws eks get-token`: short-lived tokens from your own AWS credentials, nothing
stored):

```bash
aws eks update-kubeconfig --region {region} --name "$(tofu output -raw cluster_name)"
kubectl get nodes
```

The workloads (namespace, add-ons, PostgreSQL, the application, its ingress and network
policies) are Kubernetes objects, not OpenTofu: `specql deploy eject --only kubernetes`
writes them to `infrastructure/kubernetes/` (plain manifests and a Helm chart); apply them
to this cluster as its README says.
"""


def deletion_protected(configuration: Configuration) -> tuple[list[str], list[str]]:
    """Addresses of the resources with deletion protection on, and the variables that turn it off."""
    addresses: list[str] = []
    variables: set[str] = set()
    for resource in configuration.all_resources():
        for key in DELETION_PROTECTION_INPUTS:
            binding = BINDINGS.get((resource.type, mapping.snake(key)))
            if binding is None or resource.captured.inputs.get(key) is not True:
                continue
            module = "" if resource.module == configuration.root.name else f"module.{resource.module}."
            addresses.append(f"{module}{resource.family_address or resource.address}")  # a family as a whole
            variables.add(binding.name)
    return sorted(set(addresses)), sorted(variables)


def _destroy_section(configuration: Configuration) -> str:
    """`./deploy.sh destroy`: one confirmation, a targeted apply lifting deletion protection, the destroy."""
    resolved = configuration.resolved
    name = resolved.stack_prefix
    if resolved.is_production:
        return f"""if [ "${{1:-}}" = "destroy" ]; then
  fail "{name} is a production stack: its data resources carry prevent_destroy; remove it in the modules deliberately first"
fi"""
    addresses, variables = deletion_protected(configuration)
    lift = " ".join(f"-var={variable}=false" for variable in variables)
    targets = " ".join(f"-target={address}" for address in addresses)
    steps = (
        f"""  tofu apply -input=false -auto-approve {lift} {targets}
  tofu destroy -input=false -auto-approve {lift}"""
        if addresses
        else """  tofu destroy -input=false -auto-approve"""
    )
    return f"""if [ "${{1:-}}" = "destroy" ]; then
  # AWS refuses to delete resources with deletion protection on: turn it off on exactly
  # those ({len(addresses)}), then delete everything, after one typed confirmation.
  read -r -p "destroy every resource of {name}? type {name} to confirm: " typed || typed=""
  [ "$typed" = "{name}" ] || fail "the name did not match; nothing was destroyed"
  tofu init -input=false
{steps}
  exit 0
fi"""


def _deploy_script(configuration: Configuration, context: ExportContext) -> str:
    resolved = configuration.resolved
    return f"""#!/usr/bin/env bash
{hash_header(context).rstrip()}
# Checks the prerequisites, then init, plan and apply (`./deploy.sh destroy` deletes the stack).
# AWS credentials come from the environment, as for any OpenTofu run (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...).
set -euo pipefail
cd "$(dirname "$0")"

fail() {{ printf 'deploy: %s\\n' "$1" >&2; exit 1; }}

command -v tofu >/dev/null 2>&1 || fail "OpenTofu is not installed (https://opentofu.org/docs/intro/install/)"
[ -f terraform.tfvars ] || fail "terraform.tfvars not found: cp terraform.tfvars.example terraform.tfvars and edit it"

{_destroy_section(configuration)}
echo "deploy: {resolved.stack_prefix} ({resolved.deployment.pattern}) to {resolved.platform.region}"
tofu init -input=false
{_plan_and_apply(configuration)}
tofu output{_kubeconfig_step(configuration)}
"""


def _kubeconfig_step(configuration: Configuration) -> str:
    if not any(resource.type == "aws_eks_cluster" for resource in configuration.all_resources()):
        return ""
    region = configuration.resolved.platform.region
    return (
        '\necho "deploy: the cluster is up; point kubectl at it with:"\n'
        f'echo "  aws eks update-kubeconfig --region {region} --name $(tofu output -raw cluster_name)"'
    )


def _plan_and_apply(configuration: Configuration) -> str:
    """`tofu plan` and the apply of that plan, with the release `IMAGE_TAG` names when it is set.

    The apply is given the same value: OpenTofu refuses a saved plan whose variables differ
    from those of the applying command, which reads `terraform.tfvars` again.
    """
    variable = _image_tag_variable(configuration)
    if variable is None:
        return "tofu plan -input=false -out=tfplan\ntofu apply -input=false tfplan"
    release = f'${{IMAGE_TAG:+"-var={variable}=$IMAGE_TAG"}}'
    return f"""# IMAGE_TAG=<commit sha> ./deploy.sh deploys that image; without it, {variable} in terraform.tfvars.
tofu plan -input=false -out=tfplan {release}
tofu apply -input=false {release} tfplan"""


__all__ = ["render_configuration", "spaced"]
