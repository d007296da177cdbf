"""The deployment.yaml language: pydantic models of what users write.

Every section accepts the shorthands the original proposal uses (``backup: daily``,
``cache: redis-cluster``, ``memory: 512Mi`` ...) and turns them into the long form in a
``mode="before"`` validator next to the section, so both spellings produce the same
model. Fields left out stay ``None``: :mod:`program.resolve` decides their value from
the pattern, framework and environment tables and records why.

Nothing here imports pulumi: ``specql deploy validate`` must stay fast. For the same
reason the annotations are objects, not strings (no ``from __future__ import
annotations``: pydantic would compile and evaluate each of ~300 strings at import), and
the models build their validators on first use (``defer_build``): the sections are then
built once, inside ``DeploymentSpec``'s, instead of once each and again in their parent.
"""

import ipaddress
import re
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .catalogue import AWS_REGIONS, PATTERN_CLOUD
from .markers import Feeds
from .model import AlarmInfo, BucketInfo, cicd_environment, item_defaults

DNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|KEY", re.IGNORECASE)
VARIABLE_REFERENCE = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*(:?[-?][^}]*)?\}$")

Pattern = Literal["hobby-project", "small-saas", "production-saas", "kubernetes"]
Framework = Literal["fraiseql", "django", "rails", "nodejs"]
Size = Literal["small", "medium", "large", "xlarge"]
ENABLED_WORDS = {
    "enabled": True,
    "on": True,
    "yes": True,
    "true": True,
    "disabled": False,
    "off": False,
    "no": False,
    "false": False,
}


class Section(BaseModel):
    """Base of every manifest model: strict keys, frozen, documented fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True, defer_build=True)


def _toggle(value: Any) -> Any:
    """`enabled`/`disabled` (and on/off, yes/no) as booleans, as the seeds write them."""
    if isinstance(value, str) and value.strip().lower() in ENABLED_WORDS:
        return ENABLED_WORDS[value.strip().lower()]
    return value


def ascii_dns_label(text: str) -> str:
    """`text` as a DNS label: accents dropped (`café` → `cafe`), anything else made `-`."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9-]+", "-", plain.lower()).strip("-")[:63].strip("-")


def dns_name(value: str | None) -> str | None:
    if value is not None and not DNS_LABEL.match(value):
        suggestion = ascii_dns_label(value)
        hint = f"; did you mean {suggestion!r}?" if suggestion and suggestion != value else ""
        raise ValueError(
            f"{value!r} is not DNS-safe: use lowercase letters, digits and '-', "
            f"start and end with a letter or digit, at most 63 characters{hint}"
        )
    return value


def punycode_hint(value: str) -> str:
    """For a name with non-ASCII letters, its ASCII (punycode) spelling, as DNS stores it."""
    if value.isascii():
        return ""
    try:
        ascii_form = value.encode("idna").decode("ascii")
    except UnicodeError:
        return "; DNS names are ASCII: write an internationalised name in its punycode form (xn--...)"
    return f"; DNS names are ASCII: write the internationalised name as its punycode {ascii_form!r}"


DnsName = Annotated[str, AfterValidator(dns_name)]


