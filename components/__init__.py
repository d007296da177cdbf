"""Pulumi ComponentResources: building blocks per provider (aws, docker, kubernetes) and
the patterns that compose them. The aws and docker packages load a block (and its
provider SDK) on first use, so the exporters import the provider-free ``docker.service_model`` and
``docker.hobby_stack`` without pulumi."""
