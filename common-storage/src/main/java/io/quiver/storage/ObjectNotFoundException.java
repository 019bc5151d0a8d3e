package io.quiver.storage;

/** The object asked for does not exist. */
public class ObjectNotFoundException extends StorageException {
    public ObjectNotFoundException(String key) {
        super("object not found: " + key, false);
    }
}
