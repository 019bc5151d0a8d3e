package io.quiver.datacoord.importer;

import static io.quiver.datacoord.importer.ImportColumn.failed;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The header of a NumPy {@code .npy} file (format versions 1 to 3: magic {@code \x93NUMPY}, version, header length,
 * a Python dict literal {@code {'descr': '<f4', 'fortran_order': False, 'shape': (N, D), }}) and the layout it
 * describes: where the data starts and how many bytes a row takes. Only C order is read, as Milvus does.
 *
 * @param descr the dtype: byte order ({@code <}, {@code |} or {@code =}), kind ({@code f i u b U}) and item size
 * @param shape the array's shape; the first number is the row count
 * @param dataOffset where the data starts in the file
 */
record NpyFile(String descr, long[] shape, int dataOffset) {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** Parses the header from the first bytes of a file (at least the whole header; 64 KiB always suffices). */
    static NpyFile parse(String path, byte[] head) {
        if (head.length < 10) {
            throw failed("%s is not a NumPy file: too short", path);
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (head[i] != MAGIC[i]) {
                throw failed("%s is not a NumPy file: bad magic", path);
            }
        }
        int major = head[6];
        ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen;
        int start;
        if (major == 1) {
            headerLen = Short.toUnsignedInt(b.getShort(8));
            start = 10;
        } else if (major == 2 || major == 3) {
            headerLen = b.getInt(8);
            start = 12;
        } else {
            throw failed("%s: NumPy format version %d is not supported", path, major);
        }
        if (start + headerLen > head.length) {
            throw failed("%s: the NumPy header is longer than %d bytes", path, head.length);
        }
        String dict = new String(head, start, headerLen, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(dict);
        Matcher f = FORTRAN.matcher(dict);
        Matcher s = SHAPE.matcher(dict);
        if (!d.find() || !f.find() || !s.find()) {
            throw failed("%s: the NumPy header is not readable: %s", path, dict.trim());
        }
        if (f.group(1).equals("True")) {
            throw failed("%s: Fortran-ordered NumPy arrays are not supported", path);
        }
        List<Long> dims = new ArrayList<>();
        for (String part : s.group(1).split(",")) {
            if (!part.isBlank()) {
                dims.add(Long.parseLong(part.trim()));
            }
        }
        if (dims.isEmpty()) {
            throw failed("%s: a NumPy scalar cannot be imported, the array needs a row dimension", path);
        }
        return new NpyFile(d.group(1), dims.stream().mapToLong(Long::longValue).toArray(), start + headerLen);
    }

    long rows() {
        return shape[0];
    }

    /** Values per row: the product of the dimensions after the first. */
    long perRow() {
        long n = 1;
        for (int i = 1; i < shape.length; i++) {
            n *= shape[i];
        }
        return n;
    }

    /** The dtype's kind letter: f (float), i (signed int), u (unsigned), b (bool), U (unicode string). */
    char kind() {
        return descr.charAt(1);
    }

    /** Bytes of one item: the dtype's size, times 4 for a unicode string (UTF-32 code points). */
    int itemSize() {
        int n = Integer.parseInt(descr.substring(2));
        return kind() == 'U' ? n * 4 : n;
    }

    /** The dtype's size number (characters for U). */
    int width() {
        return Integer.parseInt(descr.substring(2));
    }

    long rowBytes() {
        return perRow() * itemSize();
    }

    boolean bigEndian() {
        return descr.charAt(0) == '>';
    }
}
