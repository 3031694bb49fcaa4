"""Pulumi entry point: the program lives in ``mimirkafka.program`` (see docs/stacks.md)."""

from mimirkafka import program

program.run()
