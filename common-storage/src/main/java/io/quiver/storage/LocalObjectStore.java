package io.quiver.storage;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link ObjectStore} over a local directory: key {@code a/b/c} is the file {@code root/a/b/c}.
 *
 * <h2>Design</h2>
 * <ul>
 *   <li><b>Atomic, durable put.</b> Data goes to a temp file in the target's own directory (so the
 *       rename never crosses a file system), is fsync'ed, atomically renamed over the target, and the
 *       directory is fsync'ed so the rename itself survives a power loss. Readers therefore see the
 *       whole old object or the whole new one, as with S3.</li>
 *   <li><b>Keys are validated</b> ({@link #validateKey}): no empty, {@code .} or {@code ..} segment, no
 *       leading {@code /}, no backslash or NUL, and no segment starting with {@value #TEMP_PREFIX}
 *       (reserved for temp files, which {@link #list} hides). A key cannot escape the root.</li>
 *   <li><b>Files, not S3.</b> A key cannot be both an object and a "directory" of other objects
 *       ({@code a} and {@code a/b}); that put fails with a non-retriable {@link StorageException}.
 *       Quiver's layout (DESIGN section 8) never needs both.</li>
 *   <li>Empty parent directories are removed on delete (best effort); a put racing with that
 *       removal retries.</li>
 * </ul>
 * Thread-safe: every operation is a self-contained file system operation.
 */
public final class LocalObjectStore implements ObjectStore {
    private static final Logger log = LoggerFactory.getLogger(LocalObjectStore.class);
    static final String TEMP_PREFIX = ".quiver-tmp-";
    private static final int COPY_BUFFER = 1 << 20;

    private final Path root;

    public LocalObjectStore(Path root) {
        requireNonNull(root, "root is null");
        try {
            createDirectoriesDurably(root);
            this.root = root.toRealPath();
        } catch (IOException e) {
            throw new StorageException("cannot create object store root " + root, false, e);
        }
    }

    public Path root() {
        return root;
    }

    /** Throws {@link IllegalArgumentException} unless {@code key} is a valid object key. */
    public static void validateKey(String key) {
        requireNonNull(key, "key is null");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("invalid object key: empty");
        }
        if (key.startsWith("/")) {
            throw new IllegalArgumentException("invalid object key (leading '/'): " + key);
        }
        if (key.indexOf('\\') >= 0 || key.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("invalid object key (backslash or NUL): " + key);
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty()) {
                throw new IllegalArgumentException("invalid object key (empty segment): " + key);
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("invalid object key ('.' or '..' segment): " + key);
            }
            if (segment.startsWith(TEMP_PREFIX)) {
                throw new IllegalArgumentException("invalid object key (reserved prefix " + TEMP_PREFIX + "): " + key);
            }
        }
    }

    private Path pathOf(String key) {
        validateKey(key);
        return root.resolve(key);
    }

    @Override
    public void put(String key, byte[] data) {
        requireNonNull(data, "data is null");
        write(key, out -> out.write(data));
    }

    @Override
    public void put(String key, InputStream in, long size) {
        requireNonNull(in, "in is null");
        if (size < 0) {
            throw new IllegalArgumentException("size < 0: " + size);
        }
        write(key, out -> {
            byte[] buf = new byte[(int) Math.min(COPY_BUFFER, Math.max(1, size))];
            long remaining = size;
            while (remaining > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, remaining));
                if (n < 0) {
                    throw new StorageException("stream for " + key + " ended after " + (size - remaining) + " of " + size + " bytes", false);
                }
                out.write(buf, 0, n);
                remaining -= n;
            }
        });
    }

    private interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    private void write(String key, Writer writer) {
        Path target = pathOf(key);
        Path dir = target.getParent();
        // A concurrent delete may remove an empty parent directory between createDirectories and
        // the temp file creation: retry a few times.
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve(TEMP_PREFIX + UUID.randomUUID());
            try {
                createDirectoriesDurably(dir);
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    OutputStream out = java.nio.channels.Channels.newOutputStream(ch);
                    writer.writeTo(out);
                    ch.force(true);
                }
                if (Files.isDirectory(target)) {
                    throw new StorageException("cannot put " + key + ": it is a prefix of other objects", false);
                }
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                fsyncDirectory(dir);
                return;
            } catch (NoSuchFileException e) {
                deleteQuietly(tmp);
                if (attempt >= 5) {
                    throw new StorageException("cannot put " + key, true, e);
                }
            } catch (FileAlreadyExistsException | NotDirectoryException e) {
                deleteQuietly(tmp);
                throw new StorageException("cannot put " + key + ": a parent of it is an object", false, e);
            } catch (AtomicMoveNotSupportedException e) {
                deleteQuietly(tmp);
                throw new StorageException("file system does not support atomic rename: " + root, false, e);
            } catch (IOException e) {
                deleteQuietly(tmp);
                throw new StorageException("cannot put " + key, false, e);
            } catch (RuntimeException e) {
                deleteQuietly(tmp);
                throw e;
            }
        }
    }

    /**
     * Creates {@code dir} and any missing parents, then fsyncs the parent of each directory it
     * created so the new directory entries survive a power loss too.
     */
    static void createDirectoriesDurably(Path dir) throws IOException {
        Path existing = dir.toAbsolutePath();
        while (existing != null && !Files.isDirectory(existing)) {
            existing = existing.getParent();
        }
        Files.createDirectories(dir);
        if (existing == null || existing.equals(dir.toAbsolutePath())) {
            return;
        }
        for (Path d = dir.toAbsolutePath().getParent(); d != null; d = d.getParent()) {
            fsyncDirectory(d);
            if (d.equals(existing)) {
                break;
            }
        }
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems (and Windows) cannot open a directory for fsync; the rename is
            // still atomic there, only its durability on power loss is weaker.
            if (!System.getProperty("os.name", "").startsWith("Windows")) {
                throw e;
            }
        }
    }

    private static void deleteQuietly(Path p) {
        if (!Files.isDirectory(p.getParent())) {
            return; // the temp file was never created
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            log.warn("event=temp_delete_failed path={} error={}", p, e.toString());
        }
    }

    @Override
    public byte[] get(String key) {
        Path p = pathOf(key);
        try {
            if (Files.isDirectory(p)) {
                throw new ObjectNotFoundException(key);
            }
            return Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            throw new ObjectNotFoundException(key);
        } catch (IOException e) {
            throw new StorageException("cannot get " + key, false, e);
        }
    }

    @Override
    public byte[] getRange(String key, long offset, long length) {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must be >= 0: offset=" + offset + " length=" + length);
        }
        Path p = pathOf(key);
        if (Files.isDirectory(p)) {
            throw new ObjectNotFoundException(key);
        }
        try (SeekableByteChannel ch = Files.newByteChannel(p, StandardOpenOption.READ)) {
            long size = ch.size();
            long n = Math.max(0, Math.min(length, size - offset));
            if (n > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("range too large for one array: " + n);
            }
            ByteBuffer buf = ByteBuffer.allocate((int) n);
            ch.position(Math.min(offset, size));
            while (buf.hasRemaining()) {
                if (ch.read(buf) < 0) {
                    break;
                }
            }
            return buf.array();
        } catch (NoSuchFileException e) {
            throw new ObjectNotFoundException(key);
        } catch (IOException e) {
            throw new StorageException("cannot get range of " + key, false, e);
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        Path p = pathOf(key);
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            if (!a.isRegularFile()) {
                return Optional.empty();
            }
            return Optional.of(new ObjectInfo(key, a.size(), a.lastModifiedTime().toMillis()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException("cannot stat " + key, false, e);
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        requireNonNull(prefix, "prefix is null");
        if (prefix.startsWith("/") || prefix.contains("..")) {
            throw new IllegalArgumentException("invalid prefix: " + prefix);
        }
        // Walk only the deepest directory the prefix fully names; filter by string prefix.
        int slash = prefix.lastIndexOf('/');
        Path base = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        if (!Files.isDirectory(base)) {
            return List.of();
        }
        List<ObjectInfo> result = new ArrayList<>();
        try (Stream<Path> files = Files.walk(base)) {
            files.forEach(p -> {
                String key = keyOf(p);
                if (key.isEmpty() || !key.startsWith(prefix) || p.getFileName().toString().startsWith(TEMP_PREFIX)) {
                    return;
                }
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    if (a.isRegularFile()) {
                        result.add(new ObjectInfo(key, a.size(), a.lastModifiedTime().toMillis()));
                    }
                } catch (NoSuchFileException e) {
                    // deleted concurrently
                } catch (IOException e) {
                    throw new StorageException("cannot list " + prefix, false, e);
                }
            });
        } catch (java.io.UncheckedIOException e) {
            if (e.getCause() instanceof NoSuchFileException) {
                return list(prefix); // a directory vanished while walking (concurrent delete): list again
            }
            throw new StorageException("cannot list " + prefix, false, e.getCause());
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new StorageException("cannot list " + prefix, false, e);
        }
        result.sort(Comparator.comparing(ObjectInfo::key));
        return result;
    }

    private String keyOf(Path p) {
        Path rel = root.relativize(p);
        return rel.toString().replace(p.getFileSystem().getSeparator(), "/");
    }

    @Override
    public void delete(String key) {
        Path p = pathOf(key);
        try {
            if (Files.isDirectory(p)) {
                return; // not an object
            }
            if (!Files.deleteIfExists(p)) {
                return;
            }
            // Remove now-empty parents (best effort), never the root.
            for (Path dir = p.getParent(); dir != null && !dir.equals(root) && dir.startsWith(root); dir = dir.getParent()) {
                try {
                    Files.delete(dir);
                } catch (DirectoryNotEmptyException | NoSuchFileException e) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot delete " + key, false, e);
        }
    }

    @Override
    public void close() {
        // nothing held open
    }

    @Override
    public String toString() {
        return "LocalObjectStore[" + root + "]";
    }
}
