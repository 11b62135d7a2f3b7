"""The protocols' enumerations, as Python enums.

Closed enums (a value outside them cannot be decoded) are returned as their members. Open ones
(``DmsgType`` and every broker enum, where the wire carries any number) come back as the member
when the value has a name, else as a plain ``int``; ``IntEnum`` members compare equal to ints.
"""

import enum


class DmsgType(enum.IntEnum):
    """``dmsg_type_t``: C's 0..=13 and the Rust port's 14..=23 (open: other u8 values are ints)."""

    DMSG_UNKNOWN = 0
    DMSG_DEBUG = 1
    DMSG_PARSE_ERROR = 2
    DMSG_REQ = 3
    DMSG_REQ_FORWARD = 4
    DMSG_RES = 5
    CRYPTO_HANDSHAKE = 6
    GOSSIP_SYN = 7
    GOSSIP_SYN_REPLY = 8
    GOSSIP_ACK = 9
    GOSSIP_DIGEST_SYN = 10
    GOSSIP_DIGEST_ACK = 11
    GOSSIP_DIGEST_ACK2 = 12
    GOSSIP_SHUTDOWN = 13
    HANDOFF_CHUNK = 14
    FT_SEARCH_REQ = 15
    FT_SEARCH_REP = 16
    XA_PREPARE = 17
    XA_VOTE = 18
    XA_COMMIT = 19
    XA_ROLLBACK = 20
    XA_ACK = 21
    RIAK_REPLICA = 22
    RAMP_PREPARE = 23


class Flavour(str, enum.Enum):
    """The DNODE writer, option ``flavour``: the placeholder written for an empty data field."""

    PLAIN = "plain"
    """``dmsg_write``: ``d``."""
    GOSSIP = "gossip"
    """``dmsg_write_mbuf`` (unsecured gossip): ``a``."""


class ProtocolVersion(enum.IntEnum):
    """chitchat ``ProtocolVersion``: only the digest encoding differs."""

    V0 = 0
    V1 = 1


class DeletionStatusMutation(enum.IntEnum):
    """chitchat ``DeletionStatusMutation`` (status byte)."""

    Set = 0
    Delete = 1
    DeleteAfterTtl = 2


class NodeType(enum.IntEnum):
    """noxu-rep ``NodeType``."""

    Electable = 0
    Monitor = 1
    Secondary = 2
    Arbiter = 3


class GroupChangeType(enum.IntEnum):
    """noxu-rep ``GroupChangeType``."""

    Add = 0
    Remove = 1
    Update = 2


class Layout(str, enum.Enum):
    """The noxu-rep release line, option ``layout``: they differ in ``ElectionProposal.dtvlsn``."""

    V7 = "7x"
    """noxu-rep 4.1.0 to 7.11.2 (``dtvlsn`` present)."""
    V3 = "3x"
    """noxu-rep 3.0.0 to 4.0.0 (no ``dtvlsn``)."""


class FrameKind(enum.IntEnum):
    """``FrameKind`` (running_process.broker.v1; open: other values arrive as plain ints)."""

    FRAME_KIND_REQUEST = 0
    FRAME_KIND_RESPONSE = 1
    FRAME_KIND_EVENT = 2
    FRAME_KIND_CANCEL = 3


class PayloadEncoding(enum.IntEnum):
    """``PayloadEncoding`` (running_process.broker.v1; open: other values arrive as plain ints)."""

    PAYLOAD_ENCODING_NONE = 0
    PAYLOAD_ENCODING_ZSTD = 1
    PAYLOAD_ENCODING_SNAPPY = 2
    PAYLOAD_ENCODING_LZ4 = 3


class ErrorCode(enum.IntEnum):
    """``ErrorCode`` (running_process.broker.v1; open: other values arrive as plain ints)."""

    ERROR_CODE_UNSPECIFIED = 0
    ERROR_VERSION_UNSUPPORTED = 1
    ERROR_SERVICE_UNKNOWN = 2
    ERROR_BACKEND_SPAWN_FAILED = 3
    ERROR_RATE_LIMITED = 4
    ERROR_SHUTTING_DOWN = 5
    ERROR_PEER_REJECTED = 6
    ERROR_INTERNAL = 7
    ERROR_VERSION_BLOCKED = 8
    ERROR_FD_PRESSURE = 9


