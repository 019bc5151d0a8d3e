package io.quiver.storage;

import java.util.Arrays;
import java.util.HexFormat;

/** An opaque position in a WAL channel (a Pulsar MessageId, a local offset). Compare only within one implementation. */
public record WalPosition(byte[] bytes) {
    public WalPosition {
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WalPosition p && Arrays.equals(bytes, p.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "WalPosition[" + HexFormat.of().formatHex(bytes) + "]";
    }
}
