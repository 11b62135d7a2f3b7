//! wire's chitchat codec against the chitchat crate 0.11.2 (V0, the format every release since
//! 0.9.0 speaks; 0.12+ no longer exposes message (de)serialization).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[path = "../../../core/tests/strategies/chitchat.rs"]
mod strategies;

use chitchat::transport::{ChannelTransport, Socket, Transport};
use chitchat::{ChitchatConfig, ChitchatId, ChitchatMessage, Deserializable, Serializable};
use proptest::prelude::*;
use wire_core::chitchat::{self as wire, ChitchatEnvelope, ProtocolVersion};
use wire_interop_chitchat::samples;

/// The crate decodes `bytes` and re-serializes them to the same bytes.
fn crate_round_trip(bytes: &[u8]) -> Result<(), String> {
    let mut cursor = bytes;
    let message = ChitchatMessage::deserialize(&mut cursor).map_err(|e| format!("{e:#}"))?;
    if !cursor.is_empty() {
        return Err(format!("{} bytes left unread", cursor.len()));
    }
    let again = message.serialize_to_vec();
    if again != bytes {
        return Err(format!(
            "re-serialized differently:\n{}\n{}",
            hex::encode(bytes),
            hex::encode(&again)
        ));
    }
    Ok(())
}

/// Ours encodes, the crate decodes and re-serializes identically, and ours decodes that back.
fn check_ours_to_crate(envelope: &ChitchatEnvelope) -> Result<(), String> {
    let bytes = wire::encode(envelope).map_err(|e| e.to_string())?;
    crate_round_trip(&bytes)?;
    let back = wire::decode(&bytes).map_err(|e| e.to_string())?;
    if &back != envelope {
        return Err("decoded differently".into());
    }
    Ok(())
}

fn vectors() -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../vectors/chitchat.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn is_v0(hex: &str) -> bool {
    hex.get(4..6) == Some("00")
}

#[test]
fn v0_vectors_re_encoded_by_us_round_trip_through_the_crate() {
    let doc = vectors();
    let mut checked = 0;
    for section in ["vectors", "decode_only"] {
        for entry in doc[section].as_array().unwrap() {
            let hex = entry
                .get("canonical_hex")
                .unwrap_or(&entry["hex"])
                .as_str()
                .unwrap();
            if !is_v0(hex) {
                continue;
            }
            let ours = wire::decode(&hex::decode(hex).unwrap()).unwrap();
            check_ours_to_crate(&ours).unwrap_or_else(|e| panic!("{}: {e}", entry["name"]));
            checked += 1;
        }
    }
    assert_eq!(checked, 21);
}

#[test]
fn v0_invalid_vectors_are_refused_by_both() {
    let doc = vectors();
    let mut checked = 0;
    for entry in doc["invalid"].as_array().unwrap() {
        let hex = entry["hex"].as_str().unwrap();
        if hex.len() >= 6 && !is_v0(hex) {
            continue;
        }
        let bytes = hex::decode(hex).unwrap();
        assert!(wire::decode(&bytes).is_err(), "{}", entry["name"]);
        assert!(
            ChitchatMessage::deserialize(&mut &bytes[..]).is_err(),
            "{}",
            entry["name"]
        );
        checked += 1;
    }
    assert_eq!(checked, 31);
}