def parse_memory_mib(value: Any) -> Any:
    """Memory in MiB from `512`, `"512"`, `512Mi`, `1Gi`, `512M`, `1GB`."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(Mi|M|MB|MiB|Gi|G|GB|GiB)?\s*", value)
        if not match:
            raise ValueError(f"{value!r} is not a memory size: write 512, 512Mi or 1Gi")
        number, unit = float(match.group(1)), (match.group(2) or "Mi")
        mib = number * 1024 if unit.startswith("G") else number
        if mib != int(mib):
            raise ValueError(f"{value!r} is not a whole number of MiB")
        return int(mib)
    return value


def parse_cpu(value: Any) -> Any:
    """vCPU from `0.5`, `"0.5"`, `2` or Kubernetes millicores `500m`."""
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("m") and text[:-1].isdigit():
            return int(text[:-1]) / 1000
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"{value!r} is not a CPU amount: write 0.5, 1 or 500m") from None
    return value


# --------------------------------------------------------------------------- deployment


class DeploymentMeta(Section):
    """Who and what is being deployed."""

    name: Annotated[DnsName | None, Feeds("deployment.name")] = None
    """Name of the application; prefixes every resource. DNS-safe. Defaults to the manifest's folder name."""
    framework: Annotated[Framework | None, Feeds("deployment.framework")] = None
    """Application framework; decides runtime, port, start command and health path."""
    pattern: Annotated[Pattern, Feeds("deployment.pattern")]
    """Deployment pattern: hobby-project (one Docker host), small-saas (AWS, cost first), production-saas (AWS, HA), kubernetes (any cluster)."""
    version: Annotated[str | None, Feeds("deployment.version")] = None
    """Version of the application being deployed: the tag its image is pushed and run as (CI uses each commit's SHA)."""
    domain: Annotated[str | None, Feeds("deployment.domain")] = None
    """Public domain name; enables HTTPS with an ACM certificate (AWS) or Let's Encrypt (Caddy, cert-manager)."""
    dns_zone: Annotated[str | None, Feeds("deployment.dns_zone")] = None
    """Route 53 hosted zone that holds `domain`, by name (`example.com`). With it (AWS patterns), `up` validates the certificates and points `domain` at the entry point by itself; without it, add the validation CNAME that `up` prints at your DNS provider."""
    host: Annotated[str | None, Feeds("deployment.host")] = None
    """Docker host for hobby-project, e.g. `ssh://deploy@203.0.113.10`."""

    @field_validator("domain")
    @classmethod
    def _domain(cls, value: str | None) -> str | None:
        if value is None:
            return value
        labels = value.rstrip(".").split(".")
        if len(labels) < 2 or not all(DNS_LABEL.match(label) for label in labels):
            raise ValueError(f"{value!r} is not a domain name such as app.example.com{punycode_hint(value)}")
        return value.rstrip(".")

    @field_validator("dns_zone")
    @classmethod
    def _dns_zone(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return value
        zone = value.rstrip(".").lower()
        labels = zone.split(".")
        if len(labels) < 2 or not all(DNS_LABEL.match(label) for label in labels):
            raise ValueError(f"{value!r} is not a zone name such as example.com{punycode_hint(value)}")
        if "domain" not in info.data:
            return zone  # the domain itself is wrong; that error says enough
        domain = info.data["domain"]
        if domain is None:
            raise ValueError("a DNS zone serves `deployment.domain`: set the domain too")
        if domain != zone and not domain.endswith(f".{zone}"):
            raise ValueError(f"{domain} is not inside the zone {zone}: write the zone that holds the domain")
        return zone

    @field_validator("host")
    @classmethod
    def _host(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^(ssh|tcp|unix)://\S+$", value):
            raise ValueError("write the Docker host as ssh://user@server, tcp://host:2376 or unix:///path")
        return value


# ----------------------------------------------------------------------------- platform


def _primary(regions: tuple[str, ...]) -> str:
    return regions[0]


def _disaster_recovery(regions: tuple[str, ...]) -> str | None:
    return regions[1] if len(regions) == 2 else None


class PlatformSpec(Section):
    """Where the infrastructure runs. `platform: aws` is short for `platform: {provider: aws}`."""

    provider: Annotated[
        Literal["aws", "gcp", "azure", "digitalocean", "bare-metal"] | None, Feeds("platform.provider")
    ] = None
    """Cloud provider. Only `aws` has patterns today (small-saas, production-saas)."""
    region: Annotated[str | None, Feeds("platform.region")] = None
    """Primary AWS region (the first of `regions` when those are listed)."""
    regions: Annotated[
        tuple[str, ...] | None, Feeds("platform.region", _primary), Feeds("platform.dr_region", _disaster_recovery)
    ] = None
    """Regions in order: the primary, then the disaster-recovery region (production-saas builds a cross-region read replica there). Defaults to `region` alone: no disaster-recovery region."""
    availability_zones: Annotated[int | None, Feeds("platform.availability_zones")] = Field(default=None, ge=1, le=6)
    """Availability zones to spread subnets over."""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"provider": data} if isinstance(data, str) else data

    @field_validator("region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        return _check_region(value)

    @field_validator("regions")
    @classmethod
    def _regions(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is None:
            return value
        if not 1 <= len(value) <= 2:
            raise ValueError("list one region, or two: the primary then the disaster-recovery region")
        for region in value:
            _check_region(region)
        if len(set(value)) != len(value):
            raise ValueError("the disaster-recovery region must differ from the primary")
        return value

    @model_validator(mode="after")
    def _region_agrees(self) -> Self:
        if self.region and self.regions and self.regions[0] != self.region:
            raise ValueError(
                f"`region` ({self.region}) and the first of `regions` ({self.regions[0]}) disagree; keep one"
            )
        return self


def _check_region(value: str | None) -> str | None:
    if value is not None and value not in AWS_REGIONS:
        from difflib import get_close_matches

        close = get_close_matches(value, AWS_REGIONS, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ValueError(f"{value!r} is not an AWS region{hint}")
    return value


# ----------------------------------------------------------------------------- database


class BackupSpec(Section):
    """Automated backups. `backup: daily` is short for `backup: {frequency: daily}`."""

    frequency: Annotated[
        Literal["hourly", "daily", "weekly", "continuous"] | None, Feeds("database.backup_frequency")
    ] = None
    """How often backups are taken; `continuous` keeps point-in-time recovery over the whole retention."""
    retention: Annotated[int | None, Feeds("database.backup_retention_days")] = Field(default=None, ge=0, le=35)
    """Days backups are kept (RDS allows 0–35; 0 turns automated backups off)."""
    destination: Annotated[str | None, Feeds("database.backup_destination")] = None
    """Off-site copy of every dump (hobby-project), as `s3://bucket/prefix`: the dumps survive the loss of the host. The keys come from the secrets BACKUP_ACCESS_KEY_ID and BACKUP_SECRET_ACCESS_KEY, never from this file."""
    endpoint: Annotated[str | None, Feeds("database.backup_endpoint")] = None
    """HTTPS endpoint of an S3-compatible store for `destination` (Cloudflare R2, Backblaze B2, MinIO)."""
    region: Annotated[str | None, Feeds("database.backup_region")] = None
    """Region of the `destination` bucket."""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"frequency": data} if isinstance(data, str) else data

    @field_validator("destination")
    @classmethod
    def _destination(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[A-Za-z0-9._/-]*)?", value):
            raise ValueError(f"{value!r} is not an S3 location such as s3://my-backups/app")
        return value.rstrip("/") if value is not None else value

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https://[A-Za-z0-9.-]+(:\d+)?/?", value):
            raise ValueError(
                f"{value!r} is not an HTTPS endpoint such as https://<account>.r2.cloudflarestorage.com "
                "(backups travel over TLS only)"
            )
        return value.rstrip("/") if value is not None else value

    @model_validator(mode="after")
    def _where(self) -> Self:
        if (self.endpoint or self.region) and not self.destination:
            raise ValueError("`endpoint` and `region` describe `destination`: set the destination too")
        return self


class DatabaseSpec(Section):
    """The PostgreSQL database."""

    engine: Annotated[Literal["postgresql"] | None, Feeds("database.engine")] = None
    """Database engine."""
    version: Annotated[str | None, Feeds("database.version")] = None
    """PostgreSQL major version."""
    size: Annotated[Size | None, Feeds("database.size")] = None
    """Instance size; the pattern maps it to a class (small → db.t4g.micro on small-saas)."""
    storage: Annotated[int | None, Feeds("database.storage_gb")] = Field(default=None, ge=20, le=65536)
    """Allocated storage in GB (gp3), 20–65536."""
    backup: BackupSpec | None = None
    """Backup schedule and retention."""
    replicas: Annotated[int | None, Feeds("database.read_replicas")] = Field(default=None, ge=0, le=5)
    """Read replicas in the primary region."""
    multi_az: Annotated[bool | None, Feeds("database.multi_az")] = None
    """Standby in a second availability zone with automatic failover."""
    operator: Annotated[Literal["cloudnative-pg", "crunchy-pgo"] | None, Feeds("database.operator")] = None
    """Kubernetes operator that runs PostgreSQL (kubernetes pattern)."""


# -------------------------------------------------------------------------- application


class AutoscaleSpec(Section):
    """Target-tracking autoscaling of the application."""

    enabled: Annotated[bool | None, Feeds("application.autoscale")] = None
    """Turn autoscaling on; writing the section turns it on unless it says `enabled: false`."""
    min: Annotated[int | None, Feeds("application.autoscale_min")] = Field(default=None, ge=1)
    """Fewest running instances."""
    max: Annotated[int | None, Feeds("application.autoscale_max")] = Field(default=None, ge=1)
    """Most running instances."""
    target_cpu: Annotated[int | None, Feeds("application.target_cpu")] = Field(default=None, ge=10, le=95)
    """Average CPU percentage to hold."""
    target_memory: Annotated[int | None, Feeds("application.target_memory")] = Field(default=None, ge=10, le=95)
    """Average memory percentage to hold; scaling on memory is off unless set."""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        data = _toggle(data)
        return {"enabled": data} if isinstance(data, bool) else data

    @model_validator(mode="after")
    def _range(self) -> Self:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"`min` ({self.min}) must not exceed `max` ({self.max})")
        return self


class HealthCheckSpec(Section):
    """How the load balancer and orchestrator tell the application is healthy."""

    path: Annotated[str | None, Feeds("application.health_check_path")] = None
    """HTTP path that answers 200 when healthy."""
    interval: Annotated[int | None, Feeds("application.health_check_interval")] = Field(default=None, ge=5, le=300)
    """Seconds between checks."""
    timeout: Annotated[int | None, Feeds("application.health_check_timeout")] = Field(default=None, ge=2, le=120)
    """Seconds before a check counts as failed."""
    healthy_threshold: Annotated[int | None, Feeds("application.healthy_threshold")] = Field(default=None, ge=2, le=10)
    """Passing checks in a row before an instance gets traffic (the ALB takes 2 to 10)."""

    @field_validator("path")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("/"):
            raise ValueError(f"{value!r} must start with '/'")
        return value

    @model_validator(mode="after")
    def _timeout_below_interval(self) -> Self:
        if self.interval is not None and self.timeout is not None and self.timeout >= self.interval:
            raise ValueError(f"`timeout` ({self.timeout}s) must be shorter than `interval` ({self.interval}s)")
        return self


def _enabled_when_present(section: "AutoscaleSpec | CacheSpec") -> bool:
    """A section that is written turns its feature on unless it says `enabled: false`."""
    return section.enabled if section.enabled is not None else True


class ApplicationSpec(Section):
    """The application containers."""

    runtime: Annotated[Literal["python", "nodejs", "ruby", "go"] | None, Feeds("application.runtime")] = None
    """Language runtime."""
    version: Annotated[str | None, Feeds("application.runtime_version")] = None
    """Runtime version (e.g. `3.13`, `20`)."""
    instances: Annotated[int | None, Feeds("application.instances")] = Field(
        default=None, ge=1, le=1000, validation_alias=AliasChoices("instances", "replicas")
    )
    """Running copies of the application (`replicas` is accepted too)."""
    memory: Annotated[int | None, Feeds("application.memory_mib")] = Field(default=None, ge=128, le=122880)
    """Memory per instance in MiB; `512`, `512Mi` and `1Gi` are accepted. On Fargate it must pair with `cpu`."""
    cpu: Annotated[float | None, Feeds("application.cpu")] = Field(default=None, gt=0, le=16)
    """vCPU per instance (`0.25`, `0.5`, `1` ... or `500m`)."""
    port: Annotated[int | None, Feeds("application.port")] = Field(default=None, ge=1, le=65535)
    """Port the application listens on."""
    command: Annotated[tuple[str, ...] | None, Feeds("application.command")] = None
    """Start command."""
    autoscale: Annotated[AutoscaleSpec | None, Feeds("application.autoscale", _enabled_when_present)] = None
    """Autoscaling; `autoscale: enabled` is short for `{enabled: true}`."""
    health_check: HealthCheckSpec | None = None
    """Health check settings."""
    hpa: Annotated[bool | None, Feeds("application.hpa")] = None
    """HorizontalPodAutoscaler (kubernetes pattern); `hpa: enabled` is accepted."""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if "instances" in data and "replicas" in data:
            raise ValueError("`instances` and `replicas` mean the same thing; keep one")
        if "hpa" in data:
            data["hpa"] = _toggle(data["hpa"])
        if isinstance(data.get("command"), str):
            data["command"] = tuple(data["command"].split())
        return data

    @field_validator("memory", mode="before")
    @classmethod
    def _memory(cls, value: Any) -> Any:
        return parse_memory_mib(value)

    @field_validator("cpu", mode="before")
    @classmethod
    def _cpu(cls, value: Any) -> Any:
        return parse_cpu(value)

    @model_validator(mode="after")
    def _autoscale_covers_instances(self) -> Self:
        scale = self.autoscale
        if scale and scale.max is not None and self.instances is not None and scale.max < self.instances:
            raise ValueError(
                f"`autoscale.max` ({scale.max}) is below `instances` ({self.instances}); raise max or lower instances"
            )
        return self


# --------------------------------------------------------------------------- networking


class LoadBalancerSpec(Section):
    """The public entry point."""

    type: Annotated[Literal["application", "network"] | None, Feeds("load_balancer.type")] = None
    """`application` (HTTP routing, ALB) or `network` (TCP)."""
    ssl: Annotated[bool | None, Feeds("load_balancer.https")] = None
    """Serve HTTPS."""
    certificate: Annotated[str | None, Feeds("load_balancer.certificate")] = None
    """`letsencrypt`, `acm` (a new ACM certificate for the domain) or an existing ACM certificate ARN."""

    @field_validator("certificate")
    @classmethod
    def _certificate(cls, value: str | None) -> str | None:
        if value is None or value in ("letsencrypt", "acm") or value.startswith("arn:aws:acm:"):
            return value
        raise ValueError("use `letsencrypt`, `acm` or an ACM certificate ARN (arn:aws:acm:...)")


class NetworkingSpec(Section):
    """The VPC and its subnets."""

    vpc_cidr: Annotated[str | None, Feeds("network.vpc_cidr")] = None
    """VPC address range, /16 to /24."""
    public_subnets: Annotated[int | None, Feeds("platform.availability_zones")] = Field(default=None, ge=1, le=6)
    """Public subnets (one per availability zone). Defaults to `platform.availability_zones`."""
    private_subnets: Annotated[int | None, Feeds("platform.availability_zones")] = Field(default=None, ge=1, le=6)
    """Private subnets for the application (one per availability zone). Defaults to `platform.availability_zones`."""
    nat_gateway: Annotated[Literal["none", "single", "one-per-az"] | None, Feeds("network.nat_strategy")] = None
    """Outbound internet for private subnets: `single` (cheapest), `one-per-az` (survives an AZ outage) or `none`; `true`/`false` are accepted."""
    load_balancer: LoadBalancerSpec | None = None
    """Load balancer settings."""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("nat_gateway"), bool):
            data = dict(data)
            # true keeps the pattern's strategy; resolution reads this marker.
            data["nat_gateway"] = None if data["nat_gateway"] else "none"
        return data

    @field_validator("vpc_cidr")
    @classmethod
    def _cidr(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            network = ipaddress.ip_network(value, strict=True)
        except ValueError as error:
            raise ValueError(f"{value!r} is not a valid CIDR block ({error})") from None
        if network.version != 4 or not 16 <= network.prefixlen <= 24:
            raise ValueError(f"{value!r}: AWS VPCs take an IPv4 block from /16 to /24")
        if not network.is_private:
            raise ValueError(f"{value!r} is public address space; use a private range such as 10.0.0.0/16")
        return value

    @model_validator(mode="after")
    def _subnets_agree(self) -> Self:
        if self.public_subnets and self.private_subnets and self.public_subnets != self.private_subnets:
            raise ValueError("`public_subnets` and `private_subnets` must match: one of each per availability zone")
        return self


# ------------------------------------------------------------------------------ storage


class BucketSpec(Section):
    """One object storage bucket."""

    name: Annotated[DnsName, Feeds("storage.buckets[].name")]
    """Bucket name suffix (DNS-safe); the full name is `<deployment>-<env>-<name>`."""
    public: bool | None = None
    """Public buckets are refused; serve public files through the CDN instead. Defaults to `false`."""
    versioning: Annotated[bool | None, Feeds("storage.buckets[].versioning")] = None
    """Keep old object versions."""
    lifecycle: Annotated[int | None, Feeds("storage.buckets[].lifecycle_days")] = Field(default=None, ge=1, le=3650)
    """Days after which objects (and old versions) expire."""

    @field_validator("public")
    @classmethod
    def _private(cls, value: bool | None) -> bool | None:
        if value:
            raise ValueError(
                "public buckets are not created: keep it private and serve files through "
                "CloudFront (production-saas) or signed URLs"
            )
        return value


def _buckets(buckets: tuple[BucketSpec, ...]) -> tuple[dict[str, Any], ...]:
    defaults = item_defaults(BucketInfo)
    return tuple(
        {
            "name": bucket.name,
            "versioning": bucket.versioning if bucket.versioning is not None else defaults["versioning"],
            "lifecycle_days": bucket.lifecycle if bucket.lifecycle is not None else defaults["lifecycle_days"],
        }
        for bucket in buckets
    )


class StorageSpec(Section):
    """Object storage. `storage: s3` is short for `storage: {type: s3}` (one `uploads` bucket)."""

    type: Annotated[
        Literal["s3", "gcs", "azure-blob", "local"] | None,
        Feeds("storage.enabled", lambda kind: kind != "local", doc=False),
    ] = None
    """Storage service: `s3` (S3 on AWS, S3-compatible MinIO elsewhere) or `local` (no object store). Defaults to `s3` when the section is written."""
    buckets: Annotated[tuple[BucketSpec, ...] | None, Feeds("storage.buckets", _buckets)] = None
    """Buckets to create."""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"type": data} if isinstance(data, str) else data

    @field_validator("buckets")
    @classmethod
    def _unique(cls, value: tuple[BucketSpec, ...] | None) -> tuple[BucketSpec, ...] | None:
        names = [bucket.name for bucket in value or ()]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"bucket names must be unique: {', '.join(duplicates)}")
        return value


