package io.datastorage.server;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A bad setting stops start-up, and the report the operator reads names the property, the bad
 * value and what is allowed.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConfigurationTest {

    /** A misspelled name would otherwise be ignored, leaving its default (no authentication, no retention). */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"datastorage.auth.mod", "datastorage.retention.period.remediation"})
    void refusesToStartWithAnUnknownSetting(String property, CapturedOutput output) {
        assertThatThrownBy(() -> RunningService.start(RunningService.newDataDir(), "--" + property + "=1d").close())
                .isNotNull();

        assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
                .contains("Unknown setting(s)")
                .contains(property)
                .contains("docs/configuration.md lists every datastorage.* setting");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "datastorage.db.pool-size|0|must be 1..500",
            "datastorage.db.url|mysql://db/audit|jdbc:postgresql://host:port/database",
            "datastorage.limits.max-batch-records|10001|must be 1..10000",
            "datastorage.limits.max-body-size|10B|must be 1KB..256MB",
            "datastorage.db.connection-timeout|10ms|must be 250ms..5m",
            "datastorage.validation.max-future-skew|2h|must be 0s..1h",
            "datastorage.idempotency.retention|soon|soon",
            "datastorage.partitions.months-ahead|-1|must be 0..24",
            "datastorage.embedding.provider|bert|The following values are valid",
            "datastorage.embedding.batch-max-size|0|must be 1..1024",
            "datastorage.embedding.batch-max-wait|2s|must be 0s..1s",
            "datastorage.embedding.openai.base-url|ftp://models|must be an http(s) URL",
            "datastorage.cache.url|memcached://cache:11211|redis:// or rediss:// URL",
            "datastorage.cache.ttl|0s|must be 1s..7d",
            "datastorage.cache.timeout|20s|must be 1ms..10s",
            "datastorage.index.type|solr|datastorage.index.solr.urls must be set when datastorage.index.type is solr",
            "datastorage.index.solr.urls|ftp://solr-0:8983/solr|must be comma-separated http(s) URLs of Solr nodes ending in the Solr context",
            "datastorage.index.solr.urls|http://solr-0:8983|ending in the Solr context",
            "datastorage.index.solr.urls|solr-0:8983/solr|must be comma-separated http(s) URLs",
            "datastorage.index.solr.urls|http://solr-0:8983/solr?commit=true|without credentials, query or fragment",
            "datastorage.index.solr.collection|-audit|must be a Solr collection name",
            "datastorage.index.solr.collection|audit/records|must be a Solr collection name",
            "datastorage.index.solr.shards|0|must be 1..1024",
            "datastorage.index.solr.shards|1025|must be 1..1024",
            "datastorage.index.solr.replication-factor|17|must be 1..16",
            "datastorage.index.solr.timeout|50ms|must be 100ms..5m",
            "datastorage.index.solr.timeout|10m|must be 100ms..5m",
            "datastorage.index.mode|lenient|The following values are valid",
            "datastorage.index.write-order|later|The following values are valid",
            "datastorage.index.attempts|0|must be 1..10",
            "datastorage.index.commit-interval|20m|must be 100ms..10m",
            "datastorage.index.lucene.commit-interval|50ms|must be 100ms..10m",
            "datastorage.partitions.maintenance-interval|10s|must be 1m..1d",
            "datastorage.embedding.threads|257|must be 0..256",
            "datastorage.db.embedded-restart-attempts|0|must be 1..100",
            "datastorage.index.reconcile-interval|0s|must be 1s..7d",
            "datastorage.index.reconcile-grace|20s|must be longer than datastorage.write.deadline (30s)",
            "datastorage.index.reconcile-grace|2h|must be 1s..1h",
            "datastorage.search.degraded-max-scan|0|must be 1..1000000",
            "datastorage.write.deadline|500ms|must be 1s..10m",
            "datastorage.jobs.lease-duration|5s|must be 10s..1d and longer than the longest batch",
            "datastorage.integrity.seal-delay|50s|must be at least datastorage.write.deadline (30s) plus 30s",
            "datastorage.integrity.seal-interval|10ms|must be 100ms..1d",
            "datastorage.migration.legacy.type|mongodb|The following values are valid",
            "datastorage.migration.phase|HALFWAY|must be one of LEGACY_ONLY, DUAL_WRITE_LEGACY_PRIMARY, DUAL_WRITE_NEW_PRIMARY, NEW_ONLY",
            "datastorage.migration.phase|new_only|must be one of LEGACY_ONLY, DUAL_WRITE_LEGACY_PRIMARY, DUAL_WRITE_NEW_PRIMARY, NEW_ONLY",
            "datastorage.migration.secondary|maybe|must be one of queue, fail",
            "datastorage.migration.secondary-mode|later|must be one of sync, async",
            "datastorage.migration.shadow-read-ratio|1.5|must be 0..1",
            "datastorage.migration.secondary-timeout|0s|must be 100ms..5m",
            "datastorage.migration.backfill-rate|0|must be 1..1000000",
            "datastorage.migration.validate-interval|30s|must be 0s (never) or 1m..7d"})
    void refusesToStartWithABadSetting(String property, String value, String allowed, CapturedOutput output) {
        assertThatThrownBy(() -> RunningService.start(RunningService.newDataDir(), "--" + property + "=" + value).close())
                .isNotNull();

        assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
                .contains(property)
                .contains(value)
                .contains(allowed);
    }

    @ParameterizedTest(name = "{0} missing")
    @CsvSource(delimiter = '|', value = {
            "datastorage.embedding.openai.base-url|--datastorage.embedding.openai.model=text-embedding-3-small",
            "datastorage.embedding.openai.model|--datastorage.embedding.openai.base-url=http://127.0.0.1:9"})
    void refusesTheOpenAiProviderWithoutItsEndpoint(String missing, String given, CapturedOutput output) {
        assertThatThrownBy(() -> RunningService.start(RunningService.newDataDir(),
                "--datastorage.embedding.provider=openai", given).close()).isNotNull();

        assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
                .contains(missing + " must be set when datastorage.embedding.provider is openai");
    }

    @org.junit.jupiter.api.Test
    void anUnknownIndexTypeIsRefusedWithTheTypesThatExist(CapturedOutput output) {
        assertThatThrownBy(() -> RunningService.start(RunningService.newDataDir(),
                "--datastorage.index.type=elastic").close()).isNotNull();

        assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
                .contains("datastorage.index.type").contains("elastic")
                .containsIgnoringCase("lucene").containsIgnoringCase("none").containsIgnoringCase("solr");
    }

    @org.junit.jupiter.api.Test
    void theSolrIndexWithoutItsUrlsIsRefused(CapturedOutput output) {
        assertThatThrownBy(() -> RunningService.start(RunningService.newDataDir(),
                "--datastorage.index.type=solr", "--datastorage.index.solr.collection=audit").close()).isNotNull();

        assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
                .contains("datastorage.index.solr.urls must be set when datastorage.index.type is solr")
                .contains("http://solr-0:8983/solr").contains("was empty");
    }

    @org.junit.jupiter.api.Test
    void aBadSolrUrlIsRefusedEvenWithAnotherIndexTypeNamingTheBadOneOfSeveral(CapturedOutput output) {
        assertThatThrownBy(() -> RunningService.start(RunningService.newDataDir(), "--datastorage.index.type=lucene",
                "--datastorage.index.solr.urls=http://solr-0:8983/solr, http://solr-1:8983/").close()).isNotNull();

        assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
                .contains("datastorage.index.solr.urls must be comma-separated http(s) URLs")
                .contains("was 'http://solr-1:8983/'").doesNotContain("was 'http://solr-0:8983/solr'");
    }

    /**
     * The index is remote: {@code write-order=auto} commits the records before the network call,
     * and the jobs' leases live in PostgreSQL even with the embedded one; there is no start-up
     * catch-up. A Solr that cannot be reached does not stop start-up (the index reports itself down
     * until it answers).
     */
    @org.junit.jupiter.api.Test
    void theSolrIndexIsRemoteSoAutoCommitsThenIndexesAndAnUnreachableSolrDoesNotStopStartUp(CapturedOutput output) {
        try (RunningService service = RunningService.start(RunningService.newDataDir(), "--datastorage.index.type=solr",
                "--datastorage.index.solr.urls=http://127.0.0.1:1/solr", "--datastorage.index.solr.timeout=500ms")) {
            assertThat(service.context().getBean(io.datastorage.core.dualwrite.DualWriteCoordinator.class).writeOrder())
                    .isEqualTo(io.datastorage.core.dualwrite.WriteOrder.COMMIT_THEN_INDEX);
            assertThat(service.context().getBean(io.datastorage.core.job.JobLeases.class))
                    .isNotInstanceOf(io.datastorage.core.job.InMemoryJobLeases.class);
            assertThat(service.context().getBean(io.datastorage.index.solr.SolrVectorIndex.class).dimension())
                    .isEqualTo(384);
            io.datastorage.index.solr.SolrIndexConfig config = service.context()
                    .getBean(io.datastorage.server.config.DatastorageProperties.class).solr();
            assertThat(config.solrUrls()).containsExactly(java.net.URI.create("http://127.0.0.1:1/solr"));
            assertThat(config.collection()).isEqualTo("datastorage");
            assertThat(config.shards()).isEqualTo(2);
            assertThat(config.replicationFactor()).isEqualTo(2);
            assertThat(config.dimension()).isEqualTo(384);
            assertThat(service.get("/healthz").statusCode()).isEqualTo(200);
            // Writes go on in fallback mode, so the service stays ready; the management port says which part is down.
            assertThat(service.get("/readyz").statusCode()).isEqualTo(200);
            assertThat(service.get(service.management("/health")).body())
                    .containsPattern("\"vectorIndex\":\\{\"status\":\"DOWN\"");
        }
        // A remote index keeps what it acknowledged: no start-up replay of every record into it.
        assertThat(output.getAll()).contains("No start-up catch-up for a remote index");
    }

    @org.junit.jupiter.api.Test
    void aSolrPasswordNeverReachesTheReport(CapturedOutput output) {
        assertThatThrownBy(() -> RunningService.start(RunningService.newDataDir(),
                "--datastorage.index.solr.urls=http://admin:hunter2secret@solr-0:8983/solr").close()).isNotNull();

        assertThat(output.getAll()).contains("datastorage.index.solr.urls").contains("without credentials")
                .contains("http://<redacted>@solr-0:8983/solr").doesNotContain("hunter2secret");
    }

    @org.junit.jupiter.api.Test
    void aShortIntegrityKeyIsRefusedWithoutReachingTheReport(CapturedOutput output) {
        String key = java.util.Base64.getEncoder().encodeToString("hunter2-integrity".getBytes());
        assertThatThrownBy(() -> RunningService.start(RunningService.newDataDir(),
                "--datastorage.integrity.hmac-key=" + key).close()).isNotNull();

        assertThat(output.getAll()).contains("APPLICATION FAILED TO START").contains("datastorage.integrity.hmac-key")
                .contains("at least 32 bytes").doesNotContain(key).doesNotContain("hunter2-integrity");
    }

    @org.junit.jupiter.api.Test
    void strictModeIsRefusedWithoutAnIndex(CapturedOutput output) {
        assertThatThrownBy(() -> RunningService.start(RunningService.newDataDir(),
                "--datastorage.index.type=none", "--datastorage.index.mode=strict").close()).isNotNull();

        assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
                .contains("datastorage.index.mode must be fallback when datastorage.index.type is none");
    }

    @org.junit.jupiter.api.Test
    void strictModeIsRefusedWithTheCommitThenIndexWriteOrder(CapturedOutput output) {
        assertThatThrownBy(() -> RunningService.start(RunningService.newDataDir(),
                "--datastorage.index.mode=strict", "--datastorage.index.write-order=commit-then-index").close()).isNotNull();

        assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
                .contains("datastorage.index.write-order must be auto or in-transaction when the index mode is strict")
                .contains("was commit-then-index");
    }

    @org.junit.jupiter.api.Test
    void aBadValueUnderTheDeprecatedNameIsReportedUnderThatName(CapturedOutput output) {
        assertThatThrownBy(() -> RunningService.start(RunningService.newDataDir(),
                "--datastorage.index.commit-interval=50ms").close()).isNotNull();

        assertThat(output.getAll()).contains("datastorage.index.commit-interval must be 100ms..10m, was 50ms")
                .doesNotContain("datastorage.index.lucene.commit-interval must");
    }

    @org.junit.jupiter.api.Test
    void theDeprecatedCommitIntervalStillWorksAndIsWarnedAbout(CapturedOutput output) {
        try (RunningService service = RunningService.start(RunningService.newDataDir(),
                "--datastorage.index.commit-interval=2s")) {
            assertThat(service.context().getBean(io.datastorage.server.config.DatastorageProperties.class).lucene()
                    .commitInterval()).hasSeconds(2);
        }

        assertThat(output.getAll()).contains("datastorage.index.commit-interval (DATASTORAGE_INDEX_COMMIT_INTERVAL) "
                + "is deprecated; set datastorage.index.lucene.commit-interval");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "json-files|datastorage.migration.legacy.path must be set to a directory when datastorage.migration.legacy.type is json-files",
            "postgres|datastorage.migration.legacy.db-url must be set when datastorage.migration.legacy.type is postgres"})
    void aLegacyStoreTypeWithoutItsSettingsIsRefused(String type, String message, CapturedOutput output) {
        assertThatThrownBy(() -> RunningService.start(RunningService.newDataDir(),
                "--datastorage.migration.legacy.type=" + type).close()).isNotNull();

        assertThat(output.getAll()).contains("APPLICATION FAILED TO START").contains(message);
    }

    @org.junit.jupiter.api.Test
    void aLegacyPoolOfNoConnectionsIsRefused(CapturedOutput output) {
        assertThatThrownBy(() -> RunningService.start(RunningService.newDataDir(),
                "--datastorage.migration.legacy.type=postgres", "--datastorage.migration.legacy.db-pool-size=0").close())
                .isNotNull();

        assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
                .contains("datastorage.migration.legacy.db-pool-size must be 1..100 when datastorage.migration.legacy.type "
                        + "is postgres, was 0");
    }

    @org.junit.jupiter.api.Test
    void aLegacyPathThatIsAFileIsRefused(CapturedOutput output) throws java.io.IOException {
        java.nio.file.Path dataDir = RunningService.newDataDir();
        java.nio.file.Path file = java.nio.file.Files.writeString(dataDir.resolve("legacy.json"), "{}");
        assertThatThrownBy(() -> RunningService.start(dataDir, "--datastorage.migration.legacy.type=json-files",
                "--datastorage.migration.legacy.path=" + file).close()).isNotNull();

        assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
                .contains("datastorage.migration.legacy.path must be a writable directory")
                .contains(file.toString()).contains("not a directory");
    }

    @org.junit.jupiter.api.Test
    void aLegacyDatabasePasswordNeverReachesTheReport(CapturedOutput output) {
        assertThatThrownBy(() -> RunningService.start(RunningService.newDataDir(),
                "--datastorage.migration.legacy.type=postgres", "--datastorage.migration.legacy.db-url=jdbc:postgresql://db/legacy",
                "--datastorage.migration.legacy.db-password=hunter2secret").close()).isNotNull();

        assertThat(output.getAll()).contains("datastorage.migration.legacy.db-user must be set")
                .doesNotContain("hunter2secret");
    }

    @org.junit.jupiter.api.Test
    void aRedisPasswordNeverReachesTheReport(CapturedOutput output) {
        assertThatThrownBy(() -> RunningService.start(RunningService.newDataDir(),
                "--datastorage.cache.url=memcached://:hunter2secret@cache:11211").close()).isNotNull();

        assertThat(output.getAll()).contains("datastorage.cache.url").doesNotContain("hunter2secret");
    }
}
