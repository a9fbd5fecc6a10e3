package io.datastorage.server;

import io.datastorage.core.integrity.ChainHasher;
import io.datastorage.core.job.JobLeases;
import io.datastorage.store.postgres.PostgresStore;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.datastorage.server.RunningService.validRecord;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The writer of each record over HTTP (the request's principal, {@code recordedBy} on every read,
 * never taken from the body) and the integrity verification's API and metrics, on a service of its
 * own so that its chains are only this class's. Requests here get their principal from a test
 * filter ({@link TestPrincipal}); authentication itself is not this test's subject.
 */
class IntegrityApiTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SUBJECT = "system:serviceaccount:ops:remediator";

    static RunningService service;
    static DataSource dataSource;

    /** Gives a request the principal named by its {@code X-Test-Subject} header, as an authentication would. */
    @Configuration(proxyBeanMethods = false)
    static class TestPrincipal {
        @Bean
        FilterRegistrationBean<Filter> testPrincipal() {
            FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>((request, response, chain) -> {
                HttpServletRequest http = (HttpServletRequest) request;
                String subject = http.getHeader("X-Test-Subject");
                chain.doFilter(subject == null ? request : new HttpServletRequestWrapper(http) {
                    @Override
                    public Principal getUserPrincipal() {
                        return () -> subject;
                    }
                }, response);
            });
            // after Spring Security's filters, whose request wrapper answers the principal of its own context
            registration.setOrder(Ordered.LOWEST_PRECEDENCE);
            return registration;
        }
    }

    @BeforeAll
    static void start() {
        service = RunningService.start(new Class<?>[]{DatastorageApplication.class, TestPrincipal.class},
                RunningService.newDataDir(), "--datastorage.index.type=none",
                "--datastorage.integrity.seal-interval=1d");
        dataSource = service.context().getBean(DataSource.class);
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    private static JsonNode json(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return JSON.readTree(response.body());
    }

    private static HttpResponse<String> postAs(String subject, String path, String body) {
        return service.postJson(path, body, "Accept", "*/*", "X-Test-Subject", subject);
    }

    private static HttpResponse<String> post(String path) {
        return service.send(HttpRequest.newBuilder(service.api(path)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** Seals every record written so far, as the sealing job would after the delay. */
    private static long sealEverything() {
        Tampering.update(dataSource, "UPDATE audit_records SET received_at = received_at - interval '1 hour' "
                + "WHERE chain_seq IS NULL");
        return service.context().getBean(PostgresStore.class).integrity().seal(
                service.context().getBean(ChainHasher.class), Instant.now(), 1000, 100);
    }

    @Test
    void theRequestsSubjectIsRecordedAndEveryReadReturnsIt() {
        String id = json(postAs(SUBJECT, "/api/v1/audit/workflow", validRecord("workflow", "by-subject")), 201)
                .get("id").asString();
        JsonNode batch = json(postAs(SUBJECT, "/api/v1/audit/workflow/batch", "[" + validRecord("workflow", "b1")
                + "," + validRecord("workflow", "b2") + "]"), 201);

        assertThat(json(service.get("/api/v1/audit/workflow/" + id), 200).get("recordedBy").asString())
                .isEqualTo(SUBJECT);
        assertThat(json(service.get("/api/v1/audit/workflow/" + batch.get("ids").get(1).asString()), 200)
                .get("recordedBy").asString()).isEqualTo(SUBJECT);
        List<String> listed = new ArrayList<>();
        json(service.get("/api/v1/audit/workflow?name=by-subject"), 200).get("items")
                .forEach(item -> listed.add(item.get("recordedBy").asString()));
        assertThat(listed).containsExactly(SUBJECT);
    }

    @Test
    void aRequestWithoutAPrincipalIsRecordedAsAnonymous() {
        String id = json(service.postJson("/api/v1/audit/execution", validRecord("execution", "anon")), 201)
                .get("id").asString();

        assertThat(json(service.get("/api/v1/audit/execution/" + id), 200).get("recordedBy").asString())
                .isEqualTo("system:anonymous");
    }

    @Test
    void aBodyCannotSayWhoWroteIt() {
        String body = validRecord("workflow", "spoof").replace("{", "{\"recordedBy\":\"system:serviceaccount:x:y\",");

        JsonNode problem = json(postAs(SUBJECT, "/api/v1/audit/workflow", body), 400);

        assertThat(problem.get("errors").get(0).get("field").asString()).isEqualTo("recordedBy");
        assertThat(problem.get("errors").get(0).get("message").asString()).startsWith("unknown field");
    }

    @Test
    void verificationReportsTheChainsAndThenTheFirstBrokenLinkOfATamperedOne() {
        for (int i = 0; i < 3; i++) {
            json(postAs(SUBJECT, "/api/v1/audit/remediation", validRecord("remediation", "chain-" + i)), 201);
        }
        sealEverything();

        JsonNode report = json(post("/api/v1/admin/integrity/verify"), 200);

        assertThat(report.get("consistent").asBoolean()).as(report.toString()).isTrue();
        assertThat(report.get("full").asBoolean()).isFalse();
        assertThat(report.get("records").asLong()).isGreaterThanOrEqualTo(3);
        assertThat(report.get("broken")).isEmpty();
        assertThat(report.has("startedAt") && report.has("finishedAt") && report.has("chains")).isTrue();
        JsonNode status = json(service.get("/api/v1/admin/integrity/verify"), 200);
        assertThat(status.get("running").asBoolean()).isFalse();
        assertThat(status.get("last").get("consistent").asBoolean()).isTrue();
        assertThat(cli("integrity", "verify", "--url", service.api("/").toString(), "--no-bar")).isZero();

        String victim = jdbcString("SELECT id::text FROM audit_records WHERE kind = 'remediation' AND chain_seq = 2");
        Tampering.update(dataSource, "UPDATE audit_records SET document = jsonb_set(document, '{phase}', '\"Failed\"') "
                + "WHERE id = ?::uuid", victim);

        // behind the checkpoint the first run left: a full run walks there
        JsonNode broken = json(post("/api/v1/admin/integrity/verify?full=true"), 200);

        assertThat(broken.get("consistent").asBoolean()).isFalse();
        assertThat(broken.get("broken")).hasSize(1);
        JsonNode link = broken.get("broken").get(0);
        assertThat(link.get("kind").asString()).isEqualTo("remediation");
        assertThat(link.get("month").asString()).isEqualTo("2026-11");
        assertThat(link.get("seq").asLong()).isEqualTo(2);
        assertThat(link.get("recordId").asString()).isEqualTo(victim);
        assertThat(link.get("reason").asString()).isEqualTo("content-changed");
        assertThat(cli("integrity", "verify", "--full", "--url", service.api("/").toString(), "--no-bar")).isEqualTo(1);
        String metrics = service.get(service.management("/metrics")).body();
        assertThat(metrics).contains("datastorage_integrity_verified_records_total",
                "datastorage_integrity_broken_chains{application=\"datastorage\"} 1.0", "datastorage_integrity_unsealed_records");
        Tampering.update(dataSource, "UPDATE audit_records SET document = jsonb_set(document, '{phase}', '\"Completed\"') "
                + "WHERE id = ?::uuid", victim);
    }

    @Test
    void theCommandLineSaysItCouldNotVerifyWithExitCode2() {
        assertThat(cli("integrity", "verify", "--url", "http://127.0.0.1:1", "--no-bar")).isEqualTo(2);
    }

    /** Runs the command line in this JVM; its exit code. */
    private static int cli(String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        return io.datastorage.server.cli.DatastorageCli.commandLine().setOut(new java.io.PrintWriter(out))
                .setErr(new java.io.PrintWriter(new java.io.StringWriter())).execute(args);
    }

    @Test
    void anUnknownQueryParameterOrAFullThatIsNotABooleanIsRefused() {
        assertThat(json(post("/api/v1/admin/integrity/verify?fast=yes"), 400).get("errors").get(0).get("field")
                .asString()).isEqualTo("fast");
        assertThat(json(post("/api/v1/admin/integrity/verify?full=maybe"), 400).get("errors").get(0).get("field")
                .asString()).isEqualTo("full");
        for (String full : List.of("yes", "1", "TRUE", "true&full=true")) {
            JsonNode error = json(post("/api/v1/admin/integrity/verify?full=" + full), 400).get("errors").get(0);
            assertThat(error.get("field").asString()).isEqualTo("full");
            assertThat(error.get("message").asString()).contains("true or false");
        }
        // the GET shows the progress and the last report: it takes no query parameter at all
        for (String query : List.of("fast=yes", "full=true")) {
            HttpResponse<String> answer = service.get("/api/v1/admin/integrity/verify?" + query);
            JsonNode error = json(answer, 400).get("errors").get(0);
            assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(error.get("field").asString()).isEqualTo(query.substring(0, query.indexOf('=')));
            assertThat(error.get("message").asString()).contains("unknown query parameter", "no query parameters");
        }
        json(service.get("/api/v1/admin/integrity/verify"), 200);
    }

    @Test
    void aVerificationUnderWayOnAnotherReplicaIsAConflict() {
        JobLeases leases = service.context().getBean(JobLeases.class);
        assertThat(leases.acquire("integrity-verify", "another-replica", Duration.ofMinutes(1))).isTrue();
        try {
            JsonNode problem = json(post("/api/v1/admin/integrity/verify"), 409);

            assertThat(problem.get("type").asString()).isEqualTo("urn:datastorage:problem:integrity-verify-elsewhere");
        } finally {
            leases.release("integrity-verify", "another-replica");
        }
    }

    private static String jdbcString(String sql) {
        return new org.springframework.jdbc.core.JdbcTemplate(dataSource).queryForObject(sql, String.class);
    }
}
