package io.datastorage.legacy.json;

import io.datastorage.core.migration.LegacyListingProperties;
import io.datastorage.core.migration.LegacyStore;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The listing over real files: their scan order (file names) and reads feed the same pages. */
@PropertyDefaults(tries = 40)
class JsonFilesLegacyListingPropertyTest extends LegacyListingProperties {
    private static Path dir;
    private static int stores;

    @BeforeContainer
    static void createDirectory() throws IOException {
        dir = Files.createTempDirectory("legacy-json-listing");
    }

    @AfterContainer
    static void deleteDirectory() throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    @Override
    protected LegacyStore newLegacyStore() {
        return JsonFilesLegacyStore.open(dir.resolve("try-" + ++stores));
    }
}
