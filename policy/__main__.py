"""Entry point of the mimirkafka policy pack: `pulumi preview --policy-pack policy`."""

from mimirkafka_policy.pack import serve

serve()
