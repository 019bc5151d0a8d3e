package io.quiver.proxy.rest;

import static io.quiver.proxy.rest.CollectionRoutes.status;
import static io.quiver.proxy.rest.RestCall.check;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.milvus.grpc.CreateResourceGroupRequest;
import io.milvus.grpc.DescribeResourceGroupRequest;
import io.milvus.grpc.DropResourceGroupRequest;
import io.milvus.grpc.GetImportStateRequest;
import io.milvus.grpc.GetImportStateResponse;
import io.milvus.grpc.ImportRequest;
import io.milvus.grpc.ImportResponse;
import io.milvus.grpc.ImportState;
import io.milvus.grpc.ListImportTasksRequest;
import io.milvus.grpc.ListResourceGroupsRequest;
import io.milvus.grpc.TransferReplicaRequest;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.schema.Params;
import java.util.Map;

/**
 * {@code jobs/import/*} and {@code resource_groups/*}. Import jobs map onto the service's Import, GetImportState and
 * ListImportTasks calls (the proxy's ImportHandler packs Milvus' describe figures into the state's infos); the job id is
 * the import job id, as a string like Milvus'.
 */
final class JobRoutes {
    private JobRoutes() {}

    static void register(Map<String, RestRoute> r) {
        r.put("jobs/import/create", JobRoutes::createImport);
        r.put("jobs/import/list", c -> {
            var resp = c.stub().listImportTasks(ListImportTasksRequest.newBuilder().setDbName(c.db())
                    .setCollectionName(c.string("collectionName", "")).build());
            check(resp.getStatus());
            JsonArray records = new JsonArray();
            for (GetImportStateResponse t : resp.getTasksList()) {
                JsonObject o = new JsonObject();
                o.addProperty("jobId", Long.toString(t.getId()));
                o.addProperty("collectionName", Params.flatten(t.getInfosList()).getOrDefault("collection_name", ""));
                o.addProperty("state", state(t.getState()));
                o.addProperty("progress", progress(t));
                records.add(o);
            }
            JsonObject o = new JsonObject();
            o.add("records", records);
            return o;
        });
        RestRoute describe = c -> {
            long id;
            try {
                id = Long.parseLong(c.string("jobId"));
            } catch (NumberFormatException e) {
                throw QuiverException.of(ErrorCode.PARAMETER_INVALID, "jobId must be an import job id, got '%s'", c.string("jobId"));
            }
            GetImportStateResponse t = c.stub().getImportState(GetImportStateRequest.newBuilder().setTask(id).build());
            check(t.getStatus()); // an unknown id: 2100 "importing data failed: import job does not exist, jobID=N"
            Map<String, String> infos = Params.flatten(t.getInfosList());
            JsonObject o = new JsonObject();
            o.addProperty("jobId", Long.toString(t.getId()));
            o.addProperty("collectionName", infos.getOrDefault("collection_name", ""));
            o.addProperty("completeTime", infos.getOrDefault("complete_time", ""));
            o.addProperty("state", state(t.getState()));
            o.addProperty("progress", progress(t));
            o.addProperty("importedRows", t.getRowCount());
            o.addProperty("totalRows", Long.parseLong(infos.getOrDefault("total_rows", "0")));
            String reason = infos.get("failed_reason");
            if (reason != null && !reason.isEmpty()) {
                o.addProperty("reason", reason);
            }
            o.addProperty("fileSize", Long.parseLong(infos.getOrDefault("file_size", "0")));
            o.add("details", JsonParser.parseString(infos.getOrDefault("details", "[]")));
            return o;
        };
        r.put("jobs/import/describe", describe);
        r.put("jobs/import/get_progress", describe);
        resourceGroups(r);
    }

    private static JsonElement createImport(RestCall c) {
        ImportRequest.Builder b = ImportRequest.newBuilder().setDbName(c.db()).setCollectionName(c.string("collectionName"))
                .setPartitionName(c.string("partitionName", "")).addAllOptions(RestJson.pairs(c.object("options")));
        for (JsonElement group : c.array("files")) {
            if (!group.isJsonArray()) {
                throw RestCall.badFormat("files", "an array of arrays of paths");
            }
            group.getAsJsonArray().forEach(p -> b.addFiles(p.getAsString()));
        }
        ImportResponse resp = c.stub().import_(b.build());
        check(resp.getStatus());
        JsonObject o = new JsonObject();
        o.addProperty("jobId", resp.getTasksCount() == 0 ? "" : Long.toString(resp.getTasks(0)));
        return o;
    }

    private static String state(ImportState s) {
        return switch (s) {
            case ImportPending -> "Pending";
            case ImportFailed, ImportFailedAndCleaned -> "Failed";
            case ImportCompleted -> "Completed";
            default -> "Importing";
        };
    }

    private static long progress(GetImportStateResponse t) {
        String p = Params.flatten(t.getInfosList()).get("progress_percent");
        if (p != null) {
            return Long.parseLong(p.trim());
        }
        return t.getState() == ImportState.ImportCompleted ? 100 : 0;
    }

    private static void resourceGroups(Map<String, RestRoute> r) {
        r.put("resource_groups/list", c -> {
            var resp = c.stub().listResourceGroups(ListResourceGroupsRequest.getDefaultInstance());
            check(resp.getStatus());
            return RestJson.names(resp.getResourceGroupsList());
        });
        r.put("resource_groups/describe", c -> {
            var resp = c.stub().describeResourceGroup(DescribeResourceGroupRequest.newBuilder().setResourceGroup(c.string("name")).build());
            check(resp.getStatus());
            JsonObject o = new JsonObject();
            o.addProperty("name", resp.getResourceGroup().getName());
            o.addProperty("capacity", resp.getResourceGroup().getCapacity());
            o.addProperty("numAvailableNode", resp.getResourceGroup().getNumAvailableNode());
            return o;
        });
        r.put("resource_groups/create", c -> status(c.stub().createResourceGroup(CreateResourceGroupRequest.newBuilder()
                .setResourceGroup(c.string("name")).build())));
        r.put("resource_groups/drop", c -> status(c.stub().dropResourceGroup(DropResourceGroupRequest.newBuilder()
                .setResourceGroup(c.string("name")).build())));
        r.put("resource_groups/transfer_replica", c -> status(c.stub().transferReplica(TransferReplicaRequest.newBuilder()
                .setSourceResourceGroup(c.string("sourceRgName")).setTargetResourceGroup(c.string("targetRgName"))
                .setCollectionName(c.string("collectionName")).setNumReplica(c.number("replicaNum", 1)).setDbName(c.db()).build())));
    }
}
