package io.datastorage.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.store.AuditPosition;
import io.datastorage.core.store.AuditStoreListingContract;
import io.datastorage.core.store.RecordStore;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Listing on PostgreSQL: the shared contract, plus what the in-memory store relies on of PostgreSQL. */
class PostgresListingTest extends AuditStoreListingContract {
    private HikariDataSource dataSource;

    @Override
    protected RecordStore openStore(Clock clock) {
        dataSource = PostgresTestDatabase.freshDatabase();
        return PostgresStore.open(dataSource, clock, 1).records();
    }

    @Override
    protected void closeStore() {
        dataSource.close();
    }

    @Test
    void ordersUuidsAsTheListingOrderSays() throws SQLException {
        Random random = new Random(3);
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ids.add(new UUID(random.nextLong(), random.nextLong()));
        }
        List<UUID> postgres = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT u FROM unnest(?::uuid[]) u ORDER BY u DESC")) {
            ps.setArray(1, c.createArrayOf("uuid", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    postgres.add(rs.getObject(1, UUID.class));
                }
            }
        }
        Instant t = Instant.parse("2026-11-20T10:00:00Z");

        assertThat(ids.stream().map(id -> new AuditPosition(t, id)).sorted(AuditPosition.LISTING_ORDER)
                .map(AuditPosition::id).toList()).isEqualTo(postgres);
    }
}
