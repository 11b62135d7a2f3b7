"""Pilot Protocol data exchange: build frames, encode, decode one, stream several."""

from wire import dataexchange

text = dataexchange.TypeText(payload=b"hello")
data = dataexchange.encode(text)
print("text frame:", data.hex())
assert dataexchange.decode(data) == text

upload = dataexchange.TypeFile(filename=b"report.csv", payload=b"a,b\n1,2\n")
trace = dataexchange.TypeTrace(inner_type=dataexchange.TYPE_TEXT, sent_at_ns=1_700_000_000, payload=b"ping")
stream = dataexchange.encode(upload) + dataexchange.encode(trace)

decoder = dataexchange.Decoder(max_frame_size=1 << 20)
frames = decoder.feed(stream[:10]) + decoder.feed(stream[10:])
for frame in frames:
    print(dataexchange.type_name(dataexchange.frame_type(frame)), dataexchange.to_json(frame))
assert frames == [upload, trace] and decoder.buffered == 0
