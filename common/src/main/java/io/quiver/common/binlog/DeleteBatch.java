package io.quiver.common.binlog;

import io.milvus.grpc.DataType;
import java.util.Objects;

/**
 * Deletes of one segment: {@code (pk, ts)} pairs. Exactly one of {@code longPks} (INT64 primary key) and
 * {@code stringPks} (VARCHAR primary key) is non-null, of the same length as {@code timestamps}.
 * The arrays are not copied.
 */
public record DeleteBatch(DataType pkType, long[] longPks, String[] stringPks, long[] timestamps) {
    public DeleteBatch {
        Objects.requireNonNull(pkType, "pkType");
        Objects.requireNonNull(timestamps, "timestamps");
        switch (pkType) {
            case Int64 -> {
                if (longPks == null || stringPks != null || longPks.length != timestamps.length) {
                    throw new IllegalArgumentException("an INT64 delete batch needs longPks (and no stringPks) of "
                            + timestamps.length + " entries");
                }
            }
            case VarChar, String -> {
                if (stringPks == null || longPks != null || stringPks.length != timestamps.length) {
                    throw new IllegalArgumentException("a VARCHAR delete batch needs stringPks (and no longPks) of "
                            + timestamps.length + " entries");
                }
                for (String s : stringPks) Objects.requireNonNull(s, "null primary key");
            }
            default -> throw new IllegalArgumentException("primary keys are INT64 or VARCHAR, not " + pkType);
        }
    }

    public static DeleteBatch ofLongs(long[] pks, long[] timestamps) {
        return new DeleteBatch(DataType.Int64, pks, null, timestamps);
    }

    public static DeleteBatch ofStrings(String[] pks, long[] timestamps) {
        return new DeleteBatch(DataType.VarChar, null, pks, timestamps);
    }

    public int size() {
        return timestamps.length;
    }
}
