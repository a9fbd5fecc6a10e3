package io.datastorage.legacy.postgres;

import io.datastorage.core.migration.LegacyStore;
import io.datastorage.core.migration.LegacyStoreRoundTripProperties;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Any text and number the service accepts survives a jsonb document column and a text id column exactly. */
class PostgresRoundTripPropertyTest extends LegacyStoreRoundTripProperties {
    private static PostgresLegacyStore store;
    private static Path mapping;

    @BeforeContainer
    static void open() throws IOException {
        String url = LegacyTestDatabase.freshDatabase();
        LegacyTestDatabase.execute(url, "CREATE TABLE events (id text, at timestamptz, kind text, doc jsonb)");
        mapping = Files.createTempFile("legacy-mapping", ".properties");
        Files.writeString(mapping, "table=events\nid-column=id\ntimestamp-column=at\nkind-column=kind\ndocument-column=doc\n");
        store = new LegacyPostgresConfig(url, LegacyTestDatabase.user(), null, mapping).open();
    }

    @AfterContainer
    static void close() throws IOException {
        store.close();
        Files.deleteIfExists(mapping);
    }

    @Override
    protected LegacyStore store() {
        return store;
    }
}
