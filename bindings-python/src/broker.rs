//! `wire.broker`: `Framed` (a `Frame` and the body length its header declared), one class per
//! message of the v1 package (`Frame`, `Hello`, `CacheManifest`, ...), bare-message functions by
//! type name, and `Frame.payload_message()`.

use std::borrow::Cow;
use std::collections::BTreeMap;

use bytes::Bytes;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use wire_core::broker::{
    self, hello_reply, v1, AnyMessage, BrokerCodec, Framed, Payload, ProbeResponse,
};

use crate::api::{protocol_api, py_class, Proto, Via};
use crate::conv::{json_to_py, py_to_json, Conv, EnumClass, Field, Input};
use crate::errors::{check, wrong_type};

/// Declares a marker per protobuf enum: its fields are open `i32`s, shown as the member of the
/// `IntEnum` of that name when they have one, else as plain ints.
macro_rules! enum_markers {
    ($($marker:ident => $class:literal),* $(,)?) => {$(
        #[doc = concat!("Fields of enum type `", $class, "`.")]
        pub struct $marker;

        impl Via<i32> for $marker {
            fn to_py<'py>(value: &i32, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                static CLASS: EnumClass = EnumClass::new($class);
                CLASS.member(py, i64::from(*value))
            }
            fn from_py(ob: &Bound<'_, PyAny>, field: Field<'_>) -> PyResult<i32> {
                i32::from_py(ob, field)
            }
        }
    )*};
}

enum_markers! {
    EFrameKind => "FrameKind",
    EPayloadEncoding => "PayloadEncoding",
    EErrorCode => "ErrorCode",
    EAdminVerb => "AdminVerb",
    EAdminReplyKind => "AdminReplyKind",
    EOperationKind => "OperationKind",
    ECacheRootKind => "CacheRootKind",
    EStorageDisposition => "StorageDisposition",
    ETeardownKind => "TeardownKind",
    EEventKind => "EventKind",
    EBrokerIsolation => "BrokerIsolation",
}

/// `HelloReply.result`: a `Negotiated` or a `Refused`.
impl Conv for hello_reply::Result {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self {
            hello_reply::Result::Negotiated(n) => n.to_py(py),
            hello_reply::Result::Refused(r) => r.to_py(py),
        }
    }
    fn from_py(ob: &Bound<'_, PyAny>, field: Field<'_>) -> PyResult<Self> {
        if let Ok(n) = ob.cast::<Negotiated>() {
            return Ok(hello_reply::Result::Negotiated(n.get().0.clone()));
        }
        if let Ok(r) = ob.cast::<Refused>() {
            return Ok(hello_reply::Result::Refused(r.get().0.clone()));
        }
        Err(wrong_type(field.1, "Negotiated, Refused or None", ob))
    }
}

py_class! {
    /// `Frame` (running_process.broker.v1).
    class Frame(Broker, "wire.broker", "Frame") wraps v1::Frame {}
    optional {
        envelope_version: u32 = Default::default(),
        kind: i32 [EFrameKind] = Default::default(),
        payload_protocol: u32 = Default::default(),
        payload: Bytes = Default::default(),
        request_id: u64 = Default::default(),
        payload_encoding: i32 [EPayloadEncoding] = Default::default(),
        deadline_unix_ms: u64 = Default::default(),
        traceparent: String = Default::default(),
        tracestate: String = Default::default(),
    }
}

py_class! {
    /// `Hello` (running_process.broker.v1).
    class Hello(Broker, "wire.broker", "Hello") wraps v1::Hello {}
    optional {
        client_min_protocol: u32 = Default::default(),
        client_max_protocol: u32 = Default::default(),
        service_name: String = Default::default(),
        wanted_version: String = Default::default(),
        client_version: String = Default::default(),
        client_capabilities: u64 = Default::default(),
        auth_token: Bytes = Default::default(),
        request_id: String = Default::default(),
        connection_id: u64 = Default::default(),
        peer_pid: u32 = Default::default(),
        client_lib_name: String = Default::default(),
        client_lib_version: String = Default::default(),
        peer_attestation_nonce: Bytes = Default::default(),
        capability_token: Bytes = Default::default(),
        client_keepalive_secs: u64 = Default::default(),
    }
}

