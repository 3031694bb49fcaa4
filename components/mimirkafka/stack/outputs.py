"""Names of the stack outputs that other tools read, in one place.

``mimirkafka.stack.deploy`` exports them and ``mimirkafka doctor --stack-outputs`` reads them back; a
rename on one side only would silently break the doctor, so both import these names.
"""

#: Mimir's ``ingest_storage`` block as deployed, secrets as ``${VAR}`` references.
INGEST_STORAGE_CONFIG = "mimirIngestStorageConfig"
#: Mimir's Kafka password (a secret output; ``--show-secrets`` reveals it).
MIMIR_PASSWORD = "kafkaMimirPassword"
#: Prefix of the ingesters' consumer groups (their pod names up to the zone).
CONSUMER_GROUP_PREFIX = "kafkaConsumerGroupPrefix"
#: ``{"name", "partitions", "cluster"}`` of the ingest topic as deployed: the next plan reads it back
#: (``readStackOutputs``) and refuses a shrink, rename or cluster change before any resource.
TOPIC_STATE = "kafkaTopicState"
#: MSK: the ACL enforcement the last update applied (off/staged/enforced); the next plan needs it to
#: allow ``enforced`` on a cluster in use only after a ``staged`` run.
MSK_ACL_ENFORCEMENT = "mskAclEnforcement"
#: kraft: the brokers' volume size as deployed (``10Gi``); the next plan refuses another size (the
#: StatefulSet's volumeClaimTemplates are immutable).
KRAFT_STORAGE_SIZE = "kafkaVolumeSize"
