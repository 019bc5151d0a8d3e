package io.quiver.storage;

import static java.util.Objects.requireNonNull;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.InternalException;
import io.minio.errors.ServerException;
import io.minio.messages.Item;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ObjectStore} on MinIO or any S3-compatible server through minio-java (cluster mode).
 *
 * <ul>
 *   <li>Keys live under {@code bucket/rootPrefix/}; the bucket is created if missing. Keys are
 *       validated exactly as {@link LocalObjectStore#validateKey} does, so a key valid on one store
 *       is valid on the other.</li>
 *   <li>{@link #put(String, InputStream, long)} streams: objects larger than {@code partSize} go up as
 *       an S3 multipart upload (completed only when every part arrived, so a short stream leaves
 *       nothing behind). S3 puts are atomic: readers see the old or the new object.</li>
 *   <li>Ranged reads are S3 range GETs; a range running past the end is clipped, as locally.</li>
 *   <li>Every HTTP call has connect/read/write timeouts; network failures, timeouts, 5xx and S3
 *       throttling/"slow down" answers are retriable {@link StorageException}s. Reads, stat, list
 *       and delete are retried with {@link Retry}; puts of byte arrays too (they are idempotent), a
 *       streamed put is not (its stream is consumed).</li>
 *   <li>Whether a key may be both an object and a prefix of others depends on the server: S3 allows
 *       it, MinIO and S3Proxy's file-system backend refuse it (like {@link LocalObjectStore});
 *       Quiver's layout never needs it.</li>
 * </ul>
 * Thread-safe (one shared {@link MinioClient}).
 */
public final class MinioObjectStore implements ObjectStore {
    private static final Logger log = LoggerFactory.getLogger(MinioObjectStore.class);
    /** Default part size of multipart uploads (S3 allows 5 MiB .. 5 GiB). */
    public static final long DEFAULT_PART_SIZE = 16L << 20;
    private static final long MIN_PART_SIZE = 5L << 20;
    private static final Set<String> NOT_FOUND = Set.of("NoSuchKey", "NoSuchObject", "NotFound", "ResourceNotFound");
    private static final Set<String> RETRIABLE_CODES = Set.of("SlowDown", "ServiceUnavailable", "InternalError",
            "RequestTimeout", "RequestTimeTooSkewed", "XMinioServerNotInitialized", "OperationAborted");

    private final MinioClient client;
    private final OkHttpClient http;
    private final String bucket;
    private final String root;
    private final long partSize;
    private final Retry retry;

    /**
     * @param endpoint   e.g. {@code http://127.0.0.1:9000}
     * @param bucket     created if missing
     * @param rootPrefix folder inside the bucket every key is relative to ("" or null for the bucket root)
     */
    public MinioObjectStore(String endpoint, String accessKey, String secretKey, String bucket, String rootPrefix) {
        this(endpoint, accessKey, secretKey, bucket, rootPrefix, DEFAULT_PART_SIZE, Retry.DEFAULT);
    }

    public MinioObjectStore(String endpoint, String accessKey, String secretKey, String bucket, String rootPrefix,
                            long partSize, Retry retry) {
        this(endpoint, S3Tls.PLAIN, accessKey, secretKey, bucket, rootPrefix, partSize, retry);
    }

    /** {@code address}: {@code host:port} (the scheme follows {@code tls}) or a URL agreeing with it. */
    public MinioObjectStore(String address, S3Tls tls, String accessKey, String secretKey, String bucket, String rootPrefix,
                            long partSize, Retry retry) {
        requireNonNull(address, "address");
        String endpoint = tls.endpoint(address);
        this.bucket = requireNonNull(bucket, "bucket");
        if (partSize < MIN_PART_SIZE) {
            throw new IllegalArgumentException("partSize must be >= 5 MiB: " + partSize);
        }
        this.partSize = partSize;
        this.retry = requireNonNull(retry, "retry");
        String r = rootPrefix == null ? "" : rootPrefix.strip();
        while (r.startsWith("/")) {
            r = r.substring(1);
        }
        while (r.endsWith("/")) {
            r = r.substring(0, r.length() - 1);
        }
        if (!r.isEmpty()) {
            LocalObjectStore.validateKey(r);
        }
        this.root = r.isEmpty() ? "" : r + "/";
        OkHttpClient.Builder httpBuilder = new OkHttpClient.Builder()
                .connectTimeout(10, TimeUnit.SECONDS)
                .readTimeout(60, TimeUnit.SECONDS)
                .writeTimeout(60, TimeUnit.SECONDS)
                .callTimeout(10, TimeUnit.MINUTES) // a whole (large) transfer
                .retryOnConnectionFailure(true);
        tls.applyTo(httpBuilder);
        this.http = httpBuilder.build();
        this.client = MinioClient.builder()
                .endpoint(endpoint)
                .credentials(requireNonNull(accessKey, "accessKey"), requireNonNull(secretKey, "secretKey"))
                .region("us-east-1") // no GetBucketLocation round trip; S3Proxy/MinIO accept it
                .httpClient(http)
                .build();
        retry.run("ensureBucket", this::ensureBucket);
    }

    private void ensureBucket() {
        call("bucketExists", () -> {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                try {
                    client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
                    log.info("event=bucket_created bucket={}", bucket);
                } catch (ErrorResponseException e) {
                    String code = e.errorResponse().code();
                    if (!"BucketAlreadyOwnedByYou".equals(code) && !"BucketAlreadyExists".equals(code)) {
                        throw e;
                    }
                }
            }
            return null;
        });
    }

    public String bucket() {
        return bucket;
    }

    public String rootPrefix() {
        return root;
    }

    // ------------------------------------------------------------------ helpers

    @FunctionalInterface
    private interface S3Call<T> {
        T call() throws Exception;
    }

    private <T> T call(String what, S3Call<T> c) {
        try {
            return c.call();
        } catch (Exception e) {
            throw failure(what, e);
        }
    }

    private StorageException failure(String what, Throwable e) {
        if (e instanceof StorageException se) {
            return se;
        }
        if (e instanceof ErrorResponseException ere) {
            String code = ere.errorResponse().code();
            int status = ere.response() == null ? 0 : ere.response().code();
            boolean retriable = RETRIABLE_CODES.contains(code) || status >= 500 || status == 429 || status == 408;
            return new StorageException("S3 " + what + " failed: " + code + " (HTTP " + status + "): " + ere.getMessage(), retriable, e);
        }
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        boolean retriable = e instanceof IOException || e instanceof ServerException || e instanceof InterruptedException
                || e instanceof InternalException;
        return new StorageException("S3 " + what + " failed: " + e, retriable, e);
    }

    private static boolean notFound(Throwable e) {
        return e instanceof ErrorResponseException ere && NOT_FOUND.contains(ere.errorResponse().code());
    }

    private String objectName(String key) {
        LocalObjectStore.validateKey(key);
        return root + key;
    }

    private static void checkPrefix(String prefix) {
        requireNonNull(prefix, "prefix");
        if (prefix.startsWith("/") || prefix.contains("//") || prefix.indexOf('\0') >= 0 || prefix.indexOf('\\') >= 0) {
            throw new IllegalArgumentException("invalid prefix: " + prefix);
        }
    }

    // ------------------------------------------------------------------ operations

    @Override
    public void put(String key, byte[] data) {
        requireNonNull(data, "data");
        String name = objectName(key);
        retry.run("put", () -> call("put " + key, () -> client.putObject(PutObjectArgs.builder()
                .bucket(bucket).object(name)
                .stream(new ByteArrayInputStream(data), data.length, -1)
                .contentType("application/octet-stream")
                .build())));
    }

    @Override
    public void put(String key, InputStream in, long size) {
        requireNonNull(in, "in");
        if (size < 0) {
            throw new IllegalArgumentException("size < 0: " + size);
        }
        String name = objectName(key);
        // single PUT up to partSize, multipart (partSize parts, completed at the end) above
        call("put " + key, () -> client.putObject(PutObjectArgs.builder()
                .bucket(bucket).object(name)
                .stream(in, size, size <= partSize ? -1 : partSize)
                .contentType("application/octet-stream")
                .build()));
    }

    @Override
    public byte[] get(String key) {
        String name = objectName(key);
        return retry.call("get", () -> read(key, GetObjectArgs.builder().bucket(bucket).object(name).build()));
    }

    private byte[] read(String key, GetObjectArgs args) {
        try (GetObjectResponse r = client.getObject(args)) {
            return r.readAllBytes();
        } catch (Exception e) {
            if (notFound(e)) {
                throw new ObjectNotFoundException(key);
            }
            throw failure("get " + key, e);
        }
    }

    @Override
    public byte[] getRange(String key, long offset, long length) {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must be >= 0: offset=" + offset + " length=" + length);
        }
        String name = objectName(key);
        return retry.call("getRange", () -> {
            if (length == 0) {
                if (stat(key).isEmpty()) {
                    throw new ObjectNotFoundException(key);
                }
                return new byte[0];
            }
            try {
                return read(key, GetObjectArgs.builder().bucket(bucket).object(name).offset(offset).length(length).build());
            } catch (StorageException e) {
                if (e.getCause() instanceof ErrorResponseException ere && "InvalidRange".equals(ere.errorResponse().code())) {
                    // offset at or past the end: clipped to nothing, as LocalObjectStore does
                    if (stat(key).isEmpty()) {
                        throw new ObjectNotFoundException(key);
                    }
                    return new byte[0];
                }
                throw e;
            }
        });
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        String name = objectName(key);
        return retry.call("stat", () -> {
            try {
                StatObjectResponse r = client.statObject(StatObjectArgs.builder().bucket(bucket).object(name).build());
                return Optional.of(new ObjectInfo(key, r.size(), r.lastModified() == null ? 0 : r.lastModified().toInstant().toEpochMilli()));
            } catch (Exception e) {
                if (notFound(e)) {
                    return Optional.empty();
                }
                throw failure("stat " + key, e);
            }
        });
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        return list(prefix, true);
    }

    @Override
    public List<ObjectInfo> list(String prefix, boolean recursive) {
        checkPrefix(prefix);
        return retry.call("list", () -> call("list " + prefix, () -> {
            List<ObjectInfo> out = new ArrayList<>();
            for (Result<Item> res : client.listObjects(ListObjectsArgs.builder()
                    .bucket(bucket).prefix(root + prefix).recursive(recursive).build())) {
                Item it = res.get();
                if (it.isDir() || it.objectName().endsWith("/")) {
                    continue; // common prefixes and directory markers are not objects
                }
                String key = it.objectName().substring(root.length());
                long modified = it.lastModified() == null ? 0 : it.lastModified().toInstant().toEpochMilli();
                out.add(new ObjectInfo(key, it.size(), modified));
            }
            out.sort(java.util.Comparator.comparing(ObjectInfo::key));
            return List.copyOf(out);
        }));
    }

    @Override
    public void delete(String key) {
        String name = objectName(key);
        retry.run("delete", () -> call("delete " + key,
                () -> {
                    client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(name).build());
                    return null;
                }));
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