py_class! {
    /// `HelloReply` (running_process.broker.v1).
    class HelloReply(Broker, "wire.broker", "HelloReply") wraps v1::HelloReply {}
    optional {
        result: Option<hello_reply::Result> = None,
    }
}

py_class! {
    /// `Negotiated` (running_process.broker.v1).
    class Negotiated(Broker, "wire.broker", "Negotiated") wraps v1::Negotiated {}
    optional {
        negotiated_protocol: u32 = Default::default(),
        daemon_version: String = Default::default(),
        backend_pipe: String = Default::default(),
        warnings: Vec<String> = Default::default(),
        server_capabilities: u64 = Default::default(),
        keepalive_interval_secs: u64 = Default::default(),
        handle_passed_token: Bytes = Default::default(),
        connection_id: u64 = Default::default(),
    }
}

py_class! {
    /// `Refused` (running_process.broker.v1).
    class Refused(Broker, "wire.broker", "Refused") wraps v1::Refused {}
    optional {
        reason: String = Default::default(),
        daemon_min_protocol: u32 = Default::default(),
        daemon_max_protocol: u32 = Default::default(),
        code: i32 [EErrorCode] = Default::default(),
        details: BTreeMap<String, String> = Default::default(),
        retry_after_ms: u64 = Default::default(),
    }
}

py_class! {
    /// `HandoffOffer` (running_process.broker.v1).
    class HandoffOffer(Broker, "wire.broker", "HandoffOffer") wraps v1::HandoffOffer {}
    optional {
        handle_value: u64 = Default::default(),
        token: Bytes = Default::default(),
        service_name: String = Default::default(),
        correlation_id: u64 = Default::default(),
    }
}

py_class! {
    /// `HandoffAck` (running_process.broker.v1).
    class HandoffAck(Broker, "wire.broker", "HandoffAck") wraps v1::HandoffAck {}
    optional {
        token: Bytes = Default::default(),
        accepted: bool = Default::default(),
        error_detail: String = Default::default(),
        correlation_id: u64 = Default::default(),
    }
}

py_class! {
    /// `AdminRequest` (running_process.broker.v1).
    class AdminRequest(Broker, "wire.broker", "AdminRequest") wraps v1::AdminRequest {}
    optional {
        verb: i32 [EAdminVerb] = Default::default(),
        json: bool = Default::default(),
        service_name: String = Default::default(),
        output_path: String = Default::default(),
        drain_deadline_ms: u64 = Default::default(),
    }
}

py_class! {
    /// `AdminReply` (running_process.broker.v1).
    class AdminReply(Broker, "wire.broker", "AdminReply") wraps v1::AdminReply {}
    optional {
        kind: i32 [EAdminReplyKind] = Default::default(),
        body: String = Default::default(),
        exit_code: u32 = Default::default(),
        content_type: String = Default::default(),
    }
}

py_class! {
    /// `CacheManifest` (running_process.broker.v1).
    class CacheManifest(Broker, "wire.broker", "CacheManifest") wraps v1::CacheManifest {}
    optional {
        service_name: String = Default::default(),
        service_version: String = Default::default(),
        broker_envelope_version: String = Default::default(),
        created_at_unix_ms: u64 = Default::default(),
        last_active_unix_ms: u64 = Default::default(),
        roots: Vec<v1::CacheRoot> = Default::default(),
        current_daemon: Option<v1::DaemonProcess> = Default::default(),
        cleanup_policy: Option<v1::CleanupPolicy> = Default::default(),
        broker_instance: String = Default::default(),
        depends_on: Vec<v1::ManifestRef> = Default::default(),
        provides: Vec<String> = Default::default(),
        observability: Option<v1::ObservabilityInfo> = Default::default(),
        bundle_id: String = Default::default(),
        manifest_schema_version: u32 = Default::default(),
        media_type: String = Default::default(),
        self_sha256: Bytes = Default::default(),
        host: Option<v1::HostIdentity> = Default::default(),
        current_operation: Option<v1::Operation> = Default::default(),
        valid_until_unix_ms: u64 = Default::default(),
    }
}

