package io.quiver.datacoord;

import static java.util.Objects.requireNonNull;

import io.quiver.proto.IndexInfo;
import io.quiver.proto.SegmentIndex;
import io.quiver.proto.SegmentInfo;
import java.util.List;

/**
 * Whether a flushed segment can serve reads as well as what it replaces: every index of its collection has a finished
 * build for it (segments too small for an index get a finished build at once). Compaction results are shown to
 * querycoord only when servable, so search never falls back to brute force on a compacted segment.
 */
final class Servability {
    private final IndexManager indexes;

    Servability(IndexManager indexes) {
        this.indexes = requireNonNull(indexes, "indexes is null");
    }

    boolean servable(SegmentInfo s) {
        List<IndexInfo> wanted = indexes.find(s.getCollectionId(), "", 0);
        if (wanted.isEmpty()) {
            return true;
        }
        List<SegmentIndex> done = indexes.finishedFor(s.getCollectionId(), List.of(s.getSegmentId()));
        return wanted.stream().allMatch(i -> done.stream().anyMatch(b -> b.getIndexId() == i.getIndexId()));
    }
}
