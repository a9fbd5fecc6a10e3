package io.datastorage.server.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
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
        @DefaultValue Embedding embedding,
        @DefaultValue Cache cache,
        @DefaultValue Index index,
        @DefaultValue Search search,
        @DefaultValue Write write) {

    /**
     * @param url          JDBC URL of an external PostgreSQL 15+; empty starts the embedded one
     *                     under {@code data-dir/postgres}
     * @param embeddedPort port of the embedded PostgreSQL on 127.0.0.1 (0: any free port)
     * @param requireDurable refuse to start on a server that can lose acknowledged commits
     *                     ({@code fsync}, {@code synchronous_commit}, {@code full_page_writes});
     *                     {@code false} starts anyway, with a warning at every start and
     *                     {@code datastorage_db_durable} at 0. The embedded server is always durable.
     * @param embeddedCheckInterval how often the embedded server is checked for being alive
     * @param embeddedStartupTimeout how long a start or restart of the embedded server may take,
     *                     crash recovery included, before it counts as failed
     * @param embeddedRestartAttempts failed restarts of a dead embedded server after which the
     *                     service reports itself not alive (liveness), so its orchestrator restarts it
     */
    public record Db(
            String url,
            @DefaultValue("postgres") String user,
            String password,
            @DefaultValue("20") int poolSize,
            @DefaultValue("5s") Duration connectionTimeout,
            @DefaultValue("0") int embeddedPort,
            @DefaultValue("true") boolean requireDurable,
            @DefaultValue("1s") Duration embeddedCheckInterval,
            @DefaultValue("60s") Duration embeddedStartupTimeout,
            @DefaultValue("3") int embeddedRestartAttempts) {

        public Db {
            if (url != null && !url.isBlank() && !url.startsWith("jdbc:postgresql://")) {
                throw new IllegalArgumentException("datastorage.db.url must be a PostgreSQL JDBC URL "
                        + "(jdbc:postgresql://host:port/database) or empty for the embedded database, was '" + url + "'");
            }
            range("datastorage.db.pool-size", poolSize, 1, 500);
            range("datastorage.db.connection-timeout", connectionTimeout, Duration.ofMillis(250), Duration.ofMinutes(5));
            range("datastorage.db.embedded-port", embeddedPort, 0, 65535);
            range("datastorage.db.embedded-check-interval", embeddedCheckInterval, Duration.ofMillis(100), Duration.ofMinutes(1));
            range("datastorage.db.embedded-startup-timeout", embeddedStartupTimeout, Duration.ofSeconds(1), Duration.ofHours(1));
            range("datastorage.db.embedded-restart-attempts", embeddedRestartAttempts, 1, 100);
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

    /** Which embedder computes the vectors. */
    public enum EmbeddingProvider { ONNX, OPENAI }

    /**
     * @param provider        {@code onnx}: the in-process all-MiniLM-L6-v2; {@code openai}: an
     *                        OpenAI-compatible endpoint (see {@link OpenAi})
     * @param dimension       vector length the rest of the system expects; must equal the model's
     * @param threads         threads one in-process inference may use; 0 means all cores
     * @param parallelism     batches computed at the same time; 0 means one per core
     * @param batchMaxSize    most texts the model computes in one call when concurrent requests are
     *                        gathered into batches
     * @param batchMaxWait    longest a request waits for others to join its batch (0: never waits)
     * @param repairInterval  how often records whose embedding is pending are retried
     * @param repairBatchSize records embedded per repair batch
     */
    public record Embedding(@DefaultValue("onnx") EmbeddingProvider provider,
                            @DefaultValue("384") int dimension,
                            @DefaultValue("1") int threads,
                            @DefaultValue("0") int parallelism,
                            @DefaultValue("64") int batchMaxSize,
                            @DefaultValue("0ms") Duration batchMaxWait,
                            @DefaultValue("5s") Duration repairInterval,
                            @DefaultValue("32") int repairBatchSize,
                            @DefaultValue OpenAi openai) {
        /** Threads per in-process inference, with 0 resolved to the number of cores. */
        public int resolvedThreads() {
            return threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        }

        /** Batches computed at the same time, with 0 resolved to the number of cores. */
        public int resolvedParallelism() {
            return parallelism == 0 ? Runtime.getRuntime().availableProcessors() : parallelism;
        }

        public Embedding {
            range("datastorage.embedding.dimension", dimension, 1, 4096);
            range("datastorage.embedding.threads", threads, 0, 256);
            range("datastorage.embedding.parallelism", parallelism, 0, 64);
            range("datastorage.embedding.batch-max-size", batchMaxSize, 1, 1024);
            range("datastorage.embedding.batch-max-wait", batchMaxWait, Duration.ZERO, Duration.ofSeconds(1));
            range("datastorage.embedding.repair-interval", repairInterval, Duration.ofMillis(100), Duration.ofHours(1));
            range("datastorage.embedding.repair-batch-size", repairBatchSize, 1, 1000);
            if (provider == EmbeddingProvider.OPENAI) {
                openai.requireComplete();
            }
        }
    }

    /**
     * The OpenAI-compatible endpoint, used when {@code datastorage.embedding.provider=openai}.
     *
     * @param baseUrl    the endpoint's base URL; requests go to {@code {baseUrl}/v1/embeddings}
     * @param model      the model name sent with every request
     * @param apiKey     the API key (better: {@code DATASTORAGE_EMBEDDING_OPENAI_API_KEY}); never logged
     * @param apiKeyFile a file holding the API key (e.g. a mounted secret); used when apiKey is empty
     * @param timeout    longest wait for one answer
     * @param maxRetries retries after a network error, a 5xx or a 429 answer
     */
    public record OpenAi(URI baseUrl,
                         String model,
                         String apiKey,
                         Path apiKeyFile,
                         @DefaultValue("10s") Duration timeout,
                         @DefaultValue("3") int maxRetries) {
        public OpenAi {
            if (baseUrl != null && !baseUrl.toString().isBlank() && (baseUrl.getHost() == null
                    || !("http".equals(baseUrl.getScheme()) || "https".equals(baseUrl.getScheme())))) {
                throw new IllegalArgumentException("datastorage.embedding.openai.base-url must be an http(s) URL, was '"
                        + baseUrl + "'");
            }
            range("datastorage.embedding.openai.timeout", timeout, Duration.ofMillis(100), Duration.ofMinutes(5));
            range("datastorage.embedding.openai.max-retries", maxRetries, 0, 10);
        }

        void requireComplete() {
            if (baseUrl == null || baseUrl.toString().isBlank()) {
                throw new IllegalArgumentException("datastorage.embedding.openai.base-url must be set when "
                        + "datastorage.embedding.provider is openai, was empty");
            }
            if (model == null || model.isBlank()) {
                throw new IllegalArgumentException("datastorage.embedding.openai.model must be set when "
                        + "datastorage.embedding.provider is openai, was empty");
            }
            if (apiKeyFile != null && !Files.isReadable(apiKeyFile)) {
                throw new IllegalArgumentException("datastorage.embedding.openai.api-key-file must name a readable file, was '"
                        + apiKeyFile + "'");
            }
        }

        /** The key from {@code api-key}, else from {@code api-key-file} (trimmed), else none. */
        public String resolveApiKey() {
            if (apiKey != null && !apiKey.isBlank()) {
                return apiKey.strip();
            }
            if (apiKeyFile != null) {
                try {
                    String key = Files.readString(apiKeyFile).strip();
                    return key.isEmpty() ? null : key;
                } catch (IOException e) {
                    throw new IllegalArgumentException("datastorage.embedding.openai.api-key-file cannot be read: '"
                            + apiKeyFile + "' (" + e.getClass().getSimpleName() + ")");
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return "OpenAi[baseUrl=" + baseUrl + ", model=" + model + ", apiKey="
                    + (apiKey == null || apiKey.isBlank() ? "<none>" : "<redacted>") + ", apiKeyFile=" + apiKeyFile
                    + ", timeout=" + timeout + ", maxRetries=" + maxRetries + "]";
        }
    }

    /**
     * The embedding cache.
     *
     * @param url     empty: in-process (Caffeine); {@code redis://[:password@]host:port[/db]} or
     *                {@code rediss://…}: a Redis shared by replicas
     * @param ttl     how long an embedding stays cached
     * @param maxSize most memory the in-process cache's vectors may take
     * @param timeout longest a Redis call may take before the embedding is computed without it
     */
    public record Cache(String url,
                        @DefaultValue("5m") Duration ttl,
                        @DefaultValue("64MB") DataSize maxSize,
                        @DefaultValue("100ms") Duration timeout) {
        public Cache {
            if (url != null && !url.isBlank() && !(url.startsWith("redis://") || url.startsWith("rediss://"))) {
                throw new IllegalArgumentException("datastorage.cache.url must be empty (in-process cache) or a "
                        + "redis:// or rediss:// URL, was '" + redactUserInfo(url) + "'");
            }
            range("datastorage.cache.ttl", ttl, Duration.ofSeconds(1), Duration.ofDays(7));
            range("datastorage.cache.max-size", maxSize, DataSize.ofKilobytes(64), DataSize.ofGigabytes(64));
            range("datastorage.cache.timeout", timeout, Duration.ofMillis(1), Duration.ofSeconds(10));
        }

        public boolean redis() {
            return url != null && !url.isBlank();
        }

        @Override
        public String toString() {
            return "Cache[url=" + (url == null ? null : redactUserInfo(url)) + ", ttl=" + ttl + ", maxSize=" + maxSize
                    + ", timeout=" + timeout + "]";
        }

        private static String redactUserInfo(String url) {
            return url.replaceFirst("//[^/@]*@", "//<redacted>@");
        }
    }

    /** What the write path does when the vector index fails. */
    public enum IndexMode { FALLBACK, STRICT }

    /**
     * The vector index (embedded Lucene under {@code data-dir/index}).
     *
     * @param mode             {@code fallback}: store the record, index it later; {@code strict}: refuse (503)
     * @param commitInterval   how often index changes are made durable
     * @param attempts         tries per index call on the write path, the first included
     * @param openFor          how long the index is left alone after repeated failures before a probe
     * @param repairInterval   how often records whose indexing is pending are indexed
     * @param repairBatchSize  records indexed per repair batch
     * @param catchUpMargin    how far before the index's last durable commit the start-up catch-up replays
     * @param reconcileInterval how often PostgreSQL and the index are reconciled (also on demand)
     */
    public record Index(@DefaultValue("fallback") IndexMode mode,
                        @DefaultValue("5s") Duration commitInterval,
                        @DefaultValue("3") int attempts,
                        @DefaultValue("10s") Duration openFor,
                        @DefaultValue("1s") Duration repairInterval,
                        @DefaultValue("200") int repairBatchSize,
                        @DefaultValue("1m") Duration catchUpMargin,
                        @DefaultValue("15m") Duration reconcileInterval) {
        public Index {
            range("datastorage.index.commit-interval", commitInterval, Duration.ofMillis(100), Duration.ofMinutes(10));
            range("datastorage.index.attempts", attempts, 1, 10);
            range("datastorage.index.open-for", openFor, Duration.ofMillis(100), Duration.ofMinutes(10));
            range("datastorage.index.repair-interval", repairInterval, Duration.ofMillis(100), Duration.ofHours(1));
            range("datastorage.index.repair-batch-size", repairBatchSize, 1, 10_000);
            range("datastorage.index.catch-up-margin", catchUpMargin, Duration.ZERO, Duration.ofDays(1));
            range("datastorage.index.reconcile-interval", reconcileInterval, Duration.ofSeconds(1), Duration.ofDays(7));
        }
    }

    /**
     * Semantic search.
     *
     * @param degradedMaxScan while the index is unavailable, how many of the newest matching records
     *                        a search compares exactly
     */
    public record Search(@DefaultValue("10000") int degradedMaxScan) {
        public Search {
            range("datastorage.search.degraded-max-scan", degradedMaxScan, 1, 1_000_000);
        }
    }

    /**
     * The write path.
     *
     * @param deadline how long a write may take from the moment its request arrived, embedding
     *                 included; past it the write is abandoned, nothing is stored, and the
     *                 answer is 503 {@code deadline-exceeded}
     */
    public record Write(@DefaultValue("30s") Duration deadline) {
        public Write {
            range("datastorage.write.deadline", deadline, Duration.ofSeconds(1), Duration.ofMinutes(10));
        }
    }

    public DatastorageProperties {
        if (dataDir == null || dataDir.toString().isBlank()) {
            throw new IllegalArgumentException("datastorage.data-dir must be a directory path, was empty");
        }
    }
}