py_class! {
    /// `HostIdentity` (running_process.broker.v1).
    class HostIdentity(Broker, "wire.broker", "HostIdentity") wraps v1::HostIdentity {}
    optional {
        hostname: String = Default::default(),
        machine_id: String = Default::default(),
        boot_id: String = Default::default(),
        fs_dev_id: u64 = Default::default(),
        namespace_id: String = Default::default(),
    }
}

py_class! {
    /// `Operation` (running_process.broker.v1).
    class Operation(Broker, "wire.broker", "Operation") wraps v1::Operation {}
    optional {
        kind: i32 [EOperationKind] = Default::default(),
        started_at_unix_ms: u64 = Default::default(),
        expected_done_unix_ms: u64 = Default::default(),
    }
}

py_class! {
    /// `CacheRoot` (running_process.broker.v1).
    class CacheRoot(Broker, "wire.broker", "CacheRoot") wraps v1::CacheRoot {}
    optional {
        path: String = Default::default(),
        kind: i32 [ECacheRootKind] = Default::default(),
        estimated_size_bytes: u64 = Default::default(),
        disposition: i32 [EStorageDisposition] = Default::default(),
        labels: BTreeMap<String, String> = Default::default(),
        quota: Option<v1::Quota> = Default::default(),
        teardown_hook: Option<v1::TeardownHook> = Default::default(),
        exclude_globs: Vec<String> = Default::default(),
        platform_paths: BTreeMap<String, String> = Default::default(),
        ownership: Option<v1::Ownership> = Default::default(),
        endpoint: Option<v1::Endpoint> = Default::default(),
    }
}

py_class! {
    /// `Endpoint` (running_process.broker.v1).
    class Endpoint(Broker, "wire.broker", "Endpoint") wraps v1::Endpoint {}
    optional {
        namespace_id: String = Default::default(),
        path: String = Default::default(),
    }
}

py_class! {
    /// `TeardownHook` (running_process.broker.v1).
    class TeardownHook(Broker, "wire.broker", "TeardownHook") wraps v1::TeardownHook {}
    optional {
        kind: i32 [ETeardownKind] = Default::default(),
        argv: Vec<String> = Default::default(),
        timeout_secs: u64 = Default::default(),
    }
}

py_class! {
    /// `Quota` (running_process.broker.v1).
    class Quota(Broker, "wire.broker", "Quota") wraps v1::Quota {}
    optional {
        hard_max_bytes: u64 = Default::default(),
        soft_target_bytes: u64 = Default::default(),
        reserved_bytes: u64 = Default::default(),
    }
}

py_class! {
    /// `Ownership` (running_process.broker.v1).
    class Ownership(Broker, "wire.broker", "Ownership") wraps v1::Ownership {}
    optional {
        uid: u32 = Default::default(),
        gid: u32 = Default::default(),
        mode: u32 = Default::default(),
        windows_sid: String = Default::default(),
    }
}

py_class! {
    /// `DaemonProcess` (running_process.broker.v1).
    class DaemonProcess(Broker, "wire.broker", "DaemonProcess") wraps v1::DaemonProcess {}
    optional {
        pid: u32 = Default::default(),
        exe_path: String = Default::default(),
        ipc_endpoint: Option<v1::Endpoint> = Default::default(),
        started_at_unix_ms: u64 = Default::default(),
        boot_id: String = Default::default(),
        idle_timeout_secs: Option<u32> = Default::default(),
        exe_hash_algorithm: String = Default::default(),
        exe_hash: Bytes = Default::default(),
    }
}

py_class! {
    /// `CleanupPolicy` (running_process.broker.v1).
    class CleanupPolicy(Broker, "wire.broker", "CleanupPolicy") wraps v1::CleanupPolicy {}
    optional {
        dormant_after_secs: u64 = Default::default(),
        keep_last_n_versions: u32 = Default::default(),
        keep_current: bool = Default::default(),
        min_size_for_prune_bytes: u64 = Default::default(),
    }
}

