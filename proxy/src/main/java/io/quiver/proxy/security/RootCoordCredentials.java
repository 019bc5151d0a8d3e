package io.quiver.proxy.security;

import static java.util.Objects.requireNonNull;

import io.milvus.grpc.DeleteCredentialRequest;
import io.quiver.common.error.Statuses;
import io.quiver.common.grpc.RoleClients;
import io.quiver.proto.CredentialInfo;
import io.quiver.proto.Empty;
import io.quiver.proto.GetCredentialRequest;
import java.util.List;
import java.util.Optional;

/** The stored credentials as a proxy reaches them: rootcoord's credential RPCs (each with the role-call deadline). */
public final class RootCoordCredentials implements CredentialHandler.Store, CredentialCache.HashSource {
    private final RoleClients clients;

    public RootCoordCredentials(RoleClients clients) {
        this.clients = requireNonNull(clients, "clients is null");
    }

    @Override
    public Optional<String> hash(String username) {
        var r = clients.rootCoord().getCredential(GetCredentialRequest.newBuilder().setUsername(username).build());
        Statuses.check(r.getStatus());
        return r.getFound() ? Optional.of(r.getCredential().getEncryptedPassword()) : Optional.empty();
    }

    @Override
    public void create(CredentialInfo credential) {
        Statuses.check(clients.rootCoord().createCredential(credential));
    }

    @Override
    public void update(CredentialInfo credential) {
        Statuses.check(clients.rootCoord().updateCredential(credential));
    }

    @Override
    public void delete(String username) {
        Statuses.check(clients.rootCoord().deleteCredential(DeleteCredentialRequest.newBuilder().setUsername(username).build()));
    }

    @Override
    public List<String> list() {
        var r = clients.rootCoord().listCredUsers(Empty.getDefaultInstance());
        Statuses.check(r.getStatus());
        return r.getUsernamesList();
    }
}
