package io.quiver.common.schema;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.milvus.grpc.PlaceholderGroup;
import io.milvus.grpc.PlaceholderValue;
import io.quiver.common.error.QuiverException;

/** A search request's query values: its {@code PlaceholderGroup} bytes hold exactly one placeholder. */
public final class Placeholders {
    private Placeholders() {}

    /** The one placeholder of a serialized group; a clear PARAMETER_INVALID when the bytes are not that. */
    public static PlaceholderValue single(ByteString group) {
        PlaceholderGroup pg;
        try {
            pg = PlaceholderGroup.parseFrom(group);
        } catch (InvalidProtocolBufferException e) {
            throw QuiverException.invalid("placeholder group is not a valid PlaceholderGroup");
        }
        if (pg.getPlaceholdersCount() != 1) {
            throw QuiverException.invalid("expected one placeholder, got %d", pg.getPlaceholdersCount());
        }
        return pg.getPlaceholders(0);
    }
}
