package io.quiver.index;

import java.util.Map;
import java.util.TreeMap;

/**
 * What to build: the Milvus index type name, metric, dimension (float components, or bits for binary
 * vectors) and the Milvus build parameters as strings.
 */
public record IndexSpec(String indexType, MetricType metric, int dim, Map<String, String> buildParams) {

  public IndexSpec {
    buildParams = buildParams == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(buildParams));
  }

  public static IndexSpec of(String indexType, MetricType metric, int dim, String... keyValues) {
    if (keyValues.length % 2 != 0) {
      throw new IllegalArgumentException("keyValues must come in pairs");
    }
    Map<String, String> m = new TreeMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put(keyValues[i], keyValues[i + 1]);
    }
    return new IndexSpec(indexType, metric, dim, m);
  }
}
