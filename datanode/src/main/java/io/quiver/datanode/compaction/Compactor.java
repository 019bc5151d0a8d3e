package io.quiver.datanode.compaction;

import io.quiver.common.binlog.ResultSegmentWriter;
import io.quiver.common.binlog.LogIdRange;
import static java.util.Objects.requireNonNull;

import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.quiver.common.column.FieldColumn;
import io.quiver.common.column.LongColumn;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.schema.Schemas;
import io.quiver.proto.CompactionPlan;
import io.quiver.proto.CompactionResult;
import io.quiver.proto.CompactionResultSegment;
import io.quiver.proto.CompactionSegment;
import io.quiver.proto.CompactionTaskState;
import io.quiver.proto.SegmentManifest;
import io.quiver.storage.ObjectStore;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes one compaction plan (docs/architecture.md, "Compaction, TTL and garbage collection"): writes new
 * files and manifests to object storage and describes them in a {@link CompactionResult}; datacoord commits the
 * result into meta, so nothing here touches meta and a plan that fails or is dropped leaves only unreferenced
 * files (collected by the garbage collector after {@code dataCoord.gc.missingTolerance}).
 *
 * <p>MIX: every input's rows and deltalogs are read into one column per field, {@link MixMerge} picks the
 * survivors, {@link ResultSegmentWriter} writes them in chunks of {@code max_rows}. L0: see {@link L0Applier}.
 * Between segments the plan checks its cancel flag (DropCompactionPlans) and its deadline
 * ({@code start_ms + timeout_ms} by the injected clock).
 */
public final class Compactor {
    private static final Logger LOG = LoggerFactory.getLogger(Compactor.class);

    private final ObjectStore store;
    private final InstantSource clock;
    private final CompactionReader reader;

    public Compactor(ObjectStore store, InstantSource clock) {
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.reader = new CompactionReader(store);
    }

    public CompactionResult execute(CompactionPlan plan) {
        return execute(plan, () -> false);
    }

    /** Runs the plan; throws {@link QuiverException} (CANCELED when {@code cancelled} turns true, TIMEOUT, ...) on failure. */
    public CompactionResult execute(CompactionPlan plan, BooleanSupplier cancelled) {
        requireNonNull(plan, "plan is null");
        requireNonNull(cancelled, "cancelled is null");
        if (!plan.hasCollection() || plan.getCollection().getSchema().getFieldsCount() == 0) {
            throw QuiverException.invalid("compaction plan %d has no collection schema", plan.getPlanId());
        }
        Runnable check = () -> checkContinue(plan, cancelled);
        CompactionResult result = switch (plan.getType()) {
            case MIX_COMPACTION -> mix(plan, check);
            case L0_COMPACTION -> new L0Applier(store, reader).apply(plan, check);
            default -> throw QuiverException.invalid("compaction plan %d has unknown type %s", plan.getPlanId(), plan.getType());
        };
        LOG.info("compaction executed planId={} type={} collectionId={} vchannel={} results={} droppedDeleted={} droppedExpired={} droppedSuperseded={}",
                plan.getPlanId(), plan.getType(), plan.getCollection().getCollectionId(), plan.getVchannel(), result.getSegmentsCount(),
                result.getDroppedDeleted(), result.getDroppedExpired(), result.getDroppedSuperseded());
        return result;
    }

    private void checkContinue(CompactionPlan plan, BooleanSupplier cancelled) {
        if (cancelled.getAsBoolean()) {
            throw QuiverException.of(ErrorCode.CANCELED, "compaction plan %d was dropped", plan.getPlanId());
        }
        if (plan.getTimeoutMs() > 0 && clock.millis() > plan.getStartMs() + plan.getTimeoutMs()) {
            throw QuiverException.of(ErrorCode.TIMEOUT, "compaction plan %d ran past its timeout of %d ms", plan.getPlanId(), plan.getTimeoutMs());
        }
    }

    private CompactionResult mix(CompactionPlan plan, Runnable check) {
        if (plan.getMaxRows() <= 0) {
            throw QuiverException.invalid("mix compaction plan %d has max_rows %d", plan.getPlanId(), plan.getMaxRows());
        }
        var collection = plan.getCollection();
        FieldSchema pkField = Schemas.primaryKey(collection.getSchema());
        Map<Long, FieldColumn> columns = new LinkedHashMap<>();
        columns.put(Schemas.ROW_ID_FIELD, new LongColumn(Schemas.ROW_ID_FIELD, DataType.Int64, false));
        columns.put(Schemas.TIMESTAMP_FIELD, new LongColumn(Schemas.TIMESTAMP_FIELD, DataType.Int64, false));
        for (FieldSchema f : collection.getSchema().getFieldsList()) {
            columns.put(f.getFieldID(), FieldColumn.create(f));
        }
        DeleteIndex deletes = new DeleteIndex();
        for (CompactionSegment input : plan.getSegmentsList()) {
            check.run();
            SegmentManifest m = reader.manifest(input);
            if (m.getCollectionId() != collection.getCollectionId() || m.getPartitionId() != plan.getPartitionId()) {
                throw QuiverException.invalid("mix compaction plan %d: input segment %d is in collection %d partition %d, not %d / %d",
                        plan.getPlanId(), m.getSegmentId(), m.getCollectionId(), m.getPartitionId(),
                        collection.getCollectionId(), plan.getPartitionId());
            }
            reader.readColumns(m, columns);
            reader.readDeletes(m).forEach(deletes::add);
        }
        MixMerge.Outcome outcome = MixMerge.run(columns.get(pkField.getFieldID()), (LongColumn) columns.get(Schemas.TIMESTAMP_FIELD),
                deletes, plan.getExpireTs());
        int[] rows = outcome.survivors();
        int results = (int) ((rows.length + plan.getMaxRows() - 1) / plan.getMaxRows());
        if (results > plan.getResultSegmentIdsCount()) {
            throw QuiverException.invalid("mix compaction plan %d needs %d result segment ids but has %d",
                    plan.getPlanId(), results, plan.getResultSegmentIdsCount());
        }
        LogIdRange logIds = new LogIdRange(plan.getPlanId(), plan.getFirstLogId(), plan.getLogIdCount());
        logIds.require((long) results * ResultSegmentWriter.logIdsPerSegment(collection));
        ResultSegmentWriter writer = new ResultSegmentWriter(store, collection, plan.getPartitionId(), plan.getVchannel());
        List<CompactionResultSegment> out = new ArrayList<>(results);
        for (int i = 0; i < results; i++) {
            check.run();
            int from = (int) (i * plan.getMaxRows());
            int to = (int) Math.min(rows.length, from + plan.getMaxRows());
            out.add(writer.write(plan.getResultSegmentIds(i), columns, rows, from, to, logIds));
        }
        return CompactionResult.newBuilder().setPlanId(plan.getPlanId()).setState(CompactionTaskState.COMPLETED)
                .addAllSegments(out).setDroppedDeleted(outcome.droppedDeleted()).setDroppedExpired(outcome.droppedExpired())
                .setDroppedSuperseded(outcome.droppedSuperseded()).build();
    }
}
