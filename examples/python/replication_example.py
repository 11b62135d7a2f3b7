"""Noxu replication: a TCP connection's preamble and framed messages, and the 3.x layout."""

from wire import replication

stream = replication.encode_preamble(replication.SERVICE_ELECTION)
stream += replication.encode(replication.ElectionProposal(node_name="n1", vlsn=100, priority=1, term=7, dtvlsn=99))
stream += replication.encode(replication.ElectionResult(master="n1", term=7))

service, used = replication.decode_preamble(stream)
print("service:", service)
decoder = replication.Decoder()
for message in decoder.feed(stream[used:]):
    print(type(message).__name__, replication.to_json(message))

legacy = replication.ElectionProposal(node_name="n1", vlsn=100, priority=1, term=7)
bare = replication.encode_message(legacy, layout=replication.Layout.V3)
assert replication.decode_message(bare, layout="3x") == legacy
print("3.x proposal:", bare.hex())
