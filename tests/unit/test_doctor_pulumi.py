"""The Pulumi entry point: secret Outputs in the contract are found and replaced by their values."""

from __future__ import annotations

import pulumi
from mimirkafka.contract.model import IngestStorageContract, PemMaterial, ScramAuth, TlsConfig, secret
from mimirkafka.doctor.pulumi_check import _outputs_in, resolved_contract


class _Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs):  # type: ignore[no-untyped-def]
        return [f"{args.name}-id", args.inputs]

    def call(self, args: pulumi.runtime.MockCallArgs):  # type: ignore[no-untyped-def]
        return {}


def test_outputs_are_found_and_resolved_without_touching_plain_values():
    pulumi.runtime.set_mocks(_Mocks(), preview=False)
    c = IngestStorageContract(
        addresses=("k:9096",),
        sasl=ScramAuth("mimir", secret(pulumi.Output.secret("pw"))),
        tls=TlsConfig(enabled=True, ca=PemMaterial(pem=pulumi.Output.from_input("CA-PEM")), server_name="k"),
    )
    found = _outputs_in(c)
    assert [(part, name) for part, name, _ in found] == [("sasl", "password"), ("tls", "ca")]
    r = resolved_contract(c, ["pw", "CA-PEM"])
    assert isinstance(r.sasl, ScramAuth) and r.sasl.password.value == "pw" and r.sasl.username == "mimir"
    assert r.tls.ca is not None and r.tls.ca.pem == "CA-PEM" and r.tls.server_name == "k"
    assert _outputs_in(r) == []
    plain = IngestStorageContract(addresses=("k:1",), sasl=ScramAuth("u", secret("p")))
    assert _outputs_in(plain) == [] and resolved_contract(plain, []) == plain
