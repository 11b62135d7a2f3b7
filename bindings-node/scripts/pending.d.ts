// The declarations of the protocols the core's schema does not describe yet, kept until it does.
export declare namespace chitchat {
  /** Codes by name. */
  type ProtocolVersion = "V0" | "V1"
  /** Codes by name. */
  type DeletionStatusMutation = "Set" | "Delete" | "DeleteAfterTtl"
  interface ChitchatId {
    nodeId: string
    generationId: bigint
    gossipAdvertiseAddr: string
  }
  interface NodeDigest {
    heartbeat: bigint
    lastGcVersion: bigint
    maxVersion: bigint
  }
  interface NodeDigestEntry {
    chitchatId: ChitchatId
    heartbeat: bigint
    lastGcVersion: bigint
    maxVersion: bigint
  }
  interface Digest {
    nodeDigests: Array<NodeDigestEntry>
  }
  interface Delta {
    nodeDeltas: Array<NodeDelta>
  }
  interface NodeDelta {
    chitchatId: ChitchatId
    fromVersionExcluded: bigint
    lastGcVersion: bigint
    keyValues: Array<KeyValueMutation>
    maxVersion: bigint
  }
  interface KeyValueMutation {
    key: string
    value: string
    version: bigint
    status: DeletionStatusMutation
  }
  type ChitchatMessage =
    | { type: "Syn"; clusterId: string; digest: Digest }
    | { type: "SynAck"; digest: Digest; delta: Delta }
    | { type: "Ack"; delta: Delta }
    | { type: "BadCluster" }
  type ChitchatEnvelope = { version: ProtocolVersion } & ChitchatMessage
  /** The codec's options. */
  interface Options extends Limits { version?: 'V0' | 'V1' }
  /** A frame as decode returns it. */
  type Message = ChitchatEnvelope
}
export declare const chitchat: ProtocolApi<chitchat.Message, chitchat.Options>

export declare namespace replication {
  /** Codes by name. */
  type NodeType = "Electable" | "Monitor" | "Secondary" | "Arbiter"
  /** Codes by name. */
  type GroupChangeType = "Add" | "Remove" | "Update"
  interface RepNode {
    name: string
    nodeType: NodeType
    host: string
    port: number
    nodeId: number
  }
  type ProtocolMessage =
    | { type: "Handshake"; nodeName: string; groupName: string; nodeType: NodeType }
    | { type: "HandshakeResponse"; accepted: boolean; reason?: string | null }
    | { type: "Heartbeat"; masterVlsn: bigint; timestampMs: bigint }
    | { type: "HeartbeatResponse"; replicaVlsn: bigint; timestampMs: bigint }
    | { type: "LogEntry"; vlsn: bigint; entryType: number; data: Buffer }
    | { type: "Ack"; vlsn: bigint }
    | { type: "GroupChange"; changeType: GroupChangeType; node: RepNode }
    | { type: "GroupChangeResponse"; accepted: boolean }
    | { type: "ElectionProposal"; nodeName: string; vlsn: bigint; priority: number; term: bigint; dtvlsn?: bigint | null }
    | { type: "ElectionVote"; voter: string; granted: boolean; term: bigint }
    | { type: "ElectionResult"; master: string; term: bigint }
    | { type: "Shutdown"; reason: string }
  /** The codec's options. */
  interface Options extends Limits { layout?: '7x' | '3x' }
  /** A frame as decode returns it. */
  type Message = ProtocolMessage
}
export declare const replication: ProtocolApi<replication.Message, replication.Options> & {
  decodeMessage(buf: Uint8Array, options?: replication.Options): replication.ProtocolMessage
  decodeMessagePrefix(buf: Uint8Array, options?: replication.Options): { message: replication.ProtocolMessage; used: number }
  encodeMessage(msg: replication.ProtocolMessage, options?: replication.Options): Buffer
  messageToJSON(msg: replication.ProtocolMessage, options?: replication.Options): CanonicalJSON
  messageFromJSON(json: CanonicalJSON, options?: replication.Options): replication.ProtocolMessage
  encodePreamble(service: string): Buffer
  decodePreamble(buf: Uint8Array): { service: string; used: number }
}
