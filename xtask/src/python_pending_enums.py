

class ProtocolVersion(enum.IntEnum):
    """chitchat ``ProtocolVersion``: only the digest encoding differs."""

    V0 = 0
    V1 = 1


class DeletionStatusMutation(enum.IntEnum):
    """chitchat ``DeletionStatusMutation`` (status byte)."""

    Set = 0
    Delete = 1
    DeleteAfterTtl = 2


class NodeType(enum.IntEnum):
    """noxu-rep ``NodeType``."""

    Electable = 0
    Monitor = 1
    Secondary = 2
    Arbiter = 3


class GroupChangeType(enum.IntEnum):
    """noxu-rep ``GroupChangeType``."""

    Add = 0
    Remove = 1
    Update = 2


class Layout(str, enum.Enum):
    """The noxu-rep release line, option ``layout``: they differ in ``ElectionProposal.dtvlsn``."""

    V7 = "7x"
    """noxu-rep 4.1.0 to 7.11.2 (``dtvlsn`` present)."""
    V3 = "3x"
    """noxu-rep 3.0.0 to 4.0.0 (no ``dtvlsn``)."""
