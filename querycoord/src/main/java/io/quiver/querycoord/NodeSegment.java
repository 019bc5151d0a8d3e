package io.quiver.querycoord;

/** A segment on one querynode: a held copy, or a load that failed there. */
record NodeSegment(long nodeId, long segmentId) {}
