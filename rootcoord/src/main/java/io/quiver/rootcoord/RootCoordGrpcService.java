package io.quiver.rootcoord;

import static java.util.Objects.requireNonNull;

import io.grpc.stub.StreamObserver;
import io.milvus.grpc.CreateCollectionRequest;
import io.milvus.grpc.CreateDatabaseRequest;
import io.milvus.grpc.CreatePartitionRequest;
import io.milvus.grpc.DeleteCredentialRequest;
import io.milvus.grpc.ListCredUsersResponse;
import io.milvus.grpc.DropCollectionRequest;
import io.milvus.grpc.DropDatabaseRequest;
import io.milvus.grpc.DropPartitionRequest;
import io.milvus.grpc.Status;
import io.quiver.common.error.Statuses;
import io.quiver.common.grpc.GrpcCalls;
import io.quiver.common.schema.UnsupportedSettings;
import io.quiver.proto.AllocIDRequest;
import io.quiver.proto.AllocIDResponse;
import io.quiver.proto.AllocTimestampRequest;
import io.quiver.proto.AllocTimestampResponse;
import io.quiver.proto.CredentialInfo;
import io.quiver.proto.GetCredentialRequest;
import io.quiver.proto.GetCredentialResponse;
import io.quiver.proto.DescribeCollectionInternalRequest;
import io.quiver.proto.DescribeCollectionInternalResponse;
import io.quiver.proto.Empty;
import io.quiver.proto.ListDatabasesInternalResponse;
import io.quiver.proto.RootCoordGrpc;
import io.quiver.proto.ShowCollectionsInternalRequest;
import io.quiver.proto.ShowCollectionsInternalResponse;
import io.quiver.proto.TimeTickReport;

/** Adapts the RootCoord gRPC service to {@link RootCoordinator}: map, delegate, nothing else. */
public final class RootCoordGrpcService extends RootCoordGrpc.RootCoordImplBase {
    private final RootCoordinator rc;
    private final TimeTickBarrier ticks;
    private final CredentialTable credentials;
    private final RbacTable rbac;

    public RootCoordGrpcService(RootCoordinator rc, TimeTickBarrier ticks, CredentialTable credentials, RbacTable rbac) {
        this.rc = requireNonNull(rc, "rc is null");
        this.ticks = requireNonNull(ticks, "ticks is null");
        this.credentials = requireNonNull(credentials, "credentials is null");
        this.rbac = requireNonNull(rbac, "rbac is null");
    }

    @Override
    public void allocTimestamp(AllocTimestampRequest req, StreamObserver<AllocTimestampResponse> o) {
        GrpcCalls.unary(o, AllocTimestampResponse.getDefaultInstance(), () -> {
            int n = Math.max(1, req.getCount());
            return AllocTimestampResponse.newBuilder().setStatus(Statuses.success()).setTimestamp(rc.allocTimestamp(n)).setCount(n).build();
        });
    }

    @Override
    public void allocID(AllocIDRequest req, StreamObserver<AllocIDResponse> o) {
        GrpcCalls.unary(o, AllocIDResponse.getDefaultInstance(), () -> {
            int n = Math.max(1, req.getCount());
            return AllocIDResponse.newBuilder().setStatus(Statuses.success()).setId(rc.allocId(n)).setCount(n).build();
        });
    }

