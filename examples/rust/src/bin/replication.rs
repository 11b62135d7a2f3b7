//! replication: Noxu messages framed for TCP, and the bare 3.x layout of an election proposal.

use wire_core::replication::{self, Layout, ProtocolMessage, ReplicationCodec};
use wire_core::{decode_all, Codec};

fn main() -> Result<(), wire_core::Error> {
    let messages = [
        ProtocolMessage::Heartbeat {
            master_vlsn: 1042,
            timestamp_ms: 1_700_000_000_000,
        },
        ProtocolMessage::LogEntry {
            vlsn: 1043,
            entry_type: 1,
            data: "put k v".into(),
        },
        ProtocolMessage::Ack { vlsn: 1043 },
    ];
    let mut stream = Vec::new();
    for message in &messages {
        stream.extend(replication::encode(message)?); // [u32 LE length][message]
    }
    let decoded = decode_all(ReplicationCodec::default(), &stream)?;
    assert_eq!(decoded, messages);

    // Layout 3x has no dtvlsn: the same proposal is shorter.
    let proposal = |dtvlsn| ProtocolMessage::ElectionProposal {
        node_name: "n1".into(),
        vlsn: 9,
        priority: 1,
        term: 2,
        dtvlsn,
    };
    let bare = replication::encode_message(&proposal(None), Layout::V3)?;
    assert_eq!(
        replication::decode_message(&bare, Layout::V3)?,
        proposal(None)
    );
    println!(
        "{}",
        ReplicationCodec::default().to_json(&proposal(Some(9)))
    );
    Ok(())
}
