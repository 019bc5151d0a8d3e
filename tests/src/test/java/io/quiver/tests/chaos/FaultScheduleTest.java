package io.quiver.tests.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.tests.chaos.FaultSchedule.Action;
import io.quiver.tests.chaos.FaultSchedule.Fault;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FaultScheduleTest {
    static final List<String> PROCESSES = List.of("rootcoord-1", "datacoord-1", "querycoord-1", "datanode-1", "datanode-2",
            "querynode-1", "querynode-2", "querynode-3", "indexnode-1", "proxy-1", "proxy-2");

    @Test
    void sameSeedSamePlan() {
        assertThat(FaultSchedule.plan(7, PROCESSES, 3, 0.3)).isEqualTo(FaultSchedule.plan(7, PROCESSES, 3, 0.3));
        assertThat(FaultSchedule.plan(7, PROCESSES, 3, 0.3)).isNotEqualTo(FaultSchedule.plan(8, PROCESSES, 3, 0.3));
    }

    @Test
    void oneCycleCoversEveryKind() {
        Set<String> kinds = new HashSet<>();
        FaultSchedule.plan(1, PROCESSES, 1, 0.5).forEach(r -> r.forEach(f -> kinds.add(f.kind())));
        for (String role : FaultSchedule.ROLES) {
            assertThat(kinds).contains("kill " + role, "pause " + role);
        }
        assertThat(kinds).contains("kill etcd", "kill s3", "kill pulsar");
        for (String link : List.of("etcd", "s3", "proxy")) {
            assertThat(kinds).contains("blackhole " + link + " link", "delay " + link + " link", "reset " + link + " link");
        }
        assertThat(kinds).contains("rolling restart");
        assertThat(FaultSchedule.ROLLING_ORDER).containsExactlyInAnyOrderElementsOf(FaultSchedule.ROLES);
        assertThat(kinds).hasSize(FaultSchedule.ROLES.size() * 2 + 3 + 9 + 1);
    }

    @Test
    void kindsFilterKeepsOnlyTheNamedKinds() {
        Set<String> kinds = new HashSet<>();
        FaultSchedule.plan(1, PROCESSES, 2, 0.5, Set.of("pause querynode", "kill querycoord")).forEach(r -> r.forEach(f -> kinds.add(f.kind())));
        assertThat(kinds).containsExactlyInAnyOrder("pause querynode", "kill querycoord");
    }

    @Test
    void pairsNeverTouchTheSameGroup() {
        var plan = FaultSchedule.plan(3, PROCESSES, 5, 1.0);
        assertThat(plan).anyMatch(r -> r.size() == 2);
        for (List<Fault> r : plan) {
            if (r.size() == 2) {
                assertThat(r.get(0).group()).isNotEqualTo(r.get(1).group());
            }
        }
        assertThat(FaultSchedule.compatible(new Fault(Action.KILL, "querynode-1", 1), new Fault(Action.PAUSE, "querynode-2", 1))).isFalse();
        assertThat(FaultSchedule.compatible(new Fault(Action.KILL, "proxy-1", 1), new Fault(Action.RESET, "proxy-2", 1))).isFalse();
        assertThat(FaultSchedule.compatible(new Fault(Action.KILL, "etcd", 1), new Fault(Action.DELAY, "s3", 1))).isTrue();
        assertThat(FaultSchedule.compatible(new Fault(Action.ROLLING_RESTART, FaultSchedule.EVERY_ROLE, 0), new Fault(Action.DELAY, "s3", 1))).isFalse();
    }

    @Test
    void pausesOutlastTheSessionLease() {
        FaultSchedule.plan(5, PROCESSES, 1, 0).forEach(r -> r.stream().filter(f -> f.action() == Action.PAUSE)
                .forEach(f -> assertThat(f.holdMs()).isGreaterThan(10_000)));
    }
}
