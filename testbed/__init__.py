"""Test bed, beside the product and not shipped with it: a real local Kafka broker
(:mod:`testbed.devbroker`) and the Automation API runner of the ``local`` stack (:mod:`testbed.localrun`)."""