# -------------------------------------------------------------------------------- cache


class CacheSpec(Section):
    """Redis cache. `cache: redis-cluster` means Redis with replicas and failover."""

    enabled: Annotated[bool | None, Feeds("cache.enabled")] = None
    """Create a cache; writing the section turns it on unless it says `enabled: false`."""
    type: Annotated[Literal["redis", "memcached"] | None, Feeds("cache.engine")] = None
    """Cache engine. Only `redis` is built (encryption in transit and AUTH need it)."""
    size: Annotated[Size | None, Feeds("cache.size")] = None
    """Node size; the pattern maps it to a node type (small → cache.t4g.micro)."""
    replicas: Annotated[int | None, Feeds("cache.replicas")] = Field(default=None, ge=0, le=5)
    """Replica nodes beside the primary."""
    cluster_mode: Annotated[bool | None, Feeds("cache.cluster_mode")] = None
    """Redis cluster mode (sharding); `cache: redis-cluster` turns it on with replicas and failover."""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        data = _toggle(data)
        if isinstance(data, bool):
            return {"enabled": data}
        if data == "redis-cluster":
            return {"enabled": True, "type": "redis", "cluster_mode": True}
        if isinstance(data, str):
            return {"enabled": True, "type": data}
        return data


# --------------------------------------------------------------------------- monitoring