#[test]
fn sample_messages_round_trip_through_the_crate() {
    for (name, envelope) in samples(ProtocolVersion::V0) {
        check_ours_to_crate(&envelope).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

/// A transport that records the bytes of every message the crate sends (serialized by the
/// crate itself) and hands the message on to an in-process channel transport.
#[derive(Clone)]
struct Recording {
    inner: Arc<ChannelTransport>,
    sent: Arc<Mutex<Vec<Vec<u8>>>>,
}

struct RecordingSocket {
    inner: Box<dyn Socket>,
    sent: Arc<Mutex<Vec<Vec<u8>>>>,
}

#[async_trait::async_trait]
impl Transport for Recording {
    async fn open(&self, listen_addr: SocketAddr) -> anyhow::Result<Box<dyn Socket>> {
        Ok(Box::new(RecordingSocket {
            inner: self.inner.open(listen_addr).await?,
            sent: self.sent.clone(),
        }))
    }
}

#[async_trait::async_trait]
impl Socket for RecordingSocket {
    async fn send(&mut self, to: SocketAddr, msg: ChitchatMessage) -> anyhow::Result<()> {
        self.sent.lock().unwrap().push(msg.serialize_to_vec());
        self.inner.send(to, msg).await
    }

    async fn recv(&mut self) -> anyhow::Result<(SocketAddr, ChitchatMessage)> {
        self.inner.recv().await
    }
}

/// Three crate nodes gossip key-values (set, deleted, with TTL) through the recording
/// transport; every datagram they send decodes with ours and re-encodes to the same bytes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_of_a_live_crate_cluster_decode_and_re_encode_identically() {
    let transport = Recording {
        inner: Arc::new(ChannelTransport::with_mtu(65_507)),
        sent: Arc::default(),
    };
    let mut handles = Vec::new();
    for port in 0..3u16 {
        let addr: SocketAddr = format!("127.0.0.1:{}", 20_000 + port).parse().unwrap();
        let config = ChitchatConfig {
            chitchat_id: ChitchatId::new(format!("node-{port}"), 1, addr),
            cluster_id: "interop".into(),
            gossip_interval: Duration::from_millis(20),
            listen_addr: addr,
            seed_nodes: vec!["127.0.0.1:20000".into()],
            failure_detector_config: Default::default(),
            marked_for_deletion_grace_period: Duration::from_secs(3_600),
            catchup_callback: None,
            extra_liveness_predicate: None,
        };
        let kvs = vec![("role".to_string(), format!("node {port} é"))];
        handles.push(
            chitchat::spawn_chitchat(config, kvs, &transport)
                .await
                .unwrap(),
        );
    }
    for round in 0..10 {
        for (i, handle) in handles.iter().enumerate() {
            handle
                .with_chitchat(|c| {
                    let state = c.self_node_state();
                    state.set(
                        format!("key-{round}"),
                        wire_interop_chitchat::text(round, 200),
                    );
                    if round % 3 == 0 {
                        state.set_with_ttl(format!("ttl-{i}-{round}"), "v");
                    }
                    if round > 2 {
                        state.delete(&format!("key-{}", round - 2));
                    }
                })
                .await;
        }
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
    for handle in handles {
        handle.shutdown().await.unwrap();
    }
    let sent = transport.sent.lock().unwrap().clone();
    let mut kinds = [0usize; 4];
    let mut kvs = 0;
    for bytes in &sent {
        let envelope = wire::decode(bytes)
            .unwrap_or_else(|e| panic!("{e}: crate message {}", hex::encode(bytes)));
        assert_eq!(envelope.version, ProtocolVersion::V0);
        assert_eq!(
            wire::encode(&envelope).unwrap(),
            *bytes,
            "re-encoding differs for {envelope:?}"
        );
        kinds[usize::from(envelope.message.message_type())] += 1;
        if let wire::ChitchatMessage::SynAck { delta, .. } | wire::ChitchatMessage::Ack { delta } =
            &envelope.message
        {
            kvs += delta
                .node_deltas
                .iter()
                .map(|n| n.key_values.len())
                .sum::<usize>();
        }
    }
    assert!(
        kinds[0] > 10 && kinds[1] > 10 && kinds[2] > 10 && kvs > 50,
        "too little traffic: {kinds:?} (Syn, SynAck, Ack, BadCluster), {kvs} kvs"
    );
}

fn arb_envelope() -> impl Strategy<Value = ChitchatEnvelope> {
    strategies::arb_envelope(Just(ProtocolVersion::V0))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_v0_messages_round_trip_through_the_crate(envelope in arb_envelope()) {
        prop_assert_eq!(check_ours_to_crate(&envelope), Ok(()));
    }
}
