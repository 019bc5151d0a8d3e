package io.quiver.querycoord;

/** A sealed segment in one replica of a collection: what a balance move is kept per. */
record ReplicaSegment(long collectionId, long replicaId, long segmentId) {}
