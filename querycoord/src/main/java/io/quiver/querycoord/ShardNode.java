package io.quiver.querycoord;

/** A querynode watching a shard: where a channel is watched, unwatched and a sealed distribution synced. */
record ShardNode(long collectionId, String vchannel, long nodeId) {}
