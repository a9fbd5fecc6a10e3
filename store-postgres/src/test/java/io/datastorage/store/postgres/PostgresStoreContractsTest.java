package io.datastorage.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.migration.PhaseStore;
import io.datastorage.core.migration.SecondaryWriteQueue;
import io.datastorage.core.store.EmbeddingBacklogContract;
import io.datastorage.core.store.IndexBacklogContract;
import io.datastorage.core.store.RecordStoreContract;
import io.datastorage.core.store.StoreRoles;
import io.datastorage.core.store.VectorLedgerContract;
import org.junit.jupiter.api.Nested;

import java.time.Clock;

/** The store role contracts on PostgreSQL, each test on a new, migrated database. */
class PostgresStoreContractsTest {
    private static StoreRoles open(Clock clock) {
        HikariDataSource dataSource = PostgresTestDatabase.freshDatabase();
        PostgresStore store = PostgresStore.open(dataSource, clock, 1);
        return new StoreRoles(store.records(), store.embeddingBacklog(), store.indexBacklog(), store.vectorLedger(),
                dataSource);
    }

    @Nested
    class Records extends RecordStoreContract {
        private HikariDataSource dataSource;
        private PostgresStore store;

        @Override
        protected StoreRoles openStore(Clock clock) {
            dataSource = PostgresTestDatabase.freshDatabase();
            store = PostgresStore.open(dataSource, clock, 1);
            return new StoreRoles(store.records(), store.embeddingBacklog(), store.indexBacklog(), store.vectorLedger(),
                    dataSource);
        }

        @Override
        protected PhaseStore phases() {
            return store.phaseStore();
        }

        @Override
        protected SecondaryWriteQueue queue() {
            return store.secondaryWrites();
        }

        @Override
        protected void awaitWaitingForALock(Thread thread) throws InterruptedException {
            PostgresTestDatabase.awaitALockNotGranted(dataSource, thread);
        }
    }

    @Nested
    class EmbeddingBacklogs extends EmbeddingBacklogContract {
        @Override
        protected StoreRoles openStore(Clock clock) {
            return open(clock);
        }
    }

    @Nested
    class IndexBacklogs extends IndexBacklogContract {
        @Override
        protected StoreRoles openStore(Clock clock) {
            return open(clock);
        }
    }

    @Nested
    class VectorLedgers extends VectorLedgerContract {
        @Override
        protected StoreRoles openStore(Clock clock) {
            return open(clock);
        }
    }
}
