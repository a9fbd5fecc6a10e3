package io.datastorage.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.dualwrite.DualWriteCoordinatorContract;
import io.datastorage.core.index.InMemoryVectorIndex;
import io.datastorage.core.index.VectorIndex;
import io.datastorage.core.store.AuditStore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * The dual-write scenarios over PostgreSQL: the coordinator's transactions, idempotency keys and
 * index marks as the service stores them, each test on a fresh database.
 */
class PostgresDualWriteTest extends DualWriteCoordinatorContract {

    @Override
    protected VectorIndex newIndex(int dimension) {
        return new InMemoryVectorIndex(dimension);
    }

    @Override
    protected StoreUnderTest newStore() {
        HikariDataSource dataSource = PostgresTestDatabase.freshDatabase();
        AuditStore store = PostgresTestDatabase.bundle(PostgresStore.open(dataSource, CLOCK, 1));
        return new StoreUnderTest() {
            @Override
            public AuditStore store() {
                return store;
            }

            @Override
            public Set<UUID> ids() {
                Set<UUID> ids = new HashSet<>();
                try (Connection c = dataSource.getConnection();
                     ResultSet rs = c.createStatement().executeQuery("SELECT id FROM audit_records")) {
                    while (rs.next()) {
                        ids.add(rs.getObject(1, UUID.class));
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
                return ids;
            }

            @Override
            public boolean indexPending(UUID id) {
                try (Connection c = dataSource.getConnection();
                     PreparedStatement ps = c.prepareStatement("SELECT index_pending FROM audit_records WHERE id = ?")) {
                    ps.setObject(1, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new IllegalStateException("no record " + id);
                        }
                        return rs.getBoolean(1);
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public void close() {
                dataSource.close();
            }
        };
    }
}
