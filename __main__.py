"""Pulumi entry point: the program lives in ``mimirkafka.stack.deploy`` (see docs/stacks.md)."""

from mimirkafka.stack import deploy as program

program.run()
