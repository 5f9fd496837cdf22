"""examples/alerting end to end with `dq run`: Vault-held webhook, a tenant, Slack on failure.

Everything is real: the `dq` command of this environment, dq-polars on examples/orders.csv,
dq-vault against OpenBao, dq-slack posting to a local Slack-compatible server. The
assertions follow what a user sees and what crossed the wire.
"""

from __future__ import annotations

import json

from conftest import SUITE, dq, put_webhook


def failing_rule_ids(result: dict) -> set[str]:
    return {rule["rule_id"] for rule in result["rules"] if rule["status"] != "passed"}


def test_a_failing_run_posts_the_failing_rules_to_the_tenants_slack(bao, slack, vault_env):
    put_webhook(bao, "acme", slack.url("acme"))

    run = dq(vault_env, "run", str(SUITE), "--tenant", "acme", "--format", "json")

    assert run.returncode == 1, run.stderr
    result = json.loads(run.stdout)
    assert result["status"] == "failed"
    assert "notify data-quality: delivered" in run.stderr
    [message] = slack.messages("acme")
    assert slack.messages("globex") == []
    text = json.dumps(message)
    for rule_id in failing_rule_ids(result):
        assert rule_id in text
    assert "acme" in text
    assert len(message["blocks"]) <= 50
    # the webhook URL and the Vault token appear nowhere a human or a log would see them
    for output in (run.stdout, run.stderr):
        assert slack.url("acme") not in output and "webhook-token" not in output
        assert bao.root_token not in output


def test_the_same_failure_is_not_posted_twice_within_the_cooldown(bao, slack, vault_env):
    put_webhook(bao, "acme", slack.url("acme"))

    first = dq(vault_env, "run", str(SUITE), "--tenant", "acme")
    second = dq(vault_env, "run", str(SUITE), "--tenant", "acme")

    assert first.returncode == second.returncode == 1
    assert "notify data-quality: delivered" in first.stderr
    assert "notify data-quality: suppressed" in second.stderr
    assert len(slack.messages("acme")) == 1


def test_a_tenant_never_reads_another_tenants_webhook(bao, slack, vault_env):
    """globex has no webhook yet: its alert must not fall back to acme's secret."""
    put_webhook(bao, "acme", slack.url("acme"))

    run = dq(vault_env, "run", str(SUITE), "--tenant", "globex")

    assert run.returncode == 1
    assert "notify data-quality: failed" in run.stderr
    assert "kept in the outbox" in run.stderr
    assert slack.messages("acme") == [] and slack.messages("globex") == []


def test_an_alert_that_could_not_be_sent_is_replayed_once_the_secret_exists(bao, slack, vault_env):
    run = dq(vault_env, "run", str(SUITE), "--tenant", "globex")
    assert "kept in the outbox" in run.stderr

    pending = dq(vault_env, "notify", "outbox", "--json")
    assert pending.returncode == 0, pending.stderr
    [entry] = json.loads(pending.stdout)
    assert entry["channel"] == "data-quality" and entry["tenant"] == "globex"

    put_webhook(bao, "globex", slack.url("globex"))
    replay = dq(vault_env, "notify", "replay", "--suite", str(SUITE))

    assert replay.returncode == 0, replay.stderr + replay.stdout
    [message] = slack.messages("globex")
    assert "globex" in json.dumps(message)
    assert json.loads(dq(vault_env, "notify", "outbox", "--json").stdout) == []
    again = dq(vault_env, "notify", "replay", "--suite", str(SUITE))
    assert again.returncode == 0 and len(slack.messages("globex")) == 1


def test_notify_test_sends_a_test_message_to_the_tenants_channel(bao, slack, vault_env):
    put_webhook(bao, "acme", slack.url("acme"))

    run = dq(vault_env, "notify", "test", "data-quality", "--suite", str(SUITE), "--tenant", "acme")

    assert run.returncode == 0, run.stderr
    [message] = slack.messages("acme")
    assert "test" in json.dumps(message).lower()


def test_secrets_get_reads_the_tenant_scoped_path_and_masks_the_value(bao, slack, vault_env):
    put_webhook(bao, "acme", slack.url("acme"))
    ref = "${secret:vault:slack#webhook_url}"

    masked = dq(vault_env, "secrets", "get", ref, "--suite", str(SUITE), "--tenant", "acme")
    revealed = dq(
        vault_env, "secrets", "get", ref, "--suite", str(SUITE), "--tenant", "acme", "--reveal"
    )
    other = dq(vault_env, "secrets", "get", ref, "--suite", str(SUITE), "--tenant", "globex")

    assert masked.returncode == 0 and "***" in masked.stdout
    assert slack.url("acme") not in masked.stdout + masked.stderr
    assert revealed.returncode == 0 and revealed.stdout.strip() == slack.url("acme")
    assert other.returncode == 3 and "not found" in other.stderr.lower()
