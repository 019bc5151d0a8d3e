package io.quiver.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class IndexParamsTest {

  static void invalid(String expectInMessage, IndexSpec spec) {
    IndexParamException e = assertThrows(IndexParamException.class, () -> VectorIndexes.validate(spec));
    assertTrue(e.getMessage().contains(expectInMessage), e.getMessage());
  }

  @Test
  void metricParse() {
    assertEquals(MetricType.COSINE, MetricType.parse("cosine"));
    assertEquals(MetricType.L2, MetricType.parse(" L2 "));
    assertThrows(IndexParamException.class, () -> MetricType.parse("EUCLID"));
    assertThrows(IndexParamException.class, () -> MetricType.parse(null));
  }

  @Test
  void invalidBuildParams() {
    invalid("invalid index param M=0: must be in [2, 2048]", IndexSpec.of("HNSW", MetricType.L2, 8, "M", "0"));
    invalid("M=4096", IndexSpec.of("HNSW", MetricType.L2, 8, "M", "4096"));
    invalid("efConstruction=x", IndexSpec.of("HNSW", MetricType.L2, 8, "efConstruction", "x"));
    invalid("nlist=0", IndexSpec.of("IVF_FLAT", MetricType.L2, 8, "nlist", "0"));
    invalid("nlist=-3", IndexSpec.of("IVF_SQ8", MetricType.IP, 8, "nlist", "-3"));
    invalid("m=3: must divide dim=8", IndexSpec.of("IVF_PQ", MetricType.L2, 8, "m", "3"));
    invalid("nbits=9", IndexSpec.of("IVF_PQ", MetricType.L2, 8, "m", "2", "nbits", "9"));
    invalid("invalid index type", IndexSpec.of("DISKANN2", MetricType.L2, 8));
    invalid("HAMMING is not valid for index type HNSW", IndexSpec.of("HNSW", MetricType.HAMMING, 8));
    invalid("L2 is not valid for index type BIN_FLAT", IndexSpec.of("BIN_FLAT", MetricType.L2, 64));
    invalid("multiple of 8", IndexSpec.of("BIN_FLAT", MetricType.HAMMING, 12));
    invalid("dim=0", IndexSpec.of("FLAT", MetricType.L2, 0));
    invalid("metric type is missing", new IndexSpec("HNSW", null, 8, Map.of()));
    VectorIndexes.validate(IndexSpec.of("hnsw", MetricType.L2, 8, "M", "16", "efConstruction", "200"));
    VectorIndexes.validate(new IndexSpec("AUTOINDEX", null, 8, null));
  }

  @Test
  void invalidSearchParams() {
    IndexSpec hnsw = IndexSpec.of("HNSW", MetricType.L2, 8);
    assertThrows(IndexParamException.class, () -> VectorIndexes.validateSearchParams(hnsw, Map.of("ef", "-1")));
    VectorIndexes.validateSearchParams(hnsw, Map.of("ef", "100", "other", "x"));
    IndexSpec ivf = IndexSpec.of("IVF_FLAT", MetricType.L2, 8);
    assertThrows(IndexParamException.class, () -> VectorIndexes.validateSearchParams(ivf, Map.of("nprobe", "0")));
    assertThrows(IndexParamException.class,
        () -> VectorIndexes.validateSearchParams(ivf, Map.of("nprobe", "70000")));
  }

  @Test
  void wrongVectorKind() {
    assertThrows(IndexParamException.class,
        () -> VectorIndexes.build(IndexSpec.of("BIN_FLAT", MetricType.HAMMING, 64), new float[64], 1, 1));
    assertThrows(IndexParamException.class,
        () -> VectorIndexes.buildBinary(IndexSpec.of("FLAT", MetricType.L2, 8), new byte[8], 1, 1));
  }
}
