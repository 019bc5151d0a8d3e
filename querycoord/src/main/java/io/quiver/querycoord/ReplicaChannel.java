package io.quiver.querycoord;

/** A shard of one replica of a collection: what a leader, a leader handoff and a delete floor are kept per. */
record ReplicaChannel(long collectionId, long replicaId, String vchannel) {}
