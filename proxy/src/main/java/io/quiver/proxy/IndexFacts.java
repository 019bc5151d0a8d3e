package io.quiver.proxy;

import io.quiver.common.error.Statuses;
import io.quiver.common.schema.Params;
import io.quiver.proto.DescribeIndexInternalResponse;
import io.quiver.proto.IndexDescription;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the read planner needs to know of a collection's indexes: the metric of each indexed vector field (a search
 * uses it when the request names none, and rejects a different one) and the fields with a scalar index (their
 * filters run on the index in sealed segments). Taken from one describe-index answer for the whole collection.
 */
record IndexFacts(Map<Long, String> vectorMetrics, List<Long> scalarIndexedFieldIds, Map<Long, Map<String, String>> vectorParams) {
    static final IndexFacts NONE = new IndexFacts(Map.of(), List.of());

    IndexFacts {
        vectorMetrics = Map.copyOf(vectorMetrics);
        scalarIndexedFieldIds = List.copyOf(scalarIndexedFieldIds);
        vectorParams = Map.copyOf(vectorParams);
    }

    IndexFacts(Map<Long, String> vectorMetrics, List<Long> scalarIndexedFieldIds) {
        this(vectorMetrics, scalarIndexedFieldIds, Map.of());
    }

    /** The index parameters of a vector field's index (empty when it has none). */
    Map<String, String> paramsOf(long fieldId) {
        return vectorParams.getOrDefault(fieldId, Map.of());
    }

    /** The metric of the field's index, or null when it has none. */
    String metricOf(long fieldId) {
        return vectorMetrics.get(fieldId);
    }

    /** The facts of an answer; a failed answer (no index yet, a coordinator hiccup) knows of no index. */
    static IndexFacts of(DescribeIndexInternalResponse r) {
        if (!Statuses.isOk(r.getStatus())) {
            return NONE;
        }
        Map<Long, String> metrics = new HashMap<>();
        List<Long> scalar = new ArrayList<>();
        Map<Long, Map<String, String>> params = new HashMap<>();
        for (IndexDescription d : r.getIndexesList()) {
            if (!d.getIndex().getIsVector()) {
                scalar.add(d.getIndex().getFieldId());
                continue;
            }
            Map<String, String> p = Params.flatten(d.getIndex().getIndexParamsList());
            params.put(d.getIndex().getFieldId(), p);
            String m = p.get("metric_type");
            if (m != null) {
                metrics.put(d.getIndex().getFieldId(), m.toUpperCase());
            }
        }
        return new IndexFacts(metrics, scalar, params);
    }
}
