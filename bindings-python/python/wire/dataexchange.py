"""Pilot Protocol data-exchange frames (``github.com/pilot-protocol/dataexchange``).

``[u32 BE type][u32 BE length][payload]``; one class per frame kind: ``Text`` (1), ``Binary``
(2), ``Json`` (3), ``File`` (4: ``filename`` + ``payload``), ``Trace`` (5: ``inner_type``,
``sent_at_ns``, ``payload``) and ``Unknown`` (any other ``type``). Option: ``max_frame_size``
(payload bytes, default 256 MiB, the reference's ``MaxFrameSize``).
"""

from typing import Union

from wire._wire import dataexchange_Binary as Binary
from wire._wire import dataexchange_decode as decode
from wire._wire import dataexchange_Decoder as Decoder
from wire._wire import dataexchange_encode as encode
from wire._wire import dataexchange_File as File
from wire._wire import dataexchange_frame_type as frame_type
from wire._wire import dataexchange_from_json as from_json
from wire._wire import dataexchange_Json as Json
from wire._wire import dataexchange_MAX_FRAME_SIZE as MAX_FRAME_SIZE
from wire._wire import dataexchange_read_trace_payload as read_trace_payload
from wire._wire import dataexchange_Text as Text
from wire._wire import dataexchange_to_json as to_json
from wire._wire import dataexchange_Trace as Trace
from wire._wire import dataexchange_type_name as type_name
from wire._wire import dataexchange_Unknown as Unknown

Frame = Union[Text, Binary, Json, File, Trace, Unknown]
"""Any data-exchange frame."""

TYPE_TEXT = 1
TYPE_BINARY = 2
TYPE_JSON = 3
TYPE_FILE = 4
TYPE_TRACE = 5

__all__ = [
    "MAX_FRAME_SIZE",
    "TYPE_BINARY",
    "TYPE_FILE",
    "TYPE_JSON",
    "TYPE_TEXT",
    "TYPE_TRACE",
    "Binary",
    "Decoder",
    "File",
    "Frame",
    "Json",
    "Text",
    "Trace",
    "Unknown",
    "decode",
    "encode",
    "frame_type",
    "from_json",
    "read_trace_payload",
    "to_json",
    "type_name",
]
