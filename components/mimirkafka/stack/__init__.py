"""The stack path: ``pulumi up -s <stack>`` of this project.

- :mod:`.keys` declares every stack config key once (type, default, description, example);
- :mod:`.config` parses a stack's config into typed settings;
- :mod:`.plan` computes everything the stack will create and every problem, with no resource;
- :mod:`.deploy` registers the resources of a plan that has no problem;
- :mod:`.outputs` names the stack outputs other tools read back.
"""
