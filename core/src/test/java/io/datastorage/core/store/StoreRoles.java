package io.datastorage.core.store;

import java.util.Objects;

/**
 * The roles of one store, over one set of rows: what the role contracts test together.
 *
 * @param resources what to release when the test is done (a database, a pool)
 */
public record StoreRoles(RecordStore records, EmbeddingBacklog embeddingBacklog, IndexBacklog indexBacklog,
                         VectorLedger vectorLedger, AutoCloseable resources) implements AutoCloseable {
    public StoreRoles {
        Objects.requireNonNull(records, "records");
        Objects.requireNonNull(embeddingBacklog, "embeddingBacklog");
        Objects.requireNonNull(indexBacklog, "indexBacklog");
        Objects.requireNonNull(vectorLedger, "vectorLedger");
        Objects.requireNonNull(resources, "resources");
    }

    /** Every role played by one object that holds nothing to release. */
    public static StoreRoles of(AuditStore store) {
        return new StoreRoles(store, store, store, store, () -> { });
    }

    @Override
    public void close() throws Exception {
        resources.close();
    }
}
