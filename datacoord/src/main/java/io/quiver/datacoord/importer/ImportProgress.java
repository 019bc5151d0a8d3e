package io.quiver.datacoord.importer;

import io.quiver.proto.ImportFileProgress;
import io.quiver.proto.ImportJobInfo;
import io.quiver.proto.ImportJobState;

/**
 * Milvus' progress figure of an import job (percent): Pending 0, PreImporting 10..40 (files checked), Importing 40..70
 * (rows written), Stats 70..80 (Quiver has no sort step: passed through), IndexBuilding 80..90 (segments indexed),
 * Completed 100, Failed 0.
 */
public final class ImportProgress {
    private ImportProgress() {}

    public static long percent(ImportJobInfo job, double indexedFraction) {
        return switch (job.getState()) {
            case IMPORT_PENDING -> 0;
            case IMPORT_PRE_IMPORTING -> 10 + Math.round(30 * fraction(job.getFilesList().stream()
                    .filter(f -> f.getState() != ImportJobState.IMPORT_PENDING).count(), job.getFilesCount()));
            case IMPORT_IMPORTING -> 40 + Math.round(30 * fraction(importedRows(job), totalRows(job)));
            case IMPORT_INDEX_BUILDING -> 80 + Math.round(10 * Math.clamp(indexedFraction, 0, 1));
            case IMPORT_COMPLETED -> 100;
            default -> 0;
        };
    }

    public static long totalRows(ImportJobInfo job) {
        return job.getFilesList().stream().mapToLong(ImportFileProgress::getTotalRows).sum();
    }

    public static long importedRows(ImportJobInfo job) {
        return job.getFilesList().stream().mapToLong(ImportFileProgress::getImportedRows).sum();
    }

    /** A file's own progress: 100 once its rows are written, else its share of rows. */
    public static long filePercent(ImportFileProgress f) {
        return f.getTotalRows() == 0 ? (f.getState() == ImportJobState.IMPORT_PENDING ? 0 : 100)
                : Math.round(100 * fraction(f.getImportedRows(), f.getTotalRows()));
    }

    private static double fraction(long done, long total) {
        return total <= 0 ? 0 : Math.min(1.0, (double) done / total);
    }
}
