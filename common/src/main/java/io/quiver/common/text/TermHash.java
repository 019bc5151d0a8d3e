package io.quiver.common.text;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * The sparse-vector key of a token in Milvus' BM25 function and RunAnalyzer's {@code hash}: CRC-32 (IEEE) of the
 * token's first 100 UTF-8 bytes, modulo 2^32-1 (Milvus' {@code typeutil.HashString2LessUint32}).
 */
public final class TermHash {
    private static final int PREFIX_BYTES = 100;

    private TermHash() {}

    /** The key as an unsigned 32-bit value held in a long. */
    public static long of(String token) {
        byte[] b = token.getBytes(StandardCharsets.UTF_8);
        CRC32 crc = new CRC32();
        crc.update(b, 0, Math.min(b.length, PREFIX_BYTES));
        return crc.getValue() % 0xFFFFFFFFL;
    }
}
