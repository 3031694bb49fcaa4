"""The mimirkafka policy pack's rules, as plain functions over plain data.

Every rule takes resources as :class:`~mimirkafka_policy.view.Res` (type, props, URN, name, options) and
returns :class:`~mimirkafka_policy.view.Violation` objects whose text names the resource, the property,
the value and the fix. :mod:`mimirkafka_policy.pack` turns them into pulumi-policy policies; the unit
tests call them directly. The facts (Mimir's 16,000,000-byte producer batch, each flavor's cap, the
ports and mechanisms per flavor, the partition rule) come from :mod:`mimirkafka.contract`, not from
here.
"""