class MetricsSpec(Section):
    """Where metrics go."""

    prometheus: Annotated[bool | None, Feeds("monitoring.prometheus")] = None
    """Expose and scrape Prometheus metrics."""
    cloudwatch: Annotated[bool | None, Feeds("monitoring.container_insights")] = None
    """CloudWatch Container Insights: per-task CPU and memory of the ECS service (AWS); alarms and the dashboard follow `level`."""


class LogsSpec(Section):
    """Where logs go and how long they stay."""

    aggregator: Annotated[
        Literal["cloudwatch", "loki", "elasticsearch", "none"] | None, Feeds("monitoring.log_aggregator")
    ] = None
    """Log store; `none` keeps logs only where the runtime does (Docker's json-file logs, the kubelet's files)."""
    retention: Annotated[int | None, Feeds("monitoring.log_retention_days")] = Field(default=None, ge=1, le=3653)
    """Days logs are kept."""


class DashboardsSpec(Section):
    """Dashboards."""

    grafana: Annotated[bool | None, Feeds("monitoring.grafana")] = None
    """Provision Grafana dashboards."""


DURATION_UNITS = {"s": 1, "m": 60, "h": 3600}
"""Suffix of an alarm `duration` → seconds."""


def _duration_seconds(text: str) -> int:
    return int(text[:-1]) * DURATION_UNITS[text[-1]]