    @Override
    public void reportTimeTick(TimeTickReport req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            ticks.report(req.getSourceId(), req.getTimestamp());
            return Statuses.success();
        });
    }

    @Override
    public void createDatabase(CreateDatabaseRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            rc.createDatabase(req.getDbName(), req.getPropertiesList());
            return Statuses.success();
        });
    }

    @Override
    public void dropDatabase(DropDatabaseRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            rc.dropDatabase(req.getDbName());
            return Statuses.success();
        });
    }

    @Override
    public void listDatabases(Empty req, StreamObserver<ListDatabasesInternalResponse> o) {
        GrpcCalls.unary(o, ListDatabasesInternalResponse.getDefaultInstance(), () ->
                ListDatabasesInternalResponse.newBuilder().setStatus(Statuses.success()).addAllDatabases(rc.meta().databases()).build());
    }

    @Override
    public void createCollection(CreateCollectionRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            rc.createCollection(req.getDbName(), req);
            return Statuses.success();
        });
    }

    @Override
    public void dropCollection(DropCollectionRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            rc.dropCollection(req.getDbName(), req.getCollectionName());
            return Statuses.success();
        });
    }

    @Override
    public void describeCollection(DescribeCollectionInternalRequest req, StreamObserver<DescribeCollectionInternalResponse> o) {
        GrpcCalls.unary(o, DescribeCollectionInternalResponse.getDefaultInstance(), () -> {
            var c = req.getCollectionId() != 0 ? rc.meta().get(req.getCollectionId()) : rc.meta().get(req.getDbName(), req.getCollectionName());
            return DescribeCollectionInternalResponse.newBuilder().setStatus(Statuses.success()).setCollection(c).build();
        });
    }

    @Override
    public void showCollections(ShowCollectionsInternalRequest req, StreamObserver<ShowCollectionsInternalResponse> o) {
        GrpcCalls.unary(o, ShowCollectionsInternalResponse.getDefaultInstance(), () ->
                ShowCollectionsInternalResponse.newBuilder().setStatus(Statuses.success())
                        .addAllCollections(rc.meta().list(req.getDbName().isEmpty() ? null : req.getDbName())).build());
    }

    @Override
    public void createPartition(CreatePartitionRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            rc.createPartition(req.getDbName(), req.getCollectionName(), req.getPartitionName());
            return Statuses.success();
        });
    }

    @Override
    public void createAlias(io.milvus.grpc.CreateAliasRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            rc.meta().createAlias(req.getDbName(), req.getAlias(), req.getCollectionName(), rc.allocTimestamp(1));
            return Statuses.success();
        });
    }

    @Override
    public void dropAlias(io.milvus.grpc.DropAliasRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            rc.meta().dropAlias(req.getDbName(), req.getAlias());
            return Statuses.success();
        });
    }

    @Override
    public void alterAlias(io.milvus.grpc.AlterAliasRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            rc.meta().alterAlias(req.getDbName(), req.getAlias(), req.getCollectionName(), rc.allocTimestamp(1));
            return Statuses.success();
        });
    }

    @Override
    public void renameCollection(io.milvus.grpc.RenameCollectionRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            rc.meta().rename(req.getDbName(), req.getOldName(), req.getNewDBName(), req.getNewName(), rc.allocTimestamp(1));
            return Statuses.success();
        });
    }

    @Override
    public void alterCollection(io.milvus.grpc.AlterCollectionRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            UnsupportedSettings.checkCollectionProperties(req.getPropertiesList());
            rc.meta().alterProperties(req.getDbName(), req.getCollectionName(), req.getPropertiesList(), req.getDeleteKeysList(), rc.allocTimestamp(1));
            return Statuses.success();
        });
    }

    @Override
    public void alterDatabase(io.milvus.grpc.AlterDatabaseRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            rc.meta().alterDatabase(req.getDbName(), req.getPropertiesList(), req.getDeleteKeysList());
            return Statuses.success();
        });
    }

    @Override
    public void dropPartition(DropPartitionRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            rc.dropPartition(req.getDbName(), req.getCollectionName(), req.getPartitionName());
            return Statuses.success();
        });
    }

    @Override
    public void createCredential(CredentialInfo req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            credentials.create(req);
            return Statuses.success();
        });
    }

    @Override
    public void updateCredential(CredentialInfo req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            credentials.update(req);
            return Statuses.success();
        });
    }

    @Override
    public void deleteCredential(DeleteCredentialRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            rbac.deleteUser(req.getUsername()); // with the user's role bindings
            return Statuses.success();
        });
    }

    @Override
    public void listCredUsers(Empty req, StreamObserver<ListCredUsersResponse> o) {
        GrpcCalls.unary(o, ListCredUsersResponse.getDefaultInstance(), () ->
                ListCredUsersResponse.newBuilder().setStatus(Statuses.success()).addAllUsernames(credentials.list()).build());
    }

    @Override
    public void getCredential(GetCredentialRequest req, StreamObserver<GetCredentialResponse> o) {
        GrpcCalls.unary(o, GetCredentialResponse.getDefaultInstance(), () -> {
            GetCredentialResponse.Builder b = GetCredentialResponse.newBuilder().setStatus(Statuses.success());
            credentials.get(req.getUsername()).ifPresent(c -> b.setFound(true).setCredential(c));
            return b.build();
        });
    }
}
