package io.quiver.tests.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.tests.chaos.ChaosLog.Op;
import io.quiver.tests.chaos.ChaosLog.OpRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChaosLogTest {
    private static OpRecord op(Op op, long start, long end, boolean ok) {
        return new OpRecord(op, start, end, ok, false, ok ? null : "x");
    }

    @Test
    void longestUnavailabilityRunsFromFirstFailureToNextSuccess() {
        List<OpRecord> w = List.of(op(Op.INSERT, 0, 10, true), op(Op.INSERT, 20, 30, false), op(Op.INSERT, 40, 50, false),
                op(Op.INSERT, 60, 75, true), op(Op.SEARCH_STRONG, 0, 5, false), op(Op.SEARCH_STRONG, 10, 12, true));
        assertThat(ChaosLog.longestUnavailable(w)).isEqualTo(55); // 20 .. 75
        assertThat(ChaosLog.longestUnavailable(List.of(op(Op.QUERY, 5, 9, false), op(Op.QUERY, 10, 30, false)))).isEqualTo(25);
    }

    @Test
    void recoveryIsTheLastFailureAfterTheHeal() {
        List<OpRecord> w = List.of(op(Op.INSERT, 0, 10, false), op(Op.INSERT, 100, 140, false), op(Op.INSERT, 150, 160, true));
        assertThat(ChaosLog.recovery(w, 100)).isEqualTo(40);
        assertThat(ChaosLog.recovery(w.subList(0, 1), 100)).isZero();
    }

    @Test
    void writesOfARoundWithAFaultThatStopsWritesCountOnlyForThatFault() {
        ChaosLog log = new ChaosLog(100);
        log.fault(new ChaosLog.FaultRecord("kill querycoord", "querycoord-1", 1000, 2000, false));
        log.fault(new ChaosLog.FaultRecord("kill rootcoord", "rootcoord-1", 1000, 2000, true));
        log.fault(new ChaosLog.FaultRecord("kill querycoord", "querycoord-1", 5000, 6000, false));
        log.op(op(Op.INSERT, 1500, 1510, false));
        log.op(op(Op.SEARCH_BOUNDED, 1600, 1610, true));
        log.op(op(Op.INSERT, 5500, 5510, true));
        var byKind = log.byKind();
        var qc = byKind.stream().filter(k -> k.kind().equals("kill querycoord")).findFirst().orElseThrow();
        var rc = byKind.stream().filter(k -> k.kind().equals("kill rootcoord")).findFirst().orElseThrow();
        assertThat(qc.writeOps()).isEqualTo(1);
        assertThat(qc.writeRate()).isEqualTo(1.0);
        assertThat(qc.searchOps()).isEqualTo(1);
        assertThat(rc.writeOps()).isEqualTo(1);
        assertThat(rc.writeRate()).isZero();
    }

    @Test
    void kindsCountTheirWindowAndReconnectsApart() {
        ChaosLog log = new ChaosLog(100);
        log.fault(new ChaosLog.FaultRecord("kill proxy", "proxy-1", 1000, 2000, false));
        log.op(op(Op.INSERT, 500, 510, false)); // before the fault: not counted
        log.op(op(Op.INSERT, 1500, 1510, true));
        log.op(op(Op.SEARCH_BOUNDED, 1600, 1610, false));
        log.op(new OpRecord(Op.SEARCH_BOUNDED, 1700, 1710, false, true, "own proxy down"));
        log.op(op(Op.UPSERT, 2050, 2060, false)); // in the settle time
        log.op(op(Op.UPSERT, 2200, 2210, false)); // after it
        var k = log.byKind().get(0);
        assertThat(k.ops()).isEqualTo(3);
        assertThat(k.failures()).isEqualTo(2);
        assertThat(k.writeRate()).isEqualTo(0.5);
        assertThat(k.searchRate()).isEqualTo(0.0);
        assertThat(k.reconnectOps()).isEqualTo(1);
        assertThat(k.recoveryMs()).isEqualTo(60);
        assertThat(log.table()).contains("| kill proxy | 1 | 3 | 2 |");
    }
}