py_class! {
    /// `ManifestRef` (running_process.broker.v1).
    class ManifestRef(Broker, "wire.broker", "ManifestRef") wraps v1::ManifestRef {}
    optional {
        service_name: String = Default::default(),
        min_version: String = Default::default(),
        optional: bool = Default::default(),
    }
}

py_class! {
    /// `ObservabilityInfo` (running_process.broker.v1).
    class ObservabilityInfo(Broker, "wire.broker", "ObservabilityInfo") wraps v1::ObservabilityInfo {}
    optional {
        metrics_endpoint: String = Default::default(),
        log_path: String = Default::default(),
        health_check_endpoint: String = Default::default(),
    }
}

py_class! {
    /// `LifecycleEvent` (running_process.broker.v1).
    class LifecycleEvent(Broker, "wire.broker", "LifecycleEvent") wraps v1::LifecycleEvent {}
    optional {
        ts_ms: u64 = Default::default(),
        pid: u32 = Default::default(),
        service_name: String = Default::default(),
        kind: i32 [EEventKind] = Default::default(),
        reason: String = Default::default(),
        extra: BTreeMap<String, String> = Default::default(),
        severity_number: u32 = Default::default(),
        severity_text: String = Default::default(),
        request_id: String = Default::default(),
        connection_id: u64 = Default::default(),
        broker_instance: String = Default::default(),
    }
}

py_class! {
    /// `ServiceDefinition` (running_process.broker.v1).
    class ServiceDefinition(Broker, "wire.broker", "ServiceDefinition") wraps v1::ServiceDefinition {}
    optional {
        service_name: String = Default::default(),
        binary_path: String = Default::default(),
        isolation: i32 [EBrokerIsolation] = Default::default(),
        explicit_instance: String = Default::default(),
        per_version_binary_dir: String = Default::default(),
        min_version: String = Default::default(),
        version_allow_list: Vec<String> = Default::default(),
        labels: BTreeMap<String, String> = Default::default(),
    }
}
py_class! {
    /// A framed message as the codec reads it: the `Frame` and the body length its 5-byte
    /// header declared (it differs from the re-encoding's only for non-canonical bodies;
    /// encoding writes the actual length).
    class PyFramed(Broker, "wire.broker", "Framed") wraps Framed {
        frame: v1::Frame,
        body_length: u32,
    }
}

py_class! {
    /// The payload of a backend-handle probe response: the request's nonce, the backend's
    /// `DaemonProcess`, and the raw legacy field-3 records written after it.
    class PyProbeResponse(Broker, "wire.broker", "ProbeResponse") wraps ProbeResponse {
        nonce: Bytes,
        daemon_process: v1::DaemonProcess,
        legacy_tag3_sha256_field: Bytes,
    }
}

/// Declares the message list: `AnyMessage` to and from the Python classes.
macro_rules! any_message {
    ($($name:ident),* $(,)?) => {
        fn any_to_py<'py>(py: Python<'py>, m: AnyMessage) -> PyResult<Bound<'py, PyAny>> {
            match m {
                $(AnyMessage::$name(m) => Ok(Bound::new(py, $name(m))?.into_any()),)*
            }
        }

        fn any_from_py(ob: &Bound<'_, PyAny>) -> PyResult<AnyMessage> {
            $(if let Ok(m) = ob.cast::<$name>() {
                return Ok(AnyMessage::$name(m.get().0.clone()));
            })*
            Err(wrong_type("msg", "a wire.broker message", ob))
        }

        /// Add the message classes to `_wire`.
        fn register_messages(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $(m.add(concat!("broker_", stringify!($name)), m.py().get_type::<$name>())?;)*
            Ok(())
        }
    };
}

any_message! {
    Frame, Hello, HelloReply, Negotiated, Refused, HandoffOffer, HandoffAck, AdminRequest,
    AdminReply, CacheManifest, HostIdentity, Operation, CacheRoot, Endpoint, TeardownHook, Quota,
    Ownership, DaemonProcess, CleanupPolicy, ManifestRef, ObservabilityInfo, LifecycleEvent,
    ServiceDefinition,
}

/// The protocol.
pub struct Broker;

