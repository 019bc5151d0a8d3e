package io.quiver.proxy;

import static java.util.Objects.requireNonNull;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.milvus.grpc.GetImportStateResponse;
import io.milvus.grpc.ImportRequest;
import io.milvus.grpc.ImportResponse;
import io.milvus.grpc.ImportState;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.ListImportTasksRequest;
import io.milvus.grpc.ListImportTasksResponse;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.error.Statuses;
import io.quiver.common.grpc.RoleClients;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.ImportFileGroup;
import io.quiver.proto.ImportFileProgress;
import io.quiver.proto.ImportInternalRequest;
import io.quiver.proto.ImportJobInfo;
import io.quiver.proto.ImportJobRequest;
import io.quiver.proto.ImportJobResponse;
import io.quiver.proto.ImportJobState;
import io.quiver.proto.ListImportJobsRequest;
import io.quiver.proto.PartitionInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The public bulk import calls (Import, GetImportState, ListImportTasks; the REST {@code jobs/import} routes map onto
 * them): resolves the collection and partition and hands the job to datacoord, which runs it. Files of the legacy
 * request are one group each, except {@code .npy} files, which form one group (one file per field), as Milvus maps
 * the legacy call onto its v2 import. A job's report carries Milvus' figures in {@code infos}: {@code progress_percent},
 * {@code failed_reason}, {@code collection_name}, {@code total_rows}, {@code file_size}, {@code complete_time} and
 * {@code details} (per file, JSON), which the REST describe route unpacks.
 */
public final class ImportHandler {
    private final MetaCache meta;
    private final RoleClients clients;

    public ImportHandler(MetaCache meta, RoleClients clients) {
        this.meta = requireNonNull(meta, "meta is null");
        this.clients = requireNonNull(clients, "clients is null");
    }

    public ImportResponse importFiles(String db, ImportRequest req) {
        if (req.getCollectionName().isBlank()) {
            throw QuiverException.invalid("collection name is required");
        }
        CollectionInfo c = meta.collection(db, req.getCollectionName());
        boolean partitionKey = c.getSchema().getFieldsList().stream().anyMatch(f -> f.getIsPartitionKey());
        long partitionId = 0;
        if (partitionKey) {
            if (!req.getPartitionName().isEmpty()) {
                throw QuiverException.invalid("not allow to set partition name for collection with partition key");
            }
        } else {
            String name = req.getPartitionName().isEmpty() ? "_default" : req.getPartitionName();
            partitionId = c.getPartitionsList().stream().filter(p -> p.getName().equals(name)).findFirst().map(PartitionInfo::getPartitionId)
                    .orElseThrow(() -> new QuiverException(ErrorCode.PARTITION_NOT_FOUND, "partition=" + name));
        }
        ImportInternalRequest.Builder b = ImportInternalRequest.newBuilder().setCollection(c).setPartitionId(partitionId)
                .addAllOptions(req.getOptionsList());
        ImportFileGroup.Builder numpy = ImportFileGroup.newBuilder();
        for (String path : req.getFilesList()) {
            if (path.toLowerCase(Locale.ROOT).endsWith(".npy")) {
                numpy.addPaths(path);
            } else {
                b.addFiles(ImportFileGroup.newBuilder().addPaths(path));
            }
        }
        if (numpy.getPathsCount() > 0) {
            b.addFiles(numpy);
        }
        ImportJobResponse r = clients.dataCoord().import_(b.build());
        Statuses.check(r.getStatus());
        return ImportResponse.newBuilder().setStatus(Statuses.success()).addTasks(r.getJob().getJobId()).build();
    }

    public GetImportStateResponse state(long jobId) {
        ImportJobResponse r = clients.dataCoord().getImportJob(ImportJobRequest.newBuilder().setJobId(jobId).build());
        if (r.getStatus().getCode() != 0) {
            return GetImportStateResponse.newBuilder().setStatus(r.getStatus()).setId(jobId).setState(ImportState.ImportFailed)
                    .addInfos(kv("failed_reason", r.getStatus().getReason())).build();
        }
        return report(r.getJob());
    }

