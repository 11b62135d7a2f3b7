"""chitchat gossip: a Syn with a digest, an Ack with a delta, in both protocol versions."""

from wire import chitchat

node = chitchat.ChitchatId(node_id="node-1", generation_id=1, gossip_advertise_addr=("10.0.0.1", 7280))
syn = chitchat.Syn(
    cluster_id="prod",
    digest=chitchat.Digest(node_digests={node: chitchat.NodeDigest(heartbeat=5, last_gc_version=0, max_version=2)}),
)
for version in chitchat.ProtocolVersion:
    data = chitchat.encode(chitchat.Syn(cluster_id=syn.cluster_id, digest=syn.digest, version=version))
    print(version.name, data.hex())
    assert chitchat.decode(data).version is version

ack = chitchat.Ack(
    delta=chitchat.Delta(
        node_deltas=[
            chitchat.NodeDelta(
                chitchat_id=node,
                from_version_excluded=0,
                last_gc_version=0,
                key_values=[
                    chitchat.KeyValueMutation(key="role", value="indexer", version=1, status=chitchat.DeletionStatusMutation.Set)
                ],
                max_version=1,
            )
        ]
    )
)
decoded = chitchat.decode(chitchat.encode(ack))
assert decoded == ack
print(chitchat.to_json(decoded))