class AdminVerb(enum.IntEnum):
    """``AdminVerb`` (running_process.broker.v1; open: other values arrive as plain ints)."""

    ADMIN_VERB_UNSPECIFIED = 0
    ADMIN_VERB_STATUS = 1
    ADMIN_VERB_DUMP = 2
    ADMIN_VERB_LIST_INSTANCES = 3
    ADMIN_VERB_HEALTHZ = 4
    ADMIN_VERB_READYZ = 5
    ADMIN_VERB_BACKEND_HEALTH = 6
    ADMIN_VERB_CONFIG = 7
    ADMIN_VERB_DIAGNOSE = 8
    ADMIN_VERB_METRICS = 9
    ADMIN_VERB_SHUTDOWN = 21


class AdminReplyKind(enum.IntEnum):
    """``AdminReplyKind`` (running_process.broker.v1; open: other values arrive as plain ints)."""

    ADMIN_REPLY_KIND_TEXT = 0
    ADMIN_REPLY_KIND_JSON = 1
    ADMIN_REPLY_KIND_OPENMETRICS = 2


class OperationKind(enum.IntEnum):
    """``OperationKind`` (running_process.broker.v1; open: other values arrive as plain ints)."""

    OPERATION_IDLE = 0
    OPERATION_COMPACTING = 1
    OPERATION_MIGRATING = 2
    OPERATION_REBUILDING_INDEX = 3
    OPERATION_EVICTING_LRU = 4
    OPERATION_ARCHIVING = 5


class CacheRootKind(enum.IntEnum):
    """``CacheRootKind`` (running_process.broker.v1; open: other values arrive as plain ints)."""

    CACHE_ROOT_KIND_UNSPECIFIED = 0
    CACHE_DATA = 1
    CACHE_LOGS = 2
    CACHE_LOCKS = 3
    CACHE_RUNTIME = 4
    CACHE_TMP = 5
    CACHE_CONFIG = 6
    CACHE_INDEX = 7
    CACHE_JOURNAL = 8
    CACHE_SECRETS = 9


class StorageDisposition(enum.IntEnum):
    """``StorageDisposition`` (running_process.broker.v1; open: other values arrive as plain ints)."""

    PRUNE_ON_UNINSTALL = 0
    PRESERVE_ACROSS_UNINSTALL = 1
    PRUNE_WHEN_DORMANT = 2
    NEVER_PRUNE = 3
    PRUNE_ON_CRASH = 4


class TeardownKind(enum.IntEnum):
    """``TeardownKind`` (running_process.broker.v1; open: other values arrive as plain ints)."""

    TEARDOWN_NONE = 0
    TEARDOWN_REDB_COMPACT = 1
    TEARDOWN_SQLITE_VACUUM = 2
    TEARDOWN_CUSTOM_COMMAND = 3


class EventKind(enum.IntEnum):
    """``EventKind`` (running_process.broker.v1; open: other values arrive as plain ints)."""

    EVENT_KIND_UNSPECIFIED = 0
    SPAWN_ATTEMPT = 1
    SPAWN = 2
    DIED_IDLE = 3
    DIED_SHUTDOWN = 4
    DIED_CRASH = 5
    VERSION_MISMATCH = 6
    REPLACED_BY_NEWER = 7
    HELLO_ACCEPTED = 8
    HELLO_REFUSED = 9
    SERVICE_DEF_LOADED = 10
    SERVICE_DEF_CHANGED = 11
    BROADCAST_SENT = 12
    BROADCAST_ACK = 13
    BROADCAST_TIMEOUT = 14
    PROTOCOL_DOWNGRADE = 15
    CACHE_CORRUPTION_DETECTED = 16
    RESOURCE_PRESSURE = 17
    SECURITY_VIOLATION = 18
    TEARDOWN_HOOK_FAILED = 19
    MANIFEST_REWRITTEN = 20


class BrokerIsolation(enum.IntEnum):
    """``BrokerIsolation`` (running_process.broker.v1; open: other values arrive as plain ints)."""

    PRIVATE_BROKER = 0
    SHARED_BROKER = 1
    EXPLICIT_INSTANCE = 2
