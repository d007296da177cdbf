"""Certificates: an ACM certificate that is only used once ACM has issued it.

A load balancer listener or a CloudFront distribution refuses a certificate that is
still pending validation, so every user of a certificate takes the ARN from an
`aws.acm.CertificateValidation`, which completes when ACM has seen the DNS record.
With a Route 53 zone the record is written here; without one, `up` prints it (see
`automation/events.py`) and waits while the user adds it at their DNS provider.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ...program.building_blocks import CERTIFICATE_VALIDATION_TTL_SECONDS


@dataclass(frozen=True)
class ValidatedCertificate:
    certificate: aws.acm.Certificate
    arn: pulumi.Output[str]
    """The certificate's ARN, known only once ACM has issued it (use this one)."""


def validated_certificate(
    name: str, domain: str, zone_id: pulumi.Input[str] | None, opts: pulumi.ResourceOptions
) -> ValidatedCertificate:
    """A DNS-validated certificate for `domain`, its validation record in `zone_id` if given."""
    certificate = aws.acm.Certificate(
        name,
        domain_name=domain,
        validation_method="DNS",
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(delete_before_replace=False)),
    )
    fqdns: list[pulumi.Output[str]] | None = None
    if zone_id is not None:
        options = certificate.domain_validation_options
        record = aws.route53.Record(
            f"{name}-validation",
            zone_id=zone_id,
            name=options.apply(lambda found: found[0].resource_record_name if found else None),
            type=options.apply(lambda found: found[0].resource_record_type if found else None),
            records=[options.apply(lambda found: found[0].resource_record_value if found else None)],
            ttl=CERTIFICATE_VALIDATION_TTL_SECONDS,
            # ACM asks for the same record for every certificate of a domain in an account
            allow_overwrite=True,
            opts=opts,
        )
        fqdns = [record.fqdn]
    validation = aws.acm.CertificateValidation(
        f"{name}-issued", certificate_arn=certificate.arn, validation_record_fqdns=fqdns, opts=opts
    )
    return ValidatedCertificate(certificate, validation.certificate_arn)
