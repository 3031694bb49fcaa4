"""Preflight doctor: check a live Kafka against a Mimir config, connecting exactly as Mimir would.

- :func:`run_checks` (``contract, DoctorOptions -> Report``): the checklist, plain Python.
- :mod:`mimirkafka.doctor.inputs`: a contract from a Mimir YAML file, flags or stack outputs.
- :mod:`mimirkafka.doctor.pulumi_check`: :class:`KafkaPreflight`, the same checks inside ``pulumi up``.
- ``mimirkafka doctor``: the command line (:mod:`mimirkafka.doctor.cli`). See docs/doctor.md.
"""

from mimirkafka.doctor.checks import DoctorOptions, run_checks
from mimirkafka.doctor.report import CheckResult, ExitCode, Report, Status

__all__ = ["CheckResult", "DoctorOptions", "ExitCode", "Report", "Status", "run_checks"]