def _duration_text(seconds: int) -> str:
    """Seconds as the manifest writes them: `5m`, `30s`, `1h`."""
    for suffix, unit in sorted(DURATION_UNITS.items(), key=lambda pair: -pair[1]):
        if seconds % unit == 0:
            return f"{seconds // unit}{suffix}"
    return f"{seconds}s"


class AlarmSpec(Section):
    """One alert. Write `condition: cpu > 80` or `type: cpu_high` with `threshold: 80`."""

    name: str | None = None
    """Alert name. Defaults to `type`."""
    type: (
        Literal[
            "cpu_high",
            "memory_high",
            "db_connections",
            "db_cpu",
            "db_storage",
            "http_5xx",
            "unhealthy_hosts",
            "cache_memory",
        ]
        | None
    ) = None
    """What is watched. Defaults to none: `condition` names the metric instead."""
    condition: str | None = None
    """Threshold as `metric > value` (e.g. `cpu > 80`, `connections > 80%`). Defaults to none: `type` and `threshold` say it instead."""
    threshold: Annotated[float | None, Feeds("monitoring.alarms[].threshold")] = None
    """Value that triggers the alert; read from `condition` when that is given."""
    duration: Annotated[str | None, Feeds("monitoring.alarms[].duration_seconds", shown=_duration_text)] = None
    """How long the condition must hold (`5m`, `30s`)."""
    channel: Annotated[Literal["email", "slack", "sns"] | None, Feeds("monitoring.alarms[].channel")] = None
    """Where the alert goes."""
    email: Annotated[str | None, Feeds("monitoring.alarms[].email")] = None
    """Address subscribed to the alerts topic. Defaults to none: the alarm notifies the topic and its other subscribers."""

    @field_validator("condition")
    @classmethod
    def _condition(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\s*[a-z_][a-z0-9_]*\s*(>=|<=|>|<)\s*\d+(\.\d+)?%?\s*", value):
            raise ValueError(f"{value!r}: write a condition as `metric > number`, e.g. `cpu > 80`")
        return value

    @field_validator("duration")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d+[smh]", value):
            raise ValueError(f"{value!r}: write a duration as 30s, 5m or 1h")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise ValueError(f"{value!r} is not an email address")
        return value

    @model_validator(mode="after")
    def _what(self) -> Self:
        if not (self.type or self.condition or self.name):
            raise ValueError("give the alarm a `type` or a `condition`")
        return self


def _alarm(alarm: AlarmSpec) -> dict[str, Any]:
    """One alarm as the resolved model holds it; what it leaves out takes :class:`AlarmInfo`'s defaults."""
    defaults = item_defaults(AlarmInfo)
    comparison, threshold, percent, metric = defaults["comparison"], alarm.threshold, False, alarm.type or alarm.name
    if alarm.condition:
        match = re.fullmatch(r"\s*([a-z_][a-z0-9_]*)\s*(>=|<=|>|<)\s*(\d+(?:\.\d+)?)(%?)\s*", alarm.condition)
        assert match  # the spec validated the condition's shape
        metric, comparison, threshold, percent = (
            match.group(1),
            match.group(2),
            float(match.group(3)),
            bool(match.group(4)),
        )
    assert metric is not None  # the spec refused an alarm without type, condition or name
    return AlarmInfo(
        name=alarm.name or alarm.type or metric,
        metric=metric,
        comparison=comparison,
        threshold=threshold if threshold is not None else defaults["threshold"],
        percent=percent,
        duration_seconds=_duration_seconds(alarm.duration) if alarm.duration else defaults["duration_seconds"],
        channel=alarm.channel or defaults["channel"],
        email=alarm.email,
    ).model_dump()


def _alarms(alarms: tuple[AlarmSpec, ...]) -> tuple[dict[str, Any], ...]:
    return tuple(_alarm(alarm) for alarm in alarms)


def _alarm_emails(alarms: tuple[AlarmSpec, ...]) -> tuple[str, ...] | None:
    """Every address the alarms name, sorted; None (the default) when they name none."""
    return tuple(sorted({alarm.email for alarm in alarms if alarm.email})) or None


class MonitoringSpec(Section):
    """Observability. `monitoring: standard` is short for `monitoring: {level: standard}`."""

    level: Annotated[Literal["basic", "standard", "enterprise"] | None, Feeds("monitoring.level")] = None
    """How much is watched: basic (core alarms), standard (+ dashboard, DB and cache alarms), enterprise (+ p99 latency, database I/O latency and replica lag alarms)."""
    stack: Annotated[
        Literal["cloudwatch", "prometheus", "kube-prometheus-stack", "uptime-kuma"] | None, Feeds("monitoring.stack")
    ] = None
    """Monitoring stack."""
    metrics: MetricsSpec | None = None
    """Metrics destinations."""
    logs: LogsSpec | None = None
    """Log aggregation and retention."""
    dashboards: DashboardsSpec | None = None
    """Dashboards."""
    alarms: Annotated[
        tuple[AlarmSpec, ...] | None,
        Feeds("monitoring.alarms", _alarms),
        Feeds("monitoring.alarm_emails", _alarm_emails),
    ] = Field(default=None, validation_alias=AliasChoices("alarms", "alerts"))
    """Extra alerts and who hears them (`alerts` is accepted too)."""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"level": data} if data in ("basic", "standard", "enterprise") else {"stack": data}
        return data


