package io.datastorage.server;

import io.datastorage.core.audit.AuditDraft;
import io.datastorage.core.dualwrite.Deadline;
import io.datastorage.core.embedding.Embedder;
import io.datastorage.core.embedding.EmbedderUnavailableException;
import io.datastorage.core.embedding.ForwardingEmbedder;
import io.datastorage.core.embedding.RecordEmbedder;
import io.datastorage.core.store.NewRecord;
import io.datastorage.server.embedding.EmbeddingPipeline;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.datastorage.server.RunningService.validRecord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 12: what a write answers, stores and counts when its time runs out and when PostgreSQL
 * refuses it. The service runs with a 4 s write deadline, so the
 * embedder's share is about 2.7 s and the database's reserve about 1.3 s.
 */
class WriteOutcomeTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Class<?>[] SOURCES = {DatastorageApplication.class, SlowEmbedding.class};
    static RunningService service;

    @BeforeAll
    static void start() {
        SlowEmbedding.reset();
        service = RunningService.start(SOURCES, RunningService.newDataDir(),
                "--datastorage.write.deadline=4s", "--datastorage.embedding.repair-interval=1h");
    }

    @AfterAll
    static void stop() {
        SlowEmbedding.release();
        service.close();
    }

    @AfterEach
    void releaseTheModel() {
        SlowEmbedding.release();
    }

    /**
     * Regression: the deadline used to start after the embedding, so an embedding step that ran
     * past it still stored the record and answered 201.
     */
    @Test
    void anEmbeddingStepThatRunsPastTheDeadlineStoresNothingAndAnswers503() {
        double cancelledBefore = counter("datastorage_dualwrite_failure_total", "reason", "context_canceled");

        HttpResponse<String> answer = service.postJson("/api/v1/audit/remediation", validRecord("remediation", "overrun-1"));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(answer.headers().firstValue("Retry-After")).isPresent();
        assertThat(json(answer).get("type").asString()).isEqualTo("urn:datastorage:problem:deadline-exceeded");
        assertThat(storedNamed("overrun-1")).isZero();
        assertThat(counter("datastorage_dualwrite_failure_total", "reason", "context_canceled"))
                .isEqualTo(cancelledBefore + 1);
    }

    @Test
    void aModelThatHangsCostsTheRecordItsVectorNotTheWrite() {
        HttpResponse<String> answer = service.postJson("/api/v1/audit/workflow",
                withMessage(validRecord("workflow", "hang-model-1"), "hang-model-1"));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
        assertThat(json(answer).get("embedded").asBoolean()).isFalse();
        assertThat(storedNamed("hang-model-1")).isEqualTo(1);
        assertThat(SlowEmbedding.limits).as("the model was given less than the whole deadline").isNotEmpty()
                .allSatisfy(limit -> assertThat(limit).isPositive().isLessThan(Duration.ofSeconds(4)));
    }

    @Test
    void anInsertPostgresqlRefusesCountsAsAPostgresqlFailure() throws SQLException {
        double refusedBefore = counter("datastorage_dualwrite_failure_total", "reason", "postgresql_failure");
        double rolledBackBefore = counter("datastorage_dualwrite_failure_total", "reason", "transaction_rollback");
        execute("""
                CREATE FUNCTION refuse_named() RETURNS trigger LANGUAGE plpgsql AS
                $$ BEGIN IF NEW.name = 'refused-1' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$""");
        execute("CREATE TRIGGER refuse_named BEFORE INSERT ON audit_records FOR EACH ROW EXECUTE FUNCTION refuse_named()");
        try {
            HttpResponse<String> answer = service.postJson("/api/v1/audit/remediation",
                    validRecord("remediation", "refused-1"));

            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(500);
        } finally {
            execute("DROP TRIGGER refuse_named ON audit_records");
            execute("DROP FUNCTION refuse_named()");
        }
        assertThat(storedNamed("refused-1")).isZero();
        assertThat(counter("datastorage_dualwrite_failure_total", "reason", "postgresql_failure"))
                .isEqualTo(refusedBefore + 1);
        assertThat(counter("datastorage_dualwrite_failure_total", "reason", "transaction_rollback"))
                .isEqualTo(rolledBackBefore);
    }

    /** The record with a {@code message}, which is part of every kind's embedding text. */
    private static String withMessage(String record, String message) {
        return record.substring(0, record.length() - 1) + ",\"message\":\"" + message + "\"}";
    }

    private static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = service.context().getBean(DataSource.class).getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Records with this name in PostgreSQL. */
    private static int storedNamed(String name) {
        try (Connection c = service.context().getBean(DataSource.class).getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM audit_records WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A counter's value as Prometheus shows it; 0 when the series is not there. */
    private static double counter(String name, String label, String value) {
        String metrics = service.get(service.management("/metrics")).body();
        Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*" + label + "=\"" + value + "\"[^}]*} (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    /**
     * Test doubles: a model that holds texts containing {@code hang-model} until released (and
     * records the time limits it is given), and a write path whose embedding step, for records
     * named {@code overrun-*}, takes until the deadline has passed.
     */
    static class SlowEmbedding {
        static final Queue<Duration> limits = new ConcurrentLinkedQueue<>();
        private static volatile CountDownLatch gate = new CountDownLatch(1);

        static void reset() {
            limits.clear();
            gate = new CountDownLatch(1);
        }

        static void release() {
            gate.countDown();
            gate = new CountDownLatch(1);
        }

        @Bean
        @Primary
        Embedder hangingModel(@Qualifier("embeddingModel") Embedder model) {
            return new ForwardingEmbedder(model) {
                @Override
                public List<float[]> embed(List<String> texts, Duration timeLimit) {
                    if (texts.stream().anyMatch(t -> t.contains("hang-model"))) {
                        limits.add(timeLimit);
                    }
                    return embed(texts);
                }

                @Override
                public List<float[]> embed(List<String> texts) {
                    if (texts.stream().anyMatch(t -> t.contains("hang-model"))) {
                        CountDownLatch held = gate;
                        try {
                            held.await(60, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new EmbedderUnavailableException("interrupted", e);
                        }
                    }
                    return model.embed(texts);
                }
            };
        }

        @Bean
        @Primary
        RecordEmbedder overrunningEmbedder(EmbeddingPipeline pipeline, RecordEmbedder.FailureListener failures) {
            return new RecordEmbedder(pipeline.embedder(), failures) {
                @Override
                public List<NewRecord> embed(List<AuditDraft> drafts, Deadline deadline) {
                    if (drafts.stream().anyMatch(d -> d.name().startsWith("overrun"))) {
                        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(deadline::expired);
                    }
                    return super.embed(drafts, deadline);
                }
            };
        }
    }
}