    public ListImportTasksResponse list(String db, ListImportTasksRequest req) {
        long collectionId = req.getCollectionName().isEmpty() ? 0 : meta.collection(db, req.getCollectionName()).getCollectionId();
        var r = clients.dataCoord().listImportJobs(ListImportJobsRequest.newBuilder().setCollectionId(collectionId).setLimit(req.getLimit()).build());
        Statuses.check(r.getStatus());
        ListImportTasksResponse.Builder b = ListImportTasksResponse.newBuilder().setStatus(Statuses.success());
        for (ImportJobInfo j : r.getJobsList()) {
            if (collectionId != 0 || j.getDbName().equals(db)) {
                b.addTasks(report(j));
            }
        }
        return b.build();
    }

    static GetImportStateResponse report(ImportJobInfo j) {
        long imported = 0;
        long total = 0;
        long size = 0;
        JsonArray details = new JsonArray();
        for (ImportFileProgress f : j.getFilesList()) {
            imported += f.getImportedRows();
            total += f.getTotalRows();
            size += f.getFileSize();
            JsonObject d = new JsonObject();
            d.addProperty("fileName", String.join(",", f.getFile().getPathsList()));
            d.addProperty("fileSize", f.getFileSize());
            d.addProperty("progress", f.getTotalRows() == 0 ? (f.getState() == ImportJobState.IMPORT_COMPLETED ? 100 : 0)
                    : Math.min(100, 100 * f.getImportedRows() / f.getTotalRows()));
            d.addProperty("completeTime", time(f.getCompleteMs()));
            d.addProperty("state", stateName(j.getState() == ImportJobState.IMPORT_FAILED ? ImportJobState.IMPORT_FAILED : f.getState()));
            d.addProperty("importedRows", f.getImportedRows());
            d.addProperty("totalRows", f.getTotalRows());
            details.add(d);
        }
        List<KeyValuePair> infos = new ArrayList<>();
        infos.add(kv("collection_name", j.getCollectionName()));
        infos.add(kv("progress_percent", Long.toString(j.getProgress())));
        infos.add(kv("total_rows", Long.toString(total)));
        infos.add(kv("file_size", Long.toString(size)));
        infos.add(kv("complete_time", time(j.getCompleteMs())));
        infos.add(kv("details", details.toString()));
        if (!j.getReason().isEmpty()) {
            infos.add(kv("failed_reason", j.getReason()));
        }
        return GetImportStateResponse.newBuilder().setStatus(Statuses.success()).setId(j.getJobId()).setState(legacy(j.getState()))
                .setRowCount(imported).setCollectionId(j.getCollectionId()).setCreateTs(j.getCreateTs()).addAllInfos(infos)
                .addAllSegmentIds(j.getState() == ImportJobState.IMPORT_COMPLETED ? j.getSegmentIdsList() : List.of()).build();
    }

    private static ImportState legacy(ImportJobState s) {
        return switch (s) {
            case IMPORT_PENDING -> ImportState.ImportPending;
            case IMPORT_COMPLETED -> ImportState.ImportCompleted;
            case IMPORT_FAILED -> ImportState.ImportFailed;
            default -> ImportState.ImportStarted;
        };
    }

    /** Milvus' reported state names: Pending, Importing, Completed, Failed. */
    static String stateName(ImportJobState s) {
        return switch (s) {
            case IMPORT_PENDING -> "Pending";
            case IMPORT_COMPLETED -> "Completed";
            case IMPORT_FAILED -> "Failed";
            default -> "Importing";
        };
    }

    private static String time(long ms) {
        return ms == 0 ? "" : Instant.ofEpochMilli(ms).toString();
    }

    private static KeyValuePair kv(String k, String v) {
        return KeyValuePair.newBuilder().setKey(k).setValue(v).build();
    }
}
