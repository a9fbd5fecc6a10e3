package io.datastorage.server.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

import java.nio.file.Path;
import java.time.Duration;

import static io.datastorage.server.config.Settings.range;

/**
 * Every {@code datastorage.*} setting. Each one can be set by environment variable
 * ({@code datastorage.db.pool-size} → {@code DATASTORAGE_DB_POOL_SIZE}); the defaults give the
 * embedded shape. A bad value stops start-up with the property, the value and what is allowed.
 * Documented in docs/configuration.md.
 */
@ConfigurationProperties("datastorage")
public record DatastorageProperties(
        @DefaultValue("./data") Path dataDir,
        @DefaultValue Db db,
        @DefaultValue Limits limits,
        @DefaultValue Validation validation,
        @DefaultValue Idempotency idempotency,
        @DefaultValue Partitions partitions,
        @DefaultValue Embedding embedding) {

    /**
     * @param url          JDBC URL of an external PostgreSQL 15+; empty starts the embedded one
     *                     under {@code data-dir/postgres}
     * @param embeddedPort port of the embedded PostgreSQL on 127.0.0.1 (0: any free port)
     */
    public record Db(
            String url,
            @DefaultValue("postgres") String user,
            String password,
            @DefaultValue("20") int poolSize,
            @DefaultValue("5s") Duration connectionTimeout,
            @DefaultValue("0") int embeddedPort) {

        public Db {
            if (url != null && !url.isBlank() && !url.startsWith("jdbc:postgresql://")) {
                throw new IllegalArgumentException("datastorage.db.url must be a PostgreSQL JDBC URL "
                        + "(jdbc:postgresql://host:port/database) or empty for the embedded database, was '" + url + "'");
            }
            range("datastorage.db.pool-size", poolSize, 1, 500);
            range("datastorage.db.connection-timeout", connectionTimeout, Duration.ofMillis(250), Duration.ofMinutes(5));
            range("datastorage.db.embedded-port", embeddedPort, 0, 65535);
        }

        public boolean embedded() {
            return url == null || url.isBlank();
        }

        @Override
        public String toString() {
            return "Db[url=" + url + ", user=" + user + ", password=" + (password == null ? "<none>" : "<redacted>")
                    + ", poolSize=" + poolSize + "]";
        }
    }

    /**
     * @param maxBodySize      largest body of a single-record POST (larger: 413)
     * @param maxBatchBodySize largest body of a batch POST (larger: 413)
     * @param maxBatchRecords  most records in one batch
     */
    public record Limits(
            @DefaultValue("1MB") DataSize maxBodySize,
            @DefaultValue("16MB") DataSize maxBatchBodySize,
            @DefaultValue("500") int maxBatchRecords) {

        public Limits {
            range("datastorage.limits.max-body-size", maxBodySize, DataSize.ofKilobytes(1), DataSize.ofMegabytes(256));
            range("datastorage.limits.max-batch-body-size", maxBatchBodySize, DataSize.ofKilobytes(1), DataSize.ofMegabytes(256));
            range("datastorage.limits.max-batch-records", maxBatchRecords, 1, 10_000);
        }
    }

    /** @param maxFutureSkew how far in the future {@code createdAt} may lie */
    public record Validation(@DefaultValue("5m") Duration maxFutureSkew) {
        public Validation {
            range("datastorage.validation.max-future-skew", maxFutureSkew, Duration.ZERO, Duration.ofHours(1));
        }
    }

    /** @param retention how long an Idempotency-Key is remembered */
    public record Idempotency(@DefaultValue("24h") Duration retention) {
        public Idempotency {
            range("datastorage.idempotency.retention", retention, Duration.ofMinutes(1), Duration.ofDays(30));
        }
    }

    /**
     * @param monthsAhead         monthly partitions kept ready beyond the current month
     * @param maintenanceInterval how often partitions are topped up and old idempotency keys purged
     */
    public record Partitions(@DefaultValue("3") int monthsAhead, @DefaultValue("1h") Duration maintenanceInterval) {
        public Partitions {
            range("datastorage.partitions.months-ahead", monthsAhead, 0, 24);
            range("datastorage.partitions.maintenance-interval", maintenanceInterval, Duration.ofMinutes(1), Duration.ofDays(1));
        }
    }

    /**
     * @param dimension       vector length the rest of the system expects; must equal the model's
     * @param threads         threads one model inference may use; 0 means all cores
     * @param repairInterval  how often records whose embedding is pending are retried
     * @param repairBatchSize records embedded per repair batch
     */
    public record Embedding(@DefaultValue("384") int dimension,
                            @DefaultValue("0") int threads,
                            @DefaultValue("5s") Duration repairInterval,
                            @DefaultValue("32") int repairBatchSize) {
        public Embedding {
            range("datastorage.embedding.dimension", dimension, 1, 4096);
            range("datastorage.embedding.threads", threads, 0, 256);
            range("datastorage.embedding.repair-interval", repairInterval, Duration.ofMillis(100), Duration.ofHours(1));
            range("datastorage.embedding.repair-batch-size", repairBatchSize, 1, 1000);
        }
    }

    public DatastorageProperties {
        if (dataDir == null || dataDir.toString().isBlank()) {
            throw new IllegalArgumentException("datastorage.data-dir must be a directory path, was empty");
        }
    }
}
