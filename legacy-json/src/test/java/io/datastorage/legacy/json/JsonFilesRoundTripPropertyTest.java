package io.datastorage.legacy.json;

import io.datastorage.core.migration.LegacyStore;
import io.datastorage.core.migration.LegacyStoreRoundTripProperties;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Any text and number the service accepts survives a file exactly. */
class JsonFilesRoundTripPropertyTest extends LegacyStoreRoundTripProperties {
    private static Path dir;
    private static JsonFilesLegacyStore store;

    @BeforeContainer
    static void open() throws IOException {
        dir = Files.createTempDirectory("legacy-json-property");
        store = JsonFilesLegacyStore.open(dir);
    }

    @AfterContainer
    static void close() throws IOException {
        store.close();
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    @Override
    protected LegacyStore store() {
        return store;
    }
}
