"""specql-deploy: deployment intent (deployment.yaml) to production infrastructure.

The repository keeps its folders at the top level (program/, components/,
automation/, exporters/); pyproject.toml maps them under this package.
"""

__version__ = "0.1.0"
