package io.quiver.server.ctl;

/**
 * One measurement of the churn benchmark; -1 where a figure is unknown (a source did not answer).
 *
 * @param rowsWritten rows sent so far (inserts and upserts, preload included)
 * @param liveRows rows the client's model says are live
 * @param qnEntities rows the querynodes hold: sealed rows of the collection plus growing rows
 * @param qnMemoryBytes querynode memory (all loaded collections)
 * @param bytesStored bytes under the --measure-dir directories
 * @param flushedSegments flushed segments of the collection
 * @param countMs median count(*) latency of the period's checks
 * @param searchP99Ms p99 self-search latency of the period's checks
 * @param searchQps QPS of the fixed search phase
 * @param badRounds bad rounds so far
 */
record ChurnFigures(long rowsWritten, long liveRows, long qnEntities, long qnMemoryBytes, long bytesStored, long flushedSegments,
        double countMs, double searchP99Ms, double searchQps, int badRounds) {}
