package io.datastorage.core.store;

import io.datastorage.core.migration.InMemoryPhaseStore;
import io.datastorage.core.migration.InMemorySecondaryWriteQueue;
import io.datastorage.core.migration.PhaseStore;
import io.datastorage.core.migration.SecondaryWriteQueue;
import org.junit.jupiter.api.Nested;

import java.time.Clock;

/** The store role contracts on {@link InMemoryAuditStore}, so the tests built on it rely on what PostgreSQL does. */
class InMemoryStoreContractsTest {

    @Nested
    class Records extends RecordStoreContract {
        private PhaseStore phases;
        private SecondaryWriteQueue queue;

        @Override
        protected StoreRoles openStore(Clock clock) {
            phases = new InMemoryPhaseStore(clock);
            queue = new InMemorySecondaryWriteQueue(clock);
            return StoreRoles.of(new InMemoryAuditStore(clock).migrating(phases, queue));
        }

        @Override
        protected PhaseStore phases() {
            return phases;
        }

        @Override
        protected SecondaryWriteQueue queue() {
            return queue;
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
