"""The `specql` CLI and what it drives: the Pulumi Automation API (stacks, backends,
secrets, progress), the offline preview under mocks, and eject. Only the command that
runs imports pulumi or a provider SDK, so `specql --help` stays fast."""
