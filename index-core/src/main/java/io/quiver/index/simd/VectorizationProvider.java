package io.quiver.index.simd;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the kernel implementation once per JVM.
 *
 * <p>Panama is used when the {@code jdk.incubator.vector} module is in the boot layer, the JIT is C2
 * (not an interpreter-only VM) and the preferred float species is at least 256 bits; otherwise the
 * scalar kernels are used and the reason is logged. {@code -Dquiver.vectorization=scalar|panama} forces
 * a choice (forcing panama when the module is missing still falls back, with a warning). The Panama
 * class is only loaded reflectively so a JVM without the incubator module never links against it.
 */
public final class VectorizationProvider {

  private static final Logger LOG = LoggerFactory.getLogger(VectorizationProvider.class);
  public static final String PROPERTY = "quiver.vectorization";

  private static final VectorUtilSupport INSTANCE = choose();

  private VectorizationProvider() {}

  public static VectorUtilSupport get() {
    return INSTANCE;
  }

  /** The scalar kernels, always available (tests and benchmarks compare against them). */
  public static VectorUtilSupport scalar() {
    return new ScalarVectorUtilSupport();
  }

  /** A Panama instance, or null when the incubator module is not available. */
  public static VectorUtilSupport panamaOrNull() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return null;
    }
    try {
      return (VectorUtilSupport) Class.forName("io.quiver.index.simd.PanamaVectorUtilSupport")
          .getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      LOG.warn("vectorization=scalar reason=\"panama kernels failed to load: {}\"", e.toString());
      return null;
    }
  }

  private static VectorUtilSupport choose() {
    String forced = System.getProperty(PROPERTY, "").trim().toLowerCase(Locale.ROOT);
    if (forced.equals("scalar")) {
      LOG.info("vectorization=scalar reason=\"forced by -D{}=scalar\"", PROPERTY);
      return new ScalarVectorUtilSupport();
    }
    if (!forced.isEmpty() && !forced.equals("panama")) {
      LOG.warn("vectorization ignoring unknown -D{}={} (expected scalar|panama)", PROPERTY, forced);
    }
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      LOG.warn("vectorization=scalar reason=\"module jdk.incubator.vector not present; "
          + "start the JVM with --add-modules jdk.incubator.vector\"");
      return new ScalarVectorUtilSupport();
    }
    String vmName = System.getProperty("java.vm.info", "");
    if (vmName.contains("interpreted mode")) {
      LOG.warn("vectorization=scalar reason=\"JVM runs in interpreted mode (-Xint)\"");
      return new ScalarVectorUtilSupport();
    }
    VectorUtilSupport panama = panamaOrNull();
    if (panama == null) {
      return new ScalarVectorUtilSupport();
    }
    int bits = PanamaInfo.preferredBits();
    if (bits < 256 && !forced.equals("panama")) {
      LOG.warn("vectorization=scalar reason=\"preferred vector size {} bits < 256\"", bits);
      return new ScalarVectorUtilSupport();
    }
    LOG.info("vectorization=panama vectorBits={} forced={}", bits, forced.equals("panama"));
    return panama;
  }

  /** Isolated so the incubator classes load only after the module check. */
  private static final class PanamaInfo {
    static int preferredBits() {
      return jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }
  }

  /** Name of the active implementation: "panama" or "scalar". */
  public static String implementationName() {
    return INSTANCE instanceof ScalarVectorUtilSupport ? "scalar" : "panama";
  }
}
