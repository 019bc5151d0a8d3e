package io.quiver.datacoord.importer;

/** The rows of one file group of an import (one .parquet or .json file, or one .npy file per field), in batches. */
interface ImportReader extends AutoCloseable {
    /** How many rows the group holds; the schema checks ran when the reader opened. */
    long totalRows();

    /** Appends up to {@code maxRows} rows to the batch's columns; returns how many, 0 once every row was read. */
    int read(ImportBatch batch, int maxRows);

    @Override
    void close();
}