# ----------------------------------------------------------------------------- security


class SecuritySpec(Section):
    """Security switches. `waf: enabled` and `ddos_protection: enabled` are accepted."""

    ssl: Annotated[bool | None, Feeds("security.ssl")] = None
    """HTTPS everywhere a domain is given."""
    certificate_provider: Annotated[
        Literal["letsencrypt", "aws-acm"] | None, Feeds("security.certificate_provider")
    ] = None
    """Certificate authority."""
    waf: Annotated[bool | None, Feeds("edge.waf")] = None
    """AWS WAF web ACL with managed rule groups in front of the application."""
    ddos_protection: Annotated[bool | None, Feeds("edge.ddos_protection")] = None
    """AWS Shield Advanced (about $3,000/month, 1-year commitment)."""
    secrets_manager: Annotated[
        Literal["aws-secrets", "vault", "env-file"] | None, Feeds("security.secrets_manager")
    ] = None
    """Where secrets live."""
    encryption_at_rest: Annotated[bool | None, Feeds("security.encryption_at_rest")] = None
    """Encrypt databases, caches, buckets and logs. Always on; `false` is refused."""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = {
                key: _toggle(value) if key in ("waf", "ddos_protection", "ssl", "encryption_at_rest") else value
                for key, value in data.items()
            }
        return data

    @field_validator("encryption_at_rest")
    @classmethod
    def _always(cls, value: bool | None) -> bool | None:
        if value is False:
            raise ValueError("encryption at rest cannot be turned off: it is free and protects every backup")
        return value


