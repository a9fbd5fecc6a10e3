package io.datastorage.server.config;

import io.datastorage.cache.redis.RedisCacheConfig;
import io.datastorage.core.config.ConfigChecks;
import io.datastorage.core.config.InvalidConfigException;
import io.datastorage.core.dualwrite.DualWriteCoordinator;
import io.datastorage.core.dualwrite.WriteOrder;
import io.datastorage.embedding.onnx.OnnxEmbedderConfig;
import io.datastorage.embedding.openai.OpenAiEmbedderConfig;
import io.datastorage.index.lucene.LuceneIndexConfig;
import io.datastorage.index.solr.SolrIndexConfig;
import io.datastorage.core.migration.MigrationPhase;
import io.datastorage.core.migration.MigrationSettings;
import io.datastorage.core.migration.SecondaryMode;
import io.datastorage.core.migration.SecondaryPolicy;
import io.datastorage.legacy.json.LegacyJsonConfig;
import io.datastorage.legacy.postgres.LegacyPostgresConfig;
import io.datastorage.store.postgres.PostgresMaintenanceConfig;
import io.datastorage.store.postgres.PostgresStoreConfig;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static io.datastorage.core.config.ConfigChecks.range;
import static io.datastorage.server.config.Settings.under;

/**
 * Every {@code datastorage.*} setting. Each one can be set by environment variable
 * ({@code datastorage.db.pool-size} → {@code DATASTORAGE_DB_POOL_SIZE}); the defaults give the
 * embedded shape. A bad value stops start-up with the property, the value and what is allowed.
 * Documented in docs/configuration.md.
 *
 * <p>This class only binds and maps. Each backend module owns a validated config record
 * ({@link PostgresStoreConfig}, {@link PostgresMaintenanceConfig}, {@link LuceneIndexConfig},
 * {@link OnnxEmbedderConfig}, {@link OpenAiEmbedderConfig}, {@link RedisCacheConfig}) that names
 * its settings relative to itself; the accessors below build them with the property prefix in
 * front of any failure. Every one of them is built once while binding, whichever backend is
 * chosen, so a bad value stops start-up even in a backend that is not in use (a typo should not
 * wait for the day someone switches). What is checked here is the server's own settings and the
 * choices between backends.
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
        @DefaultValue Write write,
        @DefaultValue Jobs jobs,
        @DefaultValue Migration migration) {

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
            // A compact constructor sees its parameters, not yet its fields: build from the parameters.
            config(url, user, password, poolSize, connectionTimeout, requireDurable, embeddedPort,
                    embeddedCheckInterval, embeddedStartupTimeout, embeddedRestartAttempts);
        }

        /** The store-postgres module's config. */
        public PostgresStoreConfig config() {
            return config(url, user, password, poolSize, connectionTimeout, requireDurable, embeddedPort,
                    embeddedCheckInterval, embeddedStartupTimeout, embeddedRestartAttempts);
        }

        private static PostgresStoreConfig config(String url, String user, String password, int poolSize,
                                                  Duration connectionTimeout, boolean requireDurable, int embeddedPort,
                                                  Duration embeddedCheckInterval, Duration embeddedStartupTimeout,
                                                  int embeddedRestartAttempts) {
            return under("datastorage.db.", () -> new PostgresStoreConfig(url, user, password, poolSize,
                    connectionTimeout, requireDurable, embeddedPort, embeddedCheckInterval, embeddedStartupTimeout,
                    embeddedRestartAttempts));
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
            Settings.range("datastorage.limits.max-body-size", maxBodySize, DataSize.ofKilobytes(1), DataSize.ofMegabytes(256));
            Settings.range("datastorage.limits.max-batch-body-size", maxBatchBodySize, DataSize.ofKilobytes(1), DataSize.ofMegabytes(256));
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
    }

    /**
     * @param monthsAhead         monthly partitions kept ready beyond the current month
     * @param maintenanceInterval how often partitions are topped up and old idempotency keys purged
     */
    public record Partitions(@DefaultValue("3") int monthsAhead, @DefaultValue("1h") Duration maintenanceInterval) {
    }

    /** Which embedder computes the vectors. */
    public enum EmbeddingProvider { ONNX, OPENAI }

    /**
     * @param provider        {@code onnx}: the in-process all-MiniLM-L6-v2; {@code openai}: an
     *                        OpenAI-compatible endpoint (see {@link OpenAi})
     * @param dimension       vector length the rest of the system expects; must equal the model's
     * @param threads         threads one in-process inference may use; 0 means all cores (see
     *                        {@link OnnxEmbedderConfig})
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
        /** Batches computed at the same time, with 0 resolved to the number of cores. */
        public int resolvedParallelism() {
            return parallelism == 0 ? Runtime.getRuntime().availableProcessors() : parallelism;
        }

        public Embedding {
            range("datastorage.embedding.dimension", dimension, 1, 4096);
            onnx(threads);
            range("datastorage.embedding.parallelism", parallelism, 0, 64);
            range("datastorage.embedding.batch-max-size", batchMaxSize, 1, 1024);
            range("datastorage.embedding.batch-max-wait", batchMaxWait, Duration.ZERO, Duration.ofSeconds(1));
            range("datastorage.embedding.repair-interval", repairInterval, Duration.ofMillis(100), Duration.ofHours(1));
            range("datastorage.embedding.repair-batch-size", repairBatchSize, 1, 1000);
            OpenAiEmbedderConfig openAiConfig = openai.config(dimension);
            if (provider == EmbeddingProvider.OPENAI) {
                try {
                    under("datastorage.embedding.openai.", openAiConfig::requireComplete);
                } catch (InvalidConfigException e) {
                    throw e.when("datastorage.embedding.provider is openai");
                }
            }
        }

        /** The embedding-onnx module's config. */
        public OnnxEmbedderConfig onnx() {
            return onnx(threads);
        }

        private static OnnxEmbedderConfig onnx(int threads) {
            return under("datastorage.embedding.", () -> new OnnxEmbedderConfig(threads));
        }

        /** The embedding-openai module's config; complete when the provider is {@code openai}. */
        public OpenAiEmbedderConfig openAi() {
            return openai.config(dimension);
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
        OpenAiEmbedderConfig config(int dimension) {
            return under("datastorage.embedding.openai.", () -> new OpenAiEmbedderConfig(baseUrl, model, apiKey,
                    apiKeyFile, dimension, timeout, maxRetries));
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
            redisConfig(url, ttl, timeout);
            Settings.range("datastorage.cache.max-size", maxSize, DataSize.ofKilobytes(64), DataSize.ofGigabytes(64));
        }

        public boolean redis() {
            return url != null && !url.isBlank();
        }

        /**
         * The cache-redis module's config (its URL empty when the in-process cache is chosen; its
         * ttl is the in-process cache's too).
         */
        public RedisCacheConfig redisConfig() {
            return redisConfig(url, ttl, timeout);
        }

        private static RedisCacheConfig redisConfig(String url, Duration ttl, Duration timeout) {
            try {
                return under("datastorage.cache.", () -> new RedisCacheConfig(url, ttl, timeout));
            } catch (InvalidConfigException e) {
                if (!e.setting().equals("datastorage.cache.url")) {
                    throw e;
                }
                // Here, unlike in the module, an empty URL is a choice: the in-process cache.
                throw new InvalidConfigException(e.setting(),
                        "must be empty (in-process cache) or a redis:// or rediss:// URL", e.was());
            }
        }

        @Override
        public String toString() {
            return "Cache[" + redisConfig() + ", maxSize=" + maxSize + "]";
        }
    }

    /** What the write path does when the vector index fails. */
    public enum IndexMode { FALLBACK, STRICT }

    /**
     * Which vector index the service runs with. Each value has its own configuration class, chosen
     * by {@code @ConditionalOnProperty}.
     */
    public enum IndexType {
        /** The embedded Lucene HNSW index under {@code data-dir/index} (the default). */
        LUCENE,
        /**
         * A SolrCloud collection that replicas share (the cluster shape; see {@link Solr}), reached
         * through the Solr URLs of {@code datastorage.index.solr.urls}.
         */
        SOLR,
        /**
         * No vector index: records are stored in PostgreSQL only (with their indexing pending, so
         * that a later switch to an index indexes them), and every search is the degraded exact
         * scan of the newest {@code datastorage.search.degraded-max-scan} matching records.
         */
        NONE
    }

    /** The default of {@code datastorage.index.lucene.commit-interval}. */
    static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofSeconds(5);

    /**
     * The vector index.
     *
     * @param type             {@code lucene}, {@code solr} or {@code none} (see {@link IndexType})
     * @param mode             {@code fallback}: store the record, index it later; {@code strict}: refuse (503)
     * @param commitInterval   deprecated alias of {@code datastorage.index.lucene.commit-interval};
     *                         {@code null} when not set
     * @param attempts         tries per index call on the write path, the first included
     * @param openFor          how long the index is left alone after repeated failures before a probe
     * @param repairInterval   how often records whose indexing is pending are indexed
     * @param repairBatchSize  records indexed per repair batch
     * @param catchUpMargin    how far before the index's last durable commit the start-up catch-up replays
     * @param reconcileInterval how often PostgreSQL and the index are reconciled (also on demand)
     * @param reconcileGrace   how old an index entry without a record must be before reconciliation
     *                         deletes it: another replica may be writing it (longer than
     *                         {@code datastorage.write.deadline}, checked at start-up)
     * @param lucene           the settings of the Lucene index only
     * @param solr             the settings of the SolrCloud index only
     * @param writeOrder       {@code in-transaction}: upsert the vectors inside the records' transaction;
     *                         {@code commit-then-index}: commit the records marked, upsert with no
     *                         connection held, clear the marks (fallback mode only); {@code auto}: the
     *                         latter for a remote index in fallback mode (see {@link WriteOrder})
     */
    public record Index(@DefaultValue("lucene") IndexType type,
                        @DefaultValue("fallback") IndexMode mode,
                        Duration commitInterval,
                        @DefaultValue("3") int attempts,
                        @DefaultValue("10s") Duration openFor,
                        @DefaultValue("1s") Duration repairInterval,
                        @DefaultValue("200") int repairBatchSize,
                        @DefaultValue("1m") Duration catchUpMargin,
                        @DefaultValue("15m") Duration reconcileInterval,
                        @DefaultValue("2m") Duration reconcileGrace,
                        @DefaultValue Lucene lucene,
                        @DefaultValue("auto") WriteOrder writeOrder,
                        @DefaultValue Solr solr) {
        public Index {
            range("datastorage.index.attempts", attempts, 1, 10);
            range("datastorage.index.open-for", openFor, Duration.ofMillis(100), Duration.ofMinutes(10));
            range("datastorage.index.repair-interval", repairInterval, Duration.ofMillis(100), Duration.ofHours(1));
            range("datastorage.index.repair-batch-size", repairBatchSize, 1, 10_000);
            range("datastorage.index.catch-up-margin", catchUpMargin, Duration.ZERO, Duration.ofDays(1));
            range("datastorage.index.reconcile-interval", reconcileInterval, Duration.ofSeconds(1), Duration.ofDays(7));
            range("datastorage.index.reconcile-grace", reconcileGrace, Duration.ofSeconds(1), Duration.ofHours(1));
            if (type == IndexType.NONE && mode == IndexMode.STRICT) {
                throw new InvalidConfigException("datastorage.index.mode", "must be fallback when "
                        + "datastorage.index.type is none (strict would refuse every write: there is no index)", "strict");
            }
            under("datastorage.index.", () -> writeOrder.checkWith(DualWriteCoordinator.Mode.valueOf(mode.name())));
            if (type == IndexType.SOLR && solr.urls().isEmpty()) {
                throw new InvalidConfigException("datastorage.index.solr.urls", "must be set when datastorage.index.type "
                        + "is solr (comma-separated base URLs of Solr nodes, e.g. " + Solr.EXAMPLE_URL + ")", "empty");
            }
        }

        /**
         * The property the Lucene commit interval was set by: the deprecated
         * {@code datastorage.index.commit-interval} only when it alone is set.
         */
        public String commitIntervalProperty() {
            return lucene.commitInterval() == null && commitInterval != null
                    ? "datastorage.index.commit-interval" : "datastorage.index.lucene.commit-interval";
        }

        /** The index-lucene module's config for an index of {@code dimension} under {@code dataDir/index}. */
        LuceneIndexConfig luceneConfig(Path dataDir, int dimension) {
            Duration interval = lucene.commitInterval() != null ? lucene.commitInterval()
                    : commitInterval != null ? commitInterval : DEFAULT_COMMIT_INTERVAL;
            String property = commitIntervalProperty();
            return under(property.substring(0, property.length() - "commit-interval".length()),
                    () -> new LuceneIndexConfig(dataDir.resolve("index"), dimension, interval));
        }
    }

    /**
     * Settings of the SolrCloud index ({@code datastorage.index.type=solr}). Checked whatever the
     * type, like every backend's settings; only {@code urls} is needed with {@code solr} alone.
     * The vectors' dimension is the embedder's ({@code datastorage.embedding.dimension}).
     *
     * <p>There is no ZooKeeper-hosts setting: the client reads the cluster's state from the Solr
     * nodes over HTTP, so that ZooKeeper's client (and SolrJ's Jetty-based one, which clashes with
     * the server's Jetty) stay off the classpath.
     *
     * @param urls              base URLs of one or more Solr nodes, each an absolute {@code http} or
     *                          {@code https} URL ending in the Solr context
     *                          ({@code http://solr-0:8983/solr}); the client learns the rest of the
     *                          cluster from any of them. Required when the type is {@code solr}.
     * @param collection        the collection's name, created at start-up when absent; Solr's rule
     *                          for names: letters, digits, {@code .}, {@code _}, {@code -}, not
     *                          starting with {@code .} or {@code -}
     * @param shards            shards of a collection this service creates (an existing one keeps its own)
     * @param replicationFactor replicas per shard of a collection this service creates
     * @param timeout           longest one request to Solr may take, connecting included
     */
    public record Solr(List<String> urls,
                       @DefaultValue("datastorage") String collection,
                       @DefaultValue("2") int shards,
                       @DefaultValue("2") int replicationFactor,
                       @DefaultValue("10s") Duration timeout) {
        static final String EXAMPLE_URL = "http://solr-0:8983/solr";
        private static final Pattern COLLECTION = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");
        private static final Pattern CREDENTIALS = Pattern.compile("//[^/@]*@");

        public Solr {
            urls = urls == null ? List.of() : urls.stream().map(String::strip).filter(url -> !url.isEmpty()).toList();
            urls.forEach(Solr::solrUrl);
            if (collection == null || !COLLECTION.matcher(collection).matches()) {
                throw new InvalidConfigException("datastorage.index.solr.collection", "must be a Solr collection name: "
                        + "letters, digits, '.', '_' and '-', not starting with '.' or '-'",
                        collection == null || collection.isEmpty() ? "empty" : "'" + collection + "'");
            }
            range("datastorage.index.solr.shards", shards, 1, 1024);
            range("datastorage.index.solr.replication-factor", replicationFactor, 1, 16);
            range("datastorage.index.solr.timeout", timeout, Duration.ofMillis(100), Duration.ofMinutes(5));
        }

        /** {@code url} as a Solr node's base URL, without a trailing {@code /}. */
        private static URI solrUrl(String url) {
            URI uri;
            try {
                uri = new URI(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            } catch (java.net.URISyntaxException e) {
                uri = null;
            }
            if (uri == null || !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                    || uri.getHost() == null || uri.getRawPath() == null || uri.getRawPath().isEmpty()
                    || uri.getRawPath().equals("/") || uri.getRawQuery() != null || uri.getRawFragment() != null
                    || uri.getRawUserInfo() != null) {
                // Credentials in a URL are refused (they would reach logs and reports), and shown
                // redacted here; this service has no Solr authentication setting yet.
                throw new InvalidConfigException("datastorage.index.solr.urls", "must be comma-separated http(s) URLs "
                        + "of Solr nodes ending in the Solr context, without credentials, query or fragment, e.g. "
                        + EXAMPLE_URL, "'" + CREDENTIALS.matcher(url).replaceFirst("//<redacted>@") + "'");
            }
            return uri;
        }

        /** The index-solr module's config for vectors of {@code dimension}; needs {@code urls}. */
        SolrIndexConfig config(int dimension) {
            if (urls.isEmpty()) {
                throw new IllegalStateException("datastorage.index.solr.urls is empty: checked at start-up when "
                        + "datastorage.index.type is solr");
            }
            return new SolrIndexConfig(urls.stream().map(Solr::solrUrl).toList(), collection, shards, replicationFactor,
                    dimension, timeout);
        }
    }

    /**
     * Settings of the embedded Lucene index ({@code datastorage.index.type=lucene}).
     *
     * @param commitInterval how often index changes are made durable (default 5s); {@code null} when
     *                       not set
     */
    public record Lucene(Duration commitInterval) {
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

    /**
     * The background jobs.
     *
     * @param leaseDuration how long a replica's lease on a job lasts after each renewal (one per
     *                      batch); it must exceed the longest batch of any job (the rule in
     *                      {@link io.datastorage.core.job.LeasedJob}), and it is how long the jobs
     *                      of a replica that died wait before another replica takes them over
     */
    public record Jobs(@DefaultValue("1m") Duration leaseDuration) {
        public Jobs {
            if (leaseDuration == null || leaseDuration.compareTo(Duration.ofSeconds(10)) < 0
                    || leaseDuration.compareTo(io.datastorage.core.job.JobLeases.MAX_DURATION) > 0) {
                throw new InvalidConfigException("datastorage.jobs.lease-duration",
                        "must be 10s..1d and longer than the longest batch of any background job",
                        leaseDuration == null ? "empty" : ConfigChecks.print(leaseDuration));
            }
        }
    }

    /** Which legacy store a migration moves away from; {@code none}: no migration runs. */
    public enum LegacyType {
        /** No legacy store: nothing of the migration runs, the phase is NEW_ONLY, the service as without one. */
        NONE,
        /** A directory of JSON files ({@code datastorage.migration.legacy.path}). */
        JSON_FILES,
        /** A table in another PostgreSQL ({@code db-url}, {@code db-user}, {@code db-password}, {@code mapping-file}). */
        POSTGRES
    }

    /**
     * The migration from a legacy store (issue 16). With {@code legacy.type=none} (the default) none
     * of it runs and the other settings are not used.
     *
     * @param legacy           the legacy store
     * @param phase            the phase stored at the first start with a legacy store (when none is
     *                         stored yet; afterwards the stored phase counts and this is ignored);
     *                         {@code null}: {@code LEGACY_ONLY}
     * @param secondary        {@code queue}: a failed secondary write is queued and retried, the write
     *                         answers 201; {@code fail}: the primary write is undone and the write
     *                         answers 503
     * @param secondaryMode    {@code sync}: the secondary is written before the answer; {@code async}:
     *                         after it, by the queue's job
     * @param shadowReadRatio  the share (0..1) of reads also read from the secondary and compared, off
     *                         the request path
     * @param secondaryTimeout longest one call to the secondary store may take
     * @param backfillRate     the most records a backfill reads from its source per second,
     *                         1..1,000,000
     * @param validateInterval how often the two stores are compared in the dual phases (a sync
     *                         validation, under the {@code migration-validate} lease); {@code 0s}: never
     *                         (on demand only)
     */
    public record Migration(@DefaultValue Legacy legacy,
                            String phase,
                            @DefaultValue("queue") String secondary,
                            @DefaultValue("sync") String secondaryMode,
                            @DefaultValue("0.01") double shadowReadRatio,
                            @DefaultValue("5s") Duration secondaryTimeout,
                            @DefaultValue("500") int backfillRate,
                            @DefaultValue("1h") Duration validateInterval) {
        /** The values of {@code datastorage.migration.secondary}. */
        public static final List<String> SECONDARY_POLICIES = List.of("queue", "fail");
        /** The values of {@code datastorage.migration.secondary-mode}. */
        public static final List<String> SECONDARY_MODES = List.of("sync", "async");

        public Migration {
            // Bound as text and matched exactly, as the admin API and the CLI take a phase: Spring's
            // relaxed enum binding would take "new_only" here only, and name the values in kebab case.
            String named = phase == null ? "" : phase.strip();
            if (!named.isEmpty() && Arrays.stream(MigrationPhase.values()).noneMatch(p -> p.name().equals(named))) {
                throw new InvalidConfigException("datastorage.migration.phase", "must be one of "
                        + Arrays.stream(MigrationPhase.values()).map(Enum::name).collect(Collectors.joining(", "))
                        + " (in capitals)", phase);
            }
            phase = named.isEmpty() ? null : named;
            secondary = oneOf("datastorage.migration.secondary", secondary, SECONDARY_POLICIES);
            secondaryMode = oneOf("datastorage.migration.secondary-mode", secondaryMode, SECONDARY_MODES);
            if (!(shadowReadRatio >= 0 && shadowReadRatio <= 1)) {
                throw new InvalidConfigException("datastorage.migration.shadow-read-ratio", "must be 0..1",
                        String.valueOf(shadowReadRatio));
            }
            range("datastorage.migration.secondary-timeout", secondaryTimeout, Duration.ofMillis(100),
                    Duration.ofMinutes(5));
            range("datastorage.migration.backfill-rate", backfillRate, 1, 1_000_000);
            if (validateInterval == null || !validateInterval.isZero()
                    && (validateInterval.compareTo(Duration.ofMinutes(1)) < 0 || validateInterval.compareTo(Duration.ofDays(7)) > 0)) {
                throw new InvalidConfigException("datastorage.migration.validate-interval", "must be 0s (never) or 1m..7d",
                        validateInterval == null ? "empty" : ConfigChecks.print(validateInterval));
            }
        }

        private static String oneOf(String property, String value, List<String> allowed) {
            String given = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
            if (!allowed.contains(given)) {
                throw new InvalidConfigException(property, "must be one of " + String.join(", ", allowed),
                        value == null || value.isBlank() ? "empty" : value);
            }
            return given;
        }

        /** The router's settings (core's {@link MigrationSettings}). */
        public MigrationSettings settings() {
            return new MigrationSettings(SecondaryPolicy.parse(secondary), SecondaryMode.parse(secondaryMode),
                    shadowReadRatio, secondaryTimeout);
        }

        /** Whether a legacy store is configured, so that the migration runs. */
        public boolean configured() {
            return legacy.type() != LegacyType.NONE;
        }

        /** The phase to store when none is stored yet. */
        public MigrationPhase initialPhase() {
            return phase == null ? MigrationPhase.LEGACY_ONLY : MigrationPhase.valueOf(phase);
        }
    }

    /**
     * The legacy store of a migration.
     *
     * @param type        {@code none}, {@code json-files} or {@code postgres}
     * @param path        json-files: the directory
     * @param dbUrl       postgres: {@code jdbc:postgresql://host:port/database}
     * @param dbUser      postgres: the user
     * @param dbPassword  postgres: the password (better: {@code DATASTORAGE_MIGRATION_LEGACY_DB_PASSWORD}); never logged
     * @param mappingFile postgres: the properties file mapping the legacy table's columns
     * @param dbPoolSize  postgres: most connections to the legacy database
     * @param dbConnectionTimeout postgres: how long a call waits for a connection before it fails as unavailable
     * @param dbSocketTimeout postgres: how long a call waits for the database's answer (whole seconds)
     */
    public record Legacy(@DefaultValue("none") LegacyType type,
                         Path path,
                         String dbUrl,
                         String dbUser,
                         String dbPassword,
                         Path mappingFile,
                         @DefaultValue("4") int dbPoolSize,
                         @DefaultValue("5s") Duration dbConnectionTimeout,
                         @DefaultValue("30s") Duration dbSocketTimeout) {
        public Legacy {
            // Only the chosen type's settings are checked: the others' are empty unless one is chosen.
            switch (type) {
                case JSON_FILES -> jsonConfig(path);
                case POSTGRES -> postgresConfig(dbUrl, dbUser, dbPassword, mappingFile, dbPoolSize, dbConnectionTimeout,
                        dbSocketTimeout);
                case NONE -> {
                }
            }
        }

        /** The legacy-json module's config (its failures name {@code datastorage.migration.legacy.path}). */
        public LegacyJsonConfig json() {
            return jsonConfig(path);
        }

        /** The legacy-postgres module's config (its failures name the {@code datastorage.migration.legacy.*} property). */
        public LegacyPostgresConfig postgres() {
            return postgresConfig(dbUrl, dbUser, dbPassword, mappingFile, dbPoolSize, dbConnectionTimeout, dbSocketTimeout);
        }

        private static LegacyJsonConfig jsonConfig(Path path) {
            try {
                return new LegacyJsonConfig(path);
            } catch (InvalidConfigException e) {
                throw e.when("datastorage.migration.legacy.type is json-files");
            }
        }

        private static LegacyPostgresConfig postgresConfig(String url, String user, String password, Path mappingFile,
                                                           int poolSize, Duration connectionTimeout,
                                                           Duration socketTimeout) {
            try {
                return new LegacyPostgresConfig(url, user, password, mappingFile, poolSize, connectionTimeout,
                        socketTimeout);
            } catch (InvalidConfigException e) {
                throw e.when("datastorage.migration.legacy.type is postgres");
            }
        }

        @Override
        public String toString() {
            return "Legacy[type=" + type + ", path=" + path + ", dbUrl=" + dbUrl + ", dbUser=" + dbUser + ", dbPassword="
                    + (dbPassword == null ? "<none>" : "<redacted>") + ", mappingFile=" + mappingFile + ", dbPoolSize=" + dbPoolSize
                    + "]";
        }
    }

    public DatastorageProperties {
        if (dataDir == null || dataDir.toString().isBlank()) {
            throw new InvalidConfigException("datastorage.data-dir", "must be a directory path", "empty");
        }
        // Checked whatever the index type, like every module's settings (see the class comment).
        index.luceneConfig(dataDir, embedding.dimension());
        maintenance(partitions, idempotency);
        if (index.reconcileGrace().compareTo(write.deadline()) <= 0) {
            // A write upserts within its deadline and commits right after: a shorter grace could
            // delete the vector of a write another replica is about to commit.
            throw new InvalidConfigException("datastorage.index.reconcile-grace", "must be longer than "
                    + "datastorage.write.deadline (" + ConfigChecks.print(write.deadline()) + ") and at most 1h",
                    ConfigChecks.print(index.reconcileGrace()));
        }
    }

    /** The store-postgres module's config. */
    public PostgresStoreConfig postgres() {
        return db.config();
    }

    /** The store-postgres module's housekeeping config. */
    public PostgresMaintenanceConfig maintenance() {
        return maintenance(partitions, idempotency);
    }

    private static PostgresMaintenanceConfig maintenance(Partitions partitions, Idempotency idempotency) {
        return under("datastorage.", () -> new PostgresMaintenanceConfig(partitions.monthsAhead(),
                partitions.maintenanceInterval(), idempotency.retention()));
    }

    /**
     * The index-solr module's config: the {@code datastorage.index.solr.*} settings, vectors of the
     * embedding dimension. Only when {@code datastorage.index.type=solr} (its URLs are required then).
     */
    public SolrIndexConfig solr() {
        return index.solr().config(embedding.dimension());
    }

    /** The index-lucene module's config: under {@code data-dir/index}, vectors of the embedding dimension. */
    public LuceneIndexConfig lucene() {
        return index.luceneConfig(dataDir, embedding.dimension());
    }
}
