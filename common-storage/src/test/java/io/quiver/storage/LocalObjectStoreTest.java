package io.quiver.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalObjectStoreTest extends ObjectStoreConformanceTest {
    @TempDir
    Path dir;

    @Override
    protected ObjectStore createStore() {
        return new LocalObjectStore(dir.resolve("objects"));
    }

    @Test
    void objectsSurviveReopenAsPlainFiles() throws Exception {
        store.put(prefix + "f/g", new byte[] {7, 8});
        try (LocalObjectStore again = new LocalObjectStore(dir.resolve("objects"))) {
            assertThat(again.get(prefix + "f/g")).containsExactly(7, 8);
            assertThat(Files.readAllBytes(again.root().resolve(prefix + "f/g"))).containsExactly(7, 8);
        }
    }

    @Test
    void leftoverTempFilesAreInvisible() throws Exception {
        store.put(prefix + "t/real", new byte[] {1});
        Path root = ((LocalObjectStore) store).root();
        Files.write(root.resolve(prefix + "t/" + LocalObjectStore.TEMP_PREFIX + "crashed"), new byte[] {9});
        assertThat(store.list(prefix)).extracting(ObjectStore.ObjectInfo::key).containsExactly(prefix + "t/real");
        assertThatThrownBy(() -> store.get(prefix + "t/" + LocalObjectStore.TEMP_PREFIX + "crashed"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void deleteRemovesEmptyParentDirectoriesButNotRoot() {
        store.put(prefix + "a/b/c", new byte[] {1});
        store.delete(prefix + "a/b/c");
        Path root = ((LocalObjectStore) store).root();
        assertThat(root.resolve(prefix)).doesNotExist();
        assertThat(root).isDirectory();
    }
}
