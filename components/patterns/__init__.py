"""Pattern components: each composes the building blocks for one deployment pattern.

`program.build` imports the one module a deployment needs (see
`program.PATTERN_COMPONENTS`), so nothing here imports a provider SDK eagerly.
Every pattern class takes `(name, resolved)` and offers `stack_outputs()`.
"""