# -------------------------------------------------------------------------------- CI/CD


class TriggerAction(Section):
    """What a trigger does."""

    branch: str | None = None
    """Branch the trigger watches. Defaults to `main`."""
    action: Literal["test", "preview", "deploy"]
    """`test`, `preview` (infrastructure diff as a PR comment) or `deploy`."""


class TriggerSpec(Section):
    """A CI trigger: `- push: {branch: main, action: deploy}` or `- pull_request: {action: test}`."""

    push: TriggerAction | None = None
    """On push to a branch."""
    pull_request: TriggerAction | None = None
    """On pull requests."""

    @model_validator(mode="after")
    def _one(self) -> Self:
        if (self.push is None) == (self.pull_request is None):
            raise ValueError("a trigger is exactly one of `push` or `pull_request`")
        return self


class CicdEnvironmentSpec(Section):
    """A deployment target in the pipeline."""

    name: Annotated[DnsName, Feeds("cicd.environments[].name")]
    """Environment name (a stack of the same name)."""
    auto_deploy: Annotated[bool | None, Feeds("cicd.environments[].auto_deploy")] = None
    """Deploy on every push to the main branch. Defaults to on except for production."""
    approval_required: Annotated[bool | None, Feeds("cicd.environments[].approval_required")] = None
    """Require a reviewer's approval (GitHub environment protection). Defaults to on for production."""


class MigrationsSpec(Section):
    """Database migrations in the pipeline."""

    auto_run: Annotated[bool | None, Feeds("cicd.migrations_auto_run")] = None
    """Run migrations automatically before a deploy."""
    rollback_on_failure: Annotated[bool | None, Feeds("cicd.rollback_on_failure")] = None
    """Roll the service back when migrations or the smoke test fail."""


def _cicd_environments(environments: tuple[CicdEnvironmentSpec, ...]) -> tuple[dict[str, Any], ...]:
    return tuple(cicd_environment(e.name, e.auto_deploy, e.approval_required) for e in environments)


def _deploy_branch(triggers: tuple[TriggerSpec, ...]) -> str | None:
    """The branch of the first `push` trigger that deploys."""
    pushes = [trigger.push for trigger in triggers if trigger.push and trigger.push.action == "deploy"]
    return pushes[0].branch if pushes else None


PINNED_SPECQL = re.compile(
    r"specql-deploy(==\d+(\.\d+)*\S*"
    r"| @ git\+https://\S+@[\w.\-/]+"
    r"| @ https://\S+\.(whl|tar\.gz)(#sha256=[0-9a-f]{64})?)"
)
"""A requirement naming exactly one specql-deploy release."""


class CicdSpec(Section):
    """The delivery pipeline."""

    provider: Annotated[Literal["github-actions", "gitlab-ci", "circleci"] | None, Feeds("cicd.provider")] = None
    """CI system: `github-actions` (ci-cd/github-actions/) or `gitlab-ci` (ci-cd/gitlab-ci/.gitlab-ci.yml)."""
    triggers: Annotated[tuple[TriggerSpec, ...] | None, Feeds("cicd.main_branch", _deploy_branch, doc=False)] = None
    """When the pipeline runs. Defaults to tests and previews on pull requests, deploy on push to main."""
    environments: Annotated[tuple[CicdEnvironmentSpec, ...] | None, Feeds("cicd.environments", _cicd_environments)] = (
        None
    )
    """Promotion order."""
    migrations: MigrationsSpec | None = None
    """Migration policy."""
    specql_source: Annotated[str | None, Feeds("cicd.specql_source")] = None
    """Where CI installs specql-deploy from, as a pinned pip requirement:
    `specql-deploy @ git+https://host/org/specql-deploy@v0.1.0` (a tag or a commit),
    `specql-deploy @ https://host/specql_deploy-0.1.0-py3-none-any.whl`, or
    `specql-deploy==0.1.0` from `specql_index`."""
    specql_index: Annotated[str | None, Feeds("cicd.specql_index")] = Field(default=None, pattern=r"^https://\S+$")
    """Package index (pip's `--index-url`) serving specql-deploy, for a `specql-deploy==<version>` source."""

    @field_validator("specql_source")
    @classmethod
    def _pinned_source(cls, value: str | None) -> str | None:
        if value is None or PINNED_SPECQL.fullmatch(value.strip()):
            return value
        raise ValueError(
            "name one release: `specql-deploy==<version>`, `specql-deploy @ git+<url>@<tag or commit>` "
            "or `specql-deploy @ https://<url>.whl`"
        )

    @model_validator(mode="after")
    def _index_for_a_version(self) -> Self:
        if self.specql_index and not (self.specql_source or "").startswith("specql-deploy=="):
            raise ValueError("specql_index serves a `specql-deploy==<version>` source; set specql_source to one")
        return self


# ------------------------------------------------------------------------- kubernetes


class IngressSpec(Section):
    """Kubernetes ingress."""

    class_: Annotated[Literal["nginx", "traefik"] | None, Feeds("kubernetes.ingress_class")] = Field(
        default=None, alias="class"
    )
    """Ingress controller class."""
    ssl: Annotated[Literal["cert-manager", "none"] | None, Feeds("kubernetes.tls")] = None
    """TLS certificates: `cert-manager` (Let's Encrypt) or `none`."""

    model_config = ConfigDict(populate_by_name=True)


