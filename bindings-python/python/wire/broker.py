"""running-process broker v1: ``[u8 1][u32 LE body length][protobuf Frame]``.

``decode``/``Decoder`` yield ``Framed`` (the ``Frame`` and the body length its header declared);
``encode`` takes a ``Framed`` or a ``Frame``. Every message of the v1 package is a class;
``encode_message``/``decode_message``/``message_to_json``/``message_from_json`` handle them bare
(no framing), and ``payload_message(frame)`` decodes a frame's payload by its schema. Enum
fields are open: the ``IntEnum`` member when the value has one, else an ``int``. Option:
``max_frame_size`` (body bytes, default 16 MiB; the broker reads a Hello with
``MAX_HELLO_BYTES``).
"""

from wire._enums import AdminReplyKind, AdminVerb, BrokerIsolation, CacheRootKind, ErrorCode, EventKind, FrameKind, OperationKind, PayloadEncoding, StorageDisposition, TeardownKind
from wire._wire import broker_AdminReply as AdminReply
from wire._wire import broker_AdminRequest as AdminRequest
from wire._wire import broker_CacheManifest as CacheManifest
from wire._wire import broker_CacheRoot as CacheRoot
from wire._wire import broker_CleanupPolicy as CleanupPolicy
from wire._wire import broker_DaemonProcess as DaemonProcess
from wire._wire import broker_decode as decode
from wire._wire import broker_decode_message as decode_message
from wire._wire import broker_Decoder as Decoder
from wire._wire import broker_encode as encode
from wire._wire import broker_encode_message as encode_message
from wire._wire import broker_Endpoint as Endpoint
from wire._wire import broker_Frame as Frame
from wire._wire import broker_Framed as Framed
from wire._wire import broker_from_json as from_json
from wire._wire import broker_HandoffAck as HandoffAck
from wire._wire import broker_HandoffOffer as HandoffOffer
from wire._wire import broker_Hello as Hello
from wire._wire import broker_HelloReply as HelloReply
from wire._wire import broker_HostIdentity as HostIdentity
from wire._wire import broker_LifecycleEvent as LifecycleEvent
from wire._wire import broker_ManifestRef as ManifestRef
from wire._wire import broker_MAX_FRAME_BYTES as MAX_FRAME_BYTES
from wire._wire import broker_MAX_HELLO_BYTES as MAX_HELLO_BYTES
from wire._wire import broker_message_from_json as message_from_json
from wire._wire import broker_message_to_json as message_to_json
from wire._wire import broker_Negotiated as Negotiated
from wire._wire import broker_ObservabilityInfo as ObservabilityInfo
from wire._wire import broker_Operation as Operation
from wire._wire import broker_Ownership as Ownership
from wire._wire import broker_payload_message as payload_message
from wire._wire import broker_ProbeResponse as ProbeResponse
from wire._wire import broker_Quota as Quota
from wire._wire import broker_Refused as Refused
from wire._wire import broker_ServiceDefinition as ServiceDefinition
from wire._wire import broker_TeardownHook as TeardownHook
from wire._wire import broker_to_json as to_json
from wire._wire import broker_TYPE_NAMES as TYPE_NAMES

__all__ = [
    "AdminReply",
    "AdminReplyKind",
    "AdminRequest",
    "AdminVerb",
    "BrokerIsolation",
    "CacheManifest",
    "CacheRoot",
    "CacheRootKind",
    "CleanupPolicy",
    "DaemonProcess",
    "Decoder",
    "Endpoint",
    "ErrorCode",
    "EventKind",
    "Frame",
    "FrameKind",
    "Framed",
    "HandoffAck",
    "HandoffOffer",
    "Hello",
    "HelloReply",
    "HostIdentity",
    "LifecycleEvent",
    "MAX_FRAME_BYTES",
    "MAX_HELLO_BYTES",
    "ManifestRef",
    "Negotiated",
    "ObservabilityInfo",
    "Operation",
    "OperationKind",
    "Ownership",
    "PayloadEncoding",
    "ProbeResponse",
    "Quota",
    "Refused",
    "ServiceDefinition",
    "StorageDisposition",
    "TYPE_NAMES",
    "TeardownHook",
    "TeardownKind",
    "decode",
    "decode_message",
    "encode",
    "encode_message",
    "from_json",
    "message_from_json",
    "message_to_json",
    "payload_message",
    "to_json",
]
