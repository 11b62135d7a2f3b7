#[test]
fn links() {
    let _ = noxu_rep::protocol::ProtocolMessage::decode(&[6, 0, 0, 0, 0, 0, 0, 0, 0]);
    let _ = noxu_rep_3::protocol::ProtocolMessage::decode(&[6, 0, 0, 0, 0, 0, 0, 0, 0]);
}
