package io.quiver.storage;

import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Object storage for binlogs, manifests and index files (DESIGN sections 4 and 8).
 *
 * <p>Keys are '/'-separated paths relative to the store's root (bucket + root path).
 * A put is atomic: readers see the whole old object or the whole new one, never a part.
 * Implementations: {@code LocalObjectStore} (files, temp + fsync + rename) and
 * {@code MinioObjectStore} (minio-java against MinIO or any S3). Thread-safe.
 * Backend failures surface as {@link StorageException}; a missing key on get is
 * {@link ObjectNotFoundException}.
 */
public interface ObjectStore extends AutoCloseable {

    void put(String key, byte[] data);

    /** Streams {@code size} bytes from {@code in} (multipart upload for large objects). */
    void put(String key, InputStream in, long size);

    byte[] get(String key);

    /** Reads {@code length} bytes starting at {@code offset}. */
    byte[] getRange(String key, long offset, long length);

    Optional<ObjectInfo> stat(String key);

    /** Every object whose key starts with {@code prefix}, in key order (recursive). */
    List<ObjectInfo> list(String prefix);

    /**
     * Objects whose key starts with {@code prefix}, in key order; when {@code recursive} is false only
     * those with no further '/' after the prefix (S3 listing with delimiter, without the common prefixes).
     */
    default List<ObjectInfo> list(String prefix, boolean recursive) {
        List<ObjectInfo> all = list(prefix);
        if (recursive) {
            return all;
        }
        return all.stream().filter(o -> o.key().indexOf('/', prefix.length()) < 0).toList();
    }

    /** Deletes the object; no error if it does not exist. */
    void delete(String key);

    @Override
    void close();

    record ObjectInfo(String key, long size, long lastModifiedMillis) {}
}
