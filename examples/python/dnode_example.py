"""Dynomite DNODE: a request message, its canonical JSON, a header-only parse, a handshake."""

from wire import dnode

msg = dnode.Dmsg(id=42, type=dnode.DmsgType.DMSG_REQ, payload=b"*1\r\n$4\r\nPING\r\n")
data = dnode.encode(msg)
print(repr(data))
decoded = dnode.decode(data)
print(dnode.to_json(decoded))
assert decoded.type is dnode.DmsgType.DMSG_REQ and decoded.payload == msg.payload

parsed = dnode.parse_header(data)
assert parsed is not None
header, header_len = parsed
print("header:", header, "payload starts at", header_len)

gossip = dnode.encode(dnode.Dmsg(id=1, type=dnode.DmsgType.GOSSIP_SYN, payload=b""), flavour=dnode.Flavour.GOSSIP)
assert b" *1 a *0" in gossip

handshake = dnode.Handshake(
    capabilities=dnode.CapabilityAd(entries=[dnode.CapabilityAdEntry(name="compression", supported=[b"zstd"])])
)
blob = dnode.encode_handshake(handshake)
assert dnode.decode_handshake(blob) == handshake
print("handshake:", dnode.handshake_to_json(handshake))
