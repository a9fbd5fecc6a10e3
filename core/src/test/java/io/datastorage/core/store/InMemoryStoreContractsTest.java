package io.datastorage.core.store;

import org.junit.jupiter.api.Nested;

import java.time.Clock;

/** The store role contracts on {@link InMemoryAuditStore}, so the tests built on it rely on what PostgreSQL does. */
class InMemoryStoreContractsTest {

    @Nested
    class Records extends RecordStoreContract {
        @Override
        protected StoreRoles openStore(Clock clock) {
            return StoreRoles.of(new InMemoryAuditStore(clock));
        }
    }

    @Nested
    class EmbeddingBacklogs extends EmbeddingBacklogContract {
        @Override
        protected StoreRoles openStore(Clock clock) {
            return StoreRoles.of(new InMemoryAuditStore(clock));
        }
    }

    @Nested
    class IndexBacklogs extends IndexBacklogContract {
        @Override
        protected StoreRoles openStore(Clock clock) {
            return StoreRoles.of(new InMemoryAuditStore(clock));
        }
    }

    @Nested
    class VectorLedgers extends VectorLedgerContract {
        @Override
        protected StoreRoles openStore(Clock clock) {
            return StoreRoles.of(new InMemoryAuditStore(clock));
        }
    }
}
