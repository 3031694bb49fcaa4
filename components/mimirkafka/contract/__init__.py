"""The ingest-storage contract (plain Python, no Pulumi resources).

Build an :class:`IngestStorageContract` (or use :mod:`~mimirkafka.contract.presets`), then derive:
``validate(c)``, ``render_mimir(c)`` (Mimir config, flags, secret env, TLS files),
``kafka_requirements(c)`` (broker/topic configs, ACLs), and back with ``contract_from_mimir_config``.
"""

from mimirkafka.contract.errors import ContractError, Problem
from mimirkafka.contract.flavors import FLAVORS, FlavorTraits
from mimirkafka.contract.kafka_side import (
    AclRule,
    KafkaRequirements,
    kafka_requirements,
    msk_iam_actions,
    msk_iam_resource_names,
)
from mimirkafka.contract.mimir_config import SECRET_ENV_VARS, RenderedMimir, render_mimir
from mimirkafka.contract.mimir_settings import SETTINGS, MimirSetting
from mimirkafka.contract.model import (
    MAX_PRODUCER_RECORD_SIZE_BYTES,
    MIN_PRODUCER_RECORD_SIZE_BYTES,
    PRODUCER_BATCH_MAX_BYTES,
    ConsumerTuning,
    IngesterLayout,
    IngestStorageContract,
    KafkaFlavor,
    MimirVersion,
    MskIamFile,
    MskIamSocket,
    MskIamStatic,
    NoSasl,
    OAuthBearerFile,
    OAuthBearerSocket,
    OAuthBearerStatic,
    PartitionRingSettings,
    PemMaterial,
    PlainAuth,
    SaslAuth,
    SaslMechanism,
    ScramAuth,
    SecretValue,
    TlsConfig,
    TopicSettings,
    secret,
)
from mimirkafka.contract.parse import config_from_flags, contract_from_flags, contract_from_mimir_config
from mimirkafka.contract.presets import confluent_cloud, msk_iam, mtls, plaintext, scram_over_tls
from mimirkafka.contract.validation import (
    check_topic_change,
    problems,
    refuse_topic_change,
    validate,
    warnings,
)

__all__ = [  # noqa: RUF022 - grouped by module
    "ContractError",
    "Problem",
    "FLAVORS",
    "FlavorTraits",
    "AclRule",
    "KafkaRequirements",
    "kafka_requirements",
    "msk_iam_actions",
    "msk_iam_resource_names",
    "SECRET_ENV_VARS",
    "RenderedMimir",
    "render_mimir",
    "SETTINGS",
    "MimirSetting",
    "config_from_flags",
    "contract_from_flags",
    "contract_from_mimir_config",
    "confluent_cloud",
    "msk_iam",
    "mtls",
    "plaintext",
    "scram_over_tls",
    "check_topic_change",
    "problems",
    "refuse_topic_change",
    "validate",
    "warnings",
    "PRODUCER_BATCH_MAX_BYTES",
    "MAX_PRODUCER_RECORD_SIZE_BYTES",
    "MIN_PRODUCER_RECORD_SIZE_BYTES",
    "KafkaFlavor",
    "SaslMechanism",
    "MimirVersion",
    "SecretValue",
    "secret",
    "NoSasl",
    "PlainAuth",
    "ScramAuth",
    "OAuthBearerStatic",
    "OAuthBearerFile",
    "OAuthBearerSocket",
    "MskIamStatic",
    "MskIamFile",
    "MskIamSocket",
    "SaslAuth",
    "PemMaterial",
    "TlsConfig",
    "IngesterLayout",
    "ConsumerTuning",
    "PartitionRingSettings",
    "TopicSettings",
    "IngestStorageContract",
]