impl Proto for Broker {
    type C = BrokerCodec;

    fn to_py<'py>(py: Python<'py>, frame: Framed) -> PyResult<Bound<'py, PyAny>> {
        Ok(Bound::new(py, PyFramed(frame))?.into_any())
    }

    /// A `Framed`, or a `Frame` (framed with its actual body length).
    fn from_py<'a>(ob: &'a Bound<'_, PyAny>) -> PyResult<Cow<'a, Framed>> {
        if let Ok(f) = ob.cast::<PyFramed>() {
            return Ok(Cow::Borrowed(&f.get().0));
        }
        if let Ok(f) = ob.cast::<Frame>() {
            return Ok(Cow::Owned(Framed::from(f.get().0.clone())));
        }
        Err(wrong_type(
            "msg",
            "wire.broker.Framed or wire.broker.Frame",
            ob,
        ))
    }
}

protocol_api!(Broker, "wire.broker", "broker");

/// The message a frame's payload carries, by `payload_protocol` and `kind`: None for opaque
/// payloads, `MalformedError` when the payload is not the message its schema announces.
#[pyfunction]
fn payload_message<'py>(
    py: Python<'py>,
    frame: &Bound<'py, PyAny>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let frame = Broker::from_py(frame)?;
    match frame.frame.payload_message() {
        None => Ok(None),
        Some(payload) => match check(py, payload)? {
            Payload::Hello(m) => m.to_py(py).map(Some),
            Payload::HelloReply(m) => m.to_py(py).map(Some),
            Payload::AdminRequest(m) => m.to_py(py).map(Some),
            Payload::AdminReply(m) => m.to_py(py).map(Some),
            Payload::HandoffOffer(m) => m.to_py(py).map(Some),
            Payload::HandoffAck(m) => m.to_py(py).map(Some),
            Payload::ProbeResponse(m) => m.to_py(py).map(Some),
        },
    }
}

/// Encode a message of the v1 package as bare protobuf bytes (no framing).
#[pyfunction]
fn encode_message<'py>(py: Python<'py>, msg: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
    Ok(PyBytes::new(py, &any_from_py(msg)?.encode()))
}

/// Decode bare protobuf bytes as the message named `type_name` (`"Hello"`, ...).
#[pyfunction]
fn decode_message<'py>(
    py: Python<'py>,
    type_name: &str,
    data: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let input = Input::of(data)?;
    any_to_py(
        py,
        check(py, AnyMessage::decode(type_name, input.as_slice()))?,
    )
}

/// The canonical JSON of a bare message (`{"type": name, "fields": {...}}`).
#[pyfunction]
fn message_to_json<'py>(py: Python<'py>, msg: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    json_to_py(py, &any_from_py(msg)?.to_json())
}

/// A bare message from its canonical JSON.
#[pyfunction]
fn message_from_json<'py>(py: Python<'py>, doc: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    any_to_py(py, check(py, AnyMessage::from_json(&py_to_json(doc)?))?)
}

/// Add the module's names to `_wire`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    register_api(m)?;
    register_messages(m)?;
    m.add("broker_Framed", m.py().get_type::<PyFramed>())?;
    m.add("broker_ProbeResponse", m.py().get_type::<PyProbeResponse>())?;
    m.add(
        "broker_payload_message",
        wrap_pyfunction!(payload_message, m)?,
    )?;
    m.add(
        "broker_encode_message",
        wrap_pyfunction!(encode_message, m)?,
    )?;
    m.add(
        "broker_decode_message",
        wrap_pyfunction!(decode_message, m)?,
    )?;
    m.add(
        "broker_message_to_json",
        wrap_pyfunction!(message_to_json, m)?,
    )?;
    m.add(
        "broker_message_from_json",
        wrap_pyfunction!(message_from_json, m)?,
    )?;
    m.add("broker_MAX_FRAME_BYTES", broker::MAX_FRAME_BYTES)?;
    m.add("broker_MAX_HELLO_BYTES", broker::MAX_HELLO_BYTES)?;
    m.add("broker_TYPE_NAMES", AnyMessage::TYPE_NAMES.to_vec())?;
    Ok(())
}
