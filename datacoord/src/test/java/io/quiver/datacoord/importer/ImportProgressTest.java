package io.quiver.datacoord.importer;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.proto.ImportFileProgress;
import io.quiver.proto.ImportJobInfo;
import io.quiver.proto.ImportJobState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Milvus' progress ranges: Pending 0, PreImporting 10..40, Importing 40..70, IndexBuilding 80..90, Completed 100. */
class ImportProgressTest {
    private static ImportJobInfo job(ImportJobState s, ImportFileProgress... files) {
        return ImportJobInfo.newBuilder().setState(s).addAllFiles(List.of(files)).build();
    }

    private static ImportFileProgress file(ImportJobState s, long total, long imported) {
        return ImportFileProgress.newBuilder().setState(s).setTotalRows(total).setImportedRows(imported).build();
    }

    @Test
    void eachStateHasItsRange() {
        assertThat(ImportProgress.percent(job(ImportJobState.IMPORT_PENDING, file(ImportJobState.IMPORT_PENDING, 0, 0)), 0)).isZero();
        assertThat(ImportProgress.percent(job(ImportJobState.IMPORT_PRE_IMPORTING, file(ImportJobState.IMPORT_PENDING, 0, 0),
                file(ImportJobState.IMPORT_PENDING, 0, 0)), 0)).isEqualTo(10);
        assertThat(ImportProgress.percent(job(ImportJobState.IMPORT_PRE_IMPORTING, file(ImportJobState.IMPORT_PRE_IMPORTING, 10, 0),
                file(ImportJobState.IMPORT_PENDING, 0, 0)), 0)).isEqualTo(25);
        ImportJobInfo half = job(ImportJobState.IMPORT_IMPORTING, file(ImportJobState.IMPORT_IMPORTING, 100, 50),
                file(ImportJobState.IMPORT_PRE_IMPORTING, 100, 0));
        assertThat(ImportProgress.percent(half, 0)).isEqualTo(48);
        assertThat(ImportProgress.totalRows(half)).isEqualTo(200);
        assertThat(ImportProgress.importedRows(half)).isEqualTo(50);
        assertThat(ImportProgress.filePercent(half.getFiles(0))).isEqualTo(50);
        assertThat(ImportProgress.percent(job(ImportJobState.IMPORT_INDEX_BUILDING), 0.5)).isEqualTo(85);
        assertThat(ImportProgress.percent(job(ImportJobState.IMPORT_INDEX_BUILDING), 1)).isEqualTo(90);
        assertThat(ImportProgress.percent(job(ImportJobState.IMPORT_COMPLETED), 1)).isEqualTo(100);
        assertThat(ImportProgress.percent(job(ImportJobState.IMPORT_FAILED, file(ImportJobState.IMPORT_IMPORTING, 10, 5)), 1)).isZero();
    }
}
