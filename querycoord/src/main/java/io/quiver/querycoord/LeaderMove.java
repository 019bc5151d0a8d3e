package io.quiver.querycoord;

/** A leader moving from one node of a replica to another: {@code switchedAtMs} is 0 while the new one warms up. */
record LeaderMove(long from, long to, long switchedAtMs) {}
