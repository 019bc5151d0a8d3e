package io.quiver.querycoord;

import io.quiver.proto.Replica;
import io.quiver.proto.ReplicaAssignment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Keeps replica membership in step with the usable nodes: leavers out, newcomers into the smallest replica. */
final class ReplicaMembership {
    private ReplicaMembership() {}

    static ReplicaAssignment update(ReplicaAssignment a, Set<Long> usable) {
        Set<Long> assigned = new HashSet<>();
        List<Replica.Builder> reps = new ArrayList<>();
        for (Replica r : a.getReplicasList()) {
            Replica.Builder b = r.toBuilder().clearNodeIds();
            r.getNodeIdsList().stream().filter(usable::contains).forEach(n -> {
                b.addNodeIds(n);
                assigned.add(n);
            });
            reps.add(b);
        }
        for (long n : usable.stream().sorted().toList()) {
            if (!assigned.contains(n)) {
                reps.stream().min(Comparator.comparingInt(Replica.Builder::getNodeIdsCount)).ifPresent(b -> b.addNodeIds(n));
            }
        }
        // a replica left without nodes takes one from the largest replica that has more than one
        for (Replica.Builder empty : reps) {
            if (empty.getNodeIdsCount() == 0) {
                reps.stream().filter(b -> b.getNodeIdsCount() > 1).max(Comparator.comparingInt(Replica.Builder::getNodeIdsCount)).ifPresent(big -> {
                    long n = big.getNodeIds(big.getNodeIdsCount() - 1);
                    List<Long> keep = new ArrayList<>(big.getNodeIdsList());
                    keep.remove(n);
                    big.clearNodeIds().addAllNodeIds(keep);
                    empty.addNodeIds(n);
                });
            }
        }
        ReplicaAssignment.Builder nb = ReplicaAssignment.newBuilder().setCollectionId(a.getCollectionId());
        reps.forEach(b -> nb.addReplicas(b.build()));
        return nb.build();
    }
}