class KubernetesSpec(Section):
    """Kubernetes pattern settings (also accepted directly under `deployment`)."""

    cluster: Annotated[Literal["existing", "create"] | None, Feeds("kubernetes.cluster")] = None
    """`existing` uses your kubeconfig; `create` builds an EKS cluster."""
    kubeconfig: Annotated[str | None, Feeds("kubernetes.kubeconfig")] = None
    """Path of the kubeconfig to use with `cluster: existing`."""
    context: Annotated[str | None, Feeds("kubernetes.context")] = None
    """kubeconfig context."""
    namespace: Annotated[DnsName | None, Feeds("kubernetes.namespace")] = None
    """Namespace for the application. DNS-safe."""
    ingress: IngressSpec | None = None
    """Ingress controller and TLS."""
    existing_addons: Annotated[
        tuple[Literal["ingress-controller", "cert-manager", "database-operator", "monitoring", "logs"], ...] | None,
        Feeds("kubernetes.existing_addons"),
    ] = None
    """Add-ons the cluster already runs, so they are not installed again (`logs`: Loki and Grafana Alloy)."""


# ------------------------------------------------------------------------- environments


class EnvironmentSpec(Section):
    """One environment (a stack): its variables, its secrets, and what it overrides."""

    name: DnsName
    """Environment name: development, staging, production or your own."""
    variables: dict[str, str | int | float | bool] | None = None
    """Plain environment variables for the application. Secrets do not belong here. Defaults to none."""
    secrets: tuple[str, ...] | None = None
    """Names of secrets the application needs; values live in the secrets manager, never in this file. Defaults to none."""
    database: DatabaseSpec | None = None
    """Database settings for this environment only."""
    application: ApplicationSpec | None = None
    """Application settings for this environment only."""
    cache: CacheSpec | None = None
    """Cache settings for this environment only."""
    monitoring: MonitoringSpec | None = None
    """Monitoring settings for this environment only."""
    security: SecuritySpec | None = None
    """Security settings for this environment only."""
    networking: NetworkingSpec | None = None
    """Networking settings for this environment only."""

    @field_validator("variables")
    @classmethod
    def _no_secret_values(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        for key, literal in (value or {}).items():
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
                raise ValueError(f"@{key}: not a valid environment variable name (letters, digits, _)")
            if SECRET_NAME.search(key) and not (isinstance(literal, str) and VARIABLE_REFERENCE.match(literal)):
                raise ValueError(
                    f"@{key}: looks like a secret: list it under `secrets:` (the value then comes "
                    f"from the secrets manager) or reference it as ${{{key}}}"
                )
        return value

    @field_validator("secrets")
    @classmethod
    def _secret_names(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        for name in value or ():
            if not re.fullmatch(r"[A-Z_][A-Z0-9_]*", name):
                raise ValueError(f"{name!r}: secret names are UPPER_SNAKE_CASE environment variable names")
        return value


# --------------------------------------------------------------------------------- root


def _storage_enabled(storage: StorageSpec) -> bool:
    return storage.type != "local"


class DeploymentSpec(Section):
    """A deployment manifest (`deployment.yaml`)."""

    deployment: DeploymentMeta
    """What is deployed and with which pattern."""
    platform: PlatformSpec | None = None
    """Cloud provider and regions."""
    database: DatabaseSpec | None = None
    """PostgreSQL database."""
    application: ApplicationSpec | None = None
    """Application containers."""
    networking: NetworkingSpec | None = None
    """VPC and load balancer."""
    storage: Annotated[StorageSpec | None, Feeds("storage.enabled", _storage_enabled)] = None
    """Object storage."""
    cache: Annotated[CacheSpec | None, Feeds("cache.enabled", _enabled_when_present)] = None
    """Redis cache."""
    monitoring: MonitoringSpec | None = None
    """Alarms, logs and dashboards."""
    security: SecuritySpec | None = None
    """Security switches."""
    cicd: CicdSpec | None = None
    """CI/CD pipeline."""
    kubernetes: KubernetesSpec | None = None
    """Kubernetes pattern settings."""
    environments: tuple[EnvironmentSpec, ...] | None = None
    """Environments (stacks) with their variables, secrets and overrides. Defaults to one environment, `dev`."""

    @field_validator("environments")
    @classmethod
    def _unique_environments(cls, value: tuple[EnvironmentSpec, ...] | None) -> tuple[EnvironmentSpec, ...] | None:
        names = [environment.name for environment in value or ()]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"environment names must be unique: {', '.join(duplicates)}")
        return value

    @model_validator(mode="after")
    def _pattern_rules(self) -> Self:
        cloud = PATTERN_CLOUD[self.deployment.pattern]
        provider = self.platform.provider if self.platform else None
        if cloud == "aws" and provider not in (None, "aws"):
            raise ValueError(
                f"platform.provider: pattern {self.deployment.pattern} runs on AWS; "
                f"{provider} has no pattern yet (use kubernetes for any cluster)"
            )
        return self


SECTIONS: tuple[str, ...] = tuple(name for name in DeploymentSpec.model_fields if name != "deployment")
"""The manifest's sections beside `deployment:` (which also accepts them nested under it)."""
