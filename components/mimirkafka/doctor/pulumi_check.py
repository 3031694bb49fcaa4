"""The doctor inside a Pulumi program: ``pulumi up`` fails early, with the doctor's messages.

:class:`KafkaPreflight` waits for its ``depends_on`` resources (e.g. the topic and the ACLs), resolves
the contract's secret Outputs, runs :func:`~mimirkafka.doctor.checks.run_checks` inside an ``apply`` and
raises :class:`PreflightFailed` when a check fails, which fails the update at that point (resources
created before it stay; nothing is deleted). During ``pulumi preview`` it does nothing: the broker may not
exist yet.

Why an ``apply`` and not a ``pulumi.dynamic.Resource``: a dynamic provider is pickled (with its closure,
which would include the contract and its secrets) into the stack state, runs only from Python programs,
and needs the exact same code importable at every later ``up``/``destroy``. The ``apply`` keeps no state.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi

from mimirkafka.contract.model import IngestStorageContract, PemMaterial, SecretValue
from mimirkafka.doctor.checks import DoctorOptions, run_checks
from mimirkafka.doctor.report import Report, Status


class PreflightFailed(RuntimeError):
    """At least one check failed; the message lists each failed line with its fix."""

    def __init__(self, report: Report) -> None:
        self.report = report
        super().__init__(report.failure_message())


def check_or_raise(contract: IngestStorageContract, options: DoctorOptions | None = None) -> Report:
    """Runs the checks; raises :class:`PreflightFailed` on a failure, returns the report otherwise."""
    report = run_checks(contract, options)
    if report.status is Status.FAIL:
        raise PreflightFailed(report)
    return report


def _outputs_in(contract: IngestStorageContract) -> list[tuple[str, str, Any]]:
    """(part, field, Output) for every secret or PEM held as a pulumi.Output."""
    found: list[tuple[str, str, Any]] = []
    for part in ("sasl", "tls"):
        obj = getattr(contract, part)
        for f in dataclasses.fields(obj):
            v = getattr(obj, f.name)
            if isinstance(v, SecretValue) and isinstance(v.value, pulumi.Output):
                found.append((part, f.name, v.value))
            elif isinstance(v, PemMaterial) and isinstance(v.pem, pulumi.Output | SecretValue):
                pem = v.pem.value if isinstance(v.pem, SecretValue) else v.pem
                if isinstance(pem, pulumi.Output):
                    found.append((part, f.name, pem))
    return found


def resolved_contract(contract: IngestStorageContract, values: Sequence[Any]) -> IngestStorageContract:
    """The contract with each Output from :func:`_outputs_in` replaced by its resolved value."""
    parts: dict[str, Any] = {"sasl": contract.sasl, "tls": contract.tls}
    for (part, name, _), value in zip(_outputs_in(contract), values, strict=True):
        old = getattr(parts[part], name)
        new = SecretValue(value) if isinstance(old, SecretValue) else dataclasses.replace(old, pem=value)
        parts[part] = dataclasses.replace(parts[part], **{name: new})
    return dataclasses.replace(contract, **parts)


@dataclass
class KafkaPreflightArgs:
    contract: IngestStorageContract
    options: DoctorOptions = field(default_factory=DoctorOptions)
    #: Resources the checks must wait for: the concrete ones (topic, ACLs, SCRAM credential), never a
    #: component (see :class:`KafkaPreflight`). Their URNs gate the apply.
    depends_on: list[pulumi.Resource] = field(default_factory=list)


class KafkaPreflight(pulumi.ComponentResource):
    """Runs the doctor after ``depends_on`` exist; fails ``pulumi up`` with its messages on a failure.

    ``depends_on`` must name the concrete resources the checks need (the topic, the ACLs, the SCRAM
    credential: e.g. ``[k.topic, *k.acls, k.scram_credential]`` of an ``ExistingKafka``), not the
    component holding them: the gate is each resource's URN, and a custom resource's URN resolves only
    once the engine has created it, whereas a component's URN resolves at registration, before its
    children exist, so the checks would race the topic and the user. They are also recorded as this
    component's dependencies, so the state's graph shows what the verdict was taken on.

    Output ``report``: the doctor's JSON report (``None`` during preview).
    """

    report: pulumi.Output[Any]

    def __init__(
        self, name: str, args: KafkaPreflightArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        deps = pulumi.ResourceOptions(depends_on=list(args.depends_on))
        super().__init__("mimirkafka:doctor:Preflight", name, None, pulumi.ResourceOptions.merge(opts, deps))
        contract, options = args.contract, args.options
        secrets = [o for _, _, o in _outputs_in(contract)]
        gates = [r.urn for r in args.depends_on]

        def run(values: list[Any]) -> Any:
            if pulumi.runtime.is_dry_run():
                return None
            resolved = resolved_contract(contract, values[: len(secrets)])
            report = check_or_raise(resolved, options)
            pulumi.log.info(report.summary(), resource=self)
            return report.to_dict()

        self.report = pulumi.Output.all(*secrets, *gates).apply(run)
        self.register_outputs({"report": self.report})
