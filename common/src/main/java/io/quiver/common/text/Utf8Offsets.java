package io.quiver.common.text;

/** UTF-8 byte offsets of positions in a Java string (Milvus reports token offsets in bytes of the UTF-8 text). */
final class Utf8Offsets {
    private Utf8Offsets() {}

    /** Bytes a code point takes in UTF-8 (unpaired surrogates are replaced by U+FFFD, 3 bytes). */
    static int bytes(int codePoint) {
        if (codePoint < 0x80) {
            return 1;
        }
        if (codePoint < 0x800) {
            return 2;
        }
        if (codePoint < 0x10000) {
            return 3;
        }
        return 4;
    }

    /** The UTF-8 length of {@code s}. */
    static int length(CharSequence s) {
        int n = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = Character.codePointAt(s, i);
            n += bytes(cp);
            i += Character.charCount(cp);
        }
        return n;
    }
}
