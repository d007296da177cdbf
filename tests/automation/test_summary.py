"""The preview summary: JSON shape, engine-event folding, and the PR-comment Markdown."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from specql_deploy.automation.events import (
    EventLog,
    ResourceChange,
    change_from_metadata,
)
from specql_deploy.automation.summary import (
    GITHUB_COMMENT_LIMIT,
    PreviewSummary,
    mask_outputs,
    render_markdown,
    sticky_marker,
)

DB = "aws:rds/instance:Instance"
BUCKET = "aws:s3/bucketV2:BucketV2"
SG = "aws:ec2/securityGroup:SecurityGroup"


def change(name: str, type_: str, action: str, changed=(), reasons=()) -> ResourceChange:
    return ResourceChange(
        urn=f"urn:pulumi:prod::shop::{type_}::{name}",
        type=type_,
        name=name,
        action=action,
        changed=tuple(changed),
        replace_reasons=tuple(reasons),
    )


def summary(*changes: ResourceChange, unchanged: int = 4) -> PreviewSummary:
    return PreviewSummary(project="shop", stack="production", changes=changes, unchanged=unchanged)


def test_markdown_starts_with_the_sticky_marker_then_the_counts():
    text = render_markdown(
        summary(change("web-sg", SG, "update", ["ingress"]), change("queue", "aws:sqs/queue:Queue", "create"))
    )
    lines = text.splitlines()
    assert lines[0] == "<!-- specql-deploy:preview:shop/production -->" == sticky_marker("shop", "production")
    assert "| 1 | 1 | 0 | 0 | 4 |" in lines[:8]
    assert "[!CAUTION]" not in text


def test_stateful_replacements_and_deletions_are_flagged_before_any_detail():
    # GIVEN a database replaced, a bucket deleted and a security group replaced
    text = render_markdown(
        summary(
            change("web-sg", SG, "replace", ["name"], ["name"]),
            change("app-db", DB, "replace", ["engineVersion"], ["engineVersion"]),
            change("uploads", BUCKET, "delete"),
        )
    )
    caution = text.index("[!CAUTION]")
    # THEN both stateful resources are flagged above the first <details>, the security group is not
    assert caution < text.index("<details>")
    flagged = text[caution : text.index("<details>")]
    assert "**app-db** (`aws:rds/instance:Instance`) will be **replaced** because `engineVersion` changed" in flagged
    assert "**uploads** (`aws:s3/bucketV2:BucketV2`) will be **deleted**" in flagged
    assert "web-sg" not in flagged
    assert "2 stateful resource(s)" in flagged


def test_details_are_collapsed_per_action_with_changed_properties():
    text = render_markdown(
        summary(change("web-sg", SG, "update", ["ingress", "tags"]), change("q", "aws:sqs/queue:Queue", "create"))
    )
    assert "<details><summary>1 to create</summary>" in text
    assert "<details><summary>1 to update</summary>" in text
    assert text.count("<details>") == text.count("</details>") == 2
    assert "| ~ update | `web-sg` | `aws:ec2/securityGroup:SecurityGroup` | `ingress`, `tags` |" in text


def test_names_cannot_break_the_table_or_inject_html():
    text = render_markdown(summary(change("a|b<script>", SG, "create")))
    assert "<script>" not in text
    assert "`a\\|b&lt;script&gt;`" in text


def test_a_huge_preview_is_truncated_under_githubs_limit_with_a_notice():
    # GIVEN 5,000 changed resources (far over 65,536 characters of rows)
    changes = [
        change(f"resource-{index:05d}-with-a-long-name", SG, "update", ["ingress", "egress", "tags"])
        for index in range(5000)
    ]
    changes += [change(f"db-{index}", DB, "replace", ["engineVersion"], ["engineVersion"]) for index in range(3)]
    full = summary(*changes)
    text = render_markdown(full)
    # THEN the comment fits, keeps the marker, counts and stateful warnings, and says it was cut
    assert len(text) <= GITHUB_COMMENT_LIMIT
    assert text.startswith(sticky_marker("shop", "production"))
    assert "| 0 | 5000 | 3 | 0 | 4 |" in text
    assert "**db-2**" in text
    assert "**Truncated:**" in text and "65,536 characters" in text
    shown = text.count("| ~ update |")
    assert 100 < shown < 5000
    assert f"{5003 - shown - text.count('| +- replace |')} resource row(s) are not shown" in text


def test_a_preview_that_fits_is_not_truncated():
    text = render_markdown(summary(*[change(f"r{index}", SG, "create") for index in range(50)]))
    assert "Truncated" not in text and text.count("| + create |") == 50


def test_json_has_counts_risks_and_every_resource():
    data = json.loads(
        summary(
            change("app-db", DB, "replace", ["engineVersion"], ["engineVersion"]),
            change("q", "aws:sqs/queue:Queue", "create"),
        ).to_json()
    )
    assert data["summary"] == {"create": 1, "update": 0, "replace": 1, "delete": 0, "import": 0, "same": 4}
    assert data["hasChanges"] is True
    assert data["statefulAtRisk"] == ["urn:pulumi:prod::shop::aws:rds/instance:Instance::app-db"]
    assert data["resources"][0]["replaceReasons"] == ["engineVersion"]


def test_no_changes_is_said_plainly():
    empty = summary()
    assert empty.has_changes is False
    assert "No changes" in render_markdown(empty)
    assert empty.headline() == "no changes (4 unchanged)"


def test_secret_outputs_are_masked():
    outputs = {
        "url": SimpleNamespace(value="https://x", secret=False),
        "password": SimpleNamespace(value="hunter2", secret=True),
    }
    assert mask_outputs(outputs) == {"url": "https://x", "password": "[secret]"}


# ------------------------------------------------------------------ engine event folding


def step(op: str, urn: str, *, keys=None, diffs=None, detailed=None, old=None, new=None):
    return SimpleNamespace(
        op=op, urn=urn, type=urn.split("::")[2], keys=keys, diffs=diffs, detailed_diff=detailed, old=old, new=new
    )


def event(**kinds):
    base = dict.fromkeys(
        (
            "cancel_event",
            "diagnostic_event",
            "summary_event",
            "resource_pre_event",
            "res_outputs_event",
            "res_op_failed_event",
        )
    )
    return SimpleNamespace(**{**base, **kinds})


URN = "urn:pulumi:dev::shop::aws:rds/instance:Instance::app-db"


def test_replacement_steps_fold_into_one_replace_with_its_reasons():
    log = EventLog()
    for op in ("create-replacement", "replace", "delete-replaced"):
        log(event(resource_pre_event=SimpleNamespace(metadata=step(op, URN, keys=["engineVersion"]))))
    (only,) = log.resource_changes()
    assert (only.action, only.replace_reasons, only.changed) == ("replace", ("engineVersion",), ("engineVersion",))


def test_changed_properties_come_from_the_detailed_diff_top_level_names():
    metadata = step("update", URN, detailed={"tags.Owner": {}, "allocatedStorage": {}, "tags.Team": {}})
    assert change_from_metadata(metadata).changed == ("allocatedStorage", "tags")


def test_without_a_diff_changed_properties_come_from_the_inputs():
    metadata = step(
        "update",
        URN,
        old=SimpleNamespace(inputs={"a": 1, "b": 2, "__provider": "x"}),
        new=SimpleNamespace(inputs={"a": 1, "b": 3, "__provider": "y"}),
    )
    assert change_from_metadata(metadata).changed == ("b",)


def test_root_stack_and_default_providers_are_not_reported_but_errors_are_kept():
    log = EventLog()
    log(
        event(
            resource_pre_event=SimpleNamespace(
                metadata=step("create", "urn:pulumi:dev::shop::pulumi:pulumi:Stack::shop-dev")
            )
        )
    )
    log(
        event(
            resource_pre_event=SimpleNamespace(
                metadata=step("create", "urn:pulumi:dev::shop::pulumi:providers:aws::default_7_0_0")
            )
        )
    )
    log(
        event(
            resource_pre_event=SimpleNamespace(
                metadata=step("create", "urn:pulumi:dev::shop::pulumi:providers:aws::us-east-1")
            )
        )
    )
    log(event(diagnostic_event=SimpleNamespace(severity="error", urn=URN, message="boom")))
    assert [c.name for c in log.resource_changes()] == ["us-east-1"]
    assert log.errors == [(URN, "boom")]


# ----------------------------------------------------------------------- live progress


def run_steps(console) -> None:
    from specql_deploy.automation.progress import live_progress

    with live_progress(console, "up shop/dev") as listener:
        log = EventLog(listener)
        log(event(resource_pre_event=SimpleNamespace(metadata=step("create", URN))))
        log(event(res_outputs_event=SimpleNamespace(metadata=step("create", URN))))
        failing = "urn:pulumi:dev::shop::aws:s3/bucketV2:BucketV2::uploads"
        log(event(resource_pre_event=SimpleNamespace(metadata=step("update", failing))))
        log(event(res_op_failed_event=SimpleNamespace(metadata=step("update", failing), status=1, steps=1)))


def test_progress_in_a_log_prints_one_line_per_finished_resource_with_its_time():
    import io
    import re

    from rich.console import Console

    buffer = io.StringIO()
    run_steps(Console(file=buffer, force_terminal=False, width=200))
    lines = buffer.getvalue().splitlines()
    assert len(lines) == 2
    assert re.fullmatch(r"\s+\+ created\s+app-db \(aws:rds/instance:Instance\) \d+\.\ds", lines[0])
    assert "failed" in lines[1] and "uploads" in lines[1]


def test_progress_on_a_terminal_renders_a_live_table_of_states():
    import io

    from rich.console import Console

    buffer = io.StringIO()
    run_steps(Console(file=buffer, force_terminal=True, width=200))
    text = buffer.getvalue()
    assert "up shop/dev" in text and "app-db" in text and "created" in text and "failed" in text


# ----------------------------------------------------------------- certificate validation

CERT = "urn:pulumi:dev::shop::aws:acm/certificate:Certificate::shop-dev-lb-cert"
OPTIONS = {
    "domainValidationOptions": [
        {
            "domainName": "app.example.com",
            "resourceRecordName": "_abc.app.example.com.",
            "resourceRecordType": "CNAME",
            "resourceRecordValue": "_def.acm-validations.aws.",
        }
    ]
}


def certificate_steps(console, *, dns_records: bool) -> None:
    from specql_deploy.automation.progress import live_progress

    with live_progress(console, "up shop/dev", dns_records=dns_records) as listener:
        log = EventLog(listener)
        log(event(resource_pre_event=SimpleNamespace(metadata=step("create", CERT))))
        log(
            event(
                res_outputs_event=SimpleNamespace(
                    metadata=step("create", CERT, new=SimpleNamespace(inputs={}, outputs=OPTIONS))
                )
            )
        )


def test_validation_records_come_from_the_certificate_outputs_once_per_domain():
    from specql_deploy.automation.events import DnsRecord, validation_records

    twice = {"domainValidationOptions": OPTIONS["domainValidationOptions"] * 2}
    assert validation_records(twice) == (DnsRecord("_abc.app.example.com.", "CNAME", "_def.acm-validations.aws."),)
    assert validation_records(None) == () and validation_records({"domainValidationOptions": None}) == ()


@pytest.mark.parametrize("terminal", [False, True])
def test_up_without_a_zone_prints_the_cname_acm_waits_for(terminal):
    import io

    from rich.console import Console

    buffer = io.StringIO()
    certificate_steps(Console(file=buffer, force_terminal=terminal, width=200), dns_records=True)
    text = buffer.getvalue()
    assert "_abc.app.example.com. CNAME _def.acm-validations.aws." in text
    assert text.count("waits for ACM to see this DNS record") == 1


def test_with_a_zone_the_record_is_not_printed():
    import io

    from rich.console import Console

    buffer = io.StringIO()
    certificate_steps(Console(file=buffer, force_terminal=False, width=200), dns_records=False)
    assert "acm-validations" not in buffer.getvalue()
