package io.quiver.common.binlog;

/** A segment file (binlog, deltalog, statslog) is corrupt, truncated, of an unknown version or of the wrong type. */
public final class BinlogFormatException extends RuntimeException {
    public BinlogFormatException(String message) {
        super(message);
    }

    public BinlogFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
