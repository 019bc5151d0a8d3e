package io.quiver.proxy.quota;

import static java.util.Objects.requireNonNull;

import io.quiver.common.error.Statuses;
import io.quiver.common.grpc.RoleClients;
import io.quiver.proto.DistributionRequest;
import io.quiver.proto.Empty;
import io.quiver.proto.SessionInfo;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitor's signals read from the cluster: proxy sessions, each querynode's accounted memory against its budget
 * (what it admits segments by) and each datanode's live heap against its maximum. A node that does not answer is
 * left out of this round (its session may be ending; the next round asks again).
 */
public final class ClusterSignals implements QuotaMonitor.Signals {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterSignals.class);

    private final RoleClients clients;

    public ClusterSignals(RoleClients clients) {
        this.clients = requireNonNull(clients, "clients is null");
    }

    @Override
    public int liveProxies() {
        return clients.sessions().list(RoleClients.PROXY).size();
    }

    @Override
    public List<MemoryProtection.NodeMemory> nodeMemory() {
        List<MemoryProtection.NodeMemory> out = new ArrayList<>();
        for (SessionInfo s : clients.sessions().list(RoleClients.QUERYNODE)) {
            try {
                var d = clients.queryNode(s.getAddress()).getDistribution(DistributionRequest.getDefaultInstance());
                Statuses.check(d.getStatus());
                out.add(new MemoryProtection.NodeMemory(true, d.getMemoryBytes(), d.getMemoryBudget()));
            } catch (RuntimeException e) {
                LOG.debug("querynode memory unavailable serverId={}: {}", s.getServerId(), e.toString());
            }
        }
        for (SessionInfo s : clients.sessions().list(RoleClients.DATANODE)) {
            try {
                var m = clients.dataNode(s.getAddress()).getMemoryUsage(Empty.getDefaultInstance());
                Statuses.check(m.getStatus());
                out.add(new MemoryProtection.NodeMemory(false, m.getUsedBytes(), m.getLimitBytes()));
            } catch (RuntimeException e) {
                LOG.debug("datanode memory unavailable serverId={}: {}", s.getServerId(), e.toString());
            }
        }
        return out;
    }
}
