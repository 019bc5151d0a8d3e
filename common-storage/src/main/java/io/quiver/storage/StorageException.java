package io.quiver.storage;

/** A failure of a storage backend. {@code retriable} is true for transient ones (network, unavailable). */
public class StorageException extends RuntimeException {
    private final boolean retriable;

    public StorageException(String message, boolean retriable, Throwable cause) {
        super(message, cause);
        this.retriable = retriable;
    }

    public StorageException(String message, boolean retriable) {
        this(message, retriable, null);
    }

    public boolean retriable() {
        return retriable;
    }
}
