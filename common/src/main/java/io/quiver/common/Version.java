package io.quiver.common;

/** The Quiver version every process reports (sessions, GetMetrics, ctl). */
public final class Version {
    public static final String VERSION = "0.1.0";

    private Version() {}
}
