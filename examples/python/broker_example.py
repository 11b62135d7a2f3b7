"""running-process broker: a Hello request frame, its payload, and the framed round trip."""

from wire import broker

hello = broker.Hello(client_min_protocol=1, client_max_protocol=1, service_name="zccache", client_version="1.2.3")
frame = broker.Frame(
    envelope_version=1,
    kind=broker.FrameKind.FRAME_KIND_REQUEST,
    payload_protocol=0,
    payload=broker.encode_message(hello),
    request_id=1,
)
data = broker.encode(frame)
print(data.hex())

framed = broker.decode(data)
assert framed.frame == frame and framed.body_length == len(data) - 5
payload = broker.payload_message(framed)
assert payload == hello
print(broker.to_json(framed)["fields"]["payload_message"])

decoder = broker.Decoder(max_frame_size=broker.MAX_HELLO_BYTES)
assert [f.frame for f in decoder.feed(data * 3)] == [frame] * 3
