package io.quiver.datacoord.importer;

import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.proto.ImportFileGroup;
import java.util.List;
import java.util.Locale;

/**
 * The file checks Milvus makes when an import is requested: at least one and at most {@link #MAX_FILES} files, every
 * path of a group of one type (by extension), one file per group except NumPy (one {@code .npy} per field).
 */
public final class ImportFiles {
    /** Milvus' {@code dataCoord.import.maxImportFileNumPerReq}. */
    public static final int MAX_FILES = 1024;
    /** Milvus' {@code dataCoord.import.maxSizeInMBPerImportTask} file bound: 16 GB per file. */
    public static final long MAX_FILE_BYTES = 16L << 30;

    enum Type { PARQUET, JSON, NUMPY }

    private ImportFiles() {}

    /** Refuses a request's file list with Milvus' messages. */
    public static void check(List<ImportFileGroup> groups) {
        int n = groups.stream().mapToInt(ImportFileGroup::getPathsCount).sum();
        if (groups.isEmpty() || n == 0) {
            throw QuiverException.of(ErrorCode.PARAMETER_INVALID, "import request is empty");
        }
        if (groups.size() > MAX_FILES) {
            throw QuiverException.of(ErrorCode.PARAMETER_INVALID, "The max number of import files should not exceed %d, but got %d",
                    MAX_FILES, groups.size());
        }
        for (ImportFileGroup g : groups) {
            type(g);
        }
    }

    /** The type of a group; {@code unexpected file type, files=[...]} for anything else or a mixed group. */
    static Type type(ImportFileGroup g) {
        Type t = null;
        for (String p : g.getPathsList()) {
            Type pt = ofPath(p);
            if (pt == null || (t != null && pt != t)) {
                throw unexpected(g);
            }
            t = pt;
        }
        if (t == null || (t != Type.NUMPY && g.getPathsCount() != 1)) {
            throw t == null ? unexpected(g) : QuiverException.of(ErrorCode.PARAMETER_INVALID,
                    "for %s import, accepts only one file, files=%s", t.name(), g.getPathsList());
        }
        return t;
    }

    private static Type ofPath(String p) {
        String lower = p.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".parquet")) {
            return Type.PARQUET;
        }
        if (lower.endsWith(".json")) {
            return Type.JSON;
        }
        return lower.endsWith(".npy") ? Type.NUMPY : null;
    }

    private static QuiverException unexpected(ImportFileGroup g) {
        return QuiverException.of(ErrorCode.IMPORT_FAILED, "unexpected file type, files=%s", g.getPathsList());
    }
}
