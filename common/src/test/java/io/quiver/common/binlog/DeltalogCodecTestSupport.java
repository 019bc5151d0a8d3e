package io.quiver.common.binlog;

final class DeltalogCodecTestSupport {
    private DeltalogCodecTestSupport() {}

    static byte[] someDeltalog() {
        return DeltalogCodec.write(DeleteBatch.ofLongs(new long[] {1, 2, 3}, new long[] {10, 20, 30}));
    }
}
